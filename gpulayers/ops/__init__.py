"""Differentiable array operations (Keras 3 ``keras.ops`` names), on the active backend.

Every op accepts Tensors, Variables, backend arrays, NumPy arrays and Python scalars, and
returns Tensors; inside a :class:`gpulayers.GradientTape` it records itself for backprop.
"""

from gpulayers.ops.activations import *  # noqa: F401,F403
from gpulayers.ops.conv import *  # noqa: F401,F403
from gpulayers.ops.losses import *  # noqa: F401,F403
from gpulayers.ops.math import *  # noqa: F401,F403
from gpulayers.ops.nn import *  # noqa: F401,F403
from gpulayers.ops.operators import install_tensor_operators as _install
from gpulayers.ops.pooling import *  # noqa: F401,F403
from gpulayers.ops.rnn import *  # noqa: F401,F403
from gpulayers.ops.shape import *  # noqa: F401,F403

_install()
