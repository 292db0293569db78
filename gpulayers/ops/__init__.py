"""Differentiable array operations (Keras 3 ``keras.ops`` names), on the active backend.

Every op accepts Tensors, Variables, backend arrays, NumPy arrays and Python scalars, and
returns Tensors; inside a :class:`gpulayers.GradientTape` it records itself for backprop.
"""

from gpulayers.ops import image  # noqa: F401  (the keras.ops.image namespace)
from gpulayers.ops.activations import *  # noqa: F401,F403
from gpulayers.ops.adaptive_pooling import *  # noqa: F401,F403
from gpulayers.ops.attention_ops import *  # noqa: F401,F403
from gpulayers.ops.bitwise import *  # noqa: F401,F403
from gpulayers.ops.comparisons import *  # noqa: F401,F403
from gpulayers.ops.control_flow import *  # noqa: F401,F403
from gpulayers.ops.conv import *  # noqa: F401,F403
from gpulayers.ops.ctc import *  # noqa: F401,F403
from gpulayers.ops.custom_gradient import *  # noqa: F401,F403
from gpulayers.ops.decompositions import *  # noqa: F401,F403
from gpulayers.ops.extra_activations import *  # noqa: F401,F403
from gpulayers.ops.fft import *  # noqa: F401,F403  (rebinds ops.fft to the function)
from gpulayers.ops.introspection import *  # noqa: F401,F403
from gpulayers.ops.linear_solvers import *  # noqa: F401,F403
from gpulayers.ops.losses import *  # noqa: F401,F403
from gpulayers.ops.math import *  # noqa: F401,F403
from gpulayers.ops.matrix_construction import *  # noqa: F401,F403
from gpulayers.ops.nan_reductions import *  # noqa: F401,F403
from gpulayers.ops.nn import *  # noqa: F401,F403
from gpulayers.ops.normalization_ops import *  # noqa: F401,F403
from gpulayers.ops.operators import install_tensor_operators as _install
from gpulayers.ops.pooling import *  # noqa: F401,F403
from gpulayers.ops.rnn import *  # noqa: F401,F403
from gpulayers.ops.saturating_cast import *  # noqa: F401,F403
from gpulayers.ops.searching import *  # noqa: F401,F403
from gpulayers.ops.segments import *  # noqa: F401,F403
from gpulayers.ops.sequence_ops import *  # noqa: F401,F403
from gpulayers.ops.shape import *  # noqa: F401,F403
from gpulayers.ops.signal_quality import *  # noqa: F401,F403
from gpulayers.ops.special_math import *  # noqa: F401,F403
from gpulayers.ops.stacking import *  # noqa: F401,F403
from gpulayers.ops.statistics import *  # noqa: F401,F403
from gpulayers.ops.windows import *  # noqa: F401,F403

_install()
