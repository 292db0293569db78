"""Op-level benchmarks: gpulayers ops + GradientTape against PyTorch eager, in one process.

Method (benchmarks/../shared BENCHMARKING.md), with the suite's timing core
(benchmarks/timing.py): warm-up first, then interleaved rounds (gpulayers, torch, gpulayers,
torch, ...), each round timing `steps` calls after a device synchronize; the table reports the
median step time of each and the median of the per-round ratios (gpulayers / torch) with its
range. fp32-strict on both sides (no TF32). The fuller suite: `python -m benchmarks`.

    PYTHONPATH=. python benchmarks/ops_vs_torch.py [--size gpu|tiny] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics

import numpy as np

import gpulayers as gl
from benchmarks.timing import Timed, interleaved, ratio_stats
from gpulayers import backend, ops


def _torch():
    try:
        import torch
    except ImportError:
        return None
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    return torch


SIZES = {  # (mlp batch, conv batch/hw/channels, pool batch/hw/channels, lstm batch/T/in/units)
    "gpu": dict(mlp=4096, conv=(128, 32, 64), pool=(128, 32, 64), lstm=(64, 100, 128, 512)),
    "tiny": dict(mlp=16, conv=(2, 8, 4), pool=(2, 8, 4), lstm=(2, 5, 3, 4)),
}


def _random(*shape: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal(shape).astype("float32") * 0.1


MLP_DIMS = (784, 1024, 1024, 10)


def mlp_train_step(batch: int):
    """gpulayers' SGD step of a 784-1024-1024-10 ReLU MLP: ``(step, x, weights)``."""
    dims = MLP_DIMS
    weights = [gl.Variable(_random(a, b)) for a, b in zip(dims, dims[1:])]
    biases = [gl.Variable(np.zeros(b, "float32")) for b in dims[1:]]
    x, labels = backend.to_device(_random(batch, 784)), backend.to_device(
        np.arange(batch, dtype="int32") % 10)

    def step():
        with gl.GradientTape() as tape:
            h = x
            for i, (w, b) in enumerate(zip(weights, biases)):
                h = ops.matmul(h, w) + b
                h = ops.relu(h) if i < 2 else h
            loss = ops.mean(ops.sparse_categorical_crossentropy(labels, h, from_logits=True))
        params = weights + biases
        for p, g in zip(params, tape.gradient(loss, params)):
            p.assign_sub(g * 0.01)

    return step, x, weights


def lstm_train_step(batch: int, steps: int, features: int, units: int):
    """gpulayers' LSTM forward + backward over a sequence: ``(step, x, kernel, recurrent)``."""
    x = gl.Variable(_random(batch, steps, features))
    kernel, recurrent = gl.Variable(_random(features, 4 * units)), gl.Variable(
        _random(units, 4 * units))
    bias = gl.Variable(np.zeros(4 * units, "float32"))
    h0 = c0 = backend.to_device(np.zeros((batch, units), "float32"))

    def step():
        with gl.GradientTape() as tape:
            outputs, _, _ = ops.lstm_sequence(x, h0, c0, kernel, recurrent, bias)
            loss = ops.sum(outputs)
        tape.gradient(loss, [x, kernel, recurrent, bias])

    return step, x, kernel, recurrent


def mlp_workload(batch: int, torch, device: str):
    dims = MLP_DIMS
    ours, _, _ = mlp_train_step(batch)
    flops = 6 * batch * sum(a * b for a, b in zip(dims, dims[1:]))
    if torch is None:
        return ours, None, flops
    model = torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(),
                                torch.nn.Linear(1024, 1024), torch.nn.ReLU(),
                                torch.nn.Linear(1024, 10)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    tx = torch.as_tensor(_random(batch, 784), device=device)
    ty = torch.as_tensor(np.arange(batch) % 10, device=device)

    def theirs():
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(tx), ty).backward()
        opt.step()

    return ours, theirs, flops


def conv_workload(shape: tuple[int, int, int], torch, device: str):
    batch, hw, channels = shape
    x = gl.Variable(_random(batch, hw, hw, channels))
    kernel = gl.Variable(_random(3, 3, channels, channels))

    def ours():
        with gl.GradientTape() as tape:
            loss = ops.sum(ops.conv(x, kernel, padding="same"))
        tape.gradient(loss, [x, kernel])

    flops = 3 * 2 * batch * hw * hw * 9 * channels * channels
    if torch is None:
        return ours, None, flops
    tx = torch.as_tensor(_random(batch, channels, hw, hw), device=device).requires_grad_()
    tk = torch.as_tensor(_random(channels, channels, 3, 3), device=device).requires_grad_()

    def theirs():
        torch.nn.functional.conv2d(tx, tk, padding=1).sum().backward()

    return ours, theirs, flops


def pool_workload(shape: tuple[int, int, int], torch, device: str):
    batch, hw, channels = shape
    x = gl.Variable(_random(batch, hw, hw, channels))

    def ours():
        with gl.GradientTape() as tape:
            loss = ops.sum(ops.max_pool(x, 2))
        tape.gradient(loss, x)

    if torch is None:
        return ours, None, 0
    tx = torch.as_tensor(_random(batch, channels, hw, hw), device=device).requires_grad_()

    def theirs():
        torch.nn.functional.max_pool2d(tx, 2).sum().backward()

    return ours, theirs, 0


def lstm_workload(shape: tuple[int, int, int, int], torch, device: str):
    batch, steps, features, units = shape
    ours, _, _, _ = lstm_train_step(batch, steps, features, units)

    flops = 3 * 2 * batch * steps * 4 * units * (features + units)
    if torch is None:
        return ours, None, flops
    lstm = torch.nn.LSTM(features, units, batch_first=True).to(device)
    tx = torch.as_tensor(_random(batch, steps, features), device=device).requires_grad_()

    def theirs():
        lstm(tx)[0].sum().backward()

    return ours, theirs, flops


def measure(name: str, ours, theirs, flops: int, sync_ours, sync_theirs, rounds: int,
            steps: int, warmup: int) -> dict:
    variants = {"gpulayers": Timed(ours, sync_ours)}
    if theirs is not None:
        variants["torch"] = Timed(theirs, sync_theirs)
    times = interleaved(variants, rounds, steps, warmup)
    ours_times, theirs_times = times["gpulayers"], times.get("torch")
    row = {"workload": name, "gpulayers_ms": statistics.median(ours_times) * 1e3,
           "gpulayers_tflops": flops / statistics.median(ours_times) / 1e12 if flops else None}
    if theirs_times:
        ratio = ratio_stats(ours_times, theirs_times)
        row.update(torch_ms=statistics.median(theirs_times) * 1e3,
                   ratio_median=ratio["median"], ratio_min=ratio["min"], ratio_max=ratio["max"])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default=None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    size = args.size or ("gpu" if backend.is_gpu() else "tiny")
    torch = _torch()
    device = "cuda" if backend.is_gpu() else "cpu"
    if torch is not None and device == "cuda" and not torch.cuda.is_available():
        torch = None
    sync_ours = backend.synchronize
    sync_theirs = (torch.cuda.synchronize if device == "cuda" else (lambda: None)) if torch \
        else (lambda: None)
    config = SIZES[size]
    workloads = {
        "mlp 784-1024-1024-10 train step": mlp_workload(config["mlp"], torch, device),
        "conv2d 3x3 same fwd+bwd": conv_workload(config["conv"], torch, device),
        "max_pool 2x2 fwd+bwd": pool_workload(config["pool"], torch, device),
        "lstm sequence fwd+bwd": lstm_workload(config["lstm"], torch, device),
    }
    steps, warmup = (10, 10) if size == "gpu" else (2, 2)
    rows = [measure(name, *work, sync_ours, sync_theirs, args.rounds, steps, warmup)
            for name, work in workloads.items()]
    meta = {"backend": backend.backend(), "size": size, "precision": "fp32-strict",
            "torch": getattr(torch, "__version__", "absent"), "sizes": config}
    _print_table(rows, meta)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"meta": meta, "rows": rows}, handle, indent=2)


def _print_table(rows: list[dict], meta: dict) -> None:
    print(f"backend={meta['backend']} size={meta['size']} precision={meta['precision']} "
          f"torch={meta['torch']}")
    print("| workload | gpulayers ms | torch ms | ratio (median [min, max]) | gpulayers TFLOP/s |")
    print("|---|---|---|---|---|")
    for row in rows:
        torch_ms = f"{row['torch_ms']:.3f}" if "torch_ms" in row else "absent"
        ratio = (f"{row['ratio_median']:.2f} [{row['ratio_min']:.2f}, {row['ratio_max']:.2f}]"
                 if "ratio_median" in row else "-")
        tflops = f"{row['gpulayers_tflops']:.1f}" if row["gpulayers_tflops"] else "-"
        ours = f"{row['gpulayers_ms']:.3f}"
        print(f"| {row['workload']} | {ours} | {torch_ms} | {ratio} | {tflops} |")


if __name__ == "__main__":
    main()
