"""IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU: hand-computed confusion matrices, Keras 3
parity over several weighted updates, int-weight truncation, configs, string lookup,
compile()/fit/evaluate and argument errors."""

import json
import warnings

import numpy as np
import pytest
from keras_available import keras_or_skip
from keras_peer import run_both

from gpulayers import metrics
from gpulayers.layers import Dense, Input
from gpulayers.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from gpulayers.models import Sequential

RNG = np.random.default_rng(31)
pending = pytest.mark.skipif(not hasattr(metrics, "MeanIoU"), reason="exports not yet added "
                             "to gpulayers/metrics/__init__.py")


def _np_iou(cm, ids):
    cm = np.asarray(cm, "float64")
    tp = np.diag(cm)
    denominator = cm.sum(0) + cm.sum(1) - tp
    seen = denominator[ids] > 0
    return np.sum(tp[ids][seen] / denominator[ids][seen]) / max(seen.sum(), 1)


def test_two_by_two_confusion_matrix_by_hand():
    # Labels/predictions pairs (0,0) x3, (0,1) x2, (1,0) x4, (1,1) x1 via integer weights.
    m = MeanIoU(num_classes=2)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[3, 2, 4, 1])
    np.testing.assert_array_equal(np.asarray(m.total_cm), [[3, 2], [4, 1]])
    iou_0, iou_1 = 3 / (3 + 2 + 4), 1 / (1 + 2 + 4)
    np.testing.assert_allclose(float(m.result()), (iou_0 + iou_1) / 2, rtol=1e-6)
    single = IoU(num_classes=2, target_class_ids=[1])
    single.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[3, 2, 4, 1])
    np.testing.assert_allclose(float(single.result()), iou_1, rtol=1e-6)
    assert single.result().dtype == "float32"


def test_accumulates_over_batches_and_resets():
    m = IoU(num_classes=3, target_class_ids=[0, 2])
    m.update_state([0, 1, 2], [0, 2, 2])
    m.update_state([[2, 2], [0, 1]], [[2, 0], [0, 1]])
    cm = np.zeros((3, 3))
    for t, p in zip([0, 1, 2, 2, 2, 0, 1], [0, 2, 2, 2, 0, 0, 1]):
        cm[t, p] += 1
    np.testing.assert_array_equal(np.asarray(m.total_cm), cm)
    np.testing.assert_allclose(float(m.result()), _np_iou(cm, [0, 2]), rtol=1e-6)
    m.reset_state()
    np.testing.assert_array_equal(np.asarray(m.total_cm), np.zeros((3, 3)))
    assert float(m.result()) == 0.0


def test_unseen_class_is_left_out_and_out_of_range_or_ignored_not_counted():
    m = MeanIoU(num_classes=3)
    m.update_state([0, 1, 1, 0], [0, 1, 0, 0])       # class 2 never appears
    np.testing.assert_allclose(float(m.result()), (2 / 3 + 1 / 2) / 2, rtol=1e-6)
    m = MeanIoU(num_classes=2, ignore_class=0)
    m.update_state([0, 0, 1, 1, 5, -1], [1, 1, 1, 0, 1, 1])
    np.testing.assert_array_equal(np.asarray(m.total_cm), [[0, 0], [1, 1]])


def test_float_weights_with_int_state_are_truncated_with_a_warning():
    m = IoU(num_classes=2, target_class_ids=[0, 1])
    with pytest.warns(UserWarning, match="truncated"):
        m.update_state([0, 1, 1], [0, 1, 0], sample_weight=np.array([1.9, 2.5, 0.7]))
    np.testing.assert_array_equal(np.asarray(m.total_cm), [[1, 0], [0, 2]])
    floats = IoU(num_classes=2, target_class_ids=[0, 1], dtype="float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        floats.update_state([0, 1, 1], [0, 1, 0], sample_weight=np.array([1.9, 2.5, 0.7]))
    np.testing.assert_allclose(np.asarray(floats.total_cm), [[1.9, 0], [0.7, 2.5]], rtol=1e-6)


def test_per_image_weights_for_segmentation_labels():
    labels = RNG.integers(0, 3, (2, 4, 4))
    preds = RNG.integers(0, 3, (2, 4, 4))
    m = MeanIoU(num_classes=3, dtype="float32")
    m.update_state(labels, preds, sample_weight=[1.0, 3.0])
    per_pixel = MeanIoU(num_classes=3, dtype="float32")
    per_pixel.update_state(labels, preds, sample_weight=np.repeat([1.0, 3.0], 16).reshape(2, 4, 4))
    np.testing.assert_allclose(np.asarray(m.total_cm), np.asarray(per_pixel.total_cm))


def _segmentation(classes=4, shape=(3, 5, 5)):
    labels = RNG.integers(0, classes, shape)
    scores = RNG.random(shape + (classes,)).astype("float32")
    scores[..., 0] += 0.4 * (labels == 0)              # some agreement
    return labels, scores


@pytest.mark.parametrize("dtype", [None, "float32"])
def test_keras_parity_over_weighted_batches(dtype):
    keras = keras_or_skip()
    batches = []
    for _ in range(3):
        labels, scores = _segmentation()
        weights = RNG.integers(0, 3, labels.shape) if dtype is None else \
            RNG.uniform(0, 2, labels.shape).astype("float32")
        batches.append((labels, scores.argmax(-1), weights))
    for ours, theirs in [
        (IoU(4, [0, 3], dtype=dtype), keras.metrics.IoU(4, [0, 3], dtype=dtype)),
        (MeanIoU(4, dtype=dtype, ignore_class=2), keras.metrics.MeanIoU(4, dtype=dtype,
                                                                          ignore_class=2)),
    ]:
        got, expected = run_both(ours, theirs, batches)
        np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_one_hot_and_dense_variants_keras_parity():
    keras = keras_or_skip()
    batches = []
    for _ in range(2):
        labels, scores = _segmentation(classes=3, shape=(4, 6))
        batches.append((np.eye(3, dtype="float32")[labels], scores))
    pairs = [
        (OneHotIoU(3, [1, 2]), keras.metrics.OneHotIoU(3, [1, 2])),
        (OneHotMeanIoU(3, ignore_class=1), keras.metrics.OneHotMeanIoU(3, ignore_class=1)),
        (MeanIoU(3, sparse_y_true=False, sparse_y_pred=False),
         keras.metrics.MeanIoU(3, sparse_y_true=False, sparse_y_pred=False)),
    ]
    for ours, theirs in pairs:
        got, expected = run_both(ours, theirs, batches)
        np.testing.assert_allclose(got, expected, rtol=1e-5)
    sparse_pred = [(y, s.argmax(-1)) for y, s in batches]
    got, expected = run_both(OneHotMeanIoU(3, sparse_y_pred=True),
                             keras.metrics.OneHotMeanIoU(3, sparse_y_pred=True), sparse_pred)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


@pytest.mark.parametrize(("kwargs", "batches"), [
    ({}, [([0, 1, 1, 0], [0.2, 0.6, 0.4, 0.5]), ([1, 1], [0.9, 0.1])]),
    ({"target_class_ids": [1], "threshold": 0.3},
     [([[0, 1], [1, 0]], [[0.2, 0.6], [0.4, 0.5]], [[1, 2], [3, 1]])]),
])
def test_binary_iou_keras_parity(kwargs, batches):
    keras = keras_or_skip()
    got, expected = run_both(BinaryIoU(**kwargs), keras.metrics.BinaryIoU(**kwargs), batches)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_binary_iou_by_hand():
    m = BinaryIoU(target_class_ids=[1])
    m.update_state([0, 1, 1], [0.2, 0.7, 0.5])          # 0.5 is at the threshold: class 1
    np.testing.assert_array_equal(np.asarray(m.total_cm), [[1, 0], [0, 2]])
    assert float(m.result()) == pytest.approx(1.0)


@pytest.mark.parametrize("make", [
    lambda: IoU(5, [0, 4], name="iou", ignore_class=3, axis=1),
    lambda: MeanIoU(3, dtype="float32", sparse_y_pred=False),
    lambda: BinaryIoU([1], threshold=0.3),
    lambda: OneHotIoU(4, [2], ignore_class=0),
    lambda: OneHotMeanIoU(4, sparse_y_pred=True),
])
def test_config_matches_keras_and_round_trips(make):
    keras = keras_or_skip()
    ours = make()
    config = json.loads(json.dumps(ours.get_config()))
    rebuilt = type(ours).from_config(config)
    assert rebuilt.get_config() == config
    theirs = getattr(keras.metrics, type(ours).__name__).from_config(config)
    assert theirs.get_config() == config
    assert ours._direction == "up"


def test_default_names_follow_keras():
    assert MeanIoU(2, name=None).name.startswith("mean_io_u")
    assert BinaryIoU().name.startswith("binary_io_u")
    assert OneHotMeanIoU(2).name.startswith("one_hot_mean_io_u")


@pytest.mark.parametrize(("make", "match"), [
    (lambda: IoU(2, [2]), r"IoU 'io_u.*target_class_ids.*\[0, 2\)"),
    (lambda: IoU(2, []), "target_class_ids"),
    (lambda: MeanIoU(0), "MeanIoU.*num_classes"),
    (lambda: MeanIoU(2.5), "num_classes"),
    (lambda: MeanIoU(3, ignore_class="void"), "ignore_class"),
    (lambda: BinaryIoU(threshold="high"), "BinaryIoU.*threshold"),
    (lambda: MeanIoU(3).update_state([0, 1], [0, 1, 2]), "same number of entries"),
    (lambda: MeanIoU(3).update_state([0, 1, 2], [0, 1, 2], sample_weight=[1, 2]),
     "sample_weight"),
])
def test_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_compile_fit_evaluate_with_metric_objects():
    x = RNG.normal(size=(24, 5)).astype("float32")
    labels = RNG.integers(0, 3, 24)
    model = Sequential([Input((5,)), Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  metrics=[MeanIoU(3, sparse_y_pred=False, name="miou"),
                           IoU(3, [0], sparse_y_pred=False, name="iou0")])
    history = model.fit(x, labels, batch_size=8, epochs=1, verbose=0).history
    assert {"miou", "iou0"} <= set(history)
    logs = model.evaluate(x, labels, batch_size=8, verbose=0, return_dict=True)
    predicted = model.predict(x, verbose=0).argmax(-1)
    cm = np.zeros((3, 3))
    np.add.at(cm, (labels, predicted), 1)
    np.testing.assert_allclose(logs["miou"], _np_iou(cm, [0, 1, 2]), rtol=1e-5)
    np.testing.assert_allclose(logs["iou0"], _np_iou(cm, [0]), rtol=1e-5)


@pending
def test_string_lookup_and_compile_by_name():
    assert isinstance(metrics.get("binary_io_u"), metrics.BinaryIoU)
    assert isinstance(metrics.get("BinaryIoU"), metrics.BinaryIoU)
    rebuilt = metrics.deserialize(metrics.serialize(metrics.MeanIoU(4, ignore_class=0)))
    assert isinstance(rebuilt, metrics.MeanIoU) and rebuilt.ignore_class == 0
    with pytest.raises(TypeError):          # as in Keras: num_classes has no default
        metrics.get("mean_io_u")
    model = Sequential([Input((4,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["binary_io_u"])
    x = RNG.normal(size=(8, 4)).astype("float32")
    y = (RNG.random((8, 1)) > 0.5).astype("float32")
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert 0.0 <= logs["binary_io_u"] <= 1.0
