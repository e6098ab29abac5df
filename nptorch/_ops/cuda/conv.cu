/* im2col / col2im: the data movement around the matmuls of convolution. CUDA twin of
 * nptorch/_C/conv.pyx; every shape is checked by nptorch._ops.cupy_ops before a launch.
 *
 * Notation:
 *     N batch, C channels, H W input height and width,
 *     KH KW kernel height and width, OH OW output height and width,
 *     SH SW stride, PH PW padding, DH DW dilation.
 *     Input row of (oh, kh): ih = oh * SH - PH + kh * DH; input column iw = ow * SW - PW + kw * DW.
 *     Columns are indexed (N, C, KH, KW, OH, OW): the (OH, OW) block of (n, c, kh, kw) is
 *     contiguous and starts at n * SN + c * SC + kh * SKH + kw * SKW (strides in elements),
 *     so that the same kernels fill (N, C, KH, KW, OH, OW) and (C, KH, KW, N, OH, OW) arrays.
 *
 * im2col takes one column row (n, c, kh, kw) per block, whose OH * OW elements are contiguous;
 * col2im one input plane per block, each thread gathering the columns that read its element
 * (no atomics, deterministic sums).
 */
template <typename scalar_t>
__global__ void im2col(const scalar_t* __restrict__ x, scalar_t* __restrict__ col, idx_t N,
                       idx_t C, idx_t H, idx_t W, idx_t KH, idx_t KW, idx_t OH, idx_t OW,
                       idx_t SH, idx_t SW, idx_t PH, idx_t PW, idx_t DH, idx_t DW, idx_t SN,
                       idx_t SC, idx_t SKH, idx_t SKW)
{
    const int h_n = H, w_n = W, ow_n = OW, sh = SH, sw = SW;
    BLOCK_ROWS(row, N * C * KH * KW) {
        idx_t nc = row / (KH * KW), n = nc / C, c = nc - n * C;
        int k = row - nc * KH * KW, kh = k / KW, kw = k - kh * KW;
        int h0 = kh * DH - PH, w0 = kw * DW - PW;
        const scalar_t* plane = x + nc * H * W;
        scalar_t* out = col + n * SN + c * SC + kh * SKH + kw * SKW;
        ROW_ELEMENTS(j, OH * OW) {
            int oh = j / ow_n, ow = j - oh * ow_n;
            int ih = oh * sh + h0, iw = ow * sw + w0;
            out[j] = ((unsigned)ih < (unsigned)h_n && (unsigned)iw < (unsigned)w_n)
                         ? plane[ih * w_n + iw] : scalar_t(0);
        }
    }
}

/* Whether input offset r (= o * s for an output place o) is read by an output place in
 * [0, n); if so, sets o. Stride 1, the common case, needs no division. */
__device__ bool output_of(int r, int s, int n, int& o)
{
    if (s == 1) {
        o = r;
        return (unsigned)r < (unsigned)n;
    }
    if (r < 0 || r % s != 0)
        return false;
    o = r / s;
    return o < n;
}

template <typename scalar_t>
__global__ void col2im(const scalar_t* __restrict__ col, scalar_t* __restrict__ x, idx_t N,
                       idx_t C, idx_t H, idx_t W, idx_t KH, idx_t KW, idx_t OH, idx_t OW,
                       idx_t SH, idx_t SW, idx_t PH, idx_t PW, idx_t DH, idx_t DW, idx_t SN,
                       idx_t SC, idx_t SKH, idx_t SKW)
{
    const int w_n = W, kh_n = KH, kw_n = KW, oh_n = OH, ow_n = OW, sh = SH, sw = SW;
    const int ph = PH, pw = PW, dh = DH, dw = DW;
    BLOCK_ROWS(nc, N * C) {
        idx_t n = nc / C, c = nc - n * C;
        const scalar_t* planes = col + n * SN + c * SC;
        scalar_t* out = x + nc * H * W;
        ROW_ELEMENTS(j, H * W) {
            int h = j / w_n, w = j - h * w_n;
            scalar_t acc = 0;
            for (int kh = 0; kh < kh_n; kh++) {
                int oh, ow;  /* the output place that reads (h, w) through (kh, kw) */
                if (!output_of(h + ph - kh * dh, sh, oh_n, oh))
                    continue;
                for (int kw = 0; kw < kw_n; kw++) {
                    if (output_of(w + pw - kw * dw, sw, ow_n, ow))
                        acc += planes[kh * SKH + kw * SKW + oh * ow_n + ow];
                }
            }
            out[j] = acc;
        }
    }
}
