"""An interrupted save never destroys the previous good file: the write goes to a temporary
file next to it, which replaces it only when complete (and is removed on an exception)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from saving_fixtures import RNG, sequential_model

from gpulayers.backend import array_files
from gpulayers.models import load_model
from gpulayers.saving import atomic_write

REPO = Path(__file__).resolve().parents[2]
X = RNG.normal(size=(4, 6)).astype("float32")


def _write_then_fail(stream, *args, **kwargs):
    stream.write(b"\0" * 4096)  # some bytes reach the file before the failure
    raise OSError("disk full (simulated)")


@pytest.fixture
def saved(tmp_path):
    """A good model.keras and the outputs it predicts."""
    model = sequential_model()
    path = tmp_path / "model.keras"
    model.save(path)
    return path, model.predict(X, verbose=0)


def test_atomic_write_replaces_only_on_success(tmp_path):
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")
    with atomic_write(target) as stream:
        stream.write(b"new")
        assert target.read_bytes() == b"old"  # not replaced while the block runs
    assert target.read_bytes() == b"new"
    with pytest.raises(RuntimeError, match="stop"):
        with atomic_write(target) as stream:
            stream.write(b"partial")
            raise RuntimeError("stop")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["file.bin"]


def test_new_files_get_the_usual_permissions(tmp_path):
    with atomic_write(tmp_path / "f") as stream:
        stream.write(b"x")
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(tmp_path / "f").st_mode & 0o777 == 0o666 & ~mask


def test_a_failing_model_save_keeps_the_old_file(saved, monkeypatch):
    path, outputs = saved
    # the weights member is HDF5 when h5py is installed, else .npz: both writers fail here
    monkeypatch.setattr(array_files, "write_npz", _write_then_fail)
    monkeypatch.setattr(array_files, "write_h5", _write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        sequential_model().save(path)
    monkeypatch.undo()
    assert os.listdir(path.parent) == ["model.keras"]  # no temporary file left behind
    np.testing.assert_array_equal(load_model(path).predict(X, verbose=0), outputs)


@pytest.mark.parametrize(("suffix", "writer"), [(".weights.npz", "write_npz"),
                                                (".weights.h5", "write_h5")])
def test_a_failing_save_weights_keeps_the_old_file(tmp_path, monkeypatch, suffix, writer):
    if writer == "write_h5":
        pytest.importorskip("h5py")
    model = sequential_model()
    path = tmp_path / f"w{suffix}"
    model.save_weights(path)
    monkeypatch.setattr(array_files, writer, _write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        sequential_model().save_weights(path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == [path.name]
    fresh = sequential_model()
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(X, verbose=0), model.predict(X, verbose=0))


_KILLED_SAVE = """
import os
from gpulayers.backend import array_files
from saving_fixtures import sequential_model

def write_then_die(stream, arrays, names=None):
    stream.write(b"\\0" * 4096)
    stream.flush()
    os._exit(17)  # the process dies in the middle of writing, no cleanup runs

array_files.write_npz = array_files.write_h5 = write_then_die
sequential_model().save({path!r})
"""


def test_a_process_killed_while_saving_keeps_the_old_file(saved):
    path, outputs = saved
    script = textwrap.dedent(_KILLED_SAVE.format(path=str(path)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]),
        "GPULAYERS_BACKEND": "numpy"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            timeout=120)
    assert result.returncode == 17, result.stderr.decode()
    # The half-written temporary file is all the crash left; the model file is intact.
    leftovers = [name for name in os.listdir(path.parent) if name != "model.keras"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".model.keras.")
    np.testing.assert_array_equal(load_model(path).predict(X, verbose=0), outputs)


def test_overwrite_false_refuses_an_existing_file(saved):
    path, _ = saved
    weights = path.parent / "w.weights.npz"
    weights.write_bytes(b"keep me")
    before = path.read_bytes()
    with pytest.raises(ValueError, match="already exists and overwrite=False"):
        sequential_model().save(path, overwrite=False)
    with pytest.raises(ValueError, match="already exists and overwrite=False"):
        sequential_model().save_weights(weights, overwrite=False)
    assert path.read_bytes() == before and weights.read_bytes() == b"keep me"
