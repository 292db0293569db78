"""The demo MLP, written with ops + GradientTape only, learns (on the active backend)."""

import subprocess
import sys

import pytest

from gpulayers import backend
from gpulayers.__main__ import main
from gpulayers.demo import run_demo


def test_mlp_written_with_ops_and_tape_learns_the_spirals(capsys):
    result = run_demo(epochs=20, seed=3)
    losses = result["losses"]
    assert losses[-1] < 0.5 * losses[0], losses
    assert result["accuracy"] > 0.9
    assert "epoch  20/20" in capsys.readouterr().out


def test_command_line_demo_exits_zero_and_reports_accuracy():
    done = subprocess.run([sys.executable, "-m", "gpulayers", "demo", "--epochs", "20"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "final training accuracy" in done.stdout


def test_demo_names_the_backend_it_ran_on(capsys):
    assert main(["demo", "--backend", "numpy", "--epochs", "20"]) == 0
    out = capsys.readouterr().out
    assert "backend=numpy" in out.splitlines()[0]
    assert out.splitlines()[-1].endswith("(backend: numpy)")


def test_demo_on_an_unusable_backend_exits_with_the_reason(capsys):
    reason = backend.cupy_unavailable_reason()
    if reason is None:
        pytest.skip("CuPy is usable here, so --backend cupy runs")
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--backend", "cupy"])
    assert exit_info.value.code == 2
    assert reason in capsys.readouterr().err
