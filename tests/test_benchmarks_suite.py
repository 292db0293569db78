"""The benchmark suite (benchmarks/) runs: every workload at ``--size tiny`` on the NumPy backend.

Only that it runs and reports what it should: gpulayers times for every workload and mode, each
peer (PyTorch, Keras 3) either timed or absent with a reason. Speed is never asserted.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from keras_available import keras_or_skip, to_numpy

from benchmarks import timing
from benchmarks.__main__ import main
from benchmarks.gemm_rate import Gemm, gemm_floor, total_flops
from benchmarks.peers import load_keras
from benchmarks.workloads import ALIASES, MODES, NAMES, Context, make, resolve
from gpulayers import backend, config


@pytest.fixture(autouse=True)
def _restore_matmul_precision():
    """The suite sets gpulayers' float32 matmul precision for its --precision mode."""
    before = config.get_float32_matmul_precision()
    yield
    config.set_float32_matmul_precision(before)


def test_tiny_suite_reports_every_workload(tmp_path, capsys):
    path = tmp_path / "suite.json"
    status = main(["--size", "tiny", "--backend", "numpy", "--rounds", "2", "--json", str(path)])
    assert status == 0
    table = capsys.readouterr().out
    document = json.loads(path.read_text())
    assert document["meta"]["size"] == "tiny" and document["meta"]["backend"] == "numpy"
    assert list(document["workloads"]) == list(NAMES)
    for name, entry in document["workloads"].items():
        assert "error" not in entry, (name, entry.get("error"))
        assert set(entry["modes"]) == set(MODES)
        for mode, row in entry["modes"].items():
            ours = row["results"]["gpulayers"]
            assert ours["median_ms"] > 0 and len(ours["times_ms"]) == 2, (name, mode)
            assert all(value > 0 for value in ours["times_ms"])
            assert f"| {name} | {row['label']} |" in table
            for peer in ("torch", "keras"):
                result = row["results"][peer]
                if "absent" in result:
                    assert isinstance(result["absent"], str) and result["absent"], (name, peer)
                    assert peer not in row["ratios"]
                else:
                    assert result["median_ms"] > 0, (name, mode, peer)
                    assert row["ratios"][peer]["median"] > 0
            if row["gemm_flops"]:
                assert row["blas"]["median_ms"] > 0 and ours["pct_of_blas"]["median"] > 0


def test_rounds_interleave_the_variants():
    calls: list[str] = []
    variants = {name: timing.Timed(lambda name=name: calls.append(name)) for name in "ab"}
    times = timing.interleaved(variants, rounds=3, steps=2, warmup=1)
    assert calls == ["a", "b"] + ["a", "a", "b", "b"] * 3
    assert {name: len(values) for name, values in times.items()} == {"a": 3, "b": 3}
    assert timing.ratio_stats([2.0, 4.0, 6.0], [1.0, 1.0, 2.0]) == {
        "median": 3.0, "min": 2.0, "max": 4.0}


def test_workload_names_and_gemm_floor():
    assert resolve("kernels,mlp") == ["conv2d_op", "maxpool_op", "lstm_op", "mlp"]
    with pytest.raises(ValueError, match="unknown workload"):
        resolve("resnet")
    assert make("maxpool_op", "tiny").gemms == {}
    gemms = [Gemm(2, 3, 4), Gemm(3, 2, 4, trans_a=True, count=2)]
    assert total_flops(gemms) == 2 * 24 + 2 * 2 * 24
    gemm_floor(gemms, np)()


@pytest.mark.parametrize("name", ALIASES["models"])
def test_keras_peer_trains_the_same_model(name):
    # Same weights, same data: the Keras 3 peer takes the same steps as gpulayers, so the two
    # time the same computation (the table's ratios compare like with like).
    keras_or_skip()
    torch = pytest.importorskip("torch")
    keras, reason = load_keras(torch)
    if reason:
        pytest.skip(reason)
    workload = make(name, "tiny")
    context = Context("cpu", torch=torch, keras=keras)
    ours = workload.gpulayers(context)
    theirs = workload.keras(context, ours.weights)
    for _ in range(2):
        ours_loss = to_numpy(ours.train()["loss"].numpy())
        np.testing.assert_allclose(ours_loss, to_numpy(theirs.train()["loss"]), rtol=1e-4)
    np.testing.assert_allclose(to_numpy(ours.infer().numpy()), to_numpy(theirs.infer()),
                               rtol=1e-3, atol=1e-5)


def test_mixed_precision_peers_train_alike_and_the_cpu_refuses_the_mode():
    # --precision mixed-fp16 builds gpulayers and Keras under their mixed_float16 policies
    # (with loss scaling): on the same weights they take the same float16 steps. The mode
    # itself is for GPU runs; on the CPU the command line refuses it.
    keras_or_skip()
    torch = pytest.importorskip("torch")
    keras, reason = load_keras(torch)
    if reason:
        pytest.skip(reason)
    workload = make("mlp", "tiny")
    context = Context("cpu", torch=torch, keras=keras, mixed=True)
    ours = workload.gpulayers(context)
    theirs = workload.keras(context, ours.weights)
    assert ours.infer().dtype == "float16"
    for _ in range(2):
        ours_loss = to_numpy(ours.train()["loss"].numpy())
        np.testing.assert_allclose(ours_loss, to_numpy(theirs.train()["loss"]), rtol=2e-2)
    with pytest.raises(SystemExit, match="mixed-fp16 is for GPU runs"):
        main(["--size", "tiny", "--backend", "numpy", "--precision", "mixed-fp16"])


def test_optimizer_benchmark_times_every_variant(tmp_path, monkeypatch, capsys):
    from benchmarks import optimizer_step

    path = tmp_path / "optimizers.json"
    monkeypatch.setattr("sys.argv", ["optimizer_step.py", "--size", "tiny", "--rounds", "5",
                                     "--steps", "1", "--json", str(path)])
    optimizer_step.main()
    rows = json.loads(path.read_text())["rows"]
    variants = {(row["optimizer"], row["variant"]) for row in rows}
    for kind in ("adam", "sgd_momentum"):
        for variant in ("gpulayers fused", "gpulayers per-parameter", "gpulayers unfused"):
            assert (kind, variant) in variants
    assert all(row["median_ms"] > 0 for row in rows)
    assert "| adam | gpulayers per-parameter |" in capsys.readouterr().out


def test_the_per_parameter_variant_makes_one_update_call_per_parameter(monkeypatch):
    from benchmarks import optimizer_step

    primitives = backend.primitives("optimizer_updates")
    original, calls = primitives.adam_update, []
    monkeypatch.setattr(primitives, "adam_update",
                        lambda params, *rest: calls.append(len(params)) or original(params, *rest))
    tensors = sum(count for _, count in optimizer_step.SIZES["tiny"])
    optimizer_step.gpulayers_step(optimizer_step.Adam(1e-3), "tiny")()
    assert calls == [tensors]
    calls.clear()
    optimizer_step.gpulayers_step(optimizer_step.PerParameterAdam(1e-3), "tiny")()
    assert calls == [1] * tensors
