"""Feature maps for 2-D inputs, as in TensorFlow Playground's "features" column.

``FeatureMap(["x1", "x2", "x1^2", ...])`` is a fixed, parameter-free transform of points
(n, 2) into (n, k) features, in the order given. Pass it as ``train(..., transform=fm)``
and ``model.predict(points, transform=fm)``: the model's input width is ``len(fm)``, and a
decision-boundary grid goes through the same map as the training points.

Feature names and formulas (x = (x₁, x₂)):

===========  =========  ====================
name         formula    d/dx₁, d/dx₂
===========  =========  ====================
``x1``       x₁         1, 0
``x2``       x₂         0, 1
``x1^2``     x₁²        2x₁, 0
``x2^2``     x₂²        0, 2x₂
``x1x2``     x₁·x₂      x₂, x₁
``sin_x1``   sin x₁     cos x₁, 0
``sin_x2``   sin x₂     0, cos x₂
===========  =========  ====================
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

FEATURES = {
    "x1": lambda x: x[:, 0],
    "x2": lambda x: x[:, 1],
    "x1^2": lambda x: x[:, 0] ** 2,
    "x2^2": lambda x: x[:, 1] ** 2,
    "x1x2": lambda x: x[:, 0] * x[:, 1],
    "sin_x1": lambda x: np.sin(x[:, 0]),
    "sin_x2": lambda x: np.sin(x[:, 1]),
}
# The Jacobian rows d feature / d(x₁, x₂), for a gradient check of the map itself.
_JACOBIAN = {
    "x1": lambda x: (np.ones(len(x)), np.zeros(len(x))),
    "x2": lambda x: (np.zeros(len(x)), np.ones(len(x))),
    "x1^2": lambda x: (2 * x[:, 0], np.zeros(len(x))),
    "x2^2": lambda x: (np.zeros(len(x)), 2 * x[:, 1]),
    "x1x2": lambda x: (x[:, 1], x[:, 0]),
    "sin_x1": lambda x: (np.cos(x[:, 0]), np.zeros(len(x))),
    "sin_x2": lambda x: (np.zeros(len(x)), np.cos(x[:, 1])),
}


class FeatureMap:
    """Points (n, 2) → features (n, k) in float64, columns in the order of ``names``.

    Raises ``ValueError`` for an unknown, repeated or missing name, and for input that is
    not (n, 2)."""

    def __init__(self, names: Iterable[str] = ("x1", "x2")):
        self.names = tuple(names)
        if not self.names:
            raise ValueError("names must list at least one feature, got none")
        unknown = [n for n in self.names if n not in FEATURES]
        if unknown:
            raise ValueError(f"names must be features out of {list(FEATURES)}, got {unknown[0]!r}")
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"names must not repeat a feature, got {list(self.names)}")

    def __call__(self, x) -> np.ndarray:
        x = _points(x)
        return np.column_stack([FEATURES[n](x) for n in self.names])

    def jacobian(self, x) -> np.ndarray:
        """d features / d x at each point: shape (n, k, 2)."""
        x = _points(x)
        return np.stack([np.column_stack(_JACOBIAN[n](x)) for n in self.names], axis=1)

    def __len__(self) -> int:
        return len(self.names)

    def __eq__(self, other) -> bool:
        return isinstance(other, FeatureMap) and other.names == self.names

    def __hash__(self) -> int:
        return hash(self.names)

    def config(self) -> dict:
        """JSON-serialisable; ``FeatureMap.from_config`` rebuilds it (to keep in a saved model's meta)."""
        return {"type": "FeatureMap", "names": list(self.names)}

    @classmethod
    def from_config(cls, cfg: dict) -> FeatureMap:
        if not isinstance(cfg, dict) or cfg.get("type") != "FeatureMap" or not isinstance(cfg.get("names"), list):
            raise ValueError(f"a feature-map config must be {{'type': 'FeatureMap', 'names': [...]}}, got {cfg!r:.100}")
        return cls(cfg["names"])

    def __repr__(self) -> str:
        return f"FeatureMap({list(self.names)})"


def _points(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x must be 2-D points of shape (n, 2), got shape {x.shape}")
    return x
