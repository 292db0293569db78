"""The suite's outputs: the run's metadata, a Markdown table, and the JSON document.

JSON layout (``SCHEMA`` 1)::

    {"schema": 1, "meta": {...machine, versions, commit, size, precision, rounds...},
     "workloads": {name: {"description", "batch", "config",
                          "peak_memory_bytes": {framework: bytes | null} | null,
                          "modes": {mode: {"label", "gemm_flops",
                                           "results": {framework: TIMED | {"absent": reason}},
                                           "blas": TIMED | null,
                                           "ratios": {peer: {"median", "min", "max"}}}}},
                   or {"error": "..."} when gpulayers itself failed},
    TIMED = {"median_ms", "min_ms", "max_ms", "times_ms": [per round], "samples_per_s",
             "tflops" (GEMM FLOPs / median time), "pct_of_blas" ({"median", "min", "max"}:
             per-round BLAS-floor time / framework time, in %)}

Ratios are gpulayers / peer (below 1: gpulayers faster).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["SCHEMA", "format_table", "machine_meta", "progress_line", "write_json"]

SCHEMA = 1
FRAMEWORKS = ("gpulayers", "torch", "keras")
_MIB = 1024 * 1024


def _commit() -> str:
    """The short commit (``GPULAYERS_COMMIT`` if set), ``+dirty`` when tracked files differ."""
    if os.environ.get("GPULAYERS_COMMIT"):
        return os.environ["GPULAYERS_COMMIT"]
    here = Path(__file__).resolve().parent

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True,
                              timeout=10, cwd=here).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        return commit + ("+dirty" if git("status", "--porcelain", "--untracked-files=no")
                         else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _blas() -> str:
    import numpy as np

    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version', '')}".strip()
    except Exception:  # numpy < 2 or an unusual build: the name is informational only
        return "unknown"


def machine_meta(torch: ModuleType | None, keras: ModuleType | None, gpu: bool) -> dict[str, Any]:
    """Date, commit, host, library versions and (on the GPU) device and driver."""
    import numpy as np

    meta: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%MZ"),
        "commit": _commit(), "python": platform.python_version(),
        "platform": platform.platform(), "cpu": _cpu_model(), "cpu_count": os.cpu_count(),
        "numpy": np.__version__, "numpy_blas": _blas(),
        "torch": getattr(torch, "__version__", None), "keras": getattr(keras, "__version__", None)}
    if torch is not None:
        meta["torch_threads"] = torch.get_num_threads()
        meta["torch_mkldnn"] = bool(torch.backends.mkldnn.is_available())
    if gpu:
        import cupy

        from gpulayers import config

        runtime = cupy.cuda.runtime
        properties = runtime.getDeviceProperties(cupy.cuda.Device().id)
        meta.update(device=properties["name"].decode(), driver=runtime.driverGetVersion(),
                    cuda_runtime=runtime.runtimeGetVersion(), cupy=cupy.__version__,
                    float32_matmul_precision=config.get_float32_matmul_precision())
        if torch is not None:
            meta["cudnn"] = torch.backends.cudnn.version()
    return meta


def write_json(path: str | Path, meta: dict[str, Any], workloads: dict[str, Any]) -> None:
    """Write the run as JSON to ``path`` (parent folders created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"schema": SCHEMA, "meta": meta, "workloads": workloads}
    path.write_text(json.dumps(document, indent=2) + "\n")


def _ms(result: dict[str, Any] | None) -> str:
    if result is None:
        return "-"
    if "absent" in result:
        return "absent"
    return f"{result['median_ms']:.3f} [{result['min_ms']:.3f}, {result['max_ms']:.3f}]"


def _ratio(ratio: dict[str, float] | None) -> str:
    return "-" if ratio is None else (f"{ratio['median']:.2f} [{ratio['min']:.2f}, "
                                      f"{ratio['max']:.2f}]")


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _memory(peaks: dict[str, int | None] | None) -> str:
    if not peaks:
        return "-"
    return " / ".join("-" if peaks.get(name) is None else f"{peaks[name] / _MIB:.0f}"
                      for name in FRAMEWORKS)


def progress_line(name: str, workload: dict[str, Any]) -> str:
    """One line per finished workload: median ms and ratios of each mode (for logs)."""
    if "error" in workload:
        return f"[{name}] error: {workload['error']}"
    parts = []
    for mode, row in workload["modes"].items():
        ours = row["results"]["gpulayers"]["median_ms"]
        ratios = ", ".join(f"gpulayers/{peer} {ratio['median']:.2f}"
                           for peer, ratio in row["ratios"].items())
        parts.append(f"{mode} {ours:.3f} ms" + (f" ({ratios})" if ratios else ""))
    return f"[{name}] done: " + "; ".join(parts)


def format_table(meta: dict[str, Any], workloads: dict[str, Any]) -> str:
    """The run as Markdown: a header of metadata, one row per workload and mode, the absences."""
    keys = ("size", "backend", "precision", "jit_compile", "device", "cpu", "rounds", "steps",
            "warmup", "commit", "torch", "keras", "cupy", "numpy", "numpy_blas",
            "torch_threads")
    lines = [" ".join(f"{key}={meta[key]}" for key in keys if meta.get(key) is not None)]
    gpu = meta.get("backend") == "cupy"
    header = ["workload", "mode", "batch", "gpulayers ms [min, max]", "samples/s",
              "GEMM TFLOP/s", "% of BLAS", "BLAS TFLOP/s", "torch ms", "gpulayers/torch",
              "keras ms", "gpulayers/keras"]
    if gpu:
        header.append("peak MiB gl / torch / keras")
    lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    absences: dict[str, list[str]] = {}
    for name, workload in workloads.items():
        if "error" in workload:
            lines.append(f"| {name} | - | - | error: {workload['error']} |")
            continue
        for mode, row in workload["modes"].items():
            results = row["results"]
            ours = results["gpulayers"]
            pct = ours.get("pct_of_blas")
            cells = [name, row["label"], str(workload["batch"]), _ms(ours),
                     f"{ours['samples_per_s']:.1f}", _rate(ours.get("tflops")),
                     "-" if pct is None else f"{pct['median']:.0f}%",
                     _rate((row.get("blas") or {}).get("tflops")),
                     _ms(results.get("torch")), _ratio(row["ratios"].get("torch")),
                     _ms(results.get("keras")), _ratio(row["ratios"].get("keras"))]
            if gpu:
                cells.append(_memory(workload.get("peak_memory_bytes")) if mode == "train"
                             else "")
            lines.append("| " + " | ".join(cells) + " |")
            for peer in ("torch", "keras"):
                if "absent" in results.get(peer, {}):
                    who = absences.setdefault(results[peer]["absent"], [])
                    if f"{peer} ({name})" not in who:
                        who.append(f"{peer} ({name})")
    lines += ["", "ratio = gpulayers / peer, median [min, max] over interleaved rounds (below 1: "
                  "gpulayers faster); % of BLAS = the step's canonical GEMMs alone on "
                  f"{'cupy.matmul (cuBLAS)' if gpu else 'numpy.matmul (BLAS)'}, same rounds."]
    if gpu:
        lines.append("peak MiB (train step, incl. parameters): CuPy pool high-water mark vs "
                     "torch.cuda.max_memory_allocated.")
    lines += [f"absent: {', '.join(who)}: {why}" for why, who in absences.items()]
    return "\n".join(lines)
