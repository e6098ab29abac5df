"""nptorch.autograd.functional against torch.autograd.functional: values, output structures
(tuple or not, per input and output) and error messages."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import functional as F

RNG = np.random.default_rng(0)
X = RNG.uniform(-1, 1, (3,))
Y = RNG.uniform(-1, 1, (2, 2))
S = RNG.uniform(-1, 1, ())


def _t(lib, a, requires_grad=False):
    return lib.tensor(a, dtype=lib.float64, requires_grad=requires_grad)


def _same(ours, theirs, requires_grad=None):
    """Same nesting (tuple / list / Tensor), shapes and values."""
    assert type(ours).__name__ == type(theirs).__name__, (ours, theirs)
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t, requires_grad)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    if requires_grad is not None:
        assert ours.requires_grad is requires_grad


# (function of lib, input arrays as a tuple or a single array); outputs tuple or not
FUNCS = {
    "single_in_single_out": (lambda lib: lambda x: x.sin() * x.sum(), X),
    "single_in_scalar_out": (lambda lib: lambda x: (x ** 3).sum(), X),
    "scalar_in": (lambda lib: lambda x: x.exp() * 2, S),
    "tuple_in_single_out": (lambda lib: lambda x, y: x[:2] * y.sum(0), (X, Y)),
    "single_in_tuple_out": (lambda lib: lambda x: (x.exp(), (x ** 2).sum()), X),
    "tuple_in_tuple_out": (lambda lib: lambda x, y: (x.tanh() * y.mean(), y @ y.t()), (X, Y)),
    "one_tuple_in": (lambda lib: lambda x: x.cos(), (X,)),
    "unused_input": (lambda lib: lambda x, y: x * 3, (X, Y)),
}

SCALAR_FUNCS = {
    "single": (lambda lib: lambda x: (x ** 3).sum() + x.prod(), X),
    "scalar": (lambda lib: lambda x: x.sin() * x, S),
    "tuple": (lambda lib: lambda x, y: (x[:2] ** 2 * y.sum(0)).sum() + y.exp().sum(), (X, Y)),
    "one_tuple": (lambda lib: lambda x: (x.exp() * x).sum(), (X,)),
    "unused": (lambda lib: lambda x, y: (x ** 3).sum(), (X, Y)),
    "linear_in_one": (lambda lib: lambda x, y: (x ** 2).sum() + y.sum(), (X, Y)),
}


def _inputs(lib, spec, requires_grad=False):
    if isinstance(spec, tuple):
        return tuple(_t(lib, a, requires_grad) for a in spec)
    return _t(lib, spec, requires_grad)


def _like(lib, template, seed):
    """Random float64 tensors structured like ``template`` (a tensor or tuple of tensors)."""
    rng = np.random.default_rng(seed)
    if isinstance(template, tuple):
        return tuple(_t(lib, rng.uniform(-1, 1, tuple(t.shape))) for t in template)
    return _t(lib, rng.uniform(-1, 1, tuple(template.shape)))


def _both(torch, run):
    return run(nptorch), run(torch)


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("kwargs", [{}, dict(vectorize=True),
                                    dict(vectorize=True, strategy="forward-mode")])
def test_jacobian(name, kwargs, torch):
    make, spec = FUNCS[name]
    ours, theirs = _both(torch, lambda lib: lib.autograd.functional.jacobian(
        make(lib), _inputs(lib, spec), **kwargs))
    _same(ours, theirs, requires_grad=False)


@pytest.mark.parametrize("name", FUNCS)
def test_vjp_and_jvp(name, torch):
    make, spec = FUNCS[name]

    def run_vjp(lib):
        inputs = _inputs(lib, spec)
        v = _like(lib, make(lib)(*_as_tuple(inputs)), 1)
        return lib.autograd.functional.vjp(make(lib), inputs, v)

    def run_jvp(lib):
        inputs = _inputs(lib, spec)
        return lib.autograd.functional.jvp(make(lib), inputs, _like(lib, inputs, 2))

    for run in (run_vjp, run_jvp):
        ours, theirs = _both(torch, run)
        _same(ours, theirs, requires_grad=False)


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


@pytest.mark.parametrize("name", SCALAR_FUNCS)
@pytest.mark.parametrize("kwargs", [{}, dict(vectorize=True)])
def test_hessian(name, kwargs, torch):
    make, spec = SCALAR_FUNCS[name]
    ours, theirs = _both(torch, lambda lib: lib.autograd.functional.hessian(
        make(lib), _inputs(lib, spec), **kwargs))
    _same(ours, theirs, requires_grad=False)


def test_hessian_forward_over_reverse(torch):
    make, spec = SCALAR_FUNCS["tuple"]
    ours, theirs = _both(torch, lambda lib: lib.autograd.functional.hessian(
        make(lib), _inputs(lib, spec), vectorize=True, outer_jacobian_strategy="forward-mode"))
    _same(ours, theirs)


@pytest.mark.parametrize("name", SCALAR_FUNCS)
@pytest.mark.parametrize("fn", ["hvp", "vhp"])
def test_hvp_vhp(name, fn, torch):
    make, spec = SCALAR_FUNCS[name]

    def run(lib):
        inputs = _inputs(lib, spec)
        return getattr(lib.autograd.functional, fn)(make(lib), inputs, _like(lib, inputs, 3))

    ours, theirs = _both(torch, run)
    _same(ours, theirs, requires_grad=False)


@pytest.mark.parametrize("fn", ["vjp", "jvp", "hvp", "vhp"])
def test_v_may_be_omitted_for_one_element(fn, torch):
    ours, theirs = _both(torch, lambda lib: getattr(lib.autograd.functional, fn)(
        lambda x: (x.exp() * x).sum(), _t(lib, [0.3])))
    _same(ours, theirs)


@pytest.mark.parametrize("fn, args", [
    ("jacobian", ()), ("hessian", ()), ("vjp", ("ones",)), ("jvp", ("v",)), ("hvp", ("v",)),
    ("vhp", ("v",)),
])
def test_create_graph_results_are_differentiable(fn, args, torch):
    def run(lib):
        x = _t(lib, X, requires_grad=True)
        func = (lambda x: x.sin() * x.sum()) if fn in ("jacobian", "vjp", "jvp") else \
            (lambda x: (x.sin() * x).sum() ** 2)
        extra = [lib.ones(3, dtype=lib.float64) if a == "ones" else _t(lib, [0.1, -0.2, 0.3])
                 for a in args]
        res = getattr(lib.autograd.functional, fn)(func, x, *extra, create_graph=True)
        last = res[-1] if isinstance(res, tuple) else res
        assert last.requires_grad
        (last ** 2).sum().backward()
        return x.grad

    ours, theirs = _both(torch, run)
    _same(ours, theirs)


def test_results_detached_without_create_graph():
    x = _t(nptorch, X, requires_grad=True)
    out, v = F.vjp(lambda x: x * 2, x, nptorch.ones(3, dtype=nptorch.float64))
    assert not out.requires_grad and not v.requires_grad and x.grad is None


def test_works_under_no_grad(torch):
    def run(lib):
        with lib.no_grad():
            return lib.autograd.functional.jacobian(lambda x: x ** 2, _t(lib, X))

    _same(*_both(torch, run))


def _error(lib, call):
    try:
        call(lib)
    except Exception as error:
        return type(error).__name__, str(error).replace("nptorch._tensor.Tensor", "torch.Tensor") \
            .replace("nptorch.", "torch.")
    return None


ERRORS = {
    "inputs_list": lambda lib: lib.autograd.functional.jacobian(lambda x: x, [_t(lib, X)]),
    "inputs_tuple_item": lambda lib: lib.autograd.functional.vjp(lambda x, y: x, (_t(lib, X), 1)),
    "outputs_type": lambda lib: lib.autograd.functional.jvp(lambda x: 3.0, _t(lib, X),
                                                            _t(lib, X)),
    "vjp_v_none": lambda lib: lib.autograd.functional.vjp(lambda x: x, _t(lib, X)),
    "jvp_v_none": lambda lib: lib.autograd.functional.jvp(lambda x: x, _t(lib, X)),
    "v_size": lambda lib: lib.autograd.functional.vjp(lambda x: x, _t(lib, X), _t(lib, [1.0])),
    "v_size_tuple": lambda lib: lib.autograd.functional.jvp(
        lambda x, y: x, (_t(lib, X), _t(lib, Y)), (_t(lib, X), _t(lib, X))),
    "v_length": lambda lib: lib.autograd.functional.jvp(
        lambda x, y: x, (_t(lib, X), _t(lib, Y)), (_t(lib, X),)),
    "v_length_single": lambda lib: lib.autograd.functional.vjp(
        lambda x: x, _t(lib, X), (_t(lib, X), _t(lib, X))),
    "hessian_tuple_output": lambda lib: lib.autograd.functional.hessian(
        lambda x: (x.sum(), x.sum()), _t(lib, X)),
    "hessian_many_elements": lambda lib: lib.autograd.functional.hessian(lambda x: x ** 2,
                                                                         _t(lib, X)),
    "hvp_many_elements": lambda lib: lib.autograd.functional.hvp(lambda x: x ** 2, _t(lib, X),
                                                                 _t(lib, X)),
    "vhp_tuple_output": lambda lib: lib.autograd.functional.vhp(
        lambda x: (x.sum(),), _t(lib, X), _t(lib, X)),
    "bad_strategy": lambda lib: lib.autograd.functional.jacobian(lambda x: x, _t(lib, X),
                                                                 strategy="other"),
    "bad_hessian_strategy": lambda lib: lib.autograd.functional.hessian(
        lambda x: x.sum(), _t(lib, X), outer_jacobian_strategy="other"),
    "forward_create_graph": lambda lib: lib.autograd.functional.jacobian(
        lambda x: x, _t(lib, X), create_graph=True, strategy="forward-mode"),
    "forward_strict": lambda lib: lib.autograd.functional.jacobian(
        lambda x: x, _t(lib, X), strict=True, strategy="forward-mode"),
    "forward_not_vectorized": lambda lib: lib.autograd.functional.jacobian(
        lambda x: x, _t(lib, X), strategy="forward-mode"),
    "strict_vectorize": lambda lib: lib.autograd.functional.jacobian(
        lambda x: x * 2, _t(lib, X), strict=True, vectorize=True),
    "strict_output_constant": lambda lib: lib.autograd.functional.vjp(
        lambda x: lib.ones(3, dtype=lib.float64), _t(lib, X), _t(lib, X), strict=True),
    "strict_vjp_unused": lambda lib: lib.autograd.functional.vjp(
        lambda x, y: x * 2, (_t(lib, X), _t(lib, Y)), _t(lib, X), strict=True),
    "strict_jacobian_unused": lambda lib: lib.autograd.functional.jacobian(
        lambda x, y: x * 2, (_t(lib, X), _t(lib, Y)), strict=True),
    "strict_jacobian_create_graph_linear": lambda lib: lib.autograd.functional.jacobian(
        lambda x, y: (x * y.sum(), y * 2), (_t(lib, X), _t(lib, Y)), strict=True,
        create_graph=True),
    "strict_jacobian_create_graph_constant": lambda lib: lib.autograd.functional.jacobian(
        lambda x: x * 2, _t(lib, X), strict=True, create_graph=True),
    "strict_vjp_create_graph_constant": lambda lib: lib.autograd.functional.vjp(
        lambda x: x * 2, _t(lib, X), _t(lib, X), strict=True, create_graph=True),
    "strict_vhp_create_graph_constant": lambda lib: lib.autograd.functional.vhp(
        lambda x: (x * x).sum(), _t(lib, X), _t(lib, X), strict=True, create_graph=True),
    "strict_jvp_unused": lambda lib: lib.autograd.functional.jvp(
        lambda x, y: x * 2, (_t(lib, X), _t(lib, Y)), (_t(lib, X), _t(lib, Y)), strict=True),
    "strict_jvp_grad_independent": lambda lib: lib.autograd.functional.jvp(
        lambda x: x.detach() * 0 + x.sum().detach(), _t(lib, X), _t(lib, X), strict=True),
    "strict_hessian_linear": lambda lib: lib.autograd.functional.hessian(
        lambda x: x.sum(), _t(lib, X), strict=True),
    "strict_vhp_linear": lambda lib: lib.autograd.functional.vhp(
        lambda x: x.sum(), _t(lib, X), _t(lib, X), strict=True),
    "strict_hvp_unused": lambda lib: lib.autograd.functional.hvp(
        lambda x, y: (x ** 2).sum(), (_t(lib, X), _t(lib, Y)), (_t(lib, X), _t(lib, Y)),
        strict=True),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors_match_pytorch(case, torch):
    expected = _error(torch, ERRORS[case])
    assert expected is not None
    assert _error(nptorch, ERRORS[case]) == expected


def test_namespace():
    assert nptorch.autograd.functional is F
    assert set(F.__all__) == {"vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"}
