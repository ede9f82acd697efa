"""Top-level aliases of nn.functional ops behave as PyTorch's torch.<name> with positional arguments."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="namespace oracle tests need PyTorch: pip install -e '.[test]'")

rng = np.random.default_rng(0)
X4 = rng.standard_normal((2, 4, 6, 6)).astype(np.float32)
W4 = rng.standard_normal((3, 4, 3, 3)).astype(np.float32)
X3 = rng.standard_normal((2, 4, 8)).astype(np.float32)
W3 = rng.standard_normal((3, 4, 3)).astype(np.float32)
X5 = rng.standard_normal((1, 2, 4, 4, 4)).astype(np.float32)
W5 = rng.standard_normal((2, 2, 2, 2, 2)).astype(np.float32)
V = rng.standard_normal((5, 6)).astype(np.float32)

CALLS = {
    "conv1d": ((X3, W3, None, 2, 1),),
    "conv2d": ((X4, W4, None, 1, 1, 1, 1),),
    "conv3d": ((X5, W5),),
    "conv_transpose1d": ((X3, W3.transpose(1, 0, 2).copy(), None, 2),),
    "conv_transpose2d": ((X4, W4.transpose(1, 0, 2, 3).copy(), None, 1, 1),),
    "conv_transpose3d": ((X5, W5),),
    "max_pool1d": ((X3, 2),),
    "max_pool2d": ((X4, 2, 2, 1),),
    "max_pool3d": ((X5, 2),),
    "avg_pool1d": ((X3, 3, 2, 1),),
    "adaptive_avg_pool1d": ((X3, 3),),
    "pixel_shuffle": ((X4, 2),),
    "pixel_unshuffle": ((X4, 2),),
    "channel_shuffle": ((X4, 2),),
    "pdist": ((V,),),
    "cosine_similarity": ((V, V[::-1].copy(), 1),),
    "pairwise_distance": ((V, V[::-1].copy(), 3.0),),
    "bilinear": ((V, V, rng.standard_normal((2, 6, 6)).astype(np.float32)),),
    "layer_norm": ((X3, (8,)),),
    "group_norm": ((X4, 2),),
    "rms_norm": ((X3, (8,)),),
    "dropout": ((V, 0.5, False),),
    "alpha_dropout": ((V, 0.5, False),),
    "feature_alpha_dropout": ((X4, 0.5, False),),
}


def _convert(lib, args):
    return [lib.tensor(a) if isinstance(a, np.ndarray) else a for a in args]


@pytest.mark.parametrize("name", sorted(CALLS))
def test_top_level_alias_matches_torch(name):
    for args in CALLS[name]:
        e = getattr(ember, name)(*_convert(ember, args))
        t = getattr(torch, name)(*_convert(torch, args))
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-4, atol=1e-5)
