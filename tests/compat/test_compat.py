"""ember.compat: `import torch` resolves to ember's modules; what ember lacks fails loudly; uninstall restores."""

import importlib
import multiprocessing.spawn
import sys

import pytest
import torch as real_torch

import ember
from ember import compat

SUBMODULES = [
    "nn", "nn.functional", "nn.init", "nn.utils", "nn.utils.rnn", "nn.modules", "nn.parameter", "optim",
    "optim.lr_scheduler", "utils", "utils.data", "utils.checkpoint", "autograd", "autograd.functional", "linalg",
    "cuda",
]


@pytest.fixture
def installed():
    assert not compat.is_installed()
    compat.install()
    try:
        yield
    finally:
        compat.uninstall()


def test_torch_is_ember(installed):
    import torch
    assert torch is ember
    assert torch.Tensor is ember.Tensor and torch.nn.Module is ember.nn.Module
    assert isinstance(torch.zeros(2), torch.Tensor)
    assert torch.__version__ == ember.__version__
    assert sys.modules["torch"] is ember


@pytest.mark.parametrize("sub", SUBMODULES)
def test_submodules_are_embers(installed, sub):
    module = importlib.import_module(f"torch.{sub}")
    assert module is importlib.import_module(f"ember.{sub}")
    assert sys.modules[f"torch.{sub}"] is module
    assert module.__spec__.name == f"ember.{sub}"          # ember's modules keep their own spec


def test_import_statement_forms(installed):
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.nn import Module
    from torch.utils import checkpoint
    from torch.utils.data import DataLoader, Dataset
    assert nn is ember.nn and F is ember.nn.functional and Module is ember.nn.Module
    assert DataLoader is ember.utils.data.DataLoader and Dataset is ember.utils.data.Dataset
    assert checkpoint is ember.utils.checkpoint
    import torch.optim as optim
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    assert isinstance(opt, ember.optim.SGD) and isinstance(model, ember.nn.Linear)


@pytest.mark.parametrize("stmt", [
    "import torch.distributions",
    "import torch.distributions as D",
    "from torch import distributions",
    "from torch.distributions import Normal",
    "from torch.distributions.normal import Normal",
])
def test_missing_submodule_is_loud(installed, stmt):
    with pytest.raises(ModuleNotFoundError, match=r"ember does not provide torch\.distributions yet"):
        exec(stmt, {})


def test_missing_nested_names_are_loud(installed):
    with pytest.raises(ModuleNotFoundError, match=r"ember does not provide torch\.nn\.not_here yet"):
        exec("import torch.nn.not_here", {})
    with pytest.raises(ImportError, match=r"torch\.nn\.NotALayer"):
        exec("from torch.nn import NotALayer", {})
    with pytest.raises(ImportError, match=r"torch\.no_such_function"):
        exec("from torch import no_such_function", {})


def test_missing_attribute_is_loud(installed):
    import torch
    import torch.nn
    with pytest.raises(AttributeError, match=r"module 'torch' \(ember\) has no attribute 'no_such_function'"):
        _ = torch.no_such_function
    with pytest.raises(AttributeError, match=r"module 'torch.nn' \(ember.nn\) has no attribute 'NotALayer'"):
        _ = torch.nn.NotALayer
    assert not hasattr(torch, "no_such_function")
    assert getattr(torch, "no_such_function", None) is None
    assert torch.nn.Linear is ember.nn.Linear                 # present attributes are untouched


def test_error_inside_an_existing_ember_module_is_not_masked(installed, tmp_path):
    # an ember module that exists but fails to import: the real error comes through, not "does not provide"
    (tmp_path / "_compat_broken_probe.py").write_text("import a_dependency_that_is_not_installed_xyz\n")
    ember.__path__.append(str(tmp_path))
    try:
        with pytest.raises(ModuleNotFoundError, match="a_dependency_that_is_not_installed_xyz") as info:
            importlib.import_module("torch._compat_broken_probe")
        assert "does not provide" not in str(info.value)
    finally:
        ember.__path__.remove(str(tmp_path))
        sys.modules.pop("ember._compat_broken_probe", None)


def test_uninstall_restores_real_torch():
    before = {name: mod for name, mod in sys.modules.items() if name == "torch" or name.startswith("torch.")}
    original_prep = multiprocessing.spawn.get_preparation_data
    assert before["torch"] is real_torch
    with compat.enabled() as torch:
        assert torch is ember and compat.is_installed()
        import torch.nn.functional  # noqa: F401
        assert sys.modules["torch.nn"] is ember.nn
        assert "__getattr__" in vars(ember)
        assert multiprocessing.spawn.get_preparation_data is not original_prep
    assert not compat.is_installed()
    after = {name: mod for name, mod in sys.modules.items() if name == "torch" or name.startswith("torch.")}
    assert after.keys() == before.keys() and all(after[k] is before[k] for k in before)
    import torch
    assert torch is real_torch and torch.nn.Module is not ember.nn.Module
    assert "__getattr__" not in vars(ember) and "__getattr__" not in vars(ember.nn)
    assert compat.TorchAliasFinder not in {type(f) for f in sys.meta_path}
    assert multiprocessing.spawn.get_preparation_data is original_prep
    with pytest.raises(AttributeError, match="module 'ember' has no attribute 'no_such_function'"):
        _ = ember.no_such_function
    assert ember.nn.__spec__.name == "ember.nn"


def test_install_is_idempotent_and_enabled_nests():
    compat.install()
    try:
        compat.install()
        assert sum(isinstance(f, compat.TorchAliasFinder) for f in sys.meta_path) == 1
        with compat.enabled() as torch:
            assert torch is ember
        assert compat.is_installed()                       # enabled() leaves an outer install() alone
        import torch
        assert torch is ember
    finally:
        compat.uninstall()
    compat.uninstall()                                     # a second uninstall is a no-op
    import torch
    assert torch is real_torch


def test_spawn_preparation_data_carries_the_install(installed):
    data = multiprocessing.spawn.get_preparation_data("probe")
    assert isinstance(data.pop("_ember_compat"), compat._InstallInChild)
    assert "sys_path" in data
    func, args = compat._InstallInChild().__reduce__()
    assert func is compat._install_from_pickle and args == ()


def test_models_built_through_torch_names_train(installed):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    x, y = torch.randn(16, 4), torch.randn(16, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert all(isinstance(p, ember.nn.Parameter) for p in model.parameters())
