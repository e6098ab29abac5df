"""KL divergences between two distributions of one family, and through the wrappers
``Independent`` and ``TransformedDistribution``."""
import nptorch
import nptorch.nn.functional as F

from .categorical import Categorical, OneHotCategorical
from .discrete import Bernoulli, Binomial, Poisson
from .exp_family import ExponentialFamily
from .extreme_value import Gumbel
from .gamma import Beta, Dirichlet, Gamma
from .half import HalfNormal
from .independent import Independent
from .kl import infinite_where, kl_divergence, register_kl
from .location_scale import Cauchy, Laplace, Normal
from .power_laws import Pareto
from .transformed_distribution import TransformedDistribution
from .uniform import Exponential, Uniform
from .utils import euler_constant, sum_rightmost


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    t1 = p.probs * (F.softplus(-q.logits) - F.softplus(-p.logits))
    t1 = nptorch.where(p.probs == 0, 0.0, infinite_where(q.probs == 0, t1))
    t2 = (1 - p.probs) * (F.softplus(q.logits) - F.softplus(p.logits))
    t2 = nptorch.where(p.probs == 1, 0.0, infinite_where(q.probs == 1, t2))
    return t1 + t2


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    """``n`` times the Bernoulli divergence for equal counts; ``+inf`` where ``p`` has more
    trials than ``q`` (it reaches counts ``q`` cannot)."""
    if bool((p.total_count < q.total_count).any()):
        raise NotImplementedError("KL between Binomials where q.total_count > p.total_count is "
                                  "not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p()
                          - (-q.probs).log1p())
    return infinite_where(p.total_count > q.total_count, kl)


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    t = nptorch.where(p.probs == 0, 0.0, infinite_where(q.probs == 0, t))
    return t.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehotcategorical_onehotcategorical(p, q):
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return infinite_where((q.low > p.low) | (q.high < p.high), result)


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    p1, p0, q1, q0 = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    sum_p, sum_q = p1 + p0, q1 + q0
    lg, dg = nptorch.lgamma, nptorch.digamma
    t1 = lg(q1) + lg(q0) + lg(sum_p)
    t2 = lg(p1) + lg(p0) + lg(sum_q)
    return (t1 - t2 + (p1 - q1) * dg(p1) + (p0 - q0) * dg(p0) + (sum_q - sum_p) * dg(sum_p))


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = nptorch.lgamma(q.concentration) - nptorch.lgamma(p.concentration)
    t3 = (p.concentration - q.concentration) * nptorch.digamma(p.concentration)
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    pc, qc = p.concentration, q.concentration
    sum_p = pc.sum(-1)
    t1 = nptorch.lgamma(sum_p) - nptorch.lgamma(qc.sum(-1))
    t2 = (nptorch.lgamma(pc) - nptorch.lgamma(qc)).sum(-1)
    t4 = nptorch.digamma(pc) - nptorch.digamma(sum_p).unsqueeze(-1)
    return t1 - t2 + ((pc - qc) * t4).sum(-1)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    rate_ratio = q.rate / p.rate
    return rate_ratio - rate_ratio.log() - 1


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    scale_ratio = p.scale / q.scale
    loc_abs_diff = (p.loc - q.loc).abs()
    return (-scale_ratio.log() + loc_abs_diff / q.scale
            + scale_ratio * nptorch.exp(-loc_abs_diff / p.scale) - 1)


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    """``log(((s_p + s_q)^2 + (m_p - m_q)^2) / (4 s_p s_q))`` (Chyzak and Nielsen, 2019)."""
    spread = (p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)
    return spread.log() - (4 * p.scale * q.scale).log()


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_expfamily_expfamily(p, q):
    """The Bregman divergence of the log normaliser ``F`` between the natural parameters:
    ``F(theta_q) - F(theta_p) - <theta_q - theta_p, dF/dtheta(theta_p)>``."""
    if type(p) is not type(q):
        # PyTorch's message, with its run of spaces
        raise NotImplementedError("The cross KL-divergence between different exponential "
                                  "families cannot" + " " * 29 + "be computed using Bregman "
                                  "divergences")
    p_params, p_log_normalizer, grads = p._log_normalizer_and_grads()
    q_params = q._natural_params
    result = q._log_normalizer(*q_params) - p_log_normalizer
    for p_param, q_param, grad in zip(p_params, q_params, grads):
        result = result - sum_rightmost((q_param - p_param) * grad, len(q.event_shape))
    return result


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    """The divergence of the base distributions, which one bijection carries to ``p`` and
    ``q``; other pairs have no closed form."""
    if p.transforms != q.transforms or p.event_shape != q.event_shape:
        raise NotImplementedError
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p, q):
    return _kl_normal_normal(p.base_dist, q.base_dist)


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    ct1 = p.scale / q.scale
    ct2 = q.loc / q.scale
    ct3 = p.loc / q.scale
    t1 = -ct1.log() - ct2 + ct3
    t3 = nptorch.exp(ct2 + (1 + ct1).lgamma() - ct3)
    return t1 + ct1 * euler_constant + t3 - (1 + euler_constant)


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    alpha_ratio = q.alpha / p.alpha
    result = q.alpha * (p.scale / q.scale).log() - alpha_ratio.log() + alpha_ratio - 1
    return infinite_where(p.scale < q.scale, result)
