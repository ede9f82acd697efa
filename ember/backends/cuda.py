"""``torch.backends.cuda``: matmul/SDPA switches (accepted; ember's CPU kernels do not read them)."""


class _MatmulFlags:
    """``torch.backends.cuda.matmul``: ``allow_tf32`` and the reduced-precision reduction flags."""

    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True

    def __repr__(self) -> str:
        return f"<ember.backends.cuda.matmul allow_tf32={self.allow_tf32}>"


matmul = _MatmulFlags()


def is_built() -> bool:
    """Whether ember can drive CUDA at all: the CuPy extra is installed."""
    from ember._device import cupy_module
    return cupy_module() is not None
