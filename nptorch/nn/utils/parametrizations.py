"""Ready-made parametrizations: ``orthogonal``, ``weight_norm`` and ``spectral_norm``."""
from ..._api.creation import eye, randn, zeros_like
from ..._api.decompositions import geqrf, householder_product, qr, solve
from ..._api.linalg import dot, mv
from ..._api.math import allclose
from ..._api.matrix_functions import matrix_exp
from ..._api.shape import cat
from ..._tensor import Tensor
from ..._typeinfo import finfo
from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..modules.module import Module
from . import parametrize
from .spectral_norm import _check_n_power_iterations, _default_dim, _weight_to_matrix
from .weight_norm import _norm_except_dim, _weight_norm

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _has_orthonormal_columns(Q):
    n, k = Q.shape[-2:]
    eye_k = eye(k, dtype=Q.dtype, device=Q.device)
    return allclose(Q.mT @ Q, eye_k, atol=10.0 * n * finfo(Q.dtype).eps)


def _q_of_qr(A):
    """The ``Q`` of ``A = QR`` with the signs chosen so that ``R`` has a non-negative diagonal."""
    Q, R = qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sign().unsqueeze(-2)


class _Orthogonal(Module):
    """Map a matrix (or a batch of them) of unconstrained entries to one with orthonormal
    columns, or rows when it is wide. With the trivialization, the result is ``base @ map(X)``,
    the buffer ``base`` being set by ``right_inverse``."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        transposed = X.size(-2) < X.size(-1)
        if transposed:
            X = X.mT
        n, k = X.shape[-2:]
        if self.orthogonal_map == "householder":
            A = X.tril(-1)
            Q = householder_product(A, 2.0 / (1.0 + (A * A).sum(dim=-2)))
            # the diagonal of X holds the column signs (+-1); the cast keeps it out of autograd
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        else:
            # a skew-symmetric n x n matrix from the n*k - k*(k-1)/2 entries of X's lower part
            X = X.tril()
            if n != k:
                X = F.pad(X, (0, n - k))
            A = X - X.mT
            if self.orthogonal_map == "matrix_exp":
                Q = matrix_exp(A)
            else:  # the Cayley map (I + A/2)(I - A/2)^-1
                Id = eye(n, dtype=A.dtype, device=A.device)
                Q = solve(Id - 0.5 * A, Id + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        if hasattr(self, "base"):
            Q = self.base @ Q
        return Q.mT if transposed else Q

    @no_grad()
    def right_inverse(self, Q):
        if Q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {Q.shape}.")
        weight = Q
        transposed = Q.size(-2) < Q.size(-1)
        if transposed:
            Q = Q.mT
        n, k = Q.shape[-2:]
        if not hasattr(self, "base"):
            if self.orthogonal_map != "householder":
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential "
                    "or the Cayley parametrizations when use_trivialization=False.")
            # the reflectors of Q's QR, and on the diagonal the signs of diag(R), so that the
            # map gives back Q when its columns are orthonormal (the Q of its QR otherwise)
            A, tau = geqrf(Q)
            A.diagonal(dim1=-2, dim2=-1).sign_()
            # LAPACK's tau is exactly 0 where it skips a reflection: undo its -1 there
            A.diagonal(dim1=-2, dim2=-1)[tau == 0.0] *= -1
            return A.mT if transposed else A
        if n == k and _has_orthonormal_columns(Q):
            self.base = Q.clone()
        else:
            # complete Q to a square matrix with random columns
            N = randn(*Q.shape[:-2], n, n - k, dtype=Q.dtype, device=Q.device)
            self.base = _q_of_qr(cat([Q, N], dim=-1))
        # every map sends -I to I (Householder: reflections along e_i, then the -1 signs), so
        # the weight becomes the first columns of base
        minus_identity = zeros_like(weight)
        minus_identity.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return minus_identity


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Parametrize ``module.<name>``, a matrix or a batch of matrices ``(..., m, n)``, to have
    orthonormal columns (``Q^T Q = I``) when ``m >= n`` and orthonormal rows otherwise.

    ``orthogonal_map`` is ``"matrix_exp"`` or ``"cayley"`` (applied to a skew-symmetric matrix
    built from the original) or ``"householder"`` (a product of Householder reflections); the
    default is ``"matrix_exp"`` for square matrices and ``"householder"`` otherwise.

    With ``use_trivialization=True`` the result is multiplied by the orthogonal buffer
    ``module.parametrizations.<name>[0].base``, which assigning to ``module.<name>`` resets.
    The initial weight is the tensor itself when it is orthogonal and the ``Q`` of its QR
    decomposition otherwise (when ``use_trivialization=True`` or the map is ``"householder"``;
    otherwise the map applied to it). Only real dtypes exist in nptorch, so the unitary
    (complex) case is not supported.
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. "
                         f"Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.size(-2) == weight.size(-1) else "householder"
    if orthogonal_map not in ("matrix_exp", "cayley", "householder"):
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    parametrization = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, parametrization, unsafe=True)
    return module


class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return _norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrize ``module.<name>`` as ``g * v / ||v||``: ``original0`` holds the magnitude
    ``g`` (norms over every dimension but ``dim``; the whole norm if ``dim`` is None) and
    ``original1`` the direction ``v``.

    Example::

        >>> m = weight_norm(nn.Linear(20, 40))
        >>> m.parametrizations.weight.original0.size()
        torch.Size([40, 1])
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def load_old_checkpoint(state_dict, prefix, local_metadata, strict, missing_keys,
                            unexpected_keys, error_msgs):
        """Accept the ``<name>_g`` / ``<name>_v`` keys of the hook-based weight_norm."""
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(load_old_checkpoint)
    return module


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        _check_n_power_iterations(n_power_iterations)
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = _weight_to_matrix(weight, self.dim)
            h, w = weight_mat.size()
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            # start from a good estimate of the top singular vectors
            self._power_method(weight_mat, 15)

    def _power_method(self, weight_mat, n_power_iterations):
        with no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(mv(weight_mat, self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(mv(weight_mat.t(), self._u), dim=0, eps=self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = _weight_to_matrix(weight, self.dim)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        # clones: the buffers change in place at the next training forward
        u, v = self._u.clone(), self._v.clone()
        return weight / dot(u, mv(weight_mat, v))

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its largest singular value, estimated by power iteration
    (``n_power_iterations`` steps per training access; none in eval mode).

    The power-iteration vectors are the buffers ``_u`` and ``_v`` of
    ``module.parametrizations.<name>[0]``. ``dim`` (default 0, 1 for transposed convolutions)
    is the dimension that becomes the rows of the matrix.
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = _default_dim(module)
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
