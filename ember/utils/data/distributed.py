"""``DistributedSampler``: each of ``num_replicas`` processes reads its own share of a dataset."""

from __future__ import annotations

import math

from ember.utils.data.sampler import Sampler

__all__ = ["DistributedSampler"]

_NO_GROUP = "Default process group has not been initialized, please make sure to call init_process_group."


def _process_group():
    """``(world_size, rank)`` of an initialized default process group; PyTorch's ValueError when there is none."""
    try:
        import ember.distributed as dist
    except ImportError:
        raise ValueError(_NO_GROUP) from None
    if not getattr(dist, "is_initialized", lambda: False)():
        raise ValueError(_NO_GROUP)
    return dist.get_world_size(), dist.get_rank()


class DistributedSampler(Sampler):
    """Indices for replica ``rank`` of ``num_replicas``: every ``num_replicas``-th index starting at ``rank``.

    Without ``drop_last`` the index list is padded by repeating its start so every replica gets
    ``ceil(len / num_replicas)`` indices; with it, the tail is cut so they get ``floor`` as many.
    ``shuffle`` permutes with a Generator seeded ``seed + epoch`` (``set_epoch`` per epoch).
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = False) -> None:
        if num_replicas is None:
            num_replicas = _process_group()[0]
        if rank is None:
            rank = _process_group()[1]
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(self.dataset)
        if self.drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            import ember
            g = ember.Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = ember.randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            pad = self.total_size - len(indices)
            if pad > 0:
                reps = math.ceil(pad / len(indices))
                indices += (indices * reps)[:pad]
        assert len(indices) == self.total_size
        mine = indices[self.rank:self.total_size:self.num_replicas]
        assert len(mine) == self.num_samples
        return iter(mine)

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Make the next ``__iter__`` shuffle with ``seed + epoch`` (call before each epoch)."""
        self.epoch = epoch
