"""Looking inside a trained network: the loss landscape around its weights, and the data plane as a
hidden layer sees it.

Loss landscape (Li, Xu, Taylor, Studer, Goldstein 2018, "Visualizing the Loss Landscape of Neural
Nets", NeurIPS, section 4): pick two random directions δ, η in weight space, *filter-normalised*: for
every unit j of every Dense layer, the direction's incoming weights (column j of W) are rescaled to the
norm of the unit's own weights, ``d_j ← d_j / ‖d_j‖ · ‖W_j‖``; bias directions are zero (the paper sets
the directions of biases and batch-norm parameters to zero). Then evaluate
``f(α, β) = L(θ + α δ + β η)`` on a grid. Without the normalisation a net with large weights looks flat
and one with small weights looks sharp, whatever their real geometry.

A training path θ₀, θ₁, … is drawn on the same map by projecting ``θ_t − θ`` onto span(δ, η) (least
squares, since δ and η are not exactly orthogonal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ._checks import RandomSource, as_rng, check_positive_int
from .activations import Activation
from .layers import Dense
from .losses import Loss
from .model import Sequential

Directions = dict[str, np.ndarray]


def random_directions(model: Sequential, rng: RandomSource = None) -> tuple[Directions, Directions]:
    """Two filter-normalised random directions with the keys and shapes of ``model.params()``.

    Each is float64; a Dense layer's ``W`` direction has every column (one unit's incoming weights)
    of the same norm as that column of ``W``; every ``b`` direction is zero."""
    r = as_rng(rng)
    return _direction(model, r), _direction(model, r)


def _direction(model: Sequential, r: np.random.Generator) -> Directions:
    out = {}
    for key, p in model.params().items():
        if key.endswith(".W"):
            d = r.standard_normal(p.shape)
            d *= np.linalg.norm(p, axis=0, keepdims=True) / np.maximum(np.linalg.norm(d, axis=0, keepdims=True),
                                                                      1e-12)
            out[key] = d
        else:
            out[key] = np.zeros(p.shape)
    return out


def flatten(params: dict[str, np.ndarray]) -> np.ndarray:
    """Every array of a ``params()``-like dict as one float64 vector (keys in dict order)."""
    return np.concatenate([np.ravel(v).astype(np.float64) for v in params.values()])


def loss_surface(model: Sequential, loss: Loss, x, y, directions: tuple[Directions, Directions],
                 alphas: Iterable[float], betas: Iterable[float], *,
                 transform: Callable[[np.ndarray], np.ndarray] | None = None,
                 progress: Callable[[float], None] | None = None) -> np.ndarray:
    """``L(θ + α δ + β η)`` for every ``β`` (rows) and ``α`` (columns): shape (len(betas), len(alphas)).

    The model's weights are changed while it runs and restored exactly at the end (also on error).
    ``progress(fraction)`` is called after each row. At α = β = 0 the value is the model's loss on
    (x, y) with its current weights."""
    alphas, betas = np.asarray(list(alphas), float), np.asarray(list(betas), float)
    if alphas.ndim != 1 or betas.ndim != 1 or not len(alphas) or not len(betas):
        raise ValueError(f"alphas and betas must be non-empty 1-D sequences, got {alphas.shape} and {betas.shape}")
    if len(alphas) * len(betas) > 10_000:
        raise ValueError(f"the grid has {len(alphas) * len(betas)} points; at most 10000")
    d1, d2 = directions
    params = model.params()
    for d in (d1, d2):
        if set(d) != set(params) or any(d[k].shape != params[k].shape for k in params):
            raise ValueError("directions must have the keys and shapes of model.params(); "
                             "make them with random_directions(model)")
    saved = {k: p.copy() for k, p in params.items()}
    out = np.empty((len(betas), len(alphas)))
    try:
        for i, beta in enumerate(betas):
            for j, alpha in enumerate(alphas):
                for k, p in params.items():
                    p[...] = saved[k] + alpha * d1[k] + beta * d2[k]
                out[i, j] = loss.value(model.predict(x, transform=transform), y)
            if progress is not None:
                progress((i + 1) / len(betas))
    finally:
        for k, p in params.items():
            p[...] = saved[k]
    return out


def project_path(path: Iterable[dict[str, np.ndarray]], center: dict[str, np.ndarray],
                 directions: tuple[Directions, Directions]) -> np.ndarray:
    """Coordinates (α, β), shape (n, 2), of weight snapshots ``path`` projected onto the plane
    through ``center`` spanned by the two directions (least squares)."""
    basis = np.stack([flatten(directions[0]), flatten(directions[1])], axis=1)  # (P, 2)
    c = flatten(center)
    rows = [np.linalg.lstsq(basis, flatten(p) - c, rcond=None)[0] for p in path]
    return np.array(rows).reshape(-1, 2)


# -- what a hidden layer sees ---------------------------------------------------------------------

def hidden_layers(model: Sequential) -> list[int]:
    """Indices of the layers whose outputs are hidden representations: every activation layer that
    is followed by another Dense layer."""
    dense_after = [any(isinstance(m, Dense) for m in model.layers[i + 1:]) for i in range(len(model.layers))]
    return [i for i, layer in enumerate(model.layers) if isinstance(layer, Activation) and dense_after[i]]


def layer_output(model: Sequential, x, layer: int, *, transform=None) -> np.ndarray:
    """The output of ``model.layers[layer]`` for inputs ``x`` (shape (n, width)), without caching."""
    if not 0 <= layer < len(model.layers):
        raise ValueError(f"layer must be in 0…{len(model.layers) - 1}, got {layer}")
    h = np.asarray(x, dtype=model.dtype)
    if transform is not None:
        h = transform(h)
    for m in model.layers[:layer + 1]:
        h = m.forward(h, train=False)
    return h


def pca_basis(h: np.ndarray, k: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Mean (width,) and the first ``k`` principal axes (width, k) of the rows of ``h`` (NumPy SVD).
    A layer narrower than ``k`` gets zero columns for the missing axes."""
    k = check_positive_int("k", k)
    h = np.asarray(h, dtype=np.float64)
    mean = h.mean(axis=0)
    _, _, vt = np.linalg.svd(h - mean, full_matrices=False)
    axes = np.zeros((h.shape[1], k))
    n = min(k, vt.shape[0])
    axes[:, :n] = vt[:n].T
    # a fixed sign per axis, so the picture does not flip from one tick to the next
    signs = np.sign(axes[np.argmax(np.abs(axes), axis=0), np.arange(k)])
    return mean, axes * np.where(signs == 0, 1, signs)


def decision_line(model: Sequential, layer: int, mean: np.ndarray, axes: np.ndarray) -> tuple[float, float, float]:
    """The output unit's zero level, ``a·u + c·v + d = 0``, in the plane ``mean + u·axes[:,0] + v·axes[:,1]``
    of hidden layer ``layer``: (a, c, d). Exact when only Dense(width→1) follows ``layer`` before the
    output activation, since then the output's logit is linear in the layer's values; raises a
    ValueError otherwise."""
    rest = model.layers[layer + 1:]
    dense = [m for m in rest if isinstance(m, Dense)]
    if len(dense) != 1 or dense[0].out_features != 1 or not isinstance(rest[0], Dense):
        raise ValueError("a straight decision line exists only in the last hidden layer of a net with one output")
    w, b = dense[0].W[:, 0].astype(float), float(dense[0].b[0]) if dense[0].b is not None else 0.0
    return float(w @ axes[:, 0]), float(w @ axes[:, 1]), float(w @ mean + b)
