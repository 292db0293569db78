"""Core layers: Input, InputLayer, Dense, EinsumDense, Embedding, Identity, Lambda, Masking."""

from gpulayers.layers.core.dense import Dense
from gpulayers.layers.core.einsum_dense import EinsumDense
from gpulayers.layers.core.embedding import Embedding
from gpulayers.layers.core.identity import Identity
from gpulayers.layers.core.input_layer import Input, InputLayer
from gpulayers.layers.core.lambda_layer import Lambda
from gpulayers.layers.core.masking import Masking
from gpulayers.layers.core.reversible_embedding import ReversibleEmbedding
from gpulayers.layers.core.wrapper import Wrapper

__all__ = ["Dense", "EinsumDense", "Embedding", "Identity", "Input", "InputLayer", "Lambda",
           "Masking", "ReversibleEmbedding", "Wrapper"]
