"""The layers of ``ember.nn``."""

from ember.nn.modules.container import Container, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from ember.nn.modules.flatten import Flatten, Unflatten
from ember.nn.modules.linear import Bilinear, Identity, LazyLinear, Linear
from ember.nn.modules.module import Module

from ember.nn.modules import (  # noqa: E402  (the layer families; each lists its layers in __all__)
    activation,
    conv,
    pooling,
    fold,
    normalization,
    dropout,
    loss,
    rnn,
    transformer,
    sparse,
    padding,
    upsampling,
    pixelshuffle,
    distance,
    channelshuffle,
)

__all__ = ["Module", "Container", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
           "Identity", "Linear", "Bilinear", "LazyLinear", "Flatten", "Unflatten"]

_name = None
for _family in (activation, conv, pooling, fold, normalization, dropout, loss, rnn, transformer, sparse, padding, upsampling, pixelshuffle, distance, channelshuffle):
    for _name in _family.__all__:
        globals()[_name] = getattr(_family, _name)
    __all__ += _family.__all__
del _family, _name
