"""Muon: momentum updates orthogonalized by a Newton-Schulz iteration, for 2-D parameters."""
import math

from .. import _dtype
from .._api.creation import zeros_like
from .._api.linalg import addmm
from .._tensor import Tensor
from ._groupwise import GroupwiseOptimizer

# the quintic Newton-Schulz iteration's constants (Keller Jordan's Muon)
EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _round_to_bfloat16(t):
    """``t`` rounded to the nearest bfloat16 value (ties to even), kept as float32.

    PyTorch runs the Newton-Schulz iteration in bfloat16; rounding each float32 result the
    way a bfloat16 result is rounded gives the same numbers.
    """
    bits = t.to(_dtype.float32).view(_dtype.int32)
    bits = (bits + (((bits >> 16) & 1) + 0x7FFF)) & -0x10000
    return bits.view(_dtype.float32)


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """An approximately orthogonal matrix with ``grad``'s singular vectors (``U S' V^T`` with
    ``S'`` near 1), from ``ns_steps`` quintic Newton-Schulz iterations in bfloat16 precision."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    bf16 = _round_to_bfloat16
    ortho = bf16(grad)
    tall = grad.size(0) > grad.size(1)
    if tall:
        ortho = ortho.T
    # spectral norm at most 1
    ortho = bf16(ortho / bf16(bf16(ortho.norm()).clamp(min=eps)))
    for _ in range(ns_steps):
        gram = bf16(ortho @ ortho.T)
        gram_update = bf16(addmm(gram, gram, gram, beta=b, alpha=c))
        ortho = bf16(addmm(ortho, gram_update, ortho, beta=a))
    return ortho.T if tall else ortho


def _adjust_lr(lr, adjust_lr_fn, param_shape):
    """The learning rate scaled for the shape ``(A, B)``: by ``sqrt(max(1, A / B))``
    ("original", the default) or ``0.2 * sqrt(max(A, B))`` ("match_rms_adamw")."""
    A, B = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, A / B))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(A, B))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(GroupwiseOptimizer):
    """Implements the Muon algorithm for 2-D parameters.

    The momentum buffer (Nesterov by default) is orthogonalized by ``ns_steps`` Newton-Schulz
    iterations with coefficients ``ns_coefficients`` in bfloat16 precision, weight decay is
    decoupled (``p *= 1 - lr * weight_decay``), and the step is ``lr`` scaled by
    ``adjust_lr_fn``. Other parameters (biases, embeddings) belong to another optimizer.
    """

    _algorithm = "Muon"

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS,
                 ns_steps=DEFAULT_NS_STEPS, adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum,
                                      nesterov=nesterov, ns_coefficients=ns_coefficients,
                                      eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn))
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    def _init_state(self, p, state, group):
        state["momentum_buffer"] = zeros_like(p.grad)

    def _update_group(self, params, group):
        for p in params:
            self._muon_update(p, self.state[p]["momentum_buffer"], group)

    @staticmethod
    def _muon_update(p, buf, group):
        grad = p.grad
        if grad.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        lr, momentum = float(group["lr"]), group["momentum"]
        buf.lerp_(grad, 1 - momentum)
        update = grad.lerp(buf, momentum) if group["nesterov"] else buf
        update = _zeropower_via_newtonschulz(update, group["ns_coefficients"], group["ns_steps"],
                                             group["eps"])
        adjusted_lr = _adjust_lr(lr, group["adjust_lr_fn"], p.shape)
        p.mul_(1 - lr * group["weight_decay"])
        p.add_(update, alpha=-adjusted_lr)
