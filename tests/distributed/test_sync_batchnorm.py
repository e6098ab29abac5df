"""SyncBatchNorm: on 2 MPI ranks it equals BatchNorm on the concatenated batch
(ddp_workers/ddp_worker.py); without a process group it is BatchNorm, as PyTorch's;
convert_sync_batchnorm keeps parameters, buffers and state_dict keys."""
import numpy as np
import pytest

import nptorch
from nptorch import nn


@pytest.mark.parametrize("nprocs", [2])
def test_statistics_and_gradients_cover_the_global_batch(nprocs):
    pytest.importorskip("mpi4py")
    from mpi_launch import mpiexec_path, run_ddp_checks
    if mpiexec_path() is None:
        pytest.skip("mpiexec is not installed")
    run_ddp_checks(nprocs, ["sync_batchnorm_equals_batchnorm_on_the_whole_batch"])


def test_without_process_group_it_is_batchnorm(torch):
    x = np.random.default_rng(0).standard_normal((6, 3, 4)).astype("float32")
    outputs = []
    for lib in (nptorch, torch):
        bn = lib.nn.SyncBatchNorm(3, momentum=None)
        inp = lib.tensor(x, requires_grad=True)
        out = bn(inp)
        (out * lib.arange(72.0).reshape(6, 3, 4)).sum().backward()
        bn.eval()
        outputs.append([out.detach().numpy(), inp.grad.numpy(), bn.weight.grad.numpy(),
                        bn.running_var.numpy(), bn(inp).detach().numpy(),
                        int(bn.num_batches_tracked)])
    for ours, theirs in zip(*outputs):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_convert_keeps_parameters_buffers_and_keys(torch):
    def build(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.BatchNorm2d(2),
                                 lib.nn.Sequential(lib.nn.BatchNorm1d(4, affine=False)),
                                 lib.nn.BatchNorm3d(2, bias=False))
    model = build(nptorch)
    model[1].running_mean.fill_(3.0)
    model.eval()
    weight = model[1].weight
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model, process_group="group")
    assert converted is model
    assert [type(m).__name__ for m in (model[1], model[2][0], model[3])] == ["SyncBatchNorm"] * 3
    assert model[1].weight is weight and model[1].running_mean.tolist() == [3.0, 3.0]
    assert model[2][0].weight is None and model[3].bias is None and not model[1].training
    assert model[1].process_group == "group"
    reference = torch.nn.SyncBatchNorm.convert_sync_batchnorm(build(torch))
    assert list(model.state_dict()) == list(reference.state_dict())
    single = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(2))
    assert isinstance(single, nn.SyncBatchNorm)


@pytest.mark.parametrize("shape, message", [
    ((3,), r"expected at least 2D input \(got 1D input\)"),
    ((2, 0), "SyncBatchNorm number of input channels should be non-zero"),
])
def test_input_errors(torch, shape, message):
    for lib in (nptorch, torch):
        with pytest.raises(ValueError, match=message):
            lib.nn.SyncBatchNorm(0 if shape[-1] == 0 else 3)(lib.zeros(shape))
