// Max and average pooling, forward and backward, for 1D/2D/3D inputs in one 3-d core.
//
// Layout is channels_last: x is (batch, depth, height, width, channels), C-contiguous.
// 1D and 2D inputs are passed as 3D with leading spatial dims of length 1 (pool 1, stride 1,
// pad 0), so every kernel below handles all three ranks.
//
// Geometry per spatial dim: input length n, output length out, window k, stride s and the
// padding before the input p. Window o covers input cells [o*s - p, o*s - p + k) clipped to
// [0, n): padded cells never count (max ignores them; average divides by the valid count,
// as TensorFlow and Keras do). argmax holds, per output cell, the flat index
// (d*H + h)*W + w of the window's maximum within its sample's spatial grid.
//
// The backward kernels gather: one thread per input cell sums the gradients of the windows
// that contain it, so overlapping windows (stride < pool size) accumulate without atomics and
// the result is deterministic.
//
// Every kernel uses a grid-stride loop over 64-bit element indices.

#include "common.cuh"

struct PoolGeometry {
    long long batch, channels;
    long long in[3], out[3], window[3], stride[3], pad[3];
};

// The scalar kernel parameters describing a PoolGeometry, in the order the Python side sends.
#define POOL_GEOMETRY_PARAMS                                                          \
    long long batch, long long channels,                                              \
    long long in_d, long long in_h, long long in_w,                                   \
    long long out_d, long long out_h, long long out_w,                                \
    long long k_d, long long k_h, long long k_w,                                      \
    long long s_d, long long s_h, long long s_w,                                      \
    long long p_d, long long p_h, long long p_w

#define POOL_GEOMETRY_ARGS                                                            \
    batch, channels, in_d, in_h, in_w, out_d, out_h, out_w,                           \
    k_d, k_h, k_w, s_d, s_h, s_w, p_d, p_h, p_w

__device__ __forceinline__ PoolGeometry make_geometry(POOL_GEOMETRY_PARAMS) {
    PoolGeometry g;
    g.batch = batch;
    g.channels = channels;
    g.in[0] = in_d;  g.in[1] = in_h;  g.in[2] = in_w;
    g.out[0] = out_d; g.out[1] = out_h; g.out[2] = out_w;
    g.window[0] = k_d; g.window[1] = k_h; g.window[2] = k_w;
    g.stride[0] = s_d; g.stride[1] = s_h; g.stride[2] = s_w;
    g.pad[0] = p_d;  g.pad[1] = p_h;  g.pad[2] = p_w;
    return g;
}

// Split a flat channels_last index over (batch, a, b, c, channels) into its coordinates.
__device__ __forceinline__ void unravel_cell(long long index, const long long extent[3],
                                             long long channels, long long& sample,
                                             long long cell[3], long long& channel) {
    channel = index % channels;
    index /= channels;
    for (int axis = 2; axis >= 0; --axis) {
        cell[axis] = index % extent[axis];
        index /= extent[axis];
    }
    sample = index;
}

// The clipped input range [begin, end) covered by window `o` along `axis`.
__device__ __forceinline__ void window_range(const PoolGeometry& g, int axis, long long o,
                                             long long& begin, long long& end) {
    const long long start = o * g.stride[axis] - g.pad[axis];
    begin = start > 0 ? start : 0;
    end = start + g.window[axis] < g.in[axis] ? start + g.window[axis] : g.in[axis];
}

// The range [first, last] of windows along `axis` that contain input cell `i`.
__device__ __forceinline__ void windows_containing(const PoolGeometry& g, int axis, long long i,
                                                   long long& first, long long& last) {
    const long long shifted = i + g.pad[axis];  // position in the padded input
    const long long reach = shifted - g.window[axis] + 1;
    first = reach > 0 ? (reach + g.stride[axis] - 1) / g.stride[axis] : 0;
    last = shifted / g.stride[axis];
    if (last > g.out[axis] - 1) last = g.out[axis] - 1;
}

// Forward threads: output element `index` -> its window o and that window's clipped input
// range [begin, end) along each axis. Returns the offset in x of the element's sample and
// channel (its input cell (0, 0, 0)).
__device__ __forceinline__ long long output_window(const PoolGeometry& g, long long index,
                                                   long long o[3], long long begin[3],
                                                   long long end[3]) {
    long long sample, channel;
    unravel_cell(index, g.out, g.channels, sample, o, channel);
    for (int axis = 0; axis < 3; ++axis) window_range(g, axis, o[axis], begin[axis], end[axis]);
    const long long spatial_size = g.in[0] * g.in[1] * g.in[2];
    return sample * spatial_size * g.channels + channel;
}

// Backward threads: input element `index` -> its cell i and the windows [first, last] that
// contain it along each axis. Returns the offset in the output-shaped arrays (grad_y,
// argmax) of the element's sample and channel (its output cell (0, 0, 0)).
__device__ __forceinline__ long long input_windows(const PoolGeometry& g, long long index,
                                                   long long i[3], long long first[3],
                                                   long long last[3]) {
    long long sample, channel;
    unravel_cell(index, g.in, g.channels, sample, i, channel);
    for (int axis = 0; axis < 3; ++axis) windows_containing(g, axis, i[axis], first[axis], last[axis]);
    const long long out_size = g.out[0] * g.out[1] * g.out[2];
    return sample * out_size * g.channels + channel;
}

__device__ __forceinline__ long long spatial_index(const PoolGeometry& g, long long d,
                                                   long long h, long long w) {
    return (d * g.in[1] + h) * g.in[2] + w;
}

__device__ __forceinline__ long long output_index(const PoolGeometry& g, long long d,
                                                  long long h, long long w) {
    return (d * g.out[1] + h) * g.out[2] + w;
}

template <typename T>
__device__ __forceinline__ bool is_nan(T value) {
    return value != value;
}

template <typename T>
__device__ void max_pool_forward(const T* x, T* y, long long* argmax, const PoolGeometry& g) {
    const long long total = g.batch * g.out[0] * g.out[1] * g.out[2] * g.channels;
    GRID_STRIDE_LOOP(index, total) {
        long long o[3], begin[3], end[3];
        const T* x_sample = x + output_window(g, index, o, begin, end);
        // Start on the first valid cell so an all -inf window still names a real input cell.
        long long best_index = spatial_index(g, begin[0], begin[1], begin[2]);
        typename Accumulator<T>::type best = widen(x_sample[best_index * g.channels]);
        for (long long d = begin[0]; d < end[0]; ++d) {
            for (long long h = begin[1]; h < end[1]; ++h) {
                for (long long w = begin[2]; w < end[2]; ++w) {
                    const long long cell = spatial_index(g, d, h, w);
                    const auto value = widen(x_sample[cell * g.channels]);
                    // Strictly greater keeps the first maximum; the first NaN wins (NumPy's rule).
                    if (value > best || (is_nan(value) && !is_nan(best))) {
                        best = value;
                        best_index = cell;
                    }
                }
            }
        }
        y[index] = x_sample[best_index * g.channels];  // the winner itself, bit for bit
        argmax[index] = best_index;
    }
}

template <typename T>
__device__ void max_pool_backward(const T* grad_y, const long long* argmax, T* grad_x,
                                  const PoolGeometry& g) {
    const long long total = g.batch * g.in[0] * g.in[1] * g.in[2] * g.channels;
    GRID_STRIDE_LOOP(index, total) {
        long long i[3], first[3], last[3];
        const long long base = input_windows(g, index, i, first, last);
        const long long cell = spatial_index(g, i[0], i[1], i[2]);
        typedef typename Accumulator<T>::type Sum;  // float for float16
        Sum sum = 0;
        for (long long d = first[0]; d <= last[0]; ++d) {
            for (long long h = first[1]; h <= last[1]; ++h) {
                for (long long w = first[2]; w <= last[2]; ++w) {
                    const long long at = base + output_index(g, d, h, w) * g.channels;
                    if (argmax[at] == cell) sum += widen(grad_y[at]);
                }
            }
        }
        grad_x[index] = narrow<T>(sum);
    }
}

// Number of valid (unpadded) input cells in window o.
__device__ __forceinline__ long long valid_count(const PoolGeometry& g, const long long o[3]) {
    long long count = 1;
    for (int axis = 0; axis < 3; ++axis) {
        long long begin, end;
        window_range(g, axis, o[axis], begin, end);
        count *= end - begin;
    }
    return count;
}

template <typename T>
__device__ void avg_pool_forward(const T* x, T* y, const PoolGeometry& g) {
    const long long total = g.batch * g.out[0] * g.out[1] * g.out[2] * g.channels;
    GRID_STRIDE_LOOP(index, total) {
        long long o[3], begin[3], end[3];
        const T* x_sample = x + output_window(g, index, o, begin, end);
        typedef typename Accumulator<T>::type Sum;  // float for float16
        Sum sum = 0;
        for (long long d = begin[0]; d < end[0]; ++d) {
            for (long long h = begin[1]; h < end[1]; ++h) {
                for (long long w = begin[2]; w < end[2]; ++w) {
                    sum += widen(x_sample[spatial_index(g, d, h, w) * g.channels]);
                }
            }
        }
        y[index] = narrow<T>(sum / Sum(valid_count(g, o)));
    }
}

template <typename T>
__device__ void avg_pool_backward(const T* grad_y, T* grad_x, const PoolGeometry& g) {
    const long long total = g.batch * g.in[0] * g.in[1] * g.in[2] * g.channels;
    GRID_STRIDE_LOOP(index, total) {
        long long i[3], first[3], last[3];
        const long long base = input_windows(g, index, i, first, last);
        typedef typename Accumulator<T>::type Sum;  // float for float16
        Sum sum = 0;
        long long o[3];
        for (o[0] = first[0]; o[0] <= last[0]; ++o[0]) {
            for (o[1] = first[1]; o[1] <= last[1]; ++o[1]) {
                for (o[2] = first[2]; o[2] <= last[2]; ++o[2]) {
                    const long long at = base + output_index(g, o[0], o[1], o[2]) * g.channels;
                    sum += widen(grad_y[at]) / Sum(valid_count(g, o));
                }
            }
        }
        grad_x[index] = narrow<T>(sum);
    }
}

// extern "C" entry points, one per dtype: suffix _f32 (float) and _f64 (double).
#define DEFINE_POOLING_KERNELS(SUFFIX, T)                                                     \
    extern "C" __global__ void max_pool_forward_##SUFFIX(                                     \
            const T* x, T* y, long long* argmax, POOL_GEOMETRY_PARAMS) {                     \
        max_pool_forward<T>(x, y, argmax, make_geometry(POOL_GEOMETRY_ARGS));                 \
    }                                                                                         \
    extern "C" __global__ void max_pool_backward_##SUFFIX(                                    \
            const T* grad_y, const long long* argmax, T* grad_x, POOL_GEOMETRY_PARAMS) {     \
        max_pool_backward<T>(grad_y, argmax, grad_x, make_geometry(POOL_GEOMETRY_ARGS));      \
    }                                                                                         \
    extern "C" __global__ void avg_pool_forward_##SUFFIX(                                     \
            const T* x, T* y, POOL_GEOMETRY_PARAMS) {                                         \
        avg_pool_forward<T>(x, y, make_geometry(POOL_GEOMETRY_ARGS));                         \
    }                                                                                         \
    extern "C" __global__ void avg_pool_backward_##SUFFIX(                                    \
            const T* grad_y, T* grad_x, POOL_GEOMETRY_PARAMS) {                               \
        avg_pool_backward<T>(grad_y, grad_x, make_geometry(POOL_GEOMETRY_ARGS));              \
    }

DEFINE_POOLING_KERNELS(f32, float)
DEFINE_POOLING_KERNELS(f64, double)
DEFINE_POOLING_KERNELS(f16, gl_half)  // float16 data, float arithmetic (common.cuh)
