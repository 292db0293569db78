"""Attention layers (Keras 3 names, arguments, weight layouts and masking rules)."""

from gpulayers.layers.attention.attention import AdditiveAttention, Attention
from gpulayers.layers.attention.grouped_query_attention import GroupQueryAttention
from gpulayers.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["AdditiveAttention", "Attention", "GroupQueryAttention", "MultiHeadAttention"]
