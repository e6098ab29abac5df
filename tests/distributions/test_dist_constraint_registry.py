"""``biject_to`` / ``transform_to`` and the transforms they build (LowerCholesky,
PositiveDefinite, CorrCholesky, Cat, Stack, CumulativeDistribution), against PyTorch."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck
from nptorch.autograd.functional import jacobian

RNG = np.random.default_rng(7)


def _constraints(lib):
    """(constraint, shape of an unconstrained input)."""
    C = lib.distributions.constraints
    return [
        (C.real, (4, 3)), (C.positive, (4, 3)), (C.nonnegative, (4, 3)),
        (C.unit_interval, (4, 3)), (C.interval(-1.0, 2.0), (4, 3)),
        (C.half_open_interval(0, 1), (4, 3)), (C.greater_than(2.0), (4, 3)),
        (C.greater_than_eq(-1.0), (4, 3)), (C.less_than(1.5), (4, 3)),
        (C.interval(lib.tensor([-1.0, 0.0, 2.0], dtype=lib.float64),
                    lib.tensor([0.0, 3.0, 2.5], dtype=lib.float64)), (4, 3)),
        (C.greater_than(lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64)), (4, 3)),
        (C.simplex, (4, 3)), (C.real_vector, (4, 3)), (C.independent(C.positive, 1), (4, 3)),
        (C.independent(C.unit_interval, 2), (4, 3)), (C.corr_cholesky, (4, 6)),
        (C.lower_cholesky, (4, 3, 3)), (C.positive_definite, (4, 3, 3)),
        (C.positive_semidefinite, (2, 3, 3)),
        (C.cat([C.real, C.positive, C.unit_interval], 0, [2, 1, 1]), (4, 3)),
        (C.cat([C.positive, C.interval(-2.0, 1.0)], -1, [1, 2]), (4, 3)),
        (C.stack([C.real, C.positive, C.less_than(0.0)], 1), (4, 3)),
        (C.stack([C.positive, C.unit_interval], 0), (2, 3)),
        # no transform
        (C.boolean, None), (C.nonnegative_integer, None), (C.integer_interval(0, 3), None),
        (C.one_hot, None), (C.multinomial(3), None), (C.lower_triangular, None),
        (C.square, None), (C.symmetric, None), (C.dependent, None),
    ]


def _transform(lib, registry, index):
    constraint, shape = _constraints(lib)[index]
    return constraint, shape, getattr(lib.distributions, registry)(constraint)


def _arrays(ours, theirs, rtol):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol,
                               atol=rtol)


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("index", range(len(_constraints(nptorch))))
def test_registry_matches_torch(torch, registry, index):
    try:
        constraint, shape, theirs = _transform(torch, registry, index)
    except NotImplementedError as error:
        with pytest.raises(NotImplementedError) as info:
            _transform(nptorch, registry, index)
        assert str(info.value) == str(error)
        return
    ours_constraint, _, ours = _transform(nptorch, registry, index)
    assert repr(ours) == repr(theirs)
    assert repr(ours.domain) == repr(theirs.domain)
    assert repr(ours.codomain) == repr(theirs.codomain)
    assert ours.bijective == theirs.bijective
    x = RNG.normal(size=shape)
    ox, tx = nptorch.tensor(x), torch.tensor(x)
    oy, ty = ours(ox), theirs(tx)
    assert tuple(oy.shape) == tuple(ty.shape)
    assert tuple(ours.forward_shape(shape)) == tuple(theirs.forward_shape(shape))
    assert tuple(ours.inverse_shape(oy.shape)) == shape
    _arrays(oy, ty, 1e-10)
    assert bool(ours_constraint.check(oy).all())
    _arrays(ours.inv(oy), theirs.inv(ty), 1e-8)
    if ours.bijective:
        _arrays(ours.inv(oy), ox, 1e-8)
    try:
        expected = theirs.log_abs_det_jacobian(tx, ty)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            ours.log_abs_det_jacobian(ox, oy)
        return
    _arrays(ours.log_abs_det_jacobian(ox, oy), expected, 1e-10)


def test_corr_cholesky_jacobian_is_that_of_the_lower_triangle():
    """``log_abs_det_jacobian`` is the log |det| of the map from ``x`` to ``tril(y, -1)``."""
    T, utils = nptorch.distributions.transforms, nptorch.distributions.utils
    t = T.CorrCholeskyTransform()
    x = nptorch.tensor(RNG.normal(size=6))
    J = jacobian(lambda v: utils.tril_matrix_to_vec(t(v), diag=-1), x)
    expected = np.linalg.slogdet(J.numpy())[1]
    assert t.log_abs_det_jacobian(x, t(x)).item() == pytest.approx(expected, rel=1e-10)
    xg = nptorch.tensor(RNG.normal(size=(2, 3)), requires_grad=True)
    assert gradcheck(lambda v: t.log_abs_det_jacobian(v, t(v)), (xg,))
    assert gradcheck(t, (xg,))


@pytest.mark.parametrize("make, shape", [
    (lambda T: T.CatTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0)], -1, [2, 1]),
     (4, 3)),
    (lambda T: T.CatTransform([T.IndependentTransform(T.ExpTransform(), 1),
                               T.IndependentTransform(T.SigmoidTransform(), 1)], -1, [1, 2]),
     (4, 3)),
    (lambda T: T.CatTransform([T.ExpTransform(), T.TanhTransform()], 0, [3, 1]), (4, 3)),
    (lambda T: T.CatTransform([T.IndependentTransform(T.ExpTransform(), 1),
                               T.identity_transform], 0, [2, 2]), (4, 3)),
    (lambda T: T.CatTransform([T.ExpTransform(), T.SigmoidTransform(), T.TanhTransform()], 1),
     (4, 3)),
    (lambda T: T.StackTransform([T.ExpTransform(), T.AffineTransform(0.5, -3.0)], 0), (2, 3)),
    (lambda T: T.StackTransform([T.ExpTransform(), T.SigmoidTransform(), T.TanhTransform()], -1),
     (4, 3)),
])
def test_cat_and_stack_jacobians(torch, make, shape):
    ours = make(nptorch.distributions.transforms)
    theirs = make(torch.distributions.transforms)
    x = RNG.normal(size=shape)
    ox, tx = nptorch.tensor(x), torch.tensor(x)
    assert (ours.event_dim, ours.bijective) == (theirs.event_dim, theirs.bijective)
    _arrays(ours(ox), theirs(tx), 1e-12)
    _arrays(ours.inv(ours(ox)), ox, 1e-10)
    oj, tj = ours.log_abs_det_jacobian(ox, ours(ox)), theirs.log_abs_det_jacobian(tx, theirs(tx))
    assert tuple(oj.shape) == tuple(tj.shape)
    _arrays(oj, tj, 1e-12)
    xg = nptorch.tensor(x, requires_grad=True)
    assert gradcheck(lambda v: ours.log_abs_det_jacobian(v, ours(v)), (xg,))


SLICE_ERRORS = [
    lambda T, lib: T.CatTransform([T.ExpTransform(), 1.0]),
    lambda T, lib: T.StackTransform([T.ExpTransform(), 1.0]),
    lambda T, lib: T.CatTransform([T.ExpTransform()], 0, [1, 2]),
    lambda T, lib: T.CatTransform([T.ExpTransform()], 2)(lib.zeros(3)),
    lambda T, lib: T.CatTransform([T.ExpTransform()], 0, [2])(lib.zeros(3)),
    lambda T, lib: T.CatTransform([T.ExpTransform()], 0, [2]).inv(lib.zeros(3)),
    lambda T, lib: T.CatTransform([T.ExpTransform()], 0, [3]).log_abs_det_jacobian(
        lib.zeros(3), lib.zeros(2)),
    lambda T, lib: T.CatTransform([T.ExpTransform()], 1, [3]).log_abs_det_jacobian(
        lib.zeros(3), lib.zeros(3, 3)),
    lambda T, lib: T.StackTransform([T.ExpTransform()], -2)(lib.zeros(3)),
    lambda T, lib: T.StackTransform([T.ExpTransform()])(lib.zeros(3)),
    lambda T, lib: T.StackTransform([T.ExpTransform()]).inv(lib.zeros(2)),
    lambda T, lib: T.StackTransform([T.ExpTransform()]).log_abs_det_jacobian(
        lib.zeros(1), lib.zeros(2)),
    lambda T, lib: T.CorrCholeskyTransform().forward_shape((4,)),
    lambda T, lib: T.CorrCholeskyTransform().forward_shape(()),
    lambda T, lib: T.CorrCholeskyTransform().inverse_shape((3, 2)),
    lambda T, lib: T.CorrCholeskyTransform().inverse_shape((3,)),
]


@pytest.mark.parametrize("build", SLICE_ERRORS)
def test_transform_errors_match_torch(torch, build):
    errors = []
    for lib in (nptorch, torch):
        with pytest.raises((AssertionError, ValueError)) as info:
            build(lib.distributions.transforms, lib)
        errors.append((type(info.value).__name__, str(info.value)))
    assert errors[0] == errors[1]


def test_cached_slices_return_the_exact_input():
    T = nptorch.distributions.transforms
    x = nptorch.tensor(RNG.normal(size=(2, 3)))
    for t in (T.CatTransform([T.ExpTransform(), T.ExpTransform()], 0, [1, 1]),
              T.StackTransform([T.ExpTransform(), T.SigmoidTransform()]),
              T.CumulativeDistributionTransform(nptorch.distributions.Normal(0.0, 1.0))):
        cached = t.with_cache()
        assert type(cached) is type(t) and cached.with_cache() is cached
        assert cached.inv(cached(x)) is x
        assert t.inv(t(x)) is not x
        np.testing.assert_allclose(t.inv(t(x)).numpy(), x.numpy(), rtol=1e-9)


def test_matrix_transforms_equality_and_errors(torch):
    T = nptorch.distributions.transforms
    assert T.LowerCholeskyTransform() == T.LowerCholeskyTransform()
    assert T.PositiveDefiniteTransform() != T.LowerCholeskyTransform()
    assert T.CorrCholeskyTransform().inv.inv == T.CorrCholeskyTransform()
    for lib in (nptorch, torch):
        with pytest.raises(ValueError, match="Please use either .domain.event_dim"):
            lib.distributions.transforms.CorrCholeskyTransform().event_dim


def test_cumulative_distribution_transform(torch):
    """A Gaussian copula: Normal margins pushed through a standard normal CDF."""
    loc, scale = RNG.normal(size=3), RNG.uniform(0.5, 2.0, 3)
    x, u = RNG.normal(size=3), RNG.uniform(0.05, 0.95, (4, 3))
    results = []
    for lib in (nptorch, torch):
        D, T = lib.distributions, lib.distributions.transforms
        t = T.CumulativeDistributionTransform(D.Normal(lib.tensor(0.0, dtype=lib.float64), 1.0))
        d = D.TransformedDistribution(D.Normal(lib.tensor(loc), lib.tensor(scale)), t)
        tx, tu = lib.tensor(x), lib.tensor(u)
        results.append([repr(t.domain), repr(t.codomain), t.sign, t.bijective, t(tx).numpy(),
                        t.inv(tu).numpy(), t.log_abs_det_jacobian(tx, t(tx)).numpy(),
                        d.log_prob(tu).numpy(), d.cdf(tu).numpy()])
    for ours, theirs in zip(*results):
        if isinstance(ours, np.ndarray):
            np.testing.assert_allclose(ours, theirs, rtol=1e-10)
        else:
            assert ours == theirs


def test_corr_cholesky_distribution_matches_torch(torch):
    """A TransformedDistribution onto correlation Cholesky factors (event 1 to event 2)."""
    value = nptorch.distributions.transforms.CorrCholeskyTransform()(
        nptorch.tensor(RNG.normal(size=(5, 6))))
    results = []
    for lib in (nptorch, torch):
        D = lib.distributions
        d = D.TransformedDistribution(D.Normal(lib.zeros(6, dtype=lib.float64), 1.0),
                                      D.biject_to(D.constraints.corr_cholesky))
        results.append((tuple(d.batch_shape), tuple(d.event_shape), tuple(d.sample((2,)).shape),
                        d.log_prob(lib.tensor(value.numpy())).numpy()))
    assert results[0][:3] == results[1][:3] == ((), (4, 4), (2, 4, 4))
    np.testing.assert_allclose(results[0][3], results[1][3], rtol=1e-9)


def test_register(torch):
    D = nptorch.distributions
    registry = D.constraint_registry.ConstraintRegistry()

    class Positive(D.constraints.Constraint):
        def check(self, value):
            return value > 0

    @registry.register(Positive)
    def _exp(constraint):
        return D.transforms.ExpTransform()

    registry.register(D.constraints.unit_interval, lambda c: D.transforms.SigmoidTransform())
    assert registry(Positive()) == D.transforms.ExpTransform()
    assert registry(D.constraints.interval(-1.0, 1.0)) == D.transforms.SigmoidTransform()
    with pytest.raises(NotImplementedError, match="Cannot transform _Real constraints"):
        registry(D.constraints.real)
    messages = []
    for lib in (nptorch, torch):
        with pytest.raises(TypeError) as info:
            lib.distributions.constraint_registry.ConstraintRegistry().register(3, abs)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
