/* Prepended to every kernel source of this package (see __init__.py). */
typedef long long idx_t;

/* A grid-stride loop: any launch size covers all `total` elements. */
#define GRID_STRIDE(i, total)                                                                \
    for (idx_t i = blockIdx.x * (idx_t)blockDim.x + threadIdx.x; i < (total);                \
         i += (idx_t)blockDim.x * gridDim.x)
