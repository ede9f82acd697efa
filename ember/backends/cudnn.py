"""``torch.backends.cudnn``: settings scripts write (ember has no cuDNN; they change nothing)."""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = 10


def is_available() -> bool:
    """ember does not use cuDNN."""
    return False


def version():
    """None: ember is not linked against cuDNN (as PyTorch reports without it)."""
    return None
