"""What ``compile`` sets up: the loss of every output (weighted and summed) and the metrics of
every output, with Keras's names in the logs (``loss``, ``accuracy``; with several outputs
``<output>_loss``, ``<output>_accuracy``)."""

from __future__ import annotations

from typing import Any

from gpulayers import losses as losses_module
from gpulayers import metrics as metrics_module
from gpulayers import ops

__all__ = ["CompiledLoss", "CompiledMetrics", "per_output"]


def per_output(value: Any, names: list[str], what: str, who: str = "compile") -> list[Any]:
    """``value`` given once, as a list (one per output) or as a dict (by output name) -> a
    list with one entry per output."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"{who}: `{what}` has keys {unknown} that are not outputs of the "
                             f"model. Outputs: {names}")
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(f"{who}: `{what}` must have one entry per output ({len(names)}: "
                             f"{names}). Received {len(value)}")
        return list(value)
    return [value] * len(names)


def _loss_object(identifier: Any) -> Any:
    loss = losses_module.get(identifier)
    if not isinstance(loss, losses_module.Loss):
        loss = losses_module.LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))
    return loss


class CompiledLoss:
    """The total training loss: ``sum_k weight_k * loss_k(y_true_k, y_pred_k)``."""

    def __init__(self, loss: Any, loss_weights: Any, output_names: list[str]) -> None:
        self.names = output_names
        given = per_output(loss, output_names, "loss")  # one loss alone serves every output
        self.losses = [None if item is None else _loss_object(item) for item in given]
        weights = per_output(loss_weights, output_names, "loss_weights") if (
            loss_weights is not None) else [None] * len(output_names)
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.trackers = [metrics_module.Mean(name=f"{name}_loss") for name in output_names]

    def __call__(self, y_true: list[Any], y_pred: list[Any],
                 sample_weight: list[Any]) -> Any:
        total = None
        for index, loss in enumerate(self.losses):
            if loss is None or y_true[index] is None:
                continue
            value = loss(y_true[index], y_pred[index], sample_weight=sample_weight[index])
            if len(self.losses) > 1:
                self.trackers[index].update_state(ops.stop_gradient(value))
            term = value * self.weights[index] if self.weights[index] != 1.0 else value
            total = term if total is None else total + term
        return total

    def logs(self) -> dict[str, Any]:
        if len(self.losses) == 1:
            return {}
        return {tracker.name: tracker.result() for tracker, loss in zip(
            self.trackers, self.losses) if loss is not None}

    def reset(self) -> None:
        for tracker in self.trackers:
            tracker.reset_state()


def _accuracy_for(y_true: Any, y_pred: Any) -> Any:
    """Keras's reading of ``'accuracy'``: binary for one output unit, sparse categorical for
    integer labels, categorical for one-hot labels."""
    if y_pred.shape[-1] == 1:
        return metrics_module.BinaryAccuracy(name="accuracy")
    if len(y_true.shape) < len(y_pred.shape) or y_true.shape[-1] == 1:
        return metrics_module.SparseCategoricalAccuracy(name="accuracy")
    return metrics_module.CategoricalAccuracy(name="accuracy")


class CompiledMetrics:
    """The metrics of each output; string ``'accuracy'``/``'acc'`` resolves on first use."""

    def __init__(self, metrics: Any, output_names: list[str]) -> None:
        self.names = output_names
        if metrics is None:
            given = [[] for _ in output_names]
        elif isinstance(metrics, dict):
            given = per_output(metrics, output_names, "metrics")
        elif len(output_names) > 1 and metrics and all(
                isinstance(m, (list, tuple)) for m in metrics):
            given = per_output(list(metrics), output_names, "metrics")
        else:  # one list for every output
            given = [metrics] * len(output_names)
        self.entries = [[m for m in (g if isinstance(g, (list, tuple)) else [g])
                         if m is not None] if g is not None else [] for g in given]
        self.metrics: list[list[Any]] | None = None

    def _build(self, y_true: list[Any], y_pred: list[Any]) -> None:
        self.metrics = []
        for index, entries in enumerate(self.entries):
            built = []
            for entry in entries:
                if entry in ("accuracy", "acc"):
                    built.append(_accuracy_for(y_true[index], y_pred[index]))
                else:
                    metric = metrics_module.get(entry)
                    if not isinstance(metric, metrics_module.Metric):
                        metric = metrics_module.MeanMetricWrapper(
                            metric, name=getattr(metric, "__name__", "metric"))
                    built.append(metric)
            self.metrics.append(built)

    def update(self, y_true: list[Any], y_pred: list[Any], sample_weight: list[Any]) -> None:
        if self.metrics is None:
            self._build(y_true, y_pred)
        for index, metrics in enumerate(self.metrics):
            if y_true[index] is None:
                continue
            for metric in metrics:
                metric.update_state(y_true[index], ops.stop_gradient(y_pred[index]),
                                    sample_weight=sample_weight[index])

    def logs(self) -> dict[str, Any]:
        logs = {}
        for name, metrics in zip(self.names, self.metrics or []):
            for metric in metrics:
                key = metric.name if len(self.names) == 1 else f"{name}_{metric.name}"
                logs[key] = metric.result()
        return logs

    def reset(self) -> None:
        for metrics in self.metrics or []:
            for metric in metrics:
                metric.reset_state()
