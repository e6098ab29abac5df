"""Window functions, trapezoid / cumulative_trapezoid, gradient, histogramdd, unravel_index,
scalar_tensor and empty_strided against PyTorch: values, dtypes, gradients (float64 gradcheck
included) and errors."""
import numpy as np
import pytest

import nptorch

from helpers import check_op, check_error_like_torch

torch = pytest.importorskip("torch")


def same(ours, theirs, rtol=1e-6, atol=1e-7):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype)[8:] == str(theirs.dtype)[6:]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=atol)


def pair(fn):
    return fn(nptorch), fn(torch)


WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


@pytest.mark.parametrize("name", WINDOWS)
def test_windows(name):
    for args, kwargs in (((7,), {}), ((6, False), {}), ((1,), {}), ((0,), {}), ((2,), {}),
                         ((8,), {"periodic": False, "dtype": "float64"}),
                         ((5,), {"dtype": "float16"})):
        kwargs = dict(kwargs)

        def call(lib):
            options = {k: getattr(lib, v) for k, v in kwargs.items() if k == "dtype"}
            return getattr(lib, name)(*args, **{**kwargs, **options})
        same(*pair(call), rtol=1e-3 if kwargs.get("dtype") == "float16" else 1e-6, atol=1e-3)
    window = getattr(nptorch, name)(4, dtype=nptorch.float64, requires_grad=True)
    assert window.requires_grad and window.is_leaf


def test_window_parameters():
    for call in (lambda lib: lib.hamming_window(5, True, 0.5, 0.3),
                 lambda lib: lib.hamming_window(6, False, 0.6),
                 lambda lib: lib.kaiser_window(6, False, 5.0),
                 lambda lib: lib.kaiser_window(5, beta=2.0, periodic=True)):
        same(*pair(call))


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.hann_window(-1), RuntimeError,
     "hann_window requires non-negative window_length, got window_length=-1"),
    (lambda lib: lib.kaiser_window(5.0), TypeError,
     r"kaiser_window\(\): argument 'window_length' \(position 1\) must be int, not float"),
    (lambda lib: lib.bartlett_window(True), TypeError,
     r"bartlett_window\(\): argument 'window_length' \(position 1\) must be int, not bool"),
    (lambda lib: lib.blackman_window(5, dtype=lib.int64), RuntimeError,
     r"blackman_window expects floating point dtypes, got: TensorOptions\(dtype=long int, "
     r"device=cpu, layout=Strided \(default\), requires_grad=false \(default\)"),
])
def test_window_errors(call, error, message):
    check_error_like_torch(call, error, message)


Y = np.array([[1.0, 2.0, 4.0, 3.5], [3.0, 5.0, 9.0, -1.0]])
XS = np.array([0.0, 1.0, 3.0, 3.5])

INTEGRALS = [
    ("default", lambda f, lib, y, x: f(y)),
    ("x", lambda f, lib, y, x: f(y, x)),
    ("x_keyword_dim", lambda f, lib, y, x: f(y.mT, x=x, dim=0)),
    ("dx", lambda f, lib, y, x: f(y, dx=2.5)),
    ("dx_tensor_dim", lambda f, lib, y, x: f(y, dx=lib.tensor(0.5), dim=0)),
    ("x_broadcast", lambda f, lib, y, x: f(y, lib.stack([x, x * 2]))),
    ("x_leading_ones", lambda f, lib, y, x: f(y.unsqueeze(0), x.unsqueeze(0))),
]


@pytest.mark.parametrize("name", ["trapezoid", "trapz", "cumulative_trapezoid"])
@pytest.mark.parametrize("case", [c[1] for c in INTEGRALS], ids=[c[0] for c in INTEGRALS])
def test_integrals(name, case):
    check_op(lambda lib, y, x: case(getattr(lib, name), lib, y, x), Y, XS)


def test_integral_dtypes_and_empty_samples():
    y = np.array([[1, 2, 4], [3, 5, 9]])
    for name in ("trapezoid", "cumulative_trapezoid"):
        for fn in (lambda lib, f: f(lib.tensor(y)), lambda lib, f: f(lib.tensor(y), dx=2),
                   lambda lib, f: f(lib.tensor(y), lib.tensor([0, 1, 3])),
                   lambda lib, f: f(lib.tensor(y, dtype=lib.float32),
                                    lib.tensor([0.0, 1.0, 3.0], dtype=lib.float64)),
                   lambda lib, f: f(lib.tensor(y)[:, :0]),
                   lambda lib, f: f(lib.tensor(y, dtype=lib.float32)[:, :1]),
                   lambda lib, f: f(lib.tensor(y, dtype=lib.float32)[:, :0],
                                    lib.tensor([], dtype=lib.float32))):
            same(*pair(lambda lib: fn(lib, getattr(lib, name))))


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.trapezoid(lib.ones(2, 3), lib.ones(3), dx=2.5), TypeError,
     r"trapezoid\(\) received an invalid combination of arguments - got \(Tensor, Tensor, "
     r"dx=float\)"),
    (lambda lib: lib.cumulative_trapezoid(lib.ones(2, 3), 2.0), TypeError,
     r"cumulative_trapezoid\(\) received an invalid combination of arguments - got "
     r"\(Tensor, float\)"),
    (lambda lib: lib.trapezoid(lib.ones(2, 3), lib.ones(2)), RuntimeError,
     "trapezoid: There must be one `x` value for each sample point"),
    (lambda lib: lib.cumulative_trapezoid(lib.tensor([True, False])), RuntimeError,
     "cumulative_trapezoid: received a bool input for `y`, but bool is not supported"),
    (lambda lib: lib.trapezoid(lib.tensor(3.0)), IndexError,
     "Dimension specified as -1 but tensor has no dimensions"),
    (lambda lib: lib.cumulative_trapezoid(lib.tensor(3.0)), IndexError,
     r"slice\(\) cannot be applied to a 0-dim tensor."),
    (lambda lib: lib.trapezoid(lib.ones(2, 3), dim=2), IndexError,
     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
])
def test_integral_errors(call, error, message):
    check_error_like_torch(call, error, message)


F = np.array([[1.0, 2.0, 4.0, 8.0], [3.0, 5.0, 9.0, 10.0], [0.0, 1.0, 1.5, 2.0]])
COORDS0, COORDS1 = np.array([0.0, 1.0, 3.0]), np.array([0.0, 1.0, 2.5, 4.0])

GRADIENTS = [
    ("default", lambda lib, f, a, b: lib.gradient(f)),
    ("dim", lambda lib, f, a, b: lib.gradient(f, dim=1)),
    ("dims_reversed", lambda lib, f, a, b: lib.gradient(f, dim=[-1, 0])),
    ("spacing", lambda lib, f, a, b: lib.gradient(f, spacing=2.0)),
    ("spacings", lambda lib, f, a, b: lib.gradient(f, spacing=[2, 0.5])),
    ("edge_order_2", lambda lib, f, a, b: lib.gradient(f, spacing=[0.5, 3.0], edge_order=2)),
    ("coordinates", lambda lib, f, a, b: lib.gradient(f, spacing=(a, b))),
    ("coordinates_dim", lambda lib, f, a, b: lib.gradient(f, spacing=(b,), dim=1)),
    ("coordinates_edge_order_2", lambda lib, f, a, b: lib.gradient(
        f, spacing=(a, b), edge_order=2)),
    ("negative_spacing", lambda lib, f, a, b: lib.gradient(f, spacing=-1.5)),
    ("negative_spacings_edge_order_2", lambda lib, f, a, b: lib.gradient(
        f, spacing=[-2, 0.5], edge_order=2)),
    ("decreasing_coordinates_edge_order_2", lambda lib, f, a, b: lib.gradient(
        f, spacing=(-a, b.flip(0)), edge_order=2)),
]

ZERO_STEP_GRADIENTS = [
    ("zero_spacing", lambda lib, f: lib.gradient(f, spacing=0)),
    ("zero_spacing_edge_order_2", lambda lib, f: lib.gradient(f, spacing=0.0, edge_order=2)),
    ("negative_zero_spacing", lambda lib, f: lib.gradient(f, spacing=-0.0, edge_order=2)),
    ("zero_in_spacings", lambda lib, f: lib.gradient(f, spacing=[0, 2])),
    ("zero_in_spacings_edge_order_2", lambda lib, f: lib.gradient(
        f, spacing=[2.0, 0.0], edge_order=2)),
    ("zero_spacing_dim", lambda lib, f: lib.gradient(f, spacing=(0,), dim=1)),
    ("repeated_coordinates", lambda lib, f: lib.gradient(
        f, spacing=(lib.tensor([0.0, 0.0, 1.0]), lib.tensor([0.0, 1.0, 1.0, 2.0])))),
    ("repeated_coordinates_edge_order_2", lambda lib, f: lib.gradient(
        f, spacing=(lib.tensor([0.0, 0.0, 1.0]), lib.tensor([0.0, 1.0, 1.0, 2.0])),
        edge_order=2)),
    ("equal_coordinates", lambda lib, f: lib.gradient(
        f, spacing=(lib.tensor([1.0, 1.0, 1.0, 1.0]),), dim=1)),
]


@pytest.mark.parametrize("fn", [c[1] for c in GRADIENTS], ids=[c[0] for c in GRADIENTS])
def test_gradient(fn):
    check_op(fn, F, COORDS0, COORDS1)


@pytest.mark.parametrize("fn", [c[1] for c in ZERO_STEP_GRADIENTS],
                         ids=[c[0] for c in ZERO_STEP_GRADIENTS])
def test_gradient_zero_steps(fn):
    """Zero steps divide by zero: infinities and NaNs where PyTorch gives them, in the values
    and in the gradients."""
    check_op(fn, F, gradcheck_inputs=False)
    assert any(not bool(v.isfinite().all()) for v in fn(nptorch, nptorch.tensor(F)))


def test_gradient_zero_spacing_values():
    for edge_order, expected in ((1, [np.nan, np.inf, np.inf, -np.inf]),
                                 (2, [-np.inf, np.inf, np.inf, -np.inf])):
        ours, theirs = pair(lambda lib: lib.gradient(lib.tensor([1.0, 1.0, 3.0, 2.0]), spacing=0,
                                                     edge_order=edge_order)[0])
        same(ours, theirs)
        np.testing.assert_array_equal(ours.numpy(), np.array(expected, np.float32))
    np.testing.assert_array_equal(nptorch.gradient(nptorch.ones(3), spacing=-0.0)[0].numpy(),
                                  np.full(3, np.nan, np.float32))


def test_gradient_dtypes():
    f = F.astype(np.int64)
    for fn in (lambda lib: lib.gradient(lib.tensor(f)),
               lambda lib: lib.gradient(lib.tensor(f, dtype=lib.int32), spacing=2),
               lambda lib: lib.gradient(lib.tensor(f), spacing=(lib.tensor([0, 1, 3]),), dim=0),
               lambda lib: lib.gradient(lib.tensor(F), spacing=(lib.tensor([0, 1, 3]),), dim=0),
               lambda lib: lib.gradient(lib.tensor(F, dtype=lib.float32),
                                        spacing=(lib.tensor(COORDS0),), dim=0),
               lambda lib: lib.gradient(lib.tensor(f), spacing=0, edge_order=2),
               lambda lib: lib.gradient(lib.tensor(F), spacing=[-0.5, 0]),
               lambda lib: lib.gradient(lib.tensor(f), spacing=(lib.tensor([0, 0, 1]),), dim=0),
               lambda lib: lib.gradient(lib.tensor(F, dtype=lib.float64), spacing=0),
               lambda lib: lib.gradient(lib.ones(3, 0), spacing=0, dim=0)):
        for ours, theirs in zip(*pair(fn)):
            same(ours, theirs)
    assert nptorch.gradient(nptorch.tensor(3.0)) == () == torch.gradient(torch.tensor(3.0))


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.gradient(lib.ones(3, 4), edge_order=3), RuntimeError,
     "torch.gradient only supports edge_order=1 and edge_order=2."),
    (lambda lib: lib.gradient(lib.ones(2, 4), edge_order=2), RuntimeError,
     r"torch.gradient expected each dimension size to be at least edge_order\+1"),
    (lambda lib: lib.gradient(lib.ones(1, 4), dim=0), RuntimeError,
     r"torch.gradient expected each dimension size to be at least edge_order\+1"),
    (lambda lib: lib.gradient(lib.ones(3, 4), spacing=[2.0, 3.0], dim=1), RuntimeError,
     "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
     "arguments to have the same length, but got a spacing argument of length 2 and a dim "
     "argument of length 1."),
    (lambda lib: lib.gradient(lib.ones(3, 4), spacing=[1.0, 2.0, 3.0]), RuntimeError,
     "torch.gradient expected spacing to be unspecified, a scalar, or a list of length equal "
     r"to 'self.dim\(\) = 2', since dim argument was not given, but got a list of length 3"),
    (lambda lib: lib.gradient(lib.ones(3, 4), spacing=[lib.tensor(2.0), lib.tensor(3.0)]),
     RuntimeError, "torch.gradient expected each element of spacing to have one dimension, but "
                   "got an element with 0 dimensions!"),
    (lambda lib: lib.gradient(lib.ones(3, 4), spacing=lib.ones(4), dim=1), TypeError,
     r"gradient\(\) received an invalid combination of arguments"),
    (lambda lib: lib.gradient(lib.ones(3, 4), spacing=[0, lib.tensor([0.0, 1.0, 2.0, 3.0])]),
     TypeError, "expected Tensor as element 0 in argument 1, but got int"),
    (lambda lib: lib.gradient(lib.ones(3, 4), spacing=[lib.tensor([0.0, 1.0, 2.0]), -1.0]),
     TypeError, "expected Tensor as element 1 in argument 1, but got float"),
    (lambda lib: lib.gradient(lib.ones(3, 4), spacing=[lib.tensor(2.0), 0], dim=[0, 1]),
     TypeError, "expected Tensor as element 1 in argument 1, but got int"),
    (lambda lib: lib.gradient(lib.ones(3, 4), dim=(0, 0)), RuntimeError,
     "dim 0 appears multiple times in the list of dims"),
    (lambda lib: lib.gradient(lib.ones(3, 4, dtype=lib.bool)), RuntimeError,
     "Subtraction, the `-` operator, with two bool tensors is not supported."),
])
def test_gradient_errors(call, error, message):
    check_error_like_torch(call, error, message)


POINTS = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.7, 0.5], [0.6, 0.6]])


@pytest.mark.parametrize("kwargs", [
    dict(bins=3), dict(bins=[2, 4]), dict(bins=[3, 3], weights=True),
    dict(bins=2, range=[0.0, 1.0, 0.0, 1.0], density=True),
    dict(bins=3, density=True, weights=True), dict(bins="edges"), dict(bins=2, rows=1),
    dict(bins=2, rows=0),
], ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histogramdd(kwargs, dtype):
    kwargs = dict(kwargs)
    weights, rows = kwargs.pop("weights", False), kwargs.pop("rows", len(POINTS))

    def call(lib):
        points = lib.tensor(POINTS[:rows], dtype=getattr(lib, dtype)).reshape(-1, 1, 2)
        options = dict(kwargs)
        if options["bins"] == "edges":
            options["bins"] = [lib.tensor([0.0, 0.5, 2.0], dtype=points.dtype),
                               lib.tensor([0.0, 0.7, 1.0, 3.0], dtype=points.dtype)]
        if weights:
            options["weight"] = lib.arange(1.0, rows + 1, dtype=points.dtype).reshape(-1, 1)
        return lib.histogramdd(points, **options)
    ours, theirs = pair(call)
    assert type(ours).__name__ == "histogramdd" and ours._fields == ("hist", "bin_edges")
    same(ours.hist, theirs.hist)
    assert isinstance(ours.bin_edges, tuple) and len(ours.bin_edges) == 2
    for o, t in zip(ours.bin_edges, theirs.bin_edges):
        np.testing.assert_array_equal(o.numpy(), t.numpy())  # bit for bit: the same bins


def test_histogramdd_random_points_on_edges():
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        points = (rng.integers(-5, 6, (40, 3)) * 0.3).astype(dtype)
        ours, theirs = pair(lambda lib: lib.histogramdd(lib.tensor(points), [3, 5, 7]))
        np.testing.assert_array_equal(ours.hist.numpy(), theirs.hist.numpy())


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.histogramdd(lib.ones(4, 2, requires_grad=True), 2).hist.sum().backward(),
     RuntimeError, "derivative for aten::_histogramdd_from_bin_cts is not implemented"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), [lib.tensor([0.0, 1.0], requires_grad=True),
                                                  lib.tensor([0.0, 2.0])]).hist.sum().backward(),
     RuntimeError, "derivative for aten::_histogramdd_from_bin_tensors is not implemented"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2, dtype=lib.int64), 2), NotImplementedError,
     "\"histogramdd\" not implemented for 'Long'"),
    (lambda lib: lib.histogramdd(lib.ones(4), 2), RuntimeError,
     "torch.histogramdd: input tensor should have at least 2 dimensions"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), (3,)), RuntimeError,
     "histogramdd: The size of bins must be equal to the innermost dimension of the input."),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), [lib.ones(3)]), RuntimeError,
     "torch.histogramdd: expected 2 sequences of bin edges for a 2-dimensional histogram but "
     "got 1"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), [lib.ones(2), lib.ones(2, dtype=lib.float64)]),
     RuntimeError, "torch.histogramdd: input tensor and bins tensors should have the same dtype, "
                   "but got input with dtype float and bins for dimension 1 with dtype double"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), [lib.ones(1, 2), lib.ones(2)]), RuntimeError,
     "torch.histogramdd: bins tensor should have one dimension, but got 2 dimensions in the bins "
     "tensor for dimension 0"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), [lib.ones(2), lib.ones(0)]), RuntimeError,
     "torch.histogramdd: bins tensor should have at least 1 element, but got 0 elements in the "
     "bins tensor for dimension 1"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), [lib.ones(1), lib.ones(2)]), RuntimeError,
     r"torch.histogram\(\): bins must be > 0, but got 0 for dimension 0"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), [2.0, 2.0]), TypeError,
     "expected Tensor as element 0 in argument 1, but got float"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), 3, range=[0.0, 1.0]), RuntimeError,
     "torch.histogramdd: for a 2-dimensional histogram range should have 4 elements, but got 2"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), 3, range=[1.0, 0.0, 0.0, 1.0]), RuntimeError,
     "torch.histogramdd: min should not exceed max, but got min 1 max 0 for dimension 0"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), 2, range=(0.0, float("inf"), 0.0, 1.0)),
     RuntimeError, r"torch.histogramdd: dimension 0's range \[0, inf\] is not finite"),
    (lambda lib: lib.histogramdd(lib.tensor([[float("nan"), 1.0]]), 2), RuntimeError,
     r"torch.histogramdd: dimension 0's range \[nan, nan\] is not finite"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), 0), RuntimeError,
     r"torch.histogram\(\): bins must be > 0, but got 0 for dimension 0"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), 2, weight=lib.ones(3)), RuntimeError,
     r"torch.histogramdd: if weight tensor is provided it should have the same shape as the "
     r"input tensor excluding its innermost dimension, but got input with shape \[4, 2\] and "
     r"weight with shape \[3\]"),
    (lambda lib: lib.histogramdd(lib.ones(4, 2), 2, weight=lib.ones(4, dtype=lib.float64)),
     RuntimeError, r"if weight tensor is provided, input tensor and weight tensor should have "
                   r"the same dtype, but got input\(float\), and weight\(double\)"),
])
def test_histogramdd_errors(call, error, message):
    check_error_like_torch(call, error, message)


def test_unravel_index():
    for fn in (lambda lib: lib.unravel_index(lib.tensor([4, 1, -1, -7, 6]), (2, 3)),
               lambda lib: lib.unravel_index(lib.tensor(4), [2, 3]),
               lambda lib: lib.unravel_index(lib.tensor([[4, 1], [0, 5]], dtype=lib.int32),
                                             lib.Size([2, 1, 3])),
               lambda lib: lib.unravel_index(lib.tensor([4, 1], dtype=lib.uint8), 6),
               lambda lib: lib.unravel_index(lib.tensor([1]), (2 ** 40, 2 ** 40))):
        ours, theirs = pair(fn)
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            same(o, t)
    assert nptorch.unravel_index(nptorch.tensor([1]), ()) == ()


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.unravel_index(lib.tensor([1.0]), (2, 3)), TypeError,
     r"expected 'indices' to be integer dtype, but got (torch|nptorch).float32"),
    (lambda lib: lib.unravel_index(lib.tensor([True]), (2, 3)), TypeError,
     r"expected 'indices' to be integer dtype, but got (torch|nptorch).bool"),
    (lambda lib: lib.unravel_index(lib.tensor([1]), (2, -3)), ValueError,
     r"'shape' cannot have negative values, but got \(2, -3\)"),
    (lambda lib: lib.unravel_index(lib.tensor([1]), (2.0, 3)), TypeError,
     "expected 'shape' sequence to only contain ints, but got <class 'float'>"),
    (lambda lib: lib.unravel_index(lib.tensor([1]), lib.tensor([2, 3])), TypeError,
     "expected 'shape' to be int or sequence of ints, but got <class"),
    (lambda lib: lib.unravel_index(lib.tensor([1]), (2, 0)), RuntimeError, "ZeroDivisionError"),
])
def test_unravel_index_errors(call, error, message):
    check_error_like_torch(call, error, message)


def test_scalar_tensor():
    for fn in (lambda lib: lib.scalar_tensor(3), lambda lib: lib.scalar_tensor(3.5),
               lambda lib: lib.scalar_tensor(True), lambda lib: lib.scalar_tensor(np.float64(2.5)),
               lambda lib: lib.scalar_tensor(3.7, dtype=lib.int32),
               lambda lib: lib.scalar_tensor(lib.tensor(2)),
               lambda lib: lib.scalar_tensor(s=2, dtype=lib.float64)):
        same(*pair(fn))
    t = nptorch.scalar_tensor(3, requires_grad=True)
    assert t.requires_grad and t.is_leaf
    for call, kind in ((lambda lib: lib.scalar_tensor(lib.tensor([2])), "Tensor"),
                       (lambda lib: lib.scalar_tensor("a"), "str")):
        check_error_like_torch(call, TypeError, r"scalar_tensor\(\): argument 's' \(position 1\) "
                                                f"must be Number, not {kind}")


def test_empty_strided():
    for size, stride in (((2, 3), (1, 2)), ((2, 3), (3, 1)), ((2, 3), (0, 1)), ((2, 3), (10, 2)),
                         ((0, 3), (1, 2)), ((), ())):
        ours, theirs = pair(lambda lib: lib.empty_strided(size, stride, dtype=lib.int32))
        assert ours.shape == theirs.shape and ours.stride() == theirs.stride()
        assert ours.dtype == nptorch.int32 and ours.is_contiguous() == theirs.is_contiguous()
    t = nptorch.empty_strided((2, 3), (1, 2), requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.dtype == nptorch.float32
    t.detach().copy_(nptorch.arange(6.0).reshape(2, 3))
    assert t.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and t.storage_offset() == 0
    gapped = nptorch.empty_strided((2, 3), (10, 2))
    assert gapped.as_strided((3,), (7,)).shape == (3,) and gapped.storage_offset() == 0


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.empty_strided((2, 3), (1,)), RuntimeError,
     r"dimensionality of sizes \(2\) must match dimensionality of strides \(1\)"),
    (lambda lib: lib.empty_strided((2, -3), (1, 2)), RuntimeError,
     r"Trying to create tensor with negative dimension -3: \[2, -3\]"),
    (lambda lib: lib.empty_strided((2, 3), (-1, 2)), RuntimeError,
     r"Storage size calculation overflowed with sizes=\[2, 3\] and strides=\[-1, 2\]"),
    (lambda lib: lib.empty_strided(2, 1), TypeError,
     r"empty_strided\(\): argument 'size' \(position 1\) must be tuple of ints, not int"),
])
def test_empty_strided_errors(call, error, message):
    check_error_like_torch(call, error, message)
