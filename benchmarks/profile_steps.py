"""Where the time goes in a GPU training step: host time vs device time, and the GEMM floor.

For each workload, ``cupyx.profiler.benchmark`` reports the host (CPU) time and the device
(GPU) time of one step. Device time near the GEMM-only time means the kernels are the cost;
host time well above device time means per-op Python/launch overhead is (graph capture or
fusion is the lever). The workloads are those of ``ops_vs_torch.py``. Needs CuPy and a GPU.

    PYTHONPATH=. python benchmarks/profile_steps.py
"""

from __future__ import annotations

import cupy
import numpy as np
from cupyx.profiler import benchmark
from ops_vs_torch import MLP_DIMS, lstm_train_step, mlp_train_step

from gpulayers import backend


def _random(*shape: int) -> cupy.ndarray:
    return cupy.asarray(np.random.default_rng(0).standard_normal(shape).astype("float32") * 0.1)


def mlp_step(batch: int = 4096):
    step, x, weights = mlp_train_step(batch)
    activations = [x] + [_random(batch, d) for d in MLP_DIMS[1:]]
    raw_weights = [w.data for w in weights]

    def gemms_only():  # the 3 forward and 5 backward GEMMs of the same step, nothing else
        for a, w in zip(activations, raw_weights):
            cupy.matmul(a, w)
        for i, (a, w) in enumerate(zip(activations, raw_weights)):
            grad = activations[i + 1]
            cupy.matmul(a.T, grad)
            if i > 0:
                cupy.matmul(grad, w.T)

    return step, gemms_only


def lstm_step(batch: int = 64, steps: int = 100, features: int = 128, units: int = 512):
    step, x, kernel, recurrent = lstm_train_step(batch, steps, features, units)
    h = _random(batch, units)
    gates = _random(batch, 4 * units)

    def gemms_only():  # per step: forward recurrent GEMM, backward dh GEMM; plus projections
        cupy.matmul(x.data.reshape(-1, features), kernel.data)
        for _ in range(steps):
            cupy.matmul(h, recurrent.data)
            cupy.matmul(gates, recurrent.data.T)
        cupy.matmul(h.T, gates)

    return step, gemms_only


def main() -> None:
    backend.set_backend("cupy")
    print("| workload | host ms | device ms | GEMMs-only device ms |")
    print("|---|---|---|---|")
    for name, (step, gemms) in {"mlp 784-1024-1024-10 b4096": mlp_step(),
                                "lstm T100 b64 in128 u512": lstm_step()}.items():
        full = benchmark(step, n_repeat=20, n_warmup=5)
        floor = benchmark(gemms, n_repeat=20, n_warmup=5)
        print(f"| {name} | {np.median(full.cpu_times) * 1e3:.2f} | "
              f"{np.median(full.gpu_times[0]) * 1e3:.2f} | "
              f"{np.median(floor.gpu_times[0]) * 1e3:.2f} |")


if __name__ == "__main__":
    main()
