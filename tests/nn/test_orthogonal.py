"""nn.utils.parametrizations.orthogonal against PyTorch: values, gradients, orthogonality,
state_dict keys, right_inverse and errors."""
import numpy as np
import pytest

import nptorch
from helpers import check_error_like_torch, as_numpy
from nptorch.autograd import gradcheck
from nptorch.nn.utils import parametrizations

RNG = np.random.default_rng(0)
MAPS = ["matrix_exp", "cayley", "householder"]
SHAPES = {"square": (4, 4), "tall": (5, 3), "wide": (3, 5), "batched": (2, 4, 3)}


def _holder(lib, weight):
    """A bare module whose parameter ``weight`` holds the array ``weight``."""
    module = lib.nn.Module()
    module.weight = lib.nn.Parameter(lib.tensor(weight))
    return module


def _pair(torch, shape, **kwargs):
    """``orthogonal`` registered on the same random weight of ``shape`` in nptorch and in
    PyTorch."""
    weight = RNG.standard_normal(shape).astype(np.float32)
    theirs = torch.nn.utils.parametrizations.orthogonal(_holder(torch, weight), **kwargs)
    ours = parametrizations.orthogonal(_holder(nptorch, weight), **kwargs)
    return ours, theirs


def _every_configuration(test):
    """``test`` parametrized over the maps, the shapes and ``use_trivialization``."""
    test = pytest.mark.parametrize("use_trivialization", [True, False])(test)
    test = pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())(test)
    return pytest.mark.parametrize("orthogonal_map", MAPS)(test)


def _assert_orthogonal(W):
    W = as_numpy(W).astype(np.float64)
    if W.shape[-2] < W.shape[-1]:
        W = W.swapaxes(-1, -2)
    gram = W.swapaxes(-1, -2) @ W
    np.testing.assert_allclose(gram, np.broadcast_to(np.eye(W.shape[-1]), gram.shape), atol=1e-5)


def _original(shape):
    """Random original entries with +-1 on the diagonal, the column signs of 'householder'."""
    X = RNG.standard_normal(shape).astype(np.float32) * 0.5
    idx = np.arange(min(shape[-2:]))
    X[..., idx, idx] = np.sign(RNG.standard_normal(shape[:-2] + (len(idx),)))
    return X


def _assert_same_weight(ours, theirs):
    np.testing.assert_allclose(as_numpy(ours.weight), as_numpy(theirs.weight), atol=1e-5)
    _assert_orthogonal(ours.weight)


@_every_configuration
def test_matches_torch(torch, orthogonal_map, shape, use_trivialization):
    ours, theirs = _pair(torch, shape, orthogonal_map=orthogonal_map,
                         use_trivialization=use_trivialization)
    keys = ["parametrizations.weight.original"]
    if use_trivialization:
        keys.append("parametrizations.weight.0.base")
    assert list(ours.state_dict()) == list(theirs.state_dict()) == keys
    assert repr(ours) == repr(theirs)
    # the initial weight: orthogonalised by QR, or the map applied to the weight
    _assert_same_weight(ours, theirs)
    ours_chain, theirs_chain = ours.parametrizations.weight, theirs.parametrizations.weight
    if use_trivialization:
        # the base of a non-square weight is completed with random columns: take PyTorch's
        with nptorch.no_grad():
            ours_chain[0].base.copy_(nptorch.tensor(theirs_chain[0].base.numpy()))
    X = _original(shape)
    with nptorch.no_grad(), torch.no_grad():
        ours_chain.original.copy_(nptorch.tensor(X))
        theirs_chain.original.copy_(torch.tensor(X))
    _assert_same_weight(ours, theirs)
    C = RNG.standard_normal(shape).astype(np.float32)
    (ours.weight * nptorch.tensor(C)).sum().backward()
    (theirs.weight * torch.tensor(C)).sum().backward()
    np.testing.assert_allclose(as_numpy(ours_chain.original.grad),
                               as_numpy(theirs_chain.original.grad), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape, expected", [((4, 4), "matrix_exp"), ((5, 3), "householder"),
                                             ((3, 5), "householder")])
def test_default_map(torch, shape, expected):
    ours, theirs = _pair(torch, shape)
    assert ours.parametrizations.weight[0].orthogonal_map == expected
    assert theirs.parametrizations.weight[0].orthogonal_map.name == expected
    _assert_same_weight(ours, theirs)


@pytest.mark.parametrize("use_trivialization", [True, False])
@pytest.mark.parametrize("orthogonal_map", MAPS)
def test_gradcheck(orthogonal_map, use_trivialization):
    m = parametrizations.orthogonal(_holder(nptorch, RNG.standard_normal((4, 3))),
                                    orthogonal_map=orthogonal_map,
                                    use_trivialization=use_trivialization)
    # the diagonal away from integers, where the column signs of 'householder' jump
    X = nptorch.tensor(_original((4, 3)) * 1.5, dtype=nptorch.float64, requires_grad=True)
    assert gradcheck(m.parametrizations.weight[0], (X,))


@_every_configuration
def test_right_inverse(torch, orthogonal_map, shape, use_trivialization):
    ours, theirs = _pair(torch, shape, orthogonal_map=orthogonal_map,
                         use_trivialization=use_trivialization)
    tall = shape[:-2] + (max(shape[-2:]), min(shape[-2:]))
    Q = np.linalg.qr(RNG.standard_normal(tall))[0].astype(np.float32)
    if shape[-2] < shape[-1]:
        Q = Q.swapaxes(-1, -2).copy()
    if not use_trivialization and orthogonal_map != "householder":
        for module, lib in ((theirs, torch), (ours, nptorch)):
            with pytest.raises(NotImplementedError, match="when use_trivialization=False"):
                module.weight = lib.tensor(Q)
        return
    theirs.weight = torch.tensor(Q)
    ours.weight = nptorch.tensor(Q)
    np.testing.assert_allclose(as_numpy(ours.weight), Q, atol=1e-5)
    _assert_same_weight(ours, theirs)
    np.testing.assert_allclose(as_numpy(ours.parametrizations.weight.original),
                               as_numpy(theirs.parametrizations.weight.original), atol=1e-5)


@pytest.mark.parametrize("value", ["identity", "eye_tall", "random"])
@pytest.mark.parametrize("use_trivialization", [True, False])
def test_right_inverse_of_special_matrices(torch, value, use_trivialization):
    """Reflections that LAPACK skips (columns already along e_i) and non-orthogonal values,
    which are orthogonalised."""
    shape = (5, 3) if value == "eye_tall" else (4, 4)
    Q = np.eye(*shape, dtype=np.float32) if value != "random" else \
        RNG.standard_normal(shape).astype(np.float32)
    ours, theirs = _pair(torch, shape, orthogonal_map="householder",
                         use_trivialization=use_trivialization)
    theirs.weight = torch.tensor(Q)
    ours.weight = nptorch.tensor(Q)
    _assert_same_weight(ours, theirs)
    ours_chain, theirs_chain = ours.parametrizations.weight, theirs.parametrizations.weight
    np.testing.assert_allclose(as_numpy(ours_chain.original), as_numpy(theirs_chain.original),
                               atol=1e-5)
    if use_trivialization and shape[0] == shape[1]:
        np.testing.assert_allclose(as_numpy(ours_chain[0].base), as_numpy(theirs_chain[0].base),
                                   atol=1e-5)


def test_errors():
    def register(lib, **kwargs):
        return lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(3, 4), **kwargs)

    check_error_like_torch(lambda lib: register(lib, name="bias"), ValueError,
                           r"Expected a matrix or batch of matrices\. "
                           r"Got a tensor of 1 dimensions\.")
    check_error_like_torch(lambda lib: register(lib, name="nope"), ValueError,
                           "has no parameter or buffer with name 'nope'")
    check_error_like_torch(lambda lib: register(lib, orthogonal_map="svd"), ValueError,
                           'orthogonal_map has to be one of "matrix_exp", "cayley", '
                           '"householder". Got: svd')

    def assign_wrong_shape(lib):
        register(lib).weight = lib.zeros(3, 3)

    check_error_like_torch(assign_wrong_shape, ValueError,
                           r"Expected a matrix or batch of matrices of shape .*Size\(\[4, 3\]\)\. "
                           r"Got a tensor of shape .*Size\(\[3, 3\]\)\.")

