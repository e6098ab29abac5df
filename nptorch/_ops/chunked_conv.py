"""im2col / col2im and convolution over columns formed a chunk of images at a time: shared by
the compiled twins (``CythonOps`` on the CPU, ``CupyOps`` on CUDA)."""
from . import checks
from .checks import FLOATS


def images_per_chunk(N, per_image, budget):
    """Images per chunk: as many of the ``N`` as fit in ``budget`` bytes (``per_image`` bytes
    each), at least one."""
    return max(1, min(N, budget // max(1, per_image)))


def flipped_kernel(w, groups):
    """``w`` (O, C/groups, KH, KW) flipped spatially and transposed within each group:
    (C, O/groups, KH, KW), the weight of the convolution of the output gradient that gives a
    stride-1 convolution's input gradient (at padding ``dilation * (K - 1) - padding``)."""
    O, Cg, KH, KW = w.shape
    flipped = w.reshape(groups, O // groups, Cg, KH, KW)[..., ::-1, ::-1]
    return flipped.swapaxes(1, 2).reshape(groups * Cg, O // groups, KH, KW)


class ChunkedConvolution:
    """Mixin: convolution and its two gradients as matrix products against im2col columns of a
    few images at a time in one reused buffer, which bounds the extra memory of a large batch
    (backward recomputes the columns instead of saving them). The class supplies ``xp``,
    ``CHUNK_BYTES``, ``_im2col(x, col, win)`` and ``_col2im(col, x, win)`` (contiguous arrays;
    col2im writes every element of ``x``)."""

    def im2col(self, x, OH, OW, win):
        if x.dtype not in FLOATS:
            return super().im2col(x, OH, OW, win)
        checks.windowed("im2col", x, OH, OW, win)
        col = self.xp.empty(x.shape[:2] + (win.KH, win.KW, OH, OW), x.dtype)
        self._im2col(self.xp.ascontiguousarray(x), col, win)
        return col

    def col2im(self, col, H, W, win):
        if col.dtype not in FLOATS:
            return super().col2im(col, H, W, win)
        checks.columns(col, H, W, win)
        x = self.xp.empty(col.shape[:2] + (H, W), col.dtype)
        self._col2im(self.xp.ascontiguousarray(col), x, win)
        return x

    def _chunk(self, N, per_image):
        return images_per_chunk(N, per_image, self.CHUNK_BYTES)

    def _chunks(self, x, OH, OW, win, groups):
        """``(images, columns (B, groups, C/groups*KH*KW, OH*OW))`` for chunks of images of ``x``;
        a 1x1 convolution with stride 1 and no padding uses the images themselves as columns."""
        N, C, H, W = x.shape
        if (win.KH == win.KW == win.SH == win.SW == 1 and win.PH == win.PW == 0
                and (OH, OW) == (H, W)):
            yield slice(None), x.reshape(N, groups, C // groups, H * W)
            return
        B = self._chunk(N, C * win.KH * win.KW * OH * OW * x.itemsize)
        buffer = self.xp.empty((B, C, win.KH, win.KW, OH, OW), x.dtype)
        for n in range(0, N, B):
            col = buffer[:min(B, N - n)]
            self._im2col(x[n:n + B], col, win)
            yield slice(n, n + B), col.reshape(len(col), groups, -1, OH * OW)

    def conv2d(self, x, w, bias, OH, OW, win, groups):
        if x.dtype not in FLOATS or w.dtype != x.dtype:
            return super().conv2d(x, w, bias, OH, OW, win, groups)
        checks.conv2d(x, w, win, groups, OH, OW)
        xp = self.xp
        N, O = x.shape[0], w.shape[0]
        y = xp.empty((N, O, OH, OW), x.dtype)
        yg = y.reshape(N, groups, O // groups, OH * OW)
        wg = xp.ascontiguousarray(w).reshape(groups, O // groups, -1)
        if bias is not None:  # added as whole planes: NumPy's broadcast of one value is slower
            bias_planes = xp.repeat(bias, OH * OW).reshape(O, OH, OW)
        for images, col in self._chunks(xp.ascontiguousarray(x), OH, OW, win, groups):
            xp.matmul(wg, col, out=yg[images])
            if bias is not None:  # while the images are still in cache
                y[images] += bias_planes
        return y

    def conv2d_input(self, gy, w, H, W, win, groups):
        if gy.dtype not in FLOATS or w.dtype != gy.dtype:
            return super().conv2d_input(gy, w, H, W, win, groups)
        return self._input_grad_by_columns(gy, w, H, W, win, groups,
                                           checks.conv2d_input(gy, w, H, W, win, groups))

    def _input_grad_by_columns(self, gy, w, H, W, win, groups, sizes):
        """The input gradient as columns w^T @ gy, then col2im; ``sizes`` are
        ``checks.conv2d_input``'s."""
        N, O, OH, OW, C = sizes
        KH, KW = w.shape[2:]
        xp = self.xp
        gx = xp.empty((N, C, H, W), gy.dtype)
        wt = xp.ascontiguousarray(w).reshape(groups, O // groups, -1).swapaxes(1, 2)
        gyg = xp.ascontiguousarray(gy).reshape(N, groups, O // groups, OH * OW)
        B = self._chunk(N, C * KH * KW * OH * OW * gy.itemsize)
        buffer = xp.empty((B, groups, C // groups * KH * KW, OH * OW), gy.dtype)
        for n in range(0, N, B):
            col = buffer[:min(B, N - n)]
            xp.matmul(wt, gyg[n:n + B], out=col)
            self._col2im(col.reshape(len(col), C, KH, KW, OH, OW), gx[n:n + B], win)
        return gx

    def conv2d_weight(self, x, gy, win, groups):
        if x.dtype not in FLOATS or gy.dtype != x.dtype:
            return super().conv2d_weight(x, gy, win, groups)
        N, C, O, OH, OW = checks.conv2d_weight(x, gy, win, groups)
        xp = self.xp
        gyg = xp.ascontiguousarray(gy).reshape(N, groups, O // groups, OH * OW)
        # accumulated transposed: (K, O) += columns @ gy^T runs faster than its transpose on
        # the CPU
        gwt = xp.zeros((groups, C // groups * win.KH * win.KW, O // groups), x.dtype)
        for images, col in self._chunks(xp.ascontiguousarray(x), OH, OW, win, groups):
            gwt += xp.matmul(col, gyg[images].swapaxes(2, 3)).sum(0)
        return xp.ascontiguousarray(gwt.swapaxes(1, 2)).reshape(O, C // groups, win.KH, win.KW)
