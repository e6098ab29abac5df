"""Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict against PyTorch: the
same code runs on both libraries and the results (or errors) are compared."""
import collections

import pytest

import nptorch

from test_module import same_as_torch


def _del(container, key):
    del container[key]
    return container


def seq_ops(L):
    s = L.nn.Sequential(L.nn.Flatten(), L.nn.PixelShuffle(2))
    s.append(L.nn.PixelShuffle(3))
    s.extend([L.nn.Flatten(0)])
    s.insert(1, L.nn.PixelUnshuffle(2))
    s[-1] = L.nn.PixelShuffle(5)
    del s[1:3]
    return list(s._modules), s, len(s), s[-1], s[0]


def list_ops(L):
    m = L.nn.ModuleList([L.nn.Flatten()])
    m += [L.nn.PixelShuffle(2)]
    m.append(L.nn.PixelShuffle(3))
    m.extend([L.nn.PixelShuffle(4)])
    del m[0]
    popped = m.pop(1)
    m2 = m + L.nn.ModuleList([L.nn.Flatten()])
    m.insert(0, L.nn.PixelUnshuffle(2))
    return list(m._modules), popped, len(m2), m[1:], list(m2._modules), m[-1], m


def dict_ops(L):
    d = L.nn.ModuleDict({"a": L.nn.Flatten()})
    d["b"] = L.nn.PixelShuffle(2)
    d.update([("c", L.nn.PixelShuffle(3))])
    popped = d.pop("a")
    return (list(d.keys()), popped, "b" in d, len(d), [type(v).__name__ for v in d.values()],
            list(d), [k for k, _ in d.items()], d)


def param_list_ops(L):
    p = L.nn.ParameterList([L.ones(2)])
    p.append(L.nn.Parameter(L.zeros(3)))
    p.extend([L.ones(1)])
    p[0] = L.zeros(2)
    return (len(p), [type(x).__name__ for x in p], [n for n, _ in p.named_parameters()],
            p[-1].tolist(), p[0].requires_grad, list(p.state_dict()), p)


def param_dict_ops(L):
    p = L.nn.ParameterDict({"a": L.ones(2)})
    p["b"] = L.zeros(1, dtype=L.float64)
    p.update({"c": L.ones(1)})
    x = p.pop("a")
    return (list(p.keys()), type(x).__name__, [n for n, _ in p.named_parameters()], "b" in p,
            len(p), p.get("zz", 5), list(p.state_dict()), p)


def seq_forward(L):
    s = L.nn.Sequential(collections.OrderedDict(un=L.nn.Unflatten(1, (4, 1, 1)),
                                                sh=L.nn.PixelShuffle(2), fl=L.nn.Flatten()))
    return s(L.arange(8.0).reshape(2, 4)).tolist(), list(s._modules), s.sh


CASES = {
    "seq_ops": seq_ops, "list_ops": list_ops, "dict_ops": dict_ops,
    "param_list_ops": param_list_ops, "param_dict_ops": param_dict_ops, "seq_forward": seq_forward,
    "seq_repr": lambda L: L.nn.Sequential(collections.OrderedDict(
        a=L.nn.Flatten(), b=L.nn.Sequential(L.nn.PixelShuffle(2)))),
    "seq_slice": lambda L: L.nn.Sequential(L.nn.Flatten(), L.nn.PixelShuffle(2),
                                           L.nn.PixelShuffle(3))[1:],
    "seq_del": lambda L: _del(L.nn.Sequential(L.nn.Flatten(), L.nn.PixelShuffle(2),
                                              L.nn.PixelShuffle(3)), 0),
    "seq_insert": lambda L: L.nn.Sequential(L.nn.Flatten(), L.nn.PixelShuffle(2)).insert(
        -1, L.nn.PixelShuffle(3)),
    "seq_pop": lambda L: (lambda s: (s.pop(0), s))(L.nn.Sequential(L.nn.Flatten(), L.nn.PixelShuffle(2))),
    "seq_plus": lambda L: L.nn.Sequential(L.nn.Flatten()) + L.nn.Sequential(L.nn.PixelShuffle(2)),
    "seq_times": lambda L: (L.nn.Sequential(L.nn.Flatten(), L.nn.PixelShuffle(2)) * 2,
                            2 * L.nn.Sequential(L.nn.Flatten())),
    "seq_empty_repr": lambda L: L.nn.Sequential(),
    "list_repeated_repr": lambda L: L.nn.ModuleList(
        [L.nn.Flatten(), L.nn.Flatten(), L.nn.PixelShuffle(2), L.nn.Flatten()]),
    "list_nested_repr": lambda L: L.nn.ModuleList([L.nn.Sequential(L.nn.Flatten())] * 2),
    "list_empty_repr": lambda L: L.nn.ModuleList(),
    "dict_repr": lambda L: L.nn.ModuleDict({"b": L.nn.Flatten(), "a": L.nn.PixelShuffle(2)}),
    "param_list_repr": lambda L: L.nn.ParameterList([L.nn.Parameter(L.ones(2, 3)), L.ones(2)]),
    "param_dict_repr": lambda L: L.nn.ParameterDict(
        {"a": L.nn.Parameter(L.ones(2, 3)), "b": L.ones(2, dtype=L.float64)}),
    # errors
    "seq_add_other": lambda L: L.nn.Sequential() + 1,
    "seq_times_zero": lambda L: L.nn.Sequential() * 0,
    "seq_times_float": lambda L: L.nn.Sequential() * 1.5,
    "seq_index": lambda L: L.nn.Sequential(L.nn.Flatten())[3],
    "seq_append_other": lambda L: L.nn.Sequential().append(3),
    "list_index": lambda L: L.nn.ModuleList([L.nn.Flatten()])[-2],
    "list_call": lambda L: L.nn.ModuleList()(1),
    "dict_missing": lambda L: L.nn.ModuleDict()["x"],
    "param_list_index": lambda L: L.nn.ParameterList([L.ones(1)])[1],
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_as_torch(torch, name):
    same_as_torch(torch, CASES[name])


def test_container_parameters_are_registered():
    s = nptorch.nn.Sequential(nptorch.nn.Embedding(3, 2), nptorch.nn.ModuleList(
        [nptorch.nn.Embedding(2, 2)]), nptorch.nn.ModuleDict({"e": nptorch.nn.Embedding(1, 2)}))
    assert [n for n, _ in s.named_parameters()] == ["0.weight", "1.0.weight", "2.e.weight"]
    assert s[1][0] is s[-2][-1] and s[2]["e"] is list(s.modules())[-1]
