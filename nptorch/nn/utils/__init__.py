"""nn.utils: gradient clipping, parameter vectors, RNN packing."""
from . import rnn
