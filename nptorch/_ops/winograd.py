"""3x3, stride-1 convolutions by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray,
"Fast Algorithms for Convolutional Neural Networks", 2016).

Each 2x2 output block is ``A^T [(G g G^T) * (B^T d B)] A`` for the 4x4 input block ``d`` under
it and each 3x3 kernel ``g``: the sum over input channels becomes 16 matrix products, one per
place ``xi`` of the 4x4 transformed tile, of the transformed weight (O, C) by the transformed
tiles (C, tiles), with 2.25x fewer multiplications than im2col's product. The input gradient
is the same convolution of the output gradient with the flipped, transposed weight; the weight
gradient is ``G^T [sum over tiles of (A e A^T) * (B^T d B)] G`` for the output-gradient blocks
``e``: 16 products again.
"""
import numpy as np

from . import checks
from .checks import FLOATS
from .chunked_conv import flipped_kernel, images_per_chunk

G = np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]])
# G g G^T of a 3x3 kernel g is KRON @ g.ravel() (as 4x4, raveled): a matrix product transforms
# all kernels at once
KRON = np.kron(G, G)

# the extra bytes of one chunk of images (their transformed tiles and products). Single-threaded,
# 1-4 MiB measured alike; with two threads, smaller chunks ran up to 2x slower (each chunk wakes
# the OpenMP threads of the transforms and BLAS's threads in turn).
CHUNK_BYTES = 1 << 22


def input_transform(d):
    """B^T d for the four rows (or columns) ``d``, B^T = [[1, 0, -1, 0], [0, 1, 1, 0],
    [0, -1, 1, 0], [0, 1, 0, -1]]."""
    return d[0] - d[2], d[1] + d[2], d[2] - d[1], d[1] - d[3]


def output_transform(m):
    """A^T m for the four rows (or columns) ``m``, A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]."""
    return m[0] + m[1] + m[2], m[1] - m[2] - m[3]


def output_adjoint(e):
    """A e for the two rows (or columns) ``e``: the adjoint of ``output_transform``."""
    return e[0], e[0] + e[1], e[0] - e[1], -e[1]


def tiles(OH, OW):
    """The (TH, TW) tiles of 2x2 output blocks that cover an (OH, OW) output."""
    return -(-OH // 2), -(-OW // 2)


class WinogradConvolution:
    """Mixin: ``conv2d``, ``conv2d_input`` and ``conv2d_weight`` by Winograd where they fit
    (3x3 kernel, stride 1, no dilation, one group, float32 or float64, enough input and output
    channels; input gradients of padding up to 2), by the next class's methods otherwise.

    The class supplies ``xp`` and the tile transforms (contiguous arrays; TH, TW from ``tiles``;
    transformed tiles laid out (16, channels, N*TH*TW), tiles numbered (n, th, tw)):
    ``winograd_input(x, v, PH, PW, TH, TW)``: ``v`` = B^T d B of the 4x4 blocks of ``x``
    (N, C, H, W) at rows 2 th - PH + 0..3 and columns 2 tw - PW + 0..3, zero outside ``x``;
    ``winograd_output(m, y, bias, TH, TW)``: ``y`` (N, O, OH, OW) = A^T m A + bias, cut to
    (OH, OW); ``winograd_output_adjoint(g, v, TH, TW)``: ``v`` = A e A^T of the 2x2 blocks e of
    ``g`` (N, O, OH, OW), zero past its edges.
    """

    # With fewer channels (twice as many on planes under 16x16) the transforms cost more than
    # the products save (measured single-threaded against im2col).
    WINOGRAD_MIN_CHANNELS = 16

    def _winograd_fits(self, a, b, win, groups, channels):
        """Whether Winograd runs on the 4-D arrays ``a`` and ``b`` with ``channels`` (the input
        and output channel counts, read before the ranks are known to be 4)."""
        return (a.ndim == b.ndim == 4 and groups == 1
                and (win.KH, win.KW, win.SH, win.SW, win.DH, win.DW) == (3, 3, 1, 1, 1, 1)
                and a.dtype in FLOATS and b.dtype == a.dtype
                and min(channels) >= self.WINOGRAD_MIN_CHANNELS * (
                    1 if a.shape[2] * a.shape[3] >= 256 else 2))

    def conv2d(self, x, w, bias, OH, OW, win, groups):
        if not self._winograd_fits(x, w, win, groups, w.shape[:2]):
            return super().conv2d(x, w, bias, OH, OW, win, groups)
        checks.conv2d(x, w, win, groups, OH, OW)
        return self._winograd_conv2d(x, w, bias, OH, OW, win.PH, win.PW)

    def conv2d_input(self, gy, w, H, W, win, groups):
        if (win.PH > 2 or win.PW > 2
                or not self._winograd_fits(gy, w, win, groups, w.shape[:2])):
            return super().conv2d_input(gy, w, H, W, win, groups)
        checks.conv2d_input(gy, w, H, W, win, groups)
        return self._winograd_conv2d(gy, flipped_kernel(w, 1), None, H, W, 2 - win.PH,
                                     2 - win.PW)

    def conv2d_weight(self, x, gy, win, groups):
        if not self._winograd_fits(x, gy, win, groups, x.shape[1:2] + gy.shape[1:2]):
            return super().conv2d_weight(x, gy, win, groups)
        N, C, O, OH, OW = checks.conv2d_weight(x, gy, win, groups)
        xp = self.xp
        TH, TW = tiles(OH, OW)
        x, gy = xp.ascontiguousarray(x), xp.ascontiguousarray(gy)
        products = xp.zeros((16, O, C), x.dtype)
        for images, v, m in self._winograd_chunks(N, C, O, TH, TW, x.dtype):
            self.winograd_input(x[images], v, win.PH, win.PW, TH, TW)
            self.winograd_output_adjoint(gy[images], m, TH, TW)
            products += xp.matmul(m, v.swapaxes(1, 2))
        return (products.reshape(16, -1).T @ xp.asarray(KRON, x.dtype)).reshape(O, C, 3, 3)

    def _winograd_conv2d(self, x, w, bias, OH, OW, PH, PW):
        """``x`` (N, C, H, W) convolved with ``w`` (O, C, 3, 3) at padding (PH, PW), plus ``bias``
        (O,) or None: (N, O, OH, OW)."""
        xp = self.xp
        (N, C), O = x.shape[:2], w.shape[0]
        TH, TW = tiles(OH, OW)
        u = (xp.asarray(KRON, x.dtype) @ w.reshape(O * C, 9).T).reshape(16, O, C)
        bias = xp.zeros(O, x.dtype) if bias is None else xp.ascontiguousarray(bias)
        x = xp.ascontiguousarray(x)
        y = xp.empty((N, O, OH, OW), x.dtype)
        for images, v, m in self._winograd_chunks(N, C, O, TH, TW, x.dtype):
            self.winograd_input(x[images], v, PH, PW, TH, TW)
            xp.matmul(u, v, out=m)
            self.winograd_output(m, y[images], bias, TH, TW)
        return y

    def _winograd_chunks(self, N, C, O, TH, TW, dtype):
        """``(images, v (16, C, B*TH*TW), m (16, O, B*TH*TW))`` for chunks of B images, in two
        reused buffers."""
        per_image = 16 * (C + O) * TH * TW * dtype.itemsize
        B = images_per_chunk(N, per_image, CHUNK_BYTES)
        v_buffer = self.xp.empty(16 * C * B * TH * TW, dtype)
        m_buffer = self.xp.empty(16 * O * B * TH * TW, dtype)
        for n in range(0, N, B):
            T = (min(N, n + B) - n) * TH * TW
            yield (slice(n, n + B), v_buffer[:16 * C * T].reshape(16, C, T),
                   m_buffer[:16 * O * T].reshape(16, O, T))
