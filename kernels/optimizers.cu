// Fused optimizer updates: one launch updates a parameter and its slots in place.
//
// Each kernel is a grid-stride loop over the n elements of one parameter. Every element reads
// the gradient, the parameter and each slot once, keeps the intermediate values in registers
// and writes the parameter and the slots once, instead of the ~10 whole-array passes of the
// unfused expressions. The arithmetic follows numpy_backend/optimizer_updates.py (the
// reference) operation by operation, so results agree up to the compiler's fused
// multiply-adds (a few ulp per step).
//
// All arrays are C-contiguous, of the entry point's type (_f32: float, _f64: double) and do not
// overlap (the caller copies the gradient when it shares memory with the updated arrays).
// Scalars arrive as double (Python floats) and are rounded once to T, as NumPy rounds a Python
// float operand to the array's dtype. An optional slot is a flag plus a pointer that is
// never read when the flag is 0.

#include "common.cuh"

__device__ __forceinline__ float gl_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double gl_sqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float gl_abs(float x) { return fabsf(x); }
__device__ __forceinline__ double gl_abs(double x) { return fabs(x); }

// numpy.maximum: NaN when either operand is NaN (fmax would drop the NaN).
template <typename T>
__device__ __forceinline__ T nan_maximum(T a, T b) {
    return (a >= b || a != a) ? a : b;
}

// ---------------------------------------------------------------- SGD
// Without momentum: w -= g * lr. With momentum: m = m * momentum - g * lr, then w += m, or with
// nesterov w += m * momentum - g * lr.
template <typename T>
__device__ void sgd_update(T* __restrict__ param, const T* __restrict__ grad,
                           T* __restrict__ momentum_slot, int has_momentum, int nesterov,
                           double learning_rate, double momentum, long long n) {
    const T lr = T(learning_rate);
    const T mu = T(momentum);
    GRID_STRIDE_LOOP(i, n) {
        const T scaled = grad[i] * lr;
        if (!has_momentum) {
            param[i] = param[i] - scaled;
            continue;
        }
        const T m = momentum_slot[i] * mu - scaled;
        momentum_slot[i] = m;
        param[i] = param[i] + (nesterov ? m * mu - scaled : m);
    }
}

// ---------------------------------------------------------------- Adam (and AdamW)
// m += (g - m) * (1 - beta_1); v += (g^2 - v) * (1 - beta_2); v_hat = max(v_hat, v) (AMSGrad);
// w -= m * alpha / (sqrt(v or v_hat) + epsilon), alpha the bias-corrected rate.
template <typename T>
__device__ void adam_update(T* __restrict__ param, const T* __restrict__ grad, T* __restrict__ m,
                            T* __restrict__ v, T* __restrict__ v_hat, int has_v_hat, double alpha,
                            double one_minus_beta_1, double one_minus_beta_2, double epsilon,
                            long long n) {
    const T a = T(alpha);
    const T c1 = T(one_minus_beta_1);
    const T c2 = T(one_minus_beta_2);
    const T eps = T(epsilon);
    GRID_STRIDE_LOOP(i, n) {
        const T g = grad[i];
        T m_i = m[i];
        m_i = m_i + (g - m_i) * c1;
        m[i] = m_i;
        T v_i = v[i];
        v_i = v_i + (g * g - v_i) * c2;
        v[i] = v_i;
        T second = v_i;
        if (has_v_hat) {
            second = nan_maximum(v_hat[i], v_i);
            v_hat[i] = second;
        }
        param[i] = param[i] - (m_i * a) / (gl_sqrt(second) + eps);
    }
}

// ---------------------------------------------------------------- Adamax
// m += (g - m) * (1 - beta_1); u = max(beta_2 * u, |g|);
// w -= lr * m / (correction * (u + epsilon)), correction = 1 - beta_1^t.
template <typename T>
__device__ void adamax_update(T* __restrict__ param, const T* __restrict__ grad,
                              T* __restrict__ m, T* __restrict__ u, double learning_rate,
                              double one_minus_beta_1, double beta_2, double epsilon,
                              double correction, long long n) {
    const T lr = T(learning_rate);
    const T c1 = T(one_minus_beta_1);
    const T b2 = T(beta_2);
    const T eps = T(epsilon);
    const T corr = T(correction);
    GRID_STRIDE_LOOP(i, n) {
        const T g = grad[i];
        T m_i = m[i];
        m_i = m_i + (g - m_i) * c1;
        m[i] = m_i;
        const T u_i = nan_maximum(u[i] * b2, gl_abs(g));
        u[i] = u_i;
        param[i] = param[i] - (m_i * lr) / ((u_i + eps) * corr);
    }
}

// ---------------------------------------------------------------- Nadam
// m and v as in Adam; m_hat = m * mu_next / m_divisor + g * (1 - mu_t) / g_divisor;
// w -= m_hat * lr / (sqrt(v / v_divisor) + epsilon). The divisors (1 - P_t * mu_next,
// 1 - P_t, 1 - beta_2^t) come from the host.
template <typename T>
__device__ void nadam_update(T* __restrict__ param, const T* __restrict__ grad,
                             T* __restrict__ m, T* __restrict__ v, double learning_rate,
                             double one_minus_beta_1, double one_minus_beta_2, double epsilon,
                             double mu_next, double m_divisor, double one_minus_mu_t,
                             double g_divisor, double v_divisor, long long n) {
    const T lr = T(learning_rate);
    const T c1 = T(one_minus_beta_1);
    const T c2 = T(one_minus_beta_2);
    const T eps = T(epsilon);
    const T mu = T(mu_next);
    const T m_div = T(m_divisor);
    const T g_coef = T(one_minus_mu_t);
    const T g_div = T(g_divisor);
    const T v_div = T(v_divisor);
    GRID_STRIDE_LOOP(i, n) {
        const T g = grad[i];
        T m_i = m[i];
        m_i = m_i + (g - m_i) * c1;
        m[i] = m_i;
        T v_i = v[i];
        v_i = v_i + (g * g - v_i) * c2;
        v[i] = v_i;
        const T m_hat = (m_i * mu) / m_div + (g * g_coef) / g_div;
        param[i] = param[i] - (m_hat * lr) / (gl_sqrt(v_i / v_div) + eps);
    }
}

// ---------------------------------------------------------------- RMSprop
// v = rho * v + (1 - rho) * g^2; a = rho * a + (1 - rho) * g (centered);
// increment = g * lr / sqrt(v - a^2 + epsilon) (centered) or g * lr / sqrt(v + epsilon);
// m = momentum * m + increment, w -= m (with a momentum slot) or w -= increment.
template <typename T>
__device__ void rmsprop_update(T* __restrict__ param, const T* __restrict__ grad,
                               T* __restrict__ velocity, T* __restrict__ average, int centered,
                               T* __restrict__ momentum_slot, int has_momentum,
                               double learning_rate, double rho, double one_minus_rho,
                               double momentum, double epsilon, long long n) {
    const T lr = T(learning_rate);
    const T r = T(rho);
    const T c = T(one_minus_rho);
    const T mu = T(momentum);
    const T eps = T(epsilon);
    GRID_STRIDE_LOOP(i, n) {
        const T g = grad[i];
        const T v_i = velocity[i] * r + (g * g) * c;
        velocity[i] = v_i;
        T denominator;
        if (centered) {
            const T a_i = average[i] * r + g * c;
            average[i] = a_i;
            denominator = (v_i - a_i * a_i) + eps;
        } else {
            denominator = v_i + eps;
        }
        T increment = (g * lr) / gl_sqrt(denominator);
        if (has_momentum) {
            increment = momentum_slot[i] * mu + increment;
            momentum_slot[i] = increment;
        }
        param[i] = param[i] - increment;
    }
}

// ---------------------------------------------------------------- Adagrad
// a += g^2; w -= g * lr / sqrt(a + epsilon).
template <typename T>
__device__ void adagrad_update(T* __restrict__ param, const T* __restrict__ grad,
                               T* __restrict__ accumulator, double learning_rate, double epsilon,
                               long long n) {
    const T lr = T(learning_rate);
    const T eps = T(epsilon);
    GRID_STRIDE_LOOP(i, n) {
        const T g = grad[i];
        const T a = accumulator[i] + g * g;
        accumulator[i] = a;
        param[i] = param[i] - (g * lr) / gl_sqrt(a + eps);
    }
}

// ---------------------------------------------------------------- Adadelta
// G = rho * G + (1 - rho) * g^2; delta = -(sqrt(D + epsilon) * g) / sqrt(G + epsilon);
// D = rho * D + (1 - rho) * delta^2; w += delta * lr.
template <typename T>
__device__ void adadelta_update(T* __restrict__ param, const T* __restrict__ grad,
                                T* __restrict__ grad_average, T* __restrict__ delta_average,
                                double learning_rate, double rho, double one_minus_rho,
                                double epsilon, long long n) {
    const T lr = T(learning_rate);
    const T r = T(rho);
    const T c = T(one_minus_rho);
    const T eps = T(epsilon);
    GRID_STRIDE_LOOP(i, n) {
        const T g = grad[i];
        const T grad_avg = grad_average[i] * r + (g * g) * c;
        grad_average[i] = grad_avg;
        const T delta_avg = delta_average[i];
        const T delta = -(gl_sqrt(delta_avg + eps) * g) / gl_sqrt(grad_avg + eps);
        delta_average[i] = delta_avg * r + (delta * delta) * c;
        param[i] = param[i] + delta * lr;
    }
}

// ---------------------------------------------------------------- entry points
#define GL_OPTIMIZER_ENTRY_POINTS(SUFFIX, T)                                                      \
    extern "C" __global__ void sgd_update_##SUFFIX(T* param, const T* grad, T* momentum_slot,    \
                                                   int has_momentum, int nesterov,               \
                                                   double learning_rate, double momentum,        \
                                                   long long n) {                                \
        sgd_update<T>(param, grad, momentum_slot, has_momentum, nesterov, learning_rate,         \
                      momentum, n);                                                              \
    }                                                                                            \
    extern "C" __global__ void adam_update_##SUFFIX(                                             \
        T* param, const T* grad, T* m, T* v, T* v_hat, int has_v_hat, double alpha,             \
        double one_minus_beta_1, double one_minus_beta_2, double epsilon, long long n) {        \
        adam_update<T>(param, grad, m, v, v_hat, has_v_hat, alpha, one_minus_beta_1,            \
                       one_minus_beta_2, epsilon, n);                                            \
    }                                                                                            \
    extern "C" __global__ void adamax_update_##SUFFIX(                                           \
        T* param, const T* grad, T* m, T* u, double learning_rate, double one_minus_beta_1,     \
        double beta_2, double epsilon, double correction, long long n) {                        \
        adamax_update<T>(param, grad, m, u, learning_rate, one_minus_beta_1, beta_2, epsilon,   \
                         correction, n);                                                         \
    }                                                                                            \
    extern "C" __global__ void nadam_update_##SUFFIX(                                            \
        T* param, const T* grad, T* m, T* v, double learning_rate, double one_minus_beta_1,     \
        double one_minus_beta_2, double epsilon, double mu_next, double m_divisor,             \
        double one_minus_mu_t, double g_divisor, double v_divisor, long long n) {               \
        nadam_update<T>(param, grad, m, v, learning_rate, one_minus_beta_1, one_minus_beta_2,   \
                        epsilon, mu_next, m_divisor, one_minus_mu_t, g_divisor, v_divisor, n);  \
    }                                                                                            \
    extern "C" __global__ void rmsprop_update_##SUFFIX(                                          \
        T* param, const T* grad, T* velocity, T* average, int centered, T* momentum_slot,       \
        int has_momentum, double learning_rate, double rho, double one_minus_rho,              \
        double momentum, double epsilon, long long n) {                                         \
        rmsprop_update<T>(param, grad, velocity, average, centered, momentum_slot,              \
                          has_momentum, learning_rate, rho, one_minus_rho, momentum, epsilon,   \
                          n);                                                                    \
    }                                                                                            \
    extern "C" __global__ void adagrad_update_##SUFFIX(T* param, const T* grad, T* accumulator,  \
                                                       double learning_rate, double epsilon,     \
                                                       long long n) {                            \
        adagrad_update<T>(param, grad, accumulator, learning_rate, epsilon, n);                  \
    }                                                                                            \
    extern "C" __global__ void adadelta_update_##SUFFIX(                                         \
        T* param, const T* grad, T* grad_average, T* delta_average, double learning_rate,       \
        double rho, double one_minus_rho, double epsilon, long long n) {                        \
        adadelta_update<T>(param, grad, grad_average, delta_average, learning_rate, rho,        \
                           one_minus_rho, epsilon, n);                                           \
    }

GL_OPTIMIZER_ENTRY_POINTS(f32, float)
GL_OPTIMIZER_ENTRY_POINTS(f64, double)
