"""Run a PyTorch program on ember, unmodified.

    python -m ember.run script.py [args...]
    python -m ember.run -m package.module [args...]
    python -m ember run script.py [args...]          (same, through ember/__main__.py)
    ember run script.py [args...]                     (the console script, ``ember.run:cli``)

``ember.compat.install()`` is called first, so the program's ``import torch`` (and
``torch.nn``, ``torch.utils.data``, ...) get ember's modules. The program then runs as
Python would run it: as ``__main__``, with ``sys.argv`` = ``[script, args...]`` and the
script's folder first on ``sys.path`` (the current folder for ``-m``). Its exit status is
the command's exit status.
"""

from __future__ import annotations

import os
import runpy
import sys

__all__ = ["main", "cli", "run_path", "run_module"]

_USAGE = """\
usage: python -m ember.run script.py [args ...]
       python -m ember.run -m module [args ...]

Runs a PyTorch program with `import torch` resolved to ember (ember.compat)."""


def run_path(script: str, args=()) -> None:
    """Run the file ``script`` as ``__main__`` with ``sys.argv[1:] = args``, compat installed."""
    from ember import compat

    compat.install()
    sys.argv = [script, *args]
    if os.path.isfile(script) and not _is_zip(script):
        # `python script.py` puts the script's folder first; for a folder or zip with a __main__.py,
        # run_path puts the path itself there
        folder = os.path.dirname(os.path.realpath(script))
        if sys.path:
            sys.path[0] = folder
        else:
            sys.path.append(folder)
    runpy.run_path(script, run_name="__main__")


def _is_zip(path: str) -> bool:
    import zipfile
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def run_module(module: str, args=()) -> None:
    """Run the module ``module`` as ``__main__`` (like ``python -m module``), compat installed."""
    from ember import compat

    compat.install()
    sys.argv = [module, *args]                     # runpy puts the module's file in argv[0]
    cwd = os.getcwd()
    if not sys.path or sys.path[0] not in ("", cwd):
        sys.path.insert(0, cwd)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def main(argv=None) -> int:
    """Parse ``[-m module | script] args...`` and run it; returns the exit status (SystemExit passes through)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    if argv[0] == "-m":
        if len(argv) < 2:
            print("ember.run: argument -m: expected a module name\n" + _USAGE, file=sys.stderr)
            return 2
        run_module(argv[1], argv[2:])
        return 0
    if argv[0].startswith("-") and argv[0] != "-":
        print(f"ember.run: unknown option {argv[0]!r}\n" + _USAGE, file=sys.stderr)
        return 2
    script = argv[0]
    if not os.path.exists(script):
        print(f"ember.run: can't open file {os.path.abspath(script)!r}: [Errno 2] No such file or directory",
              file=sys.stderr)
        return 2
    run_path(script, argv[1:])
    return 0


_COMMANDS_USAGE = """\
usage: ember run script.py [args ...]
       ember run -m module [args ...]

commands:
  run    run a PyTorch program with `import torch` resolved to ember"""


def cli(argv=None) -> int:
    """The ``ember`` console script (and ``python -m ember``): ``ember run script.py args...``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_COMMANDS_USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    if argv[0] == "run":
        return main(argv[1:])
    if argv[0] in ("-V", "--version"):
        from ember import __version__
        print(f"ember {__version__}")
        return 0
    print(f"ember: unknown command {argv[0]!r}\n" + _COMMANDS_USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
