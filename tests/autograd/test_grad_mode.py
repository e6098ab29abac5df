"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``."""
import pytest

import nptorch


@pytest.fixture(autouse=True)
def restore_grad_mode():
    yield
    assert nptorch.is_grad_enabled(), "a test left grad mode disabled"
    nptorch.set_grad_enabled(True)


def leaf():
    return nptorch.ones(2, requires_grad=True)


def test_default_enabled_and_ops_record():
    assert nptorch.is_grad_enabled() is True
    assert (leaf() * 2).requires_grad


def test_no_grad_context():
    x = leaf()
    with nptorch.no_grad():
        assert nptorch.is_grad_enabled() is False
        y = x * 2
        z = y.exp().sum()
    assert nptorch.is_grad_enabled() is True
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert not z.requires_grad
    assert x.requires_grad  # leaves keep their flag
    assert (x * 2).requires_grad


def test_no_grad_decorator_with_and_without_parentheses(torch):
    for lib in (nptorch, torch):
        x = lib.ones(2, requires_grad=True)

        @lib.no_grad()
        def with_parens(t):
            return lib.is_grad_enabled(), (t * 2).requires_grad

        @lib.no_grad
        def bare(t):
            """Docstring kept."""
            return lib.is_grad_enabled(), (t * 2).requires_grad

        assert with_parens(x) == (False, False)
        assert bare(x) == (False, False)
        assert bare.__name__ == "bare" and bare.__doc__ == "Docstring kept."
        assert lib.is_grad_enabled()


def test_enable_grad_inside_no_grad(torch):
    for lib in (nptorch, torch):
        x = lib.ones(2, requires_grad=True)

        @lib.enable_grad
        def bare():
            return lib.is_grad_enabled()

        with lib.no_grad():
            with lib.enable_grad():
                assert lib.is_grad_enabled()
                assert (x * 2).requires_grad
            assert not lib.is_grad_enabled()
            assert bare() is True
            assert lib.enable_grad()(lambda: lib.is_grad_enabled())() is True
            assert not lib.is_grad_enabled()


def test_nesting_restores_each_level():
    states = []
    with nptorch.no_grad():
        states.append(nptorch.is_grad_enabled())
        with nptorch.enable_grad():
            states.append(nptorch.is_grad_enabled())
            with nptorch.no_grad():
                states.append(nptorch.is_grad_enabled())
            states.append(nptorch.is_grad_enabled())
        states.append(nptorch.is_grad_enabled())
    states.append(nptorch.is_grad_enabled())
    assert states == [False, True, False, True, False, True]


def test_set_grad_enabled_function_and_context(torch):
    for lib in (nptorch, torch):
        lib.set_grad_enabled(False)
        assert not lib.is_grad_enabled()
        lib.set_grad_enabled(True)
        assert lib.is_grad_enabled()
        with lib.set_grad_enabled(False):
            assert not lib.is_grad_enabled()
            with lib.set_grad_enabled(True):
                assert lib.is_grad_enabled()
            assert not lib.is_grad_enabled()
        assert lib.is_grad_enabled()

        @lib.set_grad_enabled(False)
        def decorated():
            return lib.is_grad_enabled()

        assert lib.is_grad_enabled()  # decorating restores the mode set by the constructor
        assert decorated() is False
        assert lib.is_grad_enabled()


def test_set_grad_enabled_rejects_non_bool(torch):
    with pytest.raises(TypeError):
        torch.set_grad_enabled(lambda: None)
    with pytest.raises(TypeError, match="must be bool"):
        nptorch.set_grad_enabled(lambda: None)


def test_inference_mode(torch):
    for lib in (nptorch, torch):
        x = lib.ones(2, requires_grad=True)
        assert not lib.is_inference_mode_enabled()
        with lib.inference_mode():
            assert not lib.is_grad_enabled()
            assert lib.is_inference_mode_enabled()
            y = x * 2
        assert not y.requires_grad
        assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()
        with lib.inference_mode(False):
            assert lib.is_grad_enabled()
            assert not lib.is_inference_mode_enabled()
            assert (x * 2).requires_grad

        @lib.inference_mode
        def bare():
            return lib.is_grad_enabled(), lib.is_inference_mode_enabled()

        @lib.inference_mode()
        def called():
            return lib.is_grad_enabled(), lib.is_inference_mode_enabled()

        assert bare() == called() == (False, True)
        assert lib.is_grad_enabled()


@pytest.mark.parametrize("make", [nptorch.no_grad, nptorch.enable_grad,
                                  lambda: nptorch.set_grad_enabled(False), nptorch.inference_mode])
def test_exceptions_restore_mode(make):
    for outer in (True, False):
        nptorch.set_grad_enabled(outer)
        with pytest.raises(ValueError, match="boom"):
            with make():
                raise ValueError("boom")
        assert nptorch.is_grad_enabled() is outer
        nptorch.set_grad_enabled(True)


def test_exception_in_decorated_function_restores_mode():
    @nptorch.no_grad()
    def fail():
        raise KeyError("x")

    with pytest.raises(KeyError):
        fail()
    assert nptorch.is_grad_enabled()


def test_decorator_on_generator_keeps_mode_inside_only(torch):
    for lib in (nptorch, torch):
        @lib.no_grad()
        def gen():
            yield lib.is_grad_enabled()
            yield lib.is_grad_enabled()

        it = gen()
        assert next(it) is False
        assert lib.is_grad_enabled()
        assert next(it) is False
        assert lib.is_grad_enabled()


def test_backward_inside_no_grad_still_works():
    x = leaf()
    y = (x * x).sum()
    with nptorch.no_grad():
        y.backward()
    assert x.grad.tolist() == [2.0, 2.0]
    assert not x.grad.requires_grad


def test_in_place_on_leaf_allowed_under_no_grad():
    x = leaf()
    with nptorch.no_grad():
        x.mul_(3)
    assert x.tolist() == [3.0, 3.0] and x.requires_grad and x.is_leaf
    (x * x).sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]


def test_autograd_namespace_exports():
    from nptorch import autograd
    assert autograd.no_grad is nptorch.no_grad
    assert autograd.enable_grad is nptorch.enable_grad
    assert autograd.set_grad_enabled is nptorch.set_grad_enabled
    assert autograd.grad_mode.no_grad is nptorch.no_grad
