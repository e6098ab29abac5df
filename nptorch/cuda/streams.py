"""CUDA streams and events over ``cupy.cuda.Stream`` / ``cupy.cuda.Event``, as ``torch.cuda``'s."""
from .. import _compat
from ._lazy import device_index, lazy_init

__all__ = ["Event", "Stream", "StreamContext", "current_stream", "default_stream", "stream"]


def _device_id(cupy_stream):
    """The GPU of a CuPy stream; its singletons (null, per-thread) belong to the current one."""
    index = cupy_stream.device_id
    return index if index >= 0 else _compat.cupy.cuda.runtime.getDevice()


class Stream:
    """A CUDA stream: work queued on it runs in order, concurrently with other streams.

    Args:
        device (int, str or device, optional): the GPU of the stream (the current one by default).
        priority (int, optional): lower numbers are higher priorities. Default: 0.

    Example::

        >>> s = torch.cuda.Stream()
        >>> with torch.cuda.stream(s):
        ...     y = x @ x
        >>> torch.cuda.current_stream().wait_stream(s)
    """

    def __init__(self, device=None, priority=0, **kwargs):
        if not _compat.has_cuda():
            raise RuntimeError("torch.cuda.Stream requires CUDA support")
        cupy = lazy_init()
        with cupy.cuda.Device(device_index(device, optional=True)):
            # PyTorch's streams do not synchronize with the legacy default stream
            self._stream = cupy.cuda.Stream(non_blocking=True, priority=priority)

    @classmethod
    def _wrap(cls, cupy_stream):
        stream = cls.__new__(cls)
        stream._stream = cupy_stream
        return stream

    @property
    def cuda_stream(self):
        """The ``cudaStream_t`` handle, as an int."""
        return self._stream.ptr

    @property
    def device(self):
        from .._device import device
        return device("cuda", _device_id(self._stream))

    def query(self):
        """True when all the work queued on the stream has completed."""
        return self._stream.done

    def synchronize(self):
        """Wait for all the work queued on the stream."""
        self._stream.synchronize()

    def wait_event(self, event):
        """Make later work on this stream wait for ``event``."""
        self._stream.wait_event(event._event)

    def wait_stream(self, stream):
        """Make later work on this stream wait for the work queued so far on ``stream``."""
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        """Record ``event`` (a new one by default) on this stream and return it."""
        if event is None:
            event = Event()
        event.record(self)
        return event

    def __enter__(self):
        self._context = StreamContext(self)
        return self._context.__enter__()

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)

    def __eq__(self, other):
        return isinstance(other, Stream) and self.cuda_stream == other.cuda_stream

    def __hash__(self):
        return hash(self.cuda_stream)

    def __repr__(self):
        return f"<torch.cuda.Stream device={self.device} cuda_stream={self.cuda_stream:#x}>"


class Event:
    """A CUDA event: a marker in a stream, to wait for or to time work with.

    Args:
        enable_timing (bool, optional): whether the event measures time. Default: False.
        blocking (bool, optional): whether ``synchronize`` blocks the thread rather than
            spinning. Default: False.
        interprocess (bool, optional): whether the event can be shared between processes.
            Default: False.

    Example::

        >>> start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        >>> start.record(); y = model(x); end.record()
        >>> end.synchronize(); ms = start.elapsed_time(end)
    """

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        if not _compat.has_cuda():
            raise RuntimeError("torch.cuda.Event requires CUDA support")
        self.enable_timing = enable_timing
        self._event = lazy_init().cuda.Event(block=blocking, disable_timing=not enable_timing,
                                             interprocess=interprocess)

    def record(self, stream=None):
        """Record the event on ``stream`` (the current stream by default)."""
        self._event.record((stream or current_stream())._stream)

    def wait(self, stream=None):
        """Make later work on ``stream`` (the current stream by default) wait for the event."""
        (stream or current_stream()).wait_event(self)

    def query(self):
        """True when the work recorded before the event has completed."""
        return self._event.done

    def synchronize(self):
        """Wait until the work recorded before the event has completed."""
        self._event.synchronize()

    def elapsed_time(self, end_event):
        """The milliseconds between this event and ``end_event``, both recorded and completed."""
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'")
        return _compat.cupy.cuda.get_elapsed_time(self._event, end_event._event)


class StreamContext:
    """The context manager ``torch.cuda.stream(s)``: CUDA work in the block is queued on ``s``
    (on its GPU); ``None`` leaves the current stream."""

    def __init__(self, stream):
        self.stream = stream
        self._previous = None

    def __enter__(self):
        if self.stream is None:
            return None
        cupy = lazy_init()
        self._device = cupy.cuda.Device(_device_id(self.stream._stream))
        self._device.__enter__()
        self._previous = cupy.cuda.get_current_stream()
        self.stream._stream.use()
        return self.stream

    def __exit__(self, *exc):
        if self.stream is not None:
            self._previous.use()
            self._device.__exit__(*exc)
        return False


def stream(stream):
    """Queue the CUDA work of a ``with`` block on ``stream`` (``None``: no change)."""
    return StreamContext(stream)


def current_stream(device=None):
    """The stream that CUDA work is queued on, for ``device`` (the current GPU by default)."""
    cupy = lazy_init()
    with cupy.cuda.Device(device_index(device, optional=True)):
        return Stream._wrap(cupy.cuda.get_current_stream())


def default_stream(device=None):
    """The default (legacy null) stream of ``device``."""
    cupy = lazy_init()
    with cupy.cuda.Device(device_index(device, optional=True)):
        return Stream._wrap(cupy.cuda.Stream.null)
