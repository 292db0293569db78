"""gpulayers' benchmark suite: training and inference steps against PyTorch and Keras 3.

Run from the checkout (no install): ``PYTHONPATH=. python -m benchmarks --help``. The method is
that of the shared BENCHMARKING.md: peers in the same process, interleaved rounds, warm-up
excluded, device synchronized before the clock is read, medians with their range, ratios
gpulayers / peer. See benchmarks/README.md for the workloads.

Modules: :mod:`benchmarks.timing` (the one timing core), :mod:`benchmarks.gemm_rate` (the BLAS
reference), :mod:`benchmarks.peers` (PyTorch / Keras, precision modes, memory),
:mod:`benchmarks.workloads` (one module per workload family), :mod:`benchmarks.suite` (running
a workload), :mod:`benchmarks.report` (table and JSON).
"""
