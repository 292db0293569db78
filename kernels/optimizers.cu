// Fused multi-tensor optimizer updates: one launch updates every parameter of a list, and
// each parameter's slots, in place.
//
// Per element, an update reads the gradient, the parameter and each slot once, keeps the
// intermediate values in registers and writes the parameter and the slots once, instead of the
// ~10 whole-array passes of the unfused expressions. The arithmetic follows
// numpy_backend/optimizer_updates.py (the reference) operation by operation, so results agree
// up to the compiler's fused multiply-adds (a few ulp per step).
//
// The tensors of one launch are described by a device table of 64-bit words (built and cached
// by the caller, cupy_backend/optimizer_updates.py):
//   table[0 .. tensors]                        element offsets: tensor t holds elements
//                                              [table[t], table[t + 1]) of the concatenation;
//   table[tensors + 1 + role * tensors + t]    the address of array `role` of tensor t
//                                              (role 0: the parameter, 1: the gradient, then
//                                              the slots in the order the entry point names).
// The grid splits the concatenation into one contiguous span per block (for_each_element), so
// a launch costs the same whether the elements sit in one tensor or in a thousand, and small
// tensors (biases) do not leave threads idle.
//
// All arrays of a launch are C-contiguous, of the entry point's type (_f32: float, _f64:
// double) and do not overlap (the caller copies a gradient that shares memory with an updated
// array). Scalars arrive as double (Python floats) and are rounded once to T, as NumPy rounds a
// Python float operand to the array's dtype. An optional slot is a flag plus a table role that
// is never read when the flag is 0.

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

// m += (g - m) * (1 - beta): Adam's first moment (and Adamax's, Nadam's); returns the new m.
template <typename T>
__device__ __forceinline__ T update_moment(T& m, T g, T one_minus_beta) {
    const T updated = m + (g - m) * one_minus_beta;
    m = updated;
    return updated;
}

// v += (g^2 - v) * (1 - beta): Adam's second moment (and Nadam's); returns the new v.
template <typename T>
__device__ __forceinline__ T update_second_moment(T& v, T g, T one_minus_beta) {
    const T updated = v + (g * g - v) * one_minus_beta;
    v = updated;
    return updated;
}

// ---------------------------------------------------------------- the tensor table
// Array `role` of tensor t. Roles: W (the parameter), G (its gradient), then the algorithm's
// slots S1, S2, S3 in the order its entry point documents.
enum Role { W = 0, G = 1, S1 = 2, S2 = 3, S3 = 4 };

template <typename T>
__device__ __forceinline__ T* tensor_array(const unsigned long long* table, int tensors,
                                           int role, int t) {
    return reinterpret_cast<T*>(table[tensors + 1 + (long long)role * tensors + t]);
}

// Calls update(arrays, i) for each element i this thread owns, where arrays[role] is array
// `role` of that element's tensor (ROLES arrays per tensor). Block b owns elements
// [b * span, (b + 1) * span) of the concatenated tensors; its threads stride through them.
template <typename T, int ROLES, typename Update>
__device__ void for_each_element(const unsigned long long* table, int tensors, long long total,
                                 Update update) {
    const long long span = (total + gridDim.x - 1) / gridDim.x;
    const long long begin = (long long)blockIdx.x * span;
    const long long end = min(begin + span, total);
    if (begin >= end) return;
    // The last tensor starting at or before `begin` (binary search over the offsets).
    int low = 0, high = tensors - 1;
    while (low < high) {
        const int middle = (low + high + 1) / 2;
        if ((long long)table[middle] <= begin) low = middle; else high = middle - 1;
    }
    for (int t = low; t < tensors && (long long)table[t] < end; ++t) {
        T* arrays[ROLES];
#pragma unroll
        for (int role = 0; role < ROLES; ++role) arrays[role] = tensor_array<T>(table, tensors,
                                                                               role, t);
        const long long offset = (long long)table[t];
        const long long stop = min(end, (long long)table[t + 1]) - offset;
        for (long long i = max(begin, offset) - offset + threadIdx.x; i < stop; i += blockDim.x) {
            update(arrays, i);
        }
    }
}

// ---------------------------------------------------------------- SGD
// Without momentum: w -= g * lr. With momentum: m = m * momentum - g * lr, then w += m, or with
// nesterov w += m * momentum - g * lr. Slots: S1 = m.
template <typename T>
__device__ void sgd_update(const unsigned long long* table, int tensors, long long total,
                           int has_momentum, int nesterov, double learning_rate,
                           double momentum) {
    const T lr = T(learning_rate);
    const T mu = T(momentum);
    for_each_element<T, 3>(table, tensors, total, [&](T* const* a, long long i) {
        const T scaled = a[G][i] * lr;
        if (!has_momentum) {
            a[W][i] = a[W][i] - scaled;
            return;
        }
        const T m = a[S1][i] * mu - scaled;
        a[S1][i] = m;
        a[W][i] = a[W][i] + (nesterov ? m * mu - scaled : m);
    });
}

// ---------------------------------------------------------------- Adam (and AdamW)
// m += (g - m) * (1 - beta_1); v += (g^2 - v) * (1 - beta_2); v_hat = max(v_hat, v) (AMSGrad);
// w -= m * alpha / (sqrt(v or v_hat) + epsilon), alpha the bias-corrected rate.
// Slots: S1 = m, S2 = v, S3 = v_hat.
template <typename T>
__device__ void adam_update(const unsigned long long* table, int tensors, long long total,
                            int has_v_hat, double alpha, double one_minus_beta_1,
                            double one_minus_beta_2, double epsilon) {
    const T rate = T(alpha);
    const T c1 = T(one_minus_beta_1);
    const T c2 = T(one_minus_beta_2);
    const T eps = T(epsilon);
    for_each_element<T, 5>(table, tensors, total, [&](T* const* a, long long i) {
        const T g = a[G][i];
        const T m = update_moment(a[S1][i], g, c1);
        T second = update_second_moment(a[S2][i], g, c2);
        if (has_v_hat) {
            second = nan_maximum(a[S3][i], second);
            a[S3][i] = second;
        }
        a[W][i] = a[W][i] - (m * rate) / (gl_sqrt(second) + eps);
    });
}

// ---------------------------------------------------------------- Adamax
// m += (g - m) * (1 - beta_1); u = max(beta_2 * u, |g|);
// w -= lr * m / (correction * (u + epsilon)), correction = 1 - beta_1^t. Slots: S1 = m, S2 = u.
template <typename T>
__device__ void adamax_update(const unsigned long long* table, int tensors, long long total,
                              double learning_rate, double one_minus_beta_1, double beta_2,
                              double epsilon, double correction) {
    const T lr = T(learning_rate);
    const T c1 = T(one_minus_beta_1);
    const T b2 = T(beta_2);
    const T eps = T(epsilon);
    const T corr = T(correction);
    for_each_element<T, 4>(table, tensors, total, [&](T* const* a, long long i) {
        const T g = a[G][i];
        const T m = update_moment(a[S1][i], g, c1);
        const T u = nan_maximum(a[S2][i] * b2, gl_abs(g));
        a[S2][i] = u;
        a[W][i] = a[W][i] - (m * lr) / ((u + eps) * corr);
    });
}

// ---------------------------------------------------------------- Nadam
// m and v as in Adam; m_hat = m * mu_next / m_divisor + g * (1 - mu_t) / g_divisor;
// w -= m_hat * lr / (sqrt(v / v_divisor) + epsilon). The divisors (1 - P_t * mu_next,
// 1 - P_t, 1 - beta_2^t) come from the host. Slots: S1 = m, S2 = v.
template <typename T>
__device__ void nadam_update(const unsigned long long* table, int tensors, long long total,
                             double learning_rate, double one_minus_beta_1,
                             double one_minus_beta_2, double epsilon, double mu_next,
                             double m_divisor, double one_minus_mu_t, double g_divisor,
                             double v_divisor) {
    const T lr = T(learning_rate);
    const T c1 = T(one_minus_beta_1);
    const T c2 = T(one_minus_beta_2);
    const T eps = T(epsilon);
    const T mu = T(mu_next);
    const T m_div = T(m_divisor);
    const T g_coef = T(one_minus_mu_t);
    const T g_div = T(g_divisor);
    const T v_div = T(v_divisor);
    for_each_element<T, 4>(table, tensors, total, [&](T* const* a, long long i) {
        const T g = a[G][i];
        const T m = update_moment(a[S1][i], g, c1);
        const T v = update_second_moment(a[S2][i], g, c2);
        const T m_hat = (m * mu) / m_div + (g * g_coef) / g_div;
        a[W][i] = a[W][i] - (m_hat * lr) / (gl_sqrt(v / v_div) + eps);
    });
}

// ---------------------------------------------------------------- RMSprop
// v = rho * v + (1 - rho) * g^2; a = rho * a + (1 - rho) * g (centered);
// increment = g * lr / sqrt(v - a^2 + epsilon) (centered) or g * lr / sqrt(v + epsilon);
// m = momentum * m + increment, w -= m (with a momentum slot) or w -= increment.
// Slots: S1 = v, S2 = a, S3 = m.
template <typename T>
__device__ void rmsprop_update(const unsigned long long* table, int tensors, long long total,
                               int centered, int has_momentum, double learning_rate,
                               double rho, double one_minus_rho, double momentum,
                               double epsilon) {
    const T lr = T(learning_rate);
    const T r = T(rho);
    const T c = T(one_minus_rho);
    const T mu = T(momentum);
    const T eps = T(epsilon);
    for_each_element<T, 5>(table, tensors, total, [&](T* const* a, long long i) {
        const T g = a[G][i];
        const T v = a[S1][i] * r + (g * g) * c;
        a[S1][i] = v;
        T denominator;
        if (centered) {
            const T average = a[S2][i] * r + g * c;
            a[S2][i] = average;
            denominator = (v - average * average) + eps;
        } else {
            denominator = v + eps;
        }
        T increment = (g * lr) / gl_sqrt(denominator);
        if (has_momentum) {
            increment = a[S3][i] * mu + increment;
            a[S3][i] = increment;
        }
        a[W][i] = a[W][i] - increment;
    });
}

// ---------------------------------------------------------------- Adagrad
// a += g^2; w -= g * lr / sqrt(a + epsilon). Slots: S1 = a.
template <typename T>
__device__ void adagrad_update(const unsigned long long* table, int tensors, long long total,
                               double learning_rate, double epsilon) {
    const T lr = T(learning_rate);
    const T eps = T(epsilon);
    for_each_element<T, 3>(table, tensors, total, [&](T* const* a, long long i) {
        const T g = a[G][i];
        const T accumulated = a[S1][i] + g * g;
        a[S1][i] = accumulated;
        a[W][i] = a[W][i] - (g * lr) / gl_sqrt(accumulated + eps);
    });
}

// ---------------------------------------------------------------- Adadelta
// G = rho * G + (1 - rho) * g^2; delta = -(sqrt(D + epsilon) * g) / sqrt(G + epsilon);
// D = rho * D + (1 - rho) * delta^2; w += delta * lr. Slots: S1 = G, S2 = D.
template <typename T>
__device__ void adadelta_update(const unsigned long long* table, int tensors, long long total,
                                double learning_rate, double rho, double one_minus_rho,
                                double epsilon) {
    const T lr = T(learning_rate);
    const T r = T(rho);
    const T c = T(one_minus_rho);
    const T eps = T(epsilon);
    for_each_element<T, 4>(table, tensors, total, [&](T* const* a, long long i) {
        const T g = a[G][i];
        const T grad_average = a[S1][i] * r + (g * g) * c;
        a[S1][i] = grad_average;
        const T delta_average = a[S2][i];
        const T delta = -(gl_sqrt(delta_average + eps) * g) / gl_sqrt(grad_average + eps);
        a[S2][i] = delta_average * r + (delta * delta) * c;
        a[W][i] = a[W][i] + delta * lr;
    });
}

// ---------------------------------------------------------------- decoupled weight decay
// w -= (w * decay) * lr, before the update step (AdamW, and any optimizer's weight_decay).
// The table has the parameter role only.
template <typename T>
__device__ void decay_weights(const unsigned long long* table, int tensors, long long total,
                              double decay, double learning_rate) {
    const T d = T(decay);
    const T lr = T(learning_rate);
    for_each_element<T, 1>(table, tensors, total, [&](T* const* a, long long i) {
        const T shrink = (a[W][i] * d) * lr;
        a[W][i] = a[W][i] - shrink;
    });
}

// ---------------------------------------------------------------- entry points
// Every entry point takes (table, tensors, total) first, then its flags and scalars.
#define GL_TABLE const unsigned long long *table, int tensors, long long total
#define GL_OPTIMIZER_ENTRY_POINTS(SUFFIX, T)                                                      \
    extern "C" __global__ void sgd_update_##SUFFIX(GL_TABLE, int has_momentum, int nesterov,    \
                                                   double learning_rate, double momentum) {     \
        sgd_update<T>(table, tensors, total, has_momentum, nesterov, learning_rate, momentum);   \
    }                                                                                            \
    extern "C" __global__ void adam_update_##SUFFIX(GL_TABLE, int has_v_hat, double alpha,      \
                                                    double one_minus_beta_1,                     \
                                                    double one_minus_beta_2, double epsilon) {   \
        adam_update<T>(table, tensors, total, has_v_hat, alpha, one_minus_beta_1,                \
                       one_minus_beta_2, epsilon);                                               \
    }                                                                                            \
    extern "C" __global__ void adamax_update_##SUFFIX(                                           \
        GL_TABLE, double learning_rate, double one_minus_beta_1, double beta_2, double epsilon, \
        double correction) {                                                                     \
        adamax_update<T>(table, tensors, total, learning_rate, one_minus_beta_1, beta_2,        \
                         epsilon, correction);                                                   \
    }                                                                                            \
    extern "C" __global__ void nadam_update_##SUFFIX(                                            \
        GL_TABLE, double learning_rate, double one_minus_beta_1, double one_minus_beta_2,       \
        double epsilon, double mu_next, double m_divisor, double one_minus_mu_t,               \
        double g_divisor, double v_divisor) {                                                   \
        nadam_update<T>(table, tensors, total, learning_rate, one_minus_beta_1,                 \
                        one_minus_beta_2, epsilon, mu_next, m_divisor, one_minus_mu_t,          \
                        g_divisor, v_divisor);                                                   \
    }                                                                                            \
    extern "C" __global__ void rmsprop_update_##SUFFIX(                                          \
        GL_TABLE, int centered, int has_momentum, double learning_rate, double rho,             \
        double one_minus_rho, double momentum, double epsilon) {                                \
        rmsprop_update<T>(table, tensors, total, centered, has_momentum, learning_rate, rho,    \
                          one_minus_rho, momentum, epsilon);                                     \
    }                                                                                            \
    extern "C" __global__ void adagrad_update_##SUFFIX(GL_TABLE, double learning_rate,          \
                                                       double epsilon) {                         \
        adagrad_update<T>(table, tensors, total, learning_rate, epsilon);                        \
    }                                                                                            \
    extern "C" __global__ void adadelta_update_##SUFFIX(GL_TABLE, double learning_rate,         \
                                                        double rho, double one_minus_rho,        \
                                                        double epsilon) {                        \
        adadelta_update<T>(table, tensors, total, learning_rate, rho, one_minus_rho, epsilon);   \
    }                                                                                            \
    extern "C" __global__ void decay_weights_##SUFFIX(GL_TABLE, double decay,                   \
                                                      double learning_rate) {                    \
        decay_weights<T>(table, tensors, total, decay, learning_rate);                           \
    }

GL_OPTIMIZER_ENTRY_POINTS(f32, float)
GL_OPTIMIZER_ENTRY_POINTS(f64, double)
