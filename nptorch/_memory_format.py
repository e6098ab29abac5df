"""Memory formats and layouts: every tensor here is dense and strided (``torch.strided``), in
row-major order, so only the formats that ask for exactly that exist (``torch.channels_last``
would change strides, which nptorch does not)."""


class memory_format:
    """A layout request, as ``torch.memory_format``."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")


class layout:
    """How a tensor's elements are stored, as ``torch.layout``."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"


strided = layout("strided")
