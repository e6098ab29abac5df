"""``assert_close``: compare tensors, numbers and nested containers of them.

The inputs are first unrolled into a flat list of checks (so a structural problem anywhere is
reported before any value mismatch), then the checks run in order and the first failure raises.
"""
import cmath
import collections.abc
import contextlib
import warnings

import numpy as np

from .._api.creation import as_tensor, tensor
from .._api.math import isclose, isnan
from .._dtype import float16, float32, float64, int64, promote_types
from .._tensor import Tensor

__all__ = ["assert_close", "assert_allclose"]

# {dtype: (rtol, atol)}; every other dtype is compared exactly
_DTYPE_PRECISIONS = {float16: (0.001, 1e-5), float32: (1.3e-6, 1e-5), float64: (1e-7, 1e-7)}
# Python numbers are compared with the tolerances of int64, float64 and complex128
_NUMBER_PRECISIONS = {int: (0.0, 0.0), float: (1e-7, 1e-7), complex: (1e-7, 1e-7)}


class _Failure(Exception):
    """A comparison failure: the exception type to raise, its message and the item's path."""

    def __init__(self, type, msg, id=()):
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg=None):
        if isinstance(msg, str):
            return self.type(msg)
        text = self.msg
        if self.id:
            text += f"\n\nThe failure occurred for item {''.join(str([item]) for item in self.id)}"
        return self.type(msg(text) if callable(msg) else text)


def _loosest(precisions):
    rtols, atols = zip(*precisions)
    return max(rtols), max(atols)


def _default_tolerances(*dtypes, precisions=_DTYPE_PRECISIONS):
    return _loosest(precisions.get(dtype, (0.0, 0.0)) for dtype in dtypes)


def _tolerances(defaults, options, id):
    """The user's ``rtol, atol`` if both are given, else ``defaults()``."""
    rtol, atol = options["rtol"], options["atol"]
    if (rtol is None) ^ (atol is None):
        raise _Failure(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                                   f"but got no {'rtol' if rtol is None else 'atol'}.", id)
    return (rtol, atol) if rtol is not None else defaults()


def _mismatch_msg(identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    equality = rtol == 0 and atol == 0

    def diff_line(kind, diff, idx, tol):
        line = (f"{kind.title()} difference: {diff}" if idx is None
                else f"Greatest {kind} difference: {diff} at index {idx}")
        return line + ("" if equality else f" (up to {tol} allowed)") + "\n"

    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += diff_line("absolute", abs_diff, abs_idx, atol)
    msg += diff_line("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_mismatch_msg(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", f"Expected {expected} but got {actual}.",
                         abs_diff, None, atol, rel_diff, None, rtol)


def _unravel(flat_index, shape):
    return tuple(int(i) for i in np.unravel_index(flat_index, tuple(shape)))


def _tensor_mismatch_msg(actual, expected, matches, rtol, atol):
    total = matches.numel()
    mismatched = total - int(matches.sum())
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    shape = matches.shape
    actual, expected, matches = actual.flatten(), expected.flatten(), matches.flatten()
    if not actual.is_floating_point():
        actual, expected = actual.to(int64), expected.to(int64)
    abs_diff = (actual - expected).abs()
    abs_diff[matches] = 0
    with warnings.catch_warnings():
        # x / 0 is inf (or nan) here on purpose; NumPy would warn about it, PyTorch does not
        warnings.simplefilter("ignore", RuntimeWarning)
        rel_diff = abs_diff / expected.abs()
    rel_diff[matches] = 0
    max_abs, abs_idx = abs_diff.max(0)
    max_rel, rel_idx = rel_diff.max(0)
    return _mismatch_msg("Tensor-likes", extra, max_abs.item(), _unravel(int(abs_idx), shape),
                         atol, max_rel.item(), _unravel(int(rel_idx), shape), rtol)


def _fail(msg, id):
    raise _Failure(AssertionError, msg, id)


# -- one maker per kind of leaf: returns a check, or None when it does not handle the inputs -----

def _none_check(actual, expected, id, options):
    if actual is not None and expected is not None:
        return None

    def check():
        if not (actual is None and expected is None):
            _fail(f"None mismatch: {actual} is not {expected}", id)
    return check


def _bool_check(actual, expected, id, options):
    if not all(isinstance(x, (bool, np.bool_)) for x in (actual, expected)):
        return None
    actual, expected = bool(actual), bool(expected)

    def check():
        if actual is not expected:
            _fail(f"Booleans mismatch: {actual} is not {expected}", id)
    return check


def _number_check(actual, expected, id, options):
    if not all(isinstance(x, (int, float, complex, np.number)) for x in (actual, expected)):
        return None
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    rtol, atol = _tolerances(lambda: _loosest(_NUMBER_PRECISIONS.get(type(x), (0.0, 0.0))
                                              for x in (actual, expected)), options, id)

    def check():
        if options["check_dtype"] and type(actual) is not type(expected):
            _fail(f"The (d)types do not match: {type(actual)} != {type(expected)}.", id)
        if actual == expected:
            return
        if options["equal_nan"] and cmath.isnan(actual) and cmath.isnan(expected):
            return
        abs_diff = abs(actual - expected)
        if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
            return
        _fail(_scalar_mismatch_msg(actual, expected, rtol, atol), id)
    return check


def _tensor_check(actual, expected, id, options):
    if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
        return None
    if not options["allow_subclasses"] and type(actual) is not type(expected):
        return None
    try:
        actual, expected = (x if isinstance(x, Tensor) else as_tensor(x)
                            for x in (actual, expected))
    except Exception:
        return None
    rtol, atol = _tolerances(lambda: _default_tolerances(actual.dtype, expected.dtype), options, id)

    def check():
        _compare_attributes(actual, expected, options, id)
        a, e = _equalize(actual, expected)
        matches = _isclose(a, e, rtol, atol, options["equal_nan"])
        if bool(matches.all()):
            return
        if a.dim() == 0:
            _fail(_scalar_mismatch_msg(a.item(), e.item(), rtol, atol), id)
        _fail(_tensor_mismatch_msg(a, e, matches, rtol, atol), id)
    return check


def _compare_attributes(actual, expected, options, id):
    def mismatch(name, a, e):
        _fail(f"The values for attribute '{name}' do not match: {a} != {e}.", id)

    if actual.shape != expected.shape:
        mismatch("shape", actual.shape, expected.shape)
    if options["check_stride"] and actual.stride() != expected.stride():
        mismatch("stride()", actual.stride(), expected.stride())
    if options["check_device"] and actual.device != expected.device:
        mismatch("device", actual.device, expected.device)
    if options["check_dtype"] and actual.dtype != expected.dtype:
        mismatch("dtype", actual.dtype, expected.dtype)


def _equalize(actual, expected):
    """Both on the CPU if their devices differ, both in the promoted dtype if their dtypes do."""
    if actual.device != expected.device:
        actual, expected = actual.cpu(), expected.cpu()
    if actual.dtype != expected.dtype:
        dtype = promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(dtype), expected.to(dtype)
    return actual, expected


def _isclose(actual, expected, rtol, atol, equal_nan):
    if rtol == 0 and atol == 0:
        matches = actual == expected
        return matches | (isnan(actual) & isnan(expected)) if equal_nan else matches
    return isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)


_CHECK_MAKERS = (_none_check, _bool_check, _number_check, _tensor_check)


def _is_sequence(x):
    return isinstance(x, collections.abc.Sequence) and not isinstance(x, str)


def _originate(actual, expected, id, options):
    """The flat list of checks for two (possibly nested) inputs."""
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            _fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", id)
        return [check for i in range(len(actual))
                for check in _originate(actual[i], expected[i], (*id, i), options)]
    mapping = collections.abc.Mapping
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        keys, expected_keys = set(actual.keys()), set(expected.keys())
        if keys != expected_keys:
            _fail("The keys of the mappings do not match:\n"
                  f"Missing keys in the actual mapping: {sorted(expected_keys - keys)}\n"
                  f"Additional keys in the actual mapping: {sorted(keys - expected_keys)}", id)
        with contextlib.suppress(Exception):
            keys = sorted(keys)
        return [check for key in keys
                for check in _originate(actual[key], expected[key], (*id, key), options)]
    for make in _CHECK_MAKERS:
        check = make(actual, expected, id, options)
        if check is not None:
            return [check]
    raise _Failure(TypeError, "No comparison pair was able to handle inputs of type "
                              f"{type(actual)} and {type(expected)}.", id)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Assert that ``actual`` and ``expected`` are close: ``|actual - expected| <= atol + rtol *
    |expected|`` elementwise, with equal shapes (and devices, dtypes, strides when checked).

    Inputs may be tensors, NumPy arrays, Python or NumPy scalars, or sequences and mappings of
    them. Omitted tolerances default per dtype (float16: 1e-3 / 1e-5, float32: 1.3e-6 / 1e-5,
    float64: 1e-7 / 1e-7, others exact). ``msg`` replaces the failure message, or maps it when
    callable. Every tensor is strided, so ``check_layout`` has nothing to compare.

    Example::

        >>> assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]))
    """
    __tracebackhide__ = True
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                   check_device=check_device, check_dtype=check_dtype, check_stride=check_stride)
    try:
        checks = _originate(actual, expected, (), options)
    except _Failure as failure:
        raise failure.to_error() from None
    for check in checks:
        try:
            check()
        except _Failure as failure:
            raise failure.to_error(msg) from None


_ALLCLOSE_PRECISIONS = {float16: (1e-3, 1e-3), float32: (1e-4, 1e-5), float64: (1e-5, 1e-8)}


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated form of :func:`assert_close`: looser defaults, NaNs equal, dtypes unchecked."""
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed "
                  "in a future release. Please use `torch.testing.assert_close()` instead. You "
                  "can find detailed upgrade instructions in "
                  "https://github.com/pytorch/pytorch/issues/61844.", FutureWarning, stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = _default_tolerances(actual.dtype, expected.dtype,
                                         precisions=_ALLCLOSE_PRECISIONS)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False,
                 msg=msg or None)
