"""``ember.serialization``: ``save`` / ``load`` in PyTorch's checkpoint formats (``torch.serialization``).

- ``_save.py``: the pickler that writes PyTorch's global names without importing torch, storages, atomic saves;
- ``_zip.py``: the zip container laid out as PyTorch writes it (64-byte aligned records);
- ``_load.py``: zip and legacy readers, ``map_location``, ``mmap``;
- ``_weights_only.py``: the restricted unpickler and the safe-globals allowlist;
- ``_rebuild.py``: the ember objects PyTorch's pickled names stand for.
"""

from ember.serialization._load import load
from ember.serialization._save import save
from ember.serialization._weights_only import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals

__all__ = ["save", "load", "add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals"]
