"""nn.init against PyTorch: the gain table, fan computations, exact initialisers, the
distributions' bounds and spread within sampling tolerance, orthogonality, and errors."""
import math
import warnings

import numpy as np
import pytest

import nptorch
import nptorch.nn.init as init

from test_module import same_as_torch

GAINS = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
         "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]

CASES = {
    **{f"gain_{n}": (lambda n: lambda L: L.nn.init.calculate_gain(n))(n) for n in GAINS},
    "gain_leaky_relu_slope": lambda L: L.nn.init.calculate_gain("leaky_relu", 0.2),
    "gain_leaky_relu_int": lambda L: L.nn.init.calculate_gain("leaky_relu", 1),
    "fans": lambda L: L.nn.init._calculate_fan_in_and_fan_out(L.empty(3, 4, 5, 2)),
    "eye": lambda L: L.nn.init.eye_(L.empty(3, 5)).tolist(),
    "dirac": lambda L: L.nn.init.dirac_(L.empty(4, 2, 3)).tolist(),
    "dirac_groups": lambda L: L.nn.init.dirac_(L.empty(6, 2, 3, 3), groups=2).tolist(),
    "dirac_5d": lambda L: L.nn.init.dirac_(L.empty(2, 3, 1, 2, 3)).tolist(),
    "constant": lambda L: L.nn.init.constant_(L.empty(2, 2), 0.3).tolist(),
    "zeros": lambda L: L.nn.init.zeros_(L.empty(2)).tolist(),
    "ones": lambda L: L.nn.init.ones_(L.empty(2)).tolist(),
    "returns_tensor": lambda L: (lambda t: L.nn.init.normal_(t) is t)(L.empty(2)),
    "keeps_parameter": lambda L: (lambda p: (L.nn.init.uniform_(p) is p, p.requires_grad, p.is_leaf,
                                             p.grad_fn))(L.nn.Parameter(L.empty(2))),
    # errors
    "gain_unknown": lambda L: L.nn.init.calculate_gain("gelu"),
    "gain_bad_slope": lambda L: L.nn.init.calculate_gain("leaky_relu", "x"),
    "fans_1d": lambda L: L.nn.init._calculate_fan_in_and_fan_out(L.empty(3)),
    "xavier_1d": lambda L: L.nn.init.xavier_uniform_(L.empty(3)),
    "kaiming_bad_mode": lambda L: L.nn.init.kaiming_uniform_(L.empty(3, 4), mode="x"),
    "eye_1d": lambda L: L.nn.init.eye_(L.empty(3)),
    "dirac_2d": lambda L: L.nn.init.dirac_(L.empty(4, 2)),
    "dirac_bad_groups": lambda L: L.nn.init.dirac_(L.empty(5, 2, 3), groups=2),
    "orthogonal_1d": lambda L: L.nn.init.orthogonal_(L.empty(3)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_as_torch(torch, name):
    same_as_torch(torch, CASES[name])


def _values(fn, shape):
    return fn(nptorch.empty(*shape)).numpy().astype(np.float64)


@pytest.mark.parametrize("fn, shape, low, high", [
    (lambda t: init.uniform_(t, -0.5, 2.0), (200, 100), -0.5, 2.0),
    (lambda t: init.xavier_uniform_(t, gain=2.0), (200, 100), -2 * math.sqrt(6 / 300), 2 * math.sqrt(6 / 300)),
    (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), (100, 20, 3), -1 / math.sqrt(60), 1 / math.sqrt(60)),
    (lambda t: init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"), (50, 400),
     -math.sqrt(6 / 50), math.sqrt(6 / 50)),
])
def test_uniform_bounds(fn, shape, low, high):
    v = _values(fn, shape)
    assert v.min() >= low and v.max() <= high
    assert v.min() < low + 0.02 * (high - low) and v.max() > high - 0.02 * (high - low)
    assert abs(v.std() - (high - low) / math.sqrt(12)) < 0.03 * (high - low) / math.sqrt(12)


@pytest.mark.parametrize("fn, shape, mean, std", [
    (lambda t: init.normal_(t, 1.0, 0.5), (200, 100), 1.0, 0.5),
    (lambda t: init.xavier_normal_(t), (200, 100), 0.0, math.sqrt(2 / 300)),
    (lambda t: init.kaiming_normal_(t, nonlinearity="relu"), (100, 20, 3), 0.0, math.sqrt(2 / 60)),
    (lambda t: init.kaiming_normal_(t, 0.1, "fan_out"), (50, 400), 0.0,
     math.sqrt(2 / 1.01) / math.sqrt(50)),
])
def test_normal_spread(fn, shape, mean, std):
    v = _values(fn, shape)
    assert abs(v.mean() - mean) < 0.05 * std
    assert abs(v.std() - std) < 0.03 * std


def test_trunc_normal_inside_bounds():
    v = _values(lambda t: init.trunc_normal_(t, 0.5, 2.0, -1.0, 1.5), (100, 100))
    assert v.min() >= -1.0 and v.max() <= 1.5
    assert v.min() < -0.95 and v.max() > 1.45
    v = _values(lambda t: init.trunc_normal_(t), (100, 100))
    assert v.min() >= -2 and v.max() <= 2 and abs(v.std() - 0.88) < 0.03


@pytest.mark.parametrize("shape, gain", [((3, 7), 1.0), ((7, 3), 2.0), ((4, 2, 3), 1.0)])
def test_orthogonal(shape, gain):
    v = _values(lambda t: init.orthogonal_(t, gain), shape).reshape(shape[0], -1)
    small = v @ v.T if v.shape[0] <= v.shape[1] else v.T @ v
    np.testing.assert_allclose(small, gain ** 2 * np.eye(len(small)), atol=1e-5)


def test_generator_reproducible_and_zero_element_warning():
    a = init.normal_(nptorch.empty(5), generator=nptorch.Generator().manual_seed(3)).numpy()
    b = init.normal_(nptorch.empty(5), generator=nptorch.Generator().manual_seed(3)).numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(nptorch.empty(0, 3))


def test_in_place_bumps_version():
    t = nptorch.zeros(3)
    v = t._version
    init.ones_(t)
    assert t._version > v and t.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("shape, sparsity", [((10, 300), 0.3), ((7, 50), 0.5), ((5, 20), 0.0),
                                             ((4, 30), 1.0)])
def test_sparse(torch, shape, sparsity):
    """Exactly ceil(sparsity * rows) zeros in every column, at varying rows, as PyTorch; the
    rest N(0, std)."""
    ours = init.sparse_(nptorch.empty(*shape), sparsity, std=0.5).numpy()
    theirs = torch.nn.init.sparse_(torch.empty(*shape), sparsity, std=0.5).numpy()
    zeros = math.ceil(sparsity * shape[0])
    np.testing.assert_array_equal((ours == 0).sum(0), (theirs == 0).sum(0))
    np.testing.assert_array_equal((ours == 0).sum(0), zeros)
    if 0 < zeros < shape[0]:
        patterns = {tuple(np.flatnonzero(col == 0)) for col in ours.T}
        assert len(patterns) > min(math.comb(shape[0], zeros), shape[1]) // 2
        expected = zeros * shape[1] / shape[0]  # zeros per row, rows being equally likely
        assert np.abs((ours == 0).sum(1) - expected).max() < 5 * math.sqrt(expected)
    if zeros < shape[0]:
        values = ours[ours != 0].astype(np.float64)
        assert abs(values.mean()) < 0.1 and abs(values.std() - 0.5) < 0.05
        assert abs(values.std() - theirs[theirs != 0].std()) < 0.1


def test_sparse_generator_and_errors(torch):
    a = init.sparse_(nptorch.empty(6, 8), 0.5, generator=nptorch.Generator().manual_seed(2))
    b = init.sparse_(nptorch.empty(6, 8), 0.5, generator=nptorch.Generator().manual_seed(2))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    same_as_torch(torch, lambda L: L.nn.init.sparse_(L.empty(3, 4, 5), 0.1))


DEPRECATED = {
    "uniform": ((3, 4), ()), "normal": ((3, 4), ()), "constant": ((3, 4), (0.5,)),
    "eye": ((3, 4), ()), "dirac": ((4, 2, 3), ()), "xavier_uniform": ((3, 4), ()),
    "xavier_normal": ((3, 4), ()), "kaiming_uniform": ((3, 4), ()),
    "kaiming_normal": ((3, 4), ()), "orthogonal": ((3, 4), ()), "sparse": ((3, 4), (0.5,)),
}


@pytest.mark.parametrize("name", sorted(DEPRECATED))
def test_deprecated_aliases(torch, name):
    shape, args = DEPRECATED[name]
    results = {}
    for lib in (nptorch, torch):
        fn = getattr(lib.nn.init, name)
        assert fn.__name__ == name
        t = lib.empty(*shape)
        with pytest.warns(FutureWarning) as record:
            out = fn(t, *args)
        assert out is t and record[0].filename == __file__
        results[lib] = (str(record[0].message), out.numpy())
    message = f"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`."
    assert results[nptorch][0] == results[torch][0] == message
    if name in ("constant", "eye", "dirac"):
        np.testing.assert_array_equal(results[nptorch][1], results[torch][1])
        return
    draws = []
    for fn in (getattr(init, name), getattr(init, name + "_")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            draws.append(fn(nptorch.empty(*shape), *args,
                            generator=nptorch.Generator().manual_seed(4)).numpy())
    np.testing.assert_array_equal(draws[0], draws[1])
