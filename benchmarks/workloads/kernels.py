"""(f) Kernel microbenchmarks, one op alone (no model, no optimizer):

- ``conv2d_op``: a 3x3 'same' convolution C->C on NHWC images, forward + gradients of input and
  kernel (torch: NCHW ``conv2d`` and ``autograd.grad``);
- ``maxpool_op``: 2x2 max pooling, forward + input gradient;
- ``lstm_op``: one LSTM layer over a sequence (``ops.lstm_sequence`` / ``nn.LSTM``), forward +
  gradients of input and weights.

Mode "train" is forward + backward of a summed output, "infer" the forward alone. Keras has no
op-level counterpart here (its torch backend calls the same torch kernels).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.gemm_rate import Gemm
from benchmarks.workloads.base import Context, PeerSteps, Workload, normal
from benchmarks.workloads.convnet import conv_gemms
from benchmarks.workloads.recurrent import recurrent_gemms

KERAS_REASON = "not applicable: op-level microbenchmark (Keras on torch runs torch's kernels)"
MODES = {"train": "fwd+bwd", "infer": "fwd"}
IMAGE_SIZES: dict[str, dict[str, int]] = {  # conv2d_op and maxpool_op
    "large": {"batch": 128, "image": 32, "channels": 64},
    "cpu": {"batch": 16, "image": 32, "channels": 64},
    "tiny": {"batch": 2, "image": 8, "channels": 4},
}
LSTM_SIZES: dict[str, dict[str, int]] = {
    "large": {"batch": 64, "steps": 100, "features": 128, "units": 512},
    "cpu": {"batch": 32, "steps": 100, "features": 128, "units": 128},
    "tiny": {"batch": 2, "steps": 5, "features": 3, "units": 4},
}


def _torch_tensor(context: Context, array: np.ndarray) -> Any:
    assert context.torch is not None
    return context.torch.as_tensor(array, device=context.device).requires_grad_()


def _torch_steps(context: Context, forward: Any, inputs: list[Any]) -> PeerSteps:
    """Steps of a torch forward: ``autograd.grad`` of its sum w.r.t. ``inputs``; no-grad."""
    torch = context.torch
    assert torch is not None

    def train() -> object:
        return torch.autograd.grad(forward().sum(), inputs)

    def infer() -> object:
        with torch.no_grad():
            return forward()

    return PeerSteps(train=train, infer=infer)


def _gpulayers_steps(forward: Any, inputs: list[Any]) -> PeerSteps:
    """Steps of a gpulayers forward: the tape's gradient of its sum w.r.t. ``inputs``; alone."""
    import gpulayers as gl
    from gpulayers import ops

    def train() -> object:
        with gl.GradientTape() as tape:
            loss = ops.sum(forward())
        return tape.gradient(loss, inputs)

    return PeerSteps(train=train, infer=forward)


def conv2d_op(size: str, seed: int = 0) -> Workload:
    """3x3 'same' convolution C->C, alone."""
    config = IMAGE_SIZES[size]
    batch, image, channels = config["batch"], config["image"], config["channels"]
    x, kernel = normal(seed, batch, image, image, channels), normal(seed + 1, 3, 3, channels,
                                                                     channels)

    def ours(context: Context) -> PeerSteps:
        import gpulayers as gl
        from gpulayers import ops

        vx, vk = gl.Variable(x), gl.Variable(kernel)
        return _gpulayers_steps(lambda: ops.conv(vx, vk, padding="same"), [vx, vk])

    def theirs(context: Context) -> PeerSteps:
        assert context.torch is not None
        conv2d = context.torch.nn.functional.conv2d
        tx = _torch_tensor(context, np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        tk = _torch_tensor(context, np.ascontiguousarray(kernel.transpose(3, 2, 0, 1)))
        return _torch_steps(context, lambda: conv2d(tx, tk, padding=1), [tx, tk])

    def gemms(train: bool) -> list[Gemm]:
        return conv_gemms(batch, image, channels, channels, True, train)

    return Workload(
        name="conv2d_op",
        description=f"conv2d 3x3 same {channels}->{channels}, {batch}x{image}x{image} (op alone)",
        batch=batch, config=dict(config), gpulayers=ours, torch=theirs, keras=KERAS_REASON,
        gemms={"train": gemms(True), "infer": gemms(False)}, modes=dict(MODES))


def maxpool_op(size: str, seed: int = 0) -> Workload:
    """2x2 max pooling, alone (memory-bound: no GEMMs)."""
    config = IMAGE_SIZES[size]
    batch, image, channels = config["batch"], config["image"], config["channels"]
    x = normal(seed, batch, image, image, channels)

    def ours(context: Context) -> PeerSteps:
        import gpulayers as gl
        from gpulayers import ops

        vx = gl.Variable(x)
        return _gpulayers_steps(lambda: ops.max_pool(vx, 2), [vx])

    def theirs(context: Context) -> PeerSteps:
        assert context.torch is not None
        max_pool2d = context.torch.nn.functional.max_pool2d
        tx = _torch_tensor(context, np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        return _torch_steps(context, lambda: max_pool2d(tx, 2), [tx])

    return Workload(
        name="maxpool_op", description=f"max_pool 2x2, {batch}x{image}x{image}x{channels} "
                                       f"(op alone)",
        batch=batch, config=dict(config), gpulayers=ours, torch=theirs, keras=KERAS_REASON,
        modes=dict(MODES))


def lstm_op(size: str, seed: int = 0) -> Workload:
    """One LSTM layer over a sequence, alone (input and weight gradients)."""
    config = LSTM_SIZES[size]
    batch, steps, features, units = (config[key] for key in ("batch", "steps", "features",
                                                             "units"))
    x = normal(seed, batch, steps, features)

    def ours(context: Context) -> PeerSteps:
        import gpulayers as gl
        from gpulayers import backend, ops

        vx = gl.Variable(x)
        kernel = gl.Variable(normal(seed + 1, features, 4 * units))
        recurrent = gl.Variable(normal(seed + 2, units, 4 * units))
        bias = gl.Variable(np.zeros(4 * units, "float32"))
        zeros = backend.to_device(np.zeros((batch, units), "float32"))

        def forward() -> Any:
            return ops.lstm_sequence(vx, zeros, zeros, kernel, recurrent, bias)[0]

        return _gpulayers_steps(forward, [vx, kernel, recurrent, bias])

    def theirs(context: Context) -> PeerSteps:
        torch = context.torch
        assert torch is not None
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            lstm = torch.nn.LSTM(features, units, batch_first=True).to(context.device)
        tx = _torch_tensor(context, x)
        return _torch_steps(context, lambda: lstm(tx)[0], [tx, *lstm.parameters()])

    def gemms(train: bool) -> list[Gemm]:
        return recurrent_gemms("lstm", batch, steps, features, units, True, train)

    return Workload(
        name="lstm_op", description=f"LSTM layer T{steps} b{batch} in{features} u{units} "
                                    f"(op alone)",
        batch=batch, config=dict(config), gpulayers=ours, torch=theirs, keras=KERAS_REASON,
        gemms={"train": gemms(True), "infer": gemms(False)}, modes=dict(MODES))
