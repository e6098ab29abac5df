/* im2col / col2im: the data movement around the matmuls of convolution. CUDA twin of
 * nptorch/_C/conv.pyx; every shape is checked by nptorch._ops.cupy_ops before a launch.
 *
 * Notation:
 *     N batch, C channels, H W input height and width,
 *     KH KW kernel height and width, OH OW output height and width,
 *     SH SW stride, PH PW padding, DH DW dilation.
 *     Input row of (oh, kh): ih = oh * SH - PH + kh * DH; input column iw = ow * SW - PW + kw * DW.
 *     Columns are laid out (N, C, KH, KW, OH, OW). NC = N * C planes.
 *
 * One thread per output element, in grid-stride loops. col2im gathers (one thread per input
 * element sums the columns that read it) instead of scattering, so it needs no atomics and its
 * sums are deterministic.
 */
template <typename scalar_t>
__global__ void im2col(const scalar_t* __restrict__ x, scalar_t* __restrict__ col, idx_t NC,
                       idx_t H, idx_t W, idx_t KH, idx_t KW, idx_t OH, idx_t OW, idx_t SH, idx_t SW,
                       idx_t PH, idx_t PW, idx_t DH, idx_t DW)
{
    GRID_STRIDE(i, NC * KH * KW * OH * OW) {
        idx_t ow = i % OW, oh = (i / OW) % OH;
        idx_t kw = (i / (OW * OH)) % KW, kh = (i / (OW * OH * KW)) % KH;
        idx_t nc = i / (OW * OH * KW * KH);
        idx_t ih = oh * SH - PH + kh * DH, iw = ow * SW - PW + kw * DW;
        col[i] = (ih >= 0 && ih < H && iw >= 0 && iw < W) ? x[(nc * H + ih) * W + iw] : scalar_t(0);
    }
}

template <typename scalar_t>
__global__ void col2im(const scalar_t* __restrict__ col, scalar_t* __restrict__ x, idx_t NC,
                       idx_t H, idx_t W, idx_t KH, idx_t KW, idx_t OH, idx_t OW, idx_t SH, idx_t SW,
                       idx_t PH, idx_t PW, idx_t DH, idx_t DW)
{
    GRID_STRIDE(i, NC * H * W) {
        idx_t w = i % W, h = (i / W) % H, nc = i / (W * H);
        const scalar_t* plane = col + nc * KH * KW * OH * OW;
        scalar_t acc = 0;
        for (idx_t kh = 0; kh < KH; kh++) {
            idx_t rh = h + PH - kh * DH;  /* = oh * SH for the output row that reads h */
            if (rh < 0 || rh % SH != 0 || rh / SH >= OH)
                continue;
            for (idx_t kw = 0; kw < KW; kw++) {
                idx_t rw = w + PW - kw * DW;
                if (rw < 0 || rw % SW != 0 || rw / SW >= OW)
                    continue;
                acc += plane[((kh * KW + kw) * OH + rh / SH) * OW + rw / SW];
            }
        }
        x[i] = acc;
    }
}
