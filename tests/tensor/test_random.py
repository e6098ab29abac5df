"""Seeding and Generators: reproducible, independent streams."""
import pytest

import nptorch

DRAWS = [
    lambda **g: nptorch.rand(3, **g), lambda **g: nptorch.randn(2, 2, **g),
    lambda **g: nptorch.randint(0, 100, (4,), **g), lambda **g: nptorch.randperm(6, **g),
    lambda **g: nptorch.normal(0.0, 1.0, (3,), **g),
    lambda **g: nptorch.bernoulli(nptorch.full((5,), 0.5), **g),
    lambda **g: nptorch.multinomial(nptorch.ones(6), 3, **g),
]


def draw_all(**g):
    return [d(**g).tolist() for d in DRAWS]


def test_manual_seed_repeats_every_function():
    nptorch.manual_seed(123)
    first = draw_all()
    nptorch.manual_seed(123)
    assert draw_all() == first
    nptorch.manual_seed(124)
    assert draw_all() != first


def test_manual_seed_returns_default_generator_and_initial_seed():
    g = nptorch.manual_seed(7)
    assert g is nptorch.default_generator
    assert nptorch.initial_seed() == 7 and g.initial_seed() == 7


def test_consecutive_draws_differ():
    nptorch.manual_seed(0)
    assert nptorch.rand(5).tolist() != nptorch.rand(5).tolist()


def test_generators_are_reproducible_and_independent():
    g1 = nptorch.Generator().manual_seed(42)
    g2 = nptorch.Generator()
    assert g2.manual_seed(42) is g2
    nptorch.manual_seed(0)
    a = draw_all(generator=g1)
    nptorch.rand(10)  # the default generator advancing does not affect g2
    b = draw_all(generator=g2)
    assert a == b
    # drawing from a Generator leaves the default stream untouched
    nptorch.manual_seed(5)
    expected = nptorch.rand(4).tolist()
    nptorch.manual_seed(5)
    nptorch.rand(4, generator=nptorch.Generator().manual_seed(1))
    assert nptorch.rand(4).tolist() == expected


def test_generator_state_round_trip():
    g = nptorch.Generator().manual_seed(9)
    state = g.get_state()
    assert state.dtype is nptorch.uint8
    first = nptorch.rand(5, generator=g).tolist()
    g.set_state(state)
    assert nptorch.rand(5, generator=g).tolist() == first


def test_global_rng_state_round_trip():
    nptorch.manual_seed(3)
    state = nptorch.get_rng_state()
    first = nptorch.randn(4).tolist()
    nptorch.set_rng_state(state)
    assert nptorch.randn(4).tolist() == first


def test_seed_reseeds_nondeterministically():
    s = nptorch.seed()
    assert isinstance(s, int) and nptorch.initial_seed() == s
    nptorch.manual_seed(s)
    again = nptorch.rand(3).tolist()
    nptorch.manual_seed(s)
    assert nptorch.rand(3).tolist() == again


def test_negative_seed_is_accepted(torch):
    nptorch.manual_seed(-1)
    a = nptorch.rand(2).tolist()
    nptorch.manual_seed(-1)
    assert nptorch.rand(2).tolist() == a
    torch.manual_seed(-1)  # accepted by PyTorch too


def test_generator_device():
    assert nptorch.Generator().device == nptorch.device("cpu")
    assert nptorch.Generator("cpu").device.type == "cpu"


def test_cuda_manual_seed_leaves_cpu_stream(torch):
    for lib in (nptorch, torch):
        lib.manual_seed(11)
        expected = lib.rand(3).tolist()
        lib.manual_seed(11)
        lib.cuda.manual_seed(99)
        lib.cuda.manual_seed_all(98)
        assert lib.rand(3).tolist() == expected


@pytest.mark.skipif(not nptorch.cuda.is_available(), reason="needs a GPU")
def test_cuda_draws_reproducible():
    nptorch.cuda.manual_seed(4)
    a = nptorch.rand(3, device="cuda").tolist()
    nptorch.manual_seed(4)  # seeds the CUDA stream too
    assert nptorch.rand(3, device="cuda").tolist() == a


@pytest.mark.parametrize("make", DRAWS)
def test_generator_keyword_everywhere(make):
    g = nptorch.Generator().manual_seed(2)
    first = make(generator=g).tolist()
    g.manual_seed(2)
    assert make(generator=g).tolist() == first
