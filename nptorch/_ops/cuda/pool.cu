/* Max, average and adaptive pooling, forward and backward. CUDA twin of nptorch/_C/pool.pyx;
 * every shape and index is checked by nptorch._ops.cupy_ops before a launch.
 *
 * Notation:
 *     N batch, C channels, H W input height and width, OH OW output height and width,
 *     KH KW kernel height and width, SH SW stride, PH PW padding, DH DW dilation.
 *     Input row of (oh, kh): ih = oh * SH - PH + kh * DH; input column iw = ow * SW - PW + kw * DW.
 *     Places outside [0, H) x [0, W) (padding, ceil_mode overhang) are skipped.
 *     Indices are flat positions ih * W + iw in each H * W plane, as PyTorch's.
 *     Adaptive windows: rows [floor(oh * H / OH), ceil((oh + 1) * H / OH)), columns alike.
 *     NC = N * C planes.
 *
 * Forward kernels run one thread per output element. Backward kernels gather (one thread per
 * input element sums the outputs whose windows hold it: no atomics, deterministic sums), except
 * max pooling's, which only has the saved indices and scatters them with atomicAdd.
 */
template <typename scalar_t> __device__ scalar_t neg_inf();
template <> __device__ float neg_inf<float>() { return __int_as_float(0xff800000); }
template <> __device__ double neg_inf<double>()
{
    return __longlong_as_double(0xfff0000000000000ULL);
}

/* The first of start, start + step, ... that is >= 0. */
__device__ idx_t first_inside(idx_t start, idx_t step)
{
    return start < 0 ? start + ((-start + step - 1) / step) * step : start;
}

/* The outputs o in [0, O) whose window (start o * S - P, size K) holds input place i. */
__device__ void windows_holding(idx_t i, idx_t K, idx_t S, idx_t P, idx_t O, idx_t* lo,
                                idx_t* hi)
{
    idx_t r = i + P - K + 1;  /* the first window start that still reaches i */
    *lo = r <= 0 ? 0 : (r + S - 1) / S;
    *hi = min((i + P) / S + 1, O);
}

/* PyTorch's average-pooling divisor count along one dimension (see reference.avg_divisor). */
__device__ idx_t pool_count(idx_t o, idx_t size, idx_t K, idx_t S, idx_t P, idx_t include_pad)
{
    idx_t start = o * S - P, end = min(start + K, size + P);
    return include_pad ? end - start : min(end, size) - max(start, (idx_t)0);
}

/* The adaptive window of output o: [floor(o * size / out), ceil((o + 1) * size / out)). */
__device__ void adaptive_window(idx_t o, idx_t size, idx_t out, idx_t* start, idx_t* end)
{
    *start = (o * size) / out;
    *end = ((o + 1) * size + out - 1) / out;
}

/* Output place i of an (NC, OH, OW) adaptive pooling: the offset of its (H, W) input plane and
 * its window [hs, he) x [ws, we) there. */
struct AdaptiveWindow {
    idx_t plane, hs, he, ws, we;
};

__device__ AdaptiveWindow adaptive_place(idx_t i, idx_t H, idx_t W, idx_t OH, idx_t OW)
{
    idx_t ow = i % OW, oh = (i / OW) % OH, nc = i / (OW * OH);
    AdaptiveWindow a;
    a.plane = nc * H * W;
    adaptive_window(oh, H, OH, &a.hs, &a.he);
    adaptive_window(ow, W, OW, &a.ws, &a.we);
    return a;
}

template <typename scalar_t>
__global__ void max_pool2d(const scalar_t* __restrict__ x, scalar_t* __restrict__ y,
                           long long* __restrict__ idx, idx_t NC, idx_t H, idx_t W, idx_t OH,
                           idx_t OW, idx_t KH, idx_t KW, idx_t SH, idx_t SW, idx_t PH, idx_t PW,
                           idx_t DH, idx_t DW)
{
    GRID_STRIDE(i, NC * OH * OW) {
        idx_t ow = i % OW, oh = (i / OW) % OH, nc = i / (OW * OH);
        const scalar_t* plane = x + nc * H * W;
        /* a window of -inf only (or on padding only) keeps its first place inside the plane */
        scalar_t best = neg_inf<scalar_t>();
        idx_t arg = min(first_inside(oh * SH - PH, DH), H - 1) * W
                    + min(first_inside(ow * SW - PW, DW), W - 1);
        for (idx_t kh = 0; kh < KH; kh++) {
            idx_t ih = oh * SH - PH + kh * DH;
            if (ih < 0 || ih >= H)
                continue;
            for (idx_t kw = 0; kw < KW; kw++) {
                idx_t iw = ow * SW - PW + kw * DW;
                if (iw < 0 || iw >= W)
                    continue;
                scalar_t v = plane[ih * W + iw];
                if (v > best || v != v) {  /* the first maximum; a NaN wins, the last one */
                    best = v;
                    arg = ih * W + iw;
                }
            }
        }
        y[i] = best;
        idx[i] = arg;
    }
}

/* gx[nc].flat[idx[nc, l]] += gy[nc, l] for L = OH * OW outputs per plane (gx zeroed). */
template <typename scalar_t>
__global__ void scatter_add_planes(const scalar_t* __restrict__ gy,
                                   const long long* __restrict__ idx, scalar_t* __restrict__ gx,
                                   idx_t NC, idx_t L, idx_t HW)
{
    GRID_STRIDE(i, NC * L) {
        atomicAdd(gx + (i / L) * HW + idx[i], gy[i]);
    }
}

/* Window sums divided by PyTorch's divisor: `divisor` when it is not 0, else the count of
 * places (of padded places with include_pad). */
template <typename scalar_t>
__global__ void avg_pool2d(const scalar_t* __restrict__ x, scalar_t* __restrict__ y, idx_t NC,
                           idx_t H, idx_t W, idx_t OH, idx_t OW, idx_t KH, idx_t KW, idx_t SH,
                           idx_t SW, idx_t PH, idx_t PW, idx_t include_pad, double divisor)
{
    GRID_STRIDE(i, NC * OH * OW) {
        idx_t ow = i % OW, oh = (i / OW) % OH, nc = i / (OW * OH);
        const scalar_t* plane = x + nc * H * W;
        scalar_t acc = 0;
        for (idx_t ih = max(oh * SH - PH, (idx_t)0); ih < min(oh * SH - PH + KH, H); ih++)
            for (idx_t iw = max(ow * SW - PW, (idx_t)0); iw < min(ow * SW - PW + KW, W); iw++)
                acc += plane[ih * W + iw];
        scalar_t d = divisor != 0 ? scalar_t(divisor)
                           : scalar_t(pool_count(oh, H, KH, SH, PH, include_pad)
                               * pool_count(ow, W, KW, SW, PW, include_pad));
        y[i] = acc / d;
    }
}

template <typename scalar_t>
__global__ void avg_pool2d_backward(const scalar_t* __restrict__ gy, scalar_t* __restrict__ gx,
                                    idx_t NC, idx_t H, idx_t W, idx_t OH, idx_t OW, idx_t KH,
                                    idx_t KW, idx_t SH, idx_t SW, idx_t PH, idx_t PW,
                                    idx_t include_pad, double divisor)
{
    GRID_STRIDE(i, NC * H * W) {
        idx_t w = i % W, h = (i / W) % H, nc = i / (W * H);
        const scalar_t* plane = gy + nc * OH * OW;
        idx_t oh0, oh1, ow0, ow1;
        windows_holding(h, KH, SH, PH, OH, &oh0, &oh1);
        windows_holding(w, KW, SW, PW, OW, &ow0, &ow1);
        scalar_t acc = 0;
        for (idx_t oh = oh0; oh < oh1; oh++)
            for (idx_t ow = ow0; ow < ow1; ow++) {
                scalar_t d = divisor != 0 ? scalar_t(divisor)
                                   : scalar_t(pool_count(oh, H, KH, SH, PH, include_pad)
                                       * pool_count(ow, W, KW, SW, PW, include_pad));
                acc += plane[oh * OW + ow] / d;
            }
        gx[i] = acc;
    }
}

template <typename scalar_t>
__global__ void adaptive_avg_pool2d(const scalar_t* __restrict__ x, scalar_t* __restrict__ y,
                                    idx_t NC, idx_t H, idx_t W, idx_t OH, idx_t OW)
{
    GRID_STRIDE(i, NC * OH * OW) {
        AdaptiveWindow a = adaptive_place(i, H, W, OH, OW);
        idx_t hs = a.hs, he = a.he, ws = a.ws, we = a.we;
        const scalar_t* plane = x + a.plane;
        scalar_t acc = 0;
        for (idx_t ih = hs; ih < he; ih++)
            for (idx_t iw = ws; iw < we; iw++)
                acc += plane[ih * W + iw];
        y[i] = acc / scalar_t((he - hs) * (we - ws));
    }
}

template <typename scalar_t>
__global__ void adaptive_avg_pool2d_backward(const scalar_t* __restrict__ gy,
                                             scalar_t* __restrict__ gx, idx_t NC, idx_t H, idx_t W,
                                             idx_t OH, idx_t OW)
{
    GRID_STRIDE(i, NC * H * W) {
        idx_t w = i % W, h = (i / W) % H, nc = i / (W * H);
        const scalar_t* plane = gy + nc * OH * OW;
        scalar_t acc = 0;
        /* the windows holding row h are those of rows [floor(h OH / H), ceil((h + 1) OH / H)) */
        for (idx_t oh = (h * OH) / H; oh < ((h + 1) * OH + H - 1) / H; oh++) {
            idx_t hs, he;
            adaptive_window(oh, H, OH, &hs, &he);
            if (h < hs || h >= he)
                continue;
            for (idx_t ow = (w * OW) / W; ow < ((w + 1) * OW + W - 1) / W; ow++) {
                idx_t ws, we;
                adaptive_window(ow, W, OW, &ws, &we);
                if (w < ws || w >= we)
                    continue;
                acc += plane[oh * OW + ow] / scalar_t((he - hs) * (we - ws));
            }
        }
        gx[i] = acc;
    }
}

template <typename scalar_t>
__global__ void adaptive_max_pool2d(const scalar_t* __restrict__ x, scalar_t* __restrict__ y,
                                    long long* __restrict__ idx, idx_t NC, idx_t H, idx_t W,
                                    idx_t OH, idx_t OW)
{
    GRID_STRIDE(i, NC * OH * OW) {
        AdaptiveWindow a = adaptive_place(i, H, W, OH, OW);
        idx_t hs = a.hs, he = a.he, ws = a.ws, we = a.we;
        const scalar_t* plane = x + a.plane;
        scalar_t best = neg_inf<scalar_t>();
        idx_t arg = hs * W + ws;
        for (idx_t ih = hs; ih < he; ih++)
            for (idx_t iw = ws; iw < we; iw++) {
                scalar_t v = plane[ih * W + iw];
                if (v > best || v != v) {
                    best = v;
                    arg = ih * W + iw;
                }
            }
        y[i] = best;
        idx[i] = arg;
    }
}
