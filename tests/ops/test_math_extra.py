"""Elementwise functions beyond the basic ones (inverse hyperbolics, gamma family, Bessel,
xlogy, logaddexp, copysign, fmax, shifts, ...) and torch.special, compared with PyTorch."""
import numpy as np
import pytest

import nptorch

from helpers import check_op, check_error_like_torch

torch = pytest.importorskip("torch")

POSITIVE = np.array([[0.3, 1.5, 2.2], [0.8, 3.1, 0.05]], np.float32)
ABOVE_ONE = POSITIVE + 1.2
UNIT = np.array([[0.1, 0.45, 0.7], [0.9, 0.25, 0.6]], np.float32)
SIGNED = np.array([[-1.3, 0.4, 2.1], [-0.2, 1.7, -2.6]], np.float32)

UNARY = [
    ("acosh", lambda lib, x: x.acosh(), ABOVE_ONE),
    ("arccosh", lambda lib, x: lib.arccosh(x), ABOVE_ONE),
    ("asinh", lambda lib, x: lib.asinh(x), SIGNED),
    ("atanh", lambda lib, x: x.arctanh(), SIGNED / 3),
    ("exp2", lambda lib, x: lib.exp2(x), SIGNED),
    ("erfc", lambda lib, x: x.erfc(), SIGNED),
    ("lgamma", lambda lib, x: lib.lgamma(x), SIGNED + 0.05),
    ("digamma", lambda lib, x: x.digamma(), POSITIVE),
    ("polygamma1", lambda lib, x: lib.polygamma(1, x), POSITIVE),
    ("polygamma2_method", lambda lib, x: x.polygamma(2), POSITIVE),
    ("mvlgamma", lambda lib, x: lib.mvlgamma(x, 3), ABOVE_ONE),
    ("i0", lambda lib, x: lib.i0(x), SIGNED),
    ("sinc", lambda lib, x: lib.sinc(x), SIGNED),
    ("logit", lambda lib, x: lib.logit(x), UNIT),
    ("logit_eps", lambda lib, x: x.logit(0.2), UNIT),
    ("deg2rad", lambda lib, x: lib.deg2rad(x), SIGNED),
    ("rad2deg", lambda lib, x: x.rad2deg(), SIGNED),
    ("sgn", lambda lib, x: x.sgn(), SIGNED),
    ("special_expit", lambda lib, x: lib.special.expit(x), SIGNED),
    ("special_erfcx", lambda lib, x: lib.special.erfcx(x), SIGNED),
    ("special_i0e", lambda lib, x: lib.special.i0e(x), SIGNED),
    ("special_i1", lambda lib, x: lib.special.i1(x), SIGNED),
    ("special_i1e", lambda lib, x: lib.special.i1e(x), SIGNED),
    ("special_ndtr", lambda lib, x: lib.special.ndtr(x), SIGNED),
    ("special_ndtri", lambda lib, x: lib.special.ndtri(x), UNIT),
    ("special_log_ndtr", lambda lib, x: lib.special.log_ndtr(x * 4), SIGNED),
    ("special_entr", lambda lib, x: lib.special.entr(x), POSITIVE),
    ("special_gammaln", lambda lib, x: lib.special.gammaln(x), POSITIVE),
    ("special_psi", lambda lib, x: lib.special.psi(x), POSITIVE),
    ("special_multigammaln", lambda lib, x: lib.special.multigammaln(x, 2), ABOVE_ONE),
    ("special_sinc", lambda lib, x: lib.special.sinc(x), SIGNED),
    ("special_logsumexp", lambda lib, x: lib.special.logsumexp(x, 1), SIGNED),
    ("special_softmax", lambda lib, x: lib.special.softmax(x, 0), SIGNED),
]


@pytest.mark.parametrize("fn,x", [c[1:] for c in UNARY], ids=[c[0] for c in UNARY])
def test_unary(fn, x):
    check_op(fn, x)


def test_derivatives_at_zero():
    zero = np.array([0.0, 0.0], np.float32)
    for fn in (lambda lib, x: lib.sinc(x), lambda lib, x: lib.special.i1e(x),
               lambda lib, x: lib.special.i1(x)):
        check_op(fn, zero, gradcheck_inputs=False)


@pytest.mark.parametrize("name", ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1",
                                  "modified_bessel_i0", "modified_bessel_i1",
                                  "modified_bessel_k0", "modified_bessel_k1",
                                  "scaled_modified_bessel_k0", "scaled_modified_bessel_k1"])
def test_special_functions_without_gradient(name):
    x = POSITIVE.astype(np.float64)
    ours = getattr(nptorch.special, name)(nptorch.tensor(x, requires_grad=True))
    theirs = getattr(torch.special, name)(torch.tensor(x, requires_grad=True))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-9)
    assert not ours.requires_grad and not theirs.requires_grad


BINARY = [
    ("xlogy", lambda lib, x, y: lib.xlogy(x, y), SIGNED, POSITIVE),
    ("xlogy_method_scalar", lambda lib, x, y: x.xlogy(2.5), SIGNED, POSITIVE),
    ("xlogy_scalar_self", lambda lib, x, y: lib.xlogy(2, y), SIGNED, POSITIVE),
    ("special_xlog1py", lambda lib, x, y: lib.special.xlog1py(x, y), SIGNED, POSITIVE),
    ("logaddexp", lambda lib, x, y: lib.logaddexp(x, y), SIGNED, POSITIVE),
    ("logaddexp2", lambda lib, x, y: x.logaddexp2(y[:1]), SIGNED, POSITIVE),
    ("copysign", lambda lib, x, y: lib.copysign(x, -y), SIGNED, POSITIVE),
    ("copysign_scalar", lambda lib, x, y: x.copysign(-1.0), SIGNED, POSITIVE),
    ("fmax", lambda lib, x, y: lib.fmax(x, y), SIGNED, POSITIVE),
    ("fmin", lambda lib, x, y: x.fmin(y[1:]), SIGNED, POSITIVE),
    ("float_power", lambda lib, x, y: lib.float_power(y, x), SIGNED, POSITIVE),
    ("ldexp", lambda lib, x, y: lib.ldexp(x, lib.tensor([1, 0, 3])), SIGNED, POSITIVE),
]


@pytest.mark.parametrize("fn,x,y", [c[1:] for c in BINARY], ids=[c[0] for c in BINARY])
def test_binary(fn, x, y):
    check_op(fn, x, y)


def test_ldexp_gradient_with_negative_exponents():
    # d/dx x * 2 ** e = 2 ** e (PyTorch 2.13 gives 0 here: it raises 2 to -2 in integers)
    x = nptorch.tensor([0.5, 0.5], requires_grad=True)
    nptorch.ldexp(x, nptorch.tensor([-2, 3])).sum().backward()
    assert x.grad.tolist() == [0.25, 8.0]


def test_xlogy_at_zero_and_nan():
    x = np.array([0.0, 0.0, 1.0, 0.0], np.float32)
    y = np.array([0.0, np.nan, 2.0, 3.0], np.float32)
    check_op(lambda lib, a, b: lib.xlogy(a, b), x, y, gradcheck_inputs=False)


def test_fmax_fmin_nan_and_ties():
    x = np.array([1.0, np.nan, 2.0, np.nan], np.float32)
    y = np.array([np.nan, 3.0, 2.0, np.nan], np.float32)
    for name in ("fmax", "fmin"):
        check_op(lambda lib, a, b: getattr(lib, name)(a, b), x, y, gradcheck_inputs=False)


def test_integer_ops():
    a, b = np.array([4, -6, 9, 0]), np.array([6, 9, -3, 5])
    for name in ("gcd", "lcm", "bitwise_left_shift", "bitwise_right_shift"):
        shift = np.array([1, 2, 70, 63]) if "shift" in name else b
        for dtype in (np.int64, np.int32, np.uint8):
            if dtype == np.uint8 and name != "bitwise_left_shift":
                continue
            ours = getattr(nptorch, name)(nptorch.tensor(np.abs(a).astype(dtype)),
                                          nptorch.tensor(shift.astype(dtype)))
            theirs = getattr(torch, name)(torch.tensor(np.abs(a).astype(dtype)),
                                          torch.tensor(shift.astype(dtype)))
            assert ours.tolist() == theirs.tolist() and str(ours.dtype)[8:] == str(theirs.dtype)[6:]
    t = nptorch.tensor([-8, 5])
    assert (t >> 1).tolist() == [-4, 2] and (t << 2).tolist() == [-32, 20]
    assert (2 << nptorch.tensor([1, 3])).tolist() == [4, 16]
    assert (nptorch.tensor([True, False]) << 1).tolist() == [2, 0]
    t <<= 1
    assert t.tolist() == [-16, 10]


def test_values_without_gradients():
    x = nptorch.tensor([-1.0, 0.0, -0.0, 2.0, float("nan")])
    tx = torch.tensor([-1.0, 0.0, -0.0, 2.0, float("nan")])
    for fn in (lambda lib, v: lib.angle(v), lambda lib, v: lib.signbit(v),
               lambda lib, v: lib.heaviside(v, v.new_tensor([0.5])),
               lambda lib, v: lib.nextafter(v, v.new_tensor([1.0])),
               lambda lib, v: lib.isposinf(v / 0), lambda lib, v: lib.isneginf(v / 0),
               lambda lib, v: lib.isreal(v), lambda lib, v: lib.angle(lib.tensor([-2, 3]))):
        ours, theirs = fn(nptorch, x), fn(torch, tx)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert str(ours.dtype)[8:] == str(theirs.dtype)[6:]


def test_inplace_forms():
    for name, args in (("lgamma_", ()), ("digamma_", ()), ("polygamma_", (1,)), ("exp2_", ()),
                       ("xlogy_", (2.0,)), ("copysign_", (-1.0,)), ("logit_", (0.1,)),
                       ("sinc_", ()), ("acosh_", ())):
        ours = nptorch.tensor(ABOVE_ONE.copy())
        theirs = torch.tensor(ABOVE_ONE.copy())
        assert getattr(ours, name)(*args) is ours
        getattr(theirs, name)(*args)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5)
    assert not hasattr(nptorch.Tensor, "fmax_") and not hasattr(nptorch.Tensor, "logaddexp_")


def test_real_tensors_have_no_complex_part():
    x = nptorch.tensor([1.0, -2.0])
    assert x.real is x and nptorch.real(x) is x and x.conj() is x and x.resolve_conj() is x
    assert not x.is_conj() and not x.is_neg() and not nptorch.is_complex(x)
    assert nptorch.adjoint(nptorch.zeros(2, 3)).shape == (3, 2)
    for call in (lambda: x.imag, lambda: nptorch.imag(x)):
        with pytest.raises(RuntimeError, match="imag is not implemented for tensors with "
                                               "non-complex dtypes."):
            call()


def test_integer_inputs_promote_to_float():
    for name in ("acosh", "exp2", "lgamma", "digamma", "i0", "sinc", "erfc", "deg2rad",
                 "logit"):
        ours = getattr(nptorch, name)(nptorch.tensor([1, 2]))
        theirs = getattr(torch, name)(torch.tensor([1, 2]))
        assert ours.dtype == nptorch.float32
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.logaddexp(lib.tensor([1.0]), 2), TypeError,
     "logaddexp\\(\\): argument 'other' \\(position 2\\) must be Tensor, not int"),
    (lambda lib: lib.logaddexp(lib.tensor([1, 2]), lib.tensor([1, 2])), NotImplementedError,
     "\"logaddexp_cpu\" not implemented for 'Long'"),
    (lambda lib: lib.fmax(lib.tensor([1.0]), 2), TypeError,
     "fmax\\(\\): argument 'other' \\(position 2\\) must be Tensor, not int"),
    (lambda lib: lib.gcd(lib.tensor([4.0]), lib.tensor([6.0])), NotImplementedError,
     "\"gcd_cpu\" not implemented for 'Float'"),
    (lambda lib: lib.gcd(lib.tensor([True]), lib.tensor([False])), NotImplementedError,
     "\"gcd_cpu\" not implemented for 'Bool'"),
    (lambda lib: lib.tensor([1.5]) << 2, NotImplementedError, "\"lshift_cpu\" not implemented for 'Float'"),
    (lambda lib: lib.heaviside(lib.tensor([1.0]), lib.tensor([1])), RuntimeError,
     "heaviside is not yet implemented for tensors with different dtypes."),
    (lambda lib: lib.nextafter(lib.tensor([1]), lib.tensor([2])), NotImplementedError,
     "\"nextafter_cpu\" not implemented for 'Long'"),
    (lambda lib: lib.polygamma(-1, lib.tensor([1.0])), RuntimeError,
     "polygamma\\(n, x\\) does not support negative n."),
])
def test_errors_match_torch(call, error, message):
    check_error_like_torch(call, error, message)


def test_logaddexp_promotes_mixed_dtypes():
    for name in ("logaddexp", "logaddexp2"):
        ours = getattr(nptorch, name)(nptorch.tensor([0.0, 1.0]), nptorch.tensor([1, 2]))
        theirs = getattr(torch, name)(torch.tensor([0.0, 1.0]), torch.tensor([1, 2]))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
        assert ours.dtype == nptorch.float32
