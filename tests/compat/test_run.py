"""`python -m ember.run script.py`: PyTorch training scripts run unmodified on ember and give PyTorch's losses.

Each script in scripts/ is written for PyTorch. It runs once with real PyTorch and once on ember through
ember.run. The PyTorch run writes the model's initial weights (--init, a .npz of numpy arrays); the ember run
loads the same file, so both start from identical weights and train on identical data (seeded NumPy). Their
per-step losses must agree.

Interpreters cost seconds to start (torch's import alone takes ~2 s), so the PyTorch run happens in this process
(torch is imported here anyway) and so do most ember runs, through `ember.run.main` -- the function behind
`python -m ember.run`, with compat installed for the run and uninstalled after it. The DataLoader-workers script,
and the runner tests below, run `python -m ember.run ...` / `python -m ember run ...` in a subprocess.
"""

import json
import os
import runpy
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

from ember import compat
from ember.run import cli, main

SCRIPTS = Path(__file__).resolve().parent / "scripts"
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


class _ProcessState:
    """Put back what running a script as __main__ changes in this process (argv, sys.path, compat)."""

    def __enter__(self):
        self.argv, self.path = sys.argv, list(sys.path)
        return self

    def __exit__(self, *exc):
        compat.uninstall()
        sys.argv, sys.path[:] = self.argv, self.path


def _run_torch(script, args):
    """Run a script with real PyTorch as `python script.py args` would (in this process, one thread)."""
    assert not compat.is_installed()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)      # the machine's cores are shared: PyTorch's thread pool only slows it down
    try:
        with _ProcessState():
            sys.argv = [str(script), *args]
            sys.path[0] = str(script.parent)
            runpy.run_path(str(script), run_name="__main__")
    finally:
        torch.set_num_threads(threads)


def _run_ember_in_process(args):
    with _ProcessState():
        assert main([str(a) for a in args]) == 0


def _run_ember(args, cwd, *, module_form=False, timeout=120):
    command = [sys.executable, "-m", "ember", "run"] if module_form else [sys.executable, "-m", "ember.run"]
    return subprocess.run([*command, *map(str, args)], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=timeout)


def _train_both(name, tmp_path, *, subprocess=False):
    script = SCRIPTS / f"{name}.py"
    init, t_out, e_out = tmp_path / "init.npz", tmp_path / "torch.json", tmp_path / "ember.json"
    _run_torch(script, ["--init", str(init), "--out", str(t_out)])
    assert init.exists()                                    # written by the PyTorch run, read by both
    args = [script, "--init", init, "--out", e_out]
    if subprocess:
        proc = _run_ember(args, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr[-3000:]
    else:
        _run_ember_in_process(args)
    assert not compat.is_installed() and sys.modules["torch"] is torch
    return json.loads(t_out.read_text()), json.loads(e_out.read_text())


def _assert_curves_match(t_losses, e_losses):
    t, e = np.asarray(t_losses), np.asarray(e_losses)
    assert t.shape == e.shape and t.size >= 10
    assert np.isfinite(e).all()
    # the first steps: float32 agreement
    np.testing.assert_allclose(e[:5], t[:5], rtol=1e-4, atol=1e-6)
    # afterwards: the same curve (float32 rounding may drift apart slowly), going the same way
    np.testing.assert_allclose(e, t, rtol=2e-2, atol=1e-4)
    assert (e[-3:].mean() < e[:3].mean()) == (t[-3:].mean() < t[:3].mean())


def test_mlp_regression(tmp_path):
    t, e = _train_both("mlp_regression", tmp_path)
    _assert_curves_match(t["losses"], e["losses"])
    np.testing.assert_allclose(e["lrs"], t["lrs"], rtol=1e-12)             # StepLR
    np.testing.assert_allclose(e["final"], t["final"], rtol=1e-3)


def test_cnn_classification(tmp_path):
    t, e = _train_both("cnn_classification", tmp_path)
    _assert_curves_match(t["losses"], e["losses"])
    assert abs(e["accuracy"] - t["accuracy"]) <= 2 / 256
    np.testing.assert_allclose(e["final"], t["final"], rtol=1e-3)


def test_lstm_sequence(tmp_path):
    t, e = _train_both("lstm_sequence", tmp_path)
    _assert_curves_match(t["losses"], e["losses"])
    np.testing.assert_allclose(e["grad_norms"][:5], t["grad_norms"][:5], rtol=1e-4)   # clip_grad_norm_'s result
    assert abs(e["accuracy"] - t["accuracy"]) <= 2 / 128


def test_transformer_lm(tmp_path):
    t, e = _train_both("transformer_lm", tmp_path)
    _assert_curves_match(t["losses"], e["losses"])
    assert e["sample"] == t["sample"]                        # greedy decoding after training


def test_custom_autograd_function(tmp_path):
    t, e = _train_both("custom_function", tmp_path)
    _assert_curves_match(t["losses"], e["losses"])
    assert t["gradcheck"] == e["gradcheck"] == [True, True]


def test_custom_dataset_with_workers(tmp_path):
    t, e = _train_both("dataset_workers", tmp_path, subprocess=True)
    _assert_curves_match(t["losses"], e["losses"])
    assert e["shapes"] == t["shapes"]                        # default collate: shapes and dtypes
    assert e["workers"] == t["workers"]                      # batch i comes from worker i % num_workers
    assert {w for ws in e["workers"] for w in ws} == {0, 1}


# -- the runner itself ------------------------------------------------------------------------------------------------

PROBE = """\
import json, sys
import torch
import torch.nn as nn
from torch.utils.checkpoint import checkpoint
print(json.dumps({"argv": sys.argv, "path0": sys.path[0], "name": __name__, "torch": torch.__name__,
                  "nn": nn.__name__, "linear": type(nn.Linear(2, 3)).__module__,
                  "version": torch.__version__}))
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""


def _probe_results(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def test_console_form_subprocess_argv_path_main_and_exit_code(tmp_path):
    # `python -m ember run script.py args` (ember/__main__.py -> cli): a real interpreter, exit status propagated
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    proc = _run_ember([folder / "probe.py", "3", "--flag", "x y"], cwd=tmp_path, module_form=True)
    assert proc.returncode == 3, proc.stderr
    seen = _probe_results(proc.stdout)
    assert seen["argv"] == [str(folder / "probe.py"), "3", "--flag", "x y"]
    assert seen["path0"] == str(folder.resolve())          # the script's folder, as `python script.py` has it
    assert seen["name"] == "__main__"
    assert (seen["torch"], seen["nn"]) == ("ember", "ember.nn")
    assert seen["linear"].startswith("ember.nn")
    import ember
    assert seen["version"] == ember.__version__


def test_script_argv_path_main_and_exit_code(tmp_path, capsys):
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    with _ProcessState():
        with pytest.raises(SystemExit) as info:
            main([str(folder / "probe.py"), "5", "--lr", "0.1"])
        assert compat.is_installed()
    assert info.value.code == 5
    seen = _probe_results(capsys.readouterr().out)
    assert seen["argv"] == [str(folder / "probe.py"), "5", "--lr", "0.1"]
    assert seen["path0"] == str(folder.resolve())
    assert (seen["name"], seen["torch"]) == ("__main__", "ember")
    assert sys.modules["torch"] is torch                     # _ProcessState uninstalled compat


def test_module_form_runs_a_module_as_main(tmp_path, capsys, monkeypatch):
    pkg = tmp_path / "mypkg_ember_run_probe"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "train.py").write_text(PROBE)
    monkeypatch.chdir(tmp_path)
    try:
        with _ProcessState(), pytest.raises(SystemExit) as info:
            main(["-m", "mypkg_ember_run_probe.train", "0", "a"])
    finally:
        sys.modules.pop("mypkg_ember_run_probe", None)
    assert info.value.code == 0
    seen = _probe_results(capsys.readouterr().out)
    assert seen["argv"] == [str(pkg / "train.py"), "0", "a"]
    assert (seen["name"], seen["torch"]) == ("__main__", "ember")


def test_uncaught_exception_propagates(tmp_path):
    (tmp_path / "boom.py").write_text("import torch\nraise ValueError('boom from the script')\n")
    with _ProcessState(), pytest.raises(ValueError, match="boom from the script"):
        main([str(tmp_path / "boom.py")])


def test_missing_pytorch_api_fails_loudly(tmp_path):
    # a user's script needing what ember lacks: non-zero exit, the error names the PyTorch module
    (tmp_path / "dist.py").write_text(textwrap.dedent("""\
        import torch
        from torch.distributions import Normal
        print(Normal(torch.zeros(1), torch.ones(1)).sample())
        """))
    proc = _run_ember([tmp_path / "dist.py"], cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "ModuleNotFoundError" in proc.stderr
    assert "ember does not provide torch.distributions" in proc.stderr
    assert proc.stdout == ""


def test_missing_attribute_fails_loudly(tmp_path):
    (tmp_path / "attr.py").write_text("import torch\nprint(torch.not_a_real_api(3))\n")
    with _ProcessState(), pytest.raises(AttributeError,
                                        match=r"module 'torch' \(ember\) has no attribute 'not_a_real_api'"):
        main([str(tmp_path / "attr.py")])


def test_spawned_processes_get_ember_too(tmp_path):
    # a spawned child re-imports the main script before anything else: its `import torch` must be ember as well
    (tmp_path / "spawner.py").write_text(textwrap.dedent("""\
        import multiprocessing as mp
        import sys
        import torch

        def child(q):
            import torch.nn
            q.put((torch.__name__, torch.nn.Linear.__module__, sys.modules["torch"].__name__))

        if __name__ == "__main__":
            ctx = mp.get_context("spawn")
            q = ctx.Queue()
            p = ctx.Process(target=child, args=(q,))
            p.start()
            print(q.get(timeout=60))
            p.join()
            sys.exit(p.exitcode)
        """))
    proc = _run_ember([tmp_path / "spawner.py"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "('ember', 'ember.nn.modules.linear', 'ember')"


def test_usage_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([]) == 2
    assert "usage: python -m ember.run" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "usage" in capsys.readouterr().out
    assert main(["missing_script.py"]) == 2
    assert "can't open file" in capsys.readouterr().err
    assert main(["-m"]) == 2
    assert main(["--bogus"]) == 2
    assert "unknown option '--bogus'" in capsys.readouterr().err
    assert cli([]) == 2
    assert cli(["bogus"]) == 2
    assert "unknown command 'bogus'" in capsys.readouterr().err
    assert cli(["--version"]) == 0
    import ember
    assert capsys.readouterr().out.strip() == f"ember {ember.__version__}"
    assert not compat.is_installed()            # nothing was run, nothing installed


def test_installed_console_script(tmp_path):
    # pyproject's [project.scripts] entry: `ember run script.py` next to the interpreter of this environment
    import shutil
    script = shutil.which("ember", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the ember console script is not installed here (pip install -e . installs it)")
    (tmp_path / "hello.py").write_text("import sys, torch\nprint(torch.__name__, sys.argv[1:])\nsys.exit(4)\n")
    proc = subprocess.run([script, "run", str(tmp_path / "hello.py"), "a", "b"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 4, proc.stderr
    assert proc.stdout.strip() == "ember ['a', 'b']"
    version = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=120)
    import ember
    assert version.stdout.strip() == f"ember {ember.__version__}"
