"""Metric base class, Mean, Sum and MeanMetricWrapper: hand-computed running values."""

import numpy as np
import pytest

from gpulayers import losses, metrics, ops
from gpulayers.autodiff import Tensor, Variable


def _value(metric):
    result = metric.result()
    assert isinstance(result, Tensor)
    return np.asarray(result)


def test_mean_over_several_weighted_updates_and_reset():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7])
    assert _value(m) == pytest.approx(4.0)
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert _value(m) == pytest.approx((16 + 4) / 6)
    m.update_state(10.0)  # a scalar counts as one sample
    assert _value(m) == pytest.approx(30 / 7)
    m.reset_state()
    assert _value(m) == 0.0  # no division by zero before the first update
    assert float(m(np.array([2.0, 4.0]))) == pytest.approx(3.0)


def test_mean_of_per_timestep_values():
    values = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    m = metrics.Mean()
    m.update_state(values)  # one mean per sample, two samples
    assert _value(m) == pytest.approx(3.5)
    m.reset_state()
    m.update_state(values, sample_weight=[[1, 0, 0], [0, 0, 1]])
    assert _value(m) == pytest.approx((1 + 6) / 2)
    m.reset_state()
    m.update_state(values, sample_weight=[3.0, 1.0])
    assert _value(m) == pytest.approx((2 * 3 + 5 * 1) / 4)


def test_sum_with_weights_and_scalar_weight():
    s = metrics.Sum()
    s.update_state([1, 3, 5, 7])
    s.update_state([1, 3, 5, 7], sample_weight=[1, 0, 0, 2])
    assert _value(s) == pytest.approx(16 + 15)
    s.update_state([[1.0, 2.0]], sample_weight=2.0)
    assert _value(s) == pytest.approx(31 + 6)
    s.reset_state()
    assert _value(s) == 0.0


def test_mean_metric_wrapper_with_function_kwargs_and_mask():
    m = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="acc", threshold=0.7)
    m.update_state([[1], [0], [1]], [[0.8], [0.6], [0.65]])
    assert _value(m) == pytest.approx(2 / 3)
    y_pred = ops.convert_to_tensor([[0.9, 0.9], [0.1, 0.9]])
    y_pred._keras_mask = ops.convert_to_tensor([[True, False], [True, True]])
    m.reset_state()
    m.update_state([[1.0, 0.0], [0.0, 0.0]], y_pred)  # masked step: a miss, not counted
    assert _value(m) == pytest.approx(2 / 3)
    mae = metrics.MeanMetricWrapper(losses.mean_absolute_error, name="mae")
    mae.update_state([[0.0, 1.0]], [[1.0, 1.0]], sample_weight=[2.0])
    mae.update_state([[0.0, 0.0]], [[2.0, 2.0]], sample_weight=[1.0])
    assert _value(mae) == pytest.approx((0.5 * 2 + 2.0) / 3)


def test_variables_are_non_trainable_state():
    m = metrics.Mean(name="loss_mean")
    assert [v.name for v in m.variables] == ["loss_mean/total", "loss_mean/count"]
    assert all(isinstance(v, Variable) and not v.trainable for v in m.variables)
    m.update_state([2.0])
    assert [float(v) for v in m.variables] == [2.0, 1.0]


def test_custom_metric_with_sub_metric_and_add_weight():
    class MeanAndMax(metrics.Metric):
        def __init__(self, name="mean_and_max", **kwargs):
            super().__init__(name=name, **kwargs)
            self.mean = metrics.Mean(name="inner")
            self.peak = self.add_weight(shape=(), name="peak")

        def update_state(self, values):
            self.mean.update_state(values)
            self.peak.assign(ops.maximum(self.peak, ops.max(values)))

        def result(self):
            return self.mean.result() + self.peak

    m = MeanAndMax(dtype="float64")
    assert len(m.variables) == 3 and m.dtype == "float64"
    assert float(m(np.array([1.0, 3.0]))) == pytest.approx(2.0 + 3.0)
    m.reset_state()
    assert [float(v) for v in m.variables] == [0.0, 0.0, 0.0]


def test_forgetting_super_init_is_reported():
    class Broken(metrics.Metric):
        def __init__(self):
            pass

    with pytest.raises(RuntimeError, match=r"Broken: call super\(\).__init__\(\)"):
        Broken().add_variable((), "zeros")


def test_base_methods_must_be_implemented_and_names_are_unique():
    m = metrics.Metric()
    with pytest.raises(NotImplementedError, match="update_state"):
        m.update_state(1.0)
    with pytest.raises(NotImplementedError, match="result"):
        m.result()
    first, second = metrics.Precision(), metrics.Precision()
    assert first.name.startswith("precision") and first.name != second.name


def test_bad_sample_weight_names_the_metric():
    with pytest.raises(ValueError, match=r"Mean 'avg'.*sample_weight.*\(3,\)"):
        metrics.Mean(name="avg").update_state([1.0, 2.0], sample_weight=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="MeanMetricWrapper.*callable"):
        metrics.MeanMetricWrapper("accuracy")


def test_configs_round_trip():
    for metric in (metrics.Mean(name="m", dtype="float64"), metrics.Sum(name="s")):
        config = metric.get_config()
        assert type(metric).from_config(config).get_config() == config
    wrapper = metrics.MeanMetricWrapper(metrics.top_k_categorical_accuracy, name="top2", k=2)
    config = wrapper.get_config()
    assert config["k"] == 2 and config["fn"]["config"] == "top_k_categorical_accuracy"
    restored = metrics.MeanMetricWrapper.from_config(config)
    assert restored._fn is metrics.top_k_categorical_accuracy and restored.get_config() == config
