"""The MNIST lesson's settings → nnlib objects, plus where the app runs (uploaded digits: ui.digit_upload).

Plain Python (no Streamlit), so tests build exactly what the page trains. The post's run
(post 001) is the default: 784-100-200-10, ReLU, ReLU, softmax, W = randn·0.1 drawn in
layer order from ``RandomState(seed)``, the same stream shuffling every epoch, batch 512
with the last partial batch dropped, lr 0.1, 20 epochs.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

import nnlib
from nnlib.mnist import to_float

from .i18n import N_, _

# -- the post's printed numbers (post 001, recomputed with its code on the real MNIST) ---------
POST_TRAIN_LOSSES = (  # "[k] train_loss: ..." after each of the 20 epochs (full pass, one-hot CE)
    0.41900695764324003, 0.32841351730431445, 0.28469834647736436, 0.2472436575904893,
    0.2238040783638741, 0.2064766890869934, 0.18788879900726665, 0.18239761839564864,
    0.1632899771929538, 0.1534925609936448, 0.14647234566527104, 0.14002885367460152,
    0.1305398540221366, 0.12422088380877823, 0.11884933890719969, 0.1151885636595044,
    0.10738619489117324, 0.1037703651472939, 0.09902387780023811, 0.0971087026489792,
)
POST_TEST_CE = 0.11808091754439508
POST_TEST_ACCURACY = 0.9645
POST_EPOCHS = 20

FULL_TRAIN = 60000
HOSTED_SUBSET = 10000  # the training-subset default on Streamlit Community Cloud
# ... and its precision: with 10,000 images the post's digits are not replayed anyway, and float32 epochs take
# half the time of float64 ones, which a server shared by a class needs (benchmarks/class_load.py)
HOSTED_PRECISION = "float32"
SKLEARN_MAX = {False: 20000, True: 10000}  # baseline fit size cap (local, hosted): < ~20 s


@dataclass(frozen=True)
class Settings:
    """Everything that decides what the page trains. ``gradient="post"`` is post 001's own
    code: ``DiagonalSoftmax`` + ``PostCrossEntropy`` on one-hot labels, with a full pass over
    the training set after every epoch (what the post prints)."""

    sizes: tuple[int, ...] = (100, 200)
    activation: str = "relu"
    lr: float = 0.1
    batch_size: int = 512
    epochs: int = 20
    optimizer: str = "sgd"
    subset: int = FULL_TRAIN
    scale: float = 0.1
    precision: str = "float64"
    gradient: str = "fused"  # "fused": softmax + cross-entropy, (s - y)/n; "post": the post's
    full_pass: bool = True  # the post prints the full-pass train loss; compare digit for digit
    seed: int = 0

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(self.precision)

    @property
    def post_gradient(self) -> bool:
        return self.gradient == "post"

    @property
    def eval_train(self) -> bool:
        return self.full_pass or self.post_gradient

    @property
    def architecture(self) -> str:
        return "-".join(map(str, (784, *self.sizes, 10)))

    def signature(self) -> tuple:
        """What makes a fresh model: everything but the learning rate and the epoch target."""
        d = asdict(self)
        return tuple((k, d[k]) for k in sorted(d) if k not in ("lr", "epochs"))

    def label(self) -> str:
        grad = _("post's gradient") if self.post_gradient else _("correct gradient")
        n = f"{self.subset // 1000}k" if self.subset % 1000 == 0 else str(self.subset)
        # every setting that changes the curve, so a pinned run can be named by what differs
        return (f"{grad} · {self.architecture} {self.activation} · {self.optimizer} lr={self.lr:g} · {n} · "
                f"batch {self.batch_size} · σ={self.scale:g} · {self.precision} · seed {self.seed}")


POST = Settings()


def differences_from_post(s: Settings) -> list[str]:
    """Plain-words list of the settings that differ from the post's run (empty: same run).
    The gradient is not listed: in float64 both gradients give the post's numbers."""
    out = []
    for name, text in [("sizes", N_("hidden sizes")), ("activation", N_("activation")), ("lr", N_("learning rate")),
                       ("batch_size", N_("batch size")), ("optimizer", N_("optimizer")),
                       ("subset", N_("training subset")), ("scale", N_("weight scale")),
                       ("precision", N_("precision")), ("seed", N_("seed"))]:
        if getattr(s, name) != getattr(POST, name):
            out.append(_("{setting} {value} (post: {post})", setting=_(text), value=getattr(s, name),
                         post=getattr(POST, name)))
    return out


# -- nnlib objects ----------------------------------------------------------------------------
def build(s: Settings) -> tuple[nnlib.Sequential, nnlib.Loss, np.random.RandomState]:
    """The network, its loss and the random stream that drew its weights (train() shuffles
    with the same stream, as the post's global ``np.random`` does)."""
    rng = np.random.RandomState(s.seed)
    layers, width = [], 784
    for size in s.sizes:
        layers += [nnlib.Dense(width, size, init="normal", scale=s.scale, rng=rng, dtype=s.dtype),
                   nnlib.get_activation(s.activation)]
        width = size
    layers.append(nnlib.Dense(width, 10, init="normal", scale=s.scale, rng=rng, dtype=s.dtype))
    if s.post_gradient:
        return nnlib.Sequential(*layers, nnlib.DiagonalSoftmax()), nnlib.PostCrossEntropy(), rng
    return nnlib.Sequential(*layers, nnlib.Softmax()), nnlib.CrossEntropy(), rng


def transform(s: Settings):
    """uint8 pixels -> floats in [0, 1], applied per batch (never to the whole set)."""
    return functools.partial(to_float, dtype=s.dtype)


def one_hot(labels: np.ndarray) -> np.ndarray:
    """float64 one-hot rows, as the post's ``pd.get_dummies(y).values`` (read-only)."""
    out = np.eye(10)[np.asarray(labels)]
    out.flags.writeable = False
    return out


def targets(s: Settings, labels: np.ndarray) -> np.ndarray:
    """Integer labels for the fused loss; the post's one-hot float64 rows for its own loss."""
    return one_hot(labels) if s.post_gradient else labels


def train_kwargs(s: Settings, rng, x_test: np.ndarray, y_test: np.ndarray) -> dict:
    """``nnlib.train`` keyword arguments; ``y_test`` as returned by ``targets``."""
    return dict(batch_size=s.batch_size, rng=rng, drop_last=True, validation=(x_test, y_test),
                eval_train=s.eval_train, transform=transform(s))


# -- where the app runs -------------------------------------------------------------------------
CLOUD_DIR = "/mount/src"  # Streamlit Community Cloud clones the app's repository here


def is_hosted(environ: Mapping[str, str] | None = None, cloud_dir: str = CLOUD_DIR) -> bool:
    """True on a shared server (Streamlit Community Cloud).

    ``NNLIB_HOSTED=1`` (or ``0``) in the environment decides; on the Cloud, put
    ``NNLIB_HOSTED = "1"`` in the app's *Secrets* (Streamlit copies root-level secrets into
    the environment). Without it, the Cloud is recognised by its checkout folder
    ``/mount/src``."""
    environ = os.environ if environ is None else environ
    flag = environ.get("NNLIB_HOSTED", "").strip().lower()
    if flag in {"1", "true", "yes", "on"}:
        return True
    if flag in {"0", "false", "no", "off"}:
        return False
    return Path(cloud_dir).is_dir()


def limit_blas_threads(n: int = 1) -> bool:
    """Cap NumPy's BLAS threads for the whole process (one visitor's training must not take
    every core of a shared server). Returns False when threadpoolctl is missing."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return False
    threadpool_limits(limits=n, user_api="blas")
    return True


# -- scikit-learn baseline --------------------------------------------------------------------
BASELINES = {"logistic": N_("Logistic regression (no hidden layer)"),  # shown as _(BASELINES[kind])
             "mlp": N_("MLPClassifier (same hidden sizes)")}


def sklearn_baseline(kind: str, x: np.ndarray, y: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
                     s: Settings, max_train: int) -> dict:
    """Fit a scikit-learn model on the first ``max_train`` rows of (uint8) ``x``; return its
    test accuracy, fit time and how many images it saw. The MLP copies our settings where
    scikit-learn has them (sizes, activation, epochs, batch, optimizer, lr, seed)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    n = min(len(x), max_train)
    xf = to_float(x[:n])  # float32, only the capped subset
    if kind == "logistic":
        model = LogisticRegression(max_iter=100)
    elif kind == "mlp":
        act = {"relu": "relu", "leaky_relu": "relu", "tanh": "tanh", "sigmoid": "logistic"}[s.activation]
        solver = "adam" if s.optimizer == "adam" else "sgd"
        model = MLPClassifier(s.sizes, activation=act, solver=solver, learning_rate_init=s.lr,
                              momentum=0.9 if s.optimizer == "momentum" else 0.0, nesterovs_momentum=False,
                              batch_size=min(s.batch_size, n), max_iter=s.epochs, random_state=s.seed)
    else:
        raise ValueError(f"kind must be one of {sorted(BASELINES)}, got {kind!r}")
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(xf, y[:n])
    seconds = time.perf_counter() - start
    pred = np.concatenate([model.predict(to_float(x_test[i:i + 5000])) for i in range(0, len(x_test), 5000)])
    return {"accuracy": float(np.mean(pred == y_test)), "seconds": seconds, "n": n, "model": BASELINES[kind]}
