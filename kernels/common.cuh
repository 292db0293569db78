// Tiny device helpers shared by the kernel families (pasted in by the loader).
#ifndef GPULAYERS_COMMON_CUH
#define GPULAYERS_COMMON_CUH

// A grid-stride loop over 64-bit element indices [0, total): each thread starts at its global
// id and steps by the number of threads in the grid, so any grid size covers any total.
#define GRID_STRIDE_LOOP(index, total)                                                      \
    for (long long index = (long long)blockIdx.x * blockDim.x + threadIdx.x;               \
         index < (total); index += (long long)blockDim.x * gridDim.x)

// ---------------------------------------------------------------- float16 storage
// IEEE binary16 values travel as their raw 16 bits: no cuda_fp16.h, so NVRTC needs no
// include path. A kernel reads them with widen() and does its arithmetic in the type
// Accumulator<T> names (float for float16, T itself otherwise), then writes with narrow<T>()
// (round to nearest even), as cuDNN does for float16 data with float compute.
typedef unsigned short gl_half;

template <typename T> struct Accumulator { typedef T type; };
template <> struct Accumulator<gl_half> { typedef float type; };

__device__ __forceinline__ float widen(gl_half bits) {
    float value;
    asm("{ cvt.f32.f16 %0, %1; }" : "=f"(value) : "h"(bits));
    return value;
}
__device__ __forceinline__ float widen(float value) { return value; }
__device__ __forceinline__ double widen(double value) { return value; }

template <typename T>
__device__ __forceinline__ T narrow(typename Accumulator<T>::type value) { return value; }
template <>
__device__ __forceinline__ gl_half narrow<gl_half>(float value) {
    gl_half bits;
    asm("{ cvt.rn.f16.f32 %0, %1; }" : "=h"(bits) : "f"(value));
    return bits;
}

// ---------------------------------------------------------------- activations
// activate<KIND>(z) and slope_from_output<KIND>(y) = activate'(z) written in terms of the
// output y = activate<KIND>(z), so backward passes only need saved outputs. KIND is one of:
#define GL_LINEAR 0
#define GL_RELU 1
#define GL_SIGMOID 2        // overflow-free exp form, accurate in both tails
#define GL_TANH 3
#define GL_RELU6 4
#define GL_ELU 5            // alpha 1
#define GL_SELU 6
#define GL_SOFTPLUS 7
#define GL_HARD_SIGMOID 8   // Keras 3: relu6(z + 3) / 6
#define GL_SIGMOID_TANH 9   // 0.5 * tanh(0.5 * z) + 0.5
#define GL_HARD_SIGMOID_CLIP 10  // clip(z / 6 + 0.5, 0, 1)
// The last two are the recurrent kernels' forms of sigmoid and hard_sigmoid: each kernel family
// rounds exactly as its NumPy reference does. elementwise.cu passes its -DGL_ACTIVATION code
// straight through as KIND; rnn.cu maps its own codes onto these kinds.

#define GL_SELU_ALPHA 1.6732632423543772848170429916717
#define GL_SELU_SCALE 1.0507009873554804934193349852946

__device__ __forceinline__ float gl_exp(float x) { return expf(x); }
__device__ __forceinline__ double gl_exp(double x) { return exp(x); }
__device__ __forceinline__ float gl_expm1(float x) { return expm1f(x); }
__device__ __forceinline__ double gl_expm1(double x) { return expm1(x); }
__device__ __forceinline__ float gl_log1p(float x) { return log1pf(x); }
__device__ __forceinline__ double gl_log1p(double x) { return log1p(x); }
__device__ __forceinline__ float gl_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double gl_tanh(double x) { return tanh(x); }

template <typename T>
__device__ __forceinline__ T clamp(T x, T low, T high) {
    return x < low ? low : (x > high ? high : x);
}

// Overflow-free logistic, accurate in both tails.
template <typename T>
__device__ __forceinline__ T stable_sigmoid(T z) {
    T e = gl_exp(z >= T(0) ? -z : z);  // exp(-|z|), never overflows
    T r = T(1) / (T(1) + e);
    return z >= T(0) ? r : e * r;
}

template <int KIND, typename T>
__device__ __forceinline__ T activate(T z) {
    if constexpr (KIND == GL_RELU) {
        return z > T(0) ? z : T(0);
    } else if constexpr (KIND == GL_SIGMOID) {
        return stable_sigmoid(z);
    } else if constexpr (KIND == GL_SIGMOID_TANH) {
        return T(0.5) * gl_tanh(T(0.5) * z) + T(0.5);
    } else if constexpr (KIND == GL_TANH) {
        return gl_tanh(z);
    } else if constexpr (KIND == GL_RELU6) {
        return clamp(z, T(0), T(6));
    } else if constexpr (KIND == GL_ELU) {
        return z > T(0) ? z : gl_expm1(z);
    } else if constexpr (KIND == GL_SELU) {
        return z > T(0) ? T(GL_SELU_SCALE) * z
                        : T(GL_SELU_SCALE * GL_SELU_ALPHA) * gl_expm1(z);
    } else if constexpr (KIND == GL_SOFTPLUS) {
        T magnitude = z >= T(0) ? z : -z;
        return (z > T(0) ? z : T(0)) + gl_log1p(gl_exp(-magnitude));
    } else if constexpr (KIND == GL_HARD_SIGMOID) {
        return clamp(z + T(3), T(0), T(6)) / T(6);
    } else if constexpr (KIND == GL_HARD_SIGMOID_CLIP) {
        return clamp(z / T(6) + T(0.5), T(0), T(1));
    } else {
        return z;
    }
}

// activate<KIND>'(z) written in terms of y = activate<KIND>(z).
template <int KIND, typename T>
__device__ __forceinline__ T slope_from_output(T y) {
    if constexpr (KIND == GL_RELU) {
        return y > T(0) ? T(1) : T(0);
    } else if constexpr (KIND == GL_SIGMOID || KIND == GL_SIGMOID_TANH) {
        return y * (T(1) - y);
    } else if constexpr (KIND == GL_TANH) {
        return T(1) - y * y;
    } else if constexpr (KIND == GL_RELU6) {
        return (y > T(0) && y < T(6)) ? T(1) : T(0);
    } else if constexpr (KIND == GL_ELU) {
        return y > T(0) ? T(1) : y + T(1);
    } else if constexpr (KIND == GL_SELU) {
        return y > T(0) ? T(GL_SELU_SCALE) : y + T(GL_SELU_SCALE * GL_SELU_ALPHA);
    } else if constexpr (KIND == GL_SOFTPLUS) {
        return -gl_expm1(-y);  // sigmoid(z) = 1 - exp(-softplus(z))
    } else if constexpr (KIND == GL_HARD_SIGMOID || KIND == GL_HARD_SIGMOID_CLIP) {
        return (y > T(0) && y < T(1)) ? T(1) / T(6) : T(0);
    } else {
        return T(1);
    }
}

#endif  // GPULAYERS_COMMON_CUH
