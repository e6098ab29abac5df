"""NLLLoss2d: PyTorch's deprecated alias of NLLLoss (its warning, repr, arguments, values)."""
import numpy as np
import pytest

import nptorch


def _make(lib, *args, **kwargs):
    with pytest.warns(FutureWarning) as record:
        loss = lib.nn.NLLLoss2d(*args, **kwargs)
    assert record[0].filename == __file__
    return loss, str(record[0].message)


@pytest.mark.filterwarnings("ignore:size_average and reduce args")
@pytest.mark.parametrize("kwargs", [{}, {"ignore_index": 1, "reduction": "sum"},
                                    {"weight": [0.2, 1.0, 3.0], "reduction": "none"},
                                    {"size_average": False}])
def test_nllloss2d_matches_torch(torch, kwargs):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    target = rng.integers(0, 3, (2, 4, 5))
    outs = []
    for lib in (nptorch, torch):
        args = {k: lib.tensor(v) if k == "weight" else v for k, v in kwargs.items()}
        loss, message = _make(lib, **args)
        assert isinstance(loss, lib.nn.NLLLoss)
        xs = lib.tensor(x, requires_grad=True)
        y = loss(lib.nn.functional.log_softmax(xs, 1), lib.tensor(target))
        y.sum().backward()
        outs.append((repr(loss), message, loss.reduction, y.detach().numpy(), xs.grad.numpy()))
    (r, m, red, y, g), (tr, tm, tred, ty, tg) = outs
    assert (r, m, red) == (tr, tm, tred)
    assert m == ("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
                 "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for "
                 "more details.")
    np.testing.assert_allclose(y, ty, rtol=1e-5)
    np.testing.assert_allclose(g, tg, rtol=1e-5, atol=1e-7)
