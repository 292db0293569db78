"""The kernel loader finds every .cu file, expands local headers, and every kernel compiles."""

import shutil
import subprocess

import pytest

from gpulayers.backend import kernels

NVCC = shutil.which("nvcc")


def test_every_family_has_a_source_file():
    for family in kernels.FAMILIES:
        assert kernels.source_path(family).is_file(), family


def test_unknown_family_is_rejected():
    with pytest.raises(ValueError, match="Unknown kernel family 'nope'"):
        kernels.source_path("nope")


def test_headers_are_pasted_into_the_source(tmp_path, monkeypatch):
    (tmp_path / "im2col.cu").write_text('#include "common.cuh"\nint body;\n')
    (tmp_path / "common.cuh").write_text('#include "common.cuh"\nint header;\n')
    monkeypatch.setattr(kernels, "kernel_dir", lambda: tmp_path)
    text = kernels.source_text("im2col")
    assert "int header;" in text and "int body;" in text and "#include" not in text


@pytest.mark.skipif(NVCC is None, reason="nvcc (the CUDA compiler) is not installed here")
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
@pytest.mark.parametrize("family", kernels.FAMILIES)
def test_kernel_source_compiles_to_ptx(family, arch, tmp_path):
    # Compile exactly what the loader hands to NVRTC at run time (headers pasted in).
    source = tmp_path / f"{family}.cu"
    source.write_text(kernels.source_text(family))
    result = subprocess.run(
        [NVCC, "--ptx", f"-arch={arch}", "--std=c++17", str(source),
         "-o", str(tmp_path / "out.ptx")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
