"""A model's variables as a flat ``{Keras weight path: host array}`` dict, and back.

Writing lists every layer's own variables at ``<path>/vars/<i>`` (paths from
:mod:`gpulayers.saving.object_paths`) and, for a compiled model, the optimizer's state at
``optimizer/vars/<i>`` in Keras 3's order: ``iterations``, then the learning rate (only when
it is a plain float: Keras keeps it in a variable; a schedule or callable is not state), then
the slot variables. gpulayers optimizers keep no learning-rate variable, so it is inserted on
writing and taken out (and set as ``optimizer.learning_rate``) on reading.

Reading checks every layer's variable count and shapes first and assigns only when all of
them match, so a mismatched file changes nothing.

Example::

    arrays, names = collect_weights(model)
    restore_weights(model, arrays, source="'w.weights.npz'")
"""

from __future__ import annotations

import warnings
from typing import Any

from gpulayers import backend
from gpulayers.saving.object_paths import SavedObject, saveable_objects, vars_group

__all__ = ["collect_weights", "restore_weights"]


def _float_learning_rate(optimizer: Any) -> bool:
    """Whether Keras would keep this optimizer's learning rate in a variable."""
    rate = optimizer.get_config().get("learning_rate")
    return isinstance(rate, (int, float)) and not isinstance(rate, bool)


def _optimizer_arrays(optimizer: Any) -> list[Any]:
    arrays = [backend.to_numpy(v) for v in optimizer.variables]
    if _float_learning_rate(optimizer):
        # A Python float is stored as float64, so our own files give back the exact rate
        # (Keras keeps float32 and casts on loading).
        arrays.insert(1, float(optimizer.learning_rate))
    return arrays


def collect_weights(model: Any, include_optimizer: bool = True
                    ) -> tuple[dict[str, Any], dict[str, str]]:
    """``({"<path>/vars/<i>": array}, {"<path>/vars": object name})`` for ``model``.

    Args:
        model: a built Model.
        include_optimizer: also store the optimizer's state when the model is compiled.

    Example: ``collect_weights(model)[0]["layers/dense/vars/0"]`` is the first kernel.
    """
    arrays: dict[str, Any] = {}
    names: dict[str, str] = {}
    for saved in saveable_objects(model, include_optimizer):
        values = _optimizer_arrays(saved.obj) if saved.is_optimizer else [
            backend.to_numpy(v) for v in saved.variables]
        if not values:
            continue
        group = vars_group(saved.path)
        names[group] = saved.name
        for index, value in enumerate(values):
            arrays[f"{group}/{index}"] = value
    return arrays, names


def _group_arrays(arrays: dict[str, Any]) -> dict[str, dict[int, Any]]:
    """``{object path: {index: array}}`` from the flat keys (other keys are ignored)."""
    grouped: dict[str, dict[int, Any]] = {}
    for key, value in arrays.items():
        parts = key.rsplit("/", 2)
        if len(parts) == 3 and parts[1] == "vars" and parts[2].isdigit():
            grouped.setdefault(parts[0], {})[int(parts[2])] = value
        elif len(parts) == 2 and parts[0] == "vars" and parts[1].isdigit():
            grouped.setdefault("", {})[int(parts[1])] = value
    return grouped


def _shape(value: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in getattr(value, "shape", ()))


def _layer_problem(saved: SavedObject, stored: dict[int, Any]) -> str | None:
    """Why ``stored`` cannot be loaded into ``saved``'s variables (None if it can)."""
    where = f"layer '{saved.name}' (weights path '{saved.path or '<model>'}')"
    expected = [tuple(v.shape) for v in saved.variables]
    if sorted(stored) != list(range(len(stored))) or len(stored) != len(expected):
        received = [_shape(stored[i]) for i in sorted(stored)]
        hint = "" if getattr(saved.obj, "built", True) else (
            " (it is not built: call the model on some data first)")
        return (f"{where} has {len(expected)} variables with shapes {expected}, but the file "
                f"has {len(stored)} for it with shapes {received}{hint}")
    for index, variable in enumerate(saved.variables):
        if _shape(stored[index]) != tuple(variable.shape):
            return (f"{where}: variable {index} '{variable.name}' has shape "
                    f"{tuple(variable.shape)}, but the file's value has shape "
                    f"{_shape(stored[index])}")
    return None


def _report(problems: list[str], source: str, model: Any, skip_mismatch: bool) -> None:
    if not problems:
        return
    text = "\n".join(f"  - {problem}" for problem in problems)
    if skip_mismatch:
        warnings.warn(f"Skipped loading weights from {source} that do not match model "
                      f"'{model.name}' (skip_mismatch=True):\n{text}", stacklevel=4)
        return
    raise ValueError(f"The weights in {source} do not match model '{model.name}' (a different "
                     f"architecture?); nothing was loaded:\n{text}")


def restore_weights(model: Any, arrays: dict[str, Any], source: str,
                    skip_mismatch: bool = False, include_optimizer: bool = True) -> None:
    """Assign ``arrays`` (keys as written by :func:`collect_weights` or by Keras 3) to
    ``model``'s variables, and to its optimizer when compiled and ``include_optimizer``.

    Args:
        model: a built Model with the architecture the weights were saved from.
        arrays: ``{"<path>/vars/<i>": array}``.
        source: how messages name the file, e.g. ``"'w.weights.h5'"``.
        skip_mismatch: warn about and skip layers whose variables do not match instead of
            raising ValueError.
        include_optimizer: also restore the optimizer's state when the file has it.

    Raises:
        ValueError naming each mismatched layer with the expected and received shapes; then
        nothing has been assigned.

    Example: ``restore_weights(model, collect_weights(model)[0], "'memory'")``.
    """
    grouped = _group_arrays(arrays)
    objects = saveable_objects(model, include_optimizer)
    layers = [s for s in objects if not s.is_optimizer]
    optimizers = [s for s in objects if s.is_optimizer]
    problems, plan = [], []
    for saved in layers:
        stored = grouped.get(saved.path, {})
        problem = _layer_problem(saved, stored)
        if problem is None:
            plan.extend(zip(saved.variables, (stored[i] for i in range(len(stored)))))
        else:
            problems.append(problem)
    # A saved optimizer state is ignored by an uncompiled model, as in Keras.
    known = {s.path for s in objects} | {"optimizer"}
    extra = sorted(path for path in grouped if path not in known)
    if extra:
        problems.append(f"the file has weights for objects this model does not have: "
                        f"{extra}")
    _report(problems, source, model, skip_mismatch)
    for variable, value in plan:
        variable.assign(value)
    for saved in optimizers:
        if saved.path in grouped:
            restore_optimizer(saved.obj, grouped[saved.path], model, source)


def restore_optimizer(optimizer: Any, stored: dict[int, Any], model: Any, source: str) -> None:
    """Restore ``optimizer`` from its saved values (Keras order, see the module docstring).

    A file saved before the first training step has no slots: then only ``iterations`` (and
    the learning rate) are restored and the slots keep their initial values. A state that
    does not fit (another optimizer, or other variables) is skipped with a warning, as Keras
    does; the model's weights are loaded either way.

    Args:
        optimizer: the model's optimizer (built here when the file has slots).
        stored: ``{index: array}`` read from ``optimizer/vars/<index>``.
        model: the model whose trainable weights the optimizer updates.
        source: how warnings name the file.

    Example: ``restore_optimizer(model.optimizer, {0: iterations}, model, "'w.weights.h5'")``.
    """
    values = [stored[i] for i in sorted(stored)]
    with_rate = _float_learning_rate(optimizer)
    if not optimizer.built and len(values) > 1 + with_rate:
        optimizer.build(model.trainable_weights)  # creates the slots to restore into
    count = len(optimizer.variables)
    # The learning rate is value 1 when the file has one more value than our variables, or
    # when a float-rate optimizer was saved before its first step ([iterations, rate]).
    has_rate = len(values) == count + 1 or (with_rate and len(values) == 2)
    rate = values.pop(1) if has_rate else None
    problem = None
    if sorted(stored) != list(range(len(stored))):
        problem = f"its saved values are not numbered 0..{len(stored) - 1}"
    elif len(values) == 1:
        # Saved before the first step: no slots. variables[0] is the stored counter (with
        # gradient_accumulation_steps `iterations` is a Tensor of calls // n, not it).
        optimizer.variables[0].assign(values[0])
    elif len(values) == count:
        try:
            optimizer.assign_variables(values)
        except ValueError as error:
            problem = str(error)
    else:
        problem = (f"it has {count} variables (iterations and slots), the file has "
                   f"{len(stored)} values for it")
    if problem is not None:
        warnings.warn(f"Skipped restoring optimizer '{optimizer.name}' from {source}: "
                      f"{problem}.", stacklevel=3)
    elif rate is not None and with_rate:
        optimizer.learning_rate = float(backend.to_numpy(rate))
