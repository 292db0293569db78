"""Activation layers: Activation (any activation by name), ReLU, LeakyReLU, PReLU, ELU and
Softmax, with Keras 3's arguments, defaults and weight layout (PReLU's ``alpha``)."""

from gpulayers.layers.activations.activation import Activation
from gpulayers.layers.activations.elu import ELU
from gpulayers.layers.activations.leaky_relu import LeakyReLU
from gpulayers.layers.activations.prelu import PReLU
from gpulayers.layers.activations.relu import ReLU
from gpulayers.layers.activations.softmax import Softmax

__all__ = ["ELU", "Activation", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
