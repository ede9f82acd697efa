"""Anomaly detection: remember where each graph node was made, and fail loudly on NaN gradients.

While enabled, dispatch stores the forward call's stack in ``node.metadata["traceback_"]``;
the engine then reports it when a backward rule raises, and (with ``check_nan``) raises
"Function 'XBackward0' returned nan values in its Nth output." as PyTorch does.
"""

from __future__ import annotations

import os
import traceback
import warnings


class _State:
    enabled = False
    check_nan = True


state = _State()


def is_anomaly_enabled() -> bool:
    return state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return state.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    state.enabled = bool(enabled)
    state.check_nan = bool(check_nan)


class detect_anomaly:
    """Context manager (and decorator) enabling anomaly detection inside its block."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.prev = (False, True)
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only "
                      "be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        self.prev = (state.enabled, state.check_nan)
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc) -> None:
        set_anomaly_enabled(*self.prev)

    def __call__(self, func):
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return func(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Enable or disable anomaly detection: at once, or for a ``with`` block."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (state.enabled, state.check_nan)
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        set_anomaly_enabled(*self.prev)


_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def forward_stack() -> str:
    """The user's part of the current stack, for ``node.metadata["traceback_"]``."""
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(_EMBER_DIR)]
    return "".join(traceback.format_list(frames))


def report(node) -> None:
    """Warn with the forward traceback of ``node``, as PyTorch does before re-raising."""
    stack = node.metadata.get("traceback_") if hasattr(node, "metadata") else None
    if stack:
        warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n{stack}",
                      stacklevel=3)


def check_nan(node, grads) -> None:
    for i, g in enumerate(grads):
        if g is not None and g._dtype.category >= 2 and bool((g._data != g._data).any()):
            report(node)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
