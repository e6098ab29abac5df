"""``Work``: the handle an asynchronous collective returns (``async_op=True``)."""


class Work:
    """A pending collective or point-to-point operation, as ``torch.distributed.Work``.

    ``handle`` is the backend's request (``wait()`` and ``test()``); ``then`` runs once after it
    completes (copying staged results into the caller's tensors, dividing for ``ReduceOp.AVG``).
    """

    def __init__(self, handle, outputs=(), then=None, source=None):
        self._handle = handle
        self._outputs = list(outputs)
        self._then = then
        self._source = source
        self._done = False

    def _finish(self):
        if not self._done:
            self._done = True
            if self._then is not None:
                self._then()

    def wait(self, timeout=None):
        """Block until the operation completes (for NCCL: until the current stream is ordered
        after it). Returns True."""
        if not self._done:
            self._handle.wait()
            self._finish()
        return True

    def is_completed(self):
        """True when the operation has completed; never blocks."""
        if not self._done and self._handle.test():
            self._finish()
        return self._done

    def is_success(self):
        """True when the operation has completed successfully (failures raise instead)."""
        return self.is_completed()

    def exception(self):
        """Failures raise from ``wait()``; there is never a stored exception."""
        return None

    def result(self):
        """Wait, then return the output tensors of the operation."""
        self.wait()
        return self._outputs

    def source_rank(self):
        """The group rank a receive got its message from (``irecv`` with ``src=None``)."""
        if self._source is None:
            raise ValueError("source_rank() is only available for a receive operation")
        self.wait()
        return self._source()
