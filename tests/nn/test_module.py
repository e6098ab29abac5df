"""nn.Module against PyTorch: hooks, registration and its errors, traversal, modes, conversion,
state_dict/load_state_dict, get_* lookups, repr and Parameter. Each case runs the same code on
both libraries and compares the results (or the error type and message)."""
import collections
import copy

import numpy as np
import pytest

import nptorch
import nptorch.nn as nn


def outcome(lib, fn):
    try:
        result = repr(fn(lib))
    except Exception as e:  # the error's type and message are part of the behaviour
        result = f"{type(e).__name__}: {e}"
    return result.replace("nptorch.", "torch.")


def same_as_torch(torch, fn):
    ours, ref = outcome(nptorch, fn), outcome(torch, fn)
    assert ours == ref


def model(L):
    class M(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = L.nn.Parameter(L.ones(2))
            self.f = L.nn.Flatten()
            self.register_buffer("b", L.zeros(1))
            self.register_buffer("i", L.zeros(1, dtype=L.int64))
            self.register_buffer("nb", L.zeros(1), persistent=False)
            self.e = L.nn.Embedding(3, 2)

        def forward(self, x, scale=1.0):
            return x * self.w * scale

        def extra_repr(self):
            return "hello\nworld"
    return M()


def shared(L):
    e = L.nn.Embedding(3, 2)
    m = L.nn.Sequential(e, L.nn.Flatten(), e)
    m.extra = L.nn.Module()
    m.extra.p = e.weight
    return m


def hooks(L):
    m, log = model(L), []
    m.register_forward_pre_hook(lambda mod, a: log.append(("pre", len(a))))
    h2 = m.register_forward_pre_hook(lambda mod, a: (a[0] * 2,))
    h3 = m.register_forward_pre_hook(lambda mod, a, k: (a, dict(k, scale=3.0)), with_kwargs=True)
    h4 = m.register_forward_hook(lambda mod, a, o: o + 1)
    m.register_forward_hook(lambda mod, a, k, o: log.append(("fwd", sorted(k))), with_kwargs=True)
    m.register_forward_hook(lambda mod, a, o: log.append("first"), prepend=True)
    r1 = m(L.ones(2)).tolist()
    for h in (h2, h3, h4):
        h.remove()
    with m.register_forward_pre_hook(lambda mod, a: (a[0] + 10,)):
        r2 = m(L.ones(2), scale=2.0).tolist()
    return r1, r2, m(L.ones(2)).tolist(), log


def train_eval(L):
    m = L.nn.Sequential(model(L), L.nn.Sequential(L.nn.Flatten()))
    m.eval()
    after_eval = [x.training for x in m.modules()], L.is_grad_enabled()
    m[1].train()
    return after_eval, [x.training for x in m.modules()], m.train() is m, m.eval() is m


def zero_grad(L):
    m = model(L)
    m(L.ones(2)).sum().backward()
    g = m.w.grad
    m.zero_grad(set_to_none=False)
    kept = m.w.grad is g, m.w.grad.tolist()
    m.zero_grad()
    return kept, m.w.grad, m.e.weight.grad


def conversions(L):
    m = model(L)
    m.w.grad = L.ones(2)
    m.double()
    a = m.w.dtype, m.b.dtype, m.i.dtype, m.w.grad.dtype, m.e.weight.dtype, type(m.w).__name__
    m.half()
    b = m.w.dtype, m.i.dtype
    m.to(L.float64)
    c = m.b.dtype
    m.float()
    d = m.w.dtype
    m.to("cpu", L.float64)
    return a, b, c, d, m.w.dtype, m.cpu() is m, m.to(L.float32) is m


def state_dicts(L):
    m = L.nn.Sequential(collections.OrderedDict(a=model(L), b=L.nn.ModuleList(
        [L.nn.Embedding(2, 2), L.nn.EmbeddingBag(2, 2)])))
    s, k = m.state_dict(), m.state_dict(keep_vars=True)
    return (list(s), s["a.w"].requires_grad, k["a.w"].requires_grad, k["a.w"] is m[0].w,
            s["a.w"].grad_fn, type(s).__name__, list(m.state_dict(prefix="p.")))


def load(L):
    m = model(L)
    r = m.load_state_dict({k: v + 1 for k, v in m.state_dict().items()})
    return r, m.w.tolist(), m.i.tolist(), m.b.tolist(), m.w.requires_grad, type(m.w).__name__


def delete(L):
    m = model(L)
    del m.w, m.b, m.f
    return ([n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()],
            [n for n, _ in m.named_children()], hasattr(m, "w"))


def reassign(L):
    m = model(L)
    m.w, m.f = None, None
    m.b = L.ones(3)
    m.x = L.nn.Parameter(L.ones(1))
    m.e = L.nn.Flatten()
    return list(m.state_dict()), m.b.tolist(), m.f, m.w, list(m._parameters), list(m._modules)


def deepcopies(L):
    m = model(L)
    m2 = copy.deepcopy(m)
    with L.no_grad():
        m2.w.mul_(3)
    p = L.nn.Parameter(L.ones(2))
    p.grad = L.ones(2)
    p2 = copy.deepcopy(p)
    return (m.w.tolist(), m2.w.tolist(), type(m2.w).__name__, type(p2).__name__, p2.requires_grad,
            p2.is_leaf, p2.grad, p2 is p, repr(m2) == repr(m))


CASES = {
    "hooks": hooks, "train_eval": train_eval, "zero_grad": zero_grad, "conversions": conversions,
    "state_dicts": state_dicts, "load": load, "delete": delete, "reassign": reassign,
    "deepcopies": deepcopies,
    "requires_grad_": lambda L: ([p.requires_grad for p in model(L).requires_grad_(False).parameters()],
                                 all(p.requires_grad for p in model(L).requires_grad_().parameters())),
    "apply": lambda L: (lambda names: (L.nn.Sequential(model(L), L.nn.Flatten()).apply(
        lambda x: names.append(type(x).__name__)), names)[1])([]),
    "repr": lambda L: model(L),
    "repr_nested": lambda L: L.nn.Sequential(model(L), L.nn.Sequential(L.nn.PixelShuffle(2)), L.nn.Module()),
    "named_modules": lambda L: [n for n, _ in model(L).named_modules(prefix="p")],
    "modules": lambda L: [type(x).__name__ for x in model(L).modules()],
    "children": lambda L: [type(x).__name__ for x in model(L).children()],
    "named_parameters_shared": lambda L: [n for n, _ in shared(L).named_parameters()],
    "named_parameters_dup": lambda L: [n for n, _ in shared(L).named_parameters(remove_duplicate=False)],
    "named_parameters_prefix": lambda L: [n for n, _ in model(L).named_parameters("x", recurse=False)],
    "parameters": lambda L: [tuple(p.shape) for p in model(L).parameters()],
    "named_modules_shared": lambda L: [n for n, _ in shared(L).named_modules()],
    "named_children_shared": lambda L: [n for n, _ in shared(L).named_children()],
    "state_dict_shared": lambda L: list(shared(L).state_dict()),
    "buffers": lambda L: ([n for n, _ in model(L).named_buffers(prefix="x")],
                          [b.dtype for b in model(L).buffers()]),
    "buffer_via_class": lambda L: (lambda m: (setattr(m, "z", L.nn.Buffer(L.ones(1), persistent=False)),
                                              list(m.state_dict()), [n for n, _ in m.named_buffers()])[1:])(model(L)),
    "get_submodule": lambda L: model(L).get_submodule("e"),
    "get_submodule_self": lambda L: type(model(L).get_submodule("")).__name__,
    "get_parameter": lambda L: model(L).get_parameter("e.weight").shape,
    "get_buffer": lambda L: model(L).get_buffer("nb").tolist(),
    # errors
    "add_module_type": lambda L: L.nn.Module().add_module("a", 3),
    "add_module_name": lambda L: L.nn.Module().add_module(1, L.nn.Flatten()),
    "add_module_dot": lambda L: L.nn.Module().add_module("a.b", L.nn.Flatten()),
    "add_module_empty": lambda L: L.nn.Module().add_module("", L.nn.Flatten()),
    "add_module_exists": lambda L: L.nn.Flatten().add_module("training", L.nn.Flatten()),
    "buffer_name": lambda L: L.nn.Module().register_buffer(1, None),
    "buffer_dot": lambda L: L.nn.Module().register_buffer("a.b", None),
    "buffer_empty": lambda L: L.nn.Module().register_buffer("", None),
    "buffer_type": lambda L: L.nn.Module().register_buffer("a", 3),
    "buffer_exists": lambda L: L.nn.Module().register_buffer("training", None),
    "parameter_name": lambda L: L.nn.Module().register_parameter(1, None),
    "parameter_dot": lambda L: L.nn.Module().register_parameter("a.b", None),
    "parameter_empty": lambda L: L.nn.Module().register_parameter("", None),
    "parameter_type": lambda L: L.nn.Module().register_parameter("a", L.ones(2)),
    "parameter_exists": lambda L: L.nn.Module().register_parameter("training", None),
    "set_parameter_tensor": lambda L: setattr(model(L), "w", L.ones(2)),
    "set_module_tensor": lambda L: setattr(model(L), "f", L.ones(2)),
    "set_buffer_int": lambda L: setattr(model(L), "b", 3),
    "missing_attribute": lambda L: model(L).nope,
    "missing_forward": lambda L: L.nn.Module()(1),
    "init_args": lambda L: L.nn.Module(1),
    "init_kwargs": lambda L: L.nn.Module(a=1),
    "get_submodule_missing": lambda L: model(L).get_submodule("f.x"),
    "get_submodule_not_module": lambda L: model(L).get_submodule("w"),
    "get_parameter_missing": lambda L: model(L).get_parameter("f.w"),
    "get_parameter_not_parameter": lambda L: model(L).get_parameter("b"),
    "get_buffer_not_buffer": lambda L: model(L).get_buffer("w"),
    "get_buffer_missing": lambda L: model(L).get_buffer("nope"),
    "train_not_bool": lambda L: model(L).train(1),
    "to_int_dtype": lambda L: model(L).to(L.int64),
    "load_missing": lambda L: model(L).load_state_dict({"w": L.ones(2)}),
    "load_not_strict": lambda L: model(L).load_state_dict(
        {"w": L.ones(2), "zz": L.ones(1), "f.a.b": L.ones(1)}, strict=False),
    "load_unexpected": lambda L: model(L).load_state_dict(
        dict(model(L).state_dict(), zz=L.ones(1), **{"f.q": L.ones(1)})),
    "load_shape": lambda L: model(L).load_state_dict({"w": L.ones(3), "b": L.zeros(1)}, strict=False),
    "load_not_dict": lambda L: model(L).load_state_dict([1]),
    "parameter_repr": lambda L: L.nn.Parameter(L.tensor([1.0, 2.0])),
    "parameter_defaults": lambda L: (L.nn.Parameter(L.ones(1)).requires_grad,
                                     L.nn.Parameter(L.ones(1), requires_grad=False).requires_grad,
                                     L.nn.Parameter().shape, L.nn.Parameter(L.ones(1)).is_leaf),
    "parameter_int": lambda L: L.nn.Parameter(L.ones(2, dtype=L.int64)),
    "parameter_int_frozen": lambda L: L.nn.Parameter(L.ones(2, dtype=L.int64), requires_grad=False).dtype,
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_as_torch(torch, name):
    same_as_torch(torch, CASES[name])


def test_cuda_without_gpu_is_a_clear_error():
    if nptorch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        model(nptorch).cuda()


def test_training_step_matches_torch(torch):
    """A model built from these layers, weights copied in: outputs and every parameter grad."""
    w = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    grads = []
    for L in (nptorch, torch):
        net = L.nn.Sequential(L.nn.Embedding(5, 4, padding_idx=0), L.nn.Unflatten(2, (1, 4)),
                              L.nn.PixelUnshuffle(1), L.nn.Flatten())
        net.load_state_dict({"0.weight": L.tensor(w)})
        out = net(L.tensor([[0, 3], [2, 4]]))
        (out * L.arange(float(out.numel())).reshape(out.shape)).sum().backward()
        grads.append((out.detach().numpy(), net[0].weight.grad.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0])
    np.testing.assert_allclose(grads[0][1], grads[1][1])
