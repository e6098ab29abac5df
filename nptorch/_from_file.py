"""``from_file``: a 1-D CPU tensor over the bytes of a file, mapped into memory."""
import os

from . import _dtype
from ._api.creation import empty
from ._device import to_device
from ._typename import type_name
from .storage import UntypedStorage


def _check_arg(name, position, value, kind, kind_name):
    if not isinstance(value, kind):
        raise TypeError(f"from_file(): argument '{name}' (position {position}) must be "
                        f"{kind_name}, not {type_name(value)}")


def from_file(filename, shared=None, size=0, *, dtype=None, layout=None, device=None,
              pin_memory=False, requires_grad=False):
    """The first ``size`` elements of ``dtype`` (the default dtype if None) stored in
    ``filename``, on the CPU whatever the default device (``layout`` is strided). With
    ``shared`` the file is mapped shared: writes to the tensor go to the file, which is created
    or extended to the size needed; without, the file must hold the ``size`` elements and
    writes stay private."""
    _check_arg("filename", 1, filename, (str, bytes), "str")
    if shared is not None:
        _check_arg("shared", 2, shared, bool, "bool")
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError(f"from_file(): argument 'size' must be int, not {type_name(size)}")
    dtype = _dtype.get_default_dtype() if dtype is None else dtype
    dev = to_device(device)
    if dev is not None and dev.type != "cpu":
        raise NotImplementedError("Could not run 'aten::from_file' with arguments from the "
                                  f"'{dev.type.upper()}' backend.")
    if pin_memory:
        raise RuntimeError("tensors constructed from a file cannot be pinned")
    nbytes = size * dtype.itemsize
    if nbytes < 0:
        raise RuntimeError(f"unable to mmap {nbytes} bytes from file <{os.fsdecode(filename)}>: "
                           "Cannot allocate memory (12)")
    storage = UntypedStorage.from_file(filename, bool(shared), nbytes)
    return empty(0, dtype=dtype, device="cpu").set_(storage).requires_grad_(requires_grad)
