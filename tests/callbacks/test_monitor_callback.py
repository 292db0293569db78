"""The 'auto' direction rule shared by ModelCheckpoint, EarlyStopping and ReduceLROnPlateau."""

import pytest

from gpulayers.callbacks import MonitorCallback
from gpulayers.callbacks.monitor_callback import infer_maximize


@pytest.mark.parametrize(("monitor", "maximize"), [
    ("loss", False), ("val_loss", False), ("mae", False), ("val_mean_squared_error", False),
    ("accuracy", True), ("val_accuracy", True), ("val_acc", True),
    ("sparse_categorical_accuracy", True), ("val_auc", True), ("precision", True),
    ("val_recall", True), ("f1_score", True), ("val_mean_iou", True), ("r2_score", True),
])
def test_names(monitor, maximize):
    assert infer_maximize(monitor) is maximize


def test_a_metric_objects_direction_wins_over_the_name():
    class Metric:
        def __init__(self, name, direction):
            self.name, self._direction = name, direction

    class Container:  # compiled metrics nest their metrics, as Keras's do
        metrics = [Metric("accuracy_gap", "down"), Metric("score", "up")]

    class Model:
        metrics = [Container()]

    assert infer_maximize("val_accuracy_gap", Model()) is False
    assert infer_maximize("score", Model()) is True
    assert infer_maximize("val_accuracy", Model()) is True  # not declared: the name decides


def test_improvement_with_min_delta_in_both_directions():
    low = MonitorCallback(monitor="loss", min_delta=0.1)
    assert low._is_improvement(0.5, None)
    assert low._is_improvement(0.85, 1.0) and not low._is_improvement(0.95, 1.0)
    high = MonitorCallback(monitor="val_accuracy", min_delta=0.1)
    assert high._is_improvement(0.75, 0.6) and not high._is_improvement(0.65, 0.6)
    assert high.maximize is True and low.maximize is False
