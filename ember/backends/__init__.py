"""``ember.backends``: the backend switches PyTorch scripts set and query (``torch.backends``).

ember runs on NumPy (CPU) and, later, CuPy; there is no cuDNN, MPS, MKL-DNN or OpenMP
inside ember itself. The flags exist so that scripts which set them run unchanged; they
are plain settings that ember's kernels do not read (documented per module). The
``is_available()`` answers say what ember really has.
"""

from ember.backends import cpu, cuda, cudnn, mkldnn, mps, openmp

__all__ = ["cpu", "cuda", "cudnn", "mkldnn", "mps", "openmp"]
