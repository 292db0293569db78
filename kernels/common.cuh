// Tiny device helpers shared by the kernel families (pasted in by the loader).
#ifndef GPULAYERS_COMMON_CUH
#define GPULAYERS_COMMON_CUH

// A grid-stride loop over 64-bit element indices [0, total): each thread starts at its global
// id and steps by the number of threads in the grid, so any grid size covers any total.
#define GRID_STRIDE_LOOP(index, total)                                                      \
    for (long long index = (long long)blockIdx.x * blockDim.x + threadIdx.x;               \
         index < (total); index += (long long)blockDim.x * gridDim.x)

#endif  // GPULAYERS_COMMON_CUH
