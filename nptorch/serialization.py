"""``save`` / ``load``: a safe checkpoint format, and the safetensors format for exchanging weights.

A checkpoint is a zip archive (stored, not compressed) holding:

- ``nptorch.checkpoint``: the format version (the first member, so a damaged archive is still
  recognised as one of ours),
- ``data.json``: the object tree (see ``_encode``) and a table describing every tensor,
- ``tensors/<i>.npy``: the data of tensor ``i`` in NumPy's ``.npy`` format (a storage is saved
  as the 1-D uint8 tensor of its bytes).

Loading never executes code from the file: there is no pickle and no eval, ``.npy`` headers are
parsed by NumPy's literal parser and object arrays are refused. Every member is read to its end so
that zip's CRC-32 check catches damaged bytes. A tensor that appears several times in the saved
object is stored once and comes back as one object. Unlike PyTorch's format, memory shared between
different objects is not kept: views of one tensor, and a storage saved with tensors over it, come
back with memory of their own.
"""
import base64
import io
import json
import math
import os
import struct
import zipfile
from collections import OrderedDict

import numpy as np

from . import _dtype
from ._device import device as _device_cls, to_device
from ._tensor import Size, Tensor
from .storage import TypedStorage, UntypedStorage

__all__ = ["save", "load", "save_safetensors", "load_safetensors", "LoadError"]

FORMAT_VERSION = 1
_MAGIC = "nptorch.checkpoint"
_DOC = "data.json"


class LoadError(RuntimeError):
    """A file that ``load`` / ``load_safetensors`` refuses: foreign, damaged or unsupported."""


class _Corrupt(Exception):
    """Internal: a structural problem found while decoding; becomes a ``LoadError``."""


_PICKLE_MESSAGE = (
    "{} is a pickle file (as written by torch.save or pickle.dump); nptorch never unpickles, "
    "because unpickling can execute arbitrary code. Convert it once in PyTorch with "
    "safetensors.torch.save_file(state_dict, 'model.safetensors') and read it with "
    "nptorch.load_safetensors.")


# -- writing -------------------------------------------------------------------------------------
def _open_target(f):
    if isinstance(f, (str, bytes, os.PathLike)):
        return os.fspath(f)
    if not hasattr(f, "write"):
        raise TypeError(f"save(): f must be a path (str or os.PathLike) or a writable binary file "
                        f"object, but got {type(f).__name__}")
    return None


def _write_atomic(path, write):
    """Call ``write(fileobj)`` on a temporary file next to ``path``, then rename it over ``path``.

    A crash before the rename leaves any previous file at ``path`` untouched.
    """
    path = os.fsdecode(path)
    directory, base = os.path.split(os.path.abspath(path))
    tmp = os.path.join(directory, f".{base}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    # os.open with 0o666 honours the umask, as a plain open() of the target would.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fileobj:
            write(fileobj)
            fileobj.flush()
            os.fsync(fileobj.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable where directories can be opened (POSIX)
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


class _Encoder:
    """Turns an object tree into JSON-able nodes, collecting tensors (each object once).

    Nodes: None, bools, ints, floats and strings are themselves; a list is a JSON array; every
    other value is a one-key object: ``{"tuple": [...]}``, ``{"dict": [[k, v], ...]}``,
    ``{"odict": [[k, v], ...]}``, ``{"bytes": base64}``, ``{"tensor": index}``,
    ``{"size": [...]}``, ``{"dtype": name}``, ``{"device": name}``, and
    ``{"storage": [index, dtype name or None]}`` (an ``UntypedStorage``, or a ``TypedStorage``
    of that dtype, whose bytes are the uint8 tensor ``index``).
    """

    def __init__(self):
        self.tensors = []
        self._index = {}
        self._active = set()
        self._storages = {}  # id of an UntypedStorage -> (its bytes tensor, the storage)

    def encode(self, obj, where="obj"):
        if obj is None or isinstance(obj, (bool, np.bool_)):
            return None if obj is None else bool(obj)
        if isinstance(obj, (int, np.integer)):
            return int(obj)
        if isinstance(obj, (float, np.floating)):
            return float(obj)
        if isinstance(obj, str):
            return str(obj)
        if isinstance(obj, (bytes, bytearray)):
            return {"bytes": base64.b64encode(bytes(obj)).decode("ascii")}
        if isinstance(obj, Tensor):
            if id(obj) not in self._index:
                self._index[id(obj)] = len(self.tensors)
                self.tensors.append(obj)
            return {"tensor": self._index[id(obj)]}
        if isinstance(obj, (UntypedStorage, TypedStorage)):
            typed = isinstance(obj, TypedStorage)
            untyped = obj._untyped_storage if typed else obj
            if id(untyped) not in self._storages:  # the storage stays referenced while saving
                self._storages[id(untyped)] = (Tensor._make(untyped._bytes), untyped)
            node = self.encode(self._storages[id(untyped)][0], where)
            return {"storage": [node["tensor"], obj.dtype.name if typed else None]}
        if isinstance(obj, _dtype.dtype):
            return {"dtype": obj.name}
        if isinstance(obj, _device_cls):
            return {"device": str(obj)}
        if isinstance(obj, Size):
            return {"size": [int(s) for s in obj]}
        if not isinstance(obj, (list, tuple, dict)):
            raise TypeError(f"save(): cannot save an object of type {type(obj).__name__} (at "
                            f"{where}); supported are tensors, storages, None, bool, int, float, "
                            "str, bytes, dtypes, devices and lists, tuples and dicts of them")
        if id(obj) in self._active:
            raise ValueError(f"save(): the object contains itself (at {where})")
        self._active.add(id(obj))
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if not isinstance(k, (type(None), bool, int, float, str, bytes, tuple)):
                    raise TypeError(f"save(): dict keys must be None, bool, int, float, str, bytes "
                                    f"or tuples of them, but got {type(k).__name__} (at {where})")
                items.append([self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")])
            node = {"odict" if isinstance(obj, OrderedDict) else "dict": items}
        else:
            values = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
            node = values if isinstance(obj, list) else {"tuple": values}
        self._active.discard(id(obj))
        return node


def _host_array(t):
    data = t._host()
    return data if data.flags.c_contiguous else data.copy(order="C")


def _write_npy(zf, name, array):
    big = array.nbytes + 4096 >= zipfile.ZIP64_LIMIT
    with zf.open(name, "w", force_zip64=big) as member:
        np.lib.format.write_array(member, array, version=(1, 0), allow_pickle=False)


def _write_checkpoint(obj, fileobj):
    enc = _Encoder()
    root = enc.encode(obj)
    table = [{"dtype": t.dtype.name, "shape": list(t.shape), "device": str(t.device),
              "requires_grad": bool(t.requires_grad), "parameter": _is_parameter(t)}
             for t in enc.tensors]
    doc = json.dumps({"root": root, "tensors": table}, allow_nan=True).encode("utf-8")
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(_MAGIC, str(FORMAT_VERSION))
        zf.writestr(_DOC, doc)
        for i, t in enumerate(enc.tensors):
            _write_npy(zf, f"tensors/{i}.npy", _host_array(t))


def _is_parameter(t):
    from .nn.parameter import Parameter
    return isinstance(t, Parameter)


def save(obj, f):
    """Save a tensor, a state dict, an optimizer state or any tree of them to a file.

    Args:
        obj: tensors (any device; their data is stored on the host and their device recorded),
            None, bool, int, float, str, bytes, dtypes, devices, and lists, tuples, dicts and
            OrderedDicts of these.
        f: a path (str or os.PathLike), written atomically (a temporary file renamed over the
            target once complete), or a writable binary file object, written in place.

    Example::

        >>> torch.save(model.state_dict(), "model.pt")
        >>> model.load_state_dict(torch.load("model.pt"))
    """
    path = _open_target(f)
    if path is None:
        _write_checkpoint(obj, f)
    else:
        _write_atomic(path, lambda fileobj: _write_checkpoint(obj, fileobj))


# -- reading -------------------------------------------------------------------------------------
def _open_source(f):
    """A seekable binary file for ``f``, the position where the data starts, and the owner flag."""
    if isinstance(f, (str, bytes, os.PathLike)):
        return open(f, "rb"), 0, True
    if not hasattr(f, "read"):
        raise TypeError(f"load(): f must be a path (str or os.PathLike) or a readable binary file "
                        f"object, but got {type(f).__name__}")
    if not (hasattr(f, "seekable") and f.seekable()):
        return io.BytesIO(f.read()), 0, True
    return f, f.tell(), False


def _is_pickle(head):
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def _is_ours(head):
    name = _MAGIC.encode()
    return head.startswith(b"PK\x03\x04") and head[30:30 + len(name)] == name


def _check(condition, message):
    if not condition:
        raise _Corrupt(message)


def _open_member(zf, name, limit):
    # Members are always stored: refusing compressed ones rules out decompression bombs.
    info = zf.getinfo(name)
    _check(info.compress_type == zipfile.ZIP_STORED and info.file_size <= limit,
           f"{name} is compressed or larger than the file")
    return zf.open(info)


def _read_npy(zf, name, entry, limit):
    """Read one tensor member, checking its header against the table entry and the file size."""
    with _open_member(zf, name, limit) as member:
        major, _ = np.lib.format.read_magic(member)
        _check(major == 1, f"{name} has an unexpected .npy version")
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
        _check(not fortran, f"{name} is not in C order")
        _check(list(shape) == entry["shape"] and dtype == _dtype._BY_NAME[entry["dtype"]].np_dtype,
               f"{name} does not match its description")
        nbytes = math.prod(shape) * dtype.itemsize
        _check(nbytes <= limit, f"{name} claims more data than the file holds")
        buf = bytearray(nbytes)
        _check(member.readinto(buf) == nbytes, f"{name} is truncated")
        # Reading to the end makes zipfile verify the member's CRC-32.
        _check(member.read(1) == b"", f"{name} has trailing bytes")
    return np.frombuffer(buf, dtype=dtype).reshape(shape)


def _check_entry(entry):
    _check(isinstance(entry, dict) and set(entry) == {"dtype", "shape", "device", "requires_grad",
                                                       "parameter"}, "bad tensor description")
    _check(entry["dtype"] in _dtype._BY_NAME, f"unknown dtype {entry['dtype']!r}")
    _check(isinstance(entry["shape"], list) and all(
        type(s) is int and s >= 0 for s in entry["shape"]), "bad tensor shape")
    _check(isinstance(entry["requires_grad"], bool) and isinstance(entry["parameter"], bool),
           "bad tensor flags")
    _check(not entry["requires_grad"] or entry["dtype"].startswith("float"),
           "a non-floating tensor marked as requiring grad")
    _device_cls(entry["device"])  # raises on a malformed name


_SCALARS = (type(None), bool, int, float, str)


def _decode(node, tensors):
    if isinstance(node, _SCALARS):
        return node
    if isinstance(node, list):
        return [_decode(v, tensors) for v in node]
    _check(isinstance(node, dict) and len(node) == 1, "bad node in the object tree")
    (kind, value), = node.items()
    if kind == "tensor":
        _check(type(value) is int and 0 <= value < len(tensors), "bad tensor reference")
        return tensors[value]
    if kind in ("dict", "odict"):
        _check(isinstance(value, list), "bad dict node")
        out = OrderedDict() if kind == "odict" else {}
        for item in value:
            _check(isinstance(item, list) and len(item) == 2, "bad dict item")
            key = _decode(item[0], tensors)
            _check(isinstance(key, (*_SCALARS, bytes, tuple)) and _hashable(key), "bad dict key")
            out[key] = _decode(item[1], tensors)
        return out
    if kind == "tuple":
        _check(isinstance(value, list), "bad tuple node")
        return tuple(_decode(v, tensors) for v in value)
    if kind == "bytes":
        _check(isinstance(value, str), "bad bytes node")
        return base64.b64decode(value.encode("ascii"), validate=True)
    if kind == "size":
        _check(isinstance(value, list) and all(type(s) is int and s >= 0 for s in value),
               "bad size node")
        return Size(value)
    if kind == "dtype":
        _check(value in _dtype._BY_NAME, "bad dtype node")
        return _dtype._BY_NAME[value]
    if kind == "device":
        _check(isinstance(value, str), "bad device node")
        return _device_cls(value)
    if kind == "storage":
        _check(isinstance(value, list) and len(value) == 2 and type(value[0]) is int
               and 0 <= value[0] < len(tensors)
               and (value[1] is None or value[1] in _dtype._BY_NAME), "bad storage node")
        data = tensors[value[0]]
        _check(type(data) is Tensor and data.dtype is _dtype.uint8 and data.dim() == 1
               and not data.requires_grad, "bad storage data")
        untyped = data.untyped_storage()  # one object however often the storage appears
        untyped._fixed = False  # the bytes tensor stays internal: the storage may be resized
        if value[1] is None:
            return untyped
        return TypedStorage(wrap_storage=untyped, dtype=_dtype._BY_NAME[value[1]], _internal=True)
    raise _Corrupt(f"unknown node type {kind!r}")


def _hashable(key):
    try:
        hash(key)
    except TypeError:
        return False
    return True


def _read_checkpoint(fileobj, start, name):
    """Parse and verify the archive: (the JSON document, one host array per tensor entry)."""
    head = fileobj.read(64)
    size = fileobj.seek(0, io.SEEK_END) - start
    fileobj.seek(start)
    if not head:
        raise LoadError(f"{name} is not an nptorch checkpoint: the file is empty")
    if _is_pickle(head):
        raise LoadError(_PICKLE_MESSAGE.format(name))
    ours = _is_ours(head)
    try:
        with zipfile.ZipFile(fileobj) as zf:
            names = zf.namelist()
            if any(n.endswith(".pkl") for n in names):
                raise LoadError(_PICKLE_MESSAGE.format(name))
            if not ours or _MAGIC not in names:
                raise LoadError(f"{name} is not an nptorch checkpoint")
            with _open_member(zf, _MAGIC, 16) as member:
                version = member.read().decode("ascii")
            _check(version.isdigit(), "bad format version entry")
            if int(version) != FORMAT_VERSION:
                raise LoadError(f"{name} has unsupported format version {int(version)}; this "
                                f"nptorch reads format version {FORMAT_VERSION}")
            with _open_member(zf, _DOC, size) as member:
                doc = json.loads(member.read().decode("utf-8"))
            _check(isinstance(doc, dict) and set(doc) == {"root", "tensors"}
                   and isinstance(doc["tensors"], list), f"bad {_DOC}")
            for entry in doc["tensors"]:
                _check_entry(entry)
            arrays = [_read_npy(zf, f"tensors/{i}.npy", entry, size)
                      for i, entry in enumerate(doc["tensors"])]
            return doc, arrays
    except LoadError:
        raise
    except zipfile.BadZipFile as e:
        if ours:
            raise LoadError(f"corrupt checkpoint: {name} is damaged or truncated ({e})") from None
        raise LoadError(f"{name} is not an nptorch checkpoint") from None
    except Exception as e:  # any failure while parsing untrusted bytes is a damaged file
        raise LoadError(f"corrupt checkpoint: {name} is damaged ({_reason(e)})") from None


def _reason(e):
    return str(e) or type(e).__name__


def _mover(map_location):
    """A function (array, saved device name) -> Tensor on the device chosen by map_location."""
    if callable(map_location) and not isinstance(map_location, (str, _device_cls)):
        def move(array, location):
            t = Tensor._make(array)
            out = map_location(t, location)
            if out is None:
                return _to(t, location)
            if not isinstance(out, Tensor):
                raise TypeError(f"load(): map_location returned {type(out).__name__}, expected "
                                "a Tensor or None")
            return out
        return move
    if isinstance(map_location, dict):
        return lambda array, location: _to(Tensor._make(array),
                                           map_location.get(location, location))
    if map_location is not None:
        target = to_device(map_location)
        return lambda array, location: Tensor._make(array).to(target)
    return lambda array, location: _to(Tensor._make(array), location)


def _to(t, location):
    target = to_device(location)
    if target.type == "cuda":
        from . import cuda
        if not cuda.is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                "is False. If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU.")
    return t.to(target)


def load(f, map_location=None, weights_only=True):
    """Load an object saved by :func:`save`.

    Args:
        f: a path (str or os.PathLike) or a readable binary file object.
        map_location: where tensors go: None (the device they were saved from), a device or
            device string, a dict mapping saved locations to new ones (``{'cuda:0': 'cpu'}``),
            or a callable ``(tensor, location)`` returning a tensor (or None to keep the saved
            location).
        weights_only: accepted for PyTorch compatibility; loading is always restricted to data
            (no code from the file is ever executed).

    Raises:
        LoadError: the file is not an nptorch checkpoint (a pickle / ``torch.save`` file included),
            is damaged or truncated, or has an unsupported format version.
    """
    from .nn.parameter import Parameter
    fileobj, start, owned = _open_source(f)
    name = repr(os.fsdecode(f)) if owned and not hasattr(f, "read") else "the file"
    try:
        doc, arrays = _read_checkpoint(fileobj, start, name)
    finally:
        if owned:
            fileobj.close()
    move = _mover(map_location)
    tensors = []
    for entry, array in zip(doc["tensors"], arrays):
        data = move(array, entry["device"])._data
        t = Tensor._make(data)
        tensors.append(Parameter(t, entry["requires_grad"]) if entry["parameter"]
                       else t.requires_grad_(entry["requires_grad"]))
    try:
        return _decode(doc["root"], tensors)
    except (_Corrupt, RecursionError, ValueError, TypeError, RuntimeError) as e:
        raise LoadError(f"corrupt checkpoint: {name} is damaged ({_reason(e)})") from None


# -- safetensors ---------------------------------------------------------------------------------
_ST_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64,
              "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
_ST_NAMES = {np.dtype(v): k for k, v in _ST_DTYPES.items()}
_ST_MAX_HEADER = 100 * 1024 * 1024


def save_safetensors(tensors, path, metadata=None):
    """Save a dict of named tensors in the safetensors format (readable by ``safetensors.torch``).

    Args:
        tensors: dict mapping str names to tensors (moved to the host; stored contiguous).
        path: a path (written atomically) or a writable binary file object.
        metadata: optional dict of str to str, stored as the header's ``__metadata__``.
    """
    if not isinstance(tensors, dict):
        raise TypeError(f"save_safetensors(): tensors must be a dict of str to Tensor, but got "
                        f"{type(tensors).__name__}")
    for k, v in tensors.items():
        if not isinstance(k, str) or not isinstance(v, Tensor):
            raise TypeError(f"save_safetensors(): tensors must be a dict of str to Tensor, but "
                            f"got an item ({type(k).__name__}, {type(v).__name__})")
    if "__metadata__" in tensors:
        raise ValueError("save_safetensors(): '__metadata__' is reserved and cannot name a tensor")
    if metadata is not None and not (isinstance(metadata, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise TypeError("save_safetensors(): metadata must be a dict of str to str")
    arrays = {k: _host_array(v) for k, v in tensors.items()}
    header = {} if metadata is None else {"__metadata__": dict(metadata)}
    offset = 0
    for k, a in arrays.items():
        header[k] = {"dtype": _ST_NAMES[a.dtype], "shape": list(a.shape),
                     "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)  # the data starts 8-byte aligned, as safetensors writes it

    def write(fileobj):
        fileobj.write(struct.pack("<Q", len(raw)) + raw)
        for a in arrays.values():
            fileobj.write(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes())

    if isinstance(path, (str, bytes, os.PathLike)):
        _write_atomic(path, write)
    elif hasattr(path, "write"):
        write(path)
    else:
        raise TypeError(f"save_safetensors(): path must be a path or a writable binary file "
                        f"object, but got {type(path).__name__}")


def _st_header(fileobj, size):
    _check(size >= 8, "the file is shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", fileobj.read(8))
    _check(n <= min(size - 8, _ST_MAX_HEADER), f"header length {n} exceeds the file")
    header = json.loads(fileobj.read(n).decode("utf-8"))
    _check(isinstance(header, dict), "the header is not a JSON object")
    meta = header.pop("__metadata__", None)
    _check(meta is None or (isinstance(meta, dict) and all(
        isinstance(v, str) for v in meta.values())), "bad __metadata__")
    spans = []
    for name, info in header.items():
        _check(isinstance(info, dict) and set(info) == {"dtype", "shape", "data_offsets"},
               f"bad entry for tensor {name!r}")
        shape, offsets = info["shape"], info["data_offsets"]
        _check(isinstance(shape, list) and all(type(s) is int and s >= 0 for s in shape),
               f"bad shape for tensor {name!r}")
        _check(isinstance(offsets, list) and len(offsets) == 2
               and all(type(o) is int for o in offsets), f"bad data_offsets for tensor {name!r}")
        if info["dtype"] not in _ST_DTYPES:
            raise LoadError(f"tensor {name!r} has safetensors dtype {info['dtype']!r}, which "
                            f"nptorch does not support (supported: {', '.join(_ST_DTYPES)})")
        nbytes = math.prod(shape) * np.dtype(_ST_DTYPES[info["dtype"]]).itemsize
        _check(offsets[1] - offsets[0] == nbytes,
               f"data_offsets of tensor {name!r} do not match its dtype and shape")
        spans.append(offsets)
    # As safetensors requires: the tensors tile the data section exactly, without gaps or overlap.
    end = 0
    for begin, stop in sorted(spans):
        _check(begin == end, "the tensors' data_offsets leave gaps or overlap")
        end = stop
    _check(8 + n + end == size, "the data section does not match the header")
    return 8 + n, header


def load_safetensors(path, device="cpu"):
    """Load a safetensors file (as written by ``safetensors.torch.save_file``) into a dict.

    Args:
        path: a path or a readable binary file object.
        device: where the tensors go.
    """
    fileobj, start, owned = _open_source(path)
    try:
        size = fileobj.seek(0, io.SEEK_END) - start
        fileobj.seek(start)
        try:
            base, header = _st_header(fileobj, size)
            arrays = {}
            for name, info in header.items():
                begin, end = info["data_offsets"]
                fileobj.seek(start + base + begin)
                buf = bytearray(end - begin)
                _check(fileobj.readinto(buf) == len(buf), f"tensor {name!r} is truncated")
                dtype = np.dtype(_ST_DTYPES[info["dtype"]]).newbyteorder("<")
                arrays[name] = np.frombuffer(buf, dtype).reshape(info["shape"]).astype(
                    dtype.newbyteorder("="), copy=False)
        except LoadError:
            raise
        except Exception as e:
            raise LoadError(f"corrupt safetensors file: {_reason(e)}") from None
    finally:
        if owned:
            fileobj.close()
    target = to_device(device)
    return {k: Tensor._make(a).to(target) for k, a in arrays.items()}
