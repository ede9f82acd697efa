"""``ember.utils``: checkpointing and data loading (``utils.data``)."""

from ember.utils import checkpoint, data

__all__ = ["checkpoint", "data"]
