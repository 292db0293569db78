"""(a) MLP 784-1024-1024-10 (ReLU) on flat 784-feature inputs: GEMM-bound at batch 4096."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.gemm_rate import Gemm, dense_gemms
from benchmarks.workloads.base import (
    Context,
    PeerSteps,
    Workload,
    gpulayers_model_steps,
    keras_model_steps,
    labels,
    normal,
    torch_model_steps,
    torch_seeded,
)

# "small" (the CPU sizes on a GPU) uses "cpu"; "tiny" keeps CI to seconds.
SIZES: dict[str, dict[str, Any]] = {
    "large": {"batch": 4096, "dims": (784, 1024, 1024, 10)},
    "cpu": {"batch": 256, "dims": (784, 1024, 1024, 10)},
    "tiny": {"batch": 8, "dims": (784, 32, 32, 10)},
}


def keras_api_model(lib: ModuleType, dims: tuple[int, ...]) -> Any:
    """The MLP with the Keras API of ``lib`` (gpulayers or keras)."""
    layers = [lib.layers.Input((dims[0],))]
    layers += [lib.layers.Dense(width, activation="relu") for width in dims[1:-1]]
    layers.append(lib.layers.Dense(dims[-1]))
    return lib.models.Sequential(layers)


def torch_model(torch: ModuleType, dims: tuple[int, ...]) -> Any:
    """The same MLP as a ``torch.nn.Sequential``."""
    modules: list[Any] = []
    for fan_in, fan_out in zip(dims[:-2], dims[1:-1]):
        modules += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    modules.append(torch.nn.Linear(dims[-2], dims[-1]))
    return torch.nn.Sequential(*modules)


def gemms(batch: int, dims: tuple[int, ...], train: bool) -> list[Gemm]:
    """Forward GEMMs; in training the weight gradients and every input gradient but the first."""
    found: list[Gemm] = []
    for index, (fan_in, fan_out) in enumerate(zip(dims, dims[1:])):
        found += dense_gemms(batch, fan_in, fan_out, input_grad=index > 0, train=train)
    return found


def workload(size: str, seed: int = 0) -> Workload:
    """The MLP workload at ``size`` ("large", "cpu" or "tiny")."""
    config = SIZES[size]
    batch, dims = config["batch"], config["dims"]
    x, y = normal(seed, batch, dims[0]), labels(seed, batch, dims[-1])

    def build(lib: ModuleType) -> Any:
        return keras_api_model(lib, dims)

    def ours(context: Context) -> PeerSteps:
        return gpulayers_model_steps(context, build, x, y)

    def theirs(context: Context) -> PeerSteps:
        assert context.torch is not None
        return torch_model_steps(context, torch_seeded(
            context, lambda: torch_model(context.torch, dims)), x, y)

    def keras(context: Context, weights: list[np.ndarray] | None) -> PeerSteps:
        return keras_model_steps(context, build, x, y, weights)

    return Workload(
        name="mlp", description=f"MLP {'-'.join(map(str, dims))} ReLU, batch {batch}",
        batch=batch, config={"batch": batch, "dims": list(dims)}, gpulayers=ours,
        torch=theirs, keras=keras,
        gemms={"train": gemms(batch, dims, True), "infer": gemms(batch, dims, False)})
