"""The incomplete gamma functions, Hurwitz zeta, airy_ai, spherical_bessel_j0 and the orthogonal
polynomials of ``torch.special`` against PyTorch: values, dtypes, gradients (only in the
argument PyTorch differentiates) and errors."""
import numpy as np
import pytest

import nptorch

from helpers import check_op, check_error_like_torch

torch = pytest.importorskip("torch")

SHAPES = np.array([[0.5], [2.5]], np.float32)  # the first argument, kept constant
POINTS = np.array([[0.2, 1.1, 3.4, 0.7], [2.0, 0.05, 1.6, 5.0]], np.float32)


def _const(lib, a, like):
    return lib.tensor(a, dtype=like.dtype)


GAMMA = [
    ("gammainc", lambda lib, x: lib.special.gammainc(_const(lib, SHAPES, x), x)),
    ("gammaincc", lambda lib, x: lib.special.gammaincc(_const(lib, SHAPES, x), x)),
    ("igamma", lambda lib, x: lib.igamma(_const(lib, SHAPES, x)[:1], x)),
    ("igammac_method", lambda lib, x: _const(lib, SHAPES, x)[1:].igammac(x)),
    ("zeta", lambda lib, x: lib.special.zeta(_const(lib, SHAPES, x) + 1.5, x)),
    ("zeta_number_first", lambda lib, x: lib.special.zeta(3.0, x)),
]


@pytest.mark.parametrize("fn", [c[1] for c in GAMMA], ids=[c[0] for c in GAMMA])
def test_differentiable_in_second_argument(fn):
    check_op(fn, POINTS, rtol=1e-4, atol=1e-6)


def test_values_at_edges():
    a = np.array([-1.0, 0.0, 0.0, 1.0, 1.0, np.inf, 1.0, 3.0, 2.0, 2.0])
    x = np.array([1.0, 0.0, 1.0, 0.0, -1.0, 1.0, np.inf, 1e-3, 40.0, np.nan])
    s = np.array([1.0, 0.5, -1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 1.0000001, np.inf])
    q = np.array([1.0, 1.0, 1.0, 0.0, -1.0, -1.5, np.inf, -2.5, 1.0, 2.0])
    for fn, args in ((lambda lib, a, x: lib.special.gammainc(a, x), (a, x)),
                     (lambda lib, a, x: lib.special.gammaincc(a, x), (a, x)),
                     (lambda lib, s, q: lib.special.zeta(s, q), (s, q))):
        check_op(fn, *args, grad=False, rtol=1e-12, atol=0)


def test_dtypes():
    cases = [
        lambda lib: lib.special.gammainc(lib.tensor([1, 2]), lib.tensor([0.5, 1.0],
                                                                        dtype=lib.float64)),
        lambda lib: lib.special.gammaincc(lib.tensor([1, 2]), lib.tensor(2.0)),
        lambda lib: lib.igamma(lib.ones(2, dtype=lib.float16), lib.ones(2, dtype=lib.float16)),
        lambda lib: lib.special.zeta(lib.tensor([2, 3]), 1),
        lambda lib: lib.special.zeta(2, lib.tensor([1, 2])),
        lambda lib: lib.special.zeta(lib.tensor([True]), lib.tensor([True])),
        lambda lib: lib.special.zeta(lib.tensor([2.0, 3.0]), lib.tensor(2.5, dtype=lib.float64)),
    ]
    for fn in cases:
        ours, theirs = fn(nptorch), fn(torch)
        assert str(ours.dtype)[8:] == str(theirs.dtype)[6:]
        np.testing.assert_allclose(ours.numpy().astype(float), theirs.numpy().astype(float),
                                   rtol=1e-3)


def test_inplace_and_out():
    a, x = np.array([0.5, 2.0]), np.array([1.0, 3.0])
    for name in ("igamma_", "igammac_"):
        ours, theirs = nptorch.tensor(a), torch.tensor(a)
        assert getattr(ours, name)(nptorch.tensor(x)) is ours
        getattr(theirs, name)(torch.tensor(x))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    out = nptorch.empty(2, dtype=nptorch.float64)
    assert nptorch.special.zeta(nptorch.tensor(a) + 1.5, nptorch.tensor(x), out=out) is out
    np.testing.assert_allclose(out.numpy(), torch.special.zeta(torch.tensor(a) + 1.5,
                                                               torch.tensor(x)).numpy())


def _backward_of_first(name):
    def call(lib):
        a = lib.tensor([1.5, 2.0], requires_grad=True)
        getattr(lib.special, name)(a, lib.tensor([1.0, 2.0])).sum().backward()
    return call


@pytest.mark.parametrize("call,error,message", [
    (_backward_of_first("gammainc"), NotImplementedError,
     "the derivative for 'igamma: input' is not implemented."),
    (_backward_of_first("gammaincc"), NotImplementedError,
     "the derivative for 'igammac: input' is not implemented."),
    (_backward_of_first("zeta"), NotImplementedError,
     "the derivative for 'zeta' is not implemented."),
    (lambda lib: lib.special.gammainc(lib.tensor([1.0]), 2.0), TypeError,
     r"special_gammainc\(\): argument 'other' \(position 2\) must be Tensor, not float"),
    (lambda lib: lib.igammac(2.0, lib.tensor([1.0])), TypeError,
     r"igammac\(\): argument 'input' \(position 1\) must be Tensor, not float"),
    (lambda lib: lib.special.gammainc(lib.tensor([1, 2]), lib.tensor([1, 2])),
     NotImplementedError, "\"igamma_cpu\" not implemented for 'Long'"),
    (lambda lib: lib.special.gammaincc(lib.tensor([True]), lib.tensor([True])),
     NotImplementedError, "\"igammac_cpu\" not implemented for 'Bool'"),
    (lambda lib: lib.special.gammainc(lib.ones(2), lib.ones(3)), RuntimeError,
     r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton "
     "dimension 0"),
    (lambda lib: lib.special.zeta(2.0, 1.0), TypeError,
     r"special_zeta\(\) received an invalid combination of arguments - got \(float, float\)"),
    (lambda lib: lib.special.zeta(lib.ones(2, dtype=lib.float16), 1.0), NotImplementedError,
     "\"zeta_cpu\" not implemented for 'Half'"),
])
def test_errors_match_torch(call, error, message):
    check_error_like_torch(call, error, message)


def test_second_argument_alone_gets_its_gradient():
    a = nptorch.tensor([1.5, 2.0])
    x = nptorch.tensor([1.0, 2.0], requires_grad=True)
    nptorch.special.gammaincc(a, x).sum().backward()
    expected = -torch.exp(-torch.tensor([1.0, 2.0])) * torch.tensor([1.0, 2.0]) ** torch.tensor(
        [0.5, 1.0]) / torch.exp(torch.lgamma(torch.tensor([1.5, 2.0])))
    np.testing.assert_allclose(x.grad.numpy(), expected.numpy(), rtol=1e-6)
    assert nptorch.special.zeta(3.0, x).grad_fn.name() == "SpecialZetaBackward0"


# -- functions of one argument, without gradient ---------------------------------------------
@pytest.mark.parametrize("name", ["airy_ai", "spherical_bessel_j0"])
def test_functions_without_gradient(name):
    x = np.array([-1e3, -4.5, -1.0, 0.0, 1e-5, 0.7, 3.0, 1e3, np.inf, -np.inf, np.nan])
    check_op(lambda lib, t: getattr(lib.special, name)(t), x, grad=False, rtol=1e-9, atol=1e-12)
    check_op(lambda lib, t: getattr(lib.special, name)(t), np.array([1, 2, 5]), grad=False)
    ours = getattr(nptorch.special, name)(nptorch.ones(2, requires_grad=True))
    assert not ours.requires_grad
    check_error_like_torch(lambda lib: getattr(lib.special, name)(lib.ones(2, dtype=lib.float16)),
                           NotImplementedError, f"\"{name}_cpu\" not implemented for 'Half'")


# -- orthogonal polynomials -----------------------------------------------------------------
POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
               "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
               "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
               "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
               "laguerre_polynomial_l", "legendre_polynomial_p"]
X = np.array([-3.0, -1.0, -0.999, -0.5, 0.0, 0.3, 0.5, 0.75, 1.0, 1.001, 2.0, 5.0])
# negative, non-integer (truncated) and non-finite (taken as negative) degrees included
N = np.array([-3.0, -0.5, 0.0, 0.9, 1.0, 2.0, 3.0, 5.0, 7.0, 12.0, 2.5, np.nan, np.inf])


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials(name):
    def op(lib, *args, **kwargs):
        return getattr(lib.special, name)(*args, **kwargs)
    check_op(lambda lib, x, n: op(lib, x[:, None], n), X, N, grad=False, rtol=1e-9, atol=1e-9)
    check_op(lambda lib, x, n: op(lib, x[:, None], n), X.astype(np.float32), N[:-2].astype(int),
             grad=False, rtol=1e-4, atol=1e-4)
    check_op(lambda lib, x: op(lib, x, 4), X.astype(np.float32), grad=False, rtol=1e-5, atol=1e-4)
    check_op(lambda lib, n: op(lib, 0.25, n), N, grad=False, rtol=1e-9, atol=1e-12)
    check_op(lambda lib, x: op(lib, x, lib.tensor(3.7, dtype=lib.float64)),
             np.array([1, 2, 3]), grad=False)
    check_op(lambda lib, x: op(lib, x=x, n=True), X.astype(np.float32), grad=False)
    assert not op(nptorch, nptorch.ones(2, requires_grad=True), 3).requires_grad


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.special.hermite_polynomial_h(2.0, 3), TypeError,
     r"special_hermite_polynomial_h\(\) received an invalid combination of arguments - got "
     r"\(float, int\)"),
    (lambda lib: lib.special.legendre_polynomial_p(lib.ones(2, dtype=lib.float16), 2),
     NotImplementedError, "\"legendre_polynomial_p_cpu\" not implemented for 'Half'"),
    (lambda lib: lib.special.chebyshev_polynomial_t(lib.ones(2), lib.ones(3)), RuntimeError,
     r"The size of tensor a \(2\) must match the size of tensor b \(3\)"),
])
def test_polynomial_errors(call, error, message):
    check_error_like_torch(call, error, message)


def test_polynomial_out():
    out = nptorch.empty(3)
    x = nptorch.tensor([0.1, 0.5, 2.0])
    assert nptorch.special.laguerre_polynomial_l(x, 3, out=out) is out
    expected = torch.special.laguerre_polynomial_l(torch.tensor([0.1, 0.5, 2.0]), 3)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)
