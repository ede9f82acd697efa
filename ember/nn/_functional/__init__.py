"""The implementation of ``ember.nn.functional``, one module per family; ``functional.py``
re-exports each module's ``__all__``."""
