"""Run PyTorch code unmodified: ``import torch`` resolves to ember.

``install()`` puts a finder at the front of ``sys.meta_path`` that maps the name ``torch``
to ``ember`` and ``torch.X.Y`` to ``ember.X.Y``. The module objects are ember's own, so
after ``install()`` a program's imports of ``torch``, ``torch.nn``, ``torch.nn.functional`` or
``torch.utils.data`` give ``ember``, ``ember.nn``, ``ember.nn.functional`` and
``ember.utils.data`` themselves (``torch.Tensor is ember.Tensor``).

Anything ember lacks fails loudly instead of silently falling back to something else:

- importing a PyTorch submodule ember has no counterpart for raises ``ModuleNotFoundError``
  naming it ("ember does not provide torch.distributions yet ..."), also in the
  ``from torch import distributions`` form;
- a missing attribute raises ``AttributeError`` naming the PyTorch API
  ("module 'torch' (ember) has no attribute 'foo'") for modules imported under a torch
  name; elsewhere Python's own message, which names the attribute.

``torch.__version__`` is ember's version string (``ember.__version__``), not a PyTorch
version: code that branches on PyTorch versions sees ember's.

PyTorch modules already imported (real torch in the same process) are set aside by
``install()`` and put back by ``uninstall()``; objects made from them are not converted.
``enabled()`` is the context-manager form. ``python -m ember.run script.py`` runs a script
with compat installed (see ember/run.py). DataLoader worker processes started by ``fork``
(Linux's default) inherit the mapping; processes started by ``spawn``/``forkserver`` are
fresh interpreters and get compat installed too: the mapping travels in the data
multiprocessing sends to the child before it re-imports the main script. (A forkserver's
server process preloads the main script without it: not covered.)
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import sys
import threading

__all__ = ["install", "uninstall", "is_installed", "enabled", "TorchAliasFinder"]

_ALIAS = "torch"
_TARGET = "ember"

_lock = threading.RLock()
_finder: TorchAliasFinder | None = None
_saved_modules: dict = {}        # real torch modules set aside by install()
_patched_getattr: dict = {}      # ember module -> its previous module-level __getattr__ (or _MISSING)
_MISSING = object()


def _ember_name(fullname: str) -> str:
    return _TARGET + fullname[len(_ALIAS):]


def _torch_name(ember_name: str) -> str:
    return _ALIAS + ember_name[len(_TARGET):]


class _AliasLoader(importlib.abc.Loader):
    """Hands the already-imported ember module to the import system under the torch name."""

    def __init__(self, module):
        self._module = module
        self._spec = getattr(module, "__spec__", None)

    def create_module(self, spec):
        return self._module

    def exec_module(self, module):
        # the import system set module.__spec__ to the torch-named spec: ember's module keeps its own
        if self._spec is not None:
            module.__spec__ = self._spec
        _add_loud_getattr(module)


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """``sys.meta_path`` finder mapping ``torch[.X...]`` to ``ember[.X...]``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith(_TARGET + "."):
            return self._check_ember_submodule(fullname)
        if fullname != _ALIAS and not fullname.startswith(_ALIAS + "."):
            return None
        ember_name = _ember_name(fullname)
        try:
            module = importlib.import_module(ember_name)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if missing == ember_name or ember_name.startswith(missing + "."):
                # the ember counterpart itself (or a parent of it) does not exist: say so in PyTorch's terms
                raise _missing(ember_name) from None
            raise  # the ember module exists but something it imports is missing: the real error
        is_pkg = hasattr(module, "__path__")
        spec = importlib.machinery.ModuleSpec(fullname, _AliasLoader(module), is_package=is_pkg)
        if is_pkg:
            spec.submodule_search_locations = list(module.__path__)
        return spec

    @staticmethod
    def _check_ember_submodule(fullname):
        # `from torch import distributions` looks for the submodule under the package's own name
        # (ember.distributions) and, when that fails with an error named after it, reports a vaguer
        # "cannot import name": fail here first, with a message in PyTorch's terms.
        parent = sys.modules.get(fullname.rpartition(".")[0])
        search = getattr(parent, "__path__", None)
        if search is None or importlib.machinery.PathFinder.find_spec(fullname, search) is not None:
            return None  # the ordinary finders load it (or report a missing parent themselves)
        raise _missing(fullname)


def _missing(ember_name: str) -> ModuleNotFoundError:
    torch_name = _torch_name(ember_name)
    # name= is deliberately not the requested name, which the import system would swallow in from-imports
    return ModuleNotFoundError(
        f"ember does not provide {torch_name} yet (there is no {ember_name}): this PyTorch code uses a part "
        f"of PyTorch that ember lacks", name=f"{ember_name} (ember compat)")


def _add_loud_getattr(module) -> None:
    """Give an ember module a module-level ``__getattr__`` whose AttributeError names the torch API."""
    if module in _patched_getattr or not getattr(module, "__name__", "").startswith(_TARGET):
        return
    previous = module.__dict__.get("__getattr__", _MISSING)
    ember_name = module.__name__
    torch_name = _torch_name(ember_name)

    def __getattr__(name, _previous=previous):
        if _previous is not _MISSING:
            try:
                return _previous(name)
            except AttributeError:
                pass
        if name.startswith("__") and name.endswith("__"):
            # dunder probes (inspect, pickle, pytest) get the plain message
            raise AttributeError(f"module {ember_name!r} has no attribute {name!r}")
        raise AttributeError(
            f"module {torch_name!r} ({ember_name}) has no attribute {name!r}: "
            f"ember does not provide {torch_name}.{name} yet", name=name, obj=module)

    module.__getattr__ = __getattr__
    _patched_getattr[module] = previous


def _remove_loud_getattrs() -> None:
    for module, previous in _patched_getattr.items():
        if previous is _MISSING:
            module.__dict__.pop("__getattr__", None)
        else:
            module.__getattr__ = previous
    _patched_getattr.clear()


def _is_torch_name(name: str) -> bool:
    return name == _ALIAS or name.startswith(_ALIAS + ".")


def is_installed() -> bool:
    """Whether ``import torch`` currently resolves to ember."""
    return _finder is not None


def install() -> None:
    """Make ``import torch`` (and every ``torch.X`` ember has) resolve to ember's modules.

    Idempotent. Real PyTorch modules already in ``sys.modules`` are set aside until
    ``uninstall()``.
    """
    global _finder
    with _lock:
        if _finder is not None:
            return
        for name in [n for n in sys.modules if _is_torch_name(n)]:
            _saved_modules[name] = sys.modules.pop(name)
        _finder = TorchAliasFinder()
        sys.meta_path.insert(0, _finder)
        _spawn_support(True)


def uninstall() -> None:
    """Undo ``install()``: ``import torch`` finds real PyTorch again (if installed)."""
    global _finder
    with _lock:
        if _finder is None:
            return
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(_finder)
        _finder = None
        _spawn_support(False)
        for name in [n for n in sys.modules if _is_torch_name(n)]:
            module = sys.modules[name]
            if getattr(module, "__name__", "").split(".")[0] == _TARGET:
                del sys.modules[name]
        sys.modules.update(_saved_modules)
        _saved_modules.clear()
        _remove_loud_getattrs()


@contextlib.contextmanager
def enabled():
    """``with ember.compat.enabled(): import torch`` — installed inside the block only.

    If compat was already installed when the block started, it stays installed after it.
    """
    was_installed = is_installed()
    install()
    try:
        yield importlib.import_module(_ALIAS)
    finally:
        if not was_installed:
            uninstall()


# -- multiprocessing spawn/forkserver children ------------------------------------------------------------------------
# A spawned child re-runs the parent's main script (as __mp_main__) before anything of ember's runs in it, so
# `import torch` there would find real PyTorch. multiprocessing sends the child a dict of preparation data first;
# while compat is installed, that dict carries one extra entry whose unpickling installs compat in the child.

class _InstallInChild:
    def __reduce__(self):
        return (_install_from_pickle, ())


def _install_from_pickle():
    install()
    return None


_original_get_preparation_data = None


def _get_preparation_data_with_compat(name):
    data = _original_get_preparation_data(name)
    if _finder is not None:
        data = {"_ember_compat": _InstallInChild(), **data}   # first key: unpickled before the rest is used
    return data


def _spawn_support(enable: bool) -> None:
    global _original_get_preparation_data
    spawn = sys.modules.get("multiprocessing.spawn")
    if spawn is None:
        if not enable:
            return
        import multiprocessing.spawn as spawn
    if enable and _original_get_preparation_data is None:
        _original_get_preparation_data = spawn.get_preparation_data
        spawn.get_preparation_data = _get_preparation_data_with_compat
    elif not enable and _original_get_preparation_data is not None:
        spawn.get_preparation_data = _original_get_preparation_data
        _original_get_preparation_data = None
