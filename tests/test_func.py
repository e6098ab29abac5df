"""``nptorch.func`` transforms (grad, vjp, jacrev, jacfwd, hessian, linearize, vmap) against
``torch.func``: each case runs the same code with both libraries on the same float64 data."""
import numpy as np
import pytest

import nptorch
from nptorch.func._pytree import tree_flatten

from helpers import check_error_like_torch

_RNG = np.random.default_rng(0)
# x, y: (3,); w: (3, 2); b: a batch of four rows of size 3
DATA = [_RNG.standard_normal(shape) for shape in ((3,), (3,), (3, 2), (4, 3))]


def _inputs(lib):
    return [lib.from_numpy(a.copy()) for a in DATA]


def _assert_same(ours, theirs):
    """Same tree structure; the same shapes, dtypes and values at the leaves."""
    ours_leaves, ours_spec = tree_flatten(ours)
    theirs_leaves, theirs_spec = tree_flatten(theirs)
    assert repr(ours_spec) == repr(theirs_spec)
    for o, t in zip(ours_leaves, theirs_leaves):
        if not hasattr(t, "shape"):
            assert o == t
            continue
        assert tuple(o.shape) == tuple(t.shape)
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)


def _compare(torch, case):
    _assert_same(case(nptorch, *_inputs(nptorch)), case(torch, *_inputs(torch)))


def _vjp_tree(lib, x, y, w, b):
    out, vjp_fn = lib.func.vjp(lambda a, m: (a @ m, {"s": a.sin() * a}), x, w)
    return out, vjp_fn((w[0], {"s": y})), vjp_fn((w[1], {"s": x}))


def _vjp_aux(lib, x, y, w, b):
    out, vjp_fn, aux = lib.func.vjp(lambda a: (a.exp(), [a.sum()]), x, has_aux=True)
    return out, vjp_fn(y), aux


def _linearize(lib, x, y, w, b):
    out, jvp_fn = lib.func.linearize(lambda a, c: (a.sin() * c, {"s": (a * a).sum()}), x, y)
    return out, jvp_fn(y, x), jvp_fn(x, x)


AUTODIFF_CASES = {
    "grad": lambda lib, x, y, w, b: lib.func.grad(lambda a: (a.sin() * a).sum())(x),
    "grad_argnums_tuple": lambda lib, x, y, w, b: lib.func.grad(
        lambda a, m: (a @ m).tanh().sum(), argnums=(0, 1))(x, w),
    "grad_negative_argnum": lambda lib, x, y, w, b: lib.func.grad(
        lambda a, m: (a @ m).tanh().sum(), argnums=-1)(x, w),
    "grad_tree_argument": lambda lib, x, y, w, b: lib.func.grad(
        lambda p, a: (p["w"].T @ a).exp().sum() + (p["b"][0] * a).sum())({"w": w, "b": [y]}, x),
    "grad_has_aux": lambda lib, x, y, w, b: lib.func.grad(
        lambda a: ((a ** 2).sum(), {"double": a * 2, "n": (a.norm(),)}), has_aux=True)(x),
    "grad_kwargs_not_differentiated": lambda lib, x, y, w, b: lib.func.grad(
        lambda a, scale: (a * scale).sum())(x, scale=y),
    "grad_unused_argument": lambda lib, x, y, w, b: lib.func.grad(
        lambda a, c: a.sum(), argnums=1)(x, y),
    "grad_and_value": lambda lib, x, y, w, b: lib.func.grad_and_value(
        lambda a, c: (a * c).prod(), argnums=(0, 1))(x, y),
    "grad_and_value_has_aux": lambda lib, x, y, w, b: lib.func.grad_and_value(
        lambda a: (a.exp().sum(), a.cos()), has_aux=True)(x),
    "vjp_trees": _vjp_tree,
    "vjp_has_aux": _vjp_aux,
    "hessian": lambda lib, x, y, w, b: lib.func.hessian(lambda a: (a.sin() * a).sum())(x),
    "hessian_argnums_tuple": lambda lib, x, y, w, b: lib.func.hessian(
        lambda a, c: (a ** 2 * c.exp()).sum(), argnums=(0, 1))(x, y),
    "jacrev_of_jacrev": lambda lib, x, y, w, b: lib.func.jacrev(
        lib.func.jacrev(lambda a: (a ** 3).prod()))(x),
    "grad_of_grad": lambda lib, x, y, w, b: lib.func.grad(
        lib.func.grad(lambda s: s.sin() * s ** 2))(x[0]),
    "linearize": _linearize,
}


@pytest.mark.parametrize("case", AUTODIFF_CASES.values(), ids=AUTODIFF_CASES.keys())
def test_autodiff_transforms_match_torch(torch, case):
    _compare(torch, case)


JACOBIAN_CASES = {
    "vector": lambda J, x, y, w, b: J(lambda a: a.sin() * a.sum())(x),
    "argnums_and_outputs_tuples": lambda J, x, y, w, b: J(
        lambda a, m: (a @ m, a.exp()), argnums=(0, 1))(x, w),
    "tree_argument": lambda J, x, y, w, b: J(lambda p: p["a"] * p["c"].cos())({"a": x, "c": y}),
    "has_aux": lambda J, x, y, w, b: J(lambda a: (a ** 3, {"s": a.sum()}), has_aux=True)(x),
    "scalar_input": lambda J, x, y, w, b: J(lambda s, a: s * a, argnums=0)(x[0], y),
    "scalar_output": lambda J, x, y, w, b: J(lambda m: (m * m).sum())(w),
}


@pytest.mark.parametrize("transform", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("case", JACOBIAN_CASES.values(), ids=JACOBIAN_CASES.keys())
def test_jacobians_match_torch(torch, transform, case):
    _compare(torch, lambda lib, *data: case(getattr(lib.func, transform), *data))


def test_jacrev_chunk_size_and_jacfwd_randomness(torch):
    _compare(torch, lambda lib, x, y, w, b: (
        lib.func.jacrev(lambda a: a.exp() * a.sum(), chunk_size=2)(x),
        lib.func.jacfwd(lambda a: a.exp(), randomness="same")(x)))


def test_jacfwd_gives_the_output_dtype_and_jacrev_the_input_dtype(torch):
    for lib in (nptorch, torch):
        x = lib.ones(2)
        assert lib.func.jacfwd(lambda a: a.double() * 2)(x).dtype == lib.float64
        assert lib.func.jacrev(lambda a: a.double() * 2)(x).dtype == lib.float32


def test_integer_outputs_jacfwd_keeps_their_dtype_jacrev_and_vjp_refuse(torch):
    for lib in (nptorch, torch):
        jac = lib.func.jacfwd(lambda a: (a * 2).long())(lib.ones(2))
        assert jac.dtype == lib.int64 and not jac.any()
    message = "All outputs of f must be floating-point or complex Tensors"
    check_error_like_torch(lambda lib: lib.func.jacrev(lambda a: a > 0)(lib.ones(2)),
                           RuntimeError, message)
    check_error_like_torch(lambda lib: lib.func.vjp(lambda a: (a, a.long()), lib.ones(2)),
                           RuntimeError, message)


VMAP_CASES = {
    "in_dims_0_none": lambda V, x, y, w, b: V(lambda a, c: a * c, in_dims=(0, None))(b, x),
    "in_dims_1_0": lambda V, x, y, w, b: V(lambda a, c: (a * c).sum(), in_dims=(1, 0))(w, w.T),
    "negative_in_dim": lambda V, x, y, w, b: V(lambda a: a.cumsum(0), in_dims=-1)(w),
    "nested_in_dims": lambda V, x, y, w, b: V(
        lambda t, s: t[0] * t[1] + s, in_dims=((0, None), None))((b, x), y),
    "dict_in_dims": lambda V, x, y, w, b: V(
        lambda d: d["a"] - d["c"], in_dims=({"a": 0, "c": None},))({"a": b, "c": x}),
    "int_in_dims_over_a_dict": lambda V, x, y, w, b: V(lambda d: d["a"] * d["c"])(
        {"a": b, "c": b.flip(0)}),
    "out_dims_1": lambda V, x, y, w, b: V(lambda a: a.outer(a)[:2], out_dims=1)(b),
    "out_dims_negative": lambda V, x, y, w, b: V(lambda a: a.exp(), out_dims=-1)(b),
    "out_dims_tuple": lambda V, x, y, w, b: V(lambda a: (a, a.sin()), out_dims=(0, 1))(b),
    "out_dims_none": lambda V, x, y, w, b: V(
        lambda a: (a.exp(), x * 2, 2.0), out_dims=(0, None, None))(b),
    "out_dims_none_for_every_output": lambda V, x, y, w, b: V(
        lambda a: (x * 2, [y.sum(), 3]), out_dims=None)(b),
    "out_dims_none_single_output_tuple": lambda V, x, y, w, b: V(
        lambda a: y.cos(), out_dims=(None,))(b),
    "out_dims_none_nested_in_tree": lambda V, x, y, w, b: V(
        lambda a: {"a": a.sin(), "c": (x + 1, a * y)}, out_dims={"a": 1, "c": (None, 0)})(b),
    "out_dims_none_unmapped_input": lambda V, x, y, w, b: V(
        lambda a, c: c * 3, in_dims=(0, None), out_dims=None)(b, x),
    "out_dims_none_with_nans": lambda V, x, y, w, b: V(lambda a: x.log(), out_dims=None)(b),
    "out_dims_none_empty_batch": lambda V, x, y, w, b: V(
        lambda a: (a.sum(), x.exp()), out_dims=(0, None))(b[:0]),
    "out_dims_none_nested_vmap": lambda V, x, y, w, b: V(
        lambda a: V(lambda r, c: c, in_dims=(0, None), out_dims=None)(w, x) * a)(b),
    "tree_output": lambda V, x, y, w, b: V(
        lambda a: {"sum": a.sum(), "parts": [a, a.cumsum(0)]})(b),
    "unmapped_output_is_expanded": lambda V, x, y, w, b: V(lambda a: x * 2)(b),
    "kwargs_not_mapped": lambda V, x, y, w, b: V(lambda a, c: a + c)(b, c=x),
    "nested_vmap": lambda V, x, y, w, b: V(
        V(lambda a, c: a * c, in_dims=(0, None)), in_dims=(None, 0))(x, b),
    "chunk_size": lambda V, x, y, w, b: V(lambda a: a.sin(), chunk_size=3)(b),
    "empty_batch": lambda V, x, y, w, b: V(lambda a: (a.sum(), a), out_dims=(0, 1))(b[:0]),
    "integer_input": lambda V, x, y, w, b: V(lambda a: a * 2)((b * 10).long()),
}


@pytest.mark.parametrize("case", VMAP_CASES.values(), ids=VMAP_CASES.keys())
def test_vmap_matches_torch(torch, case):
    _compare(torch, lambda lib, *data: case(lib.vmap, *data))


COMPOSITION_CASES = {
    "vmap_of_grad": lambda F, x, y, w, b: F.vmap(
        F.grad(lambda a, c: (a * c).sin().sum(), argnums=(0, 1)), in_dims=(0, None))(b, x),
    "vmap_of_jacrev": lambda F, x, y, w, b: F.vmap(F.jacrev(lambda a: a.exp() * a.sum()))(b),
    "vmap_of_hessian": lambda F, x, y, w, b: F.vmap(F.hessian(lambda a: (a ** 3).sum()))(b),
    "jacrev_of_vmap": lambda F, x, y, w, b: F.jacrev(F.vmap(lambda a: a.sin() * a.sum()))(w),
    "grad_of_vmap": lambda F, x, y, w, b: F.grad(
        lambda m: F.vmap(lambda a: a.dot(x), in_dims=1)(m).exp().sum())(w),
}


@pytest.mark.parametrize("case", COMPOSITION_CASES.values(), ids=COMPOSITION_CASES.keys())
def test_composed_transforms_match_torch(torch, case):
    _compare(torch, lambda lib, *data: case(lib.func, *data))


def _per_sample_grads(lib, model, x, y):
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss_fn(p, xi, yi):
        out = lib.func.functional_call(model, p, (xi.unsqueeze(0),))
        return lib.nn.functional.mse_loss(out, yi.unsqueeze(0))

    return lib.func.vmap(lib.func.grad(loss_fn), in_dims=(None, 0, 0))(params, x, y)


def test_per_sample_gradients_through_functional_call_match_torch(torch):
    theirs = torch.nn.Linear(3, 2).double()
    ours = nptorch.nn.Linear(3, 2).double()
    ours.load_state_dict({k: nptorch.from_numpy(v.numpy())
                          for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    grads = _per_sample_grads(nptorch, ours, nptorch.from_numpy(x), nptorch.from_numpy(y))
    _assert_same(grads, _per_sample_grads(torch, theirs, torch.from_numpy(x), torch.from_numpy(y)))
    # their mean is the gradient of the mean loss
    nptorch.nn.functional.mse_loss(ours(nptorch.from_numpy(x)), nptorch.from_numpy(y)).backward()
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(grads[name].mean(0).numpy(), p.grad.numpy(), rtol=1e-10)


def _backward_through(lib, x, y, w, b):
    b, x = b.requires_grad_(), x.requires_grad_()
    out = lib.vmap(lambda a, c: (a.sin() * c).sum() * a, in_dims=(0, None), out_dims=1)(b, x)
    (out * out).sum().backward()
    return b.grad, x.grad


def _backward_through_grad(lib, x, y, w, b):
    x = x.requires_grad_()
    g = lib.func.grad(lambda a: (a ** 3).sum() * a.sin().sum())(x)
    (g * y).sum().backward()
    return g, x.grad


def _requires_grad_flags(lib, x, y, w, b):
    """Which results stay attached to the caller's graph."""
    xr, wr = x.clone().requires_grad_(), w.clone().requires_grad_()
    results = [
        lib.func.grad(lambda a: (a ** 2).sum())(xr),
        lib.func.grad(lambda a: (a * 3).sum())(xr),  # constant gradient
        lib.func.grad(lambda a: (a @ wr).sum())(x),  # through a captured tensor
        lib.func.grad_and_value(lambda a: ((a ** 2).sum(), a * 2), has_aux=True)(x),
        lib.func.grad_and_value(lambda a: ((a ** 2).sum(), a * 2), has_aux=True)(xr),
        lib.func.vjp(lambda a: a ** 2, x)[1](y.clone().requires_grad_()),
        lib.func.jacrev(lambda a: a ** 2)(xr),
        lib.vmap(lambda a: a * 2)(wr),
    ]
    with lib.no_grad():
        results.append(lib.func.grad(lambda a: (a ** 2).sum())(xr))
    return [t.requires_grad for t in tree_flatten(results)[0]]


@pytest.mark.parametrize("case", [_backward_through, _backward_through_grad])
def test_gradients_flow_through_transforms_like_torch(torch, case):
    _compare(torch, case)


def test_results_keep_the_callers_graph_only_where_torch_does(torch):
    ours = _requires_grad_flags(nptorch, *_inputs(nptorch))
    theirs = _requires_grad_flags(torch, *_inputs(torch))
    assert ours == theirs
    assert True in ours and False in ours


@pytest.mark.parametrize("randomness,rows_equal", [("same", True), ("different", False)])
def test_vmap_randomness_like_torch(torch, randomness, rows_equal):
    for lib in (nptorch, torch):
        out = lib.vmap(lambda a: a + lib.rand(3), randomness=randomness)(lib.zeros(4, 3))
        assert bool((out == out[0]).all()) == rows_equal


def test_vmap_returns_an_unmapped_output_as_is(torch):
    for lib in (nptorch, torch):
        x, b = lib.ones(3), lib.zeros(4, 3)
        assert lib.vmap(lambda a, c: c, in_dims=(0, None), out_dims=None)(b, x) is x
        assert lib.vmap(lambda a: (a, x), out_dims=(0, None))(b)[1] is x


def test_vmap_is_a_top_level_alias():
    assert nptorch.vmap is nptorch.func.vmap


def _vjp_with_cotangents(lib, cotangents):
    _, vjp_fn = lib.func.vjp(lambda a: (a, a * 2), lib.ones(3))
    return vjp_fn(cotangents(lib))


ERRORS = [
    (lambda lib: lib.func.grad(lambda a: a * 2)(lib.ones(3)), RuntimeError,
     r"Expected f\(\*args\) to return a scalar Tensor, got tensor with 1 dims"),
    (lambda lib: lib.func.grad(lambda a: 3.0)(lib.ones(3)), RuntimeError,
     r"Expected f\(\*args\) to return a Tensor, got <class 'float'>"),
    (lambda lib: lib.func.grad(lambda a: a.sum(), has_aux=True)(lib.ones(3)), RuntimeError,
     r"output of function f should be a tuple: \(output, aux\) if has_aux is True"),
    (lambda lib: lib.func.grad(lambda a: (a.sum(), 1), has_aux=True)(lib.ones(3)), RuntimeError,
     "Expected tensors, got unsupported type <class 'int'>"),
    (lambda lib: lib.func.grad(lambda a, c: a.sum(), argnums=2)(lib.ones(3), lib.ones(3)),
     RuntimeError, "Got argnum=2, but only 2 positional inputs"),
    (lambda lib: lib.func.grad(lambda a: a.sum(), argnums=[0])(lib.ones(3)), RuntimeError,
     r"argnums must be int or Tuple\[int, ...\], got: <class 'list'>"),
    (lambda lib: lib.func.grad(lambda a: a.sum(), argnums=())(lib.ones(3)), RuntimeError,
     "argnums must be non-empty"),
    (lambda lib: lib.func.grad(lambda a, c: a.sum(), argnums=(0, -2))(lib.ones(3), lib.ones(3)),
     RuntimeError, r"argnums elements must be unique, got \(0, 0\)"),
    (lambda lib: lib.func.grad(lambda d: d["a"].sum())({"a": lib.ones(3), "n": 2}), ValueError,
     "Thing passed to transform API must be Tensor, got <class 'int'>"),
    (lambda lib: _vjp_with_cotangents(lib, lambda lib: lib.ones(3)), RuntimeError,
     "Expected pytree structure of cotangents to be the same as pytree structure of outputs"),
    (lambda lib: _vjp_with_cotangents(lib, lambda lib: (lib.ones(2), lib.ones(3))), RuntimeError,
     "Mismatch in shape"),
    (lambda lib: lib.func.vjp(lambda a: (a, 2.0), lib.ones(3)), RuntimeError,
     r"vjp\(f, \*primals\): expected f\(\*primals\) to return only tensors"),
    (lambda lib: lib.func.jacrev(lambda a: a, chunk_size=0), ValueError,
     "jacrev: `chunk_size` should be greater than 0."),
    (lambda lib: lib.func.jacfwd(lambda a: a * 2, has_aux=True)(lib.ones(3)), RuntimeError,
     r"jvp\(f, primals, tangents\): output of function f should be a tuple"),
    (lambda lib: lib.func.jacfwd(lambda a: a * lib.rand(3))(lib.ones(3)), RuntimeError,
     "vmap: called random operation while in randomness error mode"),
    (lambda lib: lib.vmap(lambda a, c: a + c)(lib.ones(2, 3), lib.ones(3, 3)), ValueError,
     r"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
     r"\[2, 3\] for the mapped dimension"),
    (lambda lib: lib.vmap(lambda a: a, in_dims=-3)(lib.ones(2, 3)), ValueError,
     r"Got in_dim=-3 for some input, but that input is a Tensor of dimensionality 2 so expected "
     r"in_dim to satisfy -2 <= in_dim < 2."),
    (lambda lib: lib.vmap(lambda a: a, in_dims=[0])(lib.ones(2, 3)), ValueError,
     r"expected `in_dims` to be int or a \(potentially nested\) tuple matching the structure"),
    (lambda lib: lib.vmap(lambda a, c: a, in_dims=(0,))(lib.ones(2), lib.ones(2)), ValueError,
     "in_dims is not compatible with the structure of `inputs`"),
    (lambda lib: lib.vmap(lambda a: a, in_dims=(0.0,))(lib.ones(2)), ValueError,
     "Got in_dim=0.0 for an input but in_dim must be either an integer dimension or None"),
    (lambda lib: lib.vmap(lambda a, c: a, in_dims=(None, None))(lib.ones(2), lib.ones(2)),
     ValueError, "vmap: Expected at least one Tensor to vmap over"),
    (lambda lib: lib.vmap(lambda a, n: a * n)(lib.ones(2), 3), ValueError,
     "the input is of type <class 'int'>. We cannot vmap over non-Tensor arguments"),
    (lambda lib: lib.vmap(lambda: lib.ones(2))(), ValueError, "got no inputs"),
    (lambda lib: lib.vmap(lambda a: (a, 3.0))(lib.ones(2)), ValueError,
     "must only return Tensors, got type <class 'float'>. Did you mean to set out_dims= to None"),
    (lambda lib: lib.vmap(lambda a: a * 2, out_dims=None)(lib.arange(2.0)), ValueError,
     "can not return a BatchedTensor when out_dim is None"),
    (lambda lib: lib.vmap(lambda a: (a, a * 2), out_dims=(0, None))(lib.eye(2)), ValueError,
     r"vmap\(<lambda>, \.\.\.\): `<lambda>` can not return a BatchedTensor when out_dim is None"),
    (lambda lib: lib.vmap(lambda a: {"s": a.sum()}, out_dims={"s": None})(lib.arange(2.0)),
     ValueError, "can not return a BatchedTensor when out_dim is None"),
    (lambda lib: lib.vmap(lambda a: a, out_dims=None)(lib.ones(3, 2)), ValueError,
     "can not return a BatchedTensor when out_dim is None"),
    (lambda lib: lib.vmap(lambda a: a, out_dims=None)(lib.ones(1, 2)), ValueError,
     "can not return a BatchedTensor when out_dim is None"),
    (lambda lib: lib.vmap(lambda a: a, out_dims=None)(lib.ones(0, 2)), ValueError,
     "can not return a BatchedTensor when out_dim is None"),
    (lambda lib: lib.vmap(lambda a: lib.vmap(lambda c: a, out_dims=None)(lib.ones(3)))(
        lib.ones(2, 2)), ValueError, "can not return a BatchedTensor when out_dim is None"),
    (lambda lib: lib.vmap(lambda a: lib.vmap(lambda c, d: d, in_dims=(0, None), out_dims=None)(
        lib.ones(3), a))(lib.ones(2, 2)), ValueError,
     "can not return a BatchedTensor when out_dim is None"),
    (lambda lib: lib.vmap(lambda a: a, out_dims=(None, 0))(lib.ones(2)), ValueError,
     "out_dims is not compatible with the structure of `outputs`"),
    (lambda lib: lib.vmap(lambda a: a, out_dims="s")(lib.ones(2)), ValueError,
     "`out_dims` must be an int, None or a python collection of ints"),
    (lambda lib: lib.vmap(lambda a: [a, a], out_dims=(0, 1))(lib.ones(2, 2)), ValueError,
     "out_dims is not compatible with the structure of `outputs`"),
    (lambda lib: lib.vmap(lambda a: a, out_dims=2)(lib.ones(2, 3)), IndexError,
     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    (lambda lib: lib.vmap(lambda a: a + lib.rand(3))(lib.ones(2, 3)), RuntimeError,
     "vmap: called random operation while in randomness error mode"),
    (lambda lib: lib.vmap(lambda a: a, randomness="x"), RuntimeError,
     "Only allowed values for randomness are 'error', 'different', or 'same'. Got x"),
    (lambda lib: lib.vmap(lambda a: a, chunk_size=0), ValueError,
     r"vmap: chunk_size should be None or greater than 0. \(got 0\)"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors_match_torch(torch, call, error, message):
    check_error_like_torch(call, error, message)
