"""Dropout layers: statistics of the masks, scaling, channel-wise masks, determinism, gradients, errors."""

import warnings

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_fraction_scaling_and_grad(p):
    ember.manual_seed(0)
    x = ember.ones(200, 500, requires_grad=True)
    y = F.dropout(x, p)
    a = y.detach().numpy()
    kept = a != 0
    assert abs(1 - kept.mean() - p) < 0.01
    np.testing.assert_allclose(a[kept], 1 / (1 - p), rtol=1e-6)
    assert y.grad_fn.name() == "MulBackward0"
    g = np.random.RandomState(0).randn(200, 500).astype(np.float32)
    y.backward(ember.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), g * a, rtol=1e-6)  # grad == mask * scale


def test_dropout_determinism_and_module():
    ember.manual_seed(3)
    a = F.dropout(ember.ones(50, 50), 0.5).numpy()
    ember.manual_seed(3)
    b = nn.Dropout(0.5)(ember.ones(50, 50)).numpy()
    np.testing.assert_array_equal(a, b)
    c = nn.Dropout(0.5)(ember.ones(50, 50)).numpy()
    assert not np.array_equal(b, c)


@pytest.mark.parametrize("name", ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                                  "FeatureAlphaDropout"])
def test_eval_mode_identity_repr_and_p_validation(name):
    shape = {"Dropout1d": (2, 3, 4), "Dropout3d": (2, 3, 2, 2, 2)}.get(name, (2, 3, 4, 4))
    m = getattr(nn, name)(0.3, inplace=True) if "Alpha" not in name else getattr(nn, name)(0.3)
    t = getattr(torch.nn, name)(0.3, inplace=True) if "Alpha" not in name else getattr(torch.nn, name)(0.3)
    assert repr(m) == repr(t)
    m.eval()
    x = ember.randn(*shape)
    assert m(x) is x
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError) as te:
            getattr(torch.nn, name)(bad)
        with pytest.raises(ValueError) as ee:
            getattr(nn, name)(bad)
        assert str(ee.value) == str(te.value)


def test_functional_p_and_dtype_errors():
    for f in ("dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
            getattr(F, f)(ember.ones(2, 3, 4), 1.5)
    with pytest.raises(RuntimeError) as te:
        torch.nn.functional.dropout(torch.ones(2, 3, dtype=torch.long), 0.5)
    with pytest.raises(RuntimeError) as ee:
        F.dropout(ember.ones(2, 3, dtype=ember.long), 0.5)
    assert str(ee.value) == str(te.value)
    with pytest.raises(RuntimeError) as te:
        torch.nn.functional.dropout1d(torch.ones(2, 3, 4, 5))
    with pytest.raises(RuntimeError) as ee:
        F.dropout1d(ember.ones(2, 3, 4, 5))
    assert str(ee.value) == str(te.value)


def test_p_zero_and_one():
    x = ember.randn(4, 5, requires_grad=True)
    assert F.dropout(x, 0.0) is x
    y = F.dropout(x, 1.0)
    assert not y.detach().numpy().any() and y.requires_grad
    y.sum().backward()
    assert not x.grad.numpy().any()
    assert not F.alpha_dropout(x.detach(), 1.0, True).numpy().any()


def _channel_constant(a, axes):
    """Each channel slice is either all zero or all the same scale."""
    return np.all((a == a.max(axis=axes, keepdims=True)) | (a == 0)) and np.all(
        (a == 0).all(axis=axes) | (a != 0).all(axis=axes))


@pytest.mark.parametrize("fname,shape,axes", [
    ("dropout1d", (40, 30, 6), (2,)), ("dropout1d", (30, 6), (1,)),
    ("dropout2d", (40, 30, 3, 4), (2, 3)), ("dropout2d", (40, 30, 5), (2,)),
    ("dropout3d", (20, 30, 2, 3, 2), (2, 3, 4)), ("dropout3d", (30, 2, 3, 2), (1, 2, 3)),
])
def test_channel_masks(fname, shape, axes):
    ember.manual_seed(1)
    x = ember.ones(*shape, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = getattr(F, fname)(x, 0.4)
    a = y.detach().numpy()
    assert _channel_constant(a, axes)
    assert abs((a == 0).mean() - 0.4) < 0.08
    np.testing.assert_allclose(a[a != 0], 1 / 0.6, rtol=1e-6)
    y.backward(ember.ones(*shape))
    np.testing.assert_allclose(x.grad.numpy(), a, rtol=1e-6)


def test_dropout2d_warnings_match_torch():
    for shape in ((2, 3), (2, 3, 4)):
        with warnings.catch_warnings(record=True) as tw:
            warnings.simplefilter("always")
            torch.nn.functional.dropout2d(torch.ones(shape))
        with warnings.catch_warnings(record=True) as ew:
            warnings.simplefilter("always")
            F.dropout2d(ember.ones(shape))
        assert [str(w.message) for w in ew] == [str(w.message) for w in tw]


def test_inplace():
    ember.manual_seed(0)
    x = ember.ones(30, 30)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and (x.numpy() == 0).any()
    z = ember.ones(30, 30)
    assert nn.Dropout2d(0.5, inplace=True)(z.reshape(3, 10, 5, 6)).shape == (3, 10, 5, 6)
    a = ember.randn(4, 4, requires_grad=True)
    b = a * 1.0
    F.dropout(b, 0.5, inplace=True).sum().backward()
    assert a.grad is not None


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_preserves_mean_and_variance(p):
    ember.manual_seed(0)
    x = ember.randn(1000, 1000, requires_grad=True)
    y = F.alpha_dropout(x, p, training=True)
    a = y.detach().numpy()
    assert abs(a.mean()) < 0.01 and abs(a.std() - 1) < 0.01
    assert y.grad_fn.name() == "AddBackward0"
    # dropped units take a single value, kept ones are an affine map of x
    xa = x.detach().numpy()
    vals, counts = np.unique(a, return_counts=True)
    dropped = vals[counts.argmax()]
    assert abs((a == dropped).mean() - p) < 0.01
    y.backward(ember.ones(1000, 1000))
    g = x.grad.numpy()
    scale = 1 / np.sqrt((1.7580993408473766 ** 2 * p + 1) * (1 - p))
    np.testing.assert_allclose(np.unique(np.round(g, 5)), sorted({0.0, round(scale, 5)}), rtol=1e-4)
    assert ((g == 0) == (a == dropped) | (xa == 0)).mean() > 0.999
    # alpha dropout defaults to training=False in the functional form
    assert F.alpha_dropout(x, p) is x


def test_feature_alpha_dropout():
    ember.manual_seed(0)
    x = ember.randn(200, 100, 4, 4)
    y = F.feature_alpha_dropout(x, 0.3, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    a = 1 / np.sqrt((1.7580993408473766 ** 2 * 0.3 + 1) * 0.7)
    value = a * 1.7580993408473766 * (0.3 - 1)  # what dropped units become
    dropped = np.isclose(y, value).all(axis=(2, 3))  # whole channels take that value
    assert abs(dropped.mean() - 0.3) < 0.02
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions in the input"):
        F.feature_alpha_dropout(ember.ones(3), 0.5, True)
    assert nn.FeatureAlphaDropout(0.3).train()(x).shape == x.shape


def test_float64_and_float16_keep_dtype():
    for dt in (ember.float64, ember.float16, ember.bfloat16):
        x = ember.ones(10, 10, dtype=dt)
        assert F.dropout(x, 0.5).dtype is dt
        assert F.alpha_dropout(x, 0.5, True).dtype is dt
