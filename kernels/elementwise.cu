// Fused bias + activation, forward and backward: y = activation(x + bias).
//
// x, y, grad are C-contiguous arrays of n elements whose channel axis has `channels` entries
// and `inner` elements after it (inner == 1 for channels-last); element i uses
// bias[(i / inner) % channels]. Loops are grid-stride.
//
// The activation is a compile-time choice (part of the loader's compile cache key):
//   -DGL_ACTIVATION=k with k: 0 linear, 1 relu, 2 sigmoid, 3 tanh, 4 relu6, 5 elu (alpha 1),
//   6 selu, 7 softplus, 8 hard_sigmoid (Keras 3: relu6(x + 3) / 6).
// Every backward is written in terms of the forward output y, so the pre-activation sum is
// never stored: dz = grad * activation'(z) expressed through y.
//
// Entry points (suffix _f32 / _f64 for float / double):
//   bias_act_forward_*(x, bias, y, n, channels, inner)
//   bias_act_backward_*(grad, y, dz, n)

#ifndef GL_ACTIVATION
#define GL_ACTIVATION 0
#endif

#define GL_LINEAR 0
#define GL_RELU 1
#define GL_SIGMOID 2
#define GL_TANH 3
#define GL_RELU6 4
#define GL_ELU 5
#define GL_SELU 6
#define GL_SOFTPLUS 7
#define GL_HARD_SIGMOID 8

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
    } else {
        return z;
    }
}

// activation'(z) written in terms of y = activation(z).
template <int KIND, typename T>
__device__ __forceinline__ T slope_from_output(T y) {
    if constexpr (KIND == GL_RELU) {
        return y > T(0) ? T(1) : T(0);
    } else if constexpr (KIND == GL_SIGMOID) {
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
    } else if constexpr (KIND == GL_HARD_SIGMOID) {
        return (y > T(0) && y < T(1)) ? T(1) / T(6) : T(0);
    } else {
        return T(1);
    }
}

template <typename T>
__device__ void bias_act_forward(const T* __restrict__ x, const T* __restrict__ bias,
                                 T* __restrict__ y, long long n, long long channels,
                                 long long inner) {
    long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        long long channel = (i / inner) % channels;
        y[i] = activate<GL_ACTIVATION>(x[i] + bias[channel]);
    }
}

template <typename T>
__device__ void bias_act_backward(const T* __restrict__ grad, const T* __restrict__ y,
                                  T* __restrict__ dz, long long n) {
    long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        dz[i] = grad[i] * slope_from_output<GL_ACTIVATION>(y[i]);
    }
}

extern "C" __global__ void bias_act_forward_f32(const float* x, const float* bias, float* y,
                                                long long n, long long channels,
                                                long long inner) {
    bias_act_forward<float>(x, bias, y, n, channels, inner);
}

extern "C" __global__ void bias_act_forward_f64(const double* x, const double* bias, double* y,
                                                long long n, long long channels,
                                                long long inner) {
    bias_act_forward<double>(x, bias, y, n, channels, inner);
}

extern "C" __global__ void bias_act_backward_f32(const float* grad, const float* y, float* dz,
                                                 long long n) {
    bias_act_backward<float>(grad, y, dz, n);
}

extern "C" __global__ void bias_act_backward_f64(const double* grad, const double* y,
                                                 double* dz, long long n) {
    bias_act_backward<double>(grad, y, dz, n);
}
