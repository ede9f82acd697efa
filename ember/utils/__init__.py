"""``ember.utils``: checkpointing (``utils.data`` comes with the data-loading issue)."""

from ember.utils import checkpoint

__all__ = ["checkpoint"]
