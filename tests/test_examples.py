"""The README's main job runs and learns."""

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fit_example_learns_the_sine_wave(capsys):
    fit = _load("fit")
    first = fit.main(steps=0)
    final = fit.main(steps=600)
    assert final < first / 10
    assert "mse" in capsys.readouterr().out
