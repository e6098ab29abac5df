"""The op library's public face: ``nptorch.<op>`` functions and Tensor methods.

Each module lists its ``FUNCTIONS`` (exported as ``nptorch.<name>``), ``METHODS`` (attached to
Tensor) and optionally ``INPLACE`` (Tensor methods ``<name>_`` built from out-of-place ops),
with ``INPLACE_UFUNCS`` naming the ufunc of the ops that may write straight into the tensor
(and ``KERNELS`` the array kernels of others, with how many tensors they take first).
"""
from .._ops import updates
from .._tensor import Tensor
from . import (broadcast, constants, convert, copies, creation, decompositions, factories,
               flags, indexing, interop, linalg, linalg_compat, lowrank, math, matrix_functions,
               memory, norms, numeric, properties, reduction, sampling, scattering, searching,
               segments, shape, splitting, strided, structured, symbolic)
from ._inplace import apply_inplace, apply_inplace_kernel, apply_inplace_ufunc

MODULES = [convert, creation, math, sampling, reduction, shape, broadcast, linalg, indexing,
           decompositions, matrix_functions, splitting, structured, scattering, searching, norms,
           properties, numeric, interop, factories, copies, strided, flags, lowrank,
           linalg_compat, memory, constants, symbolic, segments]

KERNELS = {math.addcmul: (updates.addcmul, 2), math.addcdiv: (updates.addcdiv, 2),
           math.lerp: (updates.lerp, 1)}


def _inplace_method(name, fn, ufunc=None):
    kernel = KERNELS.get(fn)

    def method(self, *args, **kwargs):
        if ufunc is not None and len(args) == 1:
            return apply_inplace_ufunc(self, ufunc, fn, args[0], **kwargs)
        if kernel is not None:
            return apply_inplace_kernel(self, *kernel, fn, *args, **kwargs)
        return apply_inplace(self, fn, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = f"In-place version of ``{fn.__name__}``."
    return method


def _attach():
    functions = {}
    for module in MODULES:
        for name, fn in getattr(module, "METHODS", {}).items():
            setattr(Tensor, name, fn)
        ufuncs = getattr(module, "INPLACE_UFUNCS", {})
        for name, fn in getattr(module, "INPLACE", {}).items():
            setattr(Tensor, name, _inplace_method(name, fn, ufuncs.get(fn)))
        functions.update(getattr(module, "FUNCTIONS", {}))
    return functions


FUNCTIONS = _attach()
