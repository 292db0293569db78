"""compile / fit / evaluate / predict and the on-batch methods of every Model (Keras 3 API)."""

from __future__ import annotations

from typing import Any

from gpulayers import backend
from gpulayers.autodiff import GradientTape
from gpulayers.models.data_adapter import batches_for, split_validation, to_device

__all__ = ["Trainer"]


def _as_list(structure: Any, count: int) -> list[Any]:
    if structure is None:
        return [None] * count
    if isinstance(structure, dict):
        return list(structure.values())
    if isinstance(structure, (list, tuple)) and count > 1:
        return list(structure)
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
        from gpulayers.models.compile_utils import CompiledLoss, CompiledMetrics

        names = self._output_names()
        self.optimizer = optimizers.get(optimizer)
        self.compiled_loss = CompiledLoss(loss, loss_weights, names) if loss is not None else (
            None)
        self.compiled_metrics = CompiledMetrics(metrics, names)
        self.weighted_metrics = weighted_metrics
        from gpulayers.metrics import Mean

        self._loss_tracker = Mean(name="loss")
        self.compiled = True

    def _output_names(self) -> list[str]:
        outputs = getattr(self, "outputs", None)
        if outputs:
            return [t._keras_history[0].name for t in outputs]
        return ["output"]

    def _require_compiled(self, who: str) -> None:
        if not getattr(self, "compiled", False):
            raise RuntimeError(f"Model '{self.name}': call compile() before {who}()")

    # -- one batch ---------------------------------------------------------------------------
    def _loss(self, y: Any, y_pred: Any, sample_weight: Any) -> Any:
        count = len(self._output_names())
        total = self.compiled_loss(_as_list(y, count), _as_list(y_pred, count),
                                   _as_list(sample_weight, count)) if self.compiled_loss else None
        for penalty in self.losses:  # activity and weight regularization
            total = penalty if total is None else total + penalty
        if total is None:
            raise ValueError(f"Model '{self.name}': no loss to minimize; pass `loss=` to "
                             f"compile() (or add losses with add_loss)")
        return total

    def _update_metrics(self, y: Any, y_pred: Any, sample_weight: Any, loss: Any) -> None:
        count = len(self._output_names())
        self._loss_tracker.update_state(loss)
        if y is not None:
            self.compiled_metrics.update(_as_list(y, count), _as_list(y_pred, count),
                                         _as_list(sample_weight, count))

    def _metric_logs(self) -> dict[str, Any]:
        logs = {"loss": self._loss_tracker.result()}
        if self.compiled_loss is not None:
            logs.update(self.compiled_loss.logs())
        logs.update(self.compiled_metrics.logs())
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

    @staticmethod
    def _result(logs: dict[str, float], return_dict: bool) -> Any:
        if return_dict:
            return logs
        values = list(logs.values())
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
