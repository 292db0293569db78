"""What ``compile`` sets up: the loss of every output (weighted and summed) and the metrics of
every output, with Keras 3's names in the logs (``loss``, the string the user gave such as
``acc`` or ``mse``; with several outputs ``<output>_loss``, ``<output>_<metric>``)."""

from __future__ import annotations

from typing import Any

from gpulayers import losses as losses_module
from gpulayers import metrics as metrics_module
from gpulayers import ops
from gpulayers.models.step_data import batch_rows

__all__ = ["CompiledLoss", "CompiledMetrics", "per_output", "split_per_output"]

_ACCURACY_NAMES = ("accuracy", "acc")
_CROSSENTROPY_NAMES = ("crossentropy", "ce")


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


def split_per_output(structure: Any, names: list[str], who: str) -> list[Any]:
    """Targets, predictions or sample weights -> one entry per output (a dict by name)."""
    if structure is None:
        return [None] * len(names)
    if isinstance(structure, dict):
        unknown = sorted(set(structure) - set(names))
        if unknown:
            raise ValueError(f"{who}: keys {unknown} are not outputs of the model. Outputs: "
                             f"{names}")
        return [structure.get(name) for name in names]
    if isinstance(structure, (list, tuple)) and (len(names) > 1 or len(structure) == 1):
        if len(structure) != len(names):
            raise ValueError(f"{who}: expected one entry per output ({len(names)}: {names}). "
                             f"Received {len(structure)}")
        return list(structure)
    if len(names) > 1:
        raise ValueError(f"{who}: the model has {len(names)} outputs {names}; give a list or "
                         f"a dict (by output name) with one entry each")
    return [structure]


def _shape_kind(y_true: Any, y_pred: Any) -> str:
    """Keras's reading of labels against predictions: 'binary' (one output unit), 'sparse'
    (integer labels) or 'categorical' (one-hot labels)."""
    if y_pred.shape[-1] == 1:
        return "binary"
    if len(y_true.shape) < len(y_pred.shape) or y_true.shape[-1] == 1:
        return "sparse"
    return "categorical"


def _loss_object(identifier: Any, y_true: Any, y_pred: Any) -> Any:
    if isinstance(identifier, str) and identifier.lower() in _CROSSENTROPY_NAMES:
        loss = {"binary": losses_module.binary_crossentropy,
                "sparse": losses_module.sparse_categorical_crossentropy,
                "categorical": losses_module.categorical_crossentropy}[
            _shape_kind(y_true, y_pred)]
    else:
        loss = losses_module.get(identifier)
    if isinstance(loss, losses_module.Loss):
        return loss
    name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", None)
    return losses_module.LossFunctionWrapper(loss, name=name)


def detached(y_pred: Any) -> Any:
    """``y_pred`` cut from the tape, keeping its ``_keras_mask`` (metrics honour it)."""
    result = ops.stop_gradient(y_pred)
    mask = getattr(y_pred, "_keras_mask", None)
    if mask is not None:
        result._keras_mask = mask
    return result


class CompiledLoss:
    """The total training loss: ``sum_k weight_k * loss_k(y_true_k, y_pred_k)``.

    Losses are resolved on the first batch, when ``'crossentropy'`` can be read from the
    shapes of labels and predictions, as Keras does.
    """

    def __init__(self, loss: Any, loss_weights: Any, output_names: list[str]) -> None:
        self.names = output_names
        self.identifiers = per_output(loss, output_names, "loss")  # one loss serves all
        for identifier in self.identifiers:  # unknown names fail in compile(), not fit()
            if identifier is not None and not (isinstance(identifier, str) and (
                    identifier.lower() in _CROSSENTROPY_NAMES)):
                losses_module.get(identifier)
        weights = per_output(loss_weights, output_names, "loss_weights") if (
            loss_weights is not None) else [None] * len(output_names)
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.trackers = [metrics_module.Mean(name=f"{name}_loss") for name in output_names]
        self.losses: list[Any] | None = None

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """The weighted total over the outputs (None when no output has a loss and target).

        Args: the model-level structures (one array, or a list/dict per output).
        """
        y_true, y_pred, sample_weight = (
            split_per_output(part, self.names, f"Model loss ({what})") for part, what in
            ((y_true, "targets y"), (y_pred, "predictions"), (sample_weight, "sample_weight")))
        if self.losses is None:
            self.losses = [None if identifier is None or truth is None else
                           _loss_object(identifier, truth, prediction) for identifier, truth,
                           prediction in zip(self.identifiers, y_true, y_pred)]
        total = None
        for index, loss in enumerate(self.losses):
            if loss is None or y_true[index] is None:
                continue
            value = loss(y_true[index], y_pred[index], sample_weight=sample_weight[index])
            if len(self.losses) > 1:
                self.trackers[index].update_state(ops.stop_gradient(value),
                                                  sample_weight=batch_rows(y_pred[index]))
            term = value * self.weights[index] if self.weights[index] != 1.0 else value
            total = term if total is None else total + term
        return total

    @property
    def metrics(self) -> list[Any]:
        """The per-output loss trackers (``<output>_loss``), with several outputs only."""
        if len(self.names) == 1 or self.losses is None:
            return []
        return [tracker for tracker, loss in zip(self.trackers, self.losses)
                if loss is not None]


def _metric_object(identifier: Any, y_true: Any, y_pred: Any) -> Any:
    if isinstance(identifier, str) and identifier.lower() in _ACCURACY_NAMES:
        metric = {"binary": metrics_module.BinaryAccuracy,
                  "sparse": metrics_module.SparseCategoricalAccuracy,
                  "categorical": metrics_module.CategoricalAccuracy}[
            _shape_kind(y_true, y_pred)]()
    else:
        metric = metrics_module.get(identifier)
    if not isinstance(metric, metrics_module.Metric):
        metric = metrics_module.MeanMetricWrapper(metric,
                                                  name=getattr(metric, "__name__", "metric"))
    if isinstance(identifier, str):  # Keras logs a metric under the string the user gave
        metric.name = identifier
    return metric


def _per_output_lists(metrics: Any, names: list[str], what: str) -> list[list[Any]]:
    if metrics is None:
        return [[] for _ in names]
    if isinstance(metrics, dict):
        given = per_output(metrics, names, what)
    elif len(names) > 1 and metrics and all(isinstance(m, (list, tuple)) for m in metrics):
        given = per_output(list(metrics), names, what)
    else:  # one list for every output
        given = [metrics] * len(names)
    return [[m for m in (g if isinstance(g, (list, tuple)) else [g]) if m is not None]
            if g is not None else [] for g in given]


def _check_known(identifiers: list[list[Any]]) -> None:
    """Unknown metric names fail in compile(), not on the first batch."""
    for entries in identifiers:
        for entry in entries:
            if not (isinstance(entry, str) and entry.lower() in _ACCURACY_NAMES):
                metrics_module.get(entry)


class CompiledMetrics:
    """The ``metrics`` (unweighted) and ``weighted_metrics`` (given ``sample_weight``) of each
    output; ``'accuracy'``/``'acc'`` picks binary, sparse or categorical on first use.

    It behaves as one Metric named ``compile_metrics`` (as in Keras 3): ``update_state``,
    ``result`` (a dict by log name), ``reset_state``, and ``metrics`` (the metric objects).
    """

    name = "compile_metrics"

    def __init__(self, metrics: Any, weighted_metrics: Any, output_names: list[str]) -> None:
        self.names = output_names
        self.plain = _per_output_lists(metrics, output_names, "metrics")
        self.weighted = _per_output_lists(weighted_metrics, output_names, "weighted_metrics")
        _check_known(self.plain)
        _check_known(self.weighted)
        # Per output: (metric, receives sample_weight) pairs, built on the first batch.
        self._built: list[list[tuple[Any, bool]]] | None = None

    def _ordered(self) -> list[tuple[str, Any, bool]]:
        """(output name, metric, weighted) in Keras's order: every output's plain metrics,
        then every output's weighted metrics."""
        return [(output, metric, weighted) for pass_weighted in (False, True)
                for output, pairs in zip(self.names, self._built or [])
                for metric, weighted in pairs if weighted == pass_weighted]

    @property
    def metrics(self) -> list[Any]:
        """The metric objects (empty until the first batch has been seen)."""
        return [metric for _, metric, _ in self._ordered()]

    def _build(self, y_true: list[Any], y_pred: list[Any]) -> None:
        self._built = []
        for index, (plain, weighted) in enumerate(zip(self.plain, self.weighted)):
            if y_true[index] is None:
                self._built.append([])
                continue
            built = [(_metric_object(m, y_true[index], y_pred[index]), False) for m in plain]
            built += [(_metric_object(m, y_true[index], y_pred[index]), True) for m in weighted]
            self._built.append(built)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Update every metric from the model-level targets and predictions."""
        if y_true is None:
            return
        y_true, y_pred, sample_weight = (
            split_per_output(part, self.names, f"Model metrics ({what})") for part, what in
            ((y_true, "targets y"), (y_pred, "predictions"), (sample_weight, "sample_weight")))
        if self._built is None:
            self._build(y_true, y_pred)
        for index, pairs in enumerate(self._built):
            if y_true[index] is None or not pairs:
                continue
            prediction = detached(y_pred[index])
            for metric, weighted in pairs:
                metric.update_state(y_true[index], prediction,
                                    sample_weight=sample_weight[index] if weighted else None)

    def log_names(self) -> list[str]:
        """The log key of every metric, unique as Keras makes them: a repeated name gets
        ``_1``, ``_2``...; a weighted metric that repeats an unweighted one's name becomes
        ``weighted_<name>``."""
        names: list[str] = []
        for output, metric, weighted in self._ordered():
            prefix = "" if len(self.names) == 1 else f"{output}_"
            name = f"{prefix}{metric.name}"
            if name in names and weighted:
                name = f"{prefix}weighted_{metric.name}"
            base, count = name, 1
            while name in names:
                name, count = f"{base}_{count}", count + 1
            names.append(name)
        return names

    def result(self) -> dict[str, Any]:
        return {name: metric.result() for name, metric in zip(self.log_names(), self.metrics)}

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()
