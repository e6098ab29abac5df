"""broadcast_to, broadcast_tensors, broadcast_shapes and meshgrid compared with PyTorch."""
import pytest

import nptorch

from helpers import check_op, check_error_like_torch

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("fn,shapes", [
    (lambda lib, x: x.broadcast_to((2, 3, 4)), [(3, 1)]),
    (lambda lib, x: lib.broadcast_to(x, (-1, 4)), [(3, 1)]),
    (lambda lib, x, y: lib.broadcast_tensors(x, y), [(3, 1), (1, 4)]),
    (lambda lib, x, y, z: lib.broadcast_tensors(x, y, z), [(2, 1, 1), (3, 1), (4,)]),
    (lambda lib, x, y: lib.meshgrid(x, y, indexing="ij"), [(3,), (4,)]),
    (lambda lib, x, y: lib.meshgrid(x, y, indexing="xy"), [(3,), (4,)]),
    (lambda lib, x, y, z: lib.meshgrid([x, y, z], indexing="xy"), [(2,), (3,), (4,)]),
    (lambda lib, x, y, z: lib.meshgrid(x, y, z, indexing="ij"), [(2,), (3,), (4,)]),
    (lambda lib, x: lib.meshgrid(x, indexing="xy"), [(3,)]),
])
def test_against_torch(fn, shapes):
    check_op(fn, *shapes)


def test_results_are_views():
    x = nptorch.zeros(3, 1)
    a, b = nptorch.broadcast_tensors(x, nptorch.zeros(4))
    x[1, 0] = 5
    assert a[1].tolist() == [5.0] * 4 and b.shape == (3, 4)
    g = nptorch.meshgrid(x[:, 0], nptorch.zeros(2), indexing="ij")[0]
    x[2, 0] = 7
    assert g[2].tolist() == [7.0, 7.0]


@pytest.mark.parametrize("shapes", [[(3, 1), (4,)], [2, (1,), ()], [(5, 1, 2), (3, 1)], [()]])
def test_broadcast_shapes(shapes):
    assert nptorch.broadcast_shapes(*shapes) == torch.broadcast_shapes(*shapes)
    assert isinstance(nptorch.broadcast_shapes(*shapes), nptorch.Size)


def test_meshgrid_warns_without_indexing():
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        grid = nptorch.meshgrid(nptorch.arange(2), nptorch.arange(3))
    assert [g.shape for g in grid] == [(2, 3), (2, 3)]


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.broadcast_shapes((3,), (4,)), RuntimeError,
     "Attempting to broadcast a dimension of length 4 at -1! Mismatching argument at index 1 had "
     "\\(4,\\); but expected shape should be broadcastable to \\[3\\]"),
    (lambda lib: lib.broadcast_tensors(lib.zeros(3), lib.zeros(4)), RuntimeError,
     "The size of tensor a \\(3\\) must match the size of tensor b \\(4\\) at non-singleton "
     "dimension 0"),
    (lambda lib: lib.zeros(3).broadcast_to((4,)), RuntimeError,
     "The expanded size of the tensor \\(4\\) must match the existing size \\(3\\) at "
     "non-singleton dimension 0"),
    (lambda lib: lib.meshgrid(lib.zeros(2), lib.zeros(2), indexing="yx"), RuntimeError,
     'torch.meshgrid: indexing must be one of "xy" or "ij", but received: yx'),
    (lambda lib: lib.meshgrid(lib.zeros(2, 2), indexing="ij"), RuntimeError,
     "torch.meshgrid: Expected 0D or 1D tensor in the tensor list"),
])
def test_errors_match_torch(call, error, message):
    check_error_like_torch(call, error, message)
