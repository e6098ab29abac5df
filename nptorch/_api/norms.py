"""``renorm``: sub-tensors rescaled to a maximum norm."""
from .._functions._utils import wrap_dim
from .reduction import _integral, norm, scalar_type_name
from ..amp._policy import autocast_op


@autocast_op("renorm")
def renorm(input, p, dim, maxnorm):
    """``input`` with each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled
    down to norm ``maxnorm`` (PyTorch's ``maxnorm / (norm + 1e-7)``)."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    ndim = input._data.ndim
    if ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {ndim} dimensions")
    if _integral(input):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {scalar_type_name(input)}")
    dim = wrap_dim(dim, ndim)
    norms = norm(input, p, [d for d in range(ndim) if d != dim], keepdim=True)
    factor = (maxnorm / (norms + 1e-7)).where(norms > maxnorm, norms.new_ones(()))
    return input * factor


METHODS = FUNCTIONS = {"renorm": renorm}
INPLACE = {"renorm_": renorm}
