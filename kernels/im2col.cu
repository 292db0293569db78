// im2col and col2im for 1D/2D/3D convolution, channels_last, in one 3-d core.
//
// Layout: x is (batch, in_d, in_h, in_w, channels) and cols is
// (batch, out_d, out_h, out_w, k_d, k_h, k_w, channels), both C-contiguous. Reshaped to
// (batch * out cells, kernel taps * channels), cols multiplies a Keras kernel reshaped to
// (kernel taps * channels, filters) without any transpose. 1D and 2D convolutions are passed
// as 3D with leading spatial dims of length 1 (kernel 1, stride 1, dilation 1, pad 0).
//
// Geometry per spatial dim: input length n, output length out, kernel size k, stride s,
// dilation d and padding before the input p. Output cell o, kernel tap t reads input cell
// o*s + t*d - p; cells outside [0, n) are padding and read as zero. The padding after the
// input only decides how many output cells there are, so the kernels never need it.
//
// im2col: one thread per CONV_VEC elements of cols. col2im (the adjoint, a scatter-add in
// math) is written as a gather: one thread per CONV_VEC input elements sums the cols entries
// that read them, so overlapping windows accumulate without atomics and the result is
// deterministic.
//
// Compile-time options (-D, chosen by the Python side; the defaults handle every case):
//   CONV_RANK   1, 2 or 3: only the last CONV_RANK of the 3 spatial dims are walked, so a 2D
//               convolution does no index arithmetic for its lifted depth dim.
//   CONV_INDEX_BITS  64, or 32 when every flat index fits in an int: integer division, the
//               bulk of the work, is several times cheaper in 32 bits.
//   CONV_VEC    channels per thread (1 to 8; must divide the channel count): a thread
//               moves CONV_VEC consecutive channels, so the index arithmetic is shared and
//               each thread has several memory operations in flight (about 4x faster at
//               16 bytes per thread on an H100).

#include "common.cuh"

#ifndef CONV_RANK
#define CONV_RANK 3
#endif
#ifndef CONV_INDEX_BITS
#define CONV_INDEX_BITS 64
#endif
#ifndef CONV_VEC
#define CONV_VEC 1
#endif

#if CONV_INDEX_BITS == 32
typedef int index_t;
#else
typedef long long index_t;
#endif
#define FIRST_AXIS (3 - CONV_RANK)  // axes before it have length 1 (kernel 1, pad 0)

struct ConvGeometry {
    index_t batch, channels;
    index_t in[3], out[3], kernel[3], stride[3], dilation[3], pad[3];
};

// The scalar kernel parameters describing a ConvGeometry, in the order the Python side sends.
#define CONV_GEOMETRY_PARAMS                                                          \
    long long batch, long long channels,                                              \
    long long in_d, long long in_h, long long in_w,                                   \
    long long out_d, long long out_h, long long out_w,                                \
    long long k_d, long long k_h, long long k_w,                                      \
    long long s_d, long long s_h, long long s_w,                                      \
    long long dil_d, long long dil_h, long long dil_w,                                \
    long long p_d, long long p_h, long long p_w

#define CONV_GEOMETRY_ARGS                                                            \
    batch, channels, in_d, in_h, in_w, out_d, out_h, out_w, k_d, k_h, k_w,            \
    s_d, s_h, s_w, dil_d, dil_h, dil_w, p_d, p_h, p_w

// Narrows to index_t: the host picks `int` only when every flat index fits in it.
__device__ __forceinline__ ConvGeometry make_geometry(CONV_GEOMETRY_PARAMS) {
    ConvGeometry g;
    g.batch = batch;
    g.channels = channels;
    g.in[0] = in_d;        g.in[1] = in_h;        g.in[2] = in_w;
    g.out[0] = out_d;      g.out[1] = out_h;      g.out[2] = out_w;
    g.kernel[0] = k_d;     g.kernel[1] = k_h;     g.kernel[2] = k_w;
    g.stride[0] = s_d;     g.stride[1] = s_h;     g.stride[2] = s_w;
    g.dilation[0] = dil_d; g.dilation[1] = dil_h; g.dilation[2] = dil_w;
    g.pad[0] = p_d;        g.pad[1] = p_h;        g.pad[2] = p_w;
    return g;
}

// The output cell along `axis` whose tap `tap` reads input cell `position`, if there is one.
__device__ __forceinline__ bool reading_cell(const ConvGeometry& g, int axis, index_t position,
                                             index_t tap, index_t& cell) {
    const index_t shifted = position + g.pad[axis] - tap * g.dilation[axis];
    if (shifted < 0 || shifted % g.stride[axis] != 0) {
        return false;
    }
    cell = shifted / g.stride[axis];
    return cell < g.out[axis];
}

template <typename T>
__device__ void im2col_body(const T* __restrict__ x, T* __restrict__ cols, const ConvGeometry g) {
    const index_t lanes = g.channels / CONV_VEC;
    const long long total = (long long)g.batch * g.out[0] * g.out[1] * g.out[2] *
                            g.kernel[0] * g.kernel[1] * g.kernel[2] * lanes;
    GRID_STRIDE_LOOP(flat, total) {
        index_t rest = (index_t)flat;
        const index_t channel = (rest % lanes) * CONV_VEC;
        rest /= lanes;
        index_t tap[3] = {0, 0, 0}, cell[3] = {0, 0, 0};
#pragma unroll
        for (int axis = 2; axis >= FIRST_AXIS; --axis) {
            tap[axis] = rest % g.kernel[axis];
            rest /= g.kernel[axis];
        }
#pragma unroll
        for (int axis = 2; axis >= FIRST_AXIS; --axis) {
            cell[axis] = rest % g.out[axis];
            rest /= g.out[axis];
        }
        index_t source = rest;  // the sample; becomes the flat input cell below
        bool inside = true;
#pragma unroll
        for (int axis = FIRST_AXIS; axis < 3; ++axis) {
            const index_t position = cell[axis] * g.stride[axis]
                                   + tap[axis] * g.dilation[axis] - g.pad[axis];
            inside = inside && position >= 0 && position < g.in[axis];
            source = source * g.in[axis] + position;
        }
#pragma unroll
        for (int v = 0; v < CONV_VEC; ++v) {  // a copy: float16 moves as raw bits (0 = +0.0)
            cols[flat * CONV_VEC + v] = inside ? x[source * g.channels + channel + v] : T(0);
        }
    }
}

template <typename T>
__device__ void col2im_body(const T* __restrict__ cols, T* __restrict__ x, const ConvGeometry g) {
    const index_t lanes = g.channels / CONV_VEC;
    const long long total = (long long)g.batch * g.in[0] * g.in[1] * g.in[2] * lanes;
    const index_t taps = g.kernel[0] * g.kernel[1] * g.kernel[2];
    GRID_STRIDE_LOOP(flat, total) {
        index_t rest = (index_t)flat;
        const index_t channel = (rest % lanes) * CONV_VEC;
        rest /= lanes;
        index_t position[3] = {0, 0, 0};
#pragma unroll
        for (int axis = 2; axis >= FIRST_AXIS; --axis) {
            position[axis] = rest % g.in[axis];
            rest /= g.in[axis];
        }
        const index_t sample = rest;
        typename Accumulator<T>::type sum[CONV_VEC];
#pragma unroll
        for (int v = 0; v < CONV_VEC; ++v) {
            sum[v] = 0;
        }
        index_t cell_d = 0, cell_h = 0, cell_w;
        for (index_t t_d = 0; t_d < g.kernel[0]; ++t_d) {
            if (CONV_RANK == 3 && !reading_cell(g, 0, position[0], t_d, cell_d)) continue;
            for (index_t t_h = 0; t_h < g.kernel[1]; ++t_h) {
                if (CONV_RANK >= 2 && !reading_cell(g, 1, position[1], t_h, cell_h)) continue;
                for (index_t t_w = 0; t_w < g.kernel[2]; ++t_w) {
                    if (!reading_cell(g, 2, position[2], t_w, cell_w)) continue;
                    const index_t row = ((sample * g.out[0] + cell_d) * g.out[1] + cell_h)
                                        * g.out[2] + cell_w;
                    const index_t tap = (t_d * g.kernel[1] + t_h) * g.kernel[2] + t_w;
                    const T* source = cols + (row * taps + tap) * g.channels + channel;
#pragma unroll
                    for (int v = 0; v < CONV_VEC; ++v) {
                        sum[v] += widen(source[v]);
                    }
                }
            }
        }
#pragma unroll
        for (int v = 0; v < CONV_VEC; ++v) {
            x[flat * CONV_VEC + v] = narrow<T>(sum[v]);
        }
    }
}

extern "C" __global__ void im2col_f32(const float* x, float* cols, CONV_GEOMETRY_PARAMS) {
    im2col_body<float>(x, cols, make_geometry(CONV_GEOMETRY_ARGS));
}

extern "C" __global__ void im2col_f64(const double* x, double* cols, CONV_GEOMETRY_PARAMS) {
    im2col_body<double>(x, cols, make_geometry(CONV_GEOMETRY_ARGS));
}

extern "C" __global__ void col2im_f32(const float* cols, float* x, CONV_GEOMETRY_PARAMS) {
    col2im_body<float>(cols, x, make_geometry(CONV_GEOMETRY_ARGS));
}

extern "C" __global__ void col2im_f64(const double* cols, double* x, CONV_GEOMETRY_PARAMS) {
    col2im_body<double>(cols, x, make_geometry(CONV_GEOMETRY_ARGS));
}

// float16: im2col copies the raw bits; col2im sums in float and rounds once.
extern "C" __global__ void im2col_f16(const gl_half* x, gl_half* cols, CONV_GEOMETRY_PARAMS) {
    im2col_body<gl_half>(x, cols, make_geometry(CONV_GEOMETRY_ARGS));
}

extern "C" __global__ void col2im_f16(const gl_half* cols, gl_half* x, CONV_GEOMETRY_PARAMS) {
    col2im_body<gl_half>(cols, x, make_geometry(CONV_GEOMETRY_ARGS));
}
