"""Random sampling: manual_seed, Generator, rand, randn, randint, randperm, normal, bernoulli, multinomial."""

from __future__ import annotations

__all__ = []
