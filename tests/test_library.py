"""torch.library and torch.ops: custom operators (with and without autograd, mutating), the
Library API, schema inference and parsing, and errors, compared with PyTorch.

Each test defines its operators in namespaces of its own (``_ns``) in both libraries, so that
neither registry (nptorch's, or PyTorch's in this process) sees a name twice.
"""
import gc
import itertools
import re
import typing
from typing import Optional, Sequence

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck

_counter = itertools.count()


def _ns(tag):
    """A namespace used by no other test."""
    return f"nplib_{tag}_{next(_counter)}"


def _libs():
    torch = pytest.importorskip("torch")
    return (torch, nptorch)


def _raises(fn):
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def _same_error(call, normalize=lambda s: s):
    """``call(lib)`` raises the same exception type and message with both libraries."""
    torch = pytest.importorskip("torch")
    theirs, ours = _raises(lambda: call(torch)), _raises(lambda: call(nptorch))
    assert type(ours) is type(theirs), (ours, theirs)
    assert normalize(str(ours)) == normalize(str(theirs))
    return ours


def _np(t):
    return t.detach().cpu().numpy()


def _sin_op(lib, ns, with_autograd=True, device_types=None):
    """``ns::numpy_sin``: sin computed in NumPy, with ``cos`` as its derivative."""
    Tensor = lib.Tensor

    @lib.library.custom_op(f"{ns}::numpy_sin", mutates_args=(), device_types=device_types)
    def numpy_sin(x: Tensor) -> Tensor:
        return lib.from_numpy(np.sin(x.detach().cpu().numpy())).to(x.device)

    if with_autograd:
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * x.cos()

        numpy_sin.register_autograd(backward, setup_context=setup_context)
    return numpy_sin


# -- custom_op: forward --------------------------------------------------------------------

def test_custom_op_forward_and_torch_ops(device):
    ns = _ns("fwd")
    op = _sin_op(nptorch, ns)
    x = nptorch.randn(5, device=device)
    expected = np.sin(_np(x))
    for fn in (op, getattr(nptorch.ops, ns).numpy_sin, getattr(nptorch.ops, ns).numpy_sin.default):
        y = fn(x)
        assert y.device == x.device
        np.testing.assert_allclose(_np(y), expected, rtol=1e-6)
    assert repr(op) == f"<CustomOpDef({ns}::numpy_sin)>"


def test_custom_op_objects_match_torch():
    for lib in _libs():
        ns = "nplib_objects"
        op = _sin_op(lib, ns)
        packet = getattr(lib.ops, ns).numpy_sin
        overload = packet.default
        assert repr(op) == f"<CustomOpDef({ns}::numpy_sin)>"
        assert (str(packet), repr(packet)) == (f"{ns}.numpy_sin",
                                               f"<OpOverloadPacket(op='{ns}.numpy_sin')>")
        assert (str(overload), repr(overload)) == (
            f"{ns}.numpy_sin.default", f"<OpOverload(op='{ns}.numpy_sin', overload='default')>")
        assert overload.name() == f"{ns}::numpy_sin" and overload.namespace == ns
        assert overload.overloadpacket is packet and packet.overloads() == ["default"]
        assert str(overload._schema) == f"{ns}::numpy_sin(Tensor x) -> Tensor"
        assert packet.default is overload and getattr(lib.ops, ns) is getattr(lib.ops, ns)
        assert "numpy_sin" in dir(getattr(lib.ops, ns))


def test_custom_op_forward_matches_torch():
    results = []
    for lib in _libs():
        ns = _ns("scale")
        Tensor = lib.Tensor

        @lib.library.custom_op(f"{ns}::scale", mutates_args=())
        def scale(x: Tensor, k: float, n: int = 2, *, shift: float = 0.0) -> Tensor:
            return x * k * n + shift

        x = lib.tensor(np.arange(4.0, dtype=np.float32))
        results.append([_np(scale(x, 1.5)), _np(scale(x, 2, 3, shift=1)),
                        _np(getattr(lib.ops, ns).scale(x, k=0.5, shift=2.0))])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_array_equal(ours, theirs)


def test_kernel_receives_arguments_like_torch():
    """Trailing arguments equal to their defaults are dropped, values are converted."""
    seen = {}
    for lib in _libs():
        ns = _ns("args")
        got = seen[lib.__name__] = []
        lib_ = lib.library.Library(ns, "DEF")
        lib_.define("f(Tensor x, int n=2, float f=1.5, *, float k=1.0, str s='a', "
                    "int[] l=[1, 2]) -> Tensor")

        def f(*args, **kwargs):
            got.append((len(args), [a if not isinstance(a, lib.Tensor) else "T" for a in args],
                        kwargs))
            return args[0].clone()

        lib_.impl("f", f, "CPU")
        op = getattr(lib.ops, ns).f
        x = lib.ones(2)
        op(x)
        op(x, 2)
        op(x, 3)
        op(x, True, 2)
        op(x, 2, 1.5, k=1.0)
        op(x, n=3, k=2)
        op(x, l=(1, 2), s="b")
        op(x, lib.tensor(4), lib.tensor(2.5))
        del lib_
    assert seen["nptorch"] == seen["torch"]


def test_kernel_receives_enum_and_device_defaults_like_torch():
    seen = {}
    for lib in _libs():
        ns = _ns("enum_args")
        got = seen[lib.__name__] = []
        lib_ = lib.library.Library(ns, "FRAGMENT")
        lib_.define('f(Tensor x, ScalarType d=float32, Device dev="cpu", *, '
                    "MemoryFormat m=contiguous_format) -> Tensor")

        def f(*args, **kwargs):
            got.append((len(args), [str(a).replace("nptorch", "torch") for a in args[1:]],
                        {k: str(v).replace("nptorch", "torch") for k, v in kwargs.items()}))
            return args[0].clone()

        lib_.impl("f", f, "CPU")
        op = getattr(lib.ops, ns).f
        x = lib.ones(1)
        op(x, lib.float32)
        op(x, lib.float64)
        op(x, lib.float32, "cpu", m=lib.contiguous_format)
        op(x, m=lib.channels_last)
        del lib_
    assert seen["nptorch"] == seen["torch"]


# -- custom_op: autograd -------------------------------------------------------------------

def test_custom_op_autograd_matches_torch(device):
    torch = pytest.importorskip("torch")
    data = np.linspace(-2, 2, 7).astype(np.float32)
    theirs = torch.tensor(data, requires_grad=True)
    _sin_op(torch, "nplib_sin_grad")(theirs).sum().backward()
    op = _sin_op(nptorch, _ns("sin_grad"))
    ours = nptorch.tensor(data, requires_grad=True, device=device)
    op(ours).sum().backward()
    np.testing.assert_allclose(_np(ours.grad), theirs.grad.numpy(), rtol=1e-5)
    x64 = nptorch.tensor(data.astype(np.float64), requires_grad=True, device=device)
    assert gradcheck(op, (x64,))


def test_grad_fn_name_like_torch():
    names = []
    for lib in _libs():
        op = _sin_op(lib, "nplib_gradfn")
        names.append(type(op(lib.ones(2, requires_grad=True)).grad_fn).__name__)
    assert names[0] == names[1] == "GeneratedBackwardFor_nplib_gradfn_numpy_sin_defaultBackward"


def _mul_op(lib, ns, log):
    Tensor = lib.Tensor

    @lib.library.custom_op(f"{ns}::mul", mutates_args=())
    def mul(x: Tensor, y: Tensor, k: float, n: int = 3) -> Tensor:
        return x * y * k * n

    def setup_context(ctx, inputs, output):
        log.append(("setup", len(inputs), inputs[2:], ctx.needs_input_grad))
        x, y, k, n = inputs
        ctx.save_for_backward(x, y)
        ctx.scale = k * n

    def backward(ctx, grad):
        log.append(("backward", ctx.needs_input_grad))
        x, y = ctx.saved_tensors
        return grad * y * ctx.scale, grad * x * ctx.scale, None, None

    mul.register_autograd(backward, setup_context=setup_context)
    return mul


def test_two_input_autograd_and_needs_input_grad_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3, 4)).astype(np.float32)
    logs, grads = [], []
    for lib in (torch, nptorch):
        log = []
        op = _mul_op(lib, _ns("mul"), log)
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(b, requires_grad=False)
        op(x, y, 0.5).sum().backward()
        x2 = lib.tensor(a, requires_grad=True)
        y2 = lib.tensor(b, requires_grad=True)
        (gx, gy) = lib.autograd.grad(op(x2, y2, 2.0, n=1).sum(), (x2, y2))
        grads.append([_np(x.grad), _np(gx), _np(gy)])
        logs.append(log)
    assert logs[1] == logs[0]
    for ours, theirs in zip(grads[1], grads[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    op = _mul_op(nptorch, _ns("mul64"), [])
    x, y = (nptorch.tensor(v.astype(np.float64), requires_grad=True) for v in (a, b))
    assert gradcheck(lambda x, y: op(x, y, 1.5), (x, y))


def test_keyword_only_inputs_in_setup_context():
    seen = []
    for lib in _libs():
        Tensor = lib.Tensor
        ns = _ns("kw")

        @lib.library.custom_op(f"{ns}::mul", mutates_args=())
        def mul(x: Tensor, *, val: float = 2.0) -> Tensor:
            return x * val

        def setup_context(ctx, inputs, keyword_only_inputs, output):
            ctx.val = keyword_only_inputs["val"]
            seen.append((len(inputs), dict(keyword_only_inputs)))

        mul.register_autograd(lambda ctx, g: g * ctx.val, setup_context=setup_context)
        x = lib.ones(3, requires_grad=True)
        mul(x).sum().backward()
        mul(x, val=5.0).sum().backward()
        seen.append(_np(x.grad).tolist())
    half = len(seen) // 2
    assert seen[half:] == seen[:half]


def test_setup_context_without_keyword_only_inputs_raises_like_torch():
    def call(lib):
        Tensor = lib.Tensor
        ns = "nplib_kw_missing"

        @lib.library.custom_op(f"{ns}::mul", mutates_args=())
        def mul(x: Tensor, *, val: float = 2.0) -> Tensor:
            return x * val

        mul.register_autograd(lambda ctx, g: g, setup_context=lambda ctx, inputs, output: None)
        mul(lib.ones(3, requires_grad=True))

    _same_error(call, lambda s: re.sub(r"<lambda>\(\)", "f()", s))


def test_multiple_outputs_grad_matches_torch():
    grads = []
    for lib in _libs():
        Tensor = lib.Tensor

        @lib.library.custom_op(f"{_ns('multi')}::split", mutates_args=())
        def split(x: Tensor) -> tuple[Tensor, Tensor]:
            return x * 2, x * 3

        split.register_autograd(lambda ctx, g1, g2: 2 * g1 + 3 * g2)
        x = lib.ones(3, requires_grad=True)
        a, b = split(x)
        assert isinstance(split(x), tuple)
        (a.sum() + (b * b).sum()).backward()
        grads.append(_np(x.grad))
        x2 = lib.ones(2, requires_grad=True)
        split(x2)[0].sum().backward()  # the unused output's gradient comes as zeros
        grads.append(_np(x2.grad))
    np.testing.assert_array_equal(grads[2], grads[0])
    np.testing.assert_array_equal(grads[3], grads[1])


def test_tensor_list_inputs_and_outputs_grad_match_torch():
    out = []
    for lib in _libs():
        Tensor = lib.Tensor
        ns = _ns("lists")
        needs = []

        @lib.library.custom_op(f"{ns}::weighted_sum", mutates_args=())
        def weighted_sum(xs: list[Tensor], w: list[float]) -> Tensor:
            return sum(x * wi for x, wi in zip(xs, w))

        def setup_context(ctx, inputs, output):
            ctx.w = inputs[1]

        def backward(ctx, g):
            needs.append(ctx.needs_input_grad)
            return [g * wi for wi in ctx.w], None

        weighted_sum.register_autograd(backward, setup_context=setup_context)

        @lib.library.custom_op(f"{ns}::pieces", mutates_args=())
        def pieces(x: Tensor) -> list[Tensor]:
            return [x * 2, x * 3]

        pieces.register_autograd(lambda ctx, gs: 2 * gs[0] + 3 * gs[1])
        a = lib.ones(2, requires_grad=True)
        b = lib.full((2,), 2.0)
        weighted_sum([a, b], [2.0, 3.0]).sum().backward()
        c = lib.ones(2, requires_grad=True)
        parts = pieces(c)
        assert isinstance(parts, list) and len(parts) == 2
        (parts[0].sum() + parts[1].sum()).backward()
        out.append((_np(a.grad).tolist(), _np(c.grad).tolist(), needs))
    assert out[1] == out[0]


def test_backward_without_formula_raises_like_torch():
    def call(lib):
        Tensor = lib.Tensor

        @lib.library.custom_op("nplib_noformula::double", mutates_args=())
        def double(x: Tensor) -> Tensor:
            return x * 2

        y = double(lib.ones(2, requires_grad=True))
        assert y.requires_grad
        y.sum().backward()

    _same_error(call)


def test_no_grad_paths():
    Tensor = nptorch.Tensor
    seen = []

    @nptorch.library.custom_op(f"{_ns('nograd')}::double", mutates_args=())
    def double(x: Tensor) -> Tensor:
        seen.append(nptorch.is_grad_enabled())
        return x * 2

    double.register_autograd(lambda ctx, g: 2 * g)
    assert not double(nptorch.ones(2)).requires_grad
    with nptorch.no_grad():
        assert not double(nptorch.ones(2, requires_grad=True)).requires_grad
    assert double(nptorch.ones(2, requires_grad=True)).requires_grad
    assert seen == [False, False, False]


@pytest.mark.parametrize("returned", ["too_few", "grad_for_float", "extra_nones",
                                      "list_for_tensor", "number_for_tensor"])
def test_backward_result_checks_match_torch(returned):
    backward = {"too_few": lambda ctx, g: g, "grad_for_float": lambda ctx, g: (g, 1.0),
                "extra_nones": lambda ctx, g: (g * 2, None, None),
                "list_for_tensor": lambda ctx, g: ([g], None),
                "number_for_tensor": lambda ctx, g: (2.0, None)}[returned]

    def call(lib):
        Tensor = lib.Tensor

        @lib.library.custom_op(f"nplib_bwd_{returned}::scale", mutates_args=())
        def scale(x: Tensor, k: float) -> Tensor:
            return x * k

        scale.register_autograd(backward)
        x = lib.ones(2, requires_grad=True)
        scale(x, 3.0).sum().backward()
        return _np(x.grad).tolist()

    if returned == "extra_nones":
        torch = pytest.importorskip("torch")
        assert call(nptorch) == call(torch) == [2.0, 2.0]
    else:
        _same_error(call)


@pytest.mark.parametrize("returned", ["longer_list", "tuple_for_list", "extra_none",
                                      "tensor_for_list"])
def test_tensor_list_backward_structure_checks_match_torch(returned):
    backward = {"longer_list": lambda ctx, g: ([g, g, g], g),
                "tuple_for_list": lambda ctx, g: ((g, g), g),
                "extra_none": lambda ctx, g: ([g, g], g, None),
                "tensor_for_list": lambda ctx, g: (g, g)}[returned]

    def call(lib):
        Tensor = lib.Tensor

        @lib.library.custom_op(f"nplib_tlbwd_{returned}::prod", mutates_args=())
        def prod(xs: list[Tensor], y: Tensor) -> Tensor:
            return xs[0] * xs[1] * y

        prod.register_autograd(backward)
        xs = [lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)]
        prod(xs, lib.ones(2)).sum().backward()

    _same_error(call)


def test_tensor_list_backward_with_none_entries_matches_torch():
    out = []
    for lib in _libs():
        Tensor = lib.Tensor

        @lib.library.custom_op(f"{_ns('tlnone')}::prod", mutates_args=())
        def prod(xs: list[Tensor], y: Tensor) -> Tensor:
            return xs[0] * xs[1] * y

        prod.register_autograd(lambda ctx, g: ([g * 2, None], None))
        xs = [lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)]
        prod(xs, lib.ones(2)).sum().backward()
        out.append((_np(xs[0].grad).tolist(), xs[1].grad))
    assert out[1] == out[0] == ([2.0, 2.0], None)


# -- custom_op: mutation and aliasing ------------------------------------------------------

def test_mutating_op_matches_torch():
    out = []
    for lib in _libs():
        Tensor = lib.Tensor
        ns = _ns("mut")

        @lib.library.custom_op(f"{ns}::add_", mutates_args=("x",))
        def add_(x: Tensor, y: Tensor) -> None:
            x.add_(y)

        assert str(getattr(lib.ops, ns).add_.default._schema) == \
            f"{ns}::add_(Tensor(a0!) x, Tensor y) -> ()"
        x = lib.zeros(2)
        v = x._version
        result = add_(x, lib.ones(2))
        leaf = lib.zeros(2, requires_grad=True)
        add_(leaf, lib.ones(2))  # runs below autograd: no in-place error for the leaf
        inner = lib.zeros(2, requires_grad=True).clone()
        add_(inner, lib.ones(2, requires_grad=True))
        out.append((result, _np(x).tolist(), x._version - v, _np(leaf).tolist(),
                    type(inner.grad_fn).__name__))
    assert out[1] == out[0]


def test_register_autograd_on_mutating_op_raises_like_torch():
    def call(lib):
        Tensor = lib.Tensor

        @lib.library.custom_op("nplib_mut_ag::add_", mutates_args=("x",))
        def add_(x: Tensor, y: Tensor) -> None:
            x.add_(y)

        add_.register_autograd(lambda ctx, g: g)

    _same_error(call)


def _without_module(message):
    return re.sub(r"\(with implementation in <module [^>]*>\)", "", message)


@pytest.mark.parametrize("kind", ["input", "view", "same_twice", "mutated_input"])
def test_returning_an_alias_raises_like_torch(kind):
    def call(lib):
        Tensor = lib.Tensor
        name = f"nplib_alias_{kind}::f"
        if kind == "same_twice":
            @lib.library.custom_op(name, mutates_args=())
            def f(x: Tensor) -> tuple[Tensor, Tensor]:
                y = x + 1
                return y, y
        elif kind == "mutated_input":
            @lib.library.custom_op(name, mutates_args=("x",))
            def f(x: Tensor) -> Tensor:
                x.add_(1)
                return x
        else:
            @lib.library.custom_op(name, mutates_args=())
            def f(x: Tensor) -> Tensor:
                return x if kind == "input" else x[:1]
        f(lib.ones(3))

    error = _same_error(call, _without_module)
    assert "must not also be an input" in str(error)


def test_view_schema_allows_alias():
    Tensor = nptorch.Tensor

    @nptorch.library.custom_op(f"{_ns('view')}::first", mutates_args=(),
                               schema="(Tensor(a) x) -> Tensor(a)")
    def first(x: Tensor) -> Tensor:
        return x[:1]

    x = nptorch.arange(3.0)
    assert first(x).tolist() == [0.0]


def test_mutates_args_unknown_schema_matches_torch():
    schemas = []
    for lib in _libs():
        Tensor = lib.Tensor

        def f(x: Tensor, ys: list[Tensor], n: int) -> Tensor:
            return x.clone()

        schemas.append(lib.library.infer_schema(f, mutates_args="unknown"))
    assert schemas[0] == schemas[1] == "(Tensor(a0!) x, Tensor(a1!)[] ys, SymInt n) -> Tensor"


# -- custom_op: kernels per device, fake, autocast ----------------------------------------

def test_register_kernel_and_set_kernel_enabled_match_torch():
    out = []
    for lib in _libs():
        Tensor = lib.Tensor
        ns = _ns("kernels")

        @lib.library.custom_op(f"{ns}::f", mutates_args=())
        def f(x: Tensor) -> Tensor:
            return x + 1

        x = lib.ones(1)
        values = [f(x).item()]

        @f.register_kernel("cpu")
        def _(x):
            return x + 100

        values.append(f(x).item())
        with f.set_kernel_enabled("cpu", False):
            values.append(f(x).item())
        values.append(f(x).item())
        lib.library.register_kernel(f, "cpu", lambda x: x + 7)
        values.append(f(x).item())
        lib.library.register_kernel(f"{ns}::f", "cpu", lambda x: x + 8)
        values.append(f(x).item())
        lib.library.register_kernel(getattr(lib.ops, ns).f.default, ["cpu"], lambda x: x + 9)
        values.append(getattr(lib.ops, ns).f(x).item())
        out.append(values)
    assert out[1] == out[0] == [2.0, 101.0, 2.0, 101.0, 8.0, 9.0, 10.0]


def test_device_specific_op(device):
    Tensor = nptorch.Tensor

    @nptorch.library.custom_op(f"{_ns('cpu_only')}::f", mutates_args=(), device_types="cpu")
    def f(x: Tensor) -> Tensor:
        return x + 1

    x = nptorch.ones(2, device=device)
    if device == "cpu":
        assert f(x).tolist() == [2.0, 2.0]
    else:
        with pytest.raises(NotImplementedError, match="Could not run .* 'CUDA' backend"):
            f(x)

        @f.register_kernel("cuda")
        def _(x):
            return x + 2

        assert f(x).tolist() == [3.0, 3.0]


def test_factory_op_with_device_argument_matches_torch():
    def call(lib):
        Tensor = lib.Tensor

        def ones(n: int, device: lib.device) -> Tensor:
            return lib.ones(n, device=device)

        op = lib.library.custom_op("nplib_factory::ones", mutates_args=(), device_types="cpu")(
            ones)
        assert op(2, "cpu").tolist() == [1.0, 1.0]
        op(2, lib.device("cuda"))

    _same_error(call)

    def no_device(lib):
        def ones(n: int) -> lib.Tensor:
            return lib.ones(n)
        lib.library.custom_op("nplib_factory2::ones", mutates_args=(), device_types="cpu")(ones)

    _same_error(no_device)
    ns = _ns("factory")

    @nptorch.library.custom_op(f"{ns}::ones", mutates_args=())
    def ones(n: int) -> nptorch.Tensor:
        return nptorch.ones(n)

    assert getattr(nptorch.ops, ns).ones(3).tolist() == [1.0, 1.0, 1.0]


def test_factory_op_with_default_or_keyword_device():
    """The device argument is found when dropped as equal to its default or given by keyword
    (PyTorch raises IndexError in both cases)."""
    ns = _ns("factory_default")
    Tensor = nptorch.Tensor

    @nptorch.library.custom_op(f"{ns}::ones", mutates_args=(), device_types="cpu")
    def ones(n: int, device: nptorch.device = "cpu") -> Tensor:
        return nptorch.ones(n, device=device)

    @nptorch.library.custom_op(f"{ns}::zeros", mutates_args=(), device_types="cpu")
    def zeros(n: int, *, device: nptorch.device) -> Tensor:
        return nptorch.zeros(n, device=device)

    assert ones(2).tolist() == ones(2, "cpu").tolist() == [1.0, 1.0]
    assert zeros(2, device="cpu").tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="does not have a kernel registered for cuda"):
        zeros(2, device="cuda")


def test_register_fake_is_accepted_and_checked_like_torch():
    op = _sin_op(nptorch, _ns("fake"))

    def fake(x):
        return x.new_empty(x.shape)

    assert op.register_fake(fake) is fake
    assert nptorch.library.register_fake(op, fake) is fake
    assert nptorch.library.register_fake(f"{op._qualname}")(fake) is fake
    assert op(nptorch.zeros(2)).tolist() == [0.0, 0.0]

    def twice(lib):
        lib_ = lib.library.Library("nplib_fake_twice", "FRAGMENT")
        lib_.define("f(Tensor x) -> Tensor")
        for _ in range(2):
            lib.library.register_fake("nplib_fake_twice::f", fake, lib=lib_, allow_override=False)

    _same_error(twice)
    _same_error(lambda lib: lib.library.register_fake(3, fake))
    _same_error(lambda lib: lib.library.register_kernel(3, "cpu", fake))


def test_register_autocast_matches_torch():
    out = []
    for lib in _libs():
        Tensor = lib.Tensor
        seen = []

        @lib.library.custom_op(f"{_ns('autocast')}::add", mutates_args=())
        def add(x: Tensor, y: Tensor) -> Tensor:
            seen.append((str(x.dtype), str(y.dtype), lib.is_autocast_enabled("cpu")))
            return x + y

        add.register_autocast("cpu", lib.float16)
        with lib.autocast("cpu", dtype=lib.float16):
            r1 = add(lib.ones(1), lib.ones(1, dtype=lib.float64))
            r2 = add(lib.ones(1), y=lib.ones(1))
        r3 = add(lib.ones(1), lib.ones(1))
        out.append(([str(r.dtype) for r in (r1, r2, r3)], seen))
    assert out[1] == ([s.replace("torch", "nptorch") for s in out[0][0]],
                      [(a.replace("torch", "nptorch"), b.replace("torch", "nptorch"), c)
                       for a, b, c in out[0][1]])


def test_register_autocast_for_library_op_matches_torch():
    out = []
    for lib in _libs():
        ns = _ns("autocast_lib")
        lib_ = _library(lib, ns, "FRAGMENT")
        lib_.define("add(Tensor x, Tensor y) -> Tensor")
        lib_.impl("add", lambda x, y: x + y, "CPU")
        lib.library.register_autocast(f"{ns}::add", "cpu", lib.float16, lib=lib_)
        add = getattr(lib.ops, ns).add
        with lib.autocast("cpu", dtype=lib.float16):
            r1 = add(lib.ones(1), lib.ones(1, dtype=lib.float64))
        r2 = add(lib.ones(1), lib.ones(1))
        out.append([str(r.dtype).replace("nptorch", "torch") for r in (r1, r2)])
    assert out[1] == out[0]


@pytest.mark.parametrize("device_type", [3, "meta", "foo", "cuda:0", ""])
def test_register_autocast_errors_match_torch(device_type):
    def call(lib):
        op = _sin_op(lib, f"nplib_autocast_err_{str(device_type).replace(':', '')}")
        op.register_autocast(device_type, lib.float16)

    _same_error(call)


# -- custom_op: definition errors ---------------------------------------------------------

def _plain(lib):
    def f(x: lib.Tensor) -> lib.Tensor:
        return x.clone()
    return f


@pytest.mark.parametrize("name", ["nonamespace", "a::b::c", "prim::f", "nplib_e::bad name",
                                  "nplib_e::", 3])
def test_custom_op_name_errors_match_torch(name):
    _same_error(lambda lib: lib.library.custom_op(name, mutates_args=())(_plain(lib)))


def test_custom_op_with_an_empty_namespace_is_refused():
    # PyTorch gives this error too, but only after registering a broken entry that makes later
    # walks of its operator registry (torch.compiler's functions) fail: compared as a string
    with pytest.raises(RuntimeError) as error:
        nptorch.library.custom_op("::f", mutates_args=())(_plain(nptorch))
    assert str(error.value) == "expected ident but found ':' here:\n::f\n~ <--- HERE\n"


def test_custom_op_argument_errors_match_torch():
    _same_error(lambda lib: lib.library.custom_op("nplib_e::m", _plain(lib)))

    def kwarg_only_tensor(lib):
        def f(x: lib.Tensor, *, y: lib.Tensor) -> lib.Tensor:
            return x.clone()
        lib.library.custom_op("nplib_e::kwt", mutates_args=())(f)

    _same_error(kwarg_only_tensor)

    def schema_mismatch(lib):
        lib.library.custom_op("nplib_e::sch", _plain(lib), mutates_args=(),
                              schema="(Tensor(a!) x) -> Tensor")

    _same_error(schema_mismatch)


def test_custom_op_with_schema_and_overload_name():
    ns = _ns("schema")
    op = nptorch.library.custom_op(f"{ns}::f", _plain(nptorch), mutates_args=(),
                                   schema="(Tensor x) -> Tensor")
    assert op._schema == "(Tensor x) -> Tensor"
    ov = nptorch.library.custom_op(f"{ns}::f.twice", lambda x: x * 2, mutates_args=(),
                                   schema="(Tensor x) -> Tensor")
    packet = getattr(nptorch.ops, ns).f
    assert packet.overloads() == ["default", "twice"]
    assert packet.twice(nptorch.ones(1)).tolist() == [2.0] and ov(nptorch.ones(1)).item() == 2


def test_custom_op_defined_again_replaces_the_first():
    out = []
    for lib in _libs():
        ns = _ns("again")
        lib.library.custom_op(f"{ns}::f", mutates_args=())(_plain(lib))

        def f(x: lib.Tensor) -> lib.Tensor:
            return x + 1

        op = lib.library.custom_op(f"{ns}::f", mutates_args=())(f)
        out.append((op(lib.ones(1)).item(), getattr(lib.ops, ns).f(lib.ones(1)).item()))
    assert out[0] == out[1] == (2.0, 2.0)


def test_custom_op_over_library_definition_raises_like_torch():
    def call(lib):
        lib_ = lib.library.Library("nplib_dup_def", "FRAGMENT")
        lib_.define("t(Tensor x) -> Tensor")
        lib.library.custom_op("nplib_dup_def::t", mutates_args=())(_plain(lib))

    _same_error(call, lambda s: s.split(" Duplicate registration")[0])


# -- schema inference ----------------------------------------------------------------------

def _annotated(lib):
    """Functions whose inferred schemas are compared with PyTorch's."""
    T, dtype, device = lib.Tensor, lib.dtype, lib.device
    Number = int | float | bool

    def simple(x: T) -> T: ...
    def scalars(x: T, y: float, z: int = 3, w: bool = False, s: str = "hi") -> T: ...
    def optionals(x: Optional[T], n: Optional[int] = None, f: float | None = None) -> T: ...
    def lists(xs: list[T], ys: Sequence[T], zs: typing.List[Optional[T]], n: list[int],
              f: Optional[list[float]], b: Sequence[bool]) -> list[T]: ...
    def enums(x: T, d: dtype = lib.float32, e: device = "cpu", g: Optional[dtype] = None,
              h: dtype = lib.int64) -> T: ...
    def numbers(x: Number, y: Optional[Number] = 2.5, z: list[Number] = None) -> Number: ...
    def kwonly(x: T, *, k: int = 2, j: float) -> float: ...
    def returns_tuple(x: T) -> tuple[T, int, float, bool]: ...
    def returns_one_tuple(x: T) -> tuple[T]: ...
    def returns_none(x: T) -> None: ...
    def returns_list(x: T) -> typing.List[T]: ...
    def defaults(x: T, a: float = 1e-20, b: float = float("inf"), c: int = True) -> T: ...
    def strings(x: "int", y: "Optional[float]", z: "list[bool]") -> "float": ...
    return [simple, scalars, optionals, lists, enums, numbers, kwonly, returns_tuple,
            returns_one_tuple, returns_none, returns_list, defaults, strings]


@pytest.mark.parametrize("index", range(13))
@pytest.mark.parametrize("mutates", [(), "unknown"])
def test_infer_schema_matches_torch(index, mutates):
    torch = pytest.importorskip("torch")
    theirs = torch.library.infer_schema(_annotated(torch)[index], mutates_args=mutates)
    ours = nptorch.library.infer_schema(_annotated(nptorch)[index], mutates_args=mutates)
    assert ours == theirs
    named = nptorch.library.infer_schema(_annotated(nptorch)[index], mutates_args=mutates,
                                         op_name="op")
    assert named == "op" + theirs


def test_infer_schema_mutated_args_match_torch():
    for fn_index, mutates in [(1, ("x",)), (3, ["xs", "ys"]), (2, {"x"})]:
        torch = pytest.importorskip("torch")
        theirs = torch.library.infer_schema(_annotated(torch)[fn_index], mutates_args=mutates)
        ours = nptorch.library.infer_schema(_annotated(nptorch)[fn_index], mutates_args=mutates)
        assert ours == theirs


def _bad_functions():
    def no_annotation(x) -> int: ...
    def no_return(x: int): ...
    def varargs(x: int, *args: int) -> int: ...
    def positional_only(x: int, /) -> int: ...
    def dict_param(x: dict) -> int: ...
    def tuple_param(x: tuple[int, ...]) -> int: ...
    def dict_return(x: int) -> dict: ...
    def tuple_default(x: int, d: int = (1,)) -> int: ...
    def undefined(x: "Undefined") -> int: ...  # noqa: F821
    return {f.__name__: f for f in (no_annotation, no_return, varargs, positional_only,
                                    dict_param, tuple_param, dict_return, tuple_default,
                                    undefined)}


def _before_valid_types(message):
    # the lists of valid types name each library's own classes
    return message.split("The valid types are")[0]


@pytest.mark.parametrize("name", list(_bad_functions()))
def test_infer_schema_errors_match_torch(name):
    fn = _bad_functions()[name]
    _same_error(lambda lib: lib.library.infer_schema(fn, mutates_args=()), _before_valid_types)


@pytest.mark.parametrize("mutates", [("n",), ("missing",), "bad"])
def test_infer_schema_mutates_args_errors_match_torch(mutates):
    def f(x: int, n: int) -> int: ...
    _same_error(lambda lib: lib.library.infer_schema(f, mutates_args=mutates))


# -- Library -------------------------------------------------------------------------------

def _library(lib, ns, kind, dispatch_key=""):
    # one line creates both libraries, so the sources in their messages are the same
    return lib.library.Library(ns, kind, dispatch_key)


def test_library_define_impl_and_call_match_torch():
    out = []
    for lib in _libs():
        ns = _ns("lib")
        lib_ = _library(lib, ns, "DEF")
        assert lib_.define("sin2(Tensor x) -> Tensor") == "sin2"
        assert lib_.define("sin2.scaled(Tensor x, float k) -> Tensor") == "sin2"
        assert lib_.define(f"{ns}::qual(Tensor x) -> Tensor") == f"{ns}::qual"
        lib_.impl("sin2", lambda x: x * 2, "CPU")
        lib_.impl("sin2.scaled", lambda x, k: x * k, "CompositeExplicitAutograd")
        lib_.impl(f"{ns}::qual", lambda x: x + 1)
        packet = getattr(lib.ops, ns).sin2
        x = lib.ones(2)
        out.append((repr(lib_).replace(ns, "NS"), packet.overloads(), packet(x).tolist(),
                    packet(x, 3.0).tolist(), packet.scaled(x, k=2).tolist(),
                    getattr(lib.ops, ns).qual(x).tolist(),
                    str(packet.scaled._schema).replace(ns, "NS")))
        del lib_
    assert out[1] == out[0]


def test_kernel_precedence_matches_torch():
    out = []
    for lib in _libs():
        ns = _ns("prec")
        lib_ = _library(lib, ns, "DEF")
        for name in ("a", "b", "c"):
            lib_.define(f"{name}(Tensor x) -> Tensor")
        impl = lib.library.impl
        values = []
        ops = getattr(lib.ops, ns)
        x = lib.ones(1)
        impl(f"{ns}::a", "CPU", lambda x: x + 9, lib=lib_)
        values.append(ops.a(x).item())
        impl(f"{ns}::a", "Autograd", lambda x: x + 11, lib=lib_)
        values.append(ops.a(x).item())
        impl(f"{ns}::a", "CompositeImplicitAutograd", lambda x: x + 12, lib=lib_)
        values.append(ops.a(x).item())
        impl(f"{ns}::a", "AutogradCPU", lambda x: x + 13, lib=lib_)
        values.append(ops.a(x).item())
        impl(f"{ns}::b", "CompositeImplicitAutograd", lambda x: x + 12, lib=lib_)
        values.append(ops.b(x).item())
        impl(f"{ns}::b", "cpu", lambda x: x + 13, lib=lib_)
        values.append(ops.b(x).item())
        impl(f"{ns}::c", "default", lambda x: x + 12, lib=lib_)
        values.append(ops.c(x).item())
        impl(f"{ns}::c", ["cpu", "cuda"], lambda x: x + 13, lib=lib_)
        values.append(ops.c(x).item())
        out.append(values)
        del lib_
    assert out[1] == out[0]


def test_library_kernels_record_autograd_like_torch():
    out = []
    for lib in _libs():
        ns = _ns("libgrad")
        lib_ = _library(lib, ns, "FRAGMENT")
        lib_.define("square(Tensor x) -> Tensor")
        lib_.impl("square", lambda x: x * x, "CPU")
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        getattr(lib.ops, ns).square(x).sum().backward()
        out.append(_np(x.grad).tolist())
    assert out[0] == out[1] == [2.0, 4.0]


def test_register_autograd_for_library_op_matches_torch():
    out = []
    for lib in _libs():
        ns = _ns("libag")
        lib_ = _library(lib, ns, "FRAGMENT")
        lib_.define("twice(Tensor x) -> Tensor")
        lib.library.impl(f"{ns}::twice", "default", lambda x: x * 2, lib=lib_)
        lib.library.register_autograd(f"{ns}::twice", lambda ctx, g: g * 5, lib=lib_)
        x = lib.ones(2, requires_grad=True)
        y = getattr(lib.ops, ns).twice(x)
        g, = lib.autograd.grad(y.sum(), x)
        out.append((type(y.grad_fn).__name__.replace(ns, "NS"), _np(g).tolist()))
    assert out[1] == out[0]


def test_legacy_define_and_impl_decorators_match_torch():
    out = []
    for lib in _libs():
        ns = _ns("legacy")
        lib_ = _library(lib, ns, "DEF")
        lib_.define("nok(Tensor x) -> Tensor")
        assert lib.library.define(lib_, "olddef(Tensor x) -> Tensor")(lambda x: x * 10)
        f = lib.library.impl(lib_, "nok", "CPU")(lambda x: x + 7)
        assert callable(f)
        lib.library.define(f"{ns}::newdef", "(Tensor x, int n=2) -> Tensor", lib=lib_)

        @lib.library.impl(f"{ns}::newdef", "default", lib=lib_)
        def newdef(x, n=2):
            return x * n

        ops = getattr(lib.ops, ns)
        x = lib.ones(1)
        out.append((newdef, ops.olddef(x).item(), ops.nok(x).item(), ops.newdef(x).item(),
                    ops.newdef(x, 5).item()))
    assert out[1] == out[0]


def test_library_lifetime_matches_torch():
    def make(lib, ns):
        lib_ = lib.library.Library(ns, "FRAGMENT")
        lib_.define("t(Tensor x) -> Tensor")
        lib_.impl("t", lambda x: x + 1, "CompositeExplicitAutograd")
        assert getattr(lib.ops, ns).t(lib.ones(1)).item() == 2
        return lib_

    def gone(lib):
        make(lib, "nplib_gc")
        gc.collect()
        getattr(lib.ops, "nplib_gc").t

    _same_error(gone)

    def destroyed(lib):
        lib_ = make(lib, "nplib_destroyed")
        lib_._destroy()
        try:
            getattr(lib.ops, "nplib_destroyed").t
        except AttributeError:
            pass
        else:
            raise AssertionError("still defined")
        lib_.define("u(Tensor x) -> Tensor")

    _same_error(destroyed)
    # a DEF library may be created again once the first is gone
    for _ in range(2):
        nptorch.library.Library("nplib_def_again", "DEF").define("f(Tensor x) -> Tensor")
        gc.collect()


def test_calling_an_operator_after_its_library_is_destroyed_raises():
    ns = _ns("stale")
    lib_ = nptorch.library.Library(ns, "FRAGMENT")
    lib_.define("t(Tensor x) -> Tensor")
    lib_.impl("t", lambda x: x + 1, "CPU")
    packet = getattr(nptorch.ops, ns).t
    overload = packet.default
    lib_._destroy()
    for op in (packet, overload):
        with pytest.raises(RuntimeError, match=f"schema for {ns}::t which doesn't have a schema"):
            op(nptorch.ones(1))


def test_ops_registered_through_define_keep_alive():
    ns = _ns("keep")
    nptorch.library.define(f"{ns}::f", "(Tensor x) -> Tensor")
    nptorch.library.impl(f"{ns}::f", "cpu", lambda x: x - 1)
    gc.collect()
    assert getattr(nptorch.ops, ns).f(nptorch.ones(1)).item() == 0


_LIBRARY_ERRORS = {
    "kind": lambda lib: _library(lib, "nplib_le_kind", "BAD"),
    "reserved": lambda lib: _library(lib, "prim", "DEF"),
    "two_defs": lambda lib: [_library(lib, "nplib_le_two", "DEF") for _ in range(2)],
    "aten_def": lambda lib: _library(lib, "aten", "DEF"),
    "alias_analysis": lambda lib: _library(lib, "nplib_le_aa", "FRAGMENT").define(
        "x(Tensor x) -> Tensor", alias_analysis="BAD"),
    "define_non_str": lambda lib: _library(lib, "nplib_le_ns", "FRAGMENT").define(3),
    "define_in_impl": lambda lib: _library(lib, "nplib_le_impl", "IMPL").define(
        "x(Tensor x) -> Tensor"),
    "namespace_mismatch": lambda lib: _library(lib, "nplib_le_mm", "FRAGMENT").define(
        "other::x(Tensor x) -> Tensor"),
    "duplicate": lambda lib: [lib_.define("x(Tensor x) -> Tensor") for lib_ in [_library(
        lib, "nplib_le_dup", "FRAGMENT")] * 2],
    "name_only": lambda lib: _library(lib, "nplib_le_no", "FRAGMENT").define("foo"),
    "not_callable": lambda lib: _library(lib, "nplib_le_nc", "FRAGMENT").impl("x", 3, "CPU"),
    "bad_key": lambda lib: _library(lib, "nplib_le_bk", "FRAGMENT").impl(
        "x", lambda x: x, "BadKey"),
    "bad_op_name": lambda lib: _library(lib, "nplib_le_bo", "FRAGMENT").impl(
        3, lambda x: x, "CPU"),
    "no_override": lambda lib: [lib_.impl("x", lambda x: x, "CPU", allow_override=False)
                                for lib_ in [_library(lib, "nplib_le_ov", "FRAGMENT")] * 2],
    "define_qualname": lambda lib: lib.library.define(3, "(Tensor x) -> Tensor"),
    "define_no_namespace": lambda lib: lib.library.define("nons", "(Tensor x) -> Tensor"),
    "define_bad_schema": lambda lib: lib.library.define("nplib_le_bs::f",
                                                        "f(Tensor x) -> Tensor"),
    "impl_bad_device": lambda lib: lib.library.impl("nplib_le_bd::f", "foo", lambda x: x),
    "impl_device_index": lambda lib: lib.library.impl("nplib_le_di::f", "cuda:0", lambda x: x),
    "register_autograd_missing": lambda lib: lib.library.register_autograd(
        "nplib_le_missing::f", lambda ctx, g: g),
}


def _without_aten_source(message):
    # PyTorch's aten library was registered in its C++ sources
    return message.split("Previous registration")[0]


@pytest.mark.parametrize("case", list(_LIBRARY_ERRORS))
def test_library_errors_match_torch(case):
    _same_error(_LIBRARY_ERRORS[case], _without_aten_source if case == "aten_def" else str)


def test_meta_kernel_over_composite_raises_like_torch():
    def call(lib):
        lib_ = _library(lib, "nplib_meta_cia", "FRAGMENT")
        lib_.define("f(Tensor x) -> Tensor")
        lib_.impl("f", lambda x: x + 1, "CompositeImplicitAutograd")
        lib_.impl("f", lambda x: x, "Meta")

    _same_error(call)


# -- schema strings ------------------------------------------------------------------------

_SCHEMAS = [
    "f(Tensor x, float d=1e-20, float g=1.5, float h=0.1, float k=1e10, float m=1e300) -> Tensor",
    "f(Tensor(a!) x, Tensor(b!)[] ys, SymInt[] z, Tensor(c) w) -> (Tensor(a!), Tensor)",
    "f.over(Tensor self) -> Tensor(a)",
    "f(Tensor x) -> (Tensor, int)",
    "f(Tensor x) -> ()",
    "f(Tensor x) -> (Tensor a, Tensor b)",
    "f(Tensor x, int? n=None, float? f=None, bool[] bs=[True, False]) -> Tensor[]",
    "f(Tensor x, ScalarType d=float32, Layout? l=None, MemoryFormat? m=None, float k=1., "
    "float j=-2.5e3, int n=-1) -> Tensor",
    "f(Tensor x, Layout a=strided, MemoryFormat b=contiguous_format, int c=True, Scalar d=2.5, "
    "Device e=\"cuda:0\", int[3] f=1, bool g=1, str h='x', int[] i=[], float[] j=[1, 2.5]) -> "
    "Tensor",
    "f(Tensor x, *, Tensor(a!) out) -> Tensor(a!)",
    "f(Tensor x) -> ((Tensor))",
    "f(Tensor x) -> (Tensor)",
    "f(Tensor x) -> Tensor[](a)",
    "f(Tensor(a|b) x, Tensor(c -> *) y) -> ()",
    "f(Tensor x, *) -> Tensor",
    "f(*, Tensor x) -> Tensor",
    "f(Tensor? x=None, int y=-1, float z=1e18, str s=\"a\\\"b\") -> Tensor?",
    "f(Tensor x, int n) -> Tensor",
    "f(Tensor x)->Tensor",
    "f(Tensor x, int[] a=[1, 1], int[2] b=[2, 3], bool[2] c=True, float[2] d=1, "
    "SymInt[] e=[4, 4]) -> Tensor",
    "f(Tensor(a!)?[] x, Tensor(b!)[][] y, Tensor(c)[](d) z, Tensor(e)[]? w) -> ()",
    "f(Tensor(a|b! -> c|d) x, Tensor(b|a) y, Tensor(a -> a) z, Tensor! w) -> Tensor!",
    "f(Tensor x, complex a=1.5j, complex b=-1j, float c=1j, int d=0x10, int e=1E3, "
    "float f=0x1p3, float? g=1, int h=00012) -> Tensor",
    "f(Tensor x, str a=\"a\\nb'c\\\\\", str b='\\101\\t', str c=True, str d=1, "
    "float e=\"s\", str f=\"\"\"q\"\"\") -> Tensor",
    "f(Tensor x, ScalarType a=double, ScalarType? b=long, ScalarType c=uint16, int d=float, "
    "int e=Mean, float g=contiguous_format, ScalarType h=strided, ScalarType[] i=[half]) -> "
    "Tensor",
    "f(Tensor x, ...) -> (Tensor, ...)",
    "f(...) -> ...",
    "f(Tensor x, DeviceIndex i, ConstQuantizerPtr q, None n, Capsule c) -> NoneType",
    "f(Tensor x, Device d=\"mps:1\", Generator? g=None) -> Tensor",
]


@pytest.mark.parametrize("index", range(len(_SCHEMAS)))
def test_schema_strings_match_torch(index):
    torch = pytest.importorskip("torch")
    schema = _SCHEMAS[index]
    theirs = str(torch._C.parse_schema(schema))
    ours = str(nptorch.library.schema.parse_schema(schema))
    assert ours == theirs
    printed = []
    for lib in (torch, nptorch):
        ns = _ns("schema")
        lib_ = _library(lib, ns, "FRAGMENT")
        lib_.define(schema)
        name, _, overload = schema.split("(")[0].partition(".")
        printed.append(str(getattr(getattr(lib.ops, ns), name),
                               ).replace(ns, "NS") + " " + str(getattr(
            getattr(getattr(lib.ops, ns), name), overload or "default")._schema).replace(ns, "NS"))
    assert printed[1] == printed[0]


_BAD_SCHEMAS = ["(Tensor x) -> Tensor", "bad schema", "h(Tensor x)", "h(Tensor x) -> ",
                "h(Tensor x -> Tensor", "h(Foo x) -> Tensor", "h(Tensor x=1) -> Tensor",
                "h(Tensor, int) -> Tensor", "h(int x=1, Tensor y) -> Tensor", "",
                "a.b.c(Tensor x) -> Tensor", "h(Tensor x, int y=[1]) -> Tensor",
                "h(Tensor x, int[] y=1) -> Tensor", "h(Tensor(a x) -> Tensor",
                "h(Tensor x, float e=inf) -> Tensor", "h(Tensor x, ScalarType y=foo) -> Tensor",
                "h(Tensor x, Device y=cpu) -> Tensor", "h(Tensor x) -> (Tensor, )",
                "h(Tensor x) -> Tensor foo bar", "h(Tensor x) -> (Tensor, Tensor)[]", "foo",
                "h.default(Tensor x) -> Tensor", "h.__x(Tensor x) -> Tensor",
                "ns:h(Tensor x) -> Tensor", "h(Tensor?(a!) x) -> Tensor",
                "h(Tensor(!) x) -> Tensor", "h(Tensor() x) -> Tensor", "h(Tensor(a|) x) -> Tensor",
                "h(Tensor(a!!) x) -> Tensor", "h(Tensor(a -> b!) x) -> Tensor",
                "h(Tensor(*|a) x) -> Tensor", "h(Tensor x, SymFloat y) -> Tensor",
                "h(Tensor x, int[]? y=[1]) -> Tensor", "h(Tensor x, Tensor[] y=[]) -> Tensor",
                "h(Tensor x, int[] y=None) -> Tensor", "h(Tensor x, int[] y=foo) -> Tensor",
                "h(Tensor x, int[] y=[1.5]) -> Tensor", "h(Tensor x, bool[] y=[1]) -> Tensor",
                "h(Tensor x, float[] y=[True]) -> Tensor",
                "h(Tensor x, complex[] y=[True]) -> Tensor", "h(Tensor x, int[2] y=True) -> Tensor",
                "h(Tensor x, int?[2] y=1) -> Tensor", "h(Tensor x, str[] y=[\"a\"]) -> Tensor",
                "h(Tensor x, Layout y=sparse_coo) -> Tensor",
                "h(Tensor x, MemoryFormat y=channels_last) -> Tensor",
                "h(Tensor x, float y=1e400) -> Tensor", "h(Tensor x, float y=1e-400) -> Tensor",
                "h(Tensor x, int y=9223372036854775808) -> Tensor",
                "h(Tensor x, complex y=1) -> Tensor", "h(Tensor x, Any y=1) -> Tensor",
                "h(Tensor x, Generator y=1) -> Tensor", "h(Tensor x, QScheme y=1) -> Tensor",
                "h(Tensor x, str y=\"\\x41\") -> Tensor", "h(Tensor x, str y=\"\\q\") -> Tensor",
                "h(Tensor x, str y=\"\\u0041\") -> Tensor",
                "h(Tensor x, ..., Tensor y) -> Tensor", "h(Tensor x=None, ...) -> Tensor",
                "h(Tensor x) -> (..., Tensor)", "h(Tensor x, int[2][] y) -> Tensor",
                "h(Tensor x, Device y=\"foo\") -> Tensor"]


@pytest.mark.parametrize("schema", _BAD_SCHEMAS)
def test_schema_parse_errors_match_torch(schema):
    _same_error(lambda lib: _library(lib, "nplib_bad_schema", "FRAGMENT").define(schema))


# -- torch.ops -----------------------------------------------------------------------------

def _two_overloads(lib, ns):
    lib_ = _library(lib, ns, "FRAGMENT")
    lib_.define("g(Tensor x, int n) -> Tensor")
    lib_.define("g.ov(Tensor x, float n) -> Tensor")
    lib_.impl("g", lambda x, n: x + 1, "CPU")
    lib_.impl("g.ov", lambda x, n: x + 2, "CPU")
    return lib_


_CALLS = {
    "too_many": lambda ops, x: ops.g.default(x, 1, 2),
    "too_many_kw": lambda ops, x: ops.g.default(x, 1, n=2),
    "missing": lambda ops, x: ops.g.default(x),
    "unknown_kw": lambda ops, x: ops.g.default(x, 1, bogus=2),
    "both": lambda ops, x: ops.g.default(x, 1, x=x),
    "none_for_int": lambda ops, x: ops.g.default(x, None),
    "float_for_int": lambda ops, x: ops.g.default(x, 1.5),
    "int_for_tensor": lambda ops, x: ops.g.default(3, 1),
    "str_for_tensor": lambda ops, x: ops.g.default("s", 1),
    "list_for_tensor": lambda ops, x: ops.g.default([x], 1),
    "no_overload_matches": lambda ops, x: ops.g(x, "s"),
    "unknown_op": lambda ops, x: ops.nosuch,
    "unknown_overload": lambda ops, x: ops.g.nosuch,
    "unknown_attribute": lambda ops, x: ops.g.default.nosuch,
    "origin": lambda ops, x: ops.__origin__,
}


@pytest.mark.parametrize("case", list(_CALLS))
def test_op_call_errors_match_torch(case):
    def call(lib):
        lib_ = _two_overloads(lib, f"nplib_calls_{case}")
        _CALLS[case](getattr(lib.ops, lib_.ns), lib.ones(1))

    _same_error(call, lambda s: s.replace("nptorch", "torch").replace(
        "<class 'torch._tensor.Tensor'>", "<class 'torch.Tensor'>"))


def test_overload_resolution_matches_torch():
    out = []
    for lib in _libs():
        lib_ = _two_overloads(lib, _ns("resolve"))
        ops = getattr(lib.ops, lib_.ns)
        x = lib.ones(1)
        out.append([ops.g(x, 1).item(), ops.g(x, 1.5).item(), ops.g(x, n=True).item(),
                    ops.g.ov(x, 1).item(), list(ops.g._schemas)])
    assert out[1] == out[0]


@pytest.mark.parametrize("case", ["tensor_got_int", "tuple_got_tensor", "none_got_float",
                                  "int_got_float"])
def test_kernel_result_checks_match_torch(case):
    schema, kernel = {
        "tensor_got_int": ("(Tensor x) -> Tensor", lambda x: 3),
        "tuple_got_tensor": ("(Tensor x) -> (Tensor, Tensor)", lambda x: x + 1),
        "none_got_float": ("(Tensor x) -> ()", lambda x: 3.5),
        "int_got_float": ("(Tensor x) -> int", lambda x: 3.5),
    }[case]

    def call(lib):
        lib_ = _library(lib, f"nplib_result_{case}", "FRAGMENT")
        lib_.define("f" + schema)
        lib_.impl("f", kernel, "CPU")
        getattr(lib.ops, lib_.ns).f(lib.ones(1))

    _same_error(call)


def test_no_kernel_errors():
    ns = _ns("nokernel")
    lib_ = nptorch.library.Library(ns, "FRAGMENT")
    lib_.define("f(Tensor x) -> Tensor")
    lib_.define("g(int n) -> Tensor")
    lib_.impl("g", lambda n: nptorch.ones(n), "CPU")
    with pytest.raises(NotImplementedError, match=f"Could not run '{ns}::f' with arguments "
                                                  "from the 'CPU' backend"):
        getattr(nptorch.ops, ns).f(nptorch.ones(1))
    with pytest.raises(NotImplementedError, match="There were no tensor arguments"):
        getattr(nptorch.ops, ns).g(2)


def test_torch_ops_module():
    import sys
    assert sys.modules["nptorch.ops"] is nptorch.ops
    assert repr(nptorch.ops).startswith("<module 'nptorch.ops'")
    ns = getattr(nptorch.ops, _ns("module"))
    assert repr(ns).startswith(f"<module 'nptorch.ops.{ns.name}'")
    with pytest.raises(NotImplementedError):
        nptorch.ops.load_library("libfoo.so")


def test_aten_namespace(device):
    torch = pytest.importorskip("torch")
    x = nptorch.randn(3, 4, device=device)
    aten = nptorch.ops.aten
    np.testing.assert_allclose(_np(aten.sin.default(x)), np.sin(_np(x)), rtol=1e-6)
    np.testing.assert_allclose(_np(aten.relu(x)), np.maximum(_np(x), 0))
    assert aten.sum.default(x, 0).shape == (4,)
    assert aten.sin.overloads() == ["default"] and str(aten.sin.default) == "aten.sin.default"
    for name in ("nosuch", "load", "set_printoptions", "is_tensor"):
        _same_error(lambda lib: getattr(lib.ops.aten, name))
    assert aten.atleast_2d(nptorch.tensor(1.0)).shape == (1, 1)  # a functools.partial
    with pytest.raises(AttributeError, match="has no overload name 'Tensor'"):
        aten.sin.Tensor
    with pytest.raises(NotImplementedError):
        nptorch.library.Library("aten", "IMPL").impl("sin", lambda x: x, "CPU")
    assert hasattr(torch.ops.aten, "sin")


def test_custom_op_in_aten_namespace():
    name = f"{_ns('aten')}_mine"
    op = nptorch.library.custom_op(f"aten::{name}", _plain(nptorch), mutates_args=())
    assert getattr(nptorch.ops.aten, name)(nptorch.ones(1)).item() == 1
    assert op(nptorch.ones(1)).item() == 1


def test_impl_abstract_and_get_ctx():
    op = _sin_op(nptorch, _ns("abstract"))
    with pytest.warns(FutureWarning, match="renamed to `torch.library.register_fake`"):
        nptorch.library.impl_abstract(op._qualname, lambda x: x)
    assert nptorch.library.get_ctx() is None


def test_register_vmap_is_kept_and_vmap_runs_the_op():
    op = _sin_op(nptorch, _ns("vmap"))

    @op.register_vmap
    def rule(info, in_dims, x):
        raise AssertionError("not called")

    assert rule is None  # as with PyTorch's decorator

    x = nptorch.randn(3, 2)
    y = nptorch.vmap(op)(x)
    np.testing.assert_allclose(_np(y), np.sin(_np(x)), rtol=1e-6)


def test_library_loads_on_first_operator_lookup():
    import subprocess
    import sys
    code = ("import sys, nptorch, nptorch.ops\n"
            "assert 'nptorch.library' not in sys.modules\n"
            "assert nptorch.ops.aten.add(nptorch.tensor(1.), 2).item() == 3\n"
            "assert 'nptorch.library' in sys.modules and nptorch.library.Library\n")
    subprocess.run([sys.executable, "-c", code], check=True)
