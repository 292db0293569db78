"""The demo MLP, written with ops + GradientTape only, learns (on the active backend)."""

import subprocess
import sys

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
