"""The Gaussian blur used by RandomGaussianBlur and RandomElasticTransform: it lives in
:mod:`gpulayers.ops.gaussian_filter` (ops must not import layers) and is re-exported here.
"""

from gpulayers.ops.gaussian_filter import gaussian_blur, gaussian_kernel_1d

__all__ = ["gaussian_blur", "gaussian_kernel_1d"]
