"""``torch.backends.mkldnn``: ember has no oneDNN kernels; the flag is accepted and unused."""

enabled = True


def is_available() -> bool:
    return False
