"""What a workload is, and the step builders shared by the model workloads.

A workload builds, for each framework, two zero-argument steps on data already on the device:

- ``train``: a full training step (forward, backward, Adam update) -- for gpulayers
  ``model.train_step((x, y))``, the step ``fit`` runs (compiled without metrics, so its logs hold
  only the loss tracker's result, left on the device); for Keras 3 on torch the same method; for
  PyTorch ``zero_grad``, forward, loss, ``backward``, ``optimizer.step``;
- ``infer``: an inference step (``predict_step`` / ``torch.no_grad()`` forward).

With ``--jit-compile`` gpulayers compiles with ``jit_compile=True`` and its steps run as
``fit`` and ``predict`` run them: replays of CUDA graphs captured after the warm-up steps.

Models are written once against the Keras API (``lib.layers``, ``lib.models``), and built from
that one function with ``lib=gpulayers`` and ``lib=keras``; Keras gets gpulayers' initial weights.
PyTorch models have the same architecture and shapes (channels-first where torch wants it) with
torch's own initialization. All use Adam (lr 1e-3, epsilon 1e-7 as Keras) and sparse categorical
cross-entropy on logits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.gemm_rate import Gemm

__all__ = ["MODES", "Context", "PeerSteps", "Workload", "gpulayers_model_steps",
           "keras_model_steps", "labels", "normal", "torch_model_steps", "torch_seeded"]

MODES = ("train", "infer")
LEARNING_RATE = 1e-3
EPSILON = 1e-7


@dataclass
class Context:
    """Where and with what a workload is built."""

    device: str  # "cpu" or "cuda": where gpulayers runs, and so the peers
    torch: ModuleType | None = None
    keras: ModuleType | None = None
    seed: int = 0
    mixed: bool = False  # float16 mixed precision in every framework (GPU runs only)
    jit: bool = False  # gpulayers compiled with jit_compile=True: steps replayed as CUDA graphs


@dataclass
class PeerSteps:
    """One framework's steps for a workload; ``weights``: gpulayers' initial weights (host)."""

    train: Callable[[], object]
    infer: Callable[[], object]
    weights: list[np.ndarray] | None = None


Builder = Callable[[Context], PeerSteps]
KerasBuilder = Callable[[Context, "list[np.ndarray] | None"], PeerSteps]


@dataclass
class Workload:
    """A benchmark: its shapes, canonical GEMMs per mode, and one builder per framework.

    ``keras`` is a builder or, where Keras has no counterpart (op-level microbenchmarks), the
    reason it is not applicable. ``gemms`` is empty for a workload that is not GEMM-bound.
    """

    name: str
    description: str
    batch: int
    config: dict[str, Any]
    gpulayers: Builder
    torch: Builder
    keras: KerasBuilder | str
    gemms: dict[str, list[Gemm]] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=lambda: {
        "train": "train step (fwd+bwd+Adam)", "infer": "inference"})


def normal(seed: int, *shape: int) -> np.ndarray:
    """Float32 normal samples scaled by 0.1 (inputs and raw op operands)."""
    return np.random.default_rng(seed).standard_normal(shape).astype("float32") * 0.1


def labels(seed: int, batch: int, classes: int = 10) -> np.ndarray:
    """Int32 class labels in ``[0, classes)``."""
    return np.random.default_rng(seed + 1).integers(0, classes, batch).astype("int32")


def gpulayers_model_steps(context: Context, build: Callable[[ModuleType], Any], x: np.ndarray,
                          y: np.ndarray) -> PeerSteps:
    """Steps of the gpulayers model ``build(gpulayers)`` on device copies of ``x``, ``y``
    (built under the ``mixed_float16`` policy, so compiled with loss scaling, when mixed)."""
    import gpulayers
    from gpulayers import backend

    policy = "mixed_float16" if context.mixed else None
    gpulayers.mixed_precision.set_global_policy(policy)
    try:
        model = build(gpulayers)
        model.compile(optimizer=gpulayers.optimizers.Adam(LEARNING_RATE, epsilon=EPSILON),
                      loss=gpulayers.losses.SparseCategoricalCrossentropy(from_logits=True),
                      jit_compile=context.jit)
    finally:
        gpulayers.mixed_precision.set_global_policy(None)
    data = (backend.to_device(x), backend.to_device(y))
    if context.jit:  # the steps as fit and predict run them: graph replays, after warm-up
        from gpulayers.models.graph_steps import run_model_step

        return PeerSteps(train=lambda: run_model_step(model, "train", data),
                         infer=lambda: run_model_step(model, "predict", data[0]),
                         weights=model.get_weights())
    return PeerSteps(train=lambda: model.train_step(data),
                     infer=lambda: model.predict_step(data[0]), weights=model.get_weights())


def keras_model_steps(context: Context, build: Callable[[ModuleType], Any], x: np.ndarray,
                      y: np.ndarray, weights: list[np.ndarray] | None) -> PeerSteps:
    """Steps of the Keras 3 (torch backend) model ``build(keras)``, on ``context.device``."""
    keras, torch = context.keras, context.torch
    assert keras is not None and torch is not None
    scope = _keras_device_scope(keras, context.device)
    keras.mixed_precision.set_global_policy("mixed_float16" if context.mixed else "float32")
    try:
        with scope():
            model = build(keras)
            model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, epsilon=EPSILON),
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            if weights is not None:
                model.set_weights(weights)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    tx = torch.as_tensor(x, device=context.device)
    ty = torch.as_tensor(y, device=context.device)
    data = (tx, ty)

    def train() -> object:
        with scope():
            return model.train_step(data)

    def infer() -> object:
        with scope(), torch.no_grad():
            return model.predict_step(tx)

    return PeerSteps(train=train, infer=infer)


def _keras_device_scope(keras: ModuleType, device: str) -> Callable[[], Any]:
    """``keras.device(device)`` where Keras's default torch device differs, else a no-op."""
    from contextlib import nullcontext

    try:
        from keras.src.backend.torch.core import DEFAULT_DEVICE
    except ImportError:
        DEFAULT_DEVICE = None  # noqa: N806 (mirrors Keras's constant)
    if DEFAULT_DEVICE is not None and str(DEFAULT_DEVICE).startswith(device):
        return nullcontext
    return lambda: keras.device(device)


def torch_model_steps(context: Context, model: Any, x: np.ndarray, y: np.ndarray) -> PeerSteps:
    """Steps of a ``torch.nn.Module`` returning logits: Adam + cross-entropy, and no-grad
    inference, on ``context.device``."""
    torch = context.torch
    assert torch is not None
    model = model.to(context.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=EPSILON)
    tx = torch.as_tensor(x, device=context.device)
    ty = torch.as_tensor(y.astype("int64"), device=context.device)
    cross_entropy = torch.nn.functional.cross_entropy
    if context.mixed:
        return _torch_mixed_steps(torch, model, optimizer, tx, ty)

    def train() -> object:
        optimizer.zero_grad(set_to_none=True)
        loss = cross_entropy(model(tx), ty)
        loss.backward()
        optimizer.step()
        return loss

    def infer() -> object:
        with torch.no_grad():
            return model(tx)

    return PeerSteps(train=train, infer=infer)


def _torch_mixed_steps(torch: ModuleType, model: Any, optimizer: Any, tx: Any, ty: Any
                       ) -> PeerSteps:
    """PyTorch's recipe for float16 mixed precision: autocast and a GradScaler."""
    scaler = torch.amp.GradScaler("cuda")
    cross_entropy = torch.nn.functional.cross_entropy

    def train() -> object:
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.float16):
            loss = cross_entropy(model(tx), ty)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        return loss

    def infer() -> object:
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.float16):
            return model(tx)

    return PeerSteps(train=train, infer=infer)


def torch_seeded(context: Context, make: Callable[[], Any]) -> Any:
    """``make()`` (a torch module) under a forked, seeded torch RNG: the global state is kept."""
    torch = context.torch
    assert torch is not None
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(context.seed)
        return make()
