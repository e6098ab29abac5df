"""Convert the weights of a model's convolutions to a memory format (``channels_last``, ...)."""
from ..modules.conv import Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d


def _convert_weights(module, memory_format, conv_types):
    if isinstance(module, conv_types):
        module.weight.data = module.weight.detach().clone(memory_format=memory_format)
    for child in module.children():
        _convert_weights(child, memory_format, conv_types)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Lay out the weight of every ``Conv2d`` and ``ConvTranspose2d`` in ``module`` (itself
    included) in ``memory_format``; returns ``module``."""
    return _convert_weights(module, memory_format, (Conv2d, ConvTranspose2d))


def convert_conv3d_weight_memory_format(module, memory_format):
    """Lay out the weight of every ``Conv3d`` and ``ConvTranspose3d`` in ``module`` (itself
    included) in ``memory_format``; returns ``module``."""
    return _convert_weights(module, memory_format, (Conv3d, ConvTranspose3d))
