"""``torch.backends.cpu``."""

import numpy as np


def get_cpu_capability() -> str:
    """The widest SIMD level NumPy's kernels were built to use here ("AVX512", "AVX2", ... or "DEFAULT")."""
    try:
        features = np._core._multiarray_umath.__cpu_features__
    except AttributeError:  # pragma: no cover - older NumPy layout
        features = np.core._multiarray_umath.__cpu_features__
    for name, label in (("AVX512F", "AVX512"), ("AVX2", "AVX2"), ("ASIMD", "NEON"), ("VSX", "VSX")):
        if features.get(name):
            return label
    return "DEFAULT"
