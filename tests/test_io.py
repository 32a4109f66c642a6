"""nnlib.io: save -> load round trips, copies, and every kind of file that load must refuse."""

from __future__ import annotations

import importlib.util
import io
import json

import numpy as np
import pytest

import nnlib as nn
from nnlib.io import FORMAT, INFERENCE_SNIPPET, from_config


def _trained(dtype=np.float64):
    x = np.random.default_rng(0).standard_normal((30, 4))
    y = (x[:, 0] > 0).astype(int)
    model = nn.Sequential(nn.Dense(4, 6, init="he", rng=0, dtype=dtype), nn.LeakyReLU(0.2),
                          nn.Dense(6, 5, bias=False, rng=1, dtype=dtype), nn.Tanh(),
                          nn.Dense(5, 2, rng=2, dtype=dtype), nn.Softmax())
    opt = nn.Adam(model, lr=0.01)
    for _ in nn.train(model, nn.CrossEntropy(), opt, x, y, epochs=3, batch_size=10, rng=0):
        pass
    return model, x


def _arrays(model):
    buf = io.BytesIO()
    nn.save(model, buf)
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def _npz(**arrays) -> io.BytesIO:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    buf.seek(0)
    return buf


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_through_a_path_gives_identical_predictions(tmp_path, dtype):
    model, x = _trained(dtype)
    nn.save(model, tmp_path / "model.npz", meta={"lesson": "mlp", "epochs": 3})
    loaded, meta = nn.load(tmp_path / "model.npz", return_meta=True)
    assert meta == {"lesson": "mlp", "epochs": 3}
    assert repr(loaded) == repr(model) and loaded.config() == model.config()
    assert loaded.dtype == dtype
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    for k, p in model.params().items():
        np.testing.assert_array_equal(loaded.params()[k], p)
        assert loaded.params()[k].dtype == dtype


def test_round_trip_through_bytesio_bytes_and_str_path(tmp_path):
    model, x = _trained()
    buf = io.BytesIO()
    nn.save(model, buf)
    raw = buf.getvalue()
    buf.seek(0)
    np.testing.assert_array_equal(nn.load(buf).predict(x), model.predict(x))
    np.testing.assert_array_equal(nn.load(raw).predict(x), model.predict(x))
    nn.save(model, str(tmp_path / "plain"))  # ".npz" is added
    np.testing.assert_array_equal(nn.load(str(tmp_path / "plain.npz")).predict(x), model.predict(x))


def test_saved_file_layout():
    model, _ = _trained()
    arrays = _arrays(model)
    assert str(arrays["nnlib_format"]) == FORMAT
    assert json.loads(str(arrays["architecture"])) == model.config()
    assert set(arrays) == {"nnlib_format", "architecture", "meta"} | set(model.params())
    assert all(a.dtype != object for a in arrays.values())


def test_legacy_layers_round_trip():
    model = nn.Sequential(nn.Dense(3, 3, rng=0), nn.DiagonalSoftmax())
    buf = io.BytesIO()
    nn.save(model, buf)
    buf.seek(0)
    assert type(nn.load(buf).layers[1]) is nn.DiagonalSoftmax


def test_copy_model_is_independent_and_can_change_dtype():
    model, x = _trained()
    clone = nn.copy_model(model)
    np.testing.assert_array_equal(clone.predict(x), model.predict(x))
    clone.params()["0.W"][0, 0] += 1.0
    assert model.params()["0.W"][0, 0] != clone.params()["0.W"][0, 0]
    f32 = nn.copy_model(model, np.float32)
    assert f32.dtype == np.float32
    np.testing.assert_allclose(f32.predict(x), model.predict(x), rtol=1e-5, atol=1e-6)


def test_inference_snippet_reproduces_predictions(tmp_path):
    model, x = _trained()
    nn.save(model, tmp_path / "m.npz")
    script = tmp_path / "predict.py"
    script.write_text(INFERENCE_SNIPPET)
    spec = importlib.util.spec_from_file_location("nnlib_predict_snippet", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    np.testing.assert_allclose(mod.predict(mod.load(tmp_path / "m.npz"), x), model.predict(x), rtol=1e-12)


# -- files that are not ours or do not match ---------------------------------------------------

def _tampered(**changes):
    model, _ = _trained()
    arrays = _arrays(model)
    for k, v in changes.items():
        if v is None:
            arrays.pop(k)
        else:
            arrays[k] = v
    return _npz(**arrays)


def _arch(config):
    return np.array(json.dumps(config))


GOOD = _trained()[0].config()


@pytest.mark.parametrize(("make", "match"), [
    (lambda: io.BytesIO(b"this is a text file, not a model"),
     r"is not a readable \.npz model file \(it is not a NumPy \.npz archive\)$"),
    (lambda: io.BytesIO(b"PK\x03\x04 broken zip"), r"is not a readable \.npz model file"),
    (lambda: (lambda b: (np.save(b, np.zeros(3)), b.seek(0), b)[2])(io.BytesIO()),
     r"is not a readable \.npz model file \(it holds one array, not an \.npz archive\)"),
    (lambda: _npz(weights=np.zeros(3)), r"is not an nnlib model: it has no 'nnlib_format' entry"),
    (lambda: _npz(a=np.array([object()], dtype=object)), r"is not an nnlib model: it has no 'nnlib_format'"),
    (lambda: _tampered(nnlib_format=np.array("nnlib.Sequential/99")),
     r"has format 'nnlib.Sequential/99'; this nnlib reads 'nnlib.Sequential/1'"),
    (lambda: _tampered(architecture=None), r"has no 'architecture' entry"),
    (lambda: _tampered(architecture=np.array("{not json")), r"has an unreadable 'architecture' entry"),
    (lambda: _tampered(meta=np.array("{not json")), r"has an unreadable 'meta' entry"),
    (lambda: _tampered(architecture=_arch({"type": "Dense"})),
     r"architecture must be a non-empty list of layer configs"),
    (lambda: _tampered(**{"0.W": np.zeros((4, 7))}),
     r"layer 0 is Dense\(4, 6\) but the file holds an array of shape \(4, 7\) for 0.W"),
    (lambda: _tampered(**{"0.W": np.zeros((4, 6), np.int64)}),
     r"array '0.W' has shape \(4, 6\) and dtype int64, expected \(4, 6\) floats"),
    (lambda: _tampered(**{"0.b": np.zeros(6, np.int64)}), r"array '0.b' has shape \(6,\) and dtype int"),
    (lambda: _tampered(**{"4.W": None}), r"layer 4 is Dense\(5, 2\) but the file holds no array for 4.W"),
    (lambda: _tampered(**{"4.b": None}), r"does not match its architecture: expected arrays .*'4.b'"),
    (lambda: _tampered(**{"9.W": np.zeros(2)}), r"does not match its architecture"),
    (lambda: _tampered(**{"2.W": np.full((6, 5), np.nan)}), r"array '2.W' contains NaN/inf"),
    (lambda: _tampered(**{"0.b": np.array([np.inf, 0, 0, 0, 0, 0])}), r"array '0.b' contains NaN/inf"),
    (lambda: _tampered(architecture=_arch(GOOD[:1] + [{"type": "Swish"}] + GOOD[2:])),
     r"unknown layer type 'Swish'; known: \[.*'Dense'\]"),
    (lambda: _tampered(architecture=_arch([{"type": "Dense", "in_features": 4}] + GOOD[1:])),
     r"a Dense layer config needs \['out_features'\]"),
    (lambda: _tampered(architecture=_arch([dict(GOOD[0], out_features=9)] + GOOD[1:])),
     r"layer 0 is Dense\(4, 9\) but the file holds an array of shape \(4, 6\)"),
    (lambda: _tampered(architecture=_arch([dict(GOOD[0], in_features=10**6)] + GOOD[1:])),
     r"layer 0 is Dense\(1000000, 6\) but the file holds an array of shape \(4, 6\)"),
    (lambda: _tampered(architecture=_arch([dict(GOOD[0], dtype="foo")] + GOOD[1:])),
     r"dtype must be float32 or float64, got 'foo'"),
    (lambda: _tampered(architecture=_arch([{"type": ["Dense"]}] + GOOD[1:])),
     r"a layer's 'type' must be a string, got \['Dense'\]"),
    (lambda: _tampered(architecture=_arch([dict(GOOD[0], out_features=0)] + GOOD[1:])),
     r"out_features must be >= 1, got 0"),
    (lambda: _tampered(architecture=_arch(["Dense"])), r"a layer config must be a dict with a 'type'"),
])
def test_load_rejects(make, match):
    with pytest.raises(ValueError, match=match):
        nn.load(make())


def test_load_rejects_a_text_file_on_disk_naming_it(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("hello")
    with pytest.raises(ValueError, match=r"notes\.npz is not a readable \.npz model file"):
        nn.load(path)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.npz")


def test_from_config_rejects_empty():
    with pytest.raises(ValueError, match=r"architecture must be a non-empty list"):
        from_config([])
