"""compile / fit / evaluate / predict and the on-batch methods of every Model (Keras 3 API)."""

from __future__ import annotations

from typing import Any

from gpulayers import backend, ops
from gpulayers.autodiff import GradientTape
from gpulayers.models.compile_utils import row_count
from gpulayers.models.data_adapter import batches_for, split_validation, to_device

__all__ = ["Trainer"]


def _per_output(structure: Any, names: list[str], who: str) -> list[Any]:
    """Targets, predictions or sample weights as one entry per output (dicts by name)."""
    if structure is None:
        return [None] * len(names)
    if isinstance(structure, dict):
        unknown = sorted(set(structure) - set(names))
        if unknown:
            raise ValueError(f"{who}: keys {unknown} are not outputs of the model. Outputs: "
                             f"{names}")
        return [structure.get(name) for name in names]
    if isinstance(structure, (list, tuple)) and len(names) > 1:
        if len(structure) != len(names):
            raise ValueError(f"{who}: expected one entry per output ({len(names)}: {names}). "
                             f"Received {len(structure)}")
        return list(structure)
    if isinstance(structure, (list, tuple)) and len(structure) == 1:
        return [structure[0]]
    return [structure]


def _floats(logs: dict[str, Any]) -> dict[str, float]:
    # One host sync for all values: logs are Python floats for callbacks and the progress bar.
    return {key: float(backend.to_numpy(getattr(value, "data", value))) for key, value in
            logs.items()}


class Trainer:
    """The training API mixed into :class:`~gpulayers.models.model.Model`."""

    # -- compile -----------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, weighted_metrics: Any = None, run_eagerly: Any = None,
                steps_per_execution: int = 1, jit_compile: Any = "auto",
                auto_scale_loss: bool = True) -> None:
        """Configure training.

        Args:
            optimizer: name (``'adam'``...) or Optimizer instance.
            loss: name, function or Loss; a list or dict (by output name) for several outputs.
            loss_weights: scalars weighting each output's loss (list or dict).
            metrics: list of names/functions/Metric objects (or per output: list of lists or
                dict). ``'accuracy'`` picks binary, categorical or sparse categorical
                accuracy from the shapes, as Keras does.
            run_eagerly, steps_per_execution, jit_compile, auto_scale_loss: accepted for
                Keras compatibility (gpulayers always runs eagerly).

        Example::

            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
        """
        from gpulayers import optimizers
        from gpulayers.metrics import Mean
        from gpulayers.models.compile_utils import CompiledLoss, CompiledMetrics

        names = self._output_names()
        optimizer = optimizers.get(optimizer)
        if optimizer is None:
            raise ValueError(f"Model '{self.name}': compile() needs an optimizer. Received "
                             f"optimizer=None")
        compiled_loss = CompiledLoss(loss, loss_weights, names) if loss is not None else None
        compiled_metrics = CompiledMetrics(metrics, weighted_metrics, names)
        # Everything is checked before anything changes: a failed compile keeps the old state.
        self.optimizer, self.compiled_loss = optimizer, compiled_loss
        self.compiled_metrics = compiled_metrics
        self.loss = loss
        self._compile_arguments = {
            "optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
            "metrics": metrics, "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly, "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile, "auto_scale_loss": auto_scale_loss}
        self._loss_tracker = Mean(name="loss")
        self.compiled = True

    def get_compile_config(self) -> dict[str, Any]:
        """The arguments of the last ``compile`` as a JSON-ready dict (``{}`` if never
        compiled); :meth:`compile_from_config` compiles a model the same way."""
        from gpulayers.models.compile_config import serialize_compile_arguments

        if not getattr(self, "compiled", False):
            return {}
        return serialize_compile_arguments(self._compile_arguments)

    def compile_from_config(self, config: dict[str, Any],
                            custom_objects: dict[str, Any] | None = None) -> None:
        """Compile from :meth:`get_compile_config`'s dict and create the optimizer's slots
        (so saved optimizer state can be assigned to them)."""
        from gpulayers.models.compile_config import deserialize_compile_arguments

        self.compile(**deserialize_compile_arguments(config, custom_objects))
        if self.built:
            self.optimizer.build(self.trainable_weights)

    def _output_names(self) -> list[str]:
        structure = getattr(self, "_output_structure", None)
        if isinstance(structure, dict):
            return list(structure)
        outputs = getattr(self, "outputs", None)
        if outputs:
            return [t._keras_history[0].name for t in outputs]
        return ["output"]

    def _require_compiled(self, who: str) -> None:
        if not getattr(self, "compiled", False):
            raise RuntimeError(f"Model '{self.name}': call compile() before {who}()")

    # -- one batch ---------------------------------------------------------------------------
    def _per_output(self, y: Any, y_pred: Any, sample_weight: Any) -> tuple[list[Any], ...]:
        names = self._output_names()
        who = f"Model '{self.name}'"
        return (_per_output(y, names, f"{who} (targets y)"), _per_output(y_pred, names, who),
                _per_output(sample_weight, names, f"{who} (sample_weight)"))

    def _loss(self, y: Any, y_pred: Any, sample_weight: Any) -> Any:
        total = self.compiled_loss(*self._per_output(y, y_pred, sample_weight)) if (
            self.compiled_loss) else None
        for penalty in self.losses:  # activity and weight regularization
            total = penalty if total is None else total + penalty
        if total is None:
            raise ValueError(f"Model '{self.name}': no loss to minimize; pass `loss=` to "
                             f"compile() (or add losses with add_loss)")
        return total

    def _update_metrics(self, y: Any, y_pred: Any, sample_weight: Any, loss: Any) -> None:
        targets, predictions, weights = self._per_output(y, y_pred, sample_weight)
        # Keras weights each batch's loss by its size: the epoch loss is a per-sample mean.
        self._loss_tracker.update_state(ops.stop_gradient(loss),
                                        sample_weight=row_count(predictions[0]))
        if y is not None:
            self.compiled_metrics.update(targets, predictions, weights)

    def _metric_logs(self) -> dict[str, Any]:
        """Keras 3's order: the loss, the compiled metrics, then each output's loss."""
        logs = {"loss": self._loss_tracker.result()}
        logs.update(self.compiled_metrics.logs())
        if self.compiled_loss is not None:
            logs.update(self.compiled_loss.logs())
        return logs

    def reset_metrics(self) -> None:
        """Reset the loss tracker and every compiled metric."""
        self._loss_tracker.reset_state()
        self.compiled_metrics.reset()
        if self.compiled_loss is not None:
            self.compiled_loss.reset()

    def train_step(self, x: Any, y: Any, sample_weight: Any) -> None:
        """One optimizer step on a batch (already on the device)."""
        variables = self.trainable_weights
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self._loss(y, y_pred, sample_weight)
        gradients = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(list(zip(gradients, variables)))
        self._update_metrics(y, y_pred, sample_weight, loss)

    def test_step(self, x: Any, y: Any, sample_weight: Any) -> None:
        y_pred = self(x, training=False)
        loss = self._loss(y, y_pred, sample_weight)
        self._update_metrics(y, y_pred, sample_weight, loss)

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: Any = None, return_dict: bool = False) -> Any:
        """One training step on one batch; returns the loss (and metrics) of that batch."""
        self._require_compiled("train_on_batch")
        self.reset_metrics()
        sample_weight = self._class_weighted(y, sample_weight, class_weight)
        self.train_step(*to_device((x, y, sample_weight)))
        return self._result(_floats(self._metric_logs()), return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> Any:
        """Loss and metrics of one batch (no update)."""
        self._require_compiled("test_on_batch")
        self.reset_metrics()
        self.test_step(*to_device((x, y, sample_weight)))
        return self._result(_floats(self._metric_logs()), return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        """The model's outputs for one batch, as NumPy arrays."""
        return _to_numpy(self(to_device(x), training=False))

    def _result(self, logs: dict[str, float], return_dict: bool) -> Any:
        """The logs as a dict, or as Keras 3 lists them: the loss, the metrics known by their
        own names, each output's loss, then the remaining (prefixed) keys sorted; a lone
        value is returned as a scalar."""
        if return_dict:
            return logs
        metrics = self.compiled_metrics.metrics or []
        known = ["loss", *[m.name for pairs in metrics for m, _ in pairs],
                 *[f"{name}_loss" for name in self._output_names()]]
        ordered = [key for key in dict.fromkeys(known) if key in logs]
        ordered += sorted(key for key in logs if key not in ordered)
        values = [logs[key] for key in ordered]
        return values[0] if len(values) == 1 else values

    def _class_weighted(self, y: Any, sample_weight: Any, class_weight: Any) -> Any:
        if class_weight is None:
            return sample_weight
        from gpulayers.models.class_weights import class_sample_weights

        return class_sample_weights(self.name, y, sample_weight, class_weight)

    # -- loops -------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: Any = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, class_weight: Any = None,
            sample_weight: Any = None, initial_epoch: int = 0,
            steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: int = 1) -> Any:
        """Train for ``epochs`` epochs; returns the History callback (``history.history``).

        Example::

            history = model.fit(x_train, y_train, batch_size=64, epochs=5,
                                validation_split=0.1)
        """
        from gpulayers.models.fit_loop import run_fit

        self._require_compiled("fit")
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = split_validation(
                x, y, sample_weight, validation_split)
        if class_weight is not None:
            sample_weight = self._class_weighted(y, sample_weight, class_weight)
        data = batches_for(x, y, sample_weight, batch_size, shuffle, steps_per_epoch, "fit")
        return run_fit(self, data, epochs=epochs, verbose=verbose, callbacks=callbacks,
                       validation_data=validation_data, initial_epoch=initial_epoch,
                       validation_steps=validation_steps,
                       validation_batch_size=validation_batch_size or batch_size,
                       validation_freq=validation_freq)

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 verbose: Any = "auto", sample_weight: Any = None, steps: int | None = None,
                 callbacks: Any = None, return_dict: bool = False) -> Any:
        """Loss and metrics over the data (a scalar, a list, or a dict with return_dict)."""
        from gpulayers.models.fit_loop import run_evaluate

        self._require_compiled("evaluate")
        data = batches_for(x, y, sample_weight, batch_size, False, steps, "evaluate")
        return self._result(run_evaluate(self, data, verbose, callbacks), return_dict)

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: int | None = None, callbacks: Any = None) -> Any:
        """The model's outputs for ``x``, computed in batches, as NumPy arrays."""
        from gpulayers.models.fit_loop import run_predict

        data = batches_for(x, None, None, batch_size, False, steps, "predict")
        return run_predict(self, data, verbose, callbacks)


def _to_numpy(outputs: Any) -> Any:
    if isinstance(outputs, (list, tuple)):
        return [_to_numpy(o) for o in outputs]
    if isinstance(outputs, dict):
        return {k: _to_numpy(v) for k, v in outputs.items()}
    return backend.to_numpy(getattr(outputs, "data", outputs))
