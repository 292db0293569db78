// Fused LSTM, GRU and SimpleRNN gate kernels (forward and backward), Keras 3 gate layout.
//
// Gate blocks are contiguous, as Keras stores them:
//   LSTM pre-activations z (N, 4u): blocks i, f, c, o.
//   GRU projections (N, 3u): blocks z (update), r (reset), h (candidate).
// One thread handles one (batch row, unit) pair and computes every gate of that unit, so one
// launch covers a whole timestep. Loops are grid-stride; all arrays are C-contiguous.
//
// Activations are compile-time choices (part of the compile cache key):
//   -DGL_ACTIVATION=k            the cell activation (default tanh)
//   -DGL_RECURRENT_ACTIVATION=k  the gate activation (default sigmoid)
// with k: 0 linear, 1 tanh, 2 sigmoid, 3 hard_sigmoid (Keras 3: clip(x/6 + 0.5, 0, 1)), 4 relu.
// Backward passes use each activation's derivative written in terms of its output y. The
// activation math lives in common.cuh (shared with elementwise.cu, whose codes differ).

#include "common.cuh"

#ifndef GL_ACTIVATION
#define GL_ACTIVATION 1
#endif
#ifndef GL_RECURRENT_ACTIVATION
#define GL_RECURRENT_ACTIVATION 2
#endif

// This family's activation code (the position in numpy_backend/rnn.py's ACTIVATIONS) -> the
// activation kind of common.cuh, with the rounding of the NumPy reference.
__host__ __device__ constexpr int rnn_activation_kind(int code) {
    return code == 1   ? GL_TANH
           : code == 2 ? GL_SIGMOID_TANH
           : code == 3 ? GL_HARD_SIGMOID_CLIP
           : code == 4 ? GL_RELU
                       : GL_LINEAR;
}

#define ACT(x) activate<rnn_activation_kind(GL_ACTIVATION)>(x)
#define ACT_SLOPE(y) slope_from_output<rnn_activation_kind(GL_ACTIVATION)>(y)
#define REC(x) activate<rnn_activation_kind(GL_RECURRENT_ACTIVATION)>(x)
#define REC_SLOPE(y) slope_from_output<rnn_activation_kind(GL_RECURRENT_ACTIVATION)>(y)

// ---------------------------------------------------------------- LSTM
// z, z_recurrent: (N, 4u) pre-activations, summed when has_recurrent != 0.
// c_prev, h, c: (N, u). saved: (N, 5u) = activated i, f, g, o and act(c).
template <typename T>
__device__ void lstm_gates_forward(const T* z, const T* z_recurrent, int has_recurrent,
                                   const T* c_prev, T* h, T* c, T* saved, int batch, int units) {
    const long long total = (long long)batch * units;
    GRID_STRIDE_LOOP(k, total) {
        const long long n = k / units;
        const long long j = k - n * units;
        const long long row = n * 4 * units;
        T pre[4];
        for (int gate = 0; gate < 4; ++gate) {
            const long long at = row + gate * units + j;
            pre[gate] = z[at] + (has_recurrent ? z_recurrent[at] : T(0));
        }
        const T i = REC(pre[0]);
        const T f = REC(pre[1]);
        const T g = ACT(pre[2]);
        const T o = REC(pre[3]);
        const T c_new = f * c_prev[k] + i * g;
        const T act_c = ACT(c_new);
        c[k] = c_new;
        h[k] = o * act_c;
        const long long saved_row = n * 5 * units + j;
        saved[saved_row] = i;
        saved[saved_row + units] = f;
        saved[saved_row + 2 * units] = g;
        saved[saved_row + 3 * units] = o;
        saved[saved_row + 4 * units] = act_c;
    }
}

// dh, dh_recurrent (summed when has_recurrent != 0), dc, c_prev: (N, u); saved: (N, 5u).
// Writes dz: (N, 4u) gradient of the pre-activations, dc_prev: (N, u).
template <typename T>
__device__ void lstm_gates_backward(const T* dh, const T* dh_recurrent, int has_recurrent,
                                    const T* dc, const T* c_prev, const T* saved, T* dz,
                                    T* dc_prev, int batch, int units) {
    const long long total = (long long)batch * units;
    GRID_STRIDE_LOOP(k, total) {
        const long long n = k / units;
        const long long j = k - n * units;
        const long long saved_row = n * 5 * units + j;
        const T i = saved[saved_row];
        const T f = saved[saved_row + units];
        const T g = saved[saved_row + 2 * units];
        const T o = saved[saved_row + 3 * units];
        const T act_c = saved[saved_row + 4 * units];
        const T dh_total = dh[k] + (has_recurrent ? dh_recurrent[k] : T(0));
        const T dc_total = dc[k] + dh_total * o * ACT_SLOPE(act_c);
        const long long row = n * 4 * units + j;
        dz[row] = dc_total * g * REC_SLOPE(i);
        dz[row + units] = dc_total * c_prev[k] * REC_SLOPE(f);
        dz[row + 2 * units] = dc_total * i * ACT_SLOPE(g);
        dz[row + 3 * units] = dh_total * act_c * REC_SLOPE(o);
        dc_prev[k] = dc_total * f;
    }
}

// ---------------------------------------------------------------- GRU, reset_after=True
// x_proj, h_proj: (N, 3u) (bias b[0] in x_proj; b[1] in h_proj or in recurrent_bias (3u)
// when has_bias != 0). h_prev, h: (N, u). saved: (N, 4u) = z, r, hh, h block of h_proj + bias.
template <typename T>
__device__ void gru_gates_forward(const T* x_proj, const T* h_proj, const T* recurrent_bias,
                                  int has_bias, const T* h_prev, T* h, T* saved, int batch,
                                  int units) {
    const long long total = (long long)batch * units;
    GRID_STRIDE_LOOP(k, total) {
        const long long n = k / units;
        const long long j = k - n * units;
        const long long row = n * 3 * units + j;
        const T bias_z = has_bias ? recurrent_bias[j] : T(0);
        const T bias_r = has_bias ? recurrent_bias[units + j] : T(0);
        const T bias_h = has_bias ? recurrent_bias[2 * units + j] : T(0);
        const T z = REC(x_proj[row] + h_proj[row] + bias_z);
        const T r = REC(x_proj[row + units] + h_proj[row + units] + bias_r);
        const T recurrent_h = h_proj[row + 2 * units] + bias_h;
        const T hh = ACT(x_proj[row + 2 * units] + r * recurrent_h);
        h[k] = z * h_prev[k] + (T(1) - z) * hh;
        const long long saved_row = n * 4 * units + j;
        saved[saved_row] = z;
        saved[saved_row + units] = r;
        saved[saved_row + 2 * units] = hh;
        saved[saved_row + 3 * units] = recurrent_h;
    }
}

// Writes dx_proj, dh_proj: (N, 3u) and dh_prev_direct = dh * z: (N, u) (the caller adds
// dh_proj @ U^T).
template <typename T>
__device__ void gru_gates_backward(const T* dh, const T* dh_recurrent, int has_recurrent,
                                   const T* h_prev, const T* saved, T* dx_proj, T* dh_proj,
                                   T* dh_prev_direct, int batch, int units) {
    const long long total = (long long)batch * units;
    GRID_STRIDE_LOOP(k, total) {
        const long long n = k / units;
        const long long j = k - n * units;
        const long long saved_row = n * 4 * units + j;
        const T z = saved[saved_row];
        const T r = saved[saved_row + units];
        const T hh = saved[saved_row + 2 * units];
        const T recurrent_h = saved[saved_row + 3 * units];
        const T dh_total = dh[k] + (has_recurrent ? dh_recurrent[k] : T(0));
        const T d_candidate = dh_total * (T(1) - z) * ACT_SLOPE(hh);
        const T dz = dh_total * (h_prev[k] - hh) * REC_SLOPE(z);
        const T dr = d_candidate * recurrent_h * REC_SLOPE(r);
        const long long row = n * 3 * units + j;
        dx_proj[row] = dz;
        dx_proj[row + units] = dr;
        dx_proj[row + 2 * units] = d_candidate;
        dh_proj[row] = dz;
        dh_proj[row + units] = dr;
        dh_proj[row + 2 * units] = d_candidate * r;
        dh_prev_direct[k] = dh_total * z;
    }
}

// ---------------------------------------------------------------- GRU, reset_after=False
// Stage 1: x_proj (N, 3u) (first 2u columns used), h_proj_zr = h_prev @ U[:, :2u]: (N, 2u).
// Writes zr: (N, 2u) activated z and r, reset_h = r * h_prev: (N, u).
template <typename T>
__device__ void gru_reset_gates_forward(const T* x_proj, const T* h_proj_zr, const T* h_prev,
                                        T* zr, T* reset_h, int batch, int units) {
    const long long total = (long long)batch * units;
    GRID_STRIDE_LOOP(k, total) {
        const long long n = k / units;
        const long long j = k - n * units;
        const long long x_row = n * 3 * units + j;
        const long long zr_row = n * 2 * units + j;
        const T z = REC(x_proj[x_row] + h_proj_zr[zr_row]);
        const T r = REC(x_proj[x_row + units] + h_proj_zr[zr_row + units]);
        zr[zr_row] = z;
        zr[zr_row + units] = r;
        reset_h[k] = r * h_prev[k];
    }
}

// Stage 2: candidate_proj = reset_h @ U[:, 2u:]: (N, u); x_proj's last u columns used.
// Writes h and hh (the activated candidate): (N, u).
template <typename T>
__device__ void gru_candidate_forward(const T* x_proj, const T* candidate_proj, const T* zr,
                                      const T* h_prev, T* h, T* hh_out, int batch, int units) {
    const long long total = (long long)batch * units;
    GRID_STRIDE_LOOP(k, total) {
        const long long n = k / units;
        const long long j = k - n * units;
        const T z = zr[n * 2 * units + j];
        const T hh = ACT(x_proj[n * 3 * units + 2 * units + j] + candidate_proj[k]);
        hh_out[k] = hh;
        h[k] = z * h_prev[k] + (T(1) - z) * hh;
    }
}

// Backward of stage 2. Writes d_candidate (gradient of the candidate pre-activation), dz (of
// the activated update gate) and dh_prev_direct = dh * z, all (N, u).
template <typename T>
__device__ void gru_candidate_backward(const T* dh, const T* dh_recurrent, int has_recurrent,
                                       const T* h_prev, const T* zr, const T* hh_in,
                                       T* d_candidate, T* dz, T* dh_prev_direct, int batch,
                                       int units) {
    const long long total = (long long)batch * units;
    GRID_STRIDE_LOOP(k, total) {
        const long long n = k / units;
        const long long j = k - n * units;
        const T z = zr[n * 2 * units + j];
        const T hh = hh_in[k];
        const T dh_total = dh[k] + (has_recurrent ? dh_recurrent[k] : T(0));
        d_candidate[k] = dh_total * (T(1) - z) * ACT_SLOPE(hh);
        dz[k] = dh_total * (h_prev[k] - hh);
        dh_prev_direct[k] = dh_total * z;
    }
}

// Backward of stage 1. dz: (N, u) gradient of the activated z; d_reset_h: (N, u) gradient of
// r * h_prev. Writes dzr: (N, 2u) gradient of the z and r pre-activations and
// dh_prev_reset = d_reset_h * r: (N, u).
template <typename T>
__device__ void gru_reset_gates_backward(const T* dz, const T* d_reset_h, const T* h_prev,
                                         const T* zr, T* dzr, T* dh_prev_reset, int batch,
                                         int units) {
    const long long total = (long long)batch * units;
    GRID_STRIDE_LOOP(k, total) {
        const long long n = k / units;
        const long long j = k - n * units;
        const long long zr_row = n * 2 * units + j;
        const T z = zr[zr_row];
        const T r = zr[zr_row + units];
        dzr[zr_row] = dz[k] * REC_SLOPE(z);
        dzr[zr_row + units] = d_reset_h[k] * h_prev[k] * REC_SLOPE(r);
        dh_prev_reset[k] = d_reset_h[k] * r;
    }
}

// ---------------------------------------------------------------- SimpleRNN
// x_proj, h_proj, h: (N, u); h = act(x_proj + h_proj).
template <typename T>
__device__ void simple_rnn_forward(const T* x_proj, const T* h_proj, T* h, int batch,
                                   int units) {
    const long long total = (long long)batch * units;
    GRID_STRIDE_LOOP(k, total) { h[k] = ACT(x_proj[k] + h_proj[k]); }
}

// dh, dh_recurrent (summed when has_recurrent != 0), h: (N, u). Writes dz: (N, u).
template <typename T>
__device__ void simple_rnn_backward(const T* dh, const T* dh_recurrent, int has_recurrent,
                                    const T* h, T* dz, int batch, int units) {
    const long long total = (long long)batch * units;
    GRID_STRIDE_LOOP(k, total) {
        dz[k] = (dh[k] + (has_recurrent ? dh_recurrent[k] : T(0))) * ACT_SLOPE(h[k]);
    }
}

// ---------------------------------------------------------------- entry points per dtype
#define GL_RNN_ENTRY_POINTS(SUFFIX, T)                                                           \
    extern "C" __global__ void lstm_gates_forward_##SUFFIX(                                      \
        const T* z, const T* z_recurrent, int has_recurrent, const T* c_prev, T* h, T* c,        \
        T* saved, int batch, int units) {                                                        \
        lstm_gates_forward<T>(z, z_recurrent, has_recurrent, c_prev, h, c, saved, batch, units); \
    }                                                                                            \
    extern "C" __global__ void lstm_gates_backward_##SUFFIX(                                     \
        const T* dh, const T* dh_recurrent, int has_recurrent, const T* dc, const T* c_prev,     \
        const T* saved, T* dz, T* dc_prev, int batch, int units) {                               \
        lstm_gates_backward<T>(dh, dh_recurrent, has_recurrent, dc, c_prev, saved, dz, dc_prev,  \
                               batch, units);                                                    \
    }                                                                                            \
    extern "C" __global__ void gru_gates_forward_##SUFFIX(                                       \
        const T* x_proj, const T* h_proj, const T* recurrent_bias, int has_bias,                 \
        const T* h_prev, T* h, T* saved, int batch, int units) {                                 \
        gru_gates_forward<T>(x_proj, h_proj, recurrent_bias, has_bias, h_prev, h, saved, batch,  \
                             units);                                                             \
    }                                                                                            \
    extern "C" __global__ void gru_gates_backward_##SUFFIX(                                      \
        const T* dh, const T* dh_recurrent, int has_recurrent, const T* h_prev, const T* saved,  \
        T* dx_proj, T* dh_proj, T* dh_prev_direct, int batch, int units) {                       \
        gru_gates_backward<T>(dh, dh_recurrent, has_recurrent, h_prev, saved, dx_proj, dh_proj,  \
                              dh_prev_direct, batch, units);                                     \
    }                                                                                            \
    extern "C" __global__ void gru_reset_gates_forward_##SUFFIX(                                 \
        const T* x_proj, const T* h_proj_zr, const T* h_prev, T* zr, T* reset_h, int batch,      \
        int units) {                                                                             \
        gru_reset_gates_forward<T>(x_proj, h_proj_zr, h_prev, zr, reset_h, batch, units);       \
    }                                                                                            \
    extern "C" __global__ void gru_candidate_forward_##SUFFIX(                                   \
        const T* x_proj, const T* candidate_proj, const T* zr, const T* h_prev, T* h, T* hh,     \
        int batch, int units) {                                                                  \
        gru_candidate_forward<T>(x_proj, candidate_proj, zr, h_prev, h, hh, batch, units);      \
    }                                                                                            \
    extern "C" __global__ void gru_candidate_backward_##SUFFIX(                                  \
        const T* dh, const T* dh_recurrent, int has_recurrent, const T* h_prev, const T* zr,     \
        const T* hh, T* d_candidate, T* dz, T* dh_prev_direct, int batch, int units) {           \
        gru_candidate_backward<T>(dh, dh_recurrent, has_recurrent, h_prev, zr, hh, d_candidate,  \
                                  dz, dh_prev_direct, batch, units);                             \
    }                                                                                            \
    extern "C" __global__ void simple_rnn_forward_##SUFFIX(                                      \
        const T* x_proj, const T* h_proj, T* h, int batch, int units) {                          \
        simple_rnn_forward<T>(x_proj, h_proj, h, batch, units);                                  \
    }                                                                                            \
    extern "C" __global__ void simple_rnn_backward_##SUFFIX(                                     \
        const T* dh, const T* dh_recurrent, int has_recurrent, const T* h, T* dz, int batch,     \
        int units) {                                                                             \
        simple_rnn_backward<T>(dh, dh_recurrent, has_recurrent, h, dz, batch, units);           \
    }                                                                                            \
    extern "C" __global__ void gru_reset_gates_backward_##SUFFIX(                                \
        const T* dz, const T* d_reset_h, const T* h_prev, const T* zr, T* dzr,                   \
        T* dh_prev_reset, int batch, int units) {                                                \
        gru_reset_gates_backward<T>(dz, d_reset_h, h_prev, zr, dzr, dh_prev_reset, batch,        \
                                    units);                                                      \
    }

GL_RNN_ENTRY_POINTS(f32, float)
GL_RNN_ENTRY_POINTS(f64, double)
