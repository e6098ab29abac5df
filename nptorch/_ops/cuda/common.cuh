/* Prepended to every kernel source of this package (see __init__.py). */
typedef long long idx_t;

/* A grid-stride loop: any launch size covers all `total` elements. */
#define GRID_STRIDE(i, total)                                                                \
    for (idx_t i = blockIdx.x * (idx_t)blockDim.x + threadIdx.x; i < (total);                \
         i += (idx_t)blockDim.x * gridDim.x)

/* Rows of contiguous elements: each block takes rows blockIdx.x, blockIdx.x + gridDim.x, ...
 * (launched through launch_rows), its threads the elements of a row. Index arithmetic within a
 * row is 32-bit (CupyOps checks that rows fit): 64-bit division is many times slower. */
#define BLOCK_ROWS(row, rows) for (idx_t row = blockIdx.x; row < (rows); row += gridDim.x)
#define ROW_ELEMENTS(j, length) for (int j = threadIdx.x; j < (int)(length); j += blockDim.x)
