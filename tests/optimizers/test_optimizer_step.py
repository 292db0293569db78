"""The base step: clipping, weight decay, constraints, None gradients, iterations."""

import numpy as np
import pytest
from optimizer_steps import GRADIENTS, INITIAL, assert_all_close, run_steps

import gpulayers as gl
from gpulayers.optimizers import SGD, Adam


def sgd_reference(transform, decay=0.0, lr=0.1):
    """Plain SGD, each step's gradients passed through ``transform`` first."""
    weights = [w.copy() for w in INITIAL]
    for grads in GRADIENTS:
        grads = transform([g.copy() for g in grads])
        weights = [w - w * decay * lr - lr * g for w, g in zip(weights, grads)]
    return weights


def test_clipvalue_clips_each_element():
    expected = sgd_reference(lambda gs: [np.clip(g, -0.25, 0.25) for g in gs])
    assert_all_close(run_steps(SGD(0.1, clipvalue=0.25)), expected)


def test_clipnorm_clips_each_gradient_by_its_own_norm():
    def clip(gs):
        return [g * 0.5 / max(np.sqrt(np.sum(g ** 2)), 0.5) for g in gs]
    expected = sgd_reference(clip)
    assert_all_close(run_steps(SGD(0.1, clipnorm=0.5)), expected)


def test_global_clipnorm_scales_all_gradients_together():
    def clip(gs):
        norm = np.sqrt(sum(np.sum(g ** 2) for g in gs))
        return [g * 0.5 / max(norm, 0.5) for g in gs]
    expected = sgd_reference(clip)
    assert_all_close(run_steps(SGD(0.1, global_clipnorm=0.5)), expected)


def test_global_clipnorm_turns_a_non_finite_step_into_nan():
    w = gl.Variable(np.ones(2))
    SGD(0.1, global_clipnorm=1.0).apply_gradients([(np.array([np.inf, 1.0]), w)])
    assert np.isnan(w.numpy()).all()


def test_only_one_clipping_option():
    with pytest.raises(ValueError, match="only one of `clipnorm`, `clipvalue` and "
                                         "`global_clipnorm`.*clipnorm=1.0.*global_clipnorm=2"):
        SGD(clipnorm=1.0, global_clipnorm=2)
    with pytest.raises(ValueError, match=r"SGD 's': `clipnorm` must be a number >= 0. "
                                         r"Received: clipnorm=-1"):
        SGD(clipnorm=-1, name="s")


def test_weight_decay_is_decoupled_and_applied_before_the_update():
    assert_all_close(run_steps(SGD(0.1, weight_decay=0.2)),
                     sgd_reference(lambda gs: gs, decay=0.2))


def test_exclude_from_weight_decay_by_variable_and_by_name():
    identity = sgd_reference(lambda gs: gs)
    decayed = sgd_reference(lambda gs: gs, decay=0.2)
    weights = [gl.Variable(w.copy(), name=n) for w, n in zip(INITIAL, ["kernel", "bias"])]
    optimizer = SGD(0.1, weight_decay=0.2)
    optimizer.exclude_from_weight_decay(var_list=[weights[0]])
    for grads in GRADIENTS:
        optimizer.apply_gradients(zip(grads, weights))
    assert_all_close([w.numpy() for w in weights], [identity[0], decayed[1]])
    by_name = SGD(0.1, weight_decay=0.2)
    by_name.exclude_from_weight_decay(var_names=["ias"])  # a substring of the name
    assert_all_close(run_steps(by_name, names=["kernel", "bias"]), [decayed[0], identity[1]])


def test_constraint_projects_after_each_update():
    w = gl.Variable(np.array([0.5, -0.5]))
    w.constraint = gl.constraints.NonNeg()
    optimizer = SGD(1.0)
    optimizer.apply_gradients([(np.array([1.0, -1.0]), w)])  # -> [-0.5, 0.5] -> [0, 0.5]
    np.testing.assert_allclose(w.numpy(), [0.0, 0.5])
    optimizer.apply_gradients([(np.array([-1.0, 0.0]), w)])  # -> [1, 0.5]
    np.testing.assert_allclose(w.numpy(), [1.0, 0.5])


def test_none_gradients_are_skipped_with_a_warning():
    a, b = gl.Variable(np.ones(2), name="a"), gl.Variable(np.ones(2), name="b")
    optimizer = Adam(0.1)
    with pytest.warns(UserWarning, match=r"gradients do not exist for variables \['b'\]"):
        optimizer.apply_gradients([(np.ones(2), a), (None, b)])
    np.testing.assert_array_equal(b.numpy(), np.ones(2))
    assert (a.numpy() < 1).all()
    assert int(optimizer.iterations) == 1
    with pytest.raises(ValueError, match="no gradients provided for any variable"):
        optimizer.apply_gradients([(None, a), (None, b)])


def test_gradients_may_be_tensors_or_arrays_and_are_cast():
    w = gl.Variable(np.zeros(3, dtype="float32"))
    SGD(1.0).apply_gradients([(gl.ops.ones((3,), dtype="float64"), w)])
    assert w.dtype == "float32"
    np.testing.assert_array_equal(w.numpy(), [-1.0, -1.0, -1.0])
    SGD(1.0).apply_gradients([([1.0, 2.0, 3.0], w)])
    np.testing.assert_array_equal(w.numpy(), [-2.0, -3.0, -4.0])


def test_gradient_shape_mismatch_is_a_clear_error():
    w = gl.Variable(np.zeros(3), name="w")
    with pytest.raises(ValueError, match=r"SGD 'o': the gradient for variable 'w' has shape "
                                         r"\(2,\), expected \(3,\)"):
        SGD(name="o").apply_gradients([(np.zeros(2), w)])


def test_apply_follows_the_built_variables():
    weights = [gl.Variable(w.copy()) for w in INITIAL]
    optimizer = SGD(0.1)
    with pytest.raises(ValueError, match="pass `trainable_variables`"):
        optimizer.apply(GRADIENTS[0])
    optimizer.build(weights)
    for grads in GRADIENTS:
        optimizer.apply(grads)
    assert_all_close([w.numpy() for w in weights], sgd_reference(lambda gs: gs))
    with pytest.raises(ValueError, match="received 1 gradients for 2 variables"):
        optimizer.apply(GRADIENTS[0][:1])


def test_unknown_variables_are_refused():
    optimizer = SGD()
    optimizer.apply_gradients([(np.ones(2), gl.Variable(np.ones(2)))])
    stranger = gl.Variable(np.ones(2), name="stranger")
    with pytest.raises(ValueError, match="unknown variable 'stranger'"):
        optimizer.apply_gradients([(np.ones(2), stranger)])


def test_apply_gradients_checks_pairs_and_returns_iterations():
    optimizer = SGD()
    assert optimizer.apply_gradients([]) is optimizer.iterations
    with pytest.raises(ValueError, match=r"\(gradient, variable\) pairs"):
        optimizer.apply_gradients([np.ones(2)])
    with pytest.raises(TypeError, match="can only update gpulayers Variables"):
        optimizer.apply_gradients([(np.ones(2), np.ones(2))])


def test_iterations_is_an_int64_counter_and_outside_assigns_are_seen():
    optimizer = SGD(0.1)
    assert optimizer.iterations.dtype == "int64" and not optimizer.iterations.trainable
    w = gl.Variable(np.zeros(2))
    for _ in range(3):
        optimizer.apply_gradients([(np.ones(2), w)])
    assert int(optimizer.iterations) == 3 and optimizer.local_step == 4
    optimizer.iterations.assign(10)  # e.g. a restore: the host copy must follow
    assert optimizer.local_step == 11
    optimizer.apply_gradients([(np.ones(2), w)])
    assert int(optimizer.iterations) == 11
