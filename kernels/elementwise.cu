// Fused bias + activation, forward and backward: y = activation(x + bias).
//
// x, y, grad are C-contiguous arrays of n elements whose channel axis has `channels` entries
// and `inner` elements after it (inner == 1 for channels-last); element i uses
// bias[(i / inner) % channels]. Loops are grid-stride.
//
// The activation is a compile-time choice (part of the loader's compile cache key):
//   -DGL_ACTIVATION=k with k: 0 linear, 1 relu, 2 sigmoid, 3 tanh, 4 relu6, 5 elu (alpha 1),
//   6 selu, 7 softplus, 8 hard_sigmoid (Keras 3: relu6(x + 3) / 6): the activation kinds of
//   common.cuh, whose activate/slope_from_output this file uses.
// Every backward is written in terms of the forward output y, so the pre-activation sum is
// never stored: dz = grad * activation'(z) expressed through y.
//
// Entry points (suffix _f32 / _f64 for float / double):
//   bias_act_forward_*(x, bias, y, n, channels, inner)
//   bias_act_backward_*(grad, y, dz, n)

#include "common.cuh"

#ifndef GL_ACTIVATION
#define GL_ACTIVATION GL_LINEAR
#endif

template <typename T>
__device__ void bias_act_forward(const T* __restrict__ x, const T* __restrict__ bias,
                                 T* __restrict__ y, long long n, long long channels,
                                 long long inner) {
    GRID_STRIDE_LOOP(i, n) {
        long long channel = (i / inner) % channels;
        y[i] = activate<GL_ACTIVATION>(x[i] + bias[channel]);
    }
}

template <typename T>
__device__ void bias_act_backward(const T* __restrict__ grad, const T* __restrict__ y,
                                  T* __restrict__ dz, long long n) {
    GRID_STRIDE_LOOP(i, n) {
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
