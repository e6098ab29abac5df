"""The CUDA kernels checked without a GPU: every source of ``nptorch._ops.cuda`` compiles to PTX
through NVRTC in every dtype instantiation (this needs CuPy and NVRTC, ``pip install
cupy-cuda12x nvidia-cuda-nvrtc-cu12``, so that a kernel that does not compile fails CI on any
machine), and ``CupyOps`` rejects bad arguments before it allocates or launches anything."""
import numpy as np
import pytest

from nptorch import _compat
from nptorch._ops import Window, cuda
from nptorch._ops.cupy_ops import CupyOps

# the oldest and the newest architectures the kernels are meant for
ARCHS = ("compute_75", "compute_90")


@pytest.fixture(scope="module")
def nvrtc():
    if _compat.cupy is None:
        pytest.skip("CuPy is not installed")
    nvrtc = _compat.cupy.cuda.nvrtc
    try:
        nvrtc.getVersion()
    except Exception as exc:  # CuPy is there but the NVRTC library is not
        pytest.skip(f"NVRTC is not installed: {exc}")
    return nvrtc


def _ptx(nvrtc, code, names, arch):
    """Compile ``code`` to PTX for ``arch`` and return it with the entry names of ``names``;
    a compile error raises RuntimeError with NVRTC's log."""
    program = nvrtc.createProgram(code, "kernels.cu", [], [])
    try:
        for name in names:
            nvrtc.addNameExpression(program, name)
        try:
            nvrtc.compileProgram(program, [f"-arch={arch}"])
        except nvrtc.NVRTCError as exc:
            raise RuntimeError(nvrtc.getProgramLog(program)) from exc
        return nvrtc.getPTX(program), [nvrtc.getLoweredName(program, n) for n in names]
    finally:
        nvrtc.destroyProgram(program)


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("filename", sorted(cuda.KERNELS))
def test_source_compiles_for_every_dtype(nvrtc, filename, arch):
    names = cuda.name_expressions(filename)
    assert len(names) == 2 * len(cuda.KERNELS[filename])
    ptx, entries = _ptx(nvrtc, cuda.source(filename), names, arch)
    text = ptx.decode() if isinstance(ptx, bytes) else ptx
    assert f".target sm_{arch.split('_')[1]}" in text
    for entry in entries:
        assert f".entry {entry}(" in text


def test_every_kernel_has_one_source():
    names = [name for names in cuda.KERNELS.values() for name in names]
    assert len(names) == len(set(names))
    for filename, kernels in cuda.KERNELS.items():
        code = cuda.source(filename)
        for name in kernels:
            assert f"__global__ void {name}(" in code


def test_a_broken_source_fails(nvrtc):
    code = cuda.source("conv.cu").replace("scalar_t acc = 0;", "scalar_t acc = undefined_name;")
    assert code != cuda.source("conv.cu")
    with pytest.raises(RuntimeError, match='identifier "undefined_name" is undefined'):
        _ptx(nvrtc, code, cuda.name_expressions("conv.cu"), ARCHS[0])


def test_a_missing_instantiation_fails(nvrtc):
    with pytest.raises(RuntimeError, match="Error in parsing name expression"):
        _ptx(nvrtc, cuda.source("conv.cu"), ["no_such_kernel<float>"], ARCHS[0])


def test_kernel_arguments_are_typed():
    args = cuda.kernel_args((3, np.int32(2), True, 0.5, np.float32(1.5), "array"))
    assert [type(a) for a in args] == [np.int64] * 3 + [np.float64] * 2 + [str]
    assert [a.item() for a in args[:5]] == [3, 2, 1, 0.5, 1.5]


# -- CupyOps checks its arguments before any CUDA call (NumPy arrays suffice) -------------------
F32 = np.float32
BAD_CALLS = [
    (lambda o: o.im2col(np.zeros((2, 3), F32), 1, 1, Window(1, 1)),
     r"im2col: expected a 4-D array, got shape \(2, 3\)"),
    (lambda o: o.im2col(np.zeros((1, 1, 3, 3), F32), 1, 1, Window(0, 1)),
     r"im2col: invalid window \(0, 1, 1, 1, 0, 0, 1, 1\)"),
    (lambda o: o.im2col(np.zeros((1, 1, 3, 3), F32), -1, 1, Window(1, 1)),
     r"im2col: output size \(-1, 1\) must not be negative"),
    (lambda o: o.col2im(np.zeros((1, 1, 2, 2, 1, 1), F32), 3, 3, Window(3, 3)),
     r"col2im: expected columns \(N, C, 3, 3, OH, OW\), got \(1, 1, 2, 2, 1, 1\)"),
    (lambda o: o.col2im(np.zeros((1, 1, 1, 1, 1, 1), F32), 0, 3, Window(1, 1)),
     r"col2im: invalid output size \(0, 3\)"),
    (lambda o: o.conv2d(np.zeros((1, 3, 4, 4), F32), np.zeros((2, 2, 1, 1), F32), None, 4, 4,
                        Window(1, 1), 1),
     r"conv2d: weight \(2, 2, 1, 1\) does not match 3 channels with 1 groups"),
    (lambda o: o.conv2d_input(np.zeros((1, 2, 4, 4), F32), np.zeros((2, 3, 1, 1), F32), 0, 4,
                              Window(1, 1), 1),
     r"conv2d_input: invalid sizes \(1, 2, 4, 4\) -> \(0, 4\) for weight \(2, 3, 1, 1\)"),
    (lambda o: o.conv2d_weight(np.zeros((2, 3, 4, 4), F32), np.zeros((1, 2, 4, 4), F32),
                               Window(1, 1), 1),
     r"conv2d_weight: input \(2, 3, 4, 4\) and gradient \(1, 2, 4, 4\) with 1 groups"),
    (lambda o: o.max_pool2d(np.zeros((1, 1, 4, 4), F32), 2, 2, Window(2, 2, 0, 2)),
     r"max_pool2d: invalid window"),
    (lambda o: o.max_pool2d_backward(np.zeros((1, 1, 2, 2), F32),
                                     np.zeros((1, 1, 2, 2), np.int32), 4, 4),
     r"max_pool2d_backward: indices \(1, 1, 2, 2\) int32 do not match \(1, 1, 2, 2\)"),
    (lambda o: o.max_pool2d_backward(np.zeros((1, 1, 2, 2), F32),
                                     np.full((1, 1, 2, 2), 16, np.int64), 4, 4),
     r"max_pool2d_backward: an index is outside the \(4, 4\) plane"),
    (lambda o: o.avg_pool2d(np.zeros((1, 1, 4, 4), F32), 2, 2, Window(2, 2, 2, 2, 0, 0, 2, 1)),
     r"avg_pool2d: invalid window \(2, 2, 2, 2, 0, 0, 2, 1\)"),
    (lambda o: o.avg_pool2d_backward(np.zeros((1, 1, 2, 2), F32), 0, 4, Window(2, 2, 2, 2)),
     r"avg_pool2d_backward: invalid input size \(0, 4\)"),
    (lambda o: o.adaptive_avg_pool2d(np.zeros((1, 1, 0, 4), F32), 2, 2),
     r"adaptive_avg_pool2d: invalid sizes \(0, 4\) -> \(2, 2\)"),
    (lambda o: o.adaptive_max_pool2d(np.zeros((1, 1, 4, 4), F32), -1, 2),
     r"adaptive_max_pool2d: invalid sizes \(4, 4\) -> \(-1, 2\)"),
    (lambda o: o.adaptive_avg_pool2d_backward(np.zeros((1, 1, 2, 2), F32), 4, 0),
     r"adaptive_avg_pool2d_backward: invalid sizes \(4, 0\) -> \(2, 2\)"),
    (lambda o: o.lstm_recurrence(np.zeros((3, 2, 8), F32), np.zeros((8, 2), F32),
                                 np.zeros((2, 3), F32), np.zeros((2, 2), F32)),
     r"lstm_recurrence: expected an array of shape \(2, 2\), got \(2, 3\)"),
    (lambda o: o.lstm_recurrence_backward(np.zeros((3, 2, 8), F32), np.zeros((4, 2, 2), F32),
                                          np.zeros((8, 2), F32), np.zeros((3, 2, 2), F32),
                                          np.zeros((3, 2, 2), np.float64),
                                          np.zeros((2, 2), F32), np.zeros((2, 2), F32)),
     r"lstm_recurrence_backward: mixed dtypes float32 and float64"),
    (lambda o: o.gru_forward(np.zeros((3, 2, 6), F32), np.zeros((6, 2), F32),
                             np.zeros(3, F32), np.zeros((2, 2), F32)),
     r"gru_forward: expected an array of shape \(2,\), got \(3,\)"),
    (lambda o: o.gru_backward(np.zeros((3, 2, 6), F32), np.zeros((3, 2, 2), F32),
                              np.zeros((3, 2, 2), F32), np.zeros((6, 2), F32),
                              np.zeros((3, 2, 2), F32), np.zeros((2, 2), F32)),
     r"gru_backward: expected an array of shape \(4, 2, 2\), got \(3, 2, 2\)"),
]


@pytest.mark.parametrize("call, message", BAD_CALLS, ids=range(len(BAD_CALLS)))
def test_cupy_ops_reject_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call(CupyOps())
