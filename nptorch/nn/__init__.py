"""``nptorch.nn``: modules, parameters and the functional API, as ``torch.nn``."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer
from .modules import *  # noqa: F401,F403
from .modules import Module, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from . import functional, init, parallel, utils
from .parallel import DataParallel
