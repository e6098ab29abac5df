"""nptorch.quasirandom.SobolEngine: unscrambled sequences equal to PyTorch's, bit for bit;
scrambled ones reproducible and with the net property of Sobol' points; PyTorch's errors."""
import numpy as np
import pytest

import nptorch
from nptorch.quasirandom import SobolEngine

from helpers import check_equal_to_torch, check_same_error_as_torch


def _steps(engine, dtype):
    """What a script may do with an engine: every call's result."""
    return [engine.draw(dtype=dtype), engine.draw(7, dtype=dtype),
            engine.fast_forward(100).draw(24, dtype=dtype), engine.draw(0, dtype=dtype),
            engine.reset().draw_base2(0, dtype=dtype), engine.draw_base2(0, dtype=dtype),
            engine.draw_base2(1, dtype=dtype), engine.draw_base2(2, dtype=dtype),
            engine.draw_base2(3, dtype=dtype), engine.fast_forward(3).draw(3, dtype=dtype),
            engine.reset().fast_forward(77).draw(50), engine.reset().fast_forward(0).draw(2)]


@pytest.mark.parametrize("dimension", [1, 2, 3, 10, 40, 1111, 21201])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unscrambled_sequences_equal_torchs(torch, dimension, dtype):
    ours, theirs = SobolEngine(dimension), torch.quasirandom.SobolEngine(dimension)
    got = _steps(ours, getattr(nptorch, dtype))
    expected = _steps(theirs, getattr(torch, dtype))
    for o, t in zip(got, expected):
        assert str(o.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_array_equal(o.numpy(), t.numpy())
    assert ours.num_generated == theirs.num_generated


def test_far_points_round_to_float32_as_torchs(torch):
    # points past 2**24 carry more bits than float32 holds
    def far_points(lib):
        engine = lib.quasirandom.SobolEngine(4).fast_forward(2 ** 24 + 5)
        return engine.draw(16, dtype=lib.float32), engine.draw(4, dtype=lib.float64)

    check_equal_to_torch(far_points)
    exact = far_points(nptorch)[1].numpy()
    assert not np.array_equal(exact.astype(np.float32), exact)


def test_known_points():
    assert SobolEngine(3).draw(4).tolist() == [[0.0, 0.0, 0.0], [0.5, 0.5, 0.5],
                                               [0.75, 0.25, 0.25], [0.25, 0.75, 0.75]]


def test_out_and_dtypes_as_torchs(torch):
    def with_out(lib, out_dtype, dtype):
        out = lib.empty(0, dtype=out_dtype)
        result = lib.quasirandom.SobolEngine(3).fast_forward(9).draw(5, out=out, dtype=dtype)
        assert result is out
        return out

    check_equal_to_torch(lambda lib: with_out(lib, lib.float64, None))
    check_equal_to_torch(lambda lib: with_out(lib, lib.float32, lib.float64))
    check_equal_to_torch(lambda lib: lib.quasirandom.SobolEngine(2).draw(dtype=lib.int64))
    check_equal_to_torch(lambda lib: lib.quasirandom.SobolEngine(2).draw(dtype=lib.float16))
    check_equal_to_torch(lambda lib: lib.quasirandom.SobolEngine(2).draw(1))


def test_default_dtype_is_used(torch):
    previous = nptorch.get_default_dtype()
    nptorch.set_default_dtype(nptorch.float64)
    try:
        assert SobolEngine(2).draw(3).dtype == nptorch.float64
    finally:
        nptorch.set_default_dtype(previous)
    assert SobolEngine(2).draw(3).dtype == nptorch.float32


def test_attributes_and_repr_as_torchs(torch):
    for args in [(3,), (5, True), (5, True, 12), (2, False, 7)]:
        ours, theirs = SobolEngine(*args), torch.quasirandom.SobolEngine(*args)
        assert repr(ours) == repr(theirs)
        for name in ("dimension", "scramble", "seed", "num_generated", "MAXBIT", "MAXDIM"):
            assert getattr(ours, name) == getattr(theirs, name), name
        ours.draw(5)
        theirs.draw(5)
        ours.fast_forward(6)
        theirs.fast_forward(6)
        assert ours.num_generated == theirs.num_generated == 11
        assert ours.reset() is ours and ours.num_generated == 0
    assert SobolEngine.MAXBIT == 30 and SobolEngine.MAXDIM == 21201


@pytest.mark.parametrize("call", [
    lambda lib: lib.quasirandom.SobolEngine(0),
    lambda lib: lib.quasirandom.SobolEngine(21202),
    lambda lib: lib.quasirandom.SobolEngine(-3, scramble=True),
    lambda lib: lib.quasirandom.SobolEngine(2).draw(0),
    lambda lib: lib.quasirandom.SobolEngine(3).draw(-1),
    lambda lib: lib.quasirandom.SobolEngine(3).fast_forward(2).draw(-1),
    lambda lib: lib.quasirandom.SobolEngine(2).draw(2.0),
    lambda lib: lib.quasirandom.SobolEngine(2).fast_forward(2.0),
    lambda lib: lib.quasirandom.SobolEngine(2).draw(3, dtype=lib.int64),
    lambda lib: lib.quasirandom.SobolEngine(2).draw(3, dtype=lib.float16),
    lambda lib: lib.quasirandom.SobolEngine(2).draw(3, dtype=lib.int32),
    lambda lib: lib.quasirandom.SobolEngine(2).draw(3, dtype=lib.bool),
    lambda lib: lib.quasirandom.SobolEngine(2).fast_forward(3).draw_base2(2),
    lambda lib: lib.quasirandom.SobolEngine(2).fast_forward(2).draw_base2(0),
    lambda lib: lib.quasirandom.SobolEngine(2).draw_base2(-1),
])
def test_bad_arguments_raise_torchs_errors(call):
    check_same_error_as_torch(call)


def test_non_integer_dimension_is_a_type_error(torch):
    for dimension in (2.0, 2.5, True):
        with pytest.raises(TypeError):
            torch.quasirandom.SobolEngine(dimension)
        with pytest.raises(TypeError, match="argument 'dimension' must be int"):
            SobolEngine(dimension)


def _assert_net(points, m, dims_pairs=((0, 1),)):
    """Each of the ``2**m`` points of a base-2 (0, m, s)-net: one point in every interval
    ``[k / 2**m, (k + 1) / 2**m)`` of each coordinate, and, for the first two coordinates
    (a (0, 2)-sequence), one point in every elementary box of volume ``2**-m``."""
    n = 2 ** m
    assert points.shape[0] == n
    cells = np.floor(points * n).astype(np.int64)
    for j in range(points.shape[1]):
        assert np.array_equal(np.sort(cells[:, j]), np.arange(n)), j
    for a, b in dims_pairs:
        for i in range(m + 1):
            box = (np.floor(points[:, a] * 2 ** i).astype(np.int64) * 2 ** (m - i)
                   + np.floor(points[:, b] * 2 ** (m - i)).astype(np.int64))
            assert np.array_equal(np.sort(box), np.arange(n)), (a, b, i)


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_scrambled_points_form_nets(seed):
    engine = SobolEngine(8, scramble=True, seed=seed)
    first = engine.draw_base2(8, dtype=nptorch.float64).numpy()
    second = engine.draw_base2(8, dtype=nptorch.float64).numpy()
    _assert_net(first, 8)
    _assert_net(second, 8)  # the next block of 2**m points is a net as well
    assert ((first >= 0) & (first < 1)).all()
    unscrambled = SobolEngine(8).draw_base2(8, dtype=nptorch.float64).numpy()
    _assert_net(unscrambled, 8)
    assert not np.array_equal(first, unscrambled)
    assert (first[0] != 0).all()  # the digital shift moves the first point off the origin


def test_scrambling_is_deterministic_under_a_seed():
    def points(*args):
        return SobolEngine(*args).draw(16).numpy()

    np.testing.assert_array_equal(points(5, True, 3), points(5, True, 3))
    assert not np.array_equal(points(5, True, 3), points(5, True, 4))
    # with no seed, the default generator scrambles: manual_seed makes it reproducible
    nptorch.manual_seed(11)
    a = points(5, True)
    nptorch.manual_seed(11)
    b = points(5, True)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(points(5, True), a)  # the default generator moved on
    # a seeded engine leaves the default generator alone
    nptorch.manual_seed(11)
    points(5, True, 3)
    np.testing.assert_array_equal(points(5, True), a)
    # reset replays the same scrambled points
    engine = SobolEngine(4, scramble=True, seed=9)
    first = engine.draw(10).numpy()
    np.testing.assert_array_equal(engine.reset().draw(10).numpy(), first)
    np.testing.assert_array_equal(engine.reset().fast_forward(4).draw(6).numpy(), first[4:])


def _torch_engine_scrambled_with(torch, dimension, shift_bits, matrices):
    """PyTorch's engine, scrambled as its ``_scramble`` does, with the given random bits."""
    engine = torch.quasirandom.SobolEngine(dimension)
    engine.shift = torch.from_numpy(shift_bits.numpy()) @ (2 ** torch.arange(30))
    torch._sobol_engine_scramble_(engine.sobolstate, torch.from_numpy(matrices.numpy()),
                                  dimension)
    engine.quasi = engine.shift.clone()
    engine._first_point = (engine.quasi / 2 ** 30).reshape(1, -1)
    return engine


@pytest.mark.parametrize("seed", [123, None])
def test_scrambling_is_torchs_given_the_same_random_bits(torch, seed):
    """PyTorch's scrambling, fed with the bits nptorch's generator gives to the same draws as
    PyTorch's ``_scramble`` makes, yields nptorch's points."""
    dimension = 6
    nptorch.manual_seed(5)
    generator = None if seed is None else nptorch.Generator().manual_seed(seed)
    shift_bits = nptorch.randint(2, (dimension, 30), generator=generator)
    matrices = nptorch.randint(2, (dimension, 30, 30), generator=generator).tril()
    theirs = _torch_engine_scrambled_with(torch, dimension, shift_bits, matrices)
    nptorch.manual_seed(5)
    ours = SobolEngine(dimension, scramble=True, seed=seed)
    got = _steps(ours, nptorch.float64)
    expected = _steps(theirs, torch.float64)
    for i, (o, t) in enumerate(zip(got, expected)):
        o, t = o.numpy(), t.numpy()
        if i in (0, 4, 11):  # draws starting at the first point
            # PyTorch keeps its first point in the default dtype (float32); nptorch's is exact
            np.testing.assert_allclose(o[0], t[0], rtol=2 ** -24)
            np.testing.assert_allclose(o[0] * 2 ** 30, theirs.shift.numpy(), rtol=2 ** -24)
            o, t = o[1:], t[1:]
        np.testing.assert_array_equal(o, t, err_msg=str(i))
    np.testing.assert_array_equal(got[0].numpy()[0] * 2 ** 30, theirs.shift.numpy())
    far = [e.fast_forward(2 ** 24 + 5).draw(8, dtype=lib.float32)
           for e, lib in ((ours, nptorch), (theirs, torch))]
    np.testing.assert_array_equal(far[0].numpy(), far[1].numpy())


def test_negative_fast_forward_is_refused():
    engine = SobolEngine(2)
    with pytest.raises(ValueError, match="non-negative number of points, got -3"):
        engine.fast_forward(-3)
    assert engine.num_generated == 0
    assert engine.fast_forward(0).num_generated == 0
