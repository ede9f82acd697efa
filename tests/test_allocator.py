"""The CPU allocator tuning applied at import, and its opt-out."""

import os
import subprocess
import sys

import pytest

from ember import _allocator


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt tuning is for Linux/glibc only")
def test_tuning_is_applied_at_import_on_linux():
    assert _allocator.malloc_tuned is True
    assert _allocator.tune_malloc() is True


def test_tuning_can_be_switched_off_from_the_environment():
    env = dict(os.environ, EMBER_MALLOC_TUNING="0")
    out = subprocess.run([sys.executable, "-c", "import ember._allocator as a; print(a.malloc_tuned)"],
                         capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"
