"""DataParallel: forwarding, state dict keys, repr and checkpoints, against PyTorch."""
import numpy as np
import pytest

import nptorch

from helpers import load_torch_state

torch = pytest.importorskip("torch")

needs_no_gpu = pytest.mark.skipif(nptorch.cuda.is_available(), reason="needs the absence of a GPU")


def _pair():
    ours, theirs = nptorch.nn.Linear(2, 3), torch.nn.Linear(2, 3)
    load_torch_state(ours, theirs)
    return nptorch.nn.DataParallel(ours), torch.nn.DataParallel(theirs)


@needs_no_gpu
def test_without_cuda_it_calls_the_module():
    ours, theirs = _pair()
    x = np.arange(8.0, dtype=np.float32).reshape(4, 2)
    np.testing.assert_allclose(ours(nptorch.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6)
    assert ours.device_ids == theirs.device_ids == []
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["module.weight", "module.bias"]


def test_gradients_reach_the_wrapped_parameters():
    model = nptorch.nn.DataParallel(nptorch.nn.Linear(2, 1))
    model(nptorch.ones(3, 2)).sum().backward()
    assert model.module.weight.grad.tolist() == [[3.0, 3.0]]


def test_a_wrapped_checkpoint_loads_into_the_plain_model_through_module():
    wrapped = nptorch.nn.DataParallel(nptorch.nn.Linear(2, 2))
    plain = nptorch.nn.Linear(2, 2)
    plain.load_state_dict({k[len("module."):]: v for k, v in wrapped.state_dict().items()})
    assert plain.weight.tolist() == wrapped.module.weight.tolist()


@pytest.mark.skipif(not nptorch.cuda.is_available(), reason="needs a GPU")
def test_on_one_gpu_inputs_move_to_it_and_several_gpus_are_refused():
    model = nptorch.nn.DataParallel(nptorch.nn.Linear(2, 1).cuda(), device_ids=[0])
    assert model(nptorch.ones(3, 2)).device.type == "cuda"
    with pytest.raises(RuntimeError, match="module must have its parameters and buffers on "
                                           "device cuda:0"):
        nptorch.nn.DataParallel(nptorch.nn.Linear(2, 1), device_ids=[0])(nptorch.ones(3, 2))
    with pytest.raises(NotImplementedError, match="DataParallel over several GPUs"):
        nptorch.nn.DataParallel(nptorch.nn.Linear(2, 1), device_ids=[0, 1])
