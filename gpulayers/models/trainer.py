"""compile / fit / evaluate / predict, the steps behind them and the on-batch methods of every
Model (the Keras 3 training API).

Customizing a step works as in Keras 3: override ``train_step(self, data)`` (``data`` is
``x``, ``(x, y)`` or ``(x, y, sample_weight)``) and return a dict of logs; ``compute_loss``,
``compute_metrics``, ``self.metrics`` and ``self.optimizer`` are there to build it from::

    class MyModel(gpulayers.models.Model):
        def train_step(self, data):
            x, y = data
            with gpulayers.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply(grads, self.trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}
"""

from __future__ import annotations

from typing import Any

from gpulayers import ops
from gpulayers.autodiff import GradientTape
from gpulayers.config.training_limits import capped_epochs, capped_steps
from gpulayers.metrics import Mean, Metric
from gpulayers.models.compile_utils import CompiledLoss, CompiledMetrics
from gpulayers.models.data_adapter import batches_for, split_validation, yields_batches
from gpulayers.models.graph_steps import resolve_jit_compile, run_model_step
from gpulayers.models.step_data import (
    batch_rows,
    logs_to_floats,
    outputs_to_numpy,
    pack_x_y_sample_weight,
    unpack_x_y_sample_weight,
)

__all__ = ["Trainer"]

# Attributes the trainer sets itself; other Metric attributes of a model are the user's.
_OWN_METRICS = ("_loss_tracker", "compiled_metrics", "compiled_loss")


class Trainer:
    """The training API mixed into :class:`~gpulayers.models.model.Model`."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Metric) and name not in _OWN_METRICS:
            tracked = self.__dict__.setdefault("_tracked_metrics", [])
            if not any(value is known for known in tracked):
                tracked.append(value)
        super().__setattr__(name, value)

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
                accuracy from the shapes, as Keras does. Logged under the name given.
            weighted_metrics: like ``metrics``, but given ``sample_weight`` (and
                ``class_weight``); plain ``metrics`` are not weighted, as in Keras 3.
            auto_scale_loss: under the ``"mixed_float16"`` policy, wrap the optimizer in a
                :class:`~gpulayers.optimizers.LossScaleOptimizer` (default True, as Keras).
            jit_compile: True to replay the train, test and predict steps as CUDA graphs on
                CuPy (one per batch shape; see ``gpulayers/models/graph_steps.py``): the
                per-kernel host cost of a step is paid once. ``"auto"`` (the default) and
                False run eagerly; True warns and runs eagerly on NumPy or with
                ``run_eagerly=True``. Read back as ``model.jit_compile``.
            run_eagerly, steps_per_execution: accepted for Keras compatibility.

        Example::

            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
        """
        from gpulayers import optimizers

        names = self._output_names(loss)
        optimizer = optimizers.get(optimizer)
        if optimizer is None:
            raise ValueError(f"Model '{self.name}': compile() needs an optimizer. Received "
                             f"optimizer=None")
        if auto_scale_loss and self.dtype_policy.name == "mixed_float16" and not isinstance(
                optimizer, optimizers.LossScaleOptimizer):
            optimizer = optimizers.LossScaleOptimizer(optimizer, name="loss_scale_optimizer")
        compiled_loss = CompiledLoss(loss, loss_weights, names) if loss is not None else None
        compiled_metrics = CompiledMetrics(metrics, weighted_metrics, names)
        # Everything is checked before anything changes: a failed compile keeps the old state.
        self.optimizer, self.compiled_loss = optimizer, compiled_loss
        self.compiled_metrics = compiled_metrics
        self.loss, self._compiled_output_names = loss, names
        self._compile_arguments = {
            "optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
            "metrics": metrics, "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly, "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile, "auto_scale_loss": auto_scale_loss}
        self._loss_tracker = Mean(name="loss")
        self._set_jit_compile(jit_compile, run_eagerly)
        self.compiled = True

    @property
    def jit_compile(self) -> bool:
        """Whether fit/evaluate/predict replay their steps as CUDA graphs (see ``compile``);
        settable, as in Keras."""
        return bool(self.__dict__.get("_jit_compile", False))

    @jit_compile.setter
    def jit_compile(self, value: Any) -> None:
        self._set_jit_compile(value)

    def _set_jit_compile(self, value: Any, run_eagerly: Any = False) -> None:
        self.__dict__["_jit_compile"] = resolve_jit_compile(self.name, value, run_eagerly)
        self.__dict__["_graph_steps"] = {}  # the graphs of the old setup are dropped

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

    def _output_names(self, loss: Any = None) -> list[str]:
        """The outputs' names: the keys of a dict output, else the output layers' names. A
        subclassed model has no static outputs: a dict or a list of several losses says how
        many (``output_0``, ``output_1``... for a list)."""
        structure = getattr(self, "_output_structure", None)
        if isinstance(structure, dict):  # sorted, as Keras flattens a dict
            return sorted(structure)
        outputs = getattr(self, "outputs", None)
        if outputs:
            return [t._keras_history[0].name for t in outputs]
        if isinstance(loss, dict):
            return sorted(loss)
        if isinstance(loss, (list, tuple)) and len(loss) > 1:
            return [f"output_{index}" for index in range(len(loss))]
        return ["output"]

    def _require_compiled(self, who: str) -> None:
        if not getattr(self, "compiled", False):
            raise ValueError(f"Model '{self.name}': you must call compile() before {who}()")

    # -- metrics -----------------------------------------------------------------------------
    @property
    def metrics(self) -> list[Any]:
        """Keras 3's order: the loss tracker, the compiled metrics (one container named
        ``compile_metrics``), each output's loss tracker, then Metric attributes of the model."""
        found: list[Any] = []
        if getattr(self, "compiled", False):
            found += [self._loss_tracker, self.compiled_metrics]
            if self.compiled_loss is not None:
                found += self.compiled_loss.metrics
        return found + list(self.__dict__.get("_tracked_metrics", []))

    @property
    def metrics_names(self) -> list[str]:
        return [metric.name for metric in self.metrics]

    def reset_metrics(self) -> None:
        """Reset every metric in :attr:`metrics` (done at the start of each epoch)."""
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self) -> dict[str, Any]:
        """Every metric's current result, by log name (compiled metrics flattened)."""
        logs: dict[str, Any] = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[metric.name] = result
        return logs

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None
                        ) -> dict[str, Any]:
        """Update the compiled metrics with a batch; return :meth:`get_metrics_result`."""
        if getattr(self, "compiled", False):
            self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    # -- loss and steps ----------------------------------------------------------------------
    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None,
                     sample_weight: Any = None, training: bool = True) -> Any:
        """The compiled loss of the batch plus the layers' ``losses`` (regularization);
        a zero scalar when there is neither."""
        compiled = getattr(self, "compiled_loss", None)
        total = compiled(y, y_pred, sample_weight) if compiled is not None else None
        for penalty in self.losses:
            total = penalty if total is None else total + penalty
        return ops.zeros(()) if total is None else total

    def _track_loss(self, loss: Any, x: Any) -> None:
        # Keras weights each batch's loss by its size: the epoch loss is a per-sample mean.
        self._loss_tracker.update_state(ops.stop_gradient(loss), sample_weight=batch_rows(x))

    def train_step(self, data: Any) -> dict[str, Any]:
        """One optimizer step on a batch (on the device); returns the logs (tensors)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        variables = self.trainable_weights
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
            scaled_loss = self.optimizer.scale_loss(loss)  # a LossScaleOptimizer's scale
        self._check_loss_to_minimize(y)
        if variables:
            self.optimizer.apply(tape.gradient(scaled_loss, variables), variables)
        self._track_loss(loss, x)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _check_loss_to_minimize(self, y: Any) -> None:
        if getattr(self, "compiled_loss", None) is None and not self.losses:
            raise ValueError(f"Model '{self.name}': no loss to minimize; pass `loss=` to "
                             f"compile() (or add losses with add_loss)")
        self._check_targets(y, "fit")

    def _check_targets(self, y: Any, loop: str) -> None:
        """A compiled loss without targets would silently be zero: say so instead."""
        if y is None and getattr(self, "compiled_loss", None) is not None and not self.losses:
            raise ValueError(f"Model '{self.name}': compiled with a loss, but the data has "
                             f"no targets; pass `y` to {loop}() (or yield (x, y) batches)")

    def test_step(self, data: Any) -> dict[str, Any]:
        """Loss and metrics of a batch, without updating the weights."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        self._check_targets(y, "evaluate")
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._track_loss(loss, x)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """The model's outputs for a batch (device tensors)."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # -- one batch ---------------------------------------------------------------------------
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                       class_weight: Any = None, return_dict: bool = False) -> Any:
        """One training step on one batch; returns the loss (and metrics) of that batch."""
        self._require_compiled("train_on_batch")
        self.reset_metrics()
        sample_weight = self._class_weighted(y, sample_weight, class_weight)
        logs = run_model_step(self, "train", pack_x_y_sample_weight(x, y, sample_weight))
        return self._result(logs_to_floats(logs), return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None,
                      return_dict: bool = False) -> Any:
        """Loss and metrics of one batch (no update)."""
        self._require_compiled("test_on_batch")
        self.reset_metrics()
        logs = run_model_step(self, "test", pack_x_y_sample_weight(x, y, sample_weight))
        return self._result(logs_to_floats(logs), return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        """The model's outputs for one batch, as NumPy arrays."""
        return outputs_to_numpy(run_model_step(self, "predict", pack_x_y_sample_weight(x)))

    def _result(self, logs: dict[str, float], return_dict: bool) -> Any:
        """The logs as a dict, or as Keras 3 lists them: the loss, the metrics known by their
        own names, each output's loss, then the remaining (prefixed) keys sorted; a lone
        value is returned as a scalar."""
        if return_dict:
            return logs
        known = ["loss", *[m.name for m in self.compiled_metrics.metrics],
                 *[f"{name}_loss" for name in self._compiled_output_names]] if getattr(
            self, "compiled", False) else []
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
        from gpulayers.models.fit_loop import check_epoch_arguments, run_fit

        self._require_compiled("fit")
        check_epoch_arguments(epochs, initial_epoch, validation_freq)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = split_validation(
                x, y, sample_weight, validation_split)
        if class_weight is not None and not yields_batches(x):
            sample_weight = self._class_weighted(y, sample_weight, class_weight)
        epochs, steps_per_epoch = capped_epochs(epochs), capped_steps(steps_per_epoch)
        data = batches_for(x, y, sample_weight, batch_size, shuffle, steps_per_epoch, "fit")
        if class_weight is not None and yields_batches(x):
            from gpulayers.models.class_weights import ClassWeightedBatches

            data = ClassWeightedBatches(data, self.name, class_weight)
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
        data = batches_for(x, y, sample_weight, batch_size, False, capped_steps(steps),
                           "evaluate")
        return self._result(run_evaluate(self, data, verbose, callbacks), return_dict)

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto",
                steps: int | None = None, callbacks: Any = None) -> Any:
        """The model's outputs for ``x``, computed in batches, as NumPy arrays."""
        from gpulayers.models.fit_loop import run_predict

        data = batches_for(x, None, None, batch_size, False, capped_steps(steps), "predict")
        return run_predict(self, data, verbose, callbacks)
