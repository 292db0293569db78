"""The epoch and batch loops behind fit / evaluate / predict, with Keras's callback hooks."""

from __future__ import annotations

import numbers
import warnings
from typing import Any

from gpulayers.backend import host_data
from gpulayers.models.data_adapter import batches_for
from gpulayers.models.graph_steps import run_model_step
from gpulayers.models.step_data import (
    logs_to_floats,
    outputs_to_numpy,
    pack_x_y_sample_weight,
    unpack_x_y_sample_weight,
)

__all__ = ["run_evaluate", "run_fit", "run_predict"]


def _callbacks(model: Any, callbacks: Any, verbose: Any, epochs: int, steps: int | None,
               history: bool) -> Any:
    from gpulayers.callbacks import CallbackList

    verbose = 1 if verbose == "auto" else int(verbose)
    if isinstance(callbacks, CallbackList):
        return callbacks
    return CallbackList(callbacks, add_history=history, add_progbar=verbose != 0, model=model,
                        verbose=verbose, epochs=epochs, steps=steps)


def _validation_source(model: Any, validation_data: Any, batch_size: int | None,
                       steps: int | None) -> Any:
    """Batches of ``validation_data``: ``(x, y[, sample_weight])`` as a tuple or a list (Keras
    3 unpacks both the same way), or a generator / PyDataset of batches."""
    if validation_data is None:
        return None
    if isinstance(validation_data, (tuple, list)):
        try:
            x, y, weights = unpack_x_y_sample_weight(validation_data)
        except ValueError as error:
            raise ValueError(f"fit: `validation_data` must be (x_val, y_val) or (x_val, "
                             f"y_val, val_sample_weight): {error}") from None
        return batches_for(x, y, weights, batch_size, False, steps, "fit (validation)")
    return batches_for(validation_data, None, None, batch_size, False, steps,
                       "fit (validation)")


def check_epoch_arguments(epochs: Any, initial_epoch: Any, validation_freq: Any) -> None:
    """ValueError naming ``fit`` unless the epoch counts are integers (``epochs`` and
    ``initial_epoch`` >= 0, ``validation_freq`` >= 1)."""
    for name, value, least in (("epochs", epochs, 0), ("initial_epoch", initial_epoch, 0),
                               ("validation_freq", validation_freq, 1)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
            kind = "a positive" if least else "a non-negative"
            raise ValueError(f"fit: `{name}` must be {kind} integer. Received: "
                             f"{name}={value!r}")


def run_fit(model: Any, data: Any, epochs: int, verbose: Any, callbacks: Any,
            validation_data: Any, initial_epoch: int, validation_steps: int | None,
            validation_batch_size: int | None, validation_freq: int) -> Any:
    steps = getattr(data, "steps", None)
    callback_list = _callbacks(model, callbacks, verbose, epochs, steps, history=True)
    validation = _validation_source(model, validation_data, validation_batch_size,
                                    validation_steps)
    model.stop_training = False
    callback_list.on_train_begin()
    epoch_logs: dict[str, float] = {}
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        logs = None
        for step, batch in enumerate(data.epoch()):
            callback_list.on_train_batch_begin(step)
            logs = logs_to_floats(run_model_step(model, "train",
                                                  pack_x_y_sample_weight(*batch)))
            callback_list.on_train_batch_end(step, dict(logs))
            if model.stop_training:
                break
        if logs is None:  # nothing came: a used-up generator must not log zero losses
            _ran_out(model, f"the training data ran out at epoch {epoch + 1}; training stops")
            break
        # Keras's epoch logs are the last step's (running means over the epoch).
        epoch_logs = logs
        if validation is not None and (epoch + 1) % validation_freq == 0:
            val_logs = _evaluate_logs(model, validation, callback_list)
            if val_logs is None:
                _ran_out(model, f"the validation data ran out at epoch {epoch + 1}; no val_ "
                                "results for it")
            epoch_logs.update({f"val_{key}": value for key, value in (val_logs or {}).items()})
        callback_list.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    if epochs > initial_epoch:  # use_ema: the averages replace the weights, as Keras does
        model.optimizer.finalize_variable_values(model.trainable_weights)
    callback_list.on_train_end(epoch_logs)
    return model.history


def _ran_out(model: Any, what: str) -> None:
    warnings.warn(f"Model '{model.name}': {what}. A generator is used up after one pass: pass "
                  "steps_per_epoch (validation_steps) with a generator that never ends, or a "
                  "re-iterable such as a list of batches.", stacklevel=4)


def _evaluate_logs(model: Any, data: Any, callback_list: Any) -> dict[str, float] | None:
    """The logs of one pass over ``data`` (None when it gave no batch)."""
    model.reset_metrics()
    data.reset()  # Keras: every evaluation (validation included) starts at the first batch
    callback_list.on_test_begin()
    logs = None
    for step, batch in enumerate(data.epoch()):
        callback_list.on_test_batch_begin(step)
        logs = logs_to_floats(run_model_step(model, "test", pack_x_y_sample_weight(*batch)))
        callback_list.on_test_batch_end(step, dict(logs))
    callback_list.on_test_end(dict(logs or {}))
    return logs


def run_evaluate(model: Any, data: Any, verbose: Any, callbacks: Any) -> dict[str, float]:
    callback_list = _callbacks(model, callbacks, verbose, 1, getattr(data, "steps", None),
                               history=False)
    logs = _evaluate_logs(model, data, callback_list)
    if logs is None:
        raise ValueError(f"Model '{model.name}': evaluate() received no data (an empty "
                         "iterable, or a generator already used up)")
    return logs


def run_predict(model: Any, data: Any, verbose: Any, callbacks: Any) -> Any:
    callback_list = _callbacks(model, callbacks, verbose, 1, getattr(data, "steps", None),
                               history=False)
    callback_list.on_predict_begin()
    batches = []
    for step, (x, _, _) in enumerate(data.epoch()):
        callback_list.on_predict_batch_begin(step)
        outputs = outputs_to_numpy(run_model_step(model, "predict", pack_x_y_sample_weight(x)))
        batches.append(outputs)
        callback_list.on_predict_batch_end(step, {"outputs": outputs})
    callback_list.on_predict_end()
    if not batches:
        raise ValueError(f"Model '{model.name}': predict() received no data")
    return _concatenate(batches)


def _concatenate(batches: list[Any]) -> Any:
    first = batches[0]
    if isinstance(first, list):
        return [_concatenate([b[i] for b in batches]) for i in range(len(first))]
    if isinstance(first, dict):
        return {key: _concatenate([b[key] for b in batches]) for key in first}
    return host_data.concatenate_rows(batches)

