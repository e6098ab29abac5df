"""Convolution columns formed a chunk of images at a time: shared by the compiled twins."""


class ChunkedColumns:
    """Mixin of ``CythonOps`` and ``CupyOps``: im2col columns for a few images at a time in one
    reused buffer, bounding the extra memory of a large batch. The class supplies ``xp``,
    ``CHUNK_BYTES`` and ``_im2col(x, col, win)`` (contiguous images into their columns)."""

    def _chunk(self, N, per_image):
        """Images per chunk: as many as fit in CHUNK_BYTES (``per_image`` bytes each), at least
        one."""
        return max(1, min(N, self.CHUNK_BYTES // max(1, per_image)))

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
