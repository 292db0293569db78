"""``keras.activations``: every Keras 3 activation function by its Keras name, plus ``get``,
``serialize`` and ``deserialize``.

The functions are the differentiable ops of :mod:`gpulayers.ops.activations` and
:mod:`gpulayers.ops.extra_activations`, with Keras's activation defaults (``gelu`` is exact
here, ``approximate=False``, unlike ``ops.gelu``).

Example::

    from gpulayers import activations
    y = activations.relu(x, max_value=6.0)
    act = activations.get("swish")        # activations.silu
    activations.serialize(act)            # 'silu'
"""

from gpulayers.activations.serialization import deserialize, get, serialize
from gpulayers.ops.activations import _by_name

_BUILT_INS = _by_name()

celu = _BUILT_INS["celu"]
elu = _BUILT_INS["elu"]
exponential = _BUILT_INS["exponential"]
gelu = _BUILT_INS["gelu"]
glu = _BUILT_INS["glu"]
hard_shrink = _BUILT_INS["hard_shrink"]
hard_sigmoid = _BUILT_INS["hard_sigmoid"]
hard_silu = _BUILT_INS["hard_silu"]
hard_swish = _BUILT_INS["hard_swish"]
hard_tanh = _BUILT_INS["hard_tanh"]
leaky_relu = _BUILT_INS["leaky_relu"]
linear = _BUILT_INS["linear"]
log_sigmoid = _BUILT_INS["log_sigmoid"]
log_softmax = _BUILT_INS["log_softmax"]
mish = _BUILT_INS["mish"]
relu = _BUILT_INS["relu"]
relu6 = _BUILT_INS["relu6"]
selu = _BUILT_INS["selu"]
sigmoid = _BUILT_INS["sigmoid"]
silu = _BUILT_INS["silu"]
soft_shrink = _BUILT_INS["soft_shrink"]
softmax = _BUILT_INS["softmax"]
softplus = _BUILT_INS["softplus"]
softsign = _BUILT_INS["softsign"]
sparse_plus = _BUILT_INS["sparse_plus"]
sparse_sigmoid = _BUILT_INS["sparse_sigmoid"]
sparsemax = _BUILT_INS["sparsemax"]
squareplus = _BUILT_INS["squareplus"]
swish = _BUILT_INS["swish"]
tanh = _BUILT_INS["tanh"]
tanh_shrink = _BUILT_INS["tanh_shrink"]
threshold = _BUILT_INS["threshold"]

__all__ = [
    "celu", "deserialize", "elu", "exponential", "gelu", "get", "glu", "hard_shrink",
    "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh", "leaky_relu", "linear",
    "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu", "serialize", "sigmoid",
    "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
    "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink", "threshold",
]
