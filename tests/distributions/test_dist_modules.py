"""PyTorch's submodule import paths, and the helpers of ``distributions.utils``."""
import importlib
import types

import numpy as np
import pytest

import nptorch


def _submodules(torch):
    return sorted(name for name, value in vars(torch.distributions).items()
                  if isinstance(value, types.ModuleType))


def test_every_torch_submodule_imports(torch):
    assert set(torch.distributions.__all__) <= set(nptorch.distributions.__all__)
    names = _submodules(torch)
    assert len(names) >= 47
    for name in names:
        ours = importlib.import_module(f"nptorch.distributions.{name}")
        assert getattr(nptorch.distributions, name) is ours
        theirs = getattr(torch.distributions, name)
        for attr in theirs.__all__:
            assert hasattr(ours, attr), f"{name}.{attr}"
            assert attr in ours.__all__, f"{name}.{attr}"
            if attr in torch.distributions.__all__:
                assert getattr(ours, attr) is getattr(nptorch.distributions, attr)


def test_from_imports():
    from nptorch.distributions.kl import register_kl
    from nptorch.distributions.normal import Normal
    from nptorch.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
    from nptorch.distributions.studentT import StudentT
    from nptorch.distributions.transforms import ExpTransform
    from nptorch.distributions.utils import broadcast_all

    assert Normal is nptorch.distributions.Normal and StudentT(3.0).df.item() == 3.0
    assert register_kl is nptorch.distributions.register_kl
    assert LogitRelaxedBernoulli(nptorch.tensor(0.5), 0.3).temperature.item() == 0.5
    assert ExpTransform()(nptorch.tensor(0.0)).item() == 1.0
    assert broadcast_all(1.0, nptorch.zeros(2))[0].shape == (2,)


@pytest.mark.parametrize("diag", [-2, -1, 0, 1])
def test_tril_matrix_vec_round_trip(torch, diag):
    mat = np.arange(2 * 16, dtype=np.float64).reshape(2, 4, 4)
    ours = nptorch.distributions.utils.tril_matrix_to_vec(nptorch.tensor(mat), diag)
    theirs = torch.distributions.utils.tril_matrix_to_vec(torch.tensor(mat), diag)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    back = nptorch.distributions.utils.vec_to_tril_matrix(ours, diag)
    np.testing.assert_array_equal(
        back.numpy(), torch.distributions.utils.vec_to_tril_matrix(theirs, diag).numpy())
    assert back.shape == (2, 4, 4)


def test_tril_helpers_errors(torch):
    for lib in (nptorch, torch):
        utils = lib.distributions.utils
        with pytest.raises(ValueError, match=r"diag \(4\) provided is outside \[-4, 3\]"):
            utils.tril_matrix_to_vec(lib.zeros(4, 4), 4)
        with pytest.raises(ValueError, match="The size of last dimension is 5 which cannot"):
            utils.vec_to_tril_matrix(lib.zeros(5))


def test_tril_to_vec_gradient():
    mat = nptorch.ones(3, 3, requires_grad=True)
    nptorch.distributions.utils.tril_matrix_to_vec(mat, -1).sum().backward()
    np.testing.assert_array_equal(mat.grad.numpy(), np.tril(np.ones((3, 3)), -1))


def test_mixture_constraint_lives_in_constraints(torch):
    def build(lib):
        C = lib.distributions.constraints
        return C.MixtureSameFamilyConstraint(C.independent(C.positive, 1))
    ours, theirs = build(nptorch), build(torch)
    assert repr(ours) == repr(theirs) and ours.event_dim == theirs.event_dim == 1
    value = np.array([[1.0, 2.0], [1.0, -2.0]])
    np.testing.assert_array_equal(ours.check(nptorch.tensor(value)).numpy(),
                                  theirs.check(torch.tensor(value)).numpy())
