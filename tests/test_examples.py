"""The scripts in examples/ run end to end and learn the scikit-learn digits.

Each example's ``main(argv)`` is called in-process on the active backend (NumPy unless
``GPULAYERS_BACKEND=cupy``), with fewer epochs than its default to keep this file around
30 s on a 2-core CPU. The thresholds sit below what those shorter runs reach on NumPy (noted
per test) but far above chance (0.10), so a pass means the model learned.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from gpulayers import backend

pytest.importorskip("sklearn", reason="scikit-learn is needed for the digits data "
                                      "(python -m pip install '.[examples]')")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
_loaded: dict[str, ModuleType] = {}


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` by path (examples/ is not a package), once per session."""
    if name not in _loaded:
        spec = importlib.util.spec_from_file_location(f"gpulayers_example_{name}",
                                                      EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _loaded[name] = module
    return _loaded[name]


def _args(epochs: int) -> list[str]:
    return ["--epochs", str(epochs), "--backend", backend.backend(), "--verbose", "0"]


@pytest.mark.slow
def test_digits_convnet_learns(capsys):
    # 8 of the default 20 epochs: 0.9778 on NumPy (seeds 0 and 1234); the default run, 0.9889.
    result = load_example("digits_convnet").main(_args(8))
    assert result["accuracy"] >= 0.95, result
    assert result["backend"] == backend.backend()
    assert capsys.readouterr().out.splitlines()[-1] == f"Test accuracy: {result['accuracy']:.4f}"


@pytest.mark.slow
def test_digits_lstm_learns(capsys):
    # 15 of the default 30 epochs: 0.9556 on NumPy (seed 0); the default run, 0.9694.
    result = load_example("digits_lstm").main(_args(15))
    assert result["accuracy"] >= 0.90, result
    assert capsys.readouterr().out.splitlines()[-1] == f"Test accuracy: {result['accuracy']:.4f}"


@pytest.mark.slow
def test_custom_layers_train_in_all_three_model_styles():
    # 10 of the default 30 epochs: 0.94-0.95 on NumPy (seed 0) for each model style.
    example = load_example("custom_layers")
    result = example.main(_args(10))
    for style in ("sequential", "functional", "subclassed"):
        assert result[style] >= 0.90, (style, result)
    layer = example.SimpleDense(3)
    layer(example.np.ones((2, 5), "float32"))
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(5, 3), (3,)]
    assert example.SimpleDense.from_config(layer.get_config()).units == 3
    total = example.ComputeSum(2)
    assert total.trainable_weights == [] and len(total.non_trainable_weights) == 1


@pytest.mark.slow
def test_convnet_script_shows_a_progress_bar_and_ends_with_the_accuracy_line():
    # As a user runs it: a fresh process, verbose=1 by default. The checkout goes on the path
    # because the script's own folder, not the current one, is what Python puts there.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, str(EXAMPLES / "digits_convnet.py"), "--epochs", "1",
                           "--backend", backend.backend()],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"Test accuracy: \d\.\d{4}", done.stdout.splitlines()[-1]), done.stdout
    assert f"Backend: {backend.backend()}" in done.stdout
    assert "Epoch 1/1" in done.stdout + done.stderr  # the tqdm bar (written to stderr)
