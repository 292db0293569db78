"""``run_layer_test``: the checks every layer must pass, written once (Keras's idea).

For a layer class and constructor arguments it checks: config round trip (``from_config`` and
``layers.deserialize``), eager output shape == ``compute_output_shape`` == the expected shape,
symbolic call on an ``Input`` (shapes and node bookkeeping), weight counts, ``set_weights``
round trip on a rebuilt layer giving identical outputs, optional expected values, the tape's
gradients w.r.t. the input and every trainable weight against float64 central differences,
and that every trainable weight receives a gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers import backend
from gpulayers.autodiff import GradientTape, Tensor
from gpulayers.backend import random


def _random_input(shape: tuple, dtype: str, seed: int) -> Any:
    if "int" in dtype:
        return random.randint(shape, 0, 10, dtype=dtype, seed=seed)
    return random.normal(shape, dtype=dtype, seed=seed)


def _config_without_name(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k != "name"}


def _assert_shape(got: Any, expected: Any, what: str) -> None:
    if tuple(got) != tuple(expected):
        raise AssertionError(f"{what}: got shape {tuple(got)}, expected {tuple(expected)}")


def run_layer_test(layer_cls: type, init_kwargs: dict[str, Any], *,
                   input_shape: tuple | None = None, input_dtype: str = "float32",
                   input_data: Any = None, expected_output_shape: tuple | None = None,
                   expected_output: Any = None, expected_num_trainable_weights: int | None = None,
                   expected_num_non_trainable_weights: int | None = None,
                   supports_masking: bool | None = None, run_gradient_check: bool = True,
                   call_kwargs: dict[str, Any] | None = None, rtol: float = 1e-5,
                   atol: float = 1e-6, gradient_tolerance: float = 1e-5,
                   custom_objects: dict[str, Any] | None = None) -> Any:
    """Run the standard layer checks; return the layer's eager output (a Tensor).

    Give ``input_shape`` (with the batch dimension) or ``input_data``.
    """
    from gpulayers.layers import Input, deserialize, serialize

    call_kwargs = call_kwargs or {}
    data = input_data if input_data is not None else _random_input(input_shape, input_dtype, 0)
    data = Tensor(backend.to_device(backend.to_numpy(data)))
    shape = tuple(data.shape)

    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    _check_config_round_trip(layer_cls, layer, config, serialize, deserialize, custom_objects)
    if supports_masking is not None and layer.supports_masking != supports_masking:
        raise AssertionError(f"supports_masking is {layer.supports_masking}, "
                             f"expected {supports_masking}")

    output = layer(data, **call_kwargs)
    _assert_shape(output.shape, layer.compute_output_shape(shape), "eager output vs "
                  "compute_output_shape")
    if expected_output_shape is not None:
        _assert_shape(output.shape, expected_output_shape, "eager output")
    _check_weight_counts(layer, expected_num_trainable_weights,
                         expected_num_non_trainable_weights)
    if expected_output is not None:
        _assert_close(output, expected_output, rtol, atol, "output")

    symbolic = layer_cls(**init_kwargs)(Input(batch_shape=(None, *shape[1:]), dtype=data.dtype))
    _assert_shape(symbolic.shape, (None, *output.shape[1:]), "symbolic output")

    rebuilt = layer_cls.from_config(config)
    rebuilt(data, **call_kwargs)
    rebuilt.set_weights(layer.get_weights())
    if not call_kwargs.get("training"):
        _assert_close(rebuilt(data, **call_kwargs), output, rtol, atol, "rebuilt layer output")
    _check_every_weight_gets_a_gradient(layer, data, call_kwargs)
    if run_gradient_check and "float" in input_dtype:
        float64_layer = layer_cls.from_config({**config, "dtype": "float64"})
        float64_layer(Tensor(data.data.astype("float64")), **call_kwargs)
        float64_layer.set_weights(layer.get_weights())
        check_layer_gradients(float64_layer, data.data.astype("float64"), call_kwargs,
                              rtol=gradient_tolerance, atol=gradient_tolerance)
    return output


def _check_config_round_trip(layer_cls: type, layer: Any, config: dict[str, Any],
                             serialize: Callable, deserialize: Callable,
                             custom_objects: dict[str, Any] | None) -> None:
    clone = layer_cls.from_config(config)
    if _config_without_name(clone.get_config()) != _config_without_name(config):
        raise AssertionError(f"config round trip changed the config:\n{config}\n"
                             f"{clone.get_config()}")
    revived = deserialize(serialize(layer), custom_objects=custom_objects)
    if type(revived) is not layer_cls:
        raise AssertionError(f"deserialize gave {type(revived)}, expected {layer_cls}")


def _check_weight_counts(layer: Any, trainable: int | None, non_trainable: int | None) -> None:
    if trainable is not None and len(layer.trainable_weights) != trainable:
        raise AssertionError(f"{len(layer.trainable_weights)} trainable weights, "
                             f"expected {trainable}")
    if non_trainable is not None and len(layer.non_trainable_weights) != non_trainable:
        raise AssertionError(f"{len(layer.non_trainable_weights)} non-trainable weights, "
                             f"expected {non_trainable}")


def _assert_close(got: Any, expected: Any, rtol: float, atol: float, what: str) -> None:
    got, expected = backend.to_numpy(got), backend.to_numpy(expected)
    if got.shape != expected.shape or not (abs(got - expected) <= atol + rtol * abs(
            expected)).all():
        raise AssertionError(f"{what} differs:\n{got}\nexpected\n{expected}")


def _check_every_weight_gets_a_gradient(layer: Any, data: Tensor, call_kwargs: dict) -> None:
    if "float" not in data.dtype or not layer.trainable_weights:
        return
    with GradientTape() as tape:
        output = layer(data, **call_kwargs)
        loss = _sum_squares(output)
    grads = tape.gradient(loss, layer.trainable_weights)
    for weight, grad in zip(layer.trainable_weights, grads):
        if grad is None:
            raise AssertionError(f"trainable weight {weight.name} received no gradient")
        _assert_shape(grad.shape, weight.shape, f"gradient of {weight.name}")


def _sum_squares(output: Tensor) -> Tensor:
    from gpulayers import ops

    return ops.sum(ops.square(output))


def check_layer_gradients(layer: Any, x: Any, call_kwargs: dict | None = None, *,
                          eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-6,
                          seed: int = 0) -> None:
    """Check a built float64 layer's gradients w.r.t. input ``x`` and every trainable weight
    against central differences of ``sum(output * r)`` for a fixed random ``r``."""
    from gpulayers import ops

    call_kwargs = call_kwargs or {}
    x = Tensor(backend.to_device(x))
    weights = layer.trainable_weights
    projection = Tensor(random.normal(layer(x, **call_kwargs).shape, dtype="float64", seed=seed))

    def scalar() -> float:
        return float(ops.sum(layer(x, **call_kwargs) * projection))

    with GradientTape() as tape:
        tape.watch(x)
        value = ops.sum(layer(x, **call_kwargs) * projection)
    analytic = tape.gradient(value, [x, *weights], unconnected_gradients="zero")
    for index, (target, grad) in enumerate(zip([x, *weights], analytic)):
        numeric = _numeric_gradient(target, scalar, eps)
        name = "input" if index == 0 else weights[index - 1].name
        _assert_close(grad, numeric, rtol, atol, f"gradient w.r.t. {name}")


def _numeric_gradient(target: Tensor, scalar: Callable[[], float], eps: float) -> Any:
    values = target.data
    flat = values.reshape(-1)
    grad = backend.xp().zeros(values.size, dtype="float64")
    for position in range(values.size):
        original = float(flat[position])
        flat[position] = original + eps
        plus = scalar()
        flat[position] = original - eps
        minus = scalar()
        flat[position] = original
        grad[position] = (plus - minus) / (2 * eps)
    return grad.reshape(values.shape)
