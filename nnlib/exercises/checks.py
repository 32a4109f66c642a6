"""One check function per exercise: ``check_<name>(student, grader)``.

Each runs the student's code on fixed-seed random cases (a batch of 1, odd sizes, float32
and float64), compares every output with nnlib's own layers, losses and optimizers, and
compares every gradient with central differences of the student's own forward pass. The
seeds are fixed so that two runs of the grader on the same code give the same verdict.
"""

from __future__ import annotations

import numpy as np

from .. import data
from ..activations import ReLU, Sigmoid, sigmoid, softmax
from ..layers import Dense
from ..losses import MSE, BinaryCrossEntropy, SoftmaxCrossEntropy
from ..model import Sequential
from ..optim import SGD, Adam
from .grading import Grader, StudentError, as_shape, case_label, lookup, missing_sum
from .verdict import N_, Msg, close, first_difference

# post 002, printed to 8 decimals (shared/reference/README.md; tests/test_reference.py)
POST_002 = {
    "y_hat": [0.80732274, 0.67110045, 0.87035962, 0.56014025],
    "mse": 0.27262716361994604,
    "dW": [-0.17444809, 0.13082577, 0.35273266],
    "db": [0.35273266],
    "W_after": [0.47317964, -1.19228395, 1.42917964],
    "b_after": [-0.00352733],
}
POST_LR = 0.01



def _neuron_cases():
    """The single neuron's random cases: a batch of 1, odd sizes, float32 and float64 (fixed seeds):
    (x, W, b, y, n, k, dtype, case label)."""
    for seed, n, k, dtype in [(1, 1, 3, np.float64), (2, 5, 4, np.float32), (3, 7, 2, np.float64)]:
        rng = np.random.default_rng(seed)
        x, W, b = _f(rng.normal(size=(n, k)), dtype), _f(rng.normal(size=(k, 1)), dtype), _f(rng.normal(size=1), dtype)
        y = _f(rng.integers(0, 2, (n, 1)), dtype)
        yield x, W, b, y, n, k, dtype, case_label(dtype, x=(n, k), W=(k, 1))

def _post_002():
    x, y = data.toy4()
    W = np.random.RandomState(1234).randn(3, 1)  # np.random.seed(1234); W = np.random.randn(3, 1)
    return x, y, W, np.zeros(1)


def _f(a, dtype) -> np.ndarray:
    return np.asarray(a, dtype=dtype)


def _post_check(g: Grader, output: str, got, printed, digits_tol: float = 5e-9) -> None:
    label = Msg(N_("{output} equals post 002's printed numbers"), {"output": output})
    if got is None:
        g.add(label, False, first_difference(None, printed))
        return
    try:
        arr = np.asarray(got, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        g.add(label, False, Msg(N_("expected an array of numbers, got {got}"), {"got": repr(got)[:80]}))
        return
    want = np.asarray(printed, dtype=np.float64)
    if arr.shape == want.shape and np.allclose(arr, want, rtol=0, atol=digits_tol):
        g.add(label, True)
    else:
        g.add(label, False, Msg(N_("the post printed {expected}, got {got}"),
                                {"expected": str(list(printed)), "got": np.array2string(arr, precision=8)[:200]}))


# -- 1. sigmoid -----------------------------------------------------------------------------------
def check_sigmoid(student, g: Grader) -> None:
    sig, dsig = lookup(student, "sigmoid"), lookup(student, "sigmoid_derivative")
    for seed, shape, dtype in [(1, (1, 1), np.float64), (2, (5, 3), np.float32), (3, (7, 1), np.float64)]:
        rng = np.random.default_rng(seed)
        z = _f(rng.normal(0, 4, shape), dtype)
        case = case_label(dtype, z=shape)
        try:
            s = g.call(sig, "sigmoid", {"z": z.copy()}, case)
            g.compare("sigmoid(z)", case, s, sigmoid(z), dtype=dtype, variants={"sign": sigmoid(-z)})
            s_ref = sigmoid(z)
            d = g.call(dsig, "sigmoid_derivative", {"s": s_ref.copy()}, case)
            g.compare("sigmoid_derivative(s)", case, d, s_ref * (1 - s_ref), dtype=dtype,
                      variants={"from_input": sigmoid(s_ref) * (1 - sigmoid(s_ref))})
            if dtype == np.float64:
                r = rng.standard_normal(shape)
                zz = z.copy()
                analytic = r * np.asarray(dsig(np.asarray(sig(zz.copy()), dtype=np.float64)), dtype=np.float64)
                g.gradcheck("sigmoid_derivative(sigmoid(z))", case, analytic,
                            lambda zz=zz, r=r: float(np.sum(np.asarray(sig(zz.copy())) * r)), zz)
        except StudentError:
            continue
    g.inputs_unchanged()


# -- 2. a single neuron's forward pass and its loss ------------------------------------------------
def check_neuron_forward(student, g: Grader) -> None:
    fwd, mse = lookup(student, "forward"), lookup(student, "mse")
    x, y, W, b = _post_002()
    case = N_("post 002")
    try:
        y_hat = g.call(fwd, "forward", {"x": x.copy(), "W": W.copy(), "b": b.copy()}, case)
        _post_check(g, "ŷ = forward(x, W, b)", y_hat, POST_002["y_hat"])
        ref = sigmoid(x @ W + b)
        loss = g.call(mse, "mse", {"y_hat": ref.copy(), "y": y.copy()}, case)
        g.compare("mse(ŷ, y)", case, _scalar(loss), [POST_002["mse"]], n=4,
                  variants={"loss_sum": [4 * POST_002["mse"]]})
    except StudentError:
        pass
    for x, W, b, y, n, k, dtype, case in _neuron_cases():
        try:
            y_hat = g.call(fwd, "forward", {"x": x.copy(), "W": W.copy(), "b": b.copy()}, case)
            layer = Dense(k, 1, dtype=dtype)
            layer.W[...], layer.b[...] = W, b
            ref = Sequential(layer, Sigmoid()).forward(x)
            g.compare("forward(x, W, b)", case, y_hat, ref, dtype=dtype)
            loss = g.call(mse, "mse", {"y_hat": ref.copy(), "y": y.copy()}, case)
            want = MSE().value(ref, y)
            g.compare("mse(ŷ, y)", case, _scalar(loss), [want], dtype=dtype, n=n, variants={"loss_sum": [n * want]})
        except StudentError:
            continue
    g.inputs_unchanged()


# -- 3. the single neuron's gradient step -----------------------------------------------------------
def _neuron_reference(x, y, W, b, dtype):
    dense = Dense(W.shape[0], 1, dtype=dtype)
    dense.W[...], dense.b[...] = W, b
    model = Sequential(dense, Sigmoid())
    loss = MSE(sum_grad=True)  # the post's dMSE/dŷ = -2 (y - ŷ): a sum over the rows
    loss.forward(model.forward(x), y)
    model.backward_loss(loss)
    return dense.dW.copy(), dense.db.copy()


def check_neuron_backward(student, g: Grader) -> None:
    grads = lookup(student, "gradients")
    x, y, W, b = _post_002()
    try:
        out = g.call(grads, "gradients", {"x": x.copy(), "y": y.copy(), "W": W.copy(), "b": b.copy()}, "post 002")
        dW, db = _pair(out, "gradients", "(dW, db)")
        _post_check(g, "dW", dW, POST_002["dW"])
        _post_check(g, "db", db, POST_002["db"])
        W_after = W - POST_LR * np.asarray(as_shape(dW, W.shape), dtype=float)
        _post_check(g, Msg(N_("W − {lr}·dW"), {"lr": POST_LR}).__str__(), W_after, POST_002["W_after"])
    except (StudentError, TypeError, ValueError) as err:
        if not isinstance(err, StudentError):
            g.add(Msg(N_("gradients returns (dW, db)")), False, Msg(N_("{message}"), {"message": str(err)[:200]}))
    for x, W, b, y, n, _k, dtype, case in _neuron_cases():
        try:
            out = g.call(grads, "gradients", {"x": x.copy(), "y": y.copy(), "W": W.copy(), "b": b.copy()}, case)
            try:
                dW, db = _pair(out, "gradients", "(dW, db)")
            except ValueError as err:
                g.add(Msg(N_("gradients returns (dW, db)")), False, Msg(N_("{message}"), {"message": str(err)}))
                continue
            ref_dW, ref_db = _neuron_reference(x, y, W, b, dtype)
            z = x @ W + b
            s = sigmoid(z)
            dy = -2 * (y - s)
            dz = dy * s * (1 - s)
            g.compare("dW", case, dW, ref_dW, dtype=dtype, n=n, batch_twice="post_sum",
                      variants={"from_input": x.T @ (dy * z * (1 - z))})
            g.compare("db", case, as_shape(db, ref_db.shape), ref_db, dtype=dtype, n=n, batch_twice="post_sum",
                      variants={"missing_sum": missing_sum(db, dz), "from_input": np.sum(dy * z * (1 - z), axis=0)})
            if dtype == np.float64:
                def sse(x=x, y=y, W=W, b=b):  # the loss whose gradient the post computes: a sum
                    return float(np.sum((y - sigmoid(x @ W + b)) ** 2))
                g.gradcheck("dW", case, as_shape(dW, W.shape), sse, W, n=n)
        except StudentError:
            continue
    g.inputs_unchanged()


def _pair(out, fn: str, what: str):
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise ValueError(f"{fn} must return {what}, got {type(out).__name__}")
    return out


def _triple(out, fn: str, what: str):
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        raise ValueError(f"{fn} must return {what}, got {type(out).__name__}")
    return out


# -- 4. Dense forward and backward -----------------------------------------------------------------
def check_dense(student, g: Grader) -> None:
    cls = lookup(student, "Dense", "class")
    cases = [(1, 1, 3, 2, np.float64), (2, 5, 4, 3, np.float32), (3, 7, 3, 3, np.float64), (4, 4, 1, 5, np.float64)]
    for seed, n, k_in, k_out, dtype in cases:
        rng = np.random.default_rng(seed)
        W, b = _f(rng.normal(size=(k_in, k_out)), dtype), _f(rng.normal(size=k_out), dtype)
        x = _f(rng.normal(size=(n, k_in)), dtype)
        grad = _f(rng.normal(size=(n, k_out)) / n, dtype)  # as if from a mean loss: it carries the 1/n
        case = case_label(dtype, x=(n, k_in), W=(k_in, k_out))
        ref = Dense(k_in, k_out, dtype=dtype)
        ref.W[...], ref.b[...] = W, b
        want_out = ref.forward(x)
        want_dx = ref.backward(grad)
        try:
            layer = g.call(cls, "Dense", {"W": W.copy(), "b": b.copy()}, case)
            out = g.call(layer.forward, "forward", {"x": x.copy()}, case)
            g.compare("forward(x)", case, out, want_out, dtype=dtype, n=n)
            dx = g.call(layer.backward, "backward", {"grad": grad.copy()}, case)
            g.compare("backward(grad) = dL/dx", case, dx, want_dx, dtype=dtype, n=n,
                      variants={"transposed": grad @ W if k_in == k_out else None})
            g.compare("dW", case, getattr(layer, "dW", None), ref.dW, dtype=dtype, n=n)
            g.compare("db", case, as_shape(getattr(layer, "db", None), ref.db.shape), ref.db, dtype=dtype, n=n,
                      variants={"missing_sum": missing_sum(getattr(layer, "db", None), grad)})
            if dtype == np.float64:
                _dense_gradcheck(g, cls, W, b, x, rng, case, n)
        except StudentError:
            continue
    g.inputs_unchanged()


def _dense_gradcheck(g: Grader, cls, W, b, x, rng, case, n) -> None:
    """dL/dx, dW, db of L = sum(forward(x) · R) against central differences through the
    student's own forward pass (perturbing x, W and b in place)."""
    layer = cls(W.copy(), b.copy())
    x = x.copy()
    r = rng.standard_normal((x.shape[0], W.shape[1]))
    with np.errstate(all="ignore"):
        layer.forward(x.copy())
        dx = layer.backward(r.copy())
    grads = {"dL/dx": (dx, x), "dW": (getattr(layer, "dW", None), layer.W), "db": (getattr(layer, "db", None), layer.b)}

    def f():
        return float(np.sum(np.asarray(layer.forward(x.copy())) * r))

    for name, (analytic, arr) in grads.items():
        if not isinstance(arr, np.ndarray):
            continue
        g.gradcheck(name, case, as_shape(analytic, arr.shape), f, arr, n=n)


# -- 5. ReLU ------------------------------------------------------------------------------------------
def check_relu(student, g: Grader) -> None:
    relu, back = lookup(student, "relu"), lookup(student, "relu_backward")
    for seed, shape, dtype in [(1, (1, 4), np.float64), (2, (5, 3), np.float32), (3, (7, 5), np.float64)]:
        rng = np.random.default_rng(seed)
        z = _f(rng.normal(size=shape), dtype)
        grad = _f(rng.normal(size=shape), dtype)
        case = case_label(dtype, z=shape)
        layer = ReLU()
        want = layer.forward(z)
        want_dz = layer.backward(grad)
        try:
            out = g.call(relu, "relu", {"z": z.copy()}, case)
            g.compare("relu(z)", case, out, want, dtype=dtype)
            dz = g.call(back, "relu_backward", {"grad": grad.copy(), "z": z.copy()}, case)
            g.compare("relu_backward(grad, z)", case, dz, want_dz, dtype=dtype,
                      variants={"mask_only": (z > 0).astype(dtype), "sign": -want_dz})
            if dtype == np.float64:
                zz = z.copy()
                r = rng.standard_normal(shape)
                analytic = back(r.copy(), zz.copy())
                g.gradcheck("relu_backward", case, analytic,
                            lambda zz=zz, r=r: float(np.sum(np.asarray(relu(zz.copy())) * r)), zz)
        except StudentError:
            continue
    # the in-place trap, made visible: z[z < 0] = 0 on the caller's array
    z = np.random.default_rng(4).normal(size=(3, 3))
    try:
        g.call(relu, "relu", {"z": z}, case_label(np.float64, z=(3, 3)))
        g.call(back, "relu_backward", {"grad": np.ones((3, 3)), "z": z}, case_label(np.float64, z=(3, 3)))
    except StudentError:
        pass
    g.inputs_unchanged()


# -- 6. binary cross-entropy -----------------------------------------------------------------------------
EPS = 1e-10


def check_bce(student, g: Grader) -> None:
    bce, grad_fn = lookup(student, "bce"), lookup(student, "bce_grad")
    cases = [(1, 1, np.float64, False), (2, 5, np.float32, False), (3, 7, np.float64, False), (4, 6, np.float64, True)]
    for seed, n, dtype, edge in cases:
        rng = np.random.default_rng(seed)
        p = _f(rng.uniform(0.05, 0.95, (n, 1)), dtype)
        y = _f(rng.integers(0, 2, (n, 1)), dtype)
        if edge:  # confidently wrong and confidently right outputs: exactly 0 and 1
            p[:4, 0] = [0.0, 1.0, 0.0, 1.0]
            y[:4, 0] = [1.0, 0.0, 0.0, 1.0]
        case = case_label(dtype, p=(n, 1)) + (" · p ∈ {0, 1}" if edge else "")
        loss = BinaryCrossEntropy(eps=EPS)
        want = loss.forward(p, y)
        want_grad = loss.backward()
        try:
            value = g.call(bce, "bce", {"p": p.copy(), "y": y.copy()}, case)
            g.compare("bce(p, y)", case, _scalar(value), [want], dtype=dtype, n=n, nonfinite="nan_log",
                      variants={"loss_sum": [n * want]})
            dp = g.call(grad_fn, "bce_grad", {"p": p.copy(), "y": y.copy()}, case)
            # at the clip edges only finiteness is asked: the numerator may use p or the clipped p
            if edge and dp is not None:
                inner = slice(4, None)
                try:
                    finite = bool(np.all(np.isfinite(np.asarray(dp, dtype=float))))
                except (TypeError, ValueError):
                    finite = False
                label = Msg(N_("{output} is finite where p is 0 or 1 ({case})"), {"output": "bce_grad", "case": case})
                if finite:
                    g.add(label, True)
                else:
                    g.add(label, False, Msg(N_("got NaN or infinity")), "nan_log")
                    continue
                dp = np.asarray(dp, dtype=float)
                if dp.shape == want_grad.shape:
                    g.compare("bce_grad(p, y)", case, dp[inner], want_grad[inner], dtype=dtype, n=n)
                else:
                    g.compare("bce_grad(p, y)", case, dp, want_grad, dtype=dtype, n=n)
            else:
                g.compare("bce_grad(p, y)", case, dp, want_grad, dtype=dtype, n=n, nonfinite="nan_log")
            if dtype == np.float64 and not edge:
                pp = p.copy()
                g.gradcheck("bce_grad", case, grad_fn(pp.copy(), y.copy()),
                            lambda pp=pp, y=y: float(np.sum(bce(pp.copy(), y.copy()))), pp, n=n)
        except StudentError:
            continue
    g.inputs_unchanged()


def _scalar(value):
    if value is None:
        return None
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return value
    return arr.reshape(1) if arr.size == 1 else arr


# -- 7. softmax + cross-entropy, fused ---------------------------------------------------------------------
def check_softmax_ce(student, g: Grader) -> None:
    sm, grad_fn = lookup(student, "softmax"), lookup(student, "softmax_ce_grad")
    cases = [(1, 1, 3, np.float64, 1.0), (2, 5, 4, np.float32, 1.0), (3, 7, 10, np.float64, 1.0),
             (4, 3, 5, np.float64, 1000.0)]
    for seed, n, k, dtype, scale in cases:
        rng = np.random.default_rng(seed)
        z = _f(rng.normal(size=(n, k)) * 3 + scale if scale > 1 else rng.normal(size=(n, k)), dtype)
        labels = rng.integers(0, k, n)
        y = np.zeros((n, k), dtype)
        y[np.arange(n), labels] = 1
        case = case_label(dtype, z=(n, k)) + (" · large logits" if scale > 1 else "")
        s = softmax(z)
        loss = SoftmaxCrossEntropy()
        loss.forward(z, y)
        want = loss.backward()
        try:
            got_s = g.call(sm, "softmax", {"z": z.copy()}, case)
            g.compare("softmax(z)", case, got_s, s, dtype=dtype, nonfinite="overflow",
                      variants={"axis": _columns_sum_to_one(got_s, n)})
            got = g.call(grad_fn, "softmax_ce_grad", {"z": z.copy(), "y": y.copy()}, case)
            with np.errstate(all="ignore"):
                diagonal = s * (1 - s) * (-y / s) / n
            g.compare("softmax_ce_grad(z, y)", case, got, want, dtype=dtype, n=n, nonfinite="overflow",
                      variants={"diagonal_softmax": diagonal})
            if dtype == np.float64 and scale == 1.0:
                zz = z.copy()
                g.gradcheck("softmax_ce_grad", case, grad_fn(zz.copy(), y.copy()),
                            lambda zz=zz, y=y: SoftmaxCrossEntropy().value(zz, y), zz, n=n)
        except StudentError:
            continue
    g.inputs_unchanged()


def _columns_sum_to_one(got, n: int):
    """``got`` itself when its columns, not its rows, sum to 1 (softmax over axis 0)."""
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if n > 1 and arr.ndim == 2 and np.allclose(arr.sum(axis=0), 1) and not np.allclose(arr.sum(axis=1), 1):
        return arr
    return None


# -- 8. SGD with momentum ------------------------------------------------------------------------------------
STEPS = 3


def _optimizer_cases():
    return [(1, (1, 1), np.float64), (2, (4, 5), np.float32), (3, (3,), np.float64)]


def check_momentum(student, g: Grader) -> None:
    step = lookup(student, "momentum_step")
    lr, mu = 0.1, 0.9
    for seed, shape, dtype in _optimizer_cases():
        rng = np.random.default_rng(seed)
        p = _f(rng.normal(size=shape), dtype)
        grads = [_f(rng.normal(size=shape), dtype) for _ in range(STEPS)]
        g_buf = np.zeros_like(p)
        ref_p = p.copy()
        opt = SGD([(ref_p, g_buf)], lr=lr, momentum=mu)
        for t, gt in enumerate(grads, start=1):
            case = case_label(dtype, p=shape) + f" · step {t}"
            p_before, v_before = ref_p.copy(), opt.velocity[0].copy()
            g_buf[...] = gt
            opt.step()
            try:
                out = g.call(step, "momentum_step", {"p": p_before.copy(), "g": gt.copy(), "v": v_before.copy(),
                                                     "lr": lr, "momentum": mu}, case)
                try:
                    p_new, v_new = _pair(out, "momentum_step", "(p, v)")
                except ValueError as err:
                    g.add(Msg(N_("momentum_step returns (p, v)")), False, Msg(N_("{message}"), {"message": str(err)}))
                    break
                v_ref = opt.velocity[0]
                g.compare("v", case, v_new, v_ref, dtype=dtype,
                          variants={"momentum_form": mu * v_before + lr * gt})
                g.compare("p", case, p_new, ref_p, dtype=dtype, variants={"sign": p_before + lr * v_ref})
            except StudentError:
                break
    g.inputs_unchanged()


# -- 9. Adam ----------------------------------------------------------------------------------------------------
def check_adam(student, g: Grader) -> None:
    step = lookup(student, "adam_step")
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    for seed, shape, dtype in _optimizer_cases():
        rng = np.random.default_rng(seed)
        p = _f(rng.normal(size=shape), dtype)
        grads = [_f(rng.normal(size=shape), dtype) for _ in range(STEPS)]
        g_buf = np.zeros_like(p)
        ref_p = p.copy()
        opt = Adam([(ref_p, g_buf)], lr=lr, beta1=b1, beta2=b2, eps=eps)
        for t, gt in enumerate(grads, start=1):
            case = case_label(dtype, p=shape) + f" · t = {t}"
            p_before, m_before, v_before = ref_p.copy(), opt.m[0].copy(), opt.v[0].copy()
            g_buf[...] = gt
            opt.step()
            m_ref, v_ref = opt.m[0], opt.v[0]
            try:
                out = g.call(step, "adam_step", {"p": p_before.copy(), "g": gt.copy(), "m": m_before.copy(),
                                                 "v": v_before.copy(), "t": t, "lr": lr, "beta1": b1, "beta2": b2,
                                                 "eps": eps}, case)
                try:
                    p_new, m_new, v_new = _triple(out, "adam_step", "(p, m, v)")
                except ValueError as err:
                    g.add(Msg(N_("adam_step returns (p, m, v)")), False, Msg(N_("{message}"), {"message": str(err)}))
                    break
                g.compare("m", case, m_new, m_ref, dtype=dtype)
                g.compare("v", case, v_new, v_ref, dtype=dtype)
                m_hat, v_hat = m_ref / (1 - b1**t), v_ref / (1 - b2**t)
                uncorrected = [p_before - lr * mm / (np.sqrt(vv) + eps)  # neither, only v, only m corrected
                               for mm, vv in [(m_ref, v_ref), (m_ref, v_hat), (m_hat, v_ref)]]
                got_p = p_new
                no_correction = next((u for u in uncorrected if close(got_p, u, dtype)), None)
                g.compare("p", case, p_new, ref_p, dtype=dtype, variants={
                    "no_bias_correction": no_correction, "sign": p_before + (p_before - ref_p)})
            except StudentError:
                break
    g.inputs_unchanged()
