"""nptorch.testing against torch.testing: pass/fail, exception types and full messages."""
import math
import warnings

import numpy as np
import pytest

import nptorch
from nptorch.testing import assert_allclose, assert_close, make_tensor


def _normalize(text):
    return text.replace("nptorch._tensor.Tensor", "torch.Tensor").replace("nptorch.", "torch.")


def _outcome(lib, build, **kwargs):
    """``None`` when ``lib.testing.assert_close`` passes, else ``(exception name, message)``."""
    actual, expected = build(lib)
    try:
        lib.testing.assert_close(actual, expected, **kwargs)
    except Exception as error:
        return type(error).__name__, _normalize(str(error))
    return None


def _pair(a, e, dtype="float32"):
    return lambda lib: (lib.tensor(a, dtype=getattr(lib, dtype)),
                        lib.tensor(e, dtype=getattr(lib, dtype)))


nan, inf = math.nan, math.inf

FAILING = {
    "float32": (_pair([1.0, 2.0, 3.0], [1.0, 2.5, 3.0]), {}),
    "float64": (_pair([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.1]], "float64"), {}),
    "float16": (_pair([1.0, 2.0], [1.0, 2.01], "float16"), {}),
    "int64": (_pair([[1, 2], [3, 4]], [[1, 2], [3, 5]], "int64"), {}),
    "int_zero_expected": (_pair([1, 2, 3], [0, 2, 5], "int64"), {}),
    "uint8": (_pair([1, 2], [2, 2], "uint8"), {}),
    "bool": (_pair([True, False], [True, True], "bool"), {}),
    "nan": (_pair([1.0, nan], [1.0, 2.0]), {}),
    "nan_unequal_by_default": (_pair([nan, 1.0], [nan, 1.0]), {}),
    "inf_sign": (_pair([inf, 1.0], [-inf, 1.0]), {}),
    "zero_expected": (_pair([0.0, 1.0], [1.0, 0.0]), {}),
    "scalar_tensor": (_pair(2.0, 3.0), {}),
    "scalar_tensor_equal": (_pair(2.0, 3.0), dict(rtol=0, atol=0)),
    "custom_tolerances": (_pair([1.0, 2.0], [1.1, 2.0]), dict(rtol=0.01, atol=0.05)),
    "exact": (_pair([1.0, 2.0], [1.0, 2.0 + 1e-6]), dict(rtol=0, atol=0)),
    "shape": (lambda lib: (lib.zeros(2), lib.zeros(3)), {}),
    "dtype": (lambda lib: (lib.zeros(2), lib.zeros(2, dtype=lib.float64)), {}),
    "promoted_then_compared": (lambda lib: (lib.tensor([1.0, 2.0]),
                                            lib.tensor([1.0, 2.5], dtype=lib.float64)),
                               dict(check_dtype=False)),
    "stride": (lambda lib: (lib.zeros(2, 3), lib.zeros(3, 2).t()), dict(check_stride=True)),
    "sequence_item": (lambda lib: ([lib.zeros(2), lib.zeros(2)], (lib.zeros(2), lib.ones(2))), {}),
    "sequence_length": (lambda lib: ([lib.zeros(2)], [lib.zeros(2), lib.zeros(2)]), {}),
    "mapping_keys": (lambda lib: ({"a": lib.zeros(1), "b": 1}, {"a": lib.zeros(1), "c": 1}), {}),
    "nested_item": (lambda lib: ({"a": [1.0, lib.zeros(2)]}, {"a": [1.0, lib.tensor([0.0, 1.0])]}),
                    {}),
    "float_numbers": (lambda lib: (1.0, 1.1), {}),
    "int_numbers": (lambda lib: (1, 2), {}),
    "number_types": (lambda lib: (1, 1.0), {}),
    "numpy_scalars": (lambda lib: (np.float32(1.0), np.float32(1.5)), {}),
    "bools": (lambda lib: (True, False), {}),
    "none": (lambda lib: (None, 1), {}),
    "numpy_arrays": (lambda lib: (np.array([1.0, 2.0]), np.array([1.0, 3.0])), {}),
    "numpy_shapes": (lambda lib: (np.zeros(2), np.zeros((1, 2))), {}),
    "tensor_vs_numpy": (lambda lib: (lib.zeros(2), np.zeros(2)), {}),
    "tensor_vs_list": (lambda lib: (lib.zeros(2), [0.0, 0.0]), {}),
    "strings": (lambda lib: ("a", "b"), {}),
    "only_rtol": (_pair([1.0], [1.0]), dict(rtol=1e-3)),
    "only_atol_in_sequence": (lambda lib: ([lib.zeros(1)], [lib.ones(1)]), dict(atol=1e-3)),
    "msg_string": (_pair([1.0], [2.0]), dict(msg="custom")),
    "msg_callable": (lambda lib: ([lib.zeros(1)], [lib.ones(1)]),
                     dict(msg=lambda m: f"Header\n\n{m}\n\nFooter")),
    "msg_not_used_for_structure": (lambda lib: ([1], [1, 2]), dict(msg="custom")),
    "first_failure_wins": (lambda lib: ([lib.zeros(1), lib.zeros(2)], [lib.ones(1), lib.zeros(3)]),
                           {}),
    "structure_before_values": (lambda lib: ([lib.zeros(1), "a"], [lib.ones(1), 1]), {}),
    "subclass_disallowed": (lambda lib: (lib.nn.Parameter(lib.zeros(1)), lib.zeros(1)),
                            dict(allow_subclasses=False)),
}

PASSING = {
    "identical": (_pair([1.0, 2.0], [1.0, 2.0]), {}),
    "float32_within_atol": (_pair([0.0, 1.0], [9e-6, 1.0]), {}),
    "float32_within_rtol": (_pair([1e6], [1e6 + 1.0]), {}),
    "nan_equal": (_pair([nan, 1.0], [nan, 1.0]), dict(equal_nan=True)),
    "inf": (_pair([inf, -inf], [inf, -inf]), {}),
    "promoted": (lambda lib: (lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0], dtype=lib.float64)),
                 dict(check_dtype=False)),
    "int_vs_float_number": (lambda lib: (1, 1.0), dict(check_dtype=False)),
    "numbers_close": (lambda lib: (1.0, 1.0 + 1e-9), {}),
    "subclass": (lambda lib: (lib.nn.Parameter(lib.zeros(1)), lib.zeros(1)), {}),
    "nested": (lambda lib: ({"a": [lib.zeros(2), 1, None], "b": (True, 2.0)},
                            {"b": [True, 2.0], "a": (lib.zeros(2), 1, None)}), {}),
    "numpy": (lambda lib: (np.arange(3.0), np.arange(3.0)), {}),
    "loose": (_pair([1.0], [1.5]), dict(rtol=0.0, atol=0.5)),
    "stride_unchecked": (lambda lib: (lib.zeros(2, 3), lib.zeros(3, 2).t()), {}),
}


@pytest.mark.parametrize("case", FAILING)
def test_failure_matches_pytorch(case, torch):
    build, kwargs = FAILING[case]
    expected = _outcome(torch, build, **kwargs)
    assert expected is not None
    assert _outcome(nptorch, build, **kwargs) == expected


@pytest.mark.parametrize("case", PASSING)
def test_pass_matches_pytorch(case, torch):
    build, kwargs = PASSING[case]
    assert _outcome(torch, build, **kwargs) is None
    assert _outcome(nptorch, build, **kwargs) is None


def test_message_format():
    with pytest.raises(AssertionError) as info:
        assert_close(nptorch.tensor([1.0, 2.0, 3.0]), nptorch.tensor([1.0, 4.0, 3.0]))
    assert str(info.value) == (
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 2.0 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.5 at index (1,) (up to 1.3e-06 allowed)")


def test_item_path_in_message():
    with pytest.raises(AssertionError, match=r"The failure occurred for item \['a'\]\[1\]$"):
        assert_close({"a": [0, nptorch.zeros(1)]}, {"a": [0, nptorch.ones(1)]})


def test_device_mismatch_message():
    if not nptorch.cuda.is_available():
        pytest.skip("needs a GPU")
    with pytest.raises(AssertionError,
                       match=r"^The values for attribute 'device' do not match: cpu != cuda:0\.$"):
        assert_close(nptorch.zeros(2), nptorch.zeros(2, device="cuda"))
    assert_close(nptorch.zeros(2), nptorch.zeros(2, device="cuda"), check_device=False)


def _allclose_outcome(lib, actual, expected, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            lib.testing.assert_allclose(actual(lib), expected(lib), **kwargs)
            outcome = None
        except Exception as error:
            outcome = type(error).__name__, _normalize(str(error))
    return outcome, [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("actual, expected, kwargs", [
    (lambda lib: lib.tensor([1.0, 2.0]), lambda lib: lib.tensor([1.0, 2.0001]), {}),
    (lambda lib: lib.tensor([1.0, 2.0]), lambda lib: lib.tensor([1.0, 2.001]), {}),
    (lambda lib: lib.tensor([1.0, nan]), lambda lib: [1.0, nan], {}),
    (lambda lib: [1, 2], lambda lib: [1, 3], {}),
    (lambda lib: lib.tensor([1.0]), lambda lib: lib.tensor([1.0], dtype=lib.float64), {}),
    (lambda lib: lib.tensor([1.0]), lambda lib: lib.tensor([1.5]), dict(msg="custom")),
    (lambda lib: lib.tensor([1.0]), lambda lib: lib.tensor([1.5]), dict(rtol=0.0, atol=0.1)),
])
def test_assert_allclose_matches_pytorch(actual, expected, kwargs, torch):
    ours = _allclose_outcome(nptorch, actual, expected, **kwargs)
    assert ours == _allclose_outcome(torch, actual, expected, **kwargs)
    assert ours[1][0][0] is FutureWarning


@pytest.mark.parametrize("dtype, low, high", [
    ("float32", None, None), ("float64", -1.0, 1.0), ("float16", 0.0, 0.5),
    ("int64", None, None), ("int32", -3, 3), ("int8", -200, 200), ("uint8", None, None),
    ("uint8", -5, 3), ("bool", None, None), ("int16", 0.5, 2.5),
])
def test_make_tensor_range(dtype, low, high, torch):
    ours = make_tensor(4, 50, dtype=getattr(nptorch, dtype), device="cpu", low=low, high=high)
    theirs = torch.testing.make_tensor(4, 50, dtype=getattr(torch, dtype), device="cpu",
                                       low=low, high=high)
    assert ours.shape == (4, 50) and ours.dtype is getattr(nptorch, dtype)
    integral = dtype not in ("bool", "float16", "float32", "float64")
    lo = 0 if dtype == "bool" else (-9 if low is None else low)
    hi = 2 if dtype == "bool" else ((10 if integral else 9) if high is None else high)
    if integral:
        info = np.iinfo(np.dtype(dtype))
        lo, hi = math.ceil(max(lo, info.min)), math.ceil(min(hi, info.max + 1))
    for values in (ours.numpy().astype(float), theirs.numpy().astype(float)):
        assert values.min() >= lo and values.max() < hi


@pytest.mark.parametrize("shape", [(), (3,), ((2, 3),), ([2, 3],), (nptorch.Size([2, 3]),)])
def test_make_tensor_shapes(shape):
    expected = shape[0] if shape and not isinstance(shape[0], int) else shape
    assert make_tensor(*shape, dtype=nptorch.float32, device="cpu").shape == tuple(expected)


def test_make_tensor_noncontiguous():
    x = make_tensor(3, 4, dtype=nptorch.float32, device="cpu", noncontiguous=True)
    assert x.shape == (3, 4) and not x.is_contiguous() and x.stride() == (8, 2)
    assert make_tensor(1, dtype=nptorch.float32, device="cpu", noncontiguous=True).is_contiguous()


def test_make_tensor_exclude_zero():
    x = make_tensor(100, dtype=nptorch.int64, device="cpu", low=0, high=2, exclude_zero=True)
    assert x.tolist() == [1] * 100
    y = make_tensor(100, dtype=nptorch.float32, device="cpu", low=0, high=1e-44, exclude_zero=True)
    assert (y.numpy() > 0).all()
    assert 1.1754943508222875e-38 in y.tolist()


def test_make_tensor_requires_grad_and_device(device):
    x = make_tensor(2, dtype=nptorch.float64, device=device, requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.device.type == device


@pytest.mark.parametrize("kwargs", [
    dict(dtype="int64", requires_grad=True),
    dict(dtype="float32", low=2, high=1),
    dict(dtype="int64", low=3, high=3),
    dict(dtype="float32", low=nan),
    dict(dtype="uint8", low=300, high=400),
    dict(dtype="float32", noncontiguous=True, memory_format="contiguous_format"),
])
def test_make_tensor_errors_match_pytorch(kwargs, torch):
    messages = []
    for lib in (nptorch, torch):
        args = {k: getattr(lib, v) if k in ("dtype", "memory_format") else v
                for k, v in kwargs.items()}
        with pytest.raises(ValueError) as info:
            lib.testing.make_tensor(2, 3, device="cpu", **args)
        messages.append(_normalize(str(info.value)))
    assert messages[0] == messages[1]


def test_make_tensor_low_equals_high_warns():
    with pytest.warns(FutureWarning, match="Use `torch.full"):
        x = make_tensor(3, dtype=nptorch.float32, device="cpu", low=1.0, high=1.0)
    assert x.tolist() == [1.0, 1.0, 1.0]


def test_namespace():
    assert nptorch.testing.assert_close is assert_close
    assert nptorch.testing.make_tensor is make_tensor
    assert nptorch.testing.assert_allclose is assert_allclose
