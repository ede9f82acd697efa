"""The layers of ``ember.nn``: one module per family, each listing its layers in ``__all__``."""

from ember.nn.modules import (
    activation,
    channelshuffle,
    conv,
    distance,
    dropout,
    fold,
    loss,
    normalization,
    padding,
    pixelshuffle,
    pooling,
    rnn,
    sparse,
    transformer,
    upsampling,
)
from ember.nn.modules.container import Container, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from ember.nn.modules.flatten import Flatten, Unflatten
from ember.nn.modules.linear import Bilinear, Identity, LazyLinear, Linear
from ember.nn.modules.module import Module

__all__ = ["Module", "Container", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
           "Identity", "Linear", "Bilinear", "LazyLinear", "Flatten", "Unflatten"]

_FAMILIES = (activation, channelshuffle, conv, distance, dropout, fold, loss, normalization, padding, pixelshuffle,
             pooling, rnn, sparse, transformer, upsampling)
for _family in _FAMILIES:
    for _name in _family.__all__:
        globals()[_name] = getattr(_family, _name)
    __all__ += _family.__all__
del _family
