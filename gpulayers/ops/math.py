"""Math ops (Keras 3 ``keras.ops`` names): the public face of the elementwise, reduction,
linear-algebra and creation modules, re-exported from one place.

The implementations live by concept:

* :mod:`gpulayers.ops.arithmetic` - broadcasting binary ops, comparisons, logic
* :mod:`gpulayers.ops.unary` - exp/log/trig/rounding/clip/nan tests
* :mod:`gpulayers.ops.casting` - cast, identity_op, stop_gradient
* :mod:`gpulayers.ops.reductions` - sum, mean, max, min, prod, var, std, logsumexp, argmax, ...
* :mod:`gpulayers.ops.cumulative` - cumsum, cumprod
* :mod:`gpulayers.ops.linalg` - matmul, dot, tensordot, outer, trace
* :mod:`gpulayers.ops.einsum_ops` - einsum;  :mod:`gpulayers.ops.norms` - norm
* :mod:`gpulayers.ops.creation` - zeros, ones, arange, eye, convert_to_tensor, ...
* :mod:`gpulayers.ops.dtypes` and :mod:`gpulayers.ops.broadcasting` - the promotion rules and
  the ``unbroadcast`` gradient helper shared by every op file

Example::

    from gpulayers import ops
    y = ops.mean(ops.square(ops.matmul(x, w) - t))
"""

import gpulayers.ops.arithmetic as _arithmetic
import gpulayers.ops.broadcasting as _broadcasting
import gpulayers.ops.casting as _casting
import gpulayers.ops.creation as _creation
import gpulayers.ops.cumulative as _cumulative
import gpulayers.ops.dtypes as _dtypes
import gpulayers.ops.einsum_ops as _einsum_ops
import gpulayers.ops.linalg as _linalg
import gpulayers.ops.norms as _norms
import gpulayers.ops.reductions as _reductions
import gpulayers.ops.unary as _unary
from gpulayers.ops.arithmetic import *  # noqa: F401,F403
from gpulayers.ops.broadcasting import unbroadcast  # noqa: F401
from gpulayers.ops.casting import *  # noqa: F401,F403
from gpulayers.ops.creation import *  # noqa: F401,F403
from gpulayers.ops.cumulative import *  # noqa: F401,F403
from gpulayers.ops.dtypes import result_type, standardize_dtype  # noqa: F401
from gpulayers.ops.einsum_ops import *  # noqa: F401,F403
from gpulayers.ops.linalg import *  # noqa: F401,F403
from gpulayers.ops.norms import *  # noqa: F401,F403
from gpulayers.ops.reductions import *  # noqa: F401,F403
from gpulayers.ops.unary import *  # noqa: F401,F403

_MODULES = (_arithmetic, _broadcasting, _casting, _creation, _cumulative, _dtypes, _einsum_ops,
            _linalg, _norms, _reductions, _unary)

# Building blocks for other op files, importable from their modules but kept out of ``ops``
# (``unbroadcast`` stays: op files and custom ops use it).
_INTERNAL_HELPERS = {"broadcast_shapes", "expand_reduced", "is_float_dtype", "normalize_axes",
                     "operand_dtype", "reduce_grad_to_input", "to_operand_tensor"}

__all__ = [name for module in _MODULES for name in module.__all__
           if name not in _INTERNAL_HELPERS]
