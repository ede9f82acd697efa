"""gradcheck / gradgradcheck: compare backward rules with central finite differences.

The numerical Jacobian perturbs each input element by ``±eps`` (PyTorch's defaults:
``eps=1e-6, atol=1e-5, rtol=1e-3``), the analytical one runs backward once per output
element with a one-hot cotangent. A mismatch raises ``GradcheckError`` naming the output,
the input, the first mismatching element and both Jacobians.
"""

from __future__ import annotations

import warnings

import numpy as np

from ember import _dtype as D


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else (tuple(x) if isinstance(x, list) else (x,))


def _differentiable_outputs(out):
    from ember._tensor import Tensor
    outs = _as_tuple(out)
    return [o for o in outs if isinstance(o, Tensor) and o._dtype.category >= D.FLOAT]


def _flat_output_values(func, inputs) -> np.ndarray:
    from ember.autograd.grad_mode import no_grad
    with no_grad():
        outs = _differentiable_outputs(func(*inputs))
    if not outs:
        return np.zeros(0)
    return np.concatenate([np.asarray(o._host(), dtype=np.complex128 if o.is_complex() else np.float64).ravel()
                           for o in outs])


def _numerical_jacobians(func, inputs, diff_idx, eps):
    """One (n_out, n_in) matrix per differentiable input, by central differences."""
    jacs = []
    for i in diff_idx:
        arr = inputs[i]._data
        flat = arr.reshape(-1) if arr.flags.c_contiguous else None
        if flat is None:
            raise ValueError("gradcheck expects contiguous inputs")
        cols = []
        for k in range(flat.size):
            orig = flat[k].item()
            flat[k] = orig + eps
            plus = _flat_output_values(func, inputs)
            flat[k] = orig - eps
            minus = _flat_output_values(func, inputs)
            flat[k] = orig
            cols.append((plus - minus) / (2 * eps))
        jacs.append(np.stack(cols, axis=1) if cols else np.zeros((0, 0)))
    return jacs


def _analytical_jacobians(func, inputs, diff_idx):
    from ember.autograd import grad
    from ember.ops.creation import zeros
    outs = _differentiable_outputs(func(*inputs))
    sizes = [int(o.numel()) for o in outs]
    n_out = sum(sizes)
    jacs = [np.zeros((n_out, int(inputs[i].numel()))) for i in diff_idx]
    row = 0
    for o, size in zip(outs, sizes):
        if not o.requires_grad:
            row += size
            continue
        for k in range(size):
            cot = zeros(o.shape, dtype=o.dtype)
            cot._data.reshape(-1)[k] = 1
            gs = grad(o, [inputs[i] for i in diff_idx], cot, retain_graph=True, allow_unused=True)
            for j, g in enumerate(gs):
                if g is not None:
                    jacs[j][row + k] = np.asarray(g._host(), dtype=np.float64).ravel()
        row += size
    return jacs


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False, masked=None) -> bool:
    """Check ``func``'s gradients w.r.t. the inputs that require grad against finite differences."""
    from ember._tensor import Tensor
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of "
                         "the them have requires_grad=True.")
    for i in diff_idx:
        if inputs[i]._dtype not in (D.float64, D.complex128):
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or "
                          "complex. This check will likely fail if all the inputs are not of double precision "
                          "floating point or complex.", UserWarning, stacklevel=2)
    numerical = _numerical_jacobians(func, inputs, diff_idx, eps)
    analytical = _analytical_jacobians(func, inputs, diff_idx)
    for j, (n, a) in enumerate(zip(numerical, analytical)):
        bad = ~np.isclose(a, n, rtol=rtol, atol=atol)
        if bad.any():
            r, c = (int(v[0]) for v in np.nonzero(bad))
            msg = (f"Jacobian mismatch for output 0 with respect to input {diff_idx[j]},\n"
                   f"first mismatch at output element {r}, input element {c}: numerical {n[r, c]!r} vs "
                   f"analytical {a[r, c]!r}\nnumerical:{n}\nanalytical:{a}\n")
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives: gradcheck of the map (inputs, grad_outputs) -> input gradients."""
    from ember._tensor import Tensor
    from ember.autograd import grad
    from ember.autograd.grad_mode import enable_grad
    from ember.ops.creation import tensor
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outs = _differentiable_outputs(func(*inputs))
        grad_outputs = tuple(tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype, requires_grad=True)
                             for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_grads(*args):
        ins, gos = args[:n_in], args[n_in:]
        with enable_grad():  # the numerical pass runs this under no_grad
            outs = _differentiable_outputs(func(*ins))
            gs = grad(outs, [ins[i] for i in diff_idx], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
