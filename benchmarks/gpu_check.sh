#!/usr/bin/env bash
# GPU check: run on a machine with an NVIDIA GPU, from the checkout, no network, no install:
#
#     bash benchmarks/gpu_check.sh [tests] [demo] [bench] [suite_large] [suite_small] [profile]
#                                  [suite_mixed] [graph_probe] [tests_gpu] [tests_rest]
#                                  [suite_graphs] [optimizers]
#     (default: the first six; each stage fits one 10-minute device call)
#
# 1. the whole test suite on the CuPy backend (GPULAYERS_BACKEND=cupy): first the gpu-marked
#    CuPy-vs-NumPy agreement tests of every kernel family (tests_gpu), then the rest
#    (tests_rest);
# 2. the demo training run on CuPy;
# 3. bench: the op benchmarks against PyTorch (benchmarks/ops_vs_torch.py);
# 4. suite_large / suite_small: the benchmark suite (python3 -m benchmarks, benchmarks/README.md)
#    at --size large and --size small, fp32-strict (tables in suite_large.log / suite_small.log,
#    JSON beside);
# 5. profile: host vs device time of a training step (benchmarks/profile_steps.py);
# 6. suite_mixed (only when named): the suite's models at --size large in float16 mixed
#    precision (--precision mixed-fp16), every framework with its own loss scaling;
# 7. graph_probe (only when named, about a minute): which parts of a training step CuPy can
#    capture in a CUDA graph and replay, and the host time a replay saves
#    (benchmarks/graph_capture_probe.py);
# 8. suite_graphs (only when named): the suite's models at --size small (the launch-bound
#    size) with gpulayers compiled with jit_compile=True (steps replayed as CUDA graphs), to
#    set beside suite_small.
# 9. optimizers (only when named, about a minute): one optimizer step over a model-sized
#    parameter list: the multi-tensor launch against one launch per parameter, the unfused
#    expressions and torch's foreach / fused optimizers (benchmarks/optimizer_step.py).
# Each stage fits a 10-minute slot. Logs go to $OUT if set, else benchmarks/results/latest; a short
# summary is printed last and saved as summary.txt there.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-benchmarks/results/latest}"
stages="${*:-tests demo bench suite_large suite_small profile}"
wants() { case " $stages " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
suite() {  # the benchmark suite at size $1 (log name $2, more options after), in a 10-minute
  # slot; its exit status
  local size=$1 name=${2:-$1}
  shift; shift || true
  echo "== benchmark suite, size $size ($name) =="
  timeout 570 python3 -m benchmarks --size "$size" --json "$out/suite_$name.json" "$@" 2>&1 \
    | tee "$out/suite_$name.log" | tail -n 40
  return "${PIPESTATUS[0]}"
}
tests_status=skipped tests_gpu_status=skipped demo_status=skipped bench_status=skipped profile_status=skipped
suite_large_status=skipped suite_small_status=skipped suite_mixed_status=skipped
graph_probe_status=skipped suite_graphs_status=skipped optimizers_status=skipped
mkdir -p "$out"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit: ${GPULAYERS_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null \
    | sed 's/^/gpu: /'
  python3 -c "import cupy, numpy; print('cupy', cupy.__version__, '| numpy', numpy.__version__, '| cuda runtime', cupy.cuda.runtime.runtimeGetVersion())"
  python3 -c "import torch; print('torch', torch.__version__)" 2>/dev/null || echo "torch: absent"
} > "$out/device.txt" 2>&1
cat "$out/device.txt"

cupy_tests() {  # pytest on the CuPy backend: marker expression $1, time limit $2, log $3
  GPULAYERS_BACKEND=cupy timeout "$2" python3 -m pytest -q -p no:cacheprovider \
    -o addopts="-ra --strict-markers" -m "$1" 2>&1 | tee "$out/$3" | tail -n 60
  return "${PIPESTATUS[0]}"
}
# The gpu-marked CuPy-vs-NumPy agreement tests go first: on a fresh machine every kernel
# compiles once, and if the whole suite outgrows its slot those are the results that count.
# tests_gpu / tests_rest run either half alone (e.g. the rest again on a warm machine).
if wants tests || wants tests_gpu; then
  echo "== gpu-marked tests on cupy =="
  cupy_tests gpu 200 tests_gpu.log; tests_gpu_status=$?
fi
if wants tests || wants tests_rest; then
  echo "== all other tests on cupy =="
  cupy_tests "not gpu" 360 tests_cupy.log; tests_status=$?
fi
if wants demo; then
  echo "== demo on cupy =="
  timeout 120 python3 -m gpulayers demo --backend cupy --epochs 30 2>&1 \
    | tee "$out/demo_cupy.log" | tail -n 4
  demo_status=${PIPESTATUS[0]}
fi
if wants bench; then
  echo "== op benchmarks vs torch =="
  timeout 420 python3 benchmarks/ops_vs_torch.py --json "$out/ops_vs_torch.json" 2>&1 \
    | tee "$out/bench.log" | tail -n 40
  bench_status=${PIPESTATUS[0]}
fi
if wants suite_large; then suite large; suite_large_status=$?; fi
if wants suite_small; then suite small; suite_small_status=$?; fi
if wants suite_mixed; then
  suite large mixed --precision mixed-fp16 --workloads models; suite_mixed_status=$?
fi
if wants suite_graphs; then
  suite small small_graphs --jit-compile --workloads models; suite_graphs_status=$?
fi
if wants profile; then
  echo "== host vs device time =="
  timeout 300 python3 benchmarks/profile_steps.py 2>&1 | tee "$out/profile.log" | tail -n 10
  profile_status=${PIPESTATUS[0]}
fi
if wants graph_probe; then
  echo "== CUDA graph capture probe =="
  timeout 240 python3 benchmarks/graph_capture_probe.py 2>&1 | tee "$out/graph_probe.log"
  graph_probe_status=${PIPESTATUS[0]}
fi
if wants optimizers; then
  echo "== optimizer step =="
  timeout 240 python3 benchmarks/optimizer_step.py --json "$out/optimizer_step.json" 2>&1 \
    | tee "$out/optimizer_step.log" | tail -n 15
  optimizers_status=${PIPESTATUS[0]}
fi

{
  echo "== summary =="
  cat "$out/device.txt"
  echo "stages: $stages"
  [ "$tests_gpu_status" = skipped ] || echo "gpu-marked tests (cupy): exit $tests_gpu_status: $(grep -E '(passed|failed|error)' "$out/tests_gpu.log" | tail -n 1)"
  [ "$tests_status" = skipped ] || echo "other tests (cupy): exit $tests_status: $(grep -E '(passed|failed|error)' "$out/tests_cupy.log" | tail -n 1)"
  wants demo && echo "demo (cupy): exit $demo_status: $(tail -n 1 "$out/demo_cupy.log")"
  wants bench && echo "benchmarks: exit $bench_status" && sed -n '/^| workload/,$p' "$out/bench.log"
  wants suite_large && echo "suite large: exit $suite_large_status" \
    && sed -n '/^| workload/,$p' "$out/suite_large.log"
  wants suite_small && echo "suite small: exit $suite_small_status" \
    && sed -n '/^| workload/,$p' "$out/suite_small.log"
  wants profile && echo "profile: exit $profile_status" && sed -n '/^| workload/,$p' "$out/profile.log"
  wants suite_mixed && echo "suite mixed-fp16: exit $suite_mixed_status" \
    && sed -n '/^| workload/,$p' "$out/suite_mixed.log"
  wants suite_graphs && echo "suite small with CUDA graphs: exit $suite_graphs_status" \
    && sed -n '/^| workload/,$p' "$out/suite_small_graphs.log"
  wants graph_probe && echo "graph capture probe: exit $graph_probe_status" \
    && sed -n '/^| capture of/,$p' "$out/graph_probe.log"
  wants optimizers && echo "optimizer step: exit $optimizers_status" \
    && sed -n '/^| optimizer/,$p' "$out/optimizer_step.log"
} | tee "$out/summary.txt"
for status in $tests_status $tests_gpu_status $demo_status $bench_status $suite_large_status $suite_small_status \
  $profile_status $suite_mixed_status $graph_probe_status $suite_graphs_status $optimizers_status; do
  [ "$status" = skipped ] || [ "$status" -eq 0 ] || exit 1
done
