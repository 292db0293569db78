"""Can a gpulayers training step be captured in a CUDA graph with CuPy, and what would it win?

Issue 6 lists capturing a whole training step (``Stream.begin_capture`` / ``end_capture``) and
replaying it for fixed-shape batches as the lever against per-op host overhead, which the H100
profile shows dominating the MLP and LSTM steps. Whether CuPy allows it is not documented in
full: CuPy once refused most CUDA library calls (cuBLAS among them) during capture
(cupy/cupy#6290), its memory pool hands out addresses a graph then keeps using, and host-side
values (learning rates, bias corrections) are baked into a graph's kernel arguments.

This probe answers those questions on the device, each case on its own, before any of it is
built into ``fit``:

1. which operations capture and replay correctly (CuPy ufuncs, cuBLAS matmul, reductions,
   gpulayers' RawKernels, CuPy's random generator, host-to-device copies, allocation while the
   pool is empty);
2. whether a gpulayers forward + backward pass, and a whole ``train_step`` with a constant-rate
   SGD (whose kernel arguments do not change between steps), replay to the same weights as the
   same steps run eagerly;
3. host time per step, eager vs graph replay, for the suite's MLP at a launch-bound and a
   GEMM-bound batch size.

Captures allocate from a private CuPy memory pool kept alive with the graph (the default pool
would hand a graph's scratch addresses to other arrays between replays). Needs CuPy and a GPU::

    PYTHONPATH=. python3 benchmarks/graph_capture_probe.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import cupy as cp
import numpy as np

import gpulayers as gl
from gpulayers import backend

MLP_DIMS = (784, 1024, 1024, 10)


class Captured:
    """A callable captured on a non-blocking stream into a graph, with its private pool."""

    def __init__(self, function: Callable[[], Any], stream: Any) -> None:
        self.stream, self.pool = stream, cp.cuda.MemoryPool()
        with stream, cp.cuda.using_allocator(self.pool.malloc):
            stream.begin_capture()
            try:
                self.result = function()  # kept: the graph writes into these arrays
            except BaseException:
                try:  # leave capture mode; the graph of a failed capture is of no use
                    stream.end_capture()
                except Exception:  # an invalidated capture raises here too
                    pass
                raise
            self.graph = stream.end_capture()

    def replay(self) -> None:
        self.graph.launch(self.stream)


def _run(stream: Any, function: Callable[[], Any]) -> Any:
    with stream:
        result = function()
    stream.synchronize()
    return result


def _verdict(name: str, check: Callable[[Any], str]) -> tuple[str, str]:
    stream = cp.cuda.Stream(non_blocking=True)
    try:
        # Everything on the capture stream: a non-blocking stream is not ordered after work
        # queued on the default stream (refilled inputs, copies).
        with stream:
            return name, check(stream)
    except Exception as error:  # a probe reports every failure instead of stopping
        return name, f"error: {type(error).__name__}: {str(error).splitlines()[0][:120]}"


def _agrees(got: Any, expected: Any, tolerance: float = 1e-5) -> str:
    got, expected = cp.asnumpy(got), cp.asnumpy(expected)
    difference = float(np.max(np.abs(got - expected))) if got.size else 0.0
    return "ok" if difference <= tolerance * max(1.0, float(np.max(np.abs(expected)))) else (
        f"wrong result (max difference {difference:.3g})")


def _all_agree(got: list[Any], expected: list[Any]) -> str:
    """"ok", or how many of the arrays differ and the first difference."""
    wrong = [v for v in (_agrees(g, e, 1e-4) for g, e in zip(got, expected)) if v != "ok"]
    return f"{len(wrong)} of {len(got)} arrays: {wrong[0]}" if wrong else "ok"


def _replayed(function: Callable[[Any], Any], make_input: Callable[[], Any]
              ) -> Callable[[Any], str]:
    """A check: capture ``function(x)`` for a static ``x``, refill ``x``, replay, compare."""
    def check(stream: Any) -> str:
        x = make_input()
        _run(stream, lambda: function(x))  # warm-up: compiles kernels, fills caches
        captured = Captured(lambda: function(x), stream)
        x[...] = make_input() * 3 + 1
        captured.replay()
        stream.synchronize()
        return _agrees(captured.result, _run(stream, lambda: function(x)))
    return check


def _random_input(*shape: int) -> Callable[[], Any]:
    return lambda: cp.random.standard_normal(shape, dtype=cp.float32)


def _kernel_update(stream: Any) -> str:
    """gpulayers' fused SGD RawKernel, in place, replayed twice (its tensor table is made by
    the eager call before the capture, which finds it cached)."""
    update = backend.primitives("optimizer_updates").sgd_update
    param, grad = _random_input(4096)(), _random_input(4096)()
    _run(stream, lambda: update([param], [grad], None, 0.5, 0.0, False))
    start = param.copy()
    captured = Captured(lambda: update([param], [grad], None, 0.5, 0.0, False), stream)
    captured.replay()
    captured.replay()
    stream.synchronize()
    return _agrees(param, start - 2 * 0.5 * grad)


def _random_draws(stream: Any) -> str:
    generator = cp.random.default_rng(0)
    captured = Captured(lambda: generator.random(1024, dtype=cp.float32), stream)
    captured.replay()
    stream.synchronize()
    first = captured.result.copy()
    captured.replay()
    stream.synchronize()
    same = bool(cp.all(first == captured.result))
    return "replays repeat the same numbers" if same else "ok (each replay draws anew)"


def _host_copy(stream: Any) -> str:
    host = np.arange(16, dtype=np.float32)
    captured = Captured(lambda: cp.asarray(host) * 2, stream)
    captured.replay()
    stream.synchronize()
    return _agrees(captured.result, host * 2)


def _empty_pool_allocation(stream: Any) -> str:
    """Allocation that needs cudaMalloc during capture (the private pool starts empty)."""
    def fill() -> Any:
        out = cp.empty(1 << 22, dtype=cp.float32)
        out.fill(2.0)
        return out
    captured = Captured(fill, stream)
    captured.replay()
    stream.synchronize()
    return _agrees(captured.result, cp.full(1 << 22, 2.0, dtype=cp.float32))


def _mlp(batch: int, seed: int = 0) -> tuple[Any, Any, Any]:
    """The suite's MLP compiled with constant-rate SGD, and a static batch on the device."""
    gl.utils.set_random_seed(seed)
    model = gl.models.Sequential([gl.layers.Input((MLP_DIMS[0],))] + [
        gl.layers.Dense(units, activation="relu" if i < 2 else None)
        for i, units in enumerate(MLP_DIMS[1:])])
    model.compile(optimizer=gl.optimizers.SGD(0.01),
                  loss=gl.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(seed)
    x = cp.asarray(rng.standard_normal((batch, MLP_DIMS[0])).astype(np.float32))
    y = cp.asarray(rng.integers(0, MLP_DIMS[-1], batch).astype(np.int32))
    return model, x, y


def _gradients(stream: Any) -> str:
    model, x, y = _mlp(64)
    loss_fn = gl.losses.SparseCategoricalCrossentropy(from_logits=True)

    def gradients() -> list[Any]:
        with gl.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        return [g.data if hasattr(g, "data") else g
                for g in tape.gradient(loss, model.trainable_weights)]

    _run(stream, gradients)
    captured = Captured(gradients, stream)
    x[...] = x * 0.5 + 0.25
    captured.replay()
    stream.synchronize()
    return _all_agree(captured.result, _run(stream, gradients))


def _train_steps(stream: Any) -> str:
    """Three replays of a captured train_step vs the same three steps run eagerly."""
    graph_model, x, y = _mlp(64)
    eager_model, _, _ = _mlp(64)
    _run(stream, lambda: graph_model.train_step((x, y)))  # warm-up (also builds the optimizer)
    captured = Captured(lambda: graph_model.train_step((x, y)), stream)
    eager_model.set_weights(graph_model.get_weights())
    batches = [(cp.random.standard_normal(x.shape, dtype=cp.float32), y) for _ in range(3)]
    for batch_x, batch_y in batches:
        x[...] = batch_x
        captured.replay()
        _run(stream, lambda bx=batch_x, by=batch_y: eager_model.train_step((bx, by)))
    stream.synchronize()
    return _all_agree(graph_model.get_weights(), eager_model.get_weights())


def _median_us(stream: Any, step: Callable[[], Any], repeats: int = 50) -> float:
    times = []
    for _ in range(repeats):
        stream.synchronize()
        start = time.perf_counter()
        with stream:
            step()
        stream.synchronize()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e6


def _timing_row(batch: int) -> str:
    stream = cp.cuda.Stream(non_blocking=True)
    with stream:  # see _verdict
        model, x, y = _mlp(batch)

        def step() -> Any:
            return model.train_step((x, y))

        for _ in range(3):
            _run(stream, step)
        eager = _median_us(stream, step)
        captured = Captured(step, stream)
        replay = _median_us(stream, captured.replay)
    return f"| {batch} | {eager:.0f} | {replay:.0f} | {eager / replay:.2f} |"


def _timings() -> list[str]:
    rows = ["| MLP batch | eager train_step us | graph replay us | eager / replay |",
            "|---|---|---|---|"]
    for batch in (64, 4096):
        try:
            rows.append(_timing_row(batch))
        except Exception as error:  # the timing table reports a failed capture too
            rows.append(f"| {batch} | error: {type(error).__name__}: "
                        f"{str(error).splitlines()[0][:100]} | | |")
    return rows


def main() -> None:
    backend.set_backend("cupy")
    matrix = cp.random.standard_normal((256, 128), dtype=cp.float32)
    probes = [
        ("CuPy ufuncs (x * 2 + 1)", _replayed(lambda x: x * 2 + 1, _random_input(1024, 256))),
        ("cupy.matmul (cuBLAS)", _replayed(lambda x: x @ matrix, _random_input(512, 256))),
        ("reduction (x.sum(axis=0))", _replayed(lambda x: x.sum(axis=0),
                                                _random_input(1024, 256))),
        ("gpulayers RawKernel (fused SGD update, in place)", _kernel_update),
        ("cupy.random Generator draws", _random_draws),
        ("host-to-device copy (cupy.asarray of a NumPy array)", _host_copy),
        ("allocation while the pool is empty (cudaMalloc)", _empty_pool_allocation),
        ("gpulayers MLP forward + gradients (GradientTape)", _gradients),
        ("gpulayers MLP train_step, SGD constant rate, 3 replays vs eager", _train_steps),
    ]
    print(f"cupy {cp.__version__}, CUDA runtime {cp.cuda.runtime.runtimeGetVersion()}, "
          f"{cp.cuda.runtime.getDeviceProperties(0)['name'].decode()}")
    print("| capture of | result |\n|---|---|")
    for name, check in probes:
        print("| {} | {} |".format(*_verdict(name, check)))
    print()
    print("\n".join(_timings()))


if __name__ == "__main__":
    main()
