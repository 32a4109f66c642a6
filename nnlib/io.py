"""Save a trained ``Sequential`` to one ``.npz`` file and load it back — without pickle.

The file holds ``nnlib_format`` (a version string), ``architecture`` (the layers' configs
as JSON text), optional ``meta`` (JSON text: whatever the caller wants to keep, e.g. which
lesson trained it) and one array per parameter (``"0.W"``, ``"0.b"``, ...). ``load`` reads
it with ``allow_pickle=False`` and checks every name and shape, so a file that is not ours
or does not match its architecture gives a clear ``ValueError``.
"""

from __future__ import annotations

import io as _io
import json
import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import DTypeLike

from .activations import ACTIVATIONS, LeakyReLU
from .layers import Dense, Dropout, Layer
from .legacy import DiagonalSoftmax
from .model import Sequential

FORMAT = "nnlib.Sequential/1"
LAYER_TYPES: dict[str, type] = {cls.__name__: cls for cls in (*ACTIVATIONS.values(), DiagonalSoftmax)}


def layer_from_config(cfg: dict) -> Layer:
    """Rebuild one layer (weights zeroed) from ``Layer.config()``."""
    if not isinstance(cfg, dict) or "type" not in cfg:
        raise ValueError(f"a layer config must be a dict with a 'type', got {cfg!r}")
    kind = cfg["type"]
    if not isinstance(kind, str):
        raise ValueError(f"a layer's 'type' must be a string, got {kind!r}")
    if kind == "Dense":
        missing = {"in_features", "out_features"} - set(cfg)
        if missing:
            raise ValueError(f"a Dense layer config needs {sorted(missing)}, got {cfg!r}")
        return Dense(cfg["in_features"], cfg["out_features"], bias=cfg.get("bias", True),
                     init="zeros", dtype=cfg.get("dtype", "float64"))
    if kind == "LeakyReLU":
        return LeakyReLU(cfg.get("alpha", 0.01))
    if kind == "Dropout":  # a fresh, unseeded mask source: dropout draws only while training
        return Dropout(cfg.get("rate", 0.5))
    if kind not in LAYER_TYPES:
        raise ValueError(f"unknown layer type {kind!r}; known: {sorted(LAYER_TYPES) + ['Dropout', 'Dense']}")
    return LAYER_TYPES[kind]()


def from_config(config: list[dict]) -> Sequential:
    if not isinstance(config, list) or not config:
        raise ValueError(f"architecture must be a non-empty list of layer configs, got {config!r}")
    return Sequential(*[layer_from_config(c) for c in config])


def copy_layer(layer: Layer, dtype: DTypeLike | None = None) -> Layer:
    """A copy of ``layer`` rebuilt from its config (its weights converted to ``dtype`` if given)."""
    config = layer.config()
    if dtype is not None and config["type"] == "Dense":
        config["dtype"] = np.dtype(dtype).name
    clone = layer_from_config(config)
    for name, p in clone.params().items():
        p[...] = layer.params()[name]
    return clone


def copy_model(model: Sequential, dtype: DTypeLike | None = None) -> Sequential:
    """A deep copy of ``model`` (optionally converted to float32/float64)."""
    return Sequential(*[copy_layer(layer, dtype) for layer in model.layers])


def save(model: Sequential, file: str | Path | BinaryIO, meta: dict | None = None) -> None:
    """Write ``model`` (architecture + weights, and ``meta``) to ``file`` (a path or a
    writable binary file object such as ``io.BytesIO``)."""
    arrays = {
        "nnlib_format": np.array(FORMAT),
        "architecture": np.array(json.dumps(model.config())),
        "meta": np.array(json.dumps(meta or {})),
    }
    arrays.update(model.params())
    if isinstance(file, (str, Path)) and not str(file).endswith(".npz"):
        file = f"{file}.npz"
    np.savez(file, **arrays)


def load(file: str | Path | bytes | BinaryIO, *, return_meta: bool = False,
         ) -> Sequential | tuple[Sequential, dict]:
    """Read a model written by ``save`` (a path, bytes, or a binary file object).

    Raises ``ValueError`` naming what is wrong when the file is not an nnlib model, is
    damaged, or its weights do not match its architecture."""
    if isinstance(file, (bytes, bytearray)):
        file = _io.BytesIO(file)
    name = str(file) if isinstance(file, (str, Path)) else getattr(file, "name", "the uploaded file")
    try:
        loaded = np.load(file, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):  # a single .npy array
            raise ValueError("it holds one array, not an .npz archive")
        with loaded as npz:
            data = {k: npz[k] for k in npz.files}
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as err:
        if isinstance(err, FileNotFoundError):
            raise
        # np.load takes anything that is neither a zip nor an .npy for a pickle, which it refuses
        why = "it is not a NumPy .npz archive" if "pickled" in str(err) else str(err)
        raise ValueError(f"{name} is not a readable .npz model file ({why})") from err
    if "nnlib_format" not in data:
        raise ValueError(f"{name} is not an nnlib model: it has no 'nnlib_format' entry")
    fmt = str(data.pop("nnlib_format"))
    if fmt != FORMAT:
        raise ValueError(f"{name} has format {fmt!r}; this nnlib reads {FORMAT!r}")
    config = _json_entry(data, "architecture", name, None)
    meta = _json_entry(data, "meta", name, {})
    _check_dense_shapes(config, data, name)  # before allocating: a tiny file may claim huge layers
    model = from_config(config)
    expected = model.params()
    if set(data) != set(expected):
        raise ValueError(f"{name} does not match its architecture: expected arrays "
                         f"{sorted(expected)}, found {sorted(data)}")
    for key, p in expected.items():
        if data[key].shape != p.shape or data[key].dtype.kind != "f":
            raise ValueError(f"{name}: array {key!r} has shape {data[key].shape} and dtype "
                             f"{data[key].dtype}, expected {p.shape} floats")
        if not np.isfinite(data[key]).all():
            raise ValueError(f"{name}: array {key!r} contains NaN/inf")
        p[...] = data[key]
    return (model, meta) if return_meta else model


def _json_entry(data: dict, key: str, name: str, default):
    if key not in data:
        if default is None:
            raise ValueError(f"{name} has no {key!r} entry")
        return default
    try:
        return json.loads(str(data.pop(key)))
    except json.JSONDecodeError as err:
        raise ValueError(f"{name} has an unreadable {key!r} entry ({err})") from err


def _check_dense_shapes(config, data: dict, name: str) -> None:
    """Each Dense config must match the weight array stored for it."""
    if not isinstance(config, list):
        return  # from_config says what is wrong
    for i, cfg in enumerate(config):
        if not (isinstance(cfg, dict) and cfg.get("type") == "Dense"):
            continue
        w = data.get(f"{i}.W")
        claimed = (cfg.get("in_features"), cfg.get("out_features"))
        if not all(isinstance(d, int) and d >= 1 for d in claimed):
            continue  # from_config says what is wrong
        if w is None or w.shape != claimed:
            found = "no array" if w is None else f"an array of shape {w.shape}"
            raise ValueError(f"{name} does not match its architecture: layer {i} is Dense{claimed} "
                             f"but the file holds {found} for {i}.W")


INFERENCE_SNIPPET = '''"""Run a model saved by nnlib with NumPy alone: python predict.py model.npz"""
import json
import sys

import numpy as np

ACT = {
    "Identity": lambda z: z,
    "Sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "Tanh": np.tanh,
    "ReLU": lambda z: np.maximum(z, 0),
    "LeakyReLU": lambda z, a=0.01: np.where(z > 0, z, a * z),
    "Softmax": lambda z: (lambda e: e / e.sum(axis=1, keepdims=True))(
        np.exp(z - z.max(axis=1, keepdims=True))),
}
ACT["DiagonalSoftmax"] = ACT["Softmax"]
ACT["Dropout"] = lambda z: z  # dropout is the identity at prediction time


def load(path):
    f = np.load(path, allow_pickle=False)  # never unpickle a downloaded file
    layers = json.loads(str(f["architecture"]))
    return [(cfg, {k.split(".")[1]: f[k] for k in f.files if k.startswith(f"{i}.")})
            for i, cfg in enumerate(layers)]


def predict(model, x):
    for cfg, p in model:
        if cfg["type"] == "Dense":
            x = x @ p["W"] + p.get("b", 0)
        elif cfg["type"] == "LeakyReLU":
            x = ACT["LeakyReLU"](x, cfg["alpha"])
        else:
            x = ACT[cfg["type"]](x)
    return x


if __name__ == "__main__":
    model = load(sys.argv[1])
    n_in = model[0][0]["in_features"]
    x = np.random.default_rng(0).random((3, n_in))  # replace with your own inputs
    print(predict(model, x))
'''
