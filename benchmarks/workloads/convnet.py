"""(b) Small convnet on 32x32x3 images: four 3x3 'same' ReLU convolutions, a 2x2 max pooling
after every second one, then a dense head (Flatten, Dense 256 ReLU, Dense 10)."""

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

SIZES: dict[str, dict[str, Any]] = {
    "large": {"batch": 512, "image": 32, "filters": (32, 32, 64, 64), "dense": 256},
    "cpu": {"batch": 32, "image": 32, "filters": (32, 32, 64, 64), "dense": 256},
    "tiny": {"batch": 2, "image": 8, "filters": (4, 4, 8, 8), "dense": 16},
}
CHANNELS, CLASSES, KERNEL = 3, 10, 3


def keras_api_model(lib: ModuleType, image: int, filters: tuple[int, ...], dense: int) -> Any:
    """The convnet with the Keras API of ``lib`` (channels-last)."""
    layers: list[Any] = [lib.layers.Input((image, image, CHANNELS))]
    for index, width in enumerate(filters):
        layers.append(lib.layers.Conv2D(width, KERNEL, padding="same", activation="relu"))
        if index % 2 == 1:
            layers.append(lib.layers.MaxPooling2D(2))
    layers += [lib.layers.Flatten(), lib.layers.Dense(dense, activation="relu"),
               lib.layers.Dense(CLASSES)]
    return lib.models.Sequential(layers)


def torch_model(torch: ModuleType, image: int, filters: tuple[int, ...], dense: int) -> Any:
    """The same convnet in torch (channels-first)."""
    nn = torch.nn
    modules: list[Any] = []
    channels = CHANNELS
    for index, width in enumerate(filters):
        modules += [nn.Conv2d(channels, width, KERNEL, padding=1), nn.ReLU()]
        if index % 2 == 1:
            modules.append(nn.MaxPool2d(2))
        channels = width
    side = image // 2 ** (len(filters) // 2)
    modules += [nn.Flatten(), nn.Linear(side * side * channels, dense), nn.ReLU(),
                nn.Linear(dense, CLASSES)]
    return nn.Sequential(*modules)


def conv_gemms(batch: int, side: int, channels_in: int, channels_out: int, input_grad: bool,
               train: bool) -> list[Gemm]:
    """A 3x3 'same' convolution as im2col GEMMs (rows: output pixels, depth: 9 * channels in)."""
    return dense_gemms(batch * side * side, KERNEL * KERNEL * channels_in, channels_out,
                       input_grad, train)


def gemms(batch: int, image: int, filters: tuple[int, ...], dense: int, train: bool
          ) -> list[Gemm]:
    """The convolutions' im2col GEMMs and the dense head's GEMMs."""
    found: list[Gemm] = []
    side, channels = image, CHANNELS
    for index, width in enumerate(filters):
        found += conv_gemms(batch, side, channels, width, index > 0, train)
        channels = width
        if index % 2 == 1:
            side //= 2
    found += dense_gemms(batch, side * side * channels, dense, True, train)
    found += dense_gemms(batch, dense, CLASSES, True, train)
    return found


def workload(size: str, seed: int = 0) -> Workload:
    """The convnet workload at ``size`` ("large", "cpu" or "tiny")."""
    config = SIZES[size]
    batch, image, filters, dense = (config[key] for key in ("batch", "image", "filters", "dense"))
    x, y = normal(seed, batch, image, image, CHANNELS), labels(seed, batch, CLASSES)

    def build(lib: ModuleType) -> Any:
        return keras_api_model(lib, image, filters, dense)

    def ours(context: Context) -> PeerSteps:
        return gpulayers_model_steps(context, build, x, y)

    def theirs(context: Context) -> PeerSteps:
        assert context.torch is not None
        model = torch_seeded(context, lambda: torch_model(context.torch, image, filters, dense))
        return torch_model_steps(context, model, np.ascontiguousarray(x.transpose(0, 3, 1, 2)), y)

    def keras(context: Context, weights: list[np.ndarray] | None) -> PeerSteps:
        return keras_model_steps(context, build, x, y, weights)

    return Workload(
        name="convnet",
        description=(f"convnet {image}x{image}x{CHANNELS}, conv3x3 {list(filters)} + 2 max pools"
                     f", dense {dense}-{CLASSES}, batch {batch}"),
        batch=batch, config={"batch": batch, "image": image, "filters": list(filters),
                             "dense": dense},
        gpulayers=ours, torch=theirs, keras=keras,
        gemms={"train": gemms(batch, image, filters, dense, True),
               "infer": gemms(batch, image, filters, dense, False)})
