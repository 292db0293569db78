"""(e) Conv1D text classifier: token ids (length 200, vocabulary 20000) -> Embedding 128 ->
Conv1D 128, kernel 5, ReLU ('valid') -> global max pooling over time -> Dense 10."""

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
    torch_model_steps,
    torch_seeded,
)

SIZES: dict[str, dict[str, int]] = {
    "large": {"batch": 1024, "length": 200, "vocabulary": 20000, "embedding": 128,
              "filters": 128},
    "cpu": {"batch": 32, "length": 200, "vocabulary": 20000, "embedding": 128, "filters": 128},
    "tiny": {"batch": 2, "length": 16, "vocabulary": 100, "embedding": 8, "filters": 8},
}
CLASSES, KERNEL = 10, 5


def keras_api_model(lib: ModuleType, length: int, vocabulary: int, embedding: int,
                    filters: int) -> Any:
    """The text classifier with the Keras API of ``lib``."""
    layers = lib.layers
    return lib.models.Sequential([
        layers.Input((length,), dtype="int32"), layers.Embedding(vocabulary, embedding),
        layers.Conv1D(filters, KERNEL, activation="relu"), layers.GlobalMaxPooling1D(),
        layers.Dense(CLASSES)])


def torch_model(torch: ModuleType, vocabulary: int, embedding: int, filters: int) -> Any:
    """The same classifier in torch (Conv1d is channels-first: the embedding is transposed)."""
    nn = torch.nn

    class TextConv(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = nn.Embedding(vocabulary, embedding)
            self.conv = nn.Conv1d(embedding, filters, KERNEL)
            self.head = nn.Linear(filters, CLASSES)

        def forward(self, tokens: Any) -> Any:
            features = torch.relu(self.conv(self.embedding(tokens).transpose(1, 2)))
            return self.head(features.amax(dim=2))

    return TextConv()


def gemms(batch: int, length: int, embedding: int, filters: int, train: bool) -> list[Gemm]:
    """The convolution as an im2col GEMM (input gradient included: it feeds the embedding's)
    and the head's GEMMs; the embedding lookup and its scatter-add are not GEMMs."""
    rows = batch * (length - KERNEL + 1)
    return (dense_gemms(rows, KERNEL * embedding, filters, True, train)
            + dense_gemms(batch, filters, CLASSES, True, train))


def workload(size: str, seed: int = 0) -> Workload:
    """The Conv1D text workload at ``size`` ("large", "cpu" or "tiny")."""
    config = SIZES[size]
    batch, length, vocabulary, embedding, filters = (
        config[key] for key in ("batch", "length", "vocabulary", "embedding", "filters"))
    x = np.random.default_rng(seed).integers(0, vocabulary, (batch, length)).astype("int32")
    y = labels(seed, batch, CLASSES)

    def build(lib: ModuleType) -> Any:
        return keras_api_model(lib, length, vocabulary, embedding, filters)

    def ours(context: Context) -> PeerSteps:
        return gpulayers_model_steps(context, build, x, y)

    def theirs(context: Context) -> PeerSteps:
        assert context.torch is not None
        model = torch_seeded(context, lambda: torch_model(context.torch, vocabulary, embedding,
                                                          filters))
        return torch_model_steps(context, model, x.astype("int64"), y)

    def keras(context: Context, weights: list[np.ndarray] | None) -> PeerSteps:
        return keras_model_steps(context, build, x, y, weights)

    return Workload(
        name="conv1d_text",
        description=(f"Embedding {vocabulary}x{embedding} -> Conv1D {filters} k{KERNEL} -> "
                     f"global max pool -> Dense {CLASSES}; length {length}, batch {batch}"),
        batch=batch, config=dict(config), gpulayers=ours, torch=theirs, keras=keras,
        gemms={"train": gemms(batch, length, embedding, filters, True),
               "infer": gemms(batch, length, embedding, filters, False)})
