"""The optimizer-update cases the backend tests share: each algorithm's call and its formula
written out as plain NumPy expressions, random starting arrays, and the CuPy tolerance."""

import math

import numpy as np

from gpulayers import backend

LR, EPS = 0.05, 1e-7
SHAPE = (5, 7)
STEPS = 4


def _mu(t):
    return 0.9 * (1.0 - 0.5 * 0.96 ** t)


def _nadam_scalars(t):
    """(mu_t, mu_next, P_t, beta_2**t) for beta_1 = 0.9, beta_2 = 0.999."""
    return _mu(t), _mu(t + 1), math.prod(_mu(i) for i in range(1, t + 1)), 0.999 ** t


# Each case: (slots and their kind, call(primitives, ws, gs, slots, t), formula(w, g, s, t)).
# ``call`` updates a list of tensors: ws and gs are lists, each slot a list of arrays.
# Slot kinds: "any" starts random, "positive" random >= 0 (second moments), "none" absent.
# A formula is the optimizer's docstring written as plain expressions; it returns
# (new w, dict of new slots).
def _sgd(momentum, nesterov):
    def call(p, w, g, s, t):
        p.sgd_update(w, g, s.get("m"), LR, momentum, nesterov)

    def formula(w, g, s, t):
        if not momentum:
            return w - g * LR, {}
        m = s["m"] * momentum - g * LR
        return w + (m * momentum - g * LR if nesterov else m), {"m": m}

    return ({"m": "any"} if momentum else {}), call, formula


def _adam(amsgrad):
    def alpha(t):
        return LR * math.sqrt(1.0 - 0.999 ** t) / (1.0 - 0.9 ** t)

    def call(p, w, g, s, t):
        p.adam_update(w, g, s["m"], s["v"], s.get("v_hat"), alpha(t), 0.9, 0.999, EPS)

    def formula(w, g, s, t):
        m = s["m"] + (g - s["m"]) * (1 - 0.9)
        v = s["v"] + (g ** 2 - s["v"]) * (1 - 0.999)
        new = {"m": m, "v": v}
        if amsgrad:
            new["v_hat"] = v = np.maximum(s["v_hat"], v)
        return w - (m * alpha(t)) / (np.sqrt(v) + EPS), new

    slots = {"m": "any", "v": "positive", **({"v_hat": "positive"} if amsgrad else {})}
    return slots, call, formula


def _adamax():
    def call(p, w, g, s, t):
        p.adamax_update(w, g, s["m"], s["u"], LR, 0.9, 0.999, EPS, 1.0 - 0.9 ** t)

    def formula(w, g, s, t):
        m = s["m"] + (g - s["m"]) * (1 - 0.9)
        u = np.maximum(0.999 * s["u"], np.abs(g))
        return w - (LR * m) / ((1.0 - 0.9 ** t) * (u + EPS)), {"m": m, "u": u}

    return {"m": "any", "u": "positive"}, call, formula


def _nadam():
    def call(p, w, g, s, t):
        p.nadam_update(w, g, s["m"], s["v"], LR, 0.9, 0.999, EPS, *_nadam_scalars(t))

    def formula(w, g, s, t):
        mu_t, mu_next, product, beta_2_power = _nadam_scalars(t)
        m = s["m"] + (g - s["m"]) * (1 - 0.9)
        v = s["v"] + (g ** 2 - s["v"]) * (1 - 0.999)
        m_hat = (mu_next * m) / (1 - product * mu_next) + ((1 - mu_t) * g) / (1 - product)
        v_hat = v / (1 - beta_2_power)
        return w - (m_hat * LR) / (np.sqrt(v_hat) + EPS), {"m": m, "v": v}

    return {"m": "any", "v": "positive"}, call, formula


def _rmsprop(centered, momentum):
    rho = 0.9

    def call(p, w, g, s, t):
        p.rmsprop_update(w, g, s["v"], s.get("a"), s.get("m"), LR, rho, momentum, EPS)

    def formula(w, g, s, t):
        v = rho * s["v"] + (1 - rho) * g ** 2
        new = {"v": v}
        if centered:
            new["a"] = a = rho * s["a"] + (1 - rho) * g
            increment = (LR * g) / np.sqrt(v - a ** 2 + EPS)
        else:
            increment = (LR * g) / np.sqrt(v + EPS)
        if momentum:
            new["m"] = increment = momentum * s["m"] + increment
        return w - increment, new

    # The centered average starts at 0 so that v - a**2 stays positive.
    slots = {"v": "positive", **({"a": "zero"} if centered else {}),
             **({"m": "any"} if momentum else {})}
    return slots, call, formula


def _adagrad():
    def call(p, w, g, s, t):
        p.adagrad_update(w, g, s["a"], LR, EPS)

    def formula(w, g, s, t):
        a = s["a"] + g ** 2
        return w - (LR * g) / np.sqrt(a + EPS), {"a": a}

    return {"a": "positive"}, call, formula


def _adadelta():
    rho = 0.95

    def call(p, w, g, s, t):
        p.adadelta_update(w, g, s["G"], s["D"], LR, rho, EPS)

    def formula(w, g, s, t):
        G = rho * s["G"] + (1 - rho) * g ** 2
        delta = -(np.sqrt(s["D"] + EPS) * g) / np.sqrt(G + EPS)
        D = rho * s["D"] + (1 - rho) * delta ** 2
        return w + LR * delta, {"G": G, "D": D}

    return {"G": "positive", "D": "positive"}, call, formula


CASES = {
    "sgd": _sgd(0.0, False), "sgd_momentum": _sgd(0.9, False), "sgd_nesterov": _sgd(0.9, True),
    "adam": _adam(False), "adam_amsgrad": _adam(True), "adamax": _adamax(), "nadam": _nadam(),
    "rmsprop": _rmsprop(False, 0.0), "rmsprop_centered": _rmsprop(True, 0.0),
    "rmsprop_momentum": _rmsprop(False, 0.5), "rmsprop_centered_momentum": _rmsprop(True, 0.5),
    "adagrad": _adagrad(), "adadelta": _adadelta(),
}


def call_one(call, primitives, w, g, slots, t):
    """``call`` on a list of one tensor."""
    return call(primitives, [w], [g], {name: [s] for name, s in slots.items()}, t)


def initial(case, dtype, seed=0, shape=SHAPE):
    """Random (w, slots, gradients per step) for a case, as NumPy arrays of ``dtype``."""
    rng = np.random.default_rng(seed)
    kinds, _, _ = CASES[case]

    def draw(kind):
        values = rng.standard_normal(shape)
        return {"any": values, "positive": np.abs(values), "zero": 0 * values}[kind]

    slots = {name: draw(kind).astype(dtype) for name, kind in kinds.items()}
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(STEPS)]
    return rng.standard_normal(shape).astype(dtype), slots, grads


TOLERANCE = {"float16": 2e-3, "float32": 1e-5, "float64": 1e-13}  # GPU: FMA contraction


def steps_on(backend_name, case, dtype, transform=lambda a: a, shape=SHAPE):
    """Run every step of ``case`` on a backend (``transform`` applied to the updated arrays);
    returns (w, slots) as NumPy arrays."""
    _, call, _ = CASES[case]
    w, slots, grads = initial(case, dtype, seed=3, shape=shape)
    with backend.use_backend(backend_name):
        primitives = backend.primitives("optimizer_updates")
        w = transform(backend.to_device(w))
        slots = {k: transform(backend.to_device(s)) for k, s in slots.items()}
        w_id = id(w)
        for t, g in enumerate(grads, start=1):
            call_one(call, primitives, w, backend.to_device(g), slots, t)
        assert id(w) == w_id
        return backend.to_numpy(w), {k: backend.to_numpy(s) for k, s in slots.items()}


def assert_agree(got, expected, dtype):
    tolerance = TOLERANCE[dtype]
    np.testing.assert_allclose(got[0], expected[0], rtol=tolerance, atol=tolerance)
    for name in expected[1]:
        np.testing.assert_allclose(got[1][name], expected[1][name], rtol=tolerance,
                                   atol=tolerance, err_msg=name)
