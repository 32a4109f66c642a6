"""Save a trained ``Sequential`` to one ``.npz`` file and load it back — without pickle.

The file holds ``nnlib_format`` (a version string), ``architecture`` (the layers' configs
as JSON text), optional ``meta`` (JSON text: whatever the caller wants to keep, e.g. which
lesson trained it) and one array per parameter (``"0.W"``, ``"0.b"``, ...). ``load`` never
unpickles, and checks every name, declared size and ``.npy`` header before reading any weight
(``nnlib._npz``), so a file that is not ours, does not match its architecture, or would
inflate to gigabytes gives a clear ``ValueError`` at the cost of reading its directory.
"""

from __future__ import annotations

import io as _io
import json
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import DTypeLike

from ._checks import check_float_dtype
from ._npz import SafeNpz
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


MAX_MODEL_BYTES = 2**28
"""``load``'s default cap on a model's weights (268 MB: 33 million float64 parameters)."""
MAX_LAYERS = 1000  # layers in one architecture (each is built to check it)
_TEXT_LIMITS = {"nnlib_format": 2**10, "architecture": 2**20, "meta": 2**20}  # bytes of each text entry


def load(file: str | Path | bytes | BinaryIO, *, return_meta: bool = False, name: str | None = None,
         max_bytes: int = MAX_MODEL_BYTES) -> Sequential | tuple[Sequential, dict]:
    """Read a model written by ``save`` (a path, bytes, or a binary file object).

    The file is checked before any weight is read (see ``nnlib._npz``): its member names
    against its architecture, each member's declared size, each ``.npy`` header's shape and
    dtype against the architecture, and the total against ``max_bytes`` (bytes of weights,
    default ``MAX_MODEL_BYTES``). So a file that inflates to gigabytes, or claims a huge shape
    in a header, is refused at the cost of reading its zip directory. Never unpickles.
    ``name`` is how error messages call the file (default: its path or ``.name``).

    Raises ``ValueError`` naming the file and what is wrong when it is not an nnlib model, is
    damaged, is too large, or its weights do not match its architecture;
    ``FileNotFoundError`` for a missing path."""
    with _open(file, name, max_bytes + sum(_TEXT_LIMITS.values())) as npz:  # weights + text entries
        config, meta = _header_entries(npz)
        shapes = _param_shapes(config, npz.name, max_bytes)
        found = set(npz.members) - set(_TEXT_LIMITS)
        for key, shape in shapes.items():  # every header before any weight
            layer = f"layer {key.split('.')[0]} is Dense{shapes[key.split('.')[0] + '.W']}"
            if key not in found:
                if key.endswith(".W"):
                    raise ValueError(f"{npz.name} does not match its architecture: {layer} "
                                     f"but the file holds no array for {key}")
                break  # the set comparison below names it
            got, dtype = npz.header(key)
            if got != shape and key.endswith(".W"):
                raise ValueError(f"{npz.name} does not match its architecture: {layer} "
                                 f"but the file holds an array of shape {got} for {key}")
            if got != shape or dtype.kind != "f":
                raise ValueError(f"{npz.name}: array {key!r} has shape {got} and dtype {dtype}, "
                                 f"expected {shape} floats")
        if found != set(shapes):
            raise ValueError(f"{npz.name} does not match its architecture: expected arrays {sorted(shapes)}, "
                             f"found {_names(found)}")
        model = from_config(config)
        for key, p in model.params().items():
            data = npz.read(key)
            if not np.isfinite(data).all():
                raise ValueError(f"{npz.name}: array {key!r} contains NaN/inf")
            p[...] = data
    return (model, meta) if return_meta else model


def read_config(file: str | Path | bytes | BinaryIO, *, name: str | None = None) -> tuple[list[dict], dict]:
    """``(architecture, meta)`` of a model file, reading none of its weights: a caller can
    compare the architecture with what it expects before paying for the weights. Raises
    ``ValueError`` as ``load`` does for a file that is not an nnlib model."""
    with _open(file, name, sum(_TEXT_LIMITS.values())) as npz:
        config, meta = _header_entries(npz)
    _param_shapes(config, npz.name, None)
    return config, meta


def _open(file, name: str | None, max_bytes: int) -> SafeNpz:
    if isinstance(file, (bytes, bytearray, memoryview)):
        file = _io.BytesIO(file)
    if name is None:
        name = str(file) if isinstance(file, (str, Path)) else getattr(file, "name", None) or "the uploaded file"
    if isinstance(file, (str, Path)) and not Path(file).is_file():
        raise FileNotFoundError(f"no model file at {file}")
    return SafeNpz(file, str(name), max_bytes=max_bytes, kind="model file")


def _header_entries(npz: SafeNpz) -> tuple[list, dict]:
    """The format string (checked), the architecture and the meta of an open model file."""
    name = npz.name
    if "nnlib_format" not in npz.members:
        raise ValueError(f"{name} is not an nnlib model: it has no 'nnlib_format' entry")
    fmt = _text_entry(npz, "nnlib_format")
    if fmt != FORMAT:
        raise ValueError(f"{name} has format {fmt[:60]!r}; this nnlib reads {FORMAT!r}")
    if "architecture" not in npz.members:
        raise ValueError(f"{name} has no 'architecture' entry")
    config = _json(_text_entry(npz, "architecture"), "architecture", name)
    meta = _json(_text_entry(npz, "meta"), "meta", name) if "meta" in npz.members else {}
    if not isinstance(meta, dict):
        raise ValueError(f"{name} has a 'meta' entry that is not a JSON object")
    return config, meta


def _text_entry(npz: SafeNpz, key: str) -> str:
    info, limit = npz.members[key], _TEXT_LIMITS[key]
    if info.file_size > limit:
        raise ValueError(f"{npz.name}: its {key!r} entry inflates to {info.file_size:,} bytes "
                         f"(at most {limit:,} expected)")
    shape, dtype = npz.header(key)
    if shape != () or dtype.kind != "U":
        raise ValueError(f"{npz.name}: its {key!r} entry is an array of shape {shape} and dtype {dtype}, "
                         "expected one text string")
    return str(npz.read(key))


def _json(text: str, key: str, name: str):
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"{name} has an unreadable {key!r} entry ({err})") from None


def _names(names, limit: int = 12) -> str:
    shown = sorted(n if len(n) <= 40 else n[:40] + "…" for n in names)
    return str(shown[:limit])[:-1] + (f", … ({len(shown)} in all)]" if len(shown) > limit else "]")


def _param_shapes(config, name: str, max_bytes: int | None) -> dict[str, tuple[int, ...]]:
    """The parameter arrays an architecture needs (name -> shape), computed without building
    it, and refused when their total size is over ``max_bytes``."""
    if not isinstance(config, list) or not config:
        raise ValueError(f"{name}: architecture must be a non-empty list of layer configs")
    if len(config) > MAX_LAYERS:
        raise ValueError(f"{name}: its architecture lists {len(config):,} layers; at most {MAX_LAYERS:,} are read")
    shapes: dict[str, tuple[int, ...]] = {}
    total = 0
    for i, cfg in enumerate(config):
        if not (isinstance(cfg, dict) and cfg.get("type") == "Dense"):
            layer_from_config(cfg)  # an activation (allocates nothing), or an error naming the problem
            continue
        n_in, n_out = cfg.get("in_features"), cfg.get("out_features")
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in (n_in, n_out)):
            layer_from_config(cfg)  # raises, naming the bad size
            raise ValueError(f"{name}: layer {i} is a Dense layer with sizes {n_in!r}, {n_out!r}; "
                             "expected positive integers")
        try:
            itemsize = check_float_dtype(cfg.get("dtype", "float64")).itemsize
        except ValueError as err:
            raise ValueError(f"{name}: layer {i}: {err}") from None
        shapes[f"{i}.W"] = (n_in, n_out)
        total += n_in * n_out * itemsize
        if cfg.get("bias", True):
            shapes[f"{i}.b"] = (n_out,)
            total += n_out * itemsize
    if max_bytes is not None and total > max_bytes:
        raise ValueError(f"{name}: its architecture needs {total:,} bytes of weights; the limit is {max_bytes:,}")
    return shapes


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
