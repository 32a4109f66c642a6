"""The exercises, in course order: statement (Markdown with LaTeX), starter stub, hints in
steps, a reference solution in the exercise's own form, and the nnlib objects whose source
is the library's solution. Texts are English templates marked with ``N_`` for the catalogs."""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent

from . import checks
from .verdict import N_


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str
    lesson: str  # the app page the exercise belongs to (pages/<lesson>.py)
    statement: str
    starter: str
    hints: tuple[str, ...]
    solution: str
    reference: tuple[str, ...]  # dotted names in nnlib whose source is the library's own solution
    check: object  # checks.check_<name>

    def reference_objects(self) -> list:
        """The nnlib functions/classes named in ``reference``, imported."""
        import importlib

        objs = []
        for dotted in self.reference:
            module, _, attr = dotted.rpartition(":")
            obj = importlib.import_module(module)
            for part in attr.split("."):
                obj = getattr(obj, part)
            objs.append(obj)
        return objs


def _code(text: str) -> str:
    return dedent(text).strip("\n") + "\n"


EXERCISES: dict[str, Exercise] = {}


def _add(**kw) -> None:
    ex = Exercise(**kw)
    EXERCISES[ex.name] = ex


_add(
    name="sigmoid", lesson="activations",
    title=N_("The sigmoid and its derivative"),
    statement=N_(
        "Write the sigmoid $\\sigma(z) = \\dfrac{1}{1 + e^{-z}}$ and its derivative. As in post 002, the "
        "derivative receives the sigmoid's **output** $s = \\sigma(z)$, not $z$:\n\n"
        "$$\\sigma'(z) = \\sigma(z)\\,\\bigl(1 - \\sigma(z)\\bigr) = s\\,(1 - s).$$\n\n"
        "Both work element-wise on arrays of any shape and must not change their input."),
    starter=_code('''
        import numpy as np


        def sigmoid(z):
            """σ(z), element-wise."""
            ...


        def sigmoid_derivative(s):
            """σ'(z) from the output s = σ(z), element-wise."""
            ...
        '''),
    hints=(N_("`np.exp` works element-wise on a whole array: no loop is needed."),
           N_("`sigmoid` is one line: `1 / (1 + np.exp(-z))`."),
           N_("The argument of `sigmoid_derivative` is already σ(z): do not apply the sigmoid again. "
              "Return `s * (1 - s)`.")),
    solution=_code('''
        import numpy as np


        def sigmoid(z):
            return 1 / (1 + np.exp(-z))


        def sigmoid_derivative(s):
            return s * (1 - s)
        '''),
    reference=("nnlib.activations:sigmoid", "nnlib.activations:Sigmoid"),
    check=checks.check_sigmoid,
)

_add(
    name="neuron_forward", lesson="single_neuron",
    title=N_("A single neuron: forward pass and loss"),
    statement=N_(
        "One neuron with a sigmoid, on a batch of $n$ rows $x$ (shape $(n, k)$), weights $W$ $(k, 1)$ and bias "
        "$b$ $(1,)$:\n\n$$\\hat y = \\sigma(xW + b), \\qquad "
        "\\mathrm{MSE}(\\hat y, y) = \\frac{1}{n}\\sum_{i=1}^{n} (y_i - \\hat y_i)^2.$$\n\n"
        "`forward(x, W, b)` returns $\\hat y$ of shape $(n, 1)$; `mse(y_hat, y)` returns one number. "
        "On post 002's four rows with `np.random.seed(1234)`, $\\hat y$ = [0.80732274, 0.67110045, 0.87035962, "
        "0.56014025] and the MSE is 0.27262716361994604."),
    starter=_code('''
        import numpy as np


        def forward(x, W, b):
            """ŷ = σ(xW + b), shape (n, 1)."""
            ...


        def mse(y_hat, y):
            """The mean of the squared errors, one number."""
            ...
        '''),
    hints=(N_("Each row of `x` is one sample: the product that gives one output per row is `x @ W`, shape (n, 1)."),
           N_("Add `b` (it broadcasts over the rows), then apply the sigmoid element-wise."),
           N_("The loss is a *mean*: `np.mean((y - y_hat) ** 2)`.")),
    solution=_code('''
        import numpy as np


        def forward(x, W, b):
            return 1 / (1 + np.exp(-(x @ W + b)))


        def mse(y_hat, y):
            return np.mean((y - y_hat) ** 2)
        '''),
    reference=("nnlib.layers:Dense.forward", "nnlib.losses:MSE"),
    check=checks.check_neuron_forward,
)

_add(
    name="neuron_backward", lesson="single_neuron",
    title=N_("A single neuron: the gradient step"),
    statement=N_(
        "Back-propagate through the neuron of the previous exercise, with **post 002's** loss gradient, a sum "
        "over the rows (no $1/n$):\n\n"
        "$$\\frac{\\partial L}{\\partial \\hat y} = -2\\,(y - \\hat y), \\qquad "
        "\\delta = \\frac{\\partial L}{\\partial \\hat y} \\odot \\hat y\\,(1 - \\hat y),$$\n\n"
        "$$\\frac{\\partial L}{\\partial W} = x^\\top \\delta \\quad (k, 1), \\qquad "
        "\\frac{\\partial L}{\\partial b} = \\sum_{i=1}^{n} \\delta_i \\quad (1,).$$\n\n"
        "`gradients(x, y, W, b)` returns `(dW, db)`. Post 002's first step gives dW = [-0.17444809, 0.13082577, "
        "0.35273266] and db = 0.35273266; after `W -= 0.01 * dW`, W = [0.47317964, -1.19228395, 1.42917964]."),
    starter=_code('''
        import numpy as np


        def gradients(x, y, W, b):
            """(dW, db): dW shaped like W (k, 1), db like b (1,)."""
            y_hat = 1 / (1 + np.exp(-(x @ W + b)))
            ...
            return dW, db
        '''),
    hints=(N_("Start from the output: `d_yhat = -2 * (y - y_hat)`, shape (n, 1)."),
           N_("Through the sigmoid: `delta = d_yhat * y_hat * (1 - y_hat)` — the derivative from the *output*."),
           N_("`dW = x.T @ delta` has shape (k, 1), like W; the bias gradient sums δ over the batch: "
              "`db = np.sum(delta, axis=0)`.")),
    solution=_code('''
        import numpy as np


        def gradients(x, y, W, b):
            y_hat = 1 / (1 + np.exp(-(x @ W + b)))
            delta = -2 * (y - y_hat) * y_hat * (1 - y_hat)
            dW = x.T @ delta
            db = np.sum(delta, axis=0)
            return dW, db
        '''),
    reference=("nnlib.layers:Dense.backward", "nnlib.activations:Sigmoid", "nnlib.losses:MSE"),
    check=checks.check_neuron_backward,
)

_add(
    name="dense", lesson="mlp",
    title=N_("A Dense layer: forward and backward"),
    statement=N_(
        "A fully connected layer $y = xW + b$ with $x$ $(n, k_\\text{in})$, $W$ $(k_\\text{in}, k_\\text{out})$, "
        "$b$ $(k_\\text{out},)$. Given the gradient $G = \\partial L / \\partial y$ $(n, k_\\text{out})$ that "
        "arrives from the next layer (it already carries the loss's $1/n$):\n\n"
        "$$\\frac{\\partial L}{\\partial W} = x^\\top G, \\qquad \\frac{\\partial L}{\\partial b} = "
        "\\sum_{i=1}^{n} G_i, \\qquad \\frac{\\partial L}{\\partial x} = G\\,W^\\top.$$\n\n"
        "`forward(x)` keeps what `backward` needs; `backward(grad)` stores `self.dW`, `self.db` and returns "
        "dL/dx. It works for any batch size, one row included."),
    starter=_code('''
        import numpy as np


        class Dense:
            def __init__(self, W, b):
                self.W = W  # (in, out)
                self.b = b  # (out,)

            def forward(self, x):
                """y = x @ W + b, shape (n, out); keep x for backward."""
                ...

            def backward(self, grad):
                """Set self.dW (in, out) and self.db (out,); return dL/dx (n, in)."""
                ...
        '''),
    hints=(N_("In `forward`, save the input: `self.x = x`, then return `x @ self.W + self.b`."),
           N_("Shapes decide the products: dW must be (in, out) — that is `self.x.T @ grad`; dL/dx must be "
              "(n, in) — that is `grad @ self.W.T`."),
           N_("The bias is added to every row, so its gradient is the sum of the rows: `grad.sum(axis=0)`. Do "
              "not divide by n again: `grad` already carries it.")),
    solution=_code('''
        import numpy as np


        class Dense:
            def __init__(self, W, b):
                self.W = W
                self.b = b

            def forward(self, x):
                self.x = x
                return x @ self.W + self.b

            def backward(self, grad):
                self.dW = self.x.T @ grad
                self.db = grad.sum(axis=0)
                return grad @ self.W.T
        '''),
    reference=("nnlib.layers:Dense.forward", "nnlib.layers:Dense.backward"),
    check=checks.check_dense,
)

_add(
    name="relu", lesson="activations",
    title=N_("ReLU and its backward pass"),
    statement=N_(
        "$$\\mathrm{ReLU}(z) = \\max(z, 0), \\qquad \\frac{\\partial L}{\\partial z} = "
        "\\frac{\\partial L}{\\partial a} \\odot [z > 0].$$\n\n"
        "`relu(z)` returns a **new** array (the caller's `z` must not change); "
        "`relu_backward(grad, z)` returns dL/dz from the incoming gradient `grad` = dL/da and the input `z`."),
    starter=_code('''
        import numpy as np


        def relu(z):
            ...


        def relu_backward(grad, z):
            ...
        '''),
    hints=(N_("`np.maximum(z, 0)` builds a new array; `z[z < 0] = 0` would change the caller's array."),
           N_("`z > 0` is a boolean mask of the units that let the gradient through."),
           N_("Multiply: `grad * (z > 0)`.")),
    solution=_code('''
        import numpy as np


        def relu(z):
            return np.maximum(z, 0)


        def relu_backward(grad, z):
            return grad * (z > 0)
        '''),
    reference=("nnlib.activations:ReLU",),
    check=checks.check_relu,
)

_add(
    name="bce", lesson="logistic_1d",
    title=N_("Binary cross-entropy and its gradient"),
    statement=N_(
        "For predicted probabilities $p$ and labels $y \\in \\{0, 1\\}$, both of shape $(n, 1)$, with $p$ first "
        "clipped to $[\\varepsilon, 1 - \\varepsilon]$, $\\varepsilon = 10^{-10}$:\n\n"
        "$$L = -\\frac{1}{n}\\sum_{i=1}^{n} \\bigl(y_i \\log p_i + (1 - y_i)\\log(1 - p_i)\\bigr), \\qquad "
        "\\frac{\\partial L}{\\partial p_i} = \\frac{1}{n}\\,\\frac{p_i - y_i}{p_i\\,(1 - p_i)}.$$\n\n"
        "`bce(p, y)` returns one number, `bce_grad(p, y)` an array shaped like `p`. Both must stay finite when "
        "a prediction is exactly 0 or 1 (post 003's code breaks there)."),
    starter=_code('''
        import numpy as np

        EPS = 1e-10


        def bce(p, y):
            ...


        def bce_grad(p, y):
            ...
        '''),
    hints=(N_("`np.clip(p, EPS, 1 - EPS)` returns a clipped copy; use it for every log and every division."),
           N_("The loss is a mean: `-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))` with the clipped p."),
           N_("The gradient has the same 1/n: `(p - y) / (p * (1 - p)) / len(p)`, with the clipped p.")),
    solution=_code('''
        import numpy as np

        EPS = 1e-10


        def bce(p, y):
            p = np.clip(p, EPS, 1 - EPS)
            return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


        def bce_grad(p, y):
            p = np.clip(p, EPS, 1 - EPS)
            return (p - y) / (p * (1 - p)) / p.size
        '''),
    reference=("nnlib.losses:BinaryCrossEntropy", "nnlib.losses:_clipped"),
    check=checks.check_bce,
)

_add(
    name="softmax_ce", lesson="mnist",
    title=N_("Softmax and cross-entropy: the fused gradient"),
    statement=N_(
        "Logits $z$ $(n, k)$, one-hot labels $y$ $(n, k)$. Softmax, row by row, and the cross-entropy of the "
        "mean over rows:\n\n"
        "$$s_{ij} = \\frac{e^{z_{ij}}}{\\sum_{l} e^{z_{il}}}, \\qquad L = -\\frac{1}{n}\\sum_{i}\\sum_{j} "
        "y_{ij}\\log s_{ij}.$$\n\n"
        "Through the full softmax Jacobian $\\mathrm{diag}(s) - s s^\\top$, the gradient at the logits "
        "simplifies to\n\n"
        "$$\\frac{\\partial L}{\\partial z} = \\frac{s - y}{n}.$$\n\n"
        "Write `softmax(z)` (it must not overflow for logits in the hundreds) and `softmax_ce_grad(z, y)`."),
    starter=_code('''
        import numpy as np


        def softmax(z):
            ...


        def softmax_ce_grad(z, y):
            ...
        '''),
    hints=(N_("Subtract each row's maximum first: `z - z.max(axis=1, keepdims=True)`. exp of that is at most 1."),
           N_("Normalise each row: `e / e.sum(axis=1, keepdims=True)`."),
           N_("No Jacobian is needed: `(softmax(z) - y) / len(z)`.")),
    solution=_code('''
        import numpy as np


        def softmax(z):
            e = np.exp(z - z.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)


        def softmax_ce_grad(z, y):
            return (softmax(z) - y) / len(z)
        '''),
    reference=("nnlib.activations:softmax", "nnlib.losses:_minus_target", "nnlib.losses:SoftmaxCrossEntropy"),
    check=checks.check_softmax_ce,
)

_add(
    name="momentum", lesson="mnist",
    title=N_("An SGD step with momentum"),
    statement=N_(
        "Gradient descent with momentum $\\mu$ keeps a velocity $v$ (PyTorch's form, the one nnlib uses):\n\n"
        "$$v \\leftarrow \\mu\\, v + g, \\qquad p \\leftarrow p - \\eta\\, v.$$\n\n"
        "`momentum_step(p, g, v, lr, momentum)` returns the new `(p, v)` as new arrays, leaving its inputs as "
        "they were. It is checked over three steps in a row."),
    starter=_code('''
        import numpy as np


        def momentum_step(p, g, v, lr, momentum):
            ...
            return p_new, v_new
        '''),
    hints=(N_("First the velocity: `v_new = momentum * v + g`."),
           N_("Then the step, along the velocity and downhill: `p_new = p - lr * v_new`."),
           N_("`p -= …` would change the caller's array: write `p_new = p - …` instead.")),
    solution=_code('''
        import numpy as np


        def momentum_step(p, g, v, lr, momentum):
            v_new = momentum * v + g
            p_new = p - lr * v_new
            return p_new, v_new
        '''),
    reference=("nnlib.optim:SGD",),
    check=checks.check_momentum,
)

_add(
    name="adam", lesson="mnist",
    title=N_("An Adam step"),
    statement=N_(
        "Adam (Kingma & Ba, 2015) keeps running means of the gradient and of its square, bias-corrected, at "
        "step $t = 1, 2, \\dots$:\n\n"
        "$$m \\leftarrow \\beta_1 m + (1 - \\beta_1)\\, g, \\qquad "
        "v \\leftarrow \\beta_2 v + (1 - \\beta_2)\\, g^2,$$\n\n"
        "$$\\hat m = \\frac{m}{1 - \\beta_1^t}, \\qquad \\hat v = \\frac{v}{1 - \\beta_2^t}, \\qquad "
        "p \\leftarrow p - \\eta\\,\\frac{\\hat m}{\\sqrt{\\hat v} + \\varepsilon}.$$\n\n"
        "`adam_step(p, g, m, v, t, lr, beta1, beta2, eps)` returns the new `(p, m, v)` as new arrays."),
    starter=_code('''
        import numpy as np


        def adam_step(p, g, m, v, t, lr, beta1, beta2, eps):
            ...
            return p_new, m_new, v_new
        '''),
    hints=(N_("The two moments: `m_new = beta1 * m + (1 - beta1) * g` and "
              "`v_new = beta2 * v + (1 - beta2) * g ** 2`."),
           N_("Bias correction uses the step number t (from 1): `m_hat = m_new / (1 - beta1 ** t)`, likewise v."),
           N_("`p_new = p - lr * m_hat / (np.sqrt(v_hat) + eps)`.")),
    solution=_code('''
        import numpy as np


        def adam_step(p, g, m, v, t, lr, beta1, beta2, eps):
            m_new = beta1 * m + (1 - beta1) * g
            v_new = beta2 * v + (1 - beta2) * g**2
            m_hat = m_new / (1 - beta1**t)
            v_hat = v_new / (1 - beta2**t)
            p_new = p - lr * m_hat / (np.sqrt(v_hat) + eps)
            return p_new, m_new, v_new
        '''),
    reference=("nnlib.optim:Adam",),
    check=checks.check_adam,
)
