"""The ``native_*`` forms (layer, batch and group normalization with their statistics,
dropout with its mask, ``native_norm``) compared with PyTorch: every output's values, shape
and dtype, the gradients, float64 gradcheck, running statistics and errors."""
import math

import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck

from helpers import check_op, check_same_error_as_torch

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
_X = _RNG.standard_normal((4, 6, 5)).astype(np.float32)


# -- layer norm ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,normalized", [((4, 6, 5), [5]), ((4, 6, 5), (6, 5)),
                                              ((3, 7), [7]), ((5,), [5]), ((2, 3, 4, 2), [4, 2])])
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_native_layer_norm_matches_pytorch(shape, normalized, affine):
    d = tuple(normalized)
    specs = [shape] + ([d] if affine != "none" else []) + ([d] if affine == "both" else [])

    def fn(lib, x, *params):
        weight = params[0] if params else None
        bias = params[1] if len(params) > 1 else None
        return lib.native_layer_norm(x, normalized, weight, bias, 1e-5)
    check_op(fn, *specs)


def test_native_layer_norm_statistics_shapes_and_flags():
    x = nptorch.tensor(_X, requires_grad=True)
    out, mean, rstd = nptorch.native_layer_norm(x, [6, 5], None, None, 1e-5)
    assert tuple(mean.shape) == tuple(rstd.shape) == (4, 1, 1)
    assert out.requires_grad and not mean.requires_grad and not rstd.requires_grad
    flat = _X.reshape(4, -1).astype(np.float64)
    np.testing.assert_allclose(mean.numpy().ravel(), flat.mean(1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rstd.numpy().ravel(), 1 / np.sqrt(flat.var(1) + 1e-5), rtol=1e-5)


def test_native_layer_norm_of_empty_and_half_inputs_match_pytorch():
    ours = nptorch.native_layer_norm(nptorch.zeros(0, 5), [5], None, None, 1e-5)
    theirs = torch.native_layer_norm(torch.zeros(0, 5), [5], None, None, 1e-5)
    assert [tuple(t.shape) for t in ours] == [tuple(t.shape) for t in theirs]
    w = _RNG.standard_normal(5).astype(np.float32)
    results = []
    for lib in (nptorch, torch):
        x = lib.tensor(_X).half()
        results.append(lib.native_layer_norm(x, [5], lib.tensor(w), None, 1e-5)
                       + lib.native_layer_norm(x, [5], None, None, 1e-5))
    for o, t in zip(*results):
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(o.float().numpy(), t.float().numpy(), rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("call", [
    lambda lib: lib.native_layer_norm(lib.zeros(2, 3), 3, None, None, 1e-5),
    lambda lib: lib.native_layer_norm(lib.zeros(2, 3), [], None, None, 1e-5),
    lambda lib: lib.native_layer_norm(lib.zeros(2, 3), [4], None, None, 1e-5),
    lambda lib: lib.native_layer_norm(lib.zeros(2, 3), [3], lib.ones(4), None, 1e-5),
    lambda lib: lib.native_layer_norm(lib.zeros(2, 3), [3], None, lib.ones(2, 3), 1e-5),
    lambda lib: lib.native_layer_norm(lib.zeros(2, 3, dtype=lib.float64), [3], lib.ones(3), None,
                                      1e-5),
    lambda lib: lib.native_layer_norm(lib.zeros(2, 3), [3], None, lib.ones(3, dtype=lib.float64),
                                      1e-5),
    lambda lib: lib.native_layer_norm(lib.zeros(2, 3).half(), [3], lib.ones(3).half(),
                                      lib.ones(3), 1e-5),
    lambda lib: lib.native_layer_norm(lib.zeros(2, 3).half(), [3], lib.ones(3),
                                      lib.ones(3).half(), 1e-5),
], ids=["int-shape", "empty-shape", "trailing", "weight", "bias", "mixed", "mixed-double",
        "unmixed-params", "mixed-params"])
def test_native_layer_norm_errors_match_pytorch(call):
    check_same_error_as_torch(call)


# -- group norm ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,groups", [((4, 6, 5), 3), ((4, 6, 5), 6), ((2, 6, 2, 3), 2),
                                          ((3, 4), 2), ((1, 6, 5), 1)])
@pytest.mark.parametrize("affine", [False, True])
def test_native_group_norm_matches_pytorch(shape, groups, affine):
    """All three outputs seeded: PyTorch's gradient through its statistics is exact then."""
    n, c = shape[0], shape[1]
    hxw = int(np.prod(shape[2:], dtype=np.int64))
    specs = [shape] + ([(c,), (c,)] if affine else [])

    def fn(lib, x, *params):
        weight, bias = params if params else (None, None)
        return lib.native_group_norm(x, weight, bias, n, c, hxw, groups, 1e-5)
    # (PyTorch's native form refuses non-contiguous input; nptorch takes it)
    check_op(fn, *specs, noncontiguous=False)
    check_op(lambda lib, x, *params: fn(lib, x.contiguous(), *params), *specs)


def test_native_group_norm_reads_any_shape_of_the_right_size():
    for shape in [(8, 5), (40,), (2, 4, 5, 1)]:
        check_op(lambda lib, x: lib.native_group_norm(x, None, None, 2, 4, 5, 2, 1e-5), shape,
                 noncontiguous=False)


def test_native_group_norm_statistics_have_the_gradients_of_mean_and_rstd():
    """The statistics' gradients are those of the mean and 1/std of each group (PyTorch's
    agree when the output is seeded too; alone, it drops them)."""
    x = nptorch.tensor(_X.astype(np.float64), requires_grad=True)
    _, mean, rstd = nptorch.native_group_norm(x, None, None, 4, 6, 5, 3, 1e-5)
    g_mean, g_rstd = (nptorch.tensor(_RNG.standard_normal((4, 3))) for _ in range(2))
    ours = nptorch.autograd.grad([mean, rstd], [x], [g_mean, g_rstd])[0]
    xt = torch.tensor(_X.astype(np.float64), requires_grad=True)
    groups = xt.reshape(4, 3, -1)
    ref_mean, ref_rstd = groups.mean(-1), (groups.var(-1, unbiased=False) + 1e-5).rsqrt()
    theirs = torch.autograd.grad([ref_mean, ref_rstd], [xt],
                                 [torch.tensor(g_mean.numpy()), torch.tensor(g_rstd.numpy())])[0]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda t: nptorch.native_group_norm(t, None, None, 4, 6, 5, 3, 1e-5)[1:],
                     [x])


def test_native_group_norm_statistics_without_grad_are_plain():
    x = nptorch.tensor(_X)
    _, mean, rstd = nptorch.native_group_norm(x, None, None, 4, 6, 5, 2, 1e-5)
    assert not mean.requires_grad and tuple(rstd.shape) == (4, 2)
    _, mean_t, rstd_t = torch.native_group_norm(torch.tensor(_X), None, None, 4, 6, 5, 2, 1e-5)
    np.testing.assert_allclose(mean.numpy(), mean_t.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rstd.numpy(), rstd_t.numpy(), rtol=1e-5)


def test_native_group_norm_empty_batch_and_half_match_pytorch():
    for lib in (nptorch, torch):
        out = lib.native_group_norm(lib.zeros(0, 6, 5), None, None, 0, 6, 5, 3, 1e-5)
        assert [tuple(t.shape) for t in out] == [(0, 6, 5), (0, 3), (0, 3)]
    results = [lib.native_group_norm(lib.tensor(_X).half(), lib.ones(6), None, 4, 6, 5, 3, 1e-5)
               for lib in (nptorch, torch)]
    for o, t in zip(*results):
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(o.detach().float().numpy(), t.detach().float().numpy(),
                                   rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("call", [
    lambda lib: lib.native_group_norm(lib.zeros(2, 6, 5), None, None, 2, 6, 5, 0, 1e-5),
    lambda lib: lib.native_group_norm(lib.zeros(2, 6, 5), None, None, 2, 6, 5, 4, 1e-5),
    lambda lib: lib.native_group_norm(lib.zeros(2, 6, 5), lib.ones(5), None, 2, 6, 5, 3, 1e-5),
    lambda lib: lib.native_group_norm(lib.zeros(2, 6, 5), lib.ones(6, dtype=lib.float64), None,
                                      2, 6, 5, 3, 1e-5),
    lambda lib: lib.native_group_norm(lib.zeros(2, 6, 5, dtype=lib.float64), lib.ones(6), None,
                                      2, 6, 5, 3, 1e-5),
], ids=["no-groups", "indivisible", "weight", "mixed", "mixed-double"])
def test_native_group_norm_errors_match_pytorch(call):
    check_same_error_as_torch(call)


def test_native_group_norm_bias_error_names_the_bias_shape():
    """(PyTorch's message prints the shape of an empty tensor for the bias.)"""
    for lib in (torch, nptorch):
        with pytest.raises(RuntimeError, match="Expected bias to be a vector of size equal to the "
                                               "number of channels"):
            lib.native_group_norm(lib.zeros(2, 6, 5), None, lib.ones(6, 1), 2, 6, 5, 3, 1e-5)
    with pytest.raises(RuntimeError, match="got bias of shape \\[6, 1\\]"):
        nptorch.native_group_norm(nptorch.zeros(2, 6, 5), None, nptorch.ones(6, 1), 2, 6, 5, 3,
                                  1e-5)


@pytest.mark.parametrize("args", [(2, 6, 4), (3, 6, 5), (2, 4, 5)])
def test_native_group_norm_refuses_sizes_that_do_not_cover_the_input(args):
    for lib in (torch, nptorch):
        with pytest.raises(RuntimeError, match="N \\* C \\* HxW"):
            lib.native_group_norm(lib.zeros(2, 6, 5), None, None, *args, 2, 1e-5)


# -- batch norm ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 6, 5), (5, 3), (2, 3, 2, 2)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [False, True])
def test_native_batch_norm_matches_pytorch(shape, training, affine):
    c = shape[1]
    mean0 = _RNG.standard_normal(c).astype(np.float32)
    var0 = _RNG.uniform(0.5, 2, c).astype(np.float32)
    specs = [shape] + ([(c,), (c,)] if affine else [])

    def fn(lib, x, *params):
        weight, bias = params if params else (None, None)
        running_mean, running_var = lib.tensor(mean0).to(x.dtype), lib.tensor(var0).to(x.dtype)
        out = lib.native_batch_norm(x, weight, bias, running_mean, running_var, training, 0.3,
                                    1e-5)
        return out + (running_mean, running_var)
    check_op(fn, *specs)


def test_native_batch_norm_without_running_statistics_matches_pytorch():
    check_op(lambda lib, x, w: lib.native_batch_norm(x, w, None, None, None, True, 0.1, 1e-5),
             (4, 6, 5), (6,))


def test_native_batch_norm_statistics():
    x = nptorch.tensor(_X, requires_grad=True)
    out, mean, invstd = nptorch.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5)
    assert not mean.requires_grad and not invstd.requires_grad
    per_channel = _X.transpose(1, 0, 2).reshape(6, -1).astype(np.float64)
    np.testing.assert_allclose(mean.numpy(), per_channel.mean(1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(invstd.numpy(), 1 / np.sqrt(per_channel.var(1) + 1e-5), rtol=1e-5)
    _, mean, invstd = nptorch.native_batch_norm(x, None, None, nptorch.zeros(6), nptorch.ones(6),
                                                False, 0.1, 1e-5)
    assert tuple(mean.shape) == tuple(invstd.shape) == (0,) and mean.dtype == nptorch.float32


def test_native_batch_norm_one_value_per_channel_updates_running_var_to_nan():
    results = []
    for lib in (nptorch, torch):
        running_mean, running_var = lib.zeros(3), lib.ones(3)
        out = lib.native_batch_norm(lib.tensor([[1.0, 2.0, 3.0]]), None, None, running_mean,
                                    running_var, True, 0.1, 1e-5)
        results.append([t.numpy() for t in out + (running_mean, running_var)])
    for o, t in zip(*results):
        np.testing.assert_allclose(o, t, rtol=1e-5, atol=1e-4)
    assert np.isnan(results[0][-1]).all()


def test_native_batch_norm_half_input_keeps_float_statistics():
    results = []
    for lib in (nptorch, torch):
        running_mean, running_var = lib.zeros(6), lib.ones(6)
        out = lib.native_batch_norm(lib.tensor(_X).half(), lib.ones(6), None, running_mean,
                                    running_var, True, 0.1, 1e-5)
        results.append(out + (running_mean, running_var))
    for o, t in zip(*results):
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(o.float().numpy(), t.float().numpy(), rtol=2e-3, atol=2e-3)


def test_native_batch_norm_gradcheck():
    x = nptorch.tensor(_X[:3, :4].astype(np.float64), requires_grad=True)
    w = nptorch.tensor(_RNG.standard_normal(4), requires_grad=True)
    b = nptorch.tensor(_RNG.standard_normal(4), requires_grad=True)
    for training in (True, False):
        assert gradcheck(lambda *a: nptorch.native_batch_norm(
            *a, nptorch.zeros(4, dtype=nptorch.float64), nptorch.ones(4, dtype=nptorch.float64),
            training, 0.1, 1e-5)[0], [x, w, b])


@pytest.mark.parametrize("call", [
    lambda lib: lib.native_batch_norm(lib.zeros(4, 3), None, None, lib.zeros(3), None, True, 0.1,
                                      1e-5),
    lambda lib: lib.native_batch_norm(lib.zeros(4, 3), None, None, None, lib.ones(3), False, 0.1,
                                      1e-5),
    lambda lib: lib.native_batch_norm(lib.zeros(4), None, None, None, None, True, 0.1, 1e-5),
    lambda lib: lib.native_batch_norm(lib.zeros(0, 3), None, None, None, None, True, 0.1, 1e-5),
    lambda lib: lib.native_batch_norm(lib.zeros(4, 3, dtype=lib.float64), None, None,
                                      lib.zeros(3), lib.ones(3), True, 0.1, 1e-5),
    lambda lib: lib.native_batch_norm(lib.zeros(4, 3).half(), None, None,
                                      lib.zeros(3, dtype=lib.float64),
                                      lib.ones(3, dtype=lib.float64), True, 0.1, 1e-5),
], ids=["running-var", "running-mean", "1d", "empty", "mixed", "mixed-params"])
def test_native_batch_norm_errors_match_pytorch(call):
    check_same_error_as_torch(call)


def test_native_batch_norm_checks_what_pytorch_reads_out_of_bounds():
    """PyTorch does not check these sizes (and crashes evaluating without running
    statistics); nptorch raises."""
    x = nptorch.zeros(4, 3)
    with pytest.raises(RuntimeError, match="weight should contain 3 elements not 2"):
        nptorch.native_batch_norm(x, nptorch.ones(2), None, None, None, True, 0.1, 1e-5)
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 2"):
        nptorch.native_batch_norm(x, None, None, nptorch.zeros(2), nptorch.ones(3), False, 0.1,
                                  1e-5)
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
        nptorch.native_batch_norm(x, None, None, None, None, False, 0.1, 1e-5)


# -- dropout ---------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
@pytest.mark.parametrize("train", [True, None])
def test_native_dropout_output_mask_and_gradient(p, train):
    x = nptorch.tensor(_X, requires_grad=True)
    out, mask = nptorch.native_dropout(x, p, train)
    assert mask.dtype == nptorch.bool and tuple(mask.shape) == _X.shape
    keep = mask.numpy()
    assert 0 < keep.mean() < 1
    np.testing.assert_allclose(out.detach().numpy(), np.where(keep, _X / (1 - p), 0), rtol=1e-6)
    seed = _RNG.standard_normal(_X.shape).astype(np.float32)
    out.backward(nptorch.tensor(seed))
    np.testing.assert_allclose(x.grad.numpy(), np.where(keep, seed / (1 - p), 0), rtol=1e-6)


def test_native_dropout_draws_the_mask_of_functional_dropout():
    x = nptorch.tensor(_X)
    nptorch.manual_seed(3)
    expected = nptorch.nn.functional.dropout(x, 0.4)
    nptorch.manual_seed(3)
    out, _ = nptorch.native_dropout(x, 0.4, True)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


@pytest.mark.parametrize("p,train", [(0.5, False), (1.5, False), (0.0, True), (1.0, True),
                                     (1, True)])
def test_native_dropout_without_randomness_matches_pytorch(p, train):
    results = []
    for lib in (nptorch, torch):
        x = lib.tensor(_X, requires_grad=True)
        out, mask = lib.native_dropout(x, p, train)
        assert out is not x
        out.backward(lib.ones_like(out))
        results.append((out, mask, x.grad))
    for o, t in zip(*results):
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_array_equal(o.detach().numpy(), t.detach().numpy())
    if p == 1.0:  # zeros keeping the signs, as x * 0
        np.testing.assert_array_equal(np.signbit(results[0][0].detach().numpy()), _X < 0)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_native_dropout_of_empty_input_matches_pytorch(dtype):
    results = [lib.native_dropout(lib.zeros(0, 3, dtype=getattr(lib, dtype)), 0.5, True)
               for lib in (nptorch, torch)]
    for o, t in zip(*results):
        assert tuple(o.shape) == tuple(t.shape) == (0, 3)
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1] == dtype


def test_native_dropout_of_integers_in_evaluation_matches_pytorch():
    ours = nptorch.native_dropout(nptorch.arange(4), 0.5, False)
    theirs = torch.native_dropout(torch.arange(4), 0.5, False)
    for o, t in zip(ours, theirs):
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_array_equal(o.numpy(), t.numpy())


@pytest.mark.parametrize("call", [
    lambda lib: lib.native_dropout(lib.zeros(3), 1.5, True),
    lambda lib: lib.native_dropout(lib.zeros(3), -0.5, None),
    lambda lib: lib.native_dropout(lib.arange(4), 0.5, True),
    lambda lib: lib.native_dropout(lib.zeros(3, dtype=lib.bool), 0.0, True),
    lambda lib: lib.native_dropout(lib.zeros(3), "a", True),
], ids=["p-high", "p-low", "integer", "bool", "p-type"])
def test_native_dropout_errors_match_pytorch(call):
    check_same_error_as_torch(call)


# -- norm ------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [2, 1, 3, 2.5, 0, math.inf, -math.inf, -1])
def test_native_norm_matches_pytorchs_sparse_values(p):
    x = _RNG.standard_normal((3, 4)).astype(np.float32)
    theirs = torch.native_norm(torch.tensor(x).to_sparse(), p)
    ours = nptorch.native_norm(nptorch.tensor(x), p)
    assert tuple(ours.shape) == () and ours.dtype == nptorch.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5)
    assert nptorch.native_norm(nptorch.tensor(x)).item() == pytest.approx(
        torch.native_norm(torch.tensor(x).to_sparse()).item(), rel=1e-6)


@pytest.mark.parametrize("p,dim,keepdim,dtype", [
    (2, [0, 1], False, None), (None, [], False, None), (1, 1, True, None),
    (3, [0], False, "float64"), (math.inf, (1,), True, None)])
def test_native_norm_over_dims_is_the_vector_norm(p, dim, keepdim, dtype):
    def fn(lib, x):
        return lib.native_norm(x, p, dim, keepdim, dtype and getattr(lib, dtype))

    def reference(lib, x):
        dims = (dim if isinstance(dim, int) else list(dim)) or None
        return lib.linalg.vector_norm(x, 2 if p is None else p, dims, keepdim,
                                      dtype=dtype and getattr(lib, dtype))
    x = _RNG.standard_normal((3, 4)).astype(np.float32)
    ours, theirs = fn(nptorch, nptorch.tensor(x)), reference(torch, torch.tensor(x))
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5)


def test_native_norm_is_differentiable():
    x = nptorch.tensor(_RNG.standard_normal((3, 4)), requires_grad=True)
    for p in (2, 1, 3.5):
        assert gradcheck(lambda t: nptorch.native_norm(t, p), [x])
        assert gradcheck(lambda t: nptorch.native_norm(t, p, [1], True, None), [x])


def test_native_norm_errors():
    # PyTorch computes native_norm of sparse tensors only: its checks of their values
    check_same_error_as_torch(lambda lib: lib.native_norm(
        lib.tensor([[1, 0], [2, 3]]).to_sparse() if lib is torch else lib.tensor([[1, 0], [2, 3]])))
    check_same_error_as_torch(lambda lib: lib.native_norm(
        lib.zeros(2, 3).to_sparse() if lib is torch else lib.zeros(2, 3), "fro"))
    with pytest.raises(TypeError, match="dim, keepdim and dtype together"):
        nptorch.native_norm(nptorch.zeros(3), 2, [0])


# -- argument checks and dtypes ----------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda lib: lib.native_layer_norm(lib.ones(2, 5), [5.0], None, None, 1e-5),
    lambda lib: lib.native_layer_norm(lib.ones(2, 5), [True], None, None, 1e-5),
    lambda lib: lib.native_layer_norm(lib.ones(2, 5, dtype=lib.long), [5], None, None, 1e-5),
    lambda lib: lib.native_batch_norm(lib.ones(4, 3, 5, dtype=lib.long), None, None, None, None,
                                      True, 0.1, 1e-5),
    lambda lib: lib.native_group_norm(lib.ones(2, 6, 5), None, None, 2, 6, 5, 3.0, 1e-5),
    lambda lib: lib.native_group_norm(lib.ones(2, 6, 5, dtype=lib.long), None, None, 2, 6, 5,
                                      3, 1e-5),
    lambda lib: lib.native_dropout(lib.ones(2, 3), 0.5, 1),
    lambda lib: lib.native_dropout(lib.ones(2, 3), 0.5, 1.0),
])
def test_native_argument_errors_match_torch(call):
    check_same_error_as_torch(call)


def test_native_batch_norm_in_evaluation_keeps_a_float16_input_dtype():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((4, 3, 5)).astype(np.float16)
    stats = rng.standard_normal(3).astype(np.float32), rng.uniform(0.5, 2, 3).astype(np.float32)

    def call(lib):
        return lib.native_batch_norm(lib.tensor(x), lib.ones(3), lib.zeros(3),
                                     lib.tensor(stats[0]), lib.tensor(stats[1]), False, 0.1,
                                     1e-5)
    ours, theirs = call(nptorch), call(torch)
    for o, t in zip(ours, theirs):
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(o.numpy().astype(np.float32), t.numpy().astype(np.float32),
                                   rtol=2e-3, atol=2e-3)
