"""``autograd.Function`` in the ``setup_context`` style (``forward`` without ctx), compared with
PyTorch: gradients, the ctx API, in-place inputs, double backward and the errors.

Like the rest of tests/autograd, CI runs this file again with ``NPTORCH_PURE_PYTHON=1``, which
exercises the pure-Python twin of the compiled engine.
"""
import warnings

import numpy as np
import pytest

import nptorch
from helpers import check_error_like_torch, check_same_error_as_torch


def make(lib, name, **methods):
    """A Function subclass of ``lib`` called ``name`` with the given static methods."""
    return type(name, (lib.autograd.Function,),
                {key: staticmethod(fn) for key, fn in methods.items()})


def _double(x):
    return x * 2


def _nothing(ctx, inputs, output):
    pass


def _pass_through(ctx, grad):
    return grad


def functions(lib):
    """The same custom Functions, written against ``lib`` (nptorch or torch)."""
    Function = lib.autograd.Function

    class ScaledMul(Function):
        @staticmethod
        def forward(x, y, scale=2.0):
            return x * y * scale

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y, scale = inputs
            ctx.save_for_backward(x, y)
            ctx.scale = scale

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            return grad * y * ctx.scale, grad * x * ctx.scale, None

    # saves its output
    Exp = make(lib, "Exp", forward=lambda x: x.exp(),
               setup_context=lambda ctx, inputs, output: ctx.save_for_backward(output),
               backward=lambda ctx, grad: grad * ctx.saved_tensors[0])
    # a backward written with differentiable ops: second derivatives work
    Cube = make(lib, "Cube", forward=lambda x: x ** 3,
                setup_context=lambda ctx, inputs, output: ctx.save_for_backward(inputs[0]),
                backward=lambda ctx, grad: grad * 3 * ctx.saved_tensors[0] ** 2)

    class Split(Function):
        """Two outputs, the second marked non-differentiable, no materialized gradients."""

        @staticmethod
        def forward(x):
            return x * 2, x * 3, (x > 1).to(x.dtype)

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.mark_non_differentiable(output[2])
            ctx.set_materialize_grads(False)

        @staticmethod
        def backward(ctx, ga, gb, gm):
            ctx.received = (ga is None, gb is None, gm is None)
            out = 0
            if ga is not None:
                out = out + ga * 2
            if gb is not None:
                out = out + gb * 3
            return out

    class DoubleInPlace(Function):
        @staticmethod
        def forward(x):
            x.mul_(2)
            return x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.mark_dirty(inputs[0])
            ctx.save_for_backward(output)

        @staticmethod
        def backward(ctx, grad):
            out, = ctx.saved_tensors
            return grad * 2 + out * 0

    return ScaledMul, Exp, Cube, Split, DoubleInPlace


@pytest.fixture(params=["nptorch", "torch"])
def lib(request, torch):
    return nptorch if request.param == "nptorch" else torch


def both(torch):
    return ((nptorch, functions(nptorch)), (torch, functions(torch)))


def test_gradients_match_torch(torch):
    results = []
    for lib, (ScaledMul, Exp, *_rest) in both(torch):
        x = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
        y = lib.tensor([3.0, 0.25, -1.0], requires_grad=True)
        out = ScaledMul.apply(x, y)
        assert out.grad_fn is not None and out.requires_grad
        (Exp.apply(out) * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        results.append((out.detach().numpy(), x.grad.numpy(), y.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_node_name(lib):
    ScaledMul, Exp, *_ = functions(lib)
    x = lib.tensor([1.0], requires_grad=True)
    assert type(ScaledMul.apply(x, x).grad_fn).__name__ == "ScaledMulBackward"
    assert type(Exp.apply(x).grad_fn).__name__ == "ExpBackward"


def test_inputs_are_bound_with_defaults(torch):
    seen = []
    for lib in (nptorch, torch):
        class Record(lib.autograd.Function):
            @staticmethod
            def forward(x, y, scale=2.0, shift=None):
                return x * y * scale

            @staticmethod
            def setup_context(ctx, inputs, output):
                seen.append((lib.__name__, [type(i).__name__ for i in inputs], inputs[2:],
                             ctx.needs_input_grad, lib.is_grad_enabled()))

            @staticmethod
            def backward(ctx, grad):
                return grad, grad, None, None

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0])
        Record.apply(x, y)
        Record.apply(x, y, 3.0)
        out = Record.apply(x, y=y, scale=1.0)
        assert out.tolist() == [3.0, 8.0]
    ours, theirs = seen[:3], seen[3:]
    assert [s[1:] for s in ours] == [s[1:] for s in theirs]
    assert ours[0][1:] == (["Tensor", "Tensor", "float", "NoneType"], (2.0, None),
                           (True, False, False, False), False)


def test_keyword_tensor_input_gets_a_gradient(torch):
    grads = []
    for lib, (ScaledMul, *_rest) in both(torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0], requires_grad=True)
        ScaledMul.apply(x, y=y, scale=0.5).sum().backward()
        grads.append((x.grad.tolist(), y.grad.tolist()))
    assert grads[0] == grads[1] == ([1.5, 2.0], [0.5, 1.0])


def test_forward_called_directly_is_a_plain_function(torch):
    for lib, (ScaledMul, Exp, *_rest) in both(torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        out = ScaledMul.forward(x, lib.tensor([3.0, 4.0]))
        assert out.tolist() == [6.0, 16.0]
        # ordinary ops, recorded as such: the Function's node is not involved
        assert out.requires_grad and type(out.grad_fn).__name__ == "MulBackward0"
        assert type(Exp.forward(x).grad_fn).__name__ == "ExpBackward0"


def test_forward_runs_with_grad_mode_off(lib):
    modes = []

    class Probe(lib.autograd.Function):
        @staticmethod
        def forward(x):
            modes.append(lib.is_grad_enabled())
            return x * 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            modes.append(lib.is_grad_enabled())

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    out = Probe.apply(lib.tensor([1.0], requires_grad=True))
    assert modes == [False, False] and lib.is_grad_enabled() and out.requires_grad


def test_needs_input_grad(torch):
    seen = []
    for lib in (nptorch, torch):
        class Record(lib.autograd.Function):
            @staticmethod
            def forward(x, k, w):
                return x * w * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                seen.append(ctx.needs_input_grad)

            @staticmethod
            def backward(ctx, grad):
                seen.append(ctx.needs_input_grad)
                return grad * 2, None, None

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        Record.apply(x, 2.0, lib.ones(2)).sum().backward()
        out = Record.apply(lib.ones(2), 2.0, lib.ones(2))
        assert not out.requires_grad and out.grad_fn is None
        with lib.no_grad():
            out = Record.apply(x, 2.0, lib.ones(2))
        assert not out.requires_grad and out.grad_fn is None
    assert seen[:4] == seen[4:]
    assert seen[:3] == [(True, False, False)] * 2 + [(False, False, False)]


def test_multiple_outputs_non_differentiable_and_unmaterialized(torch):
    received = []
    for lib, (_, _, _, Split, _) in both(torch):
        x = lib.tensor([0.5, 2.0], requires_grad=True)
        a, b, mask = Split.apply(x)
        assert a.grad_fn is b.grad_fn and a.requires_grad
        assert not mask.requires_grad and mask.grad_fn is None
        b.sum().backward()
        received.append((b.grad_fn.received, x.grad.tolist(), mask.tolist()))
    assert received[0] == received[1] == ((True, False, True), [3.0, 3.0], [0.0, 1.0])


def test_materialized_zero_gradients(torch):
    received = []
    for lib in (nptorch, torch):
        class Two(lib.autograd.Function):
            @staticmethod
            def forward(x):
                return x * 2, x * 3

            @staticmethod
            def setup_context(ctx, inputs, output):
                assert isinstance(output, tuple) and len(output) == 2

            @staticmethod
            def backward(ctx, ga, gb):
                received.append(ga.tolist())
                return ga * 2 + gb * 3

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        Two.apply(x)[1].sum().backward()
        received.append(x.grad.tolist())
    assert received[:2] == received[2:] == [[0.0, 0.0], [3.0, 3.0]]


def test_double_backward(torch):
    results = []
    for lib, (_, Exp, Cube, *_rest) in both(torch):
        x = lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64, requires_grad=True)
        g, = lib.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        assert g.requires_grad
        g2, = lib.autograd.grad(g.sum(), x, create_graph=True)
        g2.sum().backward()
        h, = lib.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)
        h2, = lib.autograd.grad(h.sum(), x)
        results.append([t.detach().numpy() for t in (g, g2, x.grad, h2)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(results[0][1], 6 * np.array([0.5, -1.5, 2.0]))


def test_gradcheck_and_gradgradcheck():
    ScaledMul, Exp, Cube, *_ = functions(nptorch)
    x = nptorch.tensor([0.3, -0.7, 1.1], dtype=nptorch.float64, requires_grad=True)
    y = nptorch.tensor([1.2, 0.4, -0.9], dtype=nptorch.float64, requires_grad=True)
    assert nptorch.autograd.gradcheck(lambda a, b: ScaledMul.apply(a, b, 1.5), (x, y))
    assert nptorch.autograd.gradcheck(Exp.apply, (x,))
    assert nptorch.autograd.gradgradcheck(Cube.apply, (x,))


def test_once_differentiable(torch):
    for lib in (nptorch, torch):
        class OnceSquare(lib.autograd.Function):
            @staticmethod
            def forward(x):
                return x * x

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(inputs[0])

            @staticmethod
            @lib.autograd.function.once_differentiable
            def backward(ctx, grad):
                x, = ctx.saved_tensors
                return grad * 2 * x

        x = lib.tensor([1.0, 3.0], requires_grad=True)
        OnceSquare.apply(x).sum().backward()
        assert x.grad.tolist() == [2.0, 6.0]
        y = OnceSquare.apply(x)
        g, = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        assert g.requires_grad and g.tolist() == [4.0, 108.0]
        with pytest.raises(RuntimeError, match="trying to differentiate twice a function that "
                                               "was marked with @once_differentiable"):
            g.sum().backward()


def test_subclass_inherits_the_style(lib):
    ScaledMul, *_ = functions(lib)

    class Sub(ScaledMul):
        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            return grad * 10, None, None

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    Sub.apply(x, lib.tensor([1.0, 1.0])).sum().backward()
    assert x.grad.tolist() == [10.0, 10.0]


def test_apply_overridden_in_a_subclass(lib):
    ScaledMul, *_ = functions(lib)

    class Wrapped(ScaledMul):
        @classmethod
        def apply(cls, x, y):
            return super().apply(x, y, 0.5) + 1

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    out = Wrapped.apply(x, lib.tensor([4.0, 6.0]))
    out.sum().backward()
    assert out.tolist() == [3.0, 7.0] and x.grad.tolist() == [2.0, 3.0]


def test_setup_context_assigned_after_definition(lib):
    Late = make(lib, "Late", forward=lambda ctx, x: x * 2, backward=lambda ctx, grad: grad * 7)
    x = lib.tensor([1.0], requires_grad=True)
    assert Late.apply(x).tolist() == [2.0]
    Late.forward = staticmethod(lambda x: x * 3)
    Late.setup_context = staticmethod(lambda ctx, inputs, output: None)
    out = Late.apply(x)
    out.backward()
    assert out.tolist() == [3.0] and x.grad.tolist() == [7.0]
    del Late.setup_context  # back to a forward that takes ctx
    Late.forward = staticmethod(lambda ctx, x: x * 4)
    assert Late.apply(x).tolist() == [4.0]


def test_vjp_is_backward(lib):
    OnlyVjp = make(lib, "OnlyVjp", forward=_double, setup_context=_nothing,
                   vjp=lambda ctx, grad: grad * 5)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    OnlyVjp.apply(x).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]
    assert lib.autograd.Function.vjp is lib.autograd.Function.backward


# -- mark_dirty -----------------------------------------------------------------------------------
def test_mark_dirty_rebases_the_input(torch):
    results = []
    for lib, (*_, DoubleInPlace) in both(torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        c = DoubleInPlace.apply(b)
        assert c is b  # the modified input itself, with the Function as its history
        assert type(b.grad_fn).__name__ == "DoubleInPlaceBackward"
        c.sum().backward()
        results.append((b._version, b.tolist(), a.grad.tolist()))
    assert results[0] == results[1] == (2, [2.0, 4.0], [2.0, 2.0])


def test_mark_dirty_without_grad(torch):
    results = []
    for lib, (*_, DoubleInPlace) in both(torch):
        t = lib.tensor([1.0, 2.0])
        c = DoubleInPlace.apply(t)
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.no_grad():
            d = DoubleInPlace.apply(a)
        results.append((c is t, c.requires_grad, t.tolist(), d is a, d.requires_grad,
                        a.tolist(), a._version, d._version))
    assert results[0] == results[1]
    assert results[0] == (True, False, [2.0, 4.0], False, False, [2.0, 4.0], 2, 2)


def test_mark_dirty_of_a_view_reaches_the_base(torch):
    results = []
    for lib, (*_, DoubleInPlace) in both(torch):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        base = a * 1
        view = base[:2]
        out = DoubleInPlace.apply(view)
        assert out is view
        (base * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        results.append((base.tolist(), a.grad.tolist()))
    assert results[0] == results[1] == ([2.0, 4.0, 3.0], [2.0, 20.0, 100.0])


def test_mark_dirty_makes_earlier_saved_values_stale(torch):
    for lib, (*_, DoubleInPlace) in both(torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        d = b * b  # saves b
        DoubleInPlace.apply(b)
        with pytest.raises(RuntimeError, match=r"one of the variables needed for gradient "
                           r"computation has been modified by an inplace operation: .*which is "
                           r"output 0 of DoubleInPlace, is at version 2; expected version 0"):
            d.sum().backward()


def test_mark_dirty_errors(torch):
    def leaf(lib):
        DoubleInPlace = functions(lib)[-1]
        DoubleInPlace.apply(lib.tensor([1.0], requires_grad=True))

    check_same_error_as_torch(leaf)

    def not_returned(lib):
        class NotReturned(lib.autograd.Function):
            @staticmethod
            def forward(x):
                x.mul_(2)
                return x * 1

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.mark_dirty(inputs[0])

            @staticmethod
            def backward(ctx, grad):
                return grad

        NotReturned.apply(lib.tensor([1.0]))

    check_same_error_as_torch(not_returned)


@pytest.mark.parametrize("method, error, message", [
    ("mark_dirty", RuntimeError, "mark_dirty can only accept variables, but argument "),
    ("mark_non_differentiable", RuntimeError,
     "mark_non_differentiable only accepts variable arguments, but got "),
    ("save_for_backward", TypeError,
     "save_for_backward can only save variables, but argument 1 is of type int"),
])
def test_ctx_methods_take_only_tensors(method, error, message):
    def call(lib):
        Bad = make(lib, "Bad", forward=_double, backward=_pass_through,
                   setup_context=lambda ctx, inputs, output: getattr(ctx, method)(output, 3))
        Bad.apply(lib.tensor([1.0], requires_grad=True))

    check_error_like_torch(call, error, message)


# -- errors of ill-formed Functions ---------------------------------------------------------------
def _forward_with_ctx_and_setup_context(lib):
    make(lib, "Wrong", forward=lambda ctx, x: x * 2, setup_context=_nothing).apply(
        lib.tensor([1.0]))


def _forward_without_ctx_and_no_setup_context(lib):
    make(lib, "Wrong", forward=_double).apply(lib.tensor([1.0]))


def _setup_context_without_forward(lib):
    make(lib, "Wrong", setup_context=_nothing).apply(lib.tensor([1.0]))


def _nothing_overridden(lib):
    make(lib, "Empty").apply(lib.tensor([1.0]))


def _base_forward_called(lib):
    lib.autograd.Function.forward()


def _base_setup_context_called(lib):
    lib.autograd.Function.setup_context(None, (), None)


def _no_backward(lib):
    fn = make(lib, "NoBackward", forward=_double, setup_context=_nothing)
    fn.apply(lib.tensor([1.0], requires_grad=True)).sum().backward()


def _both_backward_and_vjp(lib):
    fn = make(lib, "Both", forward=_double, setup_context=_nothing, backward=_pass_through,
              vjp=_pass_through)
    fn.apply(lib.tensor([1.0], requires_grad=True)).sum().backward()


def _unexpected_keyword(lib):
    ScaledMul = functions(lib)[0]
    ScaledMul.apply(lib.tensor([1.0]), lib.tensor([1.0]), scale=1.0, bias=2.0)


def _missing_argument(lib):
    ScaledMul = functions(lib)[0]
    ScaledMul.apply(lib.tensor([1.0]))


def _keyword_only_parameter(lib):
    def forward(x, *, k=2.0):
        return x * k

    make(lib, "KeywordOnly", forward=forward, setup_context=_nothing).apply(lib.tensor([1.0]))


def _setup_context_raises(lib):
    def setup_context(ctx, inputs, output):
        raise ValueError("bad context")

    fn = make(lib, "Raises", forward=_double, setup_context=setup_context)
    fn.apply(lib.tensor([1.0], requires_grad=True))


def _legacy_call(lib):
    ScaledMul = functions(lib)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        instance = ScaledMul()
    instance(lib.tensor([1.0]), lib.tensor([1.0]))


@pytest.mark.parametrize("call", [
    _forward_with_ctx_and_setup_context, _forward_without_ctx_and_no_setup_context,
    _setup_context_without_forward, _nothing_overridden, _base_forward_called,
    _base_setup_context_called, _no_backward, _both_backward_and_vjp, _unexpected_keyword,
    _missing_argument, _keyword_only_parameter, _setup_context_raises, _legacy_call,
])
def test_errors_match_torch(call):
    check_same_error_as_torch(call)


def test_grad_mode_restored_after_an_error(lib):
    with pytest.raises(ValueError, match="bad context"):
        _setup_context_raises(lib)
    assert lib.is_grad_enabled()


def test_instantiating_warns(torch):
    messages = []
    for lib in (nptorch, torch):
        ScaledMul = functions(lib)[0]
        with pytest.warns(DeprecationWarning) as record:
            ScaledMul()
        messages.append(str(record[0].message).replace(lib.__name__, "LIB"))
    assert "should not be instantiated. Methods on autograd functions are all static" in messages[0]
    assert messages[0].split("'>", 1)[1] == messages[1].split("'>", 1)[1]
