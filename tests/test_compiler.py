"""``nptorch.compiler``: what ``torch.compiler``'s functions return and raise outside compiled
code, compared with PyTorch."""
import pytest

import nptorch
from nptorch import compiler

from helpers import check_same_error_as_torch


def _double(x):
    """Twice x."""
    return 2 * x


def _libs():
    torch = pytest.importorskip("torch")
    return (compiler, torch.compiler)


def test_names_exist_in_both():
    torch = pytest.importorskip("torch")
    for name in compiler.__all__:
        assert hasattr(torch.compiler, name), name
    assert nptorch.compiler is compiler and compiler.compile is nptorch.compile


def test_nothing_is_ever_compiling():
    for lib in _libs():
        assert lib.is_compiling() is False
        assert lib.is_dynamo_compiling() is False
        assert lib.is_exporting() is False
        assert lib.reset() is None
    # PyTorch's imports its inductor, which walks every registered operator (other tests
    # register their own): only nptorch's is called
    assert compiler.cudagraph_mark_step_begin() is None


@pytest.mark.parametrize("recursive", [True, False])
def test_disable_wraps_functions_without_changing_them(recursive):
    for lib in _libs():
        eager = lib.disable(_double, recursive=recursive)
        assert eager is not _double and eager.__wrapped__ is _double
        assert eager.__name__ == "_double" and eager.__doc__ == "Twice x."
        assert eager(21) == 42
        x = nptorch.arange(3.0, requires_grad=True)
        eager(x).sum().backward()
        assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_disable_as_a_decorator_factory():
    for lib in _libs():
        decorate = lib.disable(recursive=False, reason="eager only")

        @decorate
        def triple(x):
            return 3 * x
        assert triple(2) == 6 and triple.__wrapped__(2) == 6

        @lib.disable
        def plus_one(x):
            return x + 1
        assert plus_one(1) == 2


def test_disable_keeps_modules_and_classes_working():
    model = nptorch.nn.Linear(2, 1)
    assert compiler.disable(model) is model

    class Plain:
        def __call__(self, x):
            return x - 1
    assert compiler.disable(Plain) is Plain and Plain()(3) == 2


def test_disable_refuses_non_callables_like_torch():
    check_same_error_as_torch(lambda L: L.compiler.disable(5))


def test_allow_in_graph_returns_its_argument():
    for lib in _libs():
        assert lib.allow_in_graph(_double) is _double
        assert lib.allow_in_graph([_double, abs]) == [_double, abs]
        assert lib.allow_in_graph((_double,)) == [_double]  # a list, as PyTorch gives
    check_same_error_as_torch(lambda L: L.compiler.allow_in_graph(5))


def test_assume_constant_result_returns_its_argument():
    def answer():
        return 42
    for lib in _libs():
        assert lib.assume_constant_result(answer) is answer and answer() == 42
    check_same_error_as_torch(lambda L: L.compiler.assume_constant_result(5))


def test_set_stance_as_call_context_manager_and_decorator():
    assert compiler._stance[0] == "default"
    compiler.set_stance("force_eager")
    assert compiler._stance[0] == "force_eager"
    compiler.set_stance("default")
    with compiler.set_stance("eager_on_recompile"):
        assert compiler._stance[0] == "eager_on_recompile"
    assert compiler._stance[0] == "default"

    @compiler.set_stance("force_eager")
    def current():
        return compiler._stance[0]
    assert compiler._stance[0] == "default"
    assert current() == "force_eager" and current.__name__ == "current"
    assert compiler._stance[0] == "default"


def test_set_stance_behaves_like_torch():
    for lib in _libs():
        with lib.set_stance("force_eager"):
            assert _double(4) == 8
        decorated = lib.set_stance("force_eager")(_double)
        assert decorated(5) == 10 and decorated.__wrapped__ is _double
        with lib.set_stance(force_backend="eager"):
            pass
    check_same_error_as_torch(
        lambda L: L.compiler.set_stance("force_eager", force_backend="eager"))


def test_compiled_functions_run_eagerly():
    for lib in _libs():
        assert lib.is_compiling() is False
    compiled = compiler.compile(_double)
    assert compiled(nptorch.tensor([1.0])).tolist() == [2.0]
