"""losses.get / serialize / deserialize, configs, names and aliases."""

import json

import numpy as np
import pytest

from gpulayers import losses

CONFIGURED = [
    losses.MeanSquaredError(reduction="sum", name="my_mse"),
    losses.MeanAbsoluteError(),
    losses.MeanAbsolutePercentageError(reduction=None),
    losses.MeanSquaredLogarithmicError(),
    losses.Huber(delta=2.5),
    losses.LogCosh(dtype="float64"),
    losses.CosineSimilarity(axis=0),
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2, axis=-2),
    losses.CategoricalCrossentropy(label_smoothing=0.1),
    losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1),
    losses.KLDivergence(),
    losses.Poisson(reduction="mean_with_sample_weight"),
    losses.Hinge(),
    losses.SquaredHinge(),
    losses.CategoricalHinge(),
    losses.LossFunctionWrapper(losses.huber, name="wrapped", delta=0.3),
]


@pytest.mark.parametrize("loss", CONFIGURED, ids=lambda loss: type(loss).__name__)
def test_config_and_serialization_round_trips(loss):
    config = loss.get_config()
    rebuilt = type(loss).from_config(config)
    assert rebuilt.get_config() == config
    serialized = losses.serialize(loss)
    assert json.loads(json.dumps(serialized)) == serialized
    assert serialized["class_name"] == type(loss).__name__
    restored = losses.deserialize(serialized)
    assert type(restored) is type(loss) and restored.get_config() == config
    assert restored.dtype == loss.dtype
    y = np.abs(np.random.default_rng(0).normal(size=(2, 3))) / 3 + 0.1
    target = [0, 2] if isinstance(loss, losses.SparseCategoricalCrossentropy) else y[::-1]
    np.testing.assert_allclose(np.asarray(restored(target, y)), np.asarray(loss(target, y)))


def test_keras_default_names_and_configs():
    assert losses.Huber().name == "huber_loss"
    assert losses.MeanSquaredError().get_config() == {"name": "mean_squared_error",
                                                      "reduction": "sum_over_batch_size"}
    assert losses.BinaryCrossentropy().get_config() == {
        "name": "binary_crossentropy", "reduction": "sum_over_batch_size",
        "from_logits": False, "label_smoothing": 0.0, "axis": -1}


@pytest.mark.parametrize(("name", "function"), [
    ("mse", losses.mean_squared_error), ("MSE", losses.mean_squared_error),
    ("mae", losses.mean_absolute_error), ("MAE", losses.mean_absolute_error),
    ("mape", losses.mean_absolute_percentage_error),
    ("msle", losses.mean_squared_logarithmic_error), ("kld", losses.kl_divergence),
    ("KLD", losses.kl_divergence), ("kullback_leibler_divergence", losses.kl_divergence),
    ("bce", losses.binary_crossentropy), ("logcosh", losses.log_cosh),
    ("huber_loss", losses.huber), ("huber", losses.huber),
    ("categorical_crossentropy", losses.categorical_crossentropy),
    ("sparse_categorical_crossentropy", losses.sparse_categorical_crossentropy),
    ("cosine_similarity", losses.cosine_similarity), ("hinge", losses.hinge),
])
def test_get_function_names(name, function):
    assert losses.get(name) is function


@pytest.mark.parametrize("name", ["MeanSquaredError", "Huber", "CategoricalCrossentropy",
                                  "SparseCategoricalCrossentropy", "KLDivergence", "Poisson"])
def test_get_class_names_give_instances(name):
    assert type(losses.get(name)).__name__ == name


def test_get_other_identifiers():
    assert losses.get(None) is None
    instance = losses.Hinge()
    assert losses.get(instance) is instance
    assert isinstance(losses.get(losses.Poisson), losses.Poisson)

    def custom(y_true, y_pred):
        return y_pred - y_true

    assert losses.get(custom) is custom
    loss = losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert isinstance(loss, losses.CategoricalCrossentropy) and loss.from_logits
    assert losses.mse is losses.MSE is losses.mean_squared_error


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown loss: 'mean_sqared_error'.*Did you mean "
                                         r"'mean_squared_error'.*Valid names:.*mse"):
        losses.get("mean_sqared_error")
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get(42)


def test_function_serialization_and_custom_objects():
    serialized = losses.serialize(losses.mean_squared_error)
    assert serialized["class_name"] == "function"
    assert losses.deserialize(serialized) is losses.mean_squared_error

    class Scaled(losses.Loss):
        def __init__(self, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale

        def call(self, y_true, y_pred):
            return self.scale * losses.mean_absolute_error(y_true, y_pred)

        def get_config(self):
            return {**super().get_config(), "scale": self.scale}

    restored = losses.deserialize(losses.serialize(Scaled(3.0, name="s")))
    assert type(restored).__name__ == "Scaled" and restored.scale == 3.0
    assert losses.deserialize({"class_name": "Mine", "config": {}},
                              custom_objects={"Mine": Scaled}).scale == 1.0
