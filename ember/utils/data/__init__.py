"""``ember.utils.data``: datasets, samplers and the DataLoader (``torch.utils.data``)."""

from ember.utils.data._collate import default_collate, default_convert
from ember.utils.data._worker import WorkerInfo as WorkerInfo  # not in torch.utils.data.__all__ either
from ember.utils.data._worker import _DatasetKind, get_worker_info
from ember.utils.data.dataloader import DataLoader
from ember.utils.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from ember.utils.data.distributed import DistributedSampler
from ember.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler",
    "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset",
    "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "_DatasetKind",
    "default_collate", "default_convert", "get_worker_info", "random_split",
]
