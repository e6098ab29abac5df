"""finfo/iinfo, typename, compile and the process-wide settings, against PyTorch."""
import pytest

import nptorch

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo(name):
    ours, theirs = nptorch.finfo(getattr(nptorch, name)), torch.finfo(getattr(torch, name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert repr(ours) == repr(theirs)


def test_finfo_of_the_default_dtype():
    assert repr(nptorch.finfo()) == repr(torch.finfo())
    nptorch.set_default_dtype(nptorch.float64)
    try:
        assert nptorch.finfo().bits == 64
    finally:
        nptorch.set_default_dtype(nptorch.float32)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    ours, theirs = nptorch.iinfo(getattr(nptorch, name)), torch.iinfo(getattr(torch, name))
    for field in ("bits", "max", "min", "dtype"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert type(ours.max) is int and repr(ours) == repr(theirs)


@pytest.mark.parametrize("call,message", [
    (lambda lib: lib.finfo(lib.int32), "torch.finfo\\(\\) requires a floating point input type. "
                                       "Use torch.iinfo to handle 'torch.finfo'"),
    (lambda lib: lib.iinfo(lib.float32), "torch.iinfo\\(\\) requires an integer input type. "
                                         "Use torch.finfo to handle 'torch.iinfo'"),
    (lambda lib: lib.iinfo(lib.bool), "torch.bool is not supported by torch.iinfo"),
])
def test_info_errors(call, message):
    for lib in (torch, nptorch):
        with pytest.raises(TypeError, match=message):
            call(lib)


def test_typename():
    assert nptorch.typename(nptorch.zeros(2)) == "torch.FloatTensor"
    assert nptorch.typename(nptorch.zeros(2, dtype=nptorch.int64)) == "torch.LongTensor"
    assert nptorch.typename(3) == "int" and nptorch.typename(None) == "NoneType"
    assert nptorch.typename(nptorch.nn.Linear(1, 1)) == "nptorch.nn.modules.linear.Linear"


def test_compile_returns_what_it_is_given():
    model = nptorch.nn.Linear(2, 1)
    assert nptorch.compile(model) is model

    @nptorch.compile
    def double(x):
        return 2 * x

    @nptorch.compile(mode="max-autotune", fullgraph=True)
    def triple(x):
        return 3 * x
    assert double(2) == 4 and triple(2) == 6


def test_float32_matmul_precision():
    assert nptorch.get_float32_matmul_precision() == "highest"
    try:
        nptorch.set_float32_matmul_precision("high")
        assert nptorch.get_float32_matmul_precision() == "high"
        assert nptorch.backends.cuda.matmul.allow_tf32
        with pytest.warns(UserWarning, match="foo is not one of 'highest', 'high', or 'medium'"):
            nptorch.set_float32_matmul_precision("foo")
        assert nptorch.get_float32_matmul_precision() == "high"
    finally:
        nptorch.set_float32_matmul_precision("highest")
    assert not nptorch.backends.cuda.matmul.allow_tf32


def test_deterministic_algorithms_flags():
    assert not nptorch.are_deterministic_algorithms_enabled()
    try:
        nptorch.use_deterministic_algorithms(True, warn_only=True)
        assert nptorch.are_deterministic_algorithms_enabled()
        assert nptorch.is_deterministic_algorithms_warn_only_enabled()
    finally:
        nptorch.use_deterministic_algorithms(False)
    assert not nptorch.are_deterministic_algorithms_enabled()
