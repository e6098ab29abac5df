"""Hook registries: ordered dicts of callables, and the handles that remove them."""
import itertools


class RemovableHandle:
    """Removes its hook from its registry on ``remove()`` or on leaving a ``with`` block."""

    _next_id = itertools.count()

    def __init__(self, hooks_dict):
        self._hooks_dict = hooks_dict
        self.id = next(self._next_id)

    def remove(self):
        self._hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def register(hooks, hook, prepend=False):
    """Add ``hook`` to the ordered dict ``hooks`` (first when ``prepend``); its handle."""
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle
