"""``keras.config``: global settings (float type, fuzz factor, image layout, dtype policy,
backend, float32 matmul precision on the GPU) and switches (logging, unsafe deserialization,
training caps).

Example::

    from gpulayers import config
    config.set_floatx("float64")
    config.set_dtype_policy("mixed_float16")
    config.set_max_epochs(2)           # debugging: every fit() stops after 2 epochs
    config.set_float32_matmul_precision("high")   # TF32 tensor cores on the GPU
    config.disable_interactive_logging()
"""

from gpulayers.backend import backend, set_backend
from gpulayers.backend.config import (
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from gpulayers.backend.matmul_precision import (
    get_float32_matmul_precision,
    set_float32_matmul_precision,
)
from gpulayers.config.runtime_flags import (
    disable_flash_attention,
    disable_interactive_logging,
    disable_traceback_filtering,
    disable_unsafe_deserialization,
    enable_flash_attention,
    enable_interactive_logging,
    enable_traceback_filtering,
    enable_unsafe_deserialization,
    is_flash_attention_enabled,
    is_interactive_logging_enabled,
    is_nnx_enabled,
    is_traceback_filtering_enabled,
    is_unsafe_deserialization_enabled,
)
from gpulayers.config.training_limits import (
    max_epochs,
    max_steps_per_epoch,
    set_max_epochs,
    set_max_steps_per_epoch,
)
from gpulayers.dtype_policies import dtype_policy, set_dtype_policy

__all__ = [
    "backend", "disable_flash_attention", "disable_interactive_logging",
    "disable_traceback_filtering", "disable_unsafe_deserialization", "dtype_policy",
    "enable_flash_attention", "enable_interactive_logging", "enable_traceback_filtering",
    "enable_unsafe_deserialization", "epsilon", "floatx", "get_float32_matmul_precision",
    "image_data_format",
    "is_flash_attention_enabled", "is_interactive_logging_enabled", "is_nnx_enabled",
    "is_traceback_filtering_enabled", "is_unsafe_deserialization_enabled", "max_epochs",
    "max_steps_per_epoch", "set_backend", "set_dtype_policy", "set_epsilon", "set_floatx",
    "set_float32_matmul_precision", "set_image_data_format", "set_max_epochs",
    "set_max_steps_per_epoch",
]
