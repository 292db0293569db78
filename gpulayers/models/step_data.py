"""What goes into one training/test/predict step and what comes out of it.

In: a batch is packed as Keras 3 packs it, ``x``, ``(x, y)`` or ``(x, y, sample_weight)``,
so a user's ``train_step(self, data)`` can unpack it with ``x, y = data``.
Out: the step's logs become Python floats (one host sync for all of them) for callbacks and
the progress bar, and predictions become NumPy arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gpulayers import backend
from gpulayers.ops.elementwise import floating_errors_ignored

__all__ = ["batch_rows", "logs_to_floats", "outputs_to_numpy", "pack_x_y_sample_weight",
           "run_step", "unpack_x_y_sample_weight"]


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """``x`` alone (``(x,)`` when x is a list/tuple), ``(x, y)`` or ``(x, y, sample_weight)``."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a packed batch (missing parts are None).

    Raises:
        ValueError: for a tuple of more than three items.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError("A batch must be x, (x,), (x, y) or (x, y, sample_weight). Received a "
                     f"tuple of {len(data)} items")


def run_step(step: Callable[[Any], Any], data: Any) -> Any:
    """``step(data)`` on the device, with NumPy's floating-point warnings off: a diverging
    model gives inf/NaN losses (which TerminateOnNaN acts on), not a flood of warnings, as
    in Keras."""
    from gpulayers.models.data_adapter import to_device

    with floating_errors_ignored():
        return step(to_device(data))


def _first_leaf(structure: Any) -> Any:
    if isinstance(structure, dict):
        structure = list(structure.values())
    if isinstance(structure, (list, tuple)):
        return _first_leaf(structure[0]) if structure else None
    return structure


def batch_rows(x: Any) -> int:
    """The number of samples in a batch (the first axis of its first input)."""
    first = _first_leaf(x)
    shape = getattr(first, "shape", ())
    return int(shape[0]) if shape else 1


def _flat_logs(logs: dict[str, Any]) -> dict[str, Any]:
    """Nested result dicts (a compiled-metrics container's) merged into one level."""
    flat: dict[str, Any] = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            flat.update(_flat_logs(value))
        else:
            flat[key] = value
    return flat


def logs_to_floats(logs: dict[str, Any] | None) -> dict[str, Any]:
    """Scalar values as Python floats (copied to the host together, in one transfer);
    other arrays as NumPy arrays; Python numbers and strings unchanged.

    Keys come out sorted, as Keras 3's logs do (its tree utilities sort dict keys), so
    progress bars, History and ``return_dict`` results list them in the same order.
    """
    flat = _flat_logs(logs or {})
    converted = {}
    scalars: dict[str, Any] = {}
    for key, value in flat.items():
        data = getattr(value, "data", value)
        if isinstance(value, (int, float, str)) or not hasattr(data, "shape"):
            converted[key] = value
        elif data.size == 1:
            scalars[key] = data
        else:
            converted[key] = backend.to_numpy(data)
    if scalars:
        xp = backend.xp()
        stacked = xp.stack([xp.asarray(v).reshape(()).astype("float64")
                            for v in scalars.values()])
        converted.update(zip(scalars, (float(v) for v in backend.to_numpy(stacked))))
    return {key: converted[key] for key in sorted(flat)}


def outputs_to_numpy(outputs: Any) -> Any:
    """Predictions (a Tensor, or a list/tuple/dict of them) as NumPy arrays."""
    if isinstance(outputs, (list, tuple)):
        return [outputs_to_numpy(o) for o in outputs]
    if isinstance(outputs, dict):
        return {k: outputs_to_numpy(v) for k, v in outputs.items()}
    return backend.to_numpy(getattr(outputs, "data", outputs))
