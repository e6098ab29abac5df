"""AdaptiveLogSoftmaxWithLoss against PyTorch with weights copied in: outputs, loss, log_prob,
predict, every parameter gradient, float64 gradcheck and errors."""
import numpy as np
import pytest

import nptorch
from nptorch.autograd import gradcheck

from helpers import check_error_like_torch, load_torch_state

torch = pytest.importorskip("torch")

X = np.random.default_rng(0).standard_normal((7, 8))
TARGET = np.array([0, 4, 5, 11, 12, 19, 7])


def _pair(dtype=np.float32, **kwargs):
    args = dict(in_features=8, n_classes=20, cutoffs=[5, 12], div_value=2.0)
    args.update(kwargs)
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(**args).to(getattr(torch, np.dtype(dtype).name))
    ours = nptorch.nn.AdaptiveLogSoftmaxWithLoss(**args).to(getattr(nptorch, np.dtype(dtype).name))
    load_torch_state(ours, theirs)
    return ours, theirs


@pytest.mark.parametrize("kwargs", [{}, {"head_bias": True}, {"cutoffs": [3], "div_value": 4.0}])
def test_forward_loss_and_gradients_match_torch(kwargs):
    ours, theirs = _pair(**kwargs)
    x = X.astype(np.float32)
    out = ours(nptorch.tensor(x, requires_grad=True), nptorch.tensor(TARGET))
    ref = theirs(torch.tensor(x, requires_grad=True), torch.tensor(TARGET))
    np.testing.assert_allclose(out.output.detach().numpy(), ref.output.detach().numpy(), rtol=1e-5)
    np.testing.assert_allclose(out.loss.item(), ref.loss.item(), rtol=1e-5)
    out.loss.backward()
    ref.loss.backward()
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-6,
                                   err_msg=name)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())


def test_log_prob_predict_and_unbatched_calls():
    ours, theirs = _pair()
    x = X.astype(np.float32)
    np.testing.assert_allclose(ours.log_prob(nptorch.tensor(x)).detach().numpy(),
                               theirs.log_prob(torch.tensor(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    assert ours.predict(nptorch.tensor(x)).tolist() == theirs.predict(torch.tensor(x)).tolist()
    single = ours(nptorch.tensor(x[0]), nptorch.tensor(TARGET[0]))
    assert single.output.shape == () and ours.log_prob(nptorch.tensor(x[0])).shape == (20,)
    np.testing.assert_allclose(single.output.item(),
                               theirs(torch.tensor(x[0]), torch.tensor(TARGET[0])).output.item(),
                               rtol=1e-5)


def test_gradcheck_in_float64():
    ours, _ = _pair(np.float64)
    weights = [p for p in ours.parameters()]

    def loss(x, *params):
        return ours(x, nptorch.tensor(TARGET)).loss
    assert gradcheck(loss, (nptorch.tensor(X, requires_grad=True), *weights))


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 5]), ValueError,
     "cutoffs should be a sequence of unique, positive integers"),
    (lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 25]), ValueError,
     "cutoffs should be a sequence of unique, positive integers"),
    (lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5])(lib.zeros(2, 8), lib.tensor([0, 20])),
     RuntimeError, "Target values should be in \\[0, 19\\], but values in range \\[0, 20\\] were found."),
    (lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5])(lib.zeros(3, 8), lib.tensor([0, 1])),
     RuntimeError, "Input and target should have the same size in the batch dimension."),
    (lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5])(lib.zeros(2, 3, 8), lib.tensor([0, 1])),
     RuntimeError, "1D target tensor expects 2D input tensors"),
    (lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5])(lib.zeros(2, 8), lib.tensor(1)),
     RuntimeError, "0D target tensor expects 1D input tensors"),
])
def test_errors_match_torch(call, error, message):
    check_error_like_torch(call, error, message)
