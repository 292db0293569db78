"""Mixed precision, as ``keras.mixed_precision``: dtype policies and loss scaling.

``set_global_policy("mixed_float16")`` makes new layers compute in float16 with float32
weights; ``compile`` then wraps the optimizer in a :class:`LossScaleOptimizer` so that small
float16 gradients do not underflow to zero.
"""

from gpulayers.dtype_policies import (
    DTypePolicy,
    Policy,
    dtype_policy,
    global_policy,
    set_dtype_policy,
    set_global_policy,
)
from gpulayers.optimizers.loss_scale_optimizer import LossScaleOptimizer

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy",
           "set_dtype_policy", "set_global_policy"]
