"""Custom ``autograd.Function``s, the ctx API, gradient validation and version counters."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import Function, once_differentiable


def leaf(values, dtype=None):
    return nptorch.tensor(values, dtype=dtype, requires_grad=True)


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, gy):
        x, = ctx.saved_tensors
        return gy * 2 * x


class ExpFn(Function):
    """Saves its own output for backward."""

    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        y, = ctx.saved_tensors
        return gy * y


class ScaleShift(Function):
    """Non-tensor arguments and keyword arguments."""

    @staticmethod
    def forward(ctx, x, scale, shift=0.0):
        ctx.scale = scale
        return x * scale + shift

    @staticmethod
    def backward(ctx, gy):
        return gy * ctx.scale, None, None


def test_save_for_backward_and_saved_tensors():
    x = leaf([1.0, -2.0, 3.0])
    y = Square.apply(x)
    assert y.tolist() == [1.0, 4.0, 9.0]
    assert y.grad_fn.name() == "SquareBackward"
    saved, = y.grad_fn.saved_tensors
    assert saved is x
    y.sum().backward()
    assert x.grad.tolist() == [2.0, -4.0, 6.0]


def test_saved_output(torch):
    x = leaf([0.5, 1.0])
    y = ExpFn.apply(x)
    (y * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([0.5, 1.0]), rtol=1e-6)


def test_saved_output_second_derivative(torch):
    x = leaf([0.5, 1.0], dtype=nptorch.float64)
    g, = nptorch.autograd.grad(ExpFn.apply(x).sum(), x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, 1.0]), rtol=1e-12)


def test_saved_tensors_freed_after_backward():
    x = leaf([1.0])
    y = Square.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.saved_tensors


def test_saved_tensors_kept_with_retain_graph():
    x = leaf([3.0])
    y = Square.apply(x)
    y.sum().backward(retain_graph=True)
    assert y.grad_fn.saved_tensors[0] is x
    y.sum().backward()
    assert x.grad.tolist() == [12.0]


def test_non_tensor_and_keyword_arguments(torch):
    x = leaf([1.0, 2.0])
    y = ScaleShift.apply(x, 3.0, shift=1.0)
    assert y.tolist() == [4.0, 7.0]
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_needs_input_grad():
    seen = {}

    class Record(Function):
        @staticmethod
        def forward(ctx, x, k, w):
            seen["forward"] = ctx.needs_input_grad
            return x * w * k

        @staticmethod
        def backward(ctx, gy):
            seen["backward"] = ctx.needs_input_grad
            return gy * 2, None, None

    x = leaf([1.0, 2.0])
    Record.apply(x, 2.0, nptorch.ones(2)).sum().backward()
    assert seen == {"forward": (True, False, False), "backward": (True, False, False)}
    out = Record.apply(nptorch.ones(2), 2.0, nptorch.ones(2))
    assert seen["forward"] == (False, False, False)
    assert not out.requires_grad and out.grad_fn is None


def test_multiple_outputs(torch):
    class SplitScale(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb * 3

    x = leaf([1.0, 2.0])
    a, b = SplitScale.apply(x)
    assert a.grad_fn is b.grad_fn
    (a.sum() + b.sum() * 10).backward()
    assert x.grad.tolist() == [32.0, 32.0]
    # only one output used: the other's gradient is materialised as zeros
    x.grad = None
    a, b = SplitScale.apply(x)
    b.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_set_materialize_grads_false_passes_none():
    received = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            received.append((ga, None if gb is None else gb.tolist()))
            out = None
            if ga is not None:
                out = ga * 2
            if gb is not None:
                out = gb * 3 if out is None else out + gb * 3
            return out

    x = leaf([1.0, 2.0])
    _, b = Two.apply(x)
    b.sum().backward()
    assert received == [(None, [1.0, 1.0])]
    assert x.grad.tolist() == [3.0, 3.0]


def test_materialized_zero_grad_values(torch):
    received = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            received.append(ga.tolist())
            return ga * 2 + gb * 3

    x = leaf([1.0, 2.0])
    Two.apply(x)[1].sum().backward()
    assert received == [[0.0, 0.0]]


def test_mark_non_differentiable(torch):
    class WithIndex(Function):
        @staticmethod
        def forward(ctx, x):
            idx = nptorch.tensor([1.0, 0.0])
            ctx.mark_non_differentiable(idx)
            return x * 2, idx

        @staticmethod
        def backward(ctx, gy, gidx):
            assert gidx.tolist() == [0.0, 0.0]
            return gy * 2

    x = leaf([1.0, 2.0])
    out, idx = WithIndex.apply(x)
    assert out.requires_grad and not idx.requires_grad and idx.grad_fn is None
    out.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_integer_outputs_do_not_require_grad():
    class IntOut(Function):
        @staticmethod
        def forward(ctx, x):
            return nptorch.tensor([1, 2]), x * 2

        @staticmethod
        def backward(ctx, gi, gy):
            assert gi.dtype == nptorch.int64
            return gy * 2

    x = leaf([1.0, 2.0])
    i, y = IntOut.apply(x)
    assert not i.requires_grad and y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_returning_an_input_makes_a_new_tensor():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, gy):
            return gy * 5

    x = leaf([1.0, 2.0])
    y = Identity.apply(x)
    assert y is not x and x.grad_fn is None and y.grad_fn is not None
    y.sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


def test_mark_dirty_bumps_version_and_keeps_gradient(torch):
    class DoubleInPlace(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, gy):
            return gy * 2

    a = leaf([1.0, 2.0])
    b = a * 1
    c = DoubleInPlace.apply(b)
    assert b._version == 2  # the write and mark_dirty, as in PyTorch
    assert c.tolist() == [2.0, 4.0]
    c.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0]


def test_missing_backward():
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    with pytest.raises(NotImplementedError, match="You must implement either the backward"):
        NoBackward.apply(leaf([1.0])).sum().backward()


# -- once_differentiable -------------------------------------------------------------------------
class OnceSquare(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        x, = ctx.saved_tensors
        return gy * 2 * x


def test_once_differentiable_first_order():
    x = leaf([1.0, 3.0])
    OnceSquare.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 6.0]


def test_once_differentiable_double_backward_raises(torch):
    from torch.autograd.function import once_differentiable as t_once

    class TOnce(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @t_once
        def backward(ctx, gy):
            x, = ctx.saved_tensors
            return gy * 2 * x

    msg = "trying to differentiate twice a function that was marked with @once_differentiable"
    for lib, fn in ((nptorch, OnceSquare), (torch, TOnce)):
        x = lib.tensor([1.0, 3.0], requires_grad=True)
        y = fn.apply(x)
        g, = lib.autograd.grad((y * y).sum(), x, create_graph=True)  # gy requires grad
        assert g.requires_grad
        assert g.tolist() == [4.0, 108.0]
        with pytest.raises(RuntimeError, match=msg):
            g.sum().backward()


def test_once_differentiable_with_constant_grad_output(torch):
    # the incoming gradient does not require grad: the result is a plain tensor
    x = leaf([2.0])
    g, = nptorch.autograd.grad(OnceSquare.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [4.0] and not g.requires_grad


# -- gradient validation ------------------------------------------------------------------------
def test_wrong_number_of_gradients(torch):
    class TooFew(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, gy):
            return gy

    class TooMany(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, gy):
            return gy, gy

    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"function TooFewBackward returned an incorrect number "
                                           r"of gradients \(expected 2, got 1\)"):
        TooFew.apply(x, x).sum().backward()
    with pytest.raises(RuntimeError, match=r"function TooManyBackward returned an incorrect number "
                                           r"of gradients \(expected 1, got 2\)"):
        TooMany.apply(x).sum().backward()


def test_extra_none_gradients_are_allowed():
    class ExtraNone(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, gy):
            return gy * 2, None

    x = leaf([1.0, 2.0])
    ExtraNone.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_wrong_gradient_shape():
    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, gy):
            return nptorch.ones(3)

    with pytest.raises(RuntimeError, match=r"Function WrongShapeBackward returned an invalid gradient "
                                           r"at index 0 - got \[3\] but expected shape compatible "
                                           r"with \[2\]"):
        WrongShape.apply(leaf([1.0, 2.0])).sum().backward()


def test_gradient_dtype_is_cast_to_input_dtype():
    class Float64Grad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, gy):
            return gy.double() * 2

    x = leaf([1.0, 2.0])
    Float64Grad.apply(x).sum().backward()
    assert x.grad.dtype == nptorch.float32 and x.grad.tolist() == [2.0, 2.0]


# -- version counters ----------------------------------------------------------------------------
INPLACE_MSG = ("one of the variables needed for gradient computation has been modified by an "
               "inplace operation")


@pytest.mark.parametrize("case", ["saved_output", "saved_input"])
def test_modified_saved_tensor_raises(torch, case):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        if case == "saved_output":
            y = x.exp()
            y.add_(1)
            y.sum().backward()
        else:
            a = x * 1
            b = a * a
            a.add_(1)
            b.sum().backward()

    for lib in (torch, nptorch):
        with pytest.raises(RuntimeError, match=INPLACE_MSG):
            run(lib)


def test_modified_saved_tensor_in_custom_function():
    x = leaf([1.0, 2.0])
    a = x * 1
    y = Square.apply(a)
    a.mul_(3)
    with pytest.raises(RuntimeError, match=INPLACE_MSG + r": \[nptorch.float32 \[2\]\], which is output "
                                                          r"0 of Mul, is at version 1; expected "
                                                          r"version 0 instead"):
        y.sum().backward()


@pytest.mark.parametrize("case", ["add_", "detached", "leaf"])
def test_modified_saved_tensor_message_names_the_producer(torch, case):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x if case == "leaf" else x * 1
        b = a * a
        if case == "add_":
            a.add_(1)
        else:
            with lib.no_grad():
                a.mul_(3)
        with pytest.raises(RuntimeError, match=INPLACE_MSG) as info:
            b.sum().backward()
        message = str(info.value)
        return message[message.index("]]") + 2:message.index("instead")]

    assert run(nptorch) == run(torch)


def test_modification_of_unsaved_tensor_is_fine(torch):
    x = leaf([1.0, 2.0])
    a = x * 2
    b = a + 1  # add saves nothing
    a.add_(10)
    b.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


PRODUCTS = {"x * 2": lambda x, w, c: x * 2, "2 * x": lambda x, w, c: 2 * x,
            "x * c": lambda x, w, c: x * c, "x / 2": lambda x, w, c: x / 2,
            "x / c": lambda x, w, c: x / c, "c / x": lambda x, w, c: c / x,
            "x * w": lambda x, w, c: x * w, "w * x": lambda x, w, c: w * x,
            "w / x": lambda x, w, c: w / x, "x / w": lambda x, w, c: x / w,
            "c + 0.5 x": lambda x, w, c: c.add(x, alpha=0.5)}


@pytest.mark.parametrize("op", PRODUCTS)
def test_products_save_only_what_their_derivatives_read(torch, op):
    """As PyTorch's: x * c keeps c (not x) for x's derivative, x / w keeps x only for w's, so
    changing x in place afterwards breaks the backward pass exactly where PyTorch's breaks."""
    def run(lib):
        w = lib.tensor([1.5, -2.0], requires_grad=True)
        x = w * 1
        y = PRODUCTS[op](x, w, lib.tensor([3.0, 0.5]))
        x.mul_(4)
        try:
            y.sum().backward()
        except RuntimeError as error:
            assert INPLACE_MSG in str(error)
            return None
        return w.grad.tolist()

    ours = run(nptorch)
    assert ours == run(torch)
    if op in ("x * 2", "x * c", "x / 2", "x / c", "c + 0.5 x"):
        assert ours is not None


def test_in_place_on_leaf_requiring_grad_raises(torch):
    msg = "a leaf Variable that requires grad is being used in an in-place operation."
    for lib in (torch, nptorch):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match=msg):
            x.add_(1)
        with pytest.raises(RuntimeError, match=msg):
            x.mul_(2)
        with lib.no_grad():
            x.add_(1)  # allowed without recording
        assert x.tolist() == [2.0, 2.0]


def test_version_counter_bumps():
    x = nptorch.ones(2)
    assert x._version == 0
    x.add_(1)
    x.mul_(2)
    assert x._version == 2
    assert x.tolist() == [4.0, 4.0]
    y = x.detach()
    y.add_(1)
    assert x._version == 3


def test_in_place_on_non_leaf_is_differentiable(torch):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.mul_(y.detach() + 1)
        y.exp_()
        y.sum().backward()
        return x.grad.numpy(), y.grad_fn.name()

    g, name = run(nptorch)
    tg, tname = run(torch)
    np.testing.assert_allclose(g, tg, rtol=1e-5)
    assert name == tname


@pytest.mark.parametrize("gradient", [
    lambda lib, g: [g], lambda lib, g: 3, lambda lib, g: np.ones(2), lambda lib, g: (g, g)])
def test_backward_returning_a_wrong_gradient_raises_as_pytorch(gradient):
    torch = pytest.importorskip("torch")
    errors = []
    for lib in (nptorch, torch):
        class Twice(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return gradient(lib, g)

        with pytest.raises(RuntimeError) as caught:
            Twice.apply(lib.ones(2, requires_grad=True)).sum().backward()
        errors.append(str(caught.value).replace("TwiceBackward", "Backward"))
    assert errors[0] == errors[1]
