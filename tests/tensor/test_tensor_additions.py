"""Tensor methods compared with PyTorch: memory (``share_memory_``, ``set_``, ``is_set_to``,
``dim_order``), protocol methods (``in``, ``reversed``), ``as_subclass``, ``module_load``,
``map2_``, the deprecated ``resize`` / ``resize_as`` / ``volatile`` / ``lu``, ``ormqr`` and the
removed ``solve`` / ``lstsq`` / ``eig`` / ``symeig`` / ``matrix_rank``."""
import os
import warnings

import numpy as np
import pytest

import nptorch

from helpers import check_equal_to_torch, check_op, check_same_error_as_torch

torch = pytest.importorskip("torch")


def test_every_new_method_exists_on_torch_tensors():
    for name in ("new_empty_strided", "as_strided_", "as_strided_scatter", "is_inference",
                 "output_nr", "dim_order", "share_memory_", "is_shared", "resize_as_",
                 "const_data_ptr", "is_set_to", "set_", "map2_", "as_subclass", "module_load",
                 "resize", "resize_as", "volatile", "nonzero_static", "unsafe_split_with_sizes",
                 "ormqr", "lu", "solve", "lstsq", "eig", "symeig", "__contains__",
                 "__reversed__"):
        assert hasattr(torch.Tensor, name) and hasattr(nptorch.Tensor, name), name
    for name in ("is_inference", "ormqr", "lu", "solve", "lstsq", "eig", "symeig",
                 "matrix_rank"):
        assert hasattr(torch, name) and hasattr(nptorch, name), name


# -- memory ----------------------------------------------------------------------------------
def test_share_memory_is_seen_by_forked_processes():
    x = nptorch.arange(6.0)
    assert not x.is_shared()
    assert x.share_memory_() is x and x.is_shared()
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    view = x[2:]
    assert view.is_shared() and view.share_memory_() is view
    pid = os.fork()
    if pid == 0:  # the child writes through its copy of the mapping
        x[0] = 42.0
        view[0] = -1.0
        os._exit(0)
    os.waitpid(pid, 0)
    assert x.tolist() == [42.0, 1.0, -1.0, 3.0, 4.0, 5.0]


def test_a_view_of_unshared_memory_cannot_be_moved():
    with pytest.raises(RuntimeError, match="the memory of a view cannot be moved"):
        nptorch.arange(6.0)[1:].share_memory_()


def test_set_matches_torch():
    results = []
    for lib in (torch, nptorch):
        a = lib.arange(6.0)
        b = lib.zeros(2)
        assert b.set_(a) is b and b.is_set_to(a) and a.is_set_to(b)
        c = lib.zeros(2)
        c.set_(a, 1, (2, 2), (2, 1))
        c[0, 0] = -1.0
        d = lib.ones(3)
        d.set_()
        results.append((b.tolist(), c.tolist(), a.tolist(), tuple(d.shape), c.stride(),
                        c.is_set_to(a), a.is_set_to(a.view(2, 3)), a.is_set_to(a.clone())))
    assert results[0] == results[1]


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2, requires_grad=True).set_(lib.arange(3.0)),
    lambda lib: lib.ones(2).set_(lib.arange(3)),
])
def test_set_errors_match_torch(call):
    check_same_error_as_torch(call)


def test_const_data_ptr_is_data_ptr():
    x = nptorch.arange(4.0)[1:]
    assert x.const_data_ptr() == x.data_ptr() != nptorch.arange(4.0).data_ptr()


@pytest.mark.parametrize("make", [
    lambda lib: lib.empty((2, 3, 5, 7)),
    lambda lib: lib.empty((2, 3, 5, 7)).transpose(1, 2),
    lambda lib: lib.empty((2, 5, 7, 3)).permute(0, 3, 1, 2),
    lambda lib: lib.empty((1, 2, 3, 4)),
    lambda lib: lib.empty((3, 4))[:, ::2],
    lambda lib: lib.empty((3, 4)).t(),
    lambda lib: lib.empty(4).expand(3, 4),
    lambda lib: lib.empty((3, 1)).expand(3, 4).t(),
    lambda lib: lib.empty(5),
    lambda lib: lib.tensor(1.0),
])
@pytest.mark.parametrize("check", [False, True, "formats"])
def test_dim_order_matches_torch(make, check):
    results = []
    for lib in (torch, nptorch):
        ambiguity = [lib.contiguous_format] if check == "formats" else check
        try:
            results.append(make(lib).dim_order(ambiguity_check=ambiguity))
        except RuntimeError as e:
            results.append(str(e))
    assert results[0] == results[1]


@pytest.mark.parametrize("call", [
    lambda lib: lib.empty(2, 3).dim_order(ambiguity_check="ILLEGAL"),
    lambda lib: lib.empty(2, 3).dim_order(ambiguity_check=[1]),
])
def test_dim_order_errors_match_torch(call):
    check_same_error_as_torch(call)


# -- protocols and small methods -------------------------------------------------------------
def test_contains_and_reversed_match_torch():
    for lib in (torch, nptorch):
        x = lib.arange(6.0).reshape(2, 3)
        assert 3.0 in x and 3 in x and 7 not in x
        assert lib.tensor([3.0, 4.0, 5.0]) in x and lib.tensor([9.0, 4.0, 9.0]) in x
        assert lib.tensor([9.0, 9.0, 9.0]) not in x
    check_equal_to_torch(lambda lib: lib.stack(list(reversed(lib.arange(6).reshape(3, 2)))))
    check_equal_to_torch(lambda lib: reversed(lib.arange(4)))
    check_equal_to_torch(lambda lib: reversed(lib.tensor(3)))
    check_op(lambda lib, x: reversed(x), (3, 2))


@pytest.mark.parametrize("call", [
    lambda lib: "a" in lib.ones(2),
    lambda lib: lib.ones(3, 2).__contains__(lib.ones(3)),
])
def test_contains_errors_match_torch(call):
    check_same_error_as_torch(call)


def test_is_inference_and_output_nr():
    x = nptorch.ones(2, requires_grad=True)
    with nptorch.inference_mode():
        y = x * 2
    assert not x.is_inference() and not nptorch.is_inference(y)
    assert x.output_nr == 0 and (x * 2).output_nr == 0
    assert nptorch.ones(2).is_inference() == torch.ones(2).is_inference()


def test_as_subclass_keeps_memory_and_graph():
    class Special(nptorch.Tensor):
        pass
    x = nptorch.ones(3, requires_grad=True)
    y = x.as_subclass(Special)
    assert type(y) is Special and y.data_ptr() == x.data_ptr() and y.grad_fn is not None
    (y * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2).as_subclass(int),
    lambda lib: lib.ones(2).as_subclass(3),
])
def test_as_subclass_errors_match_torch(call):
    check_same_error_as_torch(call)


@pytest.mark.parametrize("assign", [False, True])
def test_module_load_matches_torch(assign):
    results = []
    for lib in (torch, nptorch):
        own, other = lib.zeros(3), lib.arange(3.0, requires_grad=True)
        out = own.module_load(other, assign=assign)
        results.append((out.tolist(), own.tolist(), out.requires_grad,
                        out.data_ptr() == (other if assign else own).data_ptr()))
    assert results[0] == results[1]


def test_map2_matches_torch():
    def call(lib):
        x = lib.arange(6.0).reshape(2, 3)
        return x.map2_(lib.ones(3), lib.arange(2.0).reshape(2, 1), lambda a, b, c: a * 10 + b - c)
    check_equal_to_torch(call)


def test_volatile_is_false_with_a_warning():
    for lib in (torch, nptorch):
        with pytest.warns(UserWarning, match=r"volatile was removed \(Variable.volatile is "
                                             r"always False\)"):
            assert lib.ones(2).volatile is False


# -- deprecated resize / resize_as -----------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda lib, x: x.resize(3, 2),
    lambda lib, x: x.t().resize(6),
    lambda lib, x: x.resize_as(lib.ones(6, 1)),
])
def test_out_of_place_resize_matches_torch(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_op(fn, (2, 3))


def test_out_of_place_resize_warns_and_shares_contiguous_memory():
    x = nptorch.arange(6.0)
    with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
        y = x.resize(2, 3)
    assert y.data_ptr() == x.data_ptr()
    with pytest.warns(UserWarning, match="non-inplace resize_as is deprecated"):
        x.resize_as(nptorch.ones(3, 2))
    check_same_error_as_torch(lambda lib: lib.arange(6.0).resize(4), ignored_warning=UserWarning)


# -- linear algebra --------------------------------------------------------------------------
@pytest.mark.parametrize("m,n,other,left,transpose", [
    (4, 3, (4, 2), True, False), (4, 3, (4, 2), True, True), (4, 3, (2, 4), False, False),
    (4, 3, (2, 4), False, True), (3, 4, (3, 2), True, False), (3, 3, (3, 3), False, True),
])
def test_ormqr_matches_torch(m, n, other, left, transpose):
    a = np.random.default_rng(0).standard_normal((m, n))
    reflectors, tau = (np.ascontiguousarray(t.numpy()) for t in torch.geqrf(torch.tensor(a)))
    check_op(lambda lib, r, t, c: lib.ormqr(r, t, c, left, transpose), reflectors, tau, other,
             dtype=np.float64)


def test_ormqr_is_a_method_and_batched():
    a = np.random.default_rng(1).standard_normal((2, 4, 3))
    reflectors, tau = (np.ascontiguousarray(t.numpy()) for t in torch.geqrf(torch.tensor(a)))
    check_op(lambda lib, r, t, c: r.ormqr(t, c, transpose=True), reflectors, tau, (2, 4, 5),
             dtype=np.float64)


@pytest.mark.parametrize("call", [
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3), lib.ones(2, 4)),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3), lib.ones(4, 2), left=False),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(2), lib.ones(4, 2)),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3, dtype=lib.float64), lib.ones(4, 2)),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3), lib.ones(4, 2, dtype=lib.float64)),
    lambda lib: lib.ormqr(lib.ones(4), lib.ones(3), lib.ones(4, 2)),
    lambda lib: lib.ormqr(lib.ones(2, 4, 3), lib.ones(3), lib.ones(4, 2)),
    # the checks come in PyTorch's order, before any computation
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(1, 2), lib.ones(4, 2)),
    lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(2), lib.ones(2, 4, 2)),
    lambda lib: lib.ormqr(lib.ones(2, 4, 3), lib.ones(2, 2), lib.ones(4, 2)),
    lambda lib: lib.ormqr(lib.ones(2, 4, 3), lib.ones(3, 2), lib.ones(2, 4, 2)),
    lambda lib: lib.ormqr(lib.ones(2, 4, 3), lib.ones(2, 2), lib.ones(3, 4, 2)),
    lambda lib: lib.ormqr(lib.ones(2, 4, 3), lib.ones(2, 2), lib.ones(1, 4, 2)),
    lambda lib: lib.ormqr(lib.ones(2, 4, 3), lib.ones(3, 2, dtype=lib.float64),
                          lib.ones(2, 4, 2)),
    lambda lib: lib.ormqr(lib.ones(2, 2, dtype=lib.int64), lib.ones(2, dtype=lib.int64),
                          lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.ormqr(lib.ones(2, 2, dtype=lib.float16), lib.ones(2, dtype=lib.float16),
                          lib.ones(2, 2, dtype=lib.float16)),
    lambda lib: lib.ormqr(lib.ones(2, 2), lib.ones(2), lib.ones(2, 2, requires_grad=True),
                          out=lib.empty(0)),
    lambda lib: lib.ormqr(lib.ones(2, 2), lib.ones(2), lib.ones(2, 2),
                          out=lib.empty(0, dtype=lib.float64)),
])
def test_ormqr_errors_match_torch(call):
    check_same_error_as_torch(call)


def test_ormqr_writes_out():
    a = np.random.default_rng(2).standard_normal((4, 3))
    c = np.random.default_rng(3).standard_normal((4, 2))
    results = []
    for lib in (nptorch, torch):
        out = lib.empty(0, dtype=lib.float64)
        result = lib.ormqr(*lib.geqrf(lib.tensor(a)), lib.tensor(c), transpose=True, out=out)
        assert result is out and tuple(out.shape) == (4, 2)
        results.append(out.numpy())
    np.testing.assert_allclose(*results, atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda lib: lib.lu(lib.tensor([[4.0, 3.0], [6.0, 3.0]])),
    lambda lib: lib.lu(lib.tensor([[4.0, 3.0], [6.0, 3.0]]), get_infos=True),
    lambda lib: lib.zeros(2, 2).lu(True, True),
    lambda lib: lib.tensor([[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [1.0, 0.0]]]).lu(),
])
def test_lu_matches_torch(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_equal_to_torch(call)
        assert type(call(nptorch)).__name__ == type(call(torch)).__name__


def test_lu_writes_out():
    a = [[4.0, 3.0, 1.0], [6.0, 3.0, 2.0], [1.0, 5.0, 7.0]]
    for get_infos in (False, True):
        results = []
        for lib in (nptorch, torch):
            out = [lib.empty(0, dtype=lib.float64), lib.empty(0, dtype=lib.int32)]
            out += [lib.empty(0, dtype=lib.int32)] if get_infos else []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                assert lib.lu(lib.tensor(a, dtype=lib.float64), get_infos=get_infos,
                              out=out) is out
            results.append([o.numpy() for o in out])
        for ours, theirs in zip(*results):
            assert ours.dtype == theirs.dtype
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("call", [
    lambda lib: lib.lu(lib.eye(2), out=[lib.empty(0)]),
    lambda lib: lib.lu(lib.eye(2), get_infos=True, out=[lib.empty(0), lib.empty(0)]),
    lambda lib: lib.lu(lib.eye(2), out=lib.empty(2)),
])
def test_lu_out_errors_match_torch(call):
    check_same_error_as_torch(call, ignored_warning=UserWarning)


def test_lu_is_differentiable_and_warns_once():
    from nptorch._api import flags
    flags._state["warned"].discard("lu")
    with pytest.warns(UserWarning, match="torch.lu is deprecated in favor of "
                                         "torch.linalg.lu_factor"):
        nptorch.lu(nptorch.eye(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_op(lambda lib, a: lib.lu(a)[0], (3, 3), dtype=np.float64)
    check_same_error_as_torch(lambda lib: lib.lu(lib.ones(2, 2), pivot=False),
                              ignored_warning=UserWarning)


@pytest.mark.parametrize("call", [
    lambda lib: lib.solve(lib.ones(2, 1), lib.eye(2)),
    lambda lib: lib.ones(2, 1).solve(lib.eye(2)),
    lambda lib: lib.lstsq(lib.ones(2, 1), lib.eye(2)),
    lambda lib: lib.ones(2, 1).lstsq(lib.eye(2)),
    lambda lib: lib.symeig(lib.eye(2)),
    lambda lib: lib.eye(2).symeig(eigenvectors=True),
    lambda lib: lib.eig(lib.eye(2)),
    lambda lib: lib.eye(2).eig(True),
    lambda lib: lib.matrix_rank(lib.eye(2)),
    lambda lib: lib.solve(lib.ones(2, 1), lib.eye(2), out=None),
    lambda lib: lib.eig(lib.eye(2), e=None),
    # their signatures are PyTorch's
    lambda lib: lib.ones(2, 1).solve(),
    lambda lib: lib.ones(2, 1).lstsq(),
    lambda lib: lib.lstsq(lib.ones(2, 1)),
    lambda lib: lib.symeig(),
    lambda lib: lib.eig(),
    lambda lib: lib.matrix_rank(),
    lambda lib: lib.eye(2).eig(True, True),
    lambda lib: lib.eye(2).symeig(True, True),
])
def test_removed_functions_raise_torchs_errors(call):
    check_same_error_as_torch(call)
