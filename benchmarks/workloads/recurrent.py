"""(c) LSTM and (d) GRU classifiers: a sequence (T 100, 128 features) through one recurrent layer
(512 units on the GPU, 128 on the CPU), its last output into Dense 10."""

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

SIZES: dict[str, dict[str, int]] = {
    "large": {"batch": 64, "steps": 100, "features": 128, "units": 512},
    "cpu": {"batch": 32, "steps": 100, "features": 128, "units": 128},
    "tiny": {"batch": 2, "steps": 5, "features": 8, "units": 8},
}
CLASSES = 10
GATES = {"lstm": 4, "gru": 3}
KERAS_LAYER = {"lstm": "LSTM", "gru": "GRU"}
TORCH_LAYER = {"lstm": "LSTM", "gru": "GRU"}


def keras_api_model(lib: ModuleType, cell: str, steps: int, features: int, units: int) -> Any:
    """``cell`` ('lstm' or 'gru', Keras defaults: GRU with reset_after) then Dense 10."""
    return lib.models.Sequential([lib.layers.Input((steps, features)),
                                  getattr(lib.layers, KERAS_LAYER[cell])(units),
                                  lib.layers.Dense(CLASSES)])


def torch_model(torch: ModuleType, cell: str, features: int, units: int) -> Any:
    """The same classifier in torch: ``nn.LSTM``/``nn.GRU`` (batch-first), last output, Linear."""
    nn = torch.nn

    class RecurrentClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = getattr(nn, TORCH_LAYER[cell])(features, units, batch_first=True)
            self.head = nn.Linear(units, CLASSES)

        def forward(self, x: Any) -> Any:
            return self.head(self.rnn(x)[0][:, -1])

    return RecurrentClassifier()


def recurrent_gemms(cell: str, batch: int, steps: int, features: int, units: int,
                    input_grad: bool, train: bool) -> list[Gemm]:
    """The canonical GEMMs of a recurrent layer over a sequence: one input projection for all
    timesteps and one recurrent GEMM per step; in training one GEMM per step for the hidden
    state's gradient and one GEMM each (over all timesteps) for the two weight gradients."""
    width = GATES[cell] * units
    found = [Gemm(batch * steps, features, width), Gemm(batch, units, width, count=steps)]
    if train:
        found += [Gemm(batch, width, units, trans_b=True, count=steps),
                  Gemm(features, batch * steps, width, trans_a=True),
                  Gemm(units, batch * steps, width, trans_a=True)]
        if input_grad:
            found.append(Gemm(batch * steps, width, features, trans_b=True))
    return found


def workload(cell: str, size: str, seed: int = 0) -> Workload:
    """The ``cell`` ('lstm' or 'gru') classifier workload at ``size``."""
    config = SIZES[size]
    batch, steps, features, units = (config[key] for key in ("batch", "steps", "features",
                                                             "units"))
    x, y = normal(seed, batch, steps, features), labels(seed, batch, CLASSES)

    def build(lib: ModuleType) -> Any:
        return keras_api_model(lib, cell, steps, features, units)

    def ours(context: Context) -> PeerSteps:
        return gpulayers_model_steps(context, build, x, y)

    def theirs(context: Context) -> PeerSteps:
        assert context.torch is not None
        model = torch_seeded(context, lambda: torch_model(context.torch, cell, features, units))
        return torch_model_steps(context, model, x, y)

    def keras(context: Context, weights: list[np.ndarray] | None) -> PeerSteps:
        return keras_model_steps(context, build, x, y, weights)

    def gemms(train: bool) -> list[Gemm]:
        return (recurrent_gemms(cell, batch, steps, features, units, False, train)
                + dense_gemms(batch, units, CLASSES, True, train))

    return Workload(
        name=cell,
        description=(f"{KERAS_LAYER[cell]}({units}) on T{steps} x {features} features, "
                     f"Dense {CLASSES}, batch {batch}"),
        batch=batch, config=dict(config), gpulayers=ours, torch=theirs, keras=keras,
        gemms={"train": gemms(True), "infer": gemms(False)})
