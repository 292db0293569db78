"""Merging layers: combine a list of tensors (Keras 3 names, shapes and mask rules).

Each layer has a functional form taking the list: ``add([a, b])`` is ``Add()([a, b])``.
"""

from gpulayers.layers.merging.add import Add, add
from gpulayers.layers.merging.average import Average, average
from gpulayers.layers.merging.base_merge import Merge
from gpulayers.layers.merging.concatenate import Concatenate, concatenate
from gpulayers.layers.merging.dot import Dot, dot
from gpulayers.layers.merging.maximum import Maximum, maximum
from gpulayers.layers.merging.minimum import Minimum, minimum
from gpulayers.layers.merging.multiply import Multiply, multiply
from gpulayers.layers.merging.subtract import Subtract, subtract

__all__ = [
    "Add", "Average", "Concatenate", "Dot", "Maximum", "Merge", "Minimum", "Multiply",
    "Subtract", "add", "average", "concatenate", "dot", "maximum", "minimum", "multiply",
    "subtract",
]
