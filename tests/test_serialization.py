"""save / load (safe zip checkpoints) and the safetensors reader and writer."""
import io
import json
import math
import os
import pickle
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import nptorch
from nptorch import nn
from nptorch.serialization import LoadError

DTYPES = [nptorch.bool, nptorch.uint8, nptorch.int8, nptorch.int16, nptorch.int32, nptorch.int64,
          nptorch.float16, nptorch.float32, nptorch.float64]
ST_NAMES = {"bool": "BOOL", "uint8": "U8", "int8": "I8", "int16": "I16", "int32": "I32",
            "int64": "I64", "float16": "F16", "float32": "F32", "float64": "F64"}


def _sample(dtype, shape=(2, 3)):
    return nptorch.tensor(np.arange(math.prod(shape)).reshape(shape) % 7 - 2).to(dtype)


def _roundtrip(obj, **load_kwargs):
    buf = io.BytesIO()
    nptorch.save(obj, buf)
    buf.seek(0)
    return nptorch.load(buf, **load_kwargs)


def _checkpoint_bytes(obj):
    buf = io.BytesIO()
    nptorch.save(obj, buf)
    return buf.getvalue()


def _same(a, b):
    return (type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
            and np.array_equal(a.numpy(force=True), b.numpy(force=True),
                               equal_nan=a.is_floating_point())
            and a.requires_grad == b.requires_grad)


def _rewrite(data, replace):
    """The checkpoint ``data`` with some members replaced (valid CRCs, same member order)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, replace.get(name, src.read(name)))
    return out.getvalue()


def _doc(data):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return json.loads(zf.read("data.json"))


def _npy(array):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=True)
    return buf.getvalue()


# -- round trips ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(2, 3), (), (0, 3)], ids=["2d", "0d", "empty"])
def test_tensor_roundtrip_dtypes_and_shapes(dtype, shape):
    t = _sample(dtype, shape)
    out = _roundtrip(t)
    assert _same(out, t)
    assert out.is_contiguous()


def test_special_float_values_roundtrip():
    t = nptorch.tensor([math.nan, math.inf, -math.inf, -0.0, 1e-45, 65504.0])
    out = _roundtrip(t)
    assert _same(out, t)
    assert math.copysign(1, out[3].item()) == -1


def test_non_contiguous_tensors_roundtrip():
    base = nptorch.arange(24.).reshape(4, 6)
    for view in (base.t(), base[:, ::2], base[1:3, 1::3], base.reshape(2, 3, 4).permute(2, 0, 1)):
        assert not view.is_contiguous()
        out = _roundtrip(view)
        assert _same(out, view) and out.is_contiguous()


def test_parameters_and_requires_grad_flags():
    p = nn.Parameter(nptorch.randn(3))
    frozen = nn.Parameter(nptorch.randn(2), requires_grad=False)
    leaf = nptorch.randn(2, requires_grad=True)
    nonleaf = leaf * 2
    out = _roundtrip({"p": p, "frozen": frozen, "leaf": leaf, "nonleaf": nonleaf,
                      "plain": leaf.detach()})
    assert type(out["p"]) is nn.Parameter and out["p"].requires_grad
    assert type(out["frozen"]) is nn.Parameter and not out["frozen"].requires_grad
    assert type(out["leaf"]) is nptorch.Tensor and out["leaf"].requires_grad and out["leaf"].is_leaf
    assert out["nonleaf"].requires_grad and out["nonleaf"].is_leaf
    assert not out["plain"].requires_grad
    np.testing.assert_array_equal(out["nonleaf"].detach().numpy(), nonleaf.detach().numpy())
    # A loaded leaf works with autograd.
    (out["p"] * 3).sum().backward()
    np.testing.assert_array_equal(out["p"].grad.numpy(), [3.0, 3.0, 3.0])


def test_nested_structures_roundtrip():
    od = OrderedDict([("z", 1), ("a", 2), ("m", 3)])
    obj = {
        "none": None, "bools": [True, False], "int": 2 ** 70, "neg": -5, "float": 1.5,
        "nan": math.nan, "inf": -math.inf, "str": "héllo ✓", "bytes": b"\x00\xffab",
        "tuple": (1, (2, [3, {"deep": (None,)}])), "empty": ([], (), {}, OrderedDict()),
        "int_keys": {0: "a", 1: {2: "b"}, -3: None}, "odict": od, 7: "int key at top",
        (1, "t"): "tuple key", None: "none key", 2.5: "float key", b"k": "bytes key",
        "size": nptorch.Size([2, 3]), "dtype": nptorch.float16, "device": nptorch.device("cuda:1"),
        "np": [np.int64(4), np.float32(0.5), np.bool_(True)],
    }
    out = _roundtrip(obj)
    assert list(out) == list(obj)
    assert math.isnan(out.pop("nan")) and math.isnan(obj.pop("nan"))
    assert out == obj
    assert type(out["odict"]) is OrderedDict and list(out["odict"]) == ["z", "a", "m"]
    assert type(out["int_keys"]) is dict and type(out["tuple"][1]) is tuple
    assert type(out["size"]) is nptorch.Size and out["dtype"] is nptorch.float16
    assert out["device"] == nptorch.device("cuda", 1)
    assert [type(v) for v in out["np"]] == [int, float, bool]
    assert type(out["empty"][3]) is OrderedDict


def test_shared_tensors_are_stored_once_and_stay_shared():
    t = nptorch.randn(50)
    other = t.clone()
    obj = {"a": t, "b": [t, other], "c": (t,)}
    data = _checkpoint_bytes(obj)
    assert len(_doc(data)["tensors"]) == 2
    out = nptorch.load(io.BytesIO(data))
    assert out["a"] is out["b"][0] is out["c"][0]
    assert out["b"][1] is not out["a"]
    assert _same(out["b"][1], other)


def test_module_state_dict_into_fresh_module():
    def make():
        return nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 2))

    model = make()
    model.train()
    model(nptorch.randn(8, 4))  # update BatchNorm's running statistics
    model.eval()
    sd = model.state_dict()
    out = _roundtrip(sd)
    assert type(out) is OrderedDict and list(out) == list(sd)
    assert out["1.num_batches_tracked"].dtype == nptorch.int64
    fresh = make().eval()
    fresh.load_state_dict(out)
    x = nptorch.randn(3, 4)
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())


def test_optimizer_state_dict_roundtrip():
    model = nn.Linear(3, 2)
    opt = nptorch.optim.Adam(model.parameters(), lr=0.01)
    model(nptorch.randn(4, 3)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    out = _roundtrip(sd)
    assert out["param_groups"] == sd["param_groups"]
    assert isinstance(out["param_groups"][0]["betas"], tuple)
    assert list(out["state"]) == list(sd["state"]) == [0, 1]
    for key, state in sd["state"].items():
        for name, value in state.items():
            assert _same(out["state"][key][name], value) if isinstance(value, nptorch.Tensor) \
                else out["state"][key][name] == value
    opt2 = nptorch.optim.Adam(model.parameters(), lr=0.5)
    opt2.load_state_dict(out)
    assert opt2.param_groups[0]["lr"] == 0.01


# -- paths and file objects ----------------------------------------------------------------------
def test_path_forms(tmp_path):
    t = nptorch.arange(5)
    nptorch.save(t, str(tmp_path / "a.pt"))
    nptorch.save(t, tmp_path / "b.pt")
    assert _same(nptorch.load(tmp_path / "a.pt"), t)
    assert _same(nptorch.load(str(tmp_path / "b.pt")), t)
    assert sorted(os.listdir(tmp_path)) == ["a.pt", "b.pt"]  # no temporary files left behind


def test_file_object_forms(tmp_path):
    t = nptorch.arange(5.)
    with open(tmp_path / "f.pt", "wb") as f:
        nptorch.save(t, f)
    with open(tmp_path / "f.pt", "rb") as f:
        assert _same(nptorch.load(f), t)
    buf = io.BytesIO(b"prefix")
    buf.seek(0, io.SEEK_END)
    nptorch.save({"t": t}, buf)
    buf.seek(6)
    assert _same(nptorch.load(buf)["t"], t)

    class Stream:  # readable, not seekable
        def __init__(self, data):
            self._buf = io.BytesIO(data)

        def read(self, n=-1):
            return self._buf.read(n)

    assert _same(nptorch.load(Stream(_checkpoint_bytes(t))), t)


def test_save_over_existing_file_is_atomic(tmp_path):
    path = tmp_path / "ck.pt"
    nptorch.save({"v": 1}, path)
    nptorch.save({"v": 2}, path)
    assert nptorch.load(path) == {"v": 2}
    with pytest.raises(TypeError, match="cannot save an object of type object"):
        nptorch.save({"v": 3, "bad": object()}, path)
    assert nptorch.load(path) == {"v": 2}
    assert os.listdir(tmp_path) == ["ck.pt"]


def test_killed_save_leaves_previous_file_loadable(tmp_path):
    path = tmp_path / "ck.pt"
    old = {"w": nptorch.arange(10.)}
    nptorch.save(old, path)
    before = path.read_bytes()
    script = textwrap.dedent(f"""
        import sys, time
        import nptorch, nptorch.serialization as s
        write = s._write_npy
        def slow_write(zf, name, array):
            write(zf, name, array)
            zf.fp.flush()
            time.sleep(0.05)
        s._write_npy = slow_write
        nptorch.save([nptorch.ones(1000) for _ in range(400)], {str(path)!r})
        print("finished", flush=True)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # wait until the temporary file holds some tensors
            tmps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            if tmps and tmps[0].stat().st_size > 20000:
                break
            assert proc.poll() is None, "the save finished or failed before it could be killed"
            time.sleep(0.02)
        else:
            pytest.fail("the save never started writing")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    assert _same(nptorch.load(path)["w"], old["w"])


def test_save_errors(tmp_path):
    with pytest.raises(TypeError,
                       match=r"cannot save an object of type set \(at obj\['a'\]\[1\]\)"):
        nptorch.save({"a": [1, {2}]}, io.BytesIO())
    loop = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="the object contains itself"):
        nptorch.save(loop, io.BytesIO())
    with pytest.raises(TypeError, match="dict keys must be None, bool, int, float, str, bytes or "
                                        "tuples of them, but got frozenset"):
        nptorch.save({frozenset(): 1}, io.BytesIO())
    with pytest.raises(TypeError, match="save\\(\\): f must be a path .* but got int"):
        nptorch.save(1, 5)
    with pytest.raises(TypeError, match="load\\(\\): f must be a path .* but got float"):
        nptorch.load(1.5)
    with pytest.raises(FileNotFoundError):
        nptorch.load(tmp_path / "missing.pt")


# -- map_location --------------------------------------------------------------------------------
def _as_if_saved_on_cuda(obj):
    """A checkpoint of ``obj`` whose tensors are recorded as saved from cuda:0."""
    data = _checkpoint_bytes(obj)
    doc = _doc(data)
    for entry in doc["tensors"]:
        entry["device"] = "cuda:0"
    return _rewrite(data, {"data.json": json.dumps(doc)})


def test_map_location_forms():
    t = nn.Parameter(nptorch.randn(3))
    data = _as_if_saved_on_cuda({"p": t, "x": nptorch.arange(4)})
    seen = []

    def to_cpu(storage, location):
        seen.append((type(storage), location))
        return storage

    for loc in ("cpu", nptorch.device("cpu"), {"cuda:0": "cpu"}, {"cuda:0": nptorch.device("cpu")},
                to_cpu, lambda storage, location: storage.cpu()):
        out = nptorch.load(io.BytesIO(data), map_location=loc)
        assert out["p"].device == nptorch.device("cpu") and _same(out["p"], t)
        assert type(out["p"]) is nn.Parameter and out["p"].requires_grad
        assert out["x"].tolist() == [0, 1, 2, 3]
    assert seen == [(nptorch.Tensor, "cuda:0")] * 2
    # CPU checkpoints: None and an unmatched dict keep the saved device.
    plain = _checkpoint_bytes(t)
    assert _same(nptorch.load(io.BytesIO(plain), map_location=None), t)
    assert _same(nptorch.load(io.BytesIO(plain), map_location={"cuda:1": "cuda:0"}), t)
    assert _same(nptorch.load(io.BytesIO(plain), map_location=lambda s, loc: None), t)
    with pytest.raises(TypeError, match="map_location returned str, expected a Tensor or None"):
        nptorch.load(io.BytesIO(plain), map_location=lambda s, loc: "cpu")


@pytest.mark.skipif(nptorch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_checkpoint_without_cuda_needs_map_location():
    data = _as_if_saved_on_cuda(nptorch.ones(2))
    with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
        nptorch.load(io.BytesIO(data))
    with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
        nptorch.load(io.BytesIO(data), map_location=lambda s, loc: None)


@pytest.mark.skipif(not nptorch.cuda.is_available(), reason="needs CUDA")
def test_cuda_tensors_roundtrip():
    t = nptorch.arange(6.).reshape(2, 3).cuda().t()
    data = _checkpoint_bytes({"t": t, "p": nn.Parameter(nptorch.ones(2, device="cuda"))})
    assert _doc(data)["tensors"][0]["device"] == "cuda:0"
    out = nptorch.load(io.BytesIO(data))
    assert out["t"].device == out["p"].device == nptorch.device("cuda:0")
    assert type(out["p"]) is nn.Parameter and out["p"].requires_grad
    np.testing.assert_array_equal(out["t"].cpu().numpy(), t.cpu().numpy())
    cpu = nptorch.load(io.BytesIO(data), map_location="cpu")
    assert cpu["t"].is_cpu and cpu["t"].tolist() == t.tolist()
    back = nptorch.load(io.BytesIO(_checkpoint_bytes(cpu)), map_location="cuda")
    assert back["t"].device == nptorch.device("cuda:0")


# -- refused and damaged files -------------------------------------------------------------------
SMALL = {"a": nptorch.arange(6.).reshape(2, 3), "b": [1, (2, "x")],
         3: nptorch.tensor([True, False])}


def _is_small(out):
    return (set(out) == set(SMALL) and _same(out["a"], SMALL["a"]) and out["b"] == SMALL["b"]
            and _same(out[3], SMALL[3]))


def test_truncated_at_every_offset():
    data = _checkpoint_bytes(SMALL)
    assert _is_small(nptorch.load(io.BytesIO(data)))
    with pytest.raises(LoadError, match="not an nptorch checkpoint: the file is empty"):
        nptorch.load(io.BytesIO(b""))
    header = 30 + len("nptorch.checkpoint")  # a zip local header, then the first member's name
    for n in range(1, len(data)):
        expected = "corrupt checkpoint: the file is damaged" if n >= header else \
            "not an nptorch checkpoint"
        with pytest.raises(LoadError, match=expected):
            nptorch.load(io.BytesIO(data[:n]))


def test_flipped_bytes_never_load_wrong_data():
    data = _checkpoint_bytes(SMALL)
    refused = 0
    for i in range(len(data)):
        for mask in (0x01, 0xFF):
            damaged = bytearray(data)
            damaged[i] ^= mask
            try:
                out = nptorch.load(io.BytesIO(bytes(damaged)))
            except LoadError as e:
                assert "corrupt checkpoint" in str(e) or "not an nptorch checkpoint" in str(e)
                refused += 1
            else:  # only bytes no reader checks (timestamps, unused header fields) may change
                assert _is_small(out), (i, mask)
    assert refused > len(data)


def test_flipped_tensor_data_fails_crc():
    t = nptorch.arange(100.)
    data = bytearray(_checkpoint_bytes(t))
    at = bytes(data).index(t.numpy().tobytes()) + 17
    data[at] ^= 0x10
    with pytest.raises(LoadError, match="corrupt checkpoint: the file is damaged .*Bad CRC-32"):
        nptorch.load(io.BytesIO(bytes(data)))


def test_path_in_error_message(tmp_path):
    path = tmp_path / "bad.pt"
    path.write_bytes(b"hello world")
    with pytest.raises(LoadError, match=f"{str(path)!r} is not an nptorch checkpoint"):
        nptorch.load(path)


def test_foreign_files_are_refused():
    with pytest.raises(LoadError, match="the file is not an nptorch checkpoint"):
        nptorch.load(io.BytesIO(b"just some text\n" * 10))
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(LoadError, match="the file is not an nptorch checkpoint"):
        nptorch.load(io.BytesIO(other.getvalue()))
    assert isinstance(LoadError("x"), RuntimeError)


def test_pickle_files_are_refused(tmp_path):
    path = tmp_path / "state.pkl"
    with open(path, "wb") as f:
        pickle.dump({"w": [1.0, 2.0]}, f)
    with pytest.raises(LoadError, match="is a pickle file .*nptorch never unpickles.*safetensors"):
        nptorch.load(path)


def test_torch_save_files_are_refused(tmp_path):
    torch = pytest.importorskip("torch")
    for new_format in (True, False):
        path = tmp_path / f"torch_{new_format}.pt"
        torch.save({"w": torch.ones(2)}, path, _use_new_zipfile_serialization=new_format)
        with pytest.raises(LoadError, match="is a pickle file .*nptorch never unpickles"):
            nptorch.load(path)


def test_unsupported_format_version():
    data = _rewrite(_checkpoint_bytes(SMALL), {"nptorch.checkpoint": b"2"})
    with pytest.raises(LoadError, match="unsupported format version 2; this nptorch reads format "
                                        "version 1"):
        nptorch.load(io.BytesIO(data))


@pytest.mark.parametrize("replace, message", [
    ({"nptorch.checkpoint": b"one"}, "bad format version entry"),
    ({"data.json": b"{not json"}, "Expecting property name"),
    ({"data.json": b"[]"}, "bad data.json"),
    ({"data.json": json.dumps({"root": {"tensor": 9}, "tensors": []})}, "bad tensor reference"),
    ({"data.json": json.dumps({"root": {"lambda": "x"}, "tensors": []})},
     "unknown node type 'lambda'"),
    ({"data.json": json.dumps({"root": {"tuple": "abc"}, "tensors": []})}, "bad tuple node"),
    ({"data.json": json.dumps({"root": {"dict": [[[1], 2]]}, "tensors": []})}, "bad dict key"),
    ({"data.json": json.dumps({"root": {"bytes": "@@"}, "tensors": []})}, "Only base64 data"),
    ({"data.json": json.dumps({"root": {"dtype": "complex64"}, "tensors": []})}, "bad dtype node"),
    ({"data.json": json.dumps({"root": {"device": "tpu"}, "tensors": []})}, "Expected one of cpu"),
    ({"data.json": json.dumps({"root": {"a": 1, "b": 2}, "tensors": []})}, "bad node"),
    ({"tensors/0.npy": _npy(np.zeros(3))}, "does not match its description"),
    ({"tensors/0.npy": _npy(np.array([{}], dtype=object))}, "does not match its description"),
    ({"tensors/0.npy": _npy(np.asfortranarray(np.zeros((2, 3), np.float32)))}, "not in C order"),
    ({"tensors/0.npy": _npy(np.arange(6, dtype=np.float32).reshape(2, 3)) + b"x"},
     "has trailing bytes"),
    ({"tensors/0.npy": _npy(np.arange(6, dtype=np.float32).reshape(2, 3))[:-4]}, "is truncated"),
])
def test_structurally_corrupt_checkpoints(replace, message):
    data = _rewrite(_checkpoint_bytes(SMALL), {k: v.encode() if isinstance(v, str) else v
                                               for k, v in replace.items()})
    with pytest.raises(LoadError, match=f"corrupt checkpoint: the file is damaged .*{message}"):
        nptorch.load(io.BytesIO(data))


@pytest.mark.parametrize("entry, message", [
    ({"dtype": "complex64"}, "unknown dtype 'complex64'"),
    ({"shape": [-1, 3]}, "bad tensor shape"),
    ({"requires_grad": 1}, "bad tensor flags"),
    ({"dtype": "int64", "requires_grad": True}, "a non-floating tensor marked as requiring grad"),
    ({"device": "cuda:x"}, "Invalid device string"),
    ({"extra": 1}, "bad tensor description"),
])
def test_corrupt_tensor_table(entry, message):
    data = _checkpoint_bytes(SMALL)
    doc = _doc(data)
    doc["tensors"][0].update(entry)
    data = _rewrite(data, {"data.json": json.dumps(doc)})
    with pytest.raises(LoadError, match=f"corrupt checkpoint: .*{message}"):
        nptorch.load(io.BytesIO(data))


def test_weights_only_is_accepted():
    data = _checkpoint_bytes(SMALL)
    for weights_only in (True, False, None):
        assert _is_small(nptorch.load(io.BytesIO(data), weights_only=weights_only))


# -- safetensors ---------------------------------------------------------------------------------
def _read_safetensors_by_hand(data):
    """An independent reader of the safetensors layout."""
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    return n, header, body


def _st_sample():
    return {name: _sample(d, (2, 3)) for name, d in zip("abcdefghi", DTYPES)} | {
        "scalar": nptorch.tensor(2.5, dtype=nptorch.float64), "empty": nptorch.zeros(0, 4),
        "view": nptorch.arange(12.).reshape(3, 4).t()}


def test_safetensors_roundtrip(tmp_path):
    tensors = _st_sample()
    nptorch.save_safetensors(tensors, tmp_path / "m.safetensors")
    out = nptorch.load_safetensors(tmp_path / "m.safetensors")
    assert list(out) == list(tensors)
    for k, v in tensors.items():
        assert _same(out[k], v), k
    buf = io.BytesIO()
    nptorch.save_safetensors(tensors, buf)
    buf.seek(0)
    assert all(_same(v, tensors[k]) for k, v in nptorch.load_safetensors(buf).items())
    assert os.listdir(tmp_path) == ["m.safetensors"]


def test_safetensors_header_layout(tmp_path):
    tensors = _st_sample()
    nptorch.save_safetensors(tensors, tmp_path / "m.safetensors", metadata={"format": "pt"})
    data = (tmp_path / "m.safetensors").read_bytes()
    n, header, body = _read_safetensors_by_hand(data)
    assert n % 8 == 0
    assert header.pop("__metadata__") == {"format": "pt"}
    assert list(header) == list(tensors)
    end = 0
    for name, t in tensors.items():
        info = header[name]
        assert info["dtype"] == ST_NAMES[t.dtype.name]
        assert info["shape"] == list(t.shape)
        assert info["data_offsets"] == [end, end + t.nbytes]
        assert body[end:end + t.nbytes] == np.ascontiguousarray(t.numpy()).astype(
            t.numpy().dtype.newbyteorder("<")).tobytes()
        end += t.nbytes
    assert len(body) == end


def test_safetensors_written_by_hand_is_read():
    w = np.arange(6, dtype="<f4").reshape(2, 3)
    b = np.array([1, -2], dtype="<i8")
    header = json.dumps({"b": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]},
                         "w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
                         "__metadata__": {"k": "v"}}).encode()
    data = struct.pack("<Q", len(header)) + header + w.tobytes() + b.tobytes()
    out = nptorch.load_safetensors(io.BytesIO(data), device="cpu")
    np.testing.assert_array_equal(out["w"].numpy(), w)
    assert out["b"].dtype == nptorch.int64 and out["b"].tolist() == [1, -2]


def test_safetensors_save_errors():
    with pytest.raises(TypeError, match="tensors must be a dict of str to Tensor, but got list"):
        nptorch.save_safetensors([nptorch.ones(1)], io.BytesIO())
    with pytest.raises(TypeError, match=r"but got an item \(int, Tensor\)"):
        nptorch.save_safetensors({1: nptorch.ones(1)}, io.BytesIO())
    with pytest.raises(TypeError, match=r"but got an item \(str, int\)"):
        nptorch.save_safetensors({"a": 1}, io.BytesIO())
    with pytest.raises(ValueError, match="'__metadata__' is reserved"):
        nptorch.save_safetensors({"__metadata__": nptorch.ones(1)}, io.BytesIO())
    with pytest.raises(TypeError, match="metadata must be a dict of str to str"):
        nptorch.save_safetensors({"a": nptorch.ones(1)}, io.BytesIO(), metadata={"n": 1})
    with pytest.raises(TypeError, match="path must be a path or a writable binary file object, "
                                        "but got int"):
        nptorch.save_safetensors({"a": nptorch.ones(1)}, 3)


def _st_bytes(header, body):
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + body


@pytest.mark.parametrize("data, message", [
    (b"\x01\x02", "shorter than the 8-byte header length"),
    (struct.pack("<Q", 1000) + b"{}", "header length 1000 exceeds the file"),
    (struct.pack("<Q", 2) + b"[]", "the header is not a JSON object"),
    (struct.pack("<Q", 2) + b"{x", "Expecting property name"),
    (_st_bytes({"__metadata__": {"a": 1}}, b""), "bad __metadata__"),
    (_st_bytes({"w": {"dtype": "F32"}}, b""), "bad entry for tensor 'w'"),
    (_st_bytes({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"...."),
     "bad shape for tensor 'w'"),
    (_st_bytes({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}, b"...."),
     "bad data_offsets for tensor 'w'"),
    (_st_bytes({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, b"...."),
     "data_offsets of tensor 'w' do not match its dtype and shape"),
    (_st_bytes({"w": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
                "v": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}}, b"..."),
     "leave gaps or overlap"),
    (_st_bytes({"w": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}, b"..."),
     "the data section does not match the header"),
])
def test_safetensors_corrupt_files(data, message):
    with pytest.raises(LoadError, match=f"corrupt safetensors file: .*{message}"):
        nptorch.load_safetensors(io.BytesIO(data))


def test_safetensors_unsupported_dtype():
    data = _st_bytes({"w": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}, b"..")
    with pytest.raises(LoadError, match="tensor 'w' has safetensors dtype 'BF16', which nptorch "
                                        "does not support"):
        nptorch.load_safetensors(io.BytesIO(data))


def test_safetensors_truncated_at_every_offset():
    buf = io.BytesIO()
    nptorch.save_safetensors({"a": nptorch.arange(4.), "b": nptorch.tensor([1, 2])}, buf)
    data = buf.getvalue()
    for n in range(len(data)):
        with pytest.raises(LoadError, match="corrupt safetensors file"):
            nptorch.load_safetensors(io.BytesIO(data[:n]))


def test_safetensors_package_interop(tmp_path):
    st_torch = pytest.importorskip("safetensors.torch")
    torch = pytest.importorskip("torch")
    theirs = {"w": torch.randn(3, 4), "i": torch.arange(5), "h": torch.ones(2, dtype=torch.float16),
              "m": torch.tensor([True, False]), "s": torch.tensor(1.5, dtype=torch.float64)}
    st_torch.save_file(theirs, tmp_path / "theirs.safetensors", metadata={"format": "pt"})
    out = nptorch.load_safetensors(tmp_path / "theirs.safetensors")
    for k, v in theirs.items():
        assert str(out[k].dtype).split(".")[1] == str(v.dtype).split(".")[1]
        np.testing.assert_array_equal(out[k].numpy(), v.numpy())
    nptorch.save_safetensors(out, tmp_path / "ours.safetensors", metadata={"format": "pt"})
    back = st_torch.load_file(tmp_path / "ours.safetensors")
    assert set(back) == set(theirs)
    for k, v in theirs.items():
        assert torch.equal(back[k], v)
    from safetensors import safe_open
    with safe_open(tmp_path / "ours.safetensors", "pt") as f:
        assert f.metadata() == {"format": "pt"}


def test_compressed_members_are_refused():
    data = _checkpoint_bytes(SMALL)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name), compress_type=zipfile.ZIP_DEFLATED)
    with pytest.raises(LoadError, match="nptorch.checkpoint is compressed or larger than the file"):
        nptorch.load(io.BytesIO(out.getvalue()))
