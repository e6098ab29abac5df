"""Nested containers of tensors ("pytrees") as the ``torch.func`` transforms take and return.

Tuples (named tuples too), lists, dicts and OrderedDicts are containers; anything else,
``None`` included, is a leaf. A tree's structure (its "spec") is the tree itself with every
leaf replaced by ``LEAF``, which prints as ``*``: ``{'a': *, 'b': (*, *)}``.
"""
from collections import OrderedDict


class _Leaf:
    def __repr__(self):
        return "*"


LEAF = _Leaf()


def _is_namedtuple(tree):
    return isinstance(tree, tuple) and hasattr(tree, "_fields")


def is_container(tree):
    return type(tree) in (tuple, list, dict, OrderedDict) or _is_namedtuple(tree)


def children(tree):
    return list(tree.values()) if isinstance(tree, dict) else list(tree)


def _rebuild(tree, values):
    """A container like ``tree`` holding ``values``."""
    if isinstance(tree, dict):
        return type(tree)(zip(tree.keys(), values))
    if _is_namedtuple(tree):
        return type(tree)(*values)
    return type(tree)(values)


def tree_map(fn, tree):
    """``tree`` with every leaf replaced by ``fn(leaf)``."""
    if is_container(tree):
        return _rebuild(tree, [tree_map(fn, child) for child in children(tree)])
    return fn(tree)


def tree_flatten(tree):
    """``(leaves, spec)``: the leaves in order, and the structure that holds them."""
    leaves = []
    spec = tree_map(lambda leaf: leaves.append(leaf) or LEAF, tree)
    return leaves, spec


def tree_unflatten(leaves, spec):
    """The tree of structure ``spec`` holding ``leaves`` (in order)."""
    leaves = iter(leaves)
    return tree_map(lambda _: next(leaves), spec)


def broadcast_prefix(prefix, tree):
    """One value per leaf of ``tree``: ``prefix`` is ``tree`` with some subtrees replaced by a
    single value that holds for all their leaves. ``None`` when the structures do not fit."""
    if not is_container(prefix):
        return [prefix] * len(tree_flatten(tree)[0])
    if type(prefix) is not type(tree) or len(prefix) != len(tree):
        return None
    if isinstance(tree, dict):
        if prefix.keys() != tree.keys():
            return None
        pairs = [(prefix[k], tree[k]) for k in tree]
    else:
        pairs = zip(prefix, tree)
    values = []
    for sub_prefix, sub_tree in pairs:
        sub_values = broadcast_prefix(sub_prefix, sub_tree)
        if sub_values is None:
            return None
        values += sub_values
    return values
