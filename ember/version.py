"""``ember.version`` (``torch.version``): ember's version; no CUDA/HIP toolkit is compiled in."""

__version__ = "0.1.0"
cuda = None
hip = None
git_version = "unknown"
debug = False
