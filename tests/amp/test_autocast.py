"""autocast against PyTorch's CPU float16 autocast: output dtypes and values of the listed
ops, gradients' dtypes, the state functions, warnings and errors."""
import warnings

import numpy as np
import pytest

import nptorch
import nptorch.nn.functional as F
from helpers import check_same_error_as_torch

RNG = np.random.default_rng(0)
SQUARE = RNG.standard_normal((4, 4)).astype(np.float32)
SPD = (SQUARE @ SQUARE.T + 4 * np.eye(4)).astype(np.float32)
BATCH = RNG.standard_normal((2, 4, 4)).astype(np.float32)
SIGNAL = RNG.standard_normal((2, 3, 8)).astype(np.float32)
KERNEL = RNG.standard_normal((5, 3, 3)).astype(np.float32)
KERNEL_T = RNG.standard_normal((3, 5, 3)).astype(np.float32)
WEIGHT3 = RNG.standard_normal((2, 4, 4)).astype(np.float32)


def _target(lib):
    return lib.tensor([0, 1, 2, 3])


# name: fn(lib, F, a) with ``a`` a (4, 4) tensor in the dtype under test
OPS = {
    "mm": lambda lib, F, a: lib.mm(a, a),
    "matmul": lambda lib, F, a: a @ a,
    "bmm": lambda lib, F, a: lib.bmm(a.expand(2, 4, 4), lib.tensor(BATCH)),
    "addmm": lambda lib, F, a: lib.addmm(a, a, a),
    "addbmm": lambda lib, F, a: lib.addbmm(a, a.expand(2, 4, 4), a.expand(2, 4, 4)),
    "baddbmm": lambda lib, F, a: lib.baddbmm(a, a.expand(2, 4, 4), a.expand(2, 4, 4)),
    "einsum": lambda lib, F, a: lib.einsum("ij,jk->ik", a, a),
    "linear": lambda lib, F, a: F.linear(a, lib.tensor(SQUARE[:3]), lib.tensor(SQUARE[0, :3])),
    "prelu": lambda lib, F, a: F.prelu(a, lib.tensor([0.25])),
    "conv1d": lambda lib, F, a: F.conv1d(lib.tensor(SIGNAL), lib.tensor(KERNEL)) + a.sum(),
    "conv_transpose1d": lambda lib, F, a: F.conv_transpose1d(lib.tensor(SIGNAL),
                                                             lib.tensor(KERNEL_T)) + a.sum(),
    "conv2d": lambda lib, F, a: F.conv2d(a[None, None], a[None, None, :2, :2]),
    "conv3d": lambda lib, F, a: F.conv3d(a.expand(2, 4, 4)[None, None],
                                         a[None, None, None, :2, :2]),
    "conv_transpose3d": lambda lib, F, a: F.conv_transpose3d(a.expand(2, 4, 4)[None, None],
                                                             a[None, None, None, :2, :2]),
    "sdpa": lambda lib, F, a: F.scaled_dot_product_attention(a[None], a[None], a[None]),
    "vecdot": lambda lib, F, a: lib.linalg.vecdot(a, a),
    "addmv": lambda lib, F, a: lib.addmv(a[0], a, a[1]),
    "mv": lambda lib, F, a: lib.mv(a, a[0]),
    "dot": lambda lib, F, a: lib.dot(a[0], a[1]),
    "softmax": lambda lib, F, a: F.softmax(a, 1),
    "log_softmax": lambda lib, F, a: F.log_softmax(a, 1),
    "exp": lambda lib, F, a: lib.exp(a),
    "pow": lambda lib, F, a: a ** 2,
    "sum": lambda lib, F, a: a.sum(),
    "prod": lambda lib, F, a: lib.prod(a),
    "cumsum": lambda lib, F, a: lib.cumsum(a, 0),
    "layer_norm": lambda lib, F, a: F.layer_norm(a, (4,)),
    "cross_entropy": lambda lib, F, a: F.cross_entropy(a, _target(lib)),
    "nll_loss": lambda lib, F, a: F.nll_loss(a, _target(lib)),
    "mse_loss": lambda lib, F, a: F.mse_loss(a, a * 2),
    "l1_loss": lambda lib, F, a: F.l1_loss(a, a * 2),
    "smooth_l1_loss": lambda lib, F, a: F.smooth_l1_loss(a, a * 2),
    "huber_loss": lambda lib, F, a: F.huber_loss(a, a * 2),
    "bce_with_logits": lambda lib, F, a: F.binary_cross_entropy_with_logits(a, a.sigmoid()),
    "bce": lambda lib, F, a: F.binary_cross_entropy(a.sigmoid(), a.sigmoid()),
    "kl_div": lambda lib, F, a: F.kl_div(a, a.softmax(1), reduction="batchmean"),
    "margin_ranking_loss": lambda lib, F, a: F.margin_ranking_loss(a, a * 2, lib.ones_like(a)),
    "soft_margin_loss": lambda lib, F, a: F.soft_margin_loss(a, lib.ones_like(a)),
    "hinge_embedding_loss": lambda lib, F, a: F.hinge_embedding_loss(a, lib.ones_like(a)),
    "poisson_nll_loss": lambda lib, F, a: F.poisson_nll_loss(a, a.abs()),
    "cosine_embedding_loss": lambda lib, F, a: F.cosine_embedding_loss(a, a * 2, lib.ones(4)),
    "triplet_margin_loss": lambda lib, F, a: F.triplet_margin_loss(a, a * 2, a * 3),
    "multi_margin_loss": lambda lib, F, a: F.multi_margin_loss(a, _target(lib)),
    "cdist": lambda lib, F, a: lib.cdist(a, a * 2),
    "trace": lambda lib, F, a: lib.trace(a),
    "inverse": lambda lib, F, a: lib.inverse(a + lib.tensor(SPD).to(a.dtype)),
    "cholesky": lambda lib, F, a: lib.linalg.cholesky(lib.tensor(SPD).to(a.dtype)),
    "quantile": lambda lib, F, a: lib.quantile(a, 0.5),
    "grid_sample": lambda lib, F, a: F.grid_sample(
        a[None, None], lib.tensor(SQUARE[None, :2, :2, None].repeat(2, -1) / 4).to(a.dtype),
        align_corners=False),
    "relu": lambda lib, F, a: F.relu(a),
    "tanh": lambda lib, F, a: lib.tanh(a),
}


def _run(lib, fn, dtype):
    with lib.autocast("cpu", dtype=lib.float16):
        a = lib.tensor(SQUARE).to(dtype)
        return fn(lib, lib.nn.functional, a)


@pytest.mark.parametrize("input_dtype", ["float32", "float16"])
@pytest.mark.parametrize("name", OPS)
def test_op_dtype_and_value_match_pytorch(torch, name, input_dtype):
    expected = _run(torch, OPS[name], getattr(torch, input_dtype))
    got = _run(nptorch, OPS[name], getattr(nptorch, input_dtype))
    assert str(got.dtype).split(".")[1] == str(expected.dtype).split(".")[1]
    half = any("float16" in str(d) for d in (got.dtype, expected.dtype, input_dtype))
    tol = 2e-2 if half else 1e-5
    np.testing.assert_allclose(got.float().numpy(), expected.float().numpy(), rtol=tol,
                               atol=tol)


def test_bilinear_keeps_its_inputs_dtype(torch):
    """PyTorch leaves bilinear alone on CPU: float16 in, float16 out. (With float32 inputs
    PyTorch's kernel meets half and float operands and raises; nptorch computes in float32.)"""
    outs = []
    for lib in (nptorch, torch):
        a, w = lib.tensor(SQUARE).half(), lib.tensor(WEIGHT3).half()
        with lib.autocast("cpu", dtype=lib.float16):
            outs.append(lib.nn.functional.bilinear(a, a, w))
    assert outs[0].dtype == nptorch.float16
    np.testing.assert_allclose(outs[0].float().numpy(), outs[1].float().numpy(), rtol=2e-2,
                               atol=2e-2)
    with nptorch.autocast("cpu", dtype=nptorch.float16):
        a = nptorch.tensor(SQUARE)
        assert F.bilinear(a, a, nptorch.tensor(WEIGHT3)).dtype == nptorch.float32


def test_float64_inputs_are_not_cast():
    a = nptorch.tensor(SQUARE, dtype=nptorch.float64)
    with nptorch.autocast("cpu", dtype=nptorch.float16):
        assert (a @ a).dtype == nptorch.float64
        with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but "
                                               "got: double != c10::Half"):
            nptorch.mm(a, a.float())


def test_integer_inputs_are_not_cast():
    a = nptorch.ones(2, 2, dtype=nptorch.int64)
    with nptorch.autocast("cpu", dtype=nptorch.float16):
        assert nptorch.mm(a, a).dtype == nptorch.int64


def test_model_training_step_matches_pytorch(torch):
    """A Linear -> ReLU -> Linear -> cross_entropy step: output and loss dtypes, gradients in
    each parameter's own dtype, values close to PyTorch's."""
    x = RNG.standard_normal((6, 4)).astype(np.float32)
    results = []
    for lib in (nptorch, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))
        if lib is torch:
            with torch.no_grad():
                for p, q in zip(model.parameters(), nptorch_params):
                    p.copy_(torch.tensor(q.detach().numpy()))
        else:
            nptorch_params = list(model.parameters())
        inp = lib.tensor(x, requires_grad=True)
        with lib.autocast("cpu", dtype=lib.float16):
            out = model(inp)
            loss = lib.nn.functional.cross_entropy(out, lib.tensor([0, 1, 2, 0, 1, 2]))
        loss.backward()
        results.append((out, loss, inp.grad, [p.grad for p in model.parameters()]))
    (out, loss, gx, grads), (t_out, t_loss, t_gx, t_grads) = results
    assert out.dtype == nptorch.float16 and t_out.dtype == torch.float16
    assert loss.dtype == nptorch.float32 and t_loss.dtype == torch.float32
    assert gx.dtype == nptorch.float32
    np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=1e-3)
    np.testing.assert_allclose(gx.numpy(), t_gx.numpy(), rtol=2e-2, atol=2e-3)
    for g, t_g in zip(grads, t_grads):
        assert g.dtype == nptorch.float32
        np.testing.assert_allclose(g.numpy(), t_g.numpy(), rtol=2e-2, atol=2e-3)


def test_half_leaf_gets_half_gradient_through_float32_op():
    x = nptorch.tensor(SQUARE, dtype=nptorch.float16, requires_grad=True)
    with nptorch.autocast("cpu", dtype=nptorch.float16):
        loss = F.mse_loss(x, nptorch.zeros(4, 4))
    assert loss.dtype == nptorch.float32
    loss.backward()
    assert x.grad.dtype == nptorch.float16
    np.testing.assert_allclose(x.grad.float().numpy(), SQUARE / 8, rtol=1e-2, atol=1e-3)


def test_disabled_region_and_nesting():
    a = nptorch.tensor(SQUARE)
    with nptorch.autocast("cpu", dtype=nptorch.float16):
        with nptorch.autocast("cpu", enabled=False):
            assert not nptorch.is_autocast_enabled("cpu")
            assert (a @ a).dtype == nptorch.float32
        assert nptorch.is_autocast_enabled("cpu")
        assert (a @ a).dtype == nptorch.float16
    assert not nptorch.is_autocast_enabled("cpu")
    assert (a @ a).dtype == nptorch.float32


def test_decorator_and_exception_restore_state():
    @nptorch.autocast("cpu", dtype=nptorch.float16)
    def f(a):
        return a @ a

    assert f(nptorch.tensor(SQUARE)).dtype == nptorch.float16
    with pytest.raises(ValueError):
        with nptorch.autocast("cpu", dtype=nptorch.float16):
            raise ValueError
    assert not nptorch.is_autocast_enabled("cpu")
    assert nptorch.get_autocast_dtype("cpu") is None
    with pytest.raises(TypeError, match=r"autocast\(\)\(func\) requires a callable, but got int"):
        nptorch.autocast("cpu", dtype=nptorch.float16)(3)


def test_weight_cast_is_cached_within_a_region():
    lin = nptorch.nn.Linear(4, 3)
    x = nptorch.tensor(SQUARE)
    with nptorch.autocast("cpu", dtype=nptorch.float16):
        lin(x)
        assert len(nptorch.amp._state.state.cache) == 2  # weight and bias
        with nptorch.no_grad():  # casts under no_grad are not cached
            nptorch.mm(x, nptorch.nn.Parameter(nptorch.tensor(SQUARE)))
        assert len(nptorch.amp._state.state.cache) == 2
    assert len(nptorch.amp._state.state.cache) == 0
    with nptorch.autocast("cpu", dtype=nptorch.float16, cache_enabled=False):
        lin(x)
        assert len(nptorch.amp._state.state.cache) == 0


def test_weight_used_twice_gets_summed_gradient(torch):
    grads = []
    for lib in (nptorch, torch):
        w = lib.tensor(SQUARE, requires_grad=True)
        with lib.autocast("cpu", dtype=lib.float16):
            y = lib.mm(lib.tensor(SPD), w) + lib.mm(w, w)
        y.float().sum().backward()
        grads.append(w.grad)
    assert grads[0].dtype == nptorch.float32
    np.testing.assert_allclose(grads[0].numpy(), grads[1].numpy(), rtol=1e-2, atol=1e-2)


def test_state_functions(torch):
    assert nptorch.is_autocast_enabled() is False
    nptorch.set_autocast_enabled("cpu", True)
    assert nptorch.is_autocast_enabled("cpu") and not nptorch.is_autocast_enabled()
    nptorch.set_autocast_enabled("cpu", False)
    nptorch.set_autocast_enabled(True)
    assert nptorch.is_autocast_enabled("cuda")
    nptorch.set_autocast_enabled(False)
    assert nptorch.get_autocast_dtype("cuda") == nptorch.float16
    nptorch.set_autocast_dtype("cpu", nptorch.float16)
    assert nptorch.get_autocast_dtype("cpu") == nptorch.float16
    nptorch.set_autocast_dtype("cpu", nptorch.float32)
    with pytest.raises(TypeError, match="argument 'dtype' \\(position 2\\) must be torch.dtype, "
                                        "not int"):
        nptorch.set_autocast_dtype("cpu", 3)
    nptorch.amp._state.state.dtype["cpu"] = None
    assert nptorch.is_autocast_cache_enabled()
    assert nptorch.autocast_increment_nesting() == 1
    assert nptorch.autocast_decrement_nesting() == 0
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda, ipu, .* device type at start of "
                                           "device string: tpu"):
        nptorch.is_autocast_enabled("tpu")
    assert nptorch.amp.is_autocast_available("cpu") and nptorch.amp.is_autocast_available("cuda")


@pytest.mark.parametrize("device_type", [3, None])
def test_is_autocast_available_takes_a_device_name(device_type):
    check_same_error_as_torch(lambda lib: lib.amp.is_autocast_available(device_type))


@pytest.mark.parametrize("name, args, message", [
    ("is_autocast_cpu_enabled", (), "torch.is_autocast_cpu_enabled() is deprecated. Please use "
                                    "torch.is_autocast_enabled('cpu') instead."),
    ("get_autocast_gpu_dtype", (), "torch.get_autocast_gpu_dtype() is deprecated. Please use "
                                   "torch.get_autocast_dtype('cuda') instead."),
    ("get_autocast_cpu_dtype", (), "torch.get_autocast_cpu_dtype() is deprecated. Please use "
                                   "torch.get_autocast_dtype('cpu') instead."),
    ("set_autocast_cpu_enabled", (False,), "torch.set_autocast_cpu_enabled(enabled) is "
     "deprecated. Please use torch.set_autocast_enabled('cpu', enabled) instead."),
])
def test_deprecated_state_functions_warn(name, args, message):
    with pytest.warns(DeprecationWarning) as record:
        getattr(nptorch, name)(*args)
    assert str(record[0].message) == message


def test_unsupported_cpu_dtype_warns_and_disables(torch):
    for dtype in (None, nptorch.float32, nptorch.float64):
        with pytest.warns(UserWarning) as record:
            region = nptorch.autocast("cpu", dtype=dtype)
        assert str(record[0].message) == (
            "In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
            "CPU Autocast only supports dtypes of nptorch.float16 currently.")
        with region:
            assert not nptorch.is_autocast_enabled("cpu")
            assert (nptorch.ones(2, 2) @ nptorch.ones(2, 2)).dtype == nptorch.float32
    with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not "
                                         "supported. Disabling autocast."):
        torch.autocast("cpu", dtype=torch.float32)


@pytest.mark.skipif(nptorch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_autocast_without_cuda_warns_and_disables():
    with pytest.warns(UserWarning, match="^CUDA is not available or torch_xla is imported. "
                                         "Disabling autocast.$"):
        region = nptorch.autocast("cuda")
    with region:
        assert not nptorch.is_autocast_enabled("cuda")


def test_bad_device_type():
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`, got: "
                                         "`<class 'int'>`"):
        nptorch.autocast(3)
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda, ipu, .* device type at start of "
                                           "device string: tpu"):
        nptorch.autocast("tpu")


def test_deprecated_device_autocasts():
    with pytest.warns(FutureWarning, match=r"^`torch.cpu.amp.autocast\(args...\)` is deprecated. "
                                           r"Please use `torch.amp.autocast\('cpu', args...\)` "
                                           "instead.$"):
        region = nptorch.cpu.amp.autocast(dtype=nptorch.float16)
    with region:
        assert (nptorch.ones(2, 2) @ nptorch.ones(2, 2)).dtype == nptorch.float16
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        nptorch.cuda.amp.autocast()
    assert str(record[0].message) == ("`torch.cuda.amp.autocast(args...)` is deprecated. Please "
                                      "use `torch.amp.autocast('cuda', args...)` instead.")
    assert record[0].category is FutureWarning


def test_custom_fwd_casts_inputs_and_disables_autocast():
    class Square(nptorch.autograd.Function):
        @staticmethod
        @nptorch.amp.custom_fwd(device_type="cpu", cast_inputs=nptorch.float32)
        def forward(ctx, x):
            ctx.save_for_backward(x)
            assert not nptorch.is_autocast_enabled("cpu")
            return x @ x

        @staticmethod
        @nptorch.amp.custom_bwd(device_type="cpu")
        def backward(ctx, gy):
            x, = ctx.saved_tensors
            assert not nptorch.is_autocast_enabled("cpu")
            return gy @ x.t() + x.t() @ gy

    x = nptorch.tensor(SQUARE, dtype=nptorch.float16, requires_grad=True)
    with nptorch.autocast("cpu", dtype=nptorch.float16):
        y = Square.apply(x)
    assert y.dtype == nptorch.float32
    y.sum().backward()
    assert x.grad.dtype == nptorch.float16
