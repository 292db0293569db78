"""Special functions NumPy lacks, vectorised: ``erf`` (for the exact GELU), ``erfc``,
``erfinv`` and the modified Bessel function ``i1`` (the derivative of ``numpy.i0``).

The error function uses Moshier's Cephes rational approximations (public domain, the same
ones SciPy compiles): ``x * T(x^2) / U(x^2)`` for ``|x| < 1`` and
``1 - exp(-x^2) P(|x|) / Q(|x|)`` for ``1 <= |x| < 6``; beyond 6, ``erfc(|x|) < 2e-17`` so
``erf(x)`` is ``sign(x)`` in float64. Each branch only touches its own elements, so huge or
infinite inputs never overflow a polynomial (and never warn). Absolute error below 1e-15.

``erfc`` uses the same branches, plus Cephes's ``exp(-x^2) R(x) / S(x)`` for ``x >= 8``, so the
upper tail keeps its relative accuracy (``1 - erf(x)`` would round to 0 beyond x = 6).
``erfinv`` starts from Giles's single-precision approximation ("Approximating the erfinv
function", 2010) and polishes it with two Halley steps on ``erf`` (``erfc`` for ``|y| > 0.5``,
where ``1 - |y|`` is exact), which reaches float64 accuracy. ``i1`` integrates
``I1(x) = (1/pi) int_0^pi exp(x cos t) cos t dt`` with the trapezoidal rule, which converges
exponentially for periodic integrands; the node count grows with ``sqrt(max |x|)``.

Example::

    erf(np.array([0.0, 0.5, 3.0]))   # -> [0., 0.52049988, 0.99997791]
    erfinv(erf(np.array([0.3])))     # -> [0.3]
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["erf", "erfc", "erfinv", "i1"]

# erf(x) = x * T(x^2) / U(x^2) on |x| < 1 (U is monic: leading coefficient 1 omitted).
_ERF_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
          7.00332514112805075473e3, 5.55923013010394962768e4)
_ERF_U = (3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
          2.26290000613890934246e4, 4.92673942608635921086e4)
# erfc(x) = exp(-x^2) P(x) / Q(x) on 1 <= x < 8 (Q monic).
_ERFC_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
           4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
           9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)
_ERFC_Q = (1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
           9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
           1.65666309194161350182e3, 5.57535340817727675546e2)
# erfc(x) = exp(-x^2) R(x) / S(x) on x >= 8 (S monic).
_ERFC_R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
           6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0)
_ERFC_S = (2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
           1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516355e0)
_ERFC_UNDERFLOW = 27.3  # erfc(x) < 1e-325 beyond: 0 in float64
# Giles's erfinv: polynomials in w = -log(1 - y^2), central (w < 5) and tail branches.
_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                   2.1858087e-04, -1.25372503e-03, -4.17768164e-03, 2.46640727e-01,
                   1.50140941e00)
_ERFINV_TAIL = (-2.00214257e-04, 1.00950558e-04, 1.34934322e-03, -3.67342844e-03,
                5.73950773e-03, -7.6224613e-03, 9.43887047e-03, 1.00167406e00, 2.83297682e00)
_TWO_OVER_SQRT_PI = 1.1283791670955126
_SATURATION = 6.0  # |x| >= 6: erf(x) == sign(x) to float64 precision


def _polynomial(x: Any, coefficients: tuple[float, ...], monic: bool = False) -> Any:
    """Horner evaluation, highest power first; ``monic`` prepends an implicit leading 1."""
    result = x + coefficients[0] if monic else np.full_like(x, coefficients[0])
    for coefficient in coefficients[1:]:
        result = result * x + coefficient
    return result


def _erf_small(x: Any) -> Any:
    squared = x * x
    return x * _polynomial(squared, _ERF_T) / _polynomial(squared, _ERF_U, monic=True)


def _erf_medium(x: Any) -> Any:
    magnitude = np.abs(x)
    erfc = (np.exp(-magnitude * magnitude) * _polynomial(magnitude, _ERFC_P)
            / _polynomial(magnitude, _ERFC_Q, monic=True))
    return np.copysign(1.0 - erfc, x)


def erf(x: Any) -> Any:
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt``, elementwise.

    Args:
        x: float array of any shape (float16/32 are computed in float64 and cast back).

    Returns:
        An array of the same shape and dtype; NaN stays NaN, +-inf give +-1.
    """
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype("float64")
    values = x.astype(np.float64).reshape(-1)  # 1-d, so 0-d inputs index like the rest
    magnitude = np.abs(values)
    result = np.sign(values)  # the saturated branch; NaN propagates through sign
    small = magnitude < 1.0
    medium = (magnitude >= 1.0) & (magnitude < _SATURATION)
    result[small] = _erf_small(values[small])
    result[medium] = _erf_medium(values[medium])
    return result.reshape(x.shape).astype(dtype, copy=False)


def _float64_flat(x: Any) -> tuple[Any, Any, Any]:
    """(1-d float64 copy, original shape, result dtype: the input's float dtype or float64)."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype("float64")
    return x.astype(np.float64).reshape(-1), x.shape, dtype


def _erfc_positive(x: Any) -> Any:
    """erfc on ``1 <= x < 27.3`` (finite, positive)."""
    result = np.empty_like(x)
    medium = x < 8.0
    for mask, numerator, denominator in ((medium, _ERFC_P, _ERFC_Q),
                                         (~medium, _ERFC_R, _ERFC_S)):
        part = x[mask]
        result[mask] = (np.exp(-part * part) * _polynomial(part, numerator)
                        / _polynomial(part, denominator, monic=True))
    return result


def erfc(x: Any) -> Any:
    """The complementary error function ``1 - erf(x)``, accurate in the upper tail.

    Args:
        x: float array of any shape (float16/32 are computed in float64 and cast back).

    Returns:
        An array of the same shape and dtype; NaN stays NaN, ``erfc(-inf) = 2``,
        ``erfc(inf) = 0``.
    """
    values, shape, dtype = _float64_flat(x)
    magnitude = np.abs(values)
    result = np.where(values > 0, 0.0, 2.0)  # beyond the underflow point
    result[np.isnan(values)] = np.nan
    small = magnitude < 1.0
    result[small] = 1.0 - _erf_small(values[small])
    tail = (magnitude >= 1.0) & (magnitude < _ERFC_UNDERFLOW)
    upper = _erfc_positive(magnitude[tail])
    result[tail] = np.where(values[tail] < 0, 2.0 - upper, upper)
    return result.reshape(shape).astype(dtype, copy=False)


def _erfinv_lower(guess: Any, target: Any) -> Any:
    """Halley steps on ``erf(x) = target`` (cubic convergence from ~1e-7 relative error)."""
    for _ in range(2):
        # step = -f / f' for f = erf(x) - target, f' = 2/sqrt(pi) exp(-x^2), f'' = -2x f'.
        step = (target - erf(guess)) / (_TWO_OVER_SQRT_PI * np.exp(-guess * guess))
        guess = guess + step / (1.0 - guess * step)
    return guess


def _erfinv_upper(guess: Any, complement: Any) -> Any:
    """Newton steps on ``log erfc(x) = log(1 - target)``: nearly linear in the far tail, where
    Giles's float32 fit (made for ``1 - y >= 2**-24``) is only a rough start."""
    log_complement = np.log(complement)
    for _ in range(4):
        tail = erfc(guess)
        # d/dx log erfc(x) = -2/sqrt(pi) exp(-x^2) / erfc(x)
        slope = _TWO_OVER_SQRT_PI * np.exp(-guess * guess) / tail
        guess = guess + (np.log(tail) - log_complement) / slope
    return guess


def erfinv(y: Any) -> Any:
    """The inverse error function: ``erf(erfinv(y)) == y`` for ``-1 <= y <= 1``.

    Args:
        y: float array of any shape (float16/32 are computed in float64 and cast back).

    Returns:
        An array of the same shape and dtype: ``+-inf`` at ``+-1``, NaN outside ``[-1, 1]``.
    """
    values, shape, dtype = _float64_flat(y)
    magnitude = np.abs(values)
    result = np.full_like(values, np.nan)
    result[magnitude == 1.0] = np.inf
    inside = magnitude < 1.0
    target = magnitude[inside]
    complement = 1.0 - target  # exact for target >= 0.5 (Sterbenz), where it matters
    w = -np.log(complement * (1.0 + target))
    central = w < 5.0
    guess = np.where(central, _polynomial(w - 2.5, _ERFINV_CENTRAL),
                     _polynomial(np.sqrt(w) - 3.0, _ERFINV_TAIL)) * target
    upper = target > 0.5
    guess[upper] = _erfinv_upper(guess[upper], complement[upper])
    lower = ~upper
    guess[lower] = _erfinv_lower(guess[lower], target[lower])
    result[inside] = guess
    return (np.copysign(result, values).reshape(shape)).astype(dtype, copy=False)


def i1(x: Any) -> Any:
    """The modified Bessel function of the first kind of order 1 (``d/dx numpy.i0``).

    Args:
        x: float array of any shape (float16/32 are computed in float64 and cast back).

    Returns:
        An array of the same shape and dtype (odd in ``x``; ``+-inf`` beyond ``|x| ~ 713``,
        where float64 overflows).
    """
    values, shape, dtype = _float64_flat(x)
    magnitude = np.abs(values)
    finite = magnitude[np.isfinite(magnitude)]
    largest = float(finite.max()) if finite.size else 0.0
    # Trapezoid error ~ I_2n(x) / I_1(x) ~ exp(-(2n)^2 / (2x)): 2n > sqrt(80 x) + 16 suffices.
    nodes = int(np.sqrt(80.0 * min(largest, 800.0)) / 2.0) + 16
    theta = np.linspace(0.0, np.pi, nodes + 1)
    weights = np.full(nodes + 1, 1.0 / nodes)
    weights[[0, -1]] *= 0.5
    result = np.empty_like(values)
    chunk = max(1, 2 ** 20 // (nodes + 1))  # bounds the (elements x nodes) scratch
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for start in range(0, values.size, chunk):
            part = magnitude[start:start + chunk]
            # exp(-x) I1(x) is at most 1; adding x back in log space delays the overflow.
            scaled = np.exp(part[:, None] * (np.cos(theta) - 1.0)) @ (np.cos(theta) * weights)
            result[start:start + chunk] = np.exp(part + np.log(scaled))
    small = magnitude < 2.0
    result[small] = _i1_series(magnitude[small])  # the integral cancels to ~1e-16 near 0
    result[np.isinf(magnitude)] = np.inf
    return (np.copysign(result, values).reshape(shape)).astype(dtype, copy=False)


def _i1_series(x: Any) -> Any:
    """``sum_k (x/2)^(2k+1) / (k! (k+1)!)`` for ``0 <= x < 2`` (20 terms: past 1e-40)."""
    half = 0.5 * x
    quarter_square = half * half
    term = half.copy()
    total = half.copy()
    for k in range(1, 20):
        term = term * quarter_square / (k * (k + 1))
        total = total + term
    return total
