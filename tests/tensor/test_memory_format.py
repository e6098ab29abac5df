"""Memory formats (``contiguous_format``, ``channels_last``, ``channels_last_3d``,
``preserve_format``) in ``contiguous``, ``is_contiguous``, ``to``, ``clone``, the ``*_like``
factories and ``Module.to``, and ops on channels-last tensors, compared with PyTorch."""
import numpy as np
import pytest

import nptorch

from helpers import as_numpy, check_close_to_torch, check_same_error_as_torch


SHAPES_4D = [(2, 3, 4, 5), (2, 1, 4, 4), (2, 3, 1, 1), (1, 3, 1, 1), (0, 3, 4, 5), (3, 2, 1, 5)]


def _values(lib, shape, dtype="float32"):
    return lib.tensor(np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape))


def test_formats_are_named_as_in_pytorch(torch):
    for name in ("contiguous_format", "preserve_format", "channels_last", "channels_last_3d"):
        fmt = getattr(nptorch, name)
        assert isinstance(fmt, nptorch.memory_format)
        assert repr(fmt) == repr(getattr(torch, name)) == f"torch.{name}"


def test_formats_and_layouts_survive_pickling_and_copying():
    import copy
    import pickle
    for const in (nptorch.channels_last, nptorch.preserve_format, nptorch.strided):
        assert pickle.loads(pickle.dumps(const)) is const
        assert copy.deepcopy(const) is copy.copy(const) is const
    fmt = copy.deepcopy({"memory_format": nptorch.channels_last})["memory_format"]
    x = nptorch.zeros(2, 3, 4, 5).clone(memory_format=fmt)
    assert x.is_contiguous(memory_format=nptorch.channels_last)


def test_only_empty_takes_a_memory_format():
    for name in ("zeros", "ones"):
        check_same_error_as_torch(
            lambda L: getattr(L, name)(1, 2, 3, 4, memory_format=L.channels_last))
    assert nptorch.empty(1, 2, 3, 4, memory_format=nptorch.channels_last).stride() == \
        (24, 1, 8, 2)


@pytest.mark.parametrize("shape", SHAPES_4D)
def test_channels_last_strides_match_torch(shape, torch):
    ours = _values(nptorch, shape).contiguous(memory_format=nptorch.channels_last)
    theirs = _values(torch, shape).contiguous(memory_format=torch.channels_last)
    assert ours.stride() == theirs.stride()
    assert ours.is_contiguous() == theirs.is_contiguous()
    assert ours.is_contiguous(memory_format=nptorch.channels_last) == theirs.is_contiguous(
        memory_format=torch.channels_last)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    if ours.numel():
        assert ours.numpy().strides == theirs.numpy().strides


def test_channels_last_is_nhwc_memory_order():
    x = _values(nptorch, (2, 3, 4, 5)).contiguous(memory_format=nptorch.channels_last)
    assert x.stride() == (60, 1, 15, 3)
    assert not x.is_contiguous() and x.is_contiguous(memory_format=nptorch.channels_last)
    assert not x.is_contiguous(memory_format=nptorch.channels_last_3d)
    nhwc = x.permute(0, 2, 3, 1)
    assert nhwc.is_contiguous()
    np.testing.assert_array_equal(nhwc.numpy(), np.arange(120.0).reshape(2, 3, 4, 5)
                                  .transpose(0, 2, 3, 1))
    assert x.dim_order() == (0, 2, 3, 1)


def test_channels_last_3d_strides_match_torch(torch):
    for shape in [(2, 3, 4, 5, 6), (1, 2, 1, 3, 1)]:
        ours = _values(nptorch, shape).contiguous(memory_format=nptorch.channels_last_3d)
        theirs = _values(torch, shape).contiguous(memory_format=torch.channels_last_3d)
        assert ours.stride() == theirs.stride()
        assert ours.is_contiguous(memory_format=nptorch.channels_last_3d)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    x = nptorch.zeros(2, 3, 4, 5, 6).contiguous(memory_format=nptorch.channels_last_3d)
    assert x.stride() == (360, 1, 90, 18, 3)


def test_contiguous_returns_self_only_when_already_in_the_format(torch):
    for lib in (nptorch, torch):
        x = _values(lib, (2, 3, 4, 5))
        y = x.contiguous(memory_format=lib.channels_last)
        assert y is not x and y.contiguous(memory_format=lib.channels_last) is y
        assert x.contiguous() is x and x.contiguous(memory_format=lib.preserve_format) is x
        back = y.contiguous()
        assert back is not y and back.stride() == (60, 20, 5, 1)
        assert y.contiguous(memory_format=lib.contiguous_format).stride() == (60, 20, 5, 1)


def test_wrong_ranks_and_formats_raise_torch_errors():
    cases = [
        lambda L: _values(L, (2, 3, 4)).contiguous(memory_format=L.channels_last),
        lambda L: _values(L, (2, 3, 4, 5, 6)).contiguous(memory_format=L.channels_last),
        lambda L: _values(L, (2, 3, 4, 5)).contiguous(memory_format=L.channels_last_3d),
        lambda L: _values(L, (2, 3, 4)).to(memory_format=L.channels_last),
        lambda L: _values(L, (2, 3, 4)).clone(memory_format=L.channels_last),
        lambda L: L.empty_like(_values(L, (2, 3, 4)), memory_format=L.channels_last),
        lambda L: L.zeros_like(_values(L, (2, 3, 4)), memory_format=L.channels_last_3d),
        lambda L: L.empty(2, 3, 4, memory_format=L.channels_last),
        lambda L: L.empty(2, 3, 4, 5, memory_format=L.preserve_format),
        lambda L: _values(L, (2, 3)).t().contiguous(memory_format=L.preserve_format),
        lambda L: _values(L, (2, 3)).contiguous(memory_format=None),
        lambda L: _values(L, (2, 3)).contiguous(memory_format="channels_last"),
        lambda L: _values(L, (2, 3)).is_contiguous(memory_format=None),
        lambda L: _values(L, (2, 3)).clone(memory_format=5),
        lambda L: L.empty_like(_values(L, (2, 3)), memory_format=5),
        lambda L: _values(L, (2, 3)).to(memory_format=5),
    ]
    for call in cases:
        check_same_error_as_torch(call)


def test_is_contiguous_in_channels_last_is_false_for_other_ranks(torch):
    for lib in (nptorch, torch):
        assert not _values(lib, (2, 3, 4)).is_contiguous(memory_format=lib.channels_last)
        assert not lib.empty(0, 3, 4, 5).is_contiguous(memory_format=lib.channels_last)
        assert _values(lib, (2, 3)).is_contiguous(memory_format=lib.preserve_format)
        assert not _values(lib, (2, 3)).t().is_contiguous(memory_format=lib.preserve_format)


def _layouts(lib):
    """Dense and non-dense inputs of every kind of layout, by name."""
    base = _values(lib, (2, 3, 4, 5))
    cl = base.contiguous(memory_format=lib.channels_last)
    return {
        "contiguous": base,
        "channels_last": cl,
        "channels_last_sliced": cl[:, :, ::2],
        "transposed": _values(lib, (3, 4)).t(),
        "transposed_sliced": _values(lib, (3, 4)).t()[::2],
        "permuted_sliced": _values(lib, (4, 5, 6)).permute(2, 0, 1)[:, ::2, 1:],
        "expanded": _values(lib, (3, 1)).expand(3, 4),
        "expanded_transposed": _values(lib, (1, 4)).expand(3, 4).t(),
        "size_one_dims": _values(lib, (2, 1, 4, 4)).contiguous(memory_format=lib.channels_last),
    }


PRESERVING = {
    "clone": lambda L, x: x.clone(),
    "clone_none": lambda L, x: x.clone(memory_format=None),
    "to_dtype": lambda L, x: x.to(L.float64),
    "double": lambda L, x: x.double(),
    "to_copy": lambda L, x: x.to(L.float32, copy=True),
    "empty_like": lambda L, x: L.empty_like(x),
    "zeros_like": lambda L, x: L.zeros_like(x),
    "ones_like": lambda L, x: L.ones_like(x, dtype=L.int64),
    "full_like": lambda L, x: L.full_like(x, 7),
    "rand_like": lambda L, x: L.rand_like(x),
    "randn_like": lambda L, x: L.randn_like(x),
    "randint_like": lambda L, x: L.randint_like(x, 5),
}


@pytest.mark.parametrize("op", PRESERVING)
def test_preserve_format_keeps_the_layout_like_torch(op, torch):
    fn = PRESERVING[op]
    for (name, ours), theirs in zip(_layouts(nptorch).items(), _layouts(torch).values()):
        o, t = fn(nptorch, ours), fn(torch, theirs)
        assert o.stride() == t.stride(), name
        assert tuple(o.shape) == tuple(t.shape)
        if op not in ("empty_like", "rand_like", "randn_like", "randint_like"):
            np.testing.assert_array_equal(o.numpy(), t.numpy())


EXPLICIT = {
    "clone": lambda L, x, f: x.clone(memory_format=f),
    "to": lambda L, x, f: x.to(memory_format=f),
    "to_dtype": lambda L, x, f: x.to(L.float64, memory_format=f),
    "empty_like": lambda L, x, f: L.empty_like(x, memory_format=f),
    "zeros_like": lambda L, x, f: L.zeros_like(x, memory_format=f),
    "full_like": lambda L, x, f: L.full_like(x, 2.5, memory_format=f),
    "randn_like": lambda L, x, f: L.randn_like(x, memory_format=f),
    "randint_like": lambda L, x, f: L.randint_like(x, 3, memory_format=f),
}


@pytest.mark.parametrize("op", EXPLICIT)
@pytest.mark.parametrize("fmt", ["channels_last", "contiguous_format"])
def test_explicit_format_gives_torch_strides(op, fmt, torch):
    fn = EXPLICIT[op]
    for shape in SHAPES_4D:
        if op == "to" and 0 in shape:
            continue  # returns its input, and zero-size NumPy arrays report zero strides
        for layout in ("contiguous", "channels_last"):
            ours, theirs = _values(nptorch, shape), _values(torch, shape)
            if layout == "channels_last":
                ours = ours.contiguous(memory_format=nptorch.channels_last)
                theirs = theirs.contiguous(memory_format=torch.channels_last)
            o = fn(nptorch, ours, getattr(nptorch, fmt))
            t = fn(torch, theirs, getattr(torch, fmt))
            assert o.stride() == t.stride(), (shape, layout)
            assert o.is_contiguous(memory_format=getattr(nptorch, fmt))
            if op in ("clone", "to", "to_dtype", "zeros_like", "full_like"):
                np.testing.assert_array_equal(o.numpy(), t.numpy())


def test_empty_in_a_format_matches_torch(torch):
    for fmt, shape in (("channels_last", (2, 3, 4, 5)), ("channels_last_3d", (2, 3, 4, 5, 6)),
                       ("contiguous_format", (2, 3, 4, 5))):
        o = nptorch.empty(*shape, memory_format=getattr(nptorch, fmt))
        t = torch.empty(*shape, memory_format=getattr(torch, fmt))
        assert o.stride() == t.stride()


def test_to_aliases_exactly_when_torch_does(torch):
    cases = {
        "contiguous": lambda L: _values(L, (2, 3, 4, 5)),
        "channels_last": lambda L: _values(L, (2, 3, 4, 5)).contiguous(
            memory_format=L.channels_last),
        "channels_last_sliced": lambda L: _values(L, (2, 3, 4, 5)).contiguous(
            memory_format=L.channels_last)[:, :, ::2],
        "trivial_spatial": lambda L: _values(L, (2, 3, 1, 1)),
        "size_one_channel": lambda L: _values(L, (2, 1, 4, 4)),
    }
    for name, make in cases.items():
        for fmt in ("channels_last", "contiguous_format", "preserve_format"):
            aliased = []
            for lib in (nptorch, torch):
                x = make(lib)
                aliased.append(x.to(memory_format=getattr(lib, fmt)) is x)
            assert aliased[0] == aliased[1], (name, fmt)


def test_gradients_flow_through_format_changes(torch):
    rng = np.random.default_rng(0)
    data = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    weights = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    grads = []
    for lib in (nptorch, torch):
        x = lib.tensor(data, requires_grad=True)
        y = x.to(memory_format=lib.channels_last)
        z = y.contiguous() * 2 + y.clone(memory_format=lib.contiguous_format) + x.contiguous(
            memory_format=lib.channels_last).to(lib.float64).float()
        (z * lib.tensor(weights)).sum().backward()
        grads.append(x.grad)
    np.testing.assert_allclose(as_numpy(grads[0]), as_numpy(grads[1]), rtol=1e-6)
    np.testing.assert_allclose(as_numpy(grads[0]), 4 * weights, rtol=1e-6)


def test_make_tensor_honours_memory_format(torch):
    for lib in (nptorch, torch):
        t = lib.testing.make_tensor(2, 3, 4, 5, dtype=lib.float32, device="cpu",
                                    memory_format=lib.channels_last)
        assert t.stride() == (60, 1, 15, 3)


# -- modules -----------------------------------------------------------------------------------
def test_module_to_channels_last_converts_4d_parameters_in_place(torch):
    strides = []
    for lib in (nptorch, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Conv2d(3, 4, 3), lib.nn.BatchNorm2d(4),
                                  lib.nn.Linear(2, 2))
        weight = model[0].weight
        assert model.to(memory_format=lib.channels_last) is model
        assert model[0].weight is weight
        strides.append([p.stride() for p in model.parameters()])
        assert weight.is_contiguous(memory_format=lib.channels_last)
        conv3d = lib.nn.Conv3d(3, 2, 1).to(memory_format=lib.channels_last_3d)
        strides.append([conv3d.weight.stride()])
        double = lib.nn.Conv2d(3, 3, 1).to(lib.float64, memory_format=lib.channels_last)
        assert double.weight.dtype == lib.float64
        strides.append([double.weight.stride()])
    half = len(strides) // 2
    assert strides[:half] == strides[half:]
    assert strides[0][0] == (27, 1, 9, 3)


def test_module_to_channels_last_rejects_5d_parameters_like_torch():
    check_same_error_as_torch(
        lambda L: L.nn.Conv3d(3, 3, 1).to(memory_format=L.channels_last))


# -- ops on channels-last inputs ---------------------------------------------------------------
OPS = {
    "conv2d": lambda L, x, w: L.nn.functional.conv2d(x, w, padding=1),
    "conv2d_strided": lambda L, x, w: L.nn.functional.conv2d(x, w, stride=2),
    "conv_transpose2d": lambda L, x, w: L.nn.functional.conv_transpose2d(
        x, w.transpose(0, 1).contiguous(memory_format=L.channels_last)),
    "max_pool2d": lambda L, x, w: L.nn.functional.max_pool2d(x, 2),
    "avg_pool2d": lambda L, x, w: L.nn.functional.avg_pool2d(x, 3, stride=2, padding=1),
    "adaptive_avg_pool2d": lambda L, x, w: L.nn.functional.adaptive_avg_pool2d(x, (3, 3)),
    "adaptive_max_pool2d": lambda L, x, w: L.nn.functional.adaptive_max_pool2d(x, (3, 3)),
    "batch_norm_train": lambda L, x, w: L.nn.functional.batch_norm(
        x, None, None, w[0, :, 0, 0] + 1, w[1, :, 0, 0], training=True),
    "batch_norm_eval": lambda L, x, w: L.nn.functional.batch_norm(
        x, L.full((3,), 0.1), L.full((3,), 2.0), w[0, :, 0, 0], None, training=False),
    "elementwise": lambda L, x, w: (x * 2 + x.sin()).relu() - x.exp() / (1 + x * x),
    "broadcast_with_contiguous": lambda L, x, w: (x * w[:1, :, :1, :1].contiguous()
                                                  + x.mean(1, True)),
    "group_norm": lambda L, x, w: L.nn.functional.group_norm(x, 3),
    "softmax": lambda L, x, w: x.softmax(1),
    "flatten": lambda L, x, w: x.flatten(1) @ w.flatten().repeat(4)[:384].reshape(192, 2),
    "pad": lambda L, x, w: L.nn.functional.pad(x, (1, 1, 2, 2)),
    "interpolate": lambda L, x, w: L.nn.functional.interpolate(x, scale_factor=2,
                                                               mode="bilinear"),
}


@pytest.mark.parametrize("op", OPS)
def test_ops_on_channels_last_inputs_match_torch(op, torch):
    rng = np.random.default_rng(1)
    x_data = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    w_data = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    results = []
    for lib in (nptorch, torch):
        x = lib.tensor(x_data).contiguous(memory_format=lib.channels_last).requires_grad_()
        w = lib.tensor(w_data).contiguous(memory_format=lib.channels_last).requires_grad_()
        y = OPS[op](lib, x, w)
        scale = lib.arange(y.numel(), dtype=y.dtype).reshape(y.shape) / y.numel()
        (y * scale).sum().backward()
        results.append((y, x.grad, w.grad))
    (y, gx, gw), (ty, tgx, tgw) = results
    check_close_to_torch(y, ty, f"{op} forward", tol=1e-4)
    check_close_to_torch(gx, tgx, f"{op} input grad", tol=1e-4)
    assert (gw is None) == (tgw is None)
    if gw is not None:
        check_close_to_torch(gw, tgw, f"{op} weight grad", tol=1e-4)


def test_conv3d_on_channels_last_3d_input_matches_torch(torch):
    rng = np.random.default_rng(2)
    x_data = rng.standard_normal((2, 3, 5, 6, 4)).astype(np.float32)
    w_data = rng.standard_normal((2, 3, 3, 3, 3)).astype(np.float32)
    out = []
    for lib in (nptorch, torch):
        x = lib.tensor(x_data).contiguous(memory_format=lib.channels_last_3d).requires_grad_()
        w = lib.tensor(w_data).contiguous(memory_format=lib.channels_last_3d)
        y = lib.nn.functional.conv3d(x, w, padding=1)
        y.pow(2).sum().backward()
        out.append((y, x.grad))
    check_close_to_torch(out[0][0], out[1][0], "conv3d forward", tol=1e-4)
    check_close_to_torch(out[0][1], out[1][1], "conv3d input grad", tol=1e-3)


def test_training_step_of_a_channels_last_model_matches_torch(torch):
    rng = np.random.default_rng(3)
    images = rng.standard_normal((4, 3, 8, 8)).astype(np.float32)
    labels = np.array([0, 1, 2, 1])
    params = []
    for lib in (nptorch, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Conv2d(3, 6, 3, padding=1), lib.nn.BatchNorm2d(6),
                                  lib.nn.ReLU(), lib.nn.MaxPool2d(2), lib.nn.Flatten(),
                                  lib.nn.Linear(96, 3))
        with lib.no_grad():
            for p, value in zip(model.parameters(), _initial_params(model, rng_seed=4)):
                p.copy_(lib.tensor(value))
        model.to(memory_format=lib.channels_last)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        for _ in range(2):
            x = lib.tensor(images).contiguous(memory_format=lib.channels_last)
            loss = lib.nn.functional.cross_entropy(model(x), lib.tensor(labels))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        assert model[0].weight.is_contiguous(memory_format=lib.channels_last)
        params.append([p.detach() for p in model.parameters()])
    for ours, theirs in zip(*params):
        check_close_to_torch(ours, theirs, "parameter after two steps", tol=1e-4)


def _initial_params(model, rng_seed):
    rng = np.random.default_rng(rng_seed)
    return [rng.uniform(-0.3, 0.3, tuple(p.shape)).astype(np.float32)
            for p in model.parameters()]
