"""The benchmark suite's command line: ``python -m benchmarks``.

    PYTHONPATH=. python -m benchmarks [--size cpu|small|large|tiny] [--workloads mlp,convnet,...]
        [--rounds N] [--steps N] [--warmup N] [--json PATH]
        [--precision fp32-strict|tf32|mixed-fp16] [--backend numpy|cupy] [--no-peers]

Prints a Markdown table (stdout; progress on stderr) and writes the JSON document if asked.
Default size: ``large`` on the GPU (CuPy backend active), ``cpu`` otherwise. Exit status 1 when a
gpulayers workload failed (peers that fail are reported, not fatal).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from benchmarks.peers import PRECISIONS, set_gpulayers_precision

# Per size: rounds, steps timed per round, warm-up steps (BENCHMARKING.md: >= 5 rounds, and on
# the GPU >= 10 warm-up steps). "tiny" is for CI: it only shows that everything runs.
DEFAULTS = {"large": (5, 10, 10), "small": (5, 20, 10), "cpu": (5, 2, 2), "tiny": (2, 1, 1)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The suite's arguments."""
    from benchmarks.workloads import NAMES, SIZES, resolve

    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description="gpulayers vs PyTorch / Keras: training and "
                                                 "inference steps, interleaved rounds.")
    parser.add_argument("--size", choices=SIZES, default=None,
                        help="large (GPU, GEMM-bound), small (CPU shapes on a GPU), cpu, tiny "
                             "(CI); default large on the cupy backend, else cpu")
    parser.add_argument("--workloads", default="all",
                        help=f"comma-separated: {', '.join(NAMES)}, or all/models/kernels")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (>= 5)")
    parser.add_argument("--steps", type=int, default=None, help="steps timed per round")
    parser.add_argument("--warmup", type=int, default=None, help="untimed warm-up steps")
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32-strict",
                        help="GPU precision mode of every framework (no effect on the CPU)")
    parser.add_argument("--backend", choices=("numpy", "cupy"), default=None,
                        help="gpulayers backend (default: gpulayers' own choice)")
    parser.add_argument("--jit-compile", action="store_true",
                        help="compile gpulayers' models with jit_compile=True (their steps "
                             "replayed as CUDA graphs; CuPy only)")
    parser.add_argument("--json", default=None, help="write the results as JSON here")
    parser.add_argument("--no-peers", action="store_true",
                        help="time gpulayers alone (peers reported absent)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        resolve(args.workloads)
    except ValueError as error:
        parser.error(str(error))
    return args


def run(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the suite for parsed ``args``: ``(meta, workloads)`` as written to JSON.

    With ``--json``, the document is rewritten after every workload, so a run cut short (a
    time slot's ``timeout``) keeps what it finished.
    """
    set_gpulayers_precision(args.precision)
    from benchmarks import peers, report
    from benchmarks.suite import Options, run_workload
    from benchmarks.workloads import Context, make, resolve
    from gpulayers import backend
    from gpulayers.utils import set_random_seed

    names = resolve(args.workloads)
    if args.backend:
        backend.set_backend(args.backend)
    gpu = backend.is_gpu()
    device = "cuda" if gpu else "cpu"
    size = args.size or ("large" if gpu else "cpu")
    rounds, steps, warmup = DEFAULTS[size]
    rounds, steps, warmup = (args.rounds or rounds, args.steps or steps,
                             warmup if args.warmup is None else args.warmup)
    absent: dict[str, str] = {}
    torch = keras = None
    if args.no_peers:
        absent = {"torch": "not run (--no-peers)", "keras": "not run (--no-peers)"}
    else:
        torch, reason = peers.load_torch(device)
        if reason:
            absent["torch"] = reason
        keras, reason = peers.load_keras(torch)
        if reason:
            absent["keras"] = reason
    meta = report.machine_meta(torch, keras, gpu)
    meta.update(size=size, backend=backend.backend(), workloads=names, rounds=rounds,
                steps=steps, warmup=warmup, seed=args.seed,
                precision=args.precision if gpu else "fp32 (cpu)", absent_peers=absent,
                jit_compile=args.jit_compile)
    if size in ("large", "small") and not gpu:
        meta["note"] = f"size {size} is meant for a GPU; this run is on the CPU"
    mixed = args.precision == "mixed-fp16"
    if mixed and not gpu:
        raise SystemExit("--precision mixed-fp16 is for GPU runs: NumPy has no fast float16 "
                         "GEMM, and PyTorch's CPU autocast uses bfloat16")
    if mixed:
        meta["precision_note"] = ("mixed-fp16: the model workloads run each framework's float16 "
                                  "mixed precision with loss scaling; the op microbenchmarks "
                                  "stay float32")
    options = Options(rounds=rounds, steps=steps, warmup=warmup, absent=absent)
    context = Context(device=device, torch=torch, keras=keras, seed=args.seed, mixed=mixed,
                      jit=args.jit_compile)
    results: dict[str, Any] = {}
    with peers.torch_precision(torch, args.precision, device):
        if gpu:
            meta["torch_precision"] = peers.torch_precision_state(torch)
        for name in names:
            set_random_seed(args.seed)
            results[name] = run_workload(make(name, size, args.seed), context, options)
            print(report.progress_line(name, results[name]), file=sys.stderr, flush=True)
            if args.json:
                report.write_json(args.json, meta, results)
    return meta, results


def main(argv: list[str] | None = None) -> int:
    """Run the suite, print the table, write the JSON; 1 if a gpulayers workload failed."""
    from benchmarks import report

    args = parse_args(argv)
    meta, results = run(args)
    print(report.format_table(meta, results), flush=True)
    return 1 if any("error" in entry for entry in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
