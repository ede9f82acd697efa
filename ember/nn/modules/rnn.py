"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their cells.

Speed: each layer/direction projects the whole input sequence with one GEMM (biases folded
in), then runs the recurrence as one registered op (``lstm_scan``, ``gru_scan``,
``rnn_tanh_scan``, ``rnn_relu_scan``) whose forward loops over time steps in array code
(one GEMM for the hidden projection plus in-place gate math per step) and whose backward
is one registered op doing backpropagation through time the same way (the weight
gradients as one GEMM over all steps). Packed sequences run padded (sorted by length)
with per-step active batch sizes: finished sequences keep their state, so ``h_n`` holds
each sequence's last valid step.

Double backward (``create_graph=True``): the scan ops' rules then recompute the recurrence
with differentiable per-step ember ops and differentiate that instead.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ember import _dtype as D
from ember._dispatch import dispatch
from ember._tensor import Tensor, _make
from ember.autograd import grad_mode
from ember.nn import init
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter
from ember.ops.registry import defop

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_grad_state = grad_mode.state


# ======================================================================================
# array kernels (run on xp arrays: numpy or cupy)

def _steps(T, reverse):
    """(t, prev, new) per processed step: indices into the (T+1, ...) state arrays."""
    if reverse:
        return [(t, t + 1, t) for t in range(T - 1, -1, -1)]
    return [(t, t, t + 1) for t in range(T)]


def _sigmoid_(xp, a):
    xp.negative(a, out=a)
    xp.exp(a, out=a)
    a += 1
    xp.reciprocal(a, out=a)


def _one_minus_(xp, a):
    """a <- 1 - a, in place."""
    xp.negative(a, out=a)
    a += 1


def _state_views(hs, T, reverse):
    """(sequence of states after each step in time order, sequence of previous states)."""
    if reverse:
        return hs[:T], hs[1:]
    return hs[1:], hs[:T]


# --- LSTM ------------------------------------------------------------------------------

def _lstm_scan_fwd(xp, xg, h0, c0, w_hh, w_hr=None, *, batch_sizes=None, reverse=False):
    T, B, G = xg.shape
    H = G // 4
    P = h0.shape[-1]
    dt = xg.dtype
    hs = xp.empty((T + 1, B, P), dt)
    cs = xp.empty((T + 1, B, H), dt)
    gates = xp.empty((T, B, G), dt) if batch_sizes is None else xp.zeros((T, B, G), dt)
    first = T if reverse else 0
    hs[first] = h0
    cs[first] = c0
    whh_t = w_hh.T
    whr_t = None if w_hr is None else w_hr.T
    m = xp.empty((B, H), dt) if w_hr is not None else None
    tmp_buf = xp.empty((B, H), dt)
    for t, prev, new in _steps(T, reverse):
        n = B if batch_sizes is None else batch_sizes[t]
        hp, cp, hn, cn, g, x = hs[prev], cs[prev], hs[new], cs[new], gates[t], xg[t]
        if n < B:
            hn[n:] = hp[n:]
            cn[n:] = cp[n:]
            hp, cp, hn, cn, g, x = hp[:n], cp[:n], hn[:n], cn[:n], g[:n], x[:n]
        xp.matmul(hp, whh_t, out=g)
        g += x
        # one contiguous sigmoid over all four gates; tanh(a) = 2 sigmoid(2a) - 1 for the cell gate
        gg = g[:, 2 * H:3 * H]
        gg *= 2
        _sigmoid_(xp, g)
        gg *= 2
        gg -= 1
        xp.multiply(g[:, H:2 * H], cp, out=cn)
        ig = tmp_buf[:n]
        xp.multiply(g[:, :H], gg, out=ig)
        cn += ig
        if w_hr is None:
            xp.tanh(cn, out=hn)
            hn *= g[:, 3 * H:]
        else:
            mm = m[:n]
            xp.tanh(cn, out=mm)
            mm *= g[:, 3 * H:]
            xp.matmul(mm, whr_t, out=hn)
    out = _state_views(hs, T, reverse)[0]
    if batch_sizes is None:
        out = out.copy()
    else:
        out = out.copy()
        for t in range(T):
            out[t, batch_sizes[t]:] = 0
    last = 0 if reverse else T
    return out, hs[last].copy(), cs[last].copy(), hs, cs, gates


def _lstm_scan_bwd(xp, gout, ghn, gcn, hs, cs, gates, w_hh, w_hr=None, *, batch_sizes=None, reverse=False):
    T, B, G = gates.shape
    H = G // 4
    P = hs.shape[-1]
    dt = gates.dtype
    dxg = xp.empty((T, B, G), dt) if batch_sizes is None else xp.zeros((T, B, G), dt)
    dh = xp.array(ghn, dtype=dt, copy=True)
    dc = xp.array(gcn, dtype=dt, copy=True)
    dhs = None
    if w_hr is not None:
        dhs = xp.zeros((T, B, P), dt)
    tc_buf = xp.empty((B, H), dt)
    tmp_buf = xp.empty((B, 2 * H), dt)
    for t, prev, new in reversed(_steps(T, reverse)):
        n = B if batch_sizes is None else batch_sizes[t]
        dhn, dcn = dh[:n], dc[:n]
        dhn += gout[t, :n]
        if w_hr is not None:
            dhs[t, :n] = dhn
            dm = dhn @ w_hr
        else:
            dm = dhn
        g = gates[t, :n]
        d = dxg[t, :n]
        cp = cs[prev, :n]
        tc = tc_buf[:n]
        tmp = tmp_buf[:n]
        xp.tanh(cs[new, :n], out=tc)
        o = g[:, 3 * H:]
        xp.multiply(dm, tc, out=d[:, 3 * H:])          # d o
        xp.multiply(tc, tc, out=tc)
        _one_minus_(xp, tc)
        tc *= o
        tc *= dm
        dcn += tc                                      # dc += dm * o * (1 - tanh(c)^2)
        xp.multiply(dcn, g[:, 2 * H:3 * H], out=d[:, :H])   # d i
        xp.multiply(dcn, cp, out=d[:, H:2 * H])             # d f
        xp.multiply(dcn, g[:, :H], out=d[:, 2 * H:3 * H])   # d g
        dcn *= g[:, H:2 * H]
        # through the activations
        s = g[:, :2 * H]
        xp.subtract(1, s, out=tmp)
        tmp *= s
        d[:, :2 * H] *= tmp
        t1 = tmp[:, :H]
        xp.subtract(1, o, out=t1)
        t1 *= o
        d[:, 3 * H:] *= t1
        gg = g[:, 2 * H:3 * H]
        xp.multiply(gg, gg, out=t1)
        _one_minus_(xp, t1)
        d[:, 2 * H:3 * H] *= t1
        xp.matmul(d, w_hh, out=dhn)
    hprev = _state_views(hs, T, reverse)[1]
    dw_hh = dxg.reshape(T * B, G).T @ hprev.reshape(T * B, P)
    if w_hr is None:
        return dxg, dh, dc, dw_hh
    m = xp.tanh(_state_views(cs, T, reverse)[0])
    m *= gates[:, :, 3 * H:]
    dw_hr = dhs.reshape(T * B, P).T @ m.reshape(T * B, H)
    return dxg, dh, dc, dw_hh, dw_hr


# --- GRU -------------------------------------------------------------------------------

def _gru_scan_fwd(xp, xg, h0, w_hh, b_hh=None, *, batch_sizes=None, reverse=False):
    T, B, G = xg.shape
    H = G // 3
    dt = xg.dtype
    hs = xp.empty((T + 1, B, H), dt)
    gates = xp.empty((T, B, G), dt) if batch_sizes is None else xp.zeros((T, B, G), dt)
    hns = xp.empty((T, B, H), dt) if batch_sizes is None else xp.zeros((T, B, H), dt)
    hs[T if reverse else 0] = h0
    whh_t = w_hh.T
    hg_buf = xp.empty((B, G), dt)
    for t, prev, new in _steps(T, reverse):
        n = B if batch_sizes is None else batch_sizes[t]
        hp, hn, g, x, hg = hs[prev], hs[new], gates[t], xg[t], hg_buf
        if n < B:
            hn[n:] = hp[n:]
            hp, hn, g, x, hg = hp[:n], hn[:n], g[:n], x[:n], hg[:n]
        xp.matmul(hp, whh_t, out=hg)
        if b_hh is not None:
            hg += b_hh
        rz = g[:, :2 * H]
        xp.add(x[:, :2 * H], hg[:, :2 * H], out=rz)
        _sigmoid_(xp, rz)
        hns[t, :n] = hg[:, 2 * H:]
        nn_ = g[:, 2 * H:]
        xp.multiply(g[:, :H], hg[:, 2 * H:], out=nn_)
        nn_ += x[:, 2 * H:]
        xp.tanh(nn_, out=nn_)
        xp.subtract(hp, nn_, out=hn)                  # h' = n + z * (h - n)
        hn *= g[:, H:2 * H]
        hn += nn_
    out = _state_views(hs, T, reverse)[0].copy()
    if batch_sizes is not None:
        for t in range(T):
            out[t, batch_sizes[t]:] = 0
    return out, hs[0 if reverse else T].copy(), hs, gates, hns


def _gru_scan_bwd(xp, gout, ghn, hs, gates, hns, w_hh, b_hh=None, *, batch_sizes=None, reverse=False):
    T, B, G = gates.shape
    H = G // 3
    dt = gates.dtype
    zeros_or_empty = xp.empty if batch_sizes is None else xp.zeros
    dxg = zeros_or_empty((T, B, G), dt)
    dhg = zeros_or_empty((T, B, G), dt)
    dh = xp.array(ghn, dtype=dt, copy=True)
    tmp_buf = xp.empty((B, H), dt)
    for t, prev, _new in reversed(_steps(T, reverse)):
        n = B if batch_sizes is None else batch_sizes[t]
        dhn = dh[:n]
        dhn += gout[t, :n]
        g = gates[t, :n]
        r, z, nn_ = g[:, :H], g[:, H:2 * H], g[:, 2 * H:]
        hp = hs[prev, :n]
        d = dxg[t, :n]
        e = dhg[t, :n]
        tmp = tmp_buf[:n]
        dn = d[:, 2 * H:]
        xp.subtract(1, z, out=dn)
        dn *= dhn
        xp.multiply(nn_, nn_, out=tmp)
        _one_minus_(xp, tmp)
        dn *= tmp                                     # d n_pre = dh (1 - z) (1 - n^2)
        dz = d[:, H:2 * H]
        xp.subtract(hp, nn_, out=dz)
        dz *= dhn
        xp.subtract(1, z, out=tmp)
        tmp *= z
        dz *= tmp                                     # d z_pre = dh (h - n) z (1 - z)
        dr = d[:, :H]
        xp.multiply(dn, hns[t, :n], out=dr)
        xp.subtract(1, r, out=tmp)
        tmp *= r
        dr *= tmp                                     # d r_pre = dn_pre hn r (1 - r)
        e[:, :2 * H] = d[:, :2 * H]
        xp.multiply(dn, r, out=e[:, 2 * H:])
        dhn *= z
        dhn += e @ w_hh
    hprev = _state_views(hs, T, reverse)[1]
    dw_hh = dhg.reshape(T * B, G).T @ hprev.reshape(T * B, H)
    if b_hh is None:
        return dxg, dh, dw_hh
    return dxg, dh, dw_hh, dhg.sum(axis=(0, 1))


# --- plain RNN -------------------------------------------------------------------------

def _rnn_scan_fwd(xp, xg, h0, w_hh, *, relu=False, batch_sizes=None, reverse=False):
    T, B, H = xg.shape
    dt = xg.dtype
    hs = xp.empty((T + 1, B, H), dt)
    hs[T if reverse else 0] = h0
    whh_t = w_hh.T
    zero = xp.zeros((), dt)
    for t, prev, new in _steps(T, reverse):
        n = B if batch_sizes is None else batch_sizes[t]
        hp, hn, x = hs[prev], hs[new], xg[t]
        if n < B:
            hn[n:] = hp[n:]
            hp, hn, x = hp[:n], hn[:n], x[:n]
        xp.matmul(hp, whh_t, out=hn)
        hn += x
        if relu:
            xp.maximum(hn, zero, out=hn)
        else:
            xp.tanh(hn, out=hn)
    out = _state_views(hs, T, reverse)[0].copy()
    if batch_sizes is not None:
        for t in range(T):
            out[t, batch_sizes[t]:] = 0
    return out, hs[0 if reverse else T].copy(), hs


def _rnn_scan_bwd(xp, gout, ghn, hs, w_hh, *, relu=False, batch_sizes=None, reverse=False):
    T1, B, H = hs.shape
    T = T1 - 1
    dt = hs.dtype
    dxg = xp.empty((T, B, H), dt) if batch_sizes is None else xp.zeros((T, B, H), dt)
    dh = xp.array(ghn, dtype=dt, copy=True)
    for t, _prev, new in reversed(_steps(T, reverse)):
        n = B if batch_sizes is None else batch_sizes[t]
        dhn = dh[:n]
        dhn += gout[t, :n]
        d = dxg[t, :n]
        hn = hs[new, :n]
        if relu:
            xp.multiply(dhn, hn > 0, out=d)
        else:
            xp.multiply(hn, hn, out=d)
            _one_minus_(xp, d)
            d *= dhn
        xp.matmul(d, w_hh, out=dhn)
    hprev = _state_views(hs, T, reverse)[1]
    dw_hh = dxg.reshape(T * B, H).T @ hprev.reshape(T * B, H)
    return dxg, dh, dw_hh


# ======================================================================================
# registered ops

lstm_scan = defop("lstm_scan", multi_out=True, save_out=True, grad_name="MkldnnRnnLayerBackward0")(_lstm_scan_fwd)
lstm_scan_backward = defop("lstm_scan_backward", multi_out=True)(_lstm_scan_bwd)
gru_scan = defop("gru_scan", multi_out=True, save_out=True)(_gru_scan_fwd)
gru_scan_backward = defop("gru_scan_backward", multi_out=True)(_gru_scan_bwd)
rnn_scan = defop("rnn_scan", multi_out=True, save_out=True)(_rnn_scan_fwd)
rnn_scan_backward = defop("rnn_scan_backward", multi_out=True)(_rnn_scan_bwd)


def _saved(ctx, i):
    arr = ctx._saved_out[i]
    return _make(arr, D._BY_NP[arr.dtype], ctx.args[0]._device)


@lstm_scan.defbackward
def _(ctx, g_out, g_hn, g_cn, *_ws):
    if _grad_state.enabled:
        return _double_backward(ctx, (g_out, g_hn, g_cn))
    xg, h0, c0, w_hh, w_hr = (tuple(ctx.args) + (None,))[:5]
    res = dispatch(lstm_scan_backward, g_out, g_hn, g_cn, _saved(ctx, 3), _saved(ctx, 4), _saved(ctx, 5), w_hh,
                   w_hr, **ctx.kwargs)
    return tuple(res) + (None,) * (len(ctx.args) - len(res))


@gru_scan.defbackward
def _(ctx, g_out, g_hn, *_ws):
    if _grad_state.enabled:
        return _double_backward(ctx, (g_out, g_hn))
    args = tuple(ctx.args) + (None,)
    res = dispatch(gru_scan_backward, g_out, g_hn, _saved(ctx, 2), _saved(ctx, 3), _saved(ctx, 4), args[2], args[3],
                   **ctx.kwargs)
    return tuple(res) + (None,) * (len(ctx.args) - len(res))


@rnn_scan.defbackward
def _(ctx, g_out, g_hn, *_ws):
    if _grad_state.enabled:
        return _double_backward(ctx, (g_out, g_hn))
    return tuple(dispatch(rnn_scan_backward, g_out, g_hn, _saved(ctx, 2), ctx.args[2], **ctx.kwargs))


def _no_double(ctx, *grads):
    raise RuntimeError(f"double backward through '{ctx.op.name}' is not supported: differentiate the scan op "
                       "with create_graph=True instead")


for _op in (lstm_scan_backward, gru_scan_backward, rnn_scan_backward):
    _op.defbackward(_no_double)


# --- differentiable reference (used for double backward) -----------------------------

def _scan_composite(op_name, args, kwargs):
    """The scan op's (out, h_n[, c_n]) with per-step ember ops (differentiable twice)."""
    from ember.ops.shape import cat, stack
    batch_sizes = kwargs.get("batch_sizes")
    reverse = kwargs.get("reverse", False)
    xg, h0 = args[0], args[1]
    T, B = xg.shape[0], xg.shape[1]
    if op_name == "lstm_scan":
        c0, w_hh = args[2], args[3]
        w_hr = args[4] if len(args) > 4 else None
        state = (h0, c0)
    else:
        w_hh = args[2]
        b_hh = args[3] if len(args) > 3 else None
        state = (h0,)
    relu = kwargs.get("relu", False)
    outs = [None] * T
    order = range(T - 1, -1, -1) if reverse else range(T)
    for t in order:
        n = B if batch_sizes is None else batch_sizes[t]
        x = xg[t][:n]
        act = [s[:n] for s in state]
        if op_name == "lstm_scan":
            hp, cp = act
            g = x + hp.matmul(w_hh.t())
            i, f, gg, o = g.chunk(4, -1)
            c = f.sigmoid() * cp + i.sigmoid() * gg.tanh()
            h = o.sigmoid() * c.tanh()
            if w_hr is not None:
                h = h.matmul(w_hr.t())
            new = (h, c)
        elif op_name == "gru_scan":
            (hp,) = act
            hg = hp.matmul(w_hh.t())
            if b_hh is not None:
                hg = hg + b_hh
            xr, xz, xn = x.chunk(3, -1)
            hr, hz, hn = hg.chunk(3, -1)
            r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
            nn_ = (xn + r * hn).tanh()
            new = ((1 - z) * nn_ + z * hp,)
        else:
            (hp,) = act
            pre = x + hp.matmul(w_hh.t())
            new = (pre.relu() if relu else pre.tanh(),)
        h = new[0]
        if n < B:
            outs[t] = cat([h, h.new_zeros((B - n,) + tuple(h.shape[1:]))])
            state = tuple(cat([a, s[n:]]) for a, s in zip(new, state))
        else:
            outs[t] = h
            state = new
    return (stack(outs),) + state


def _double_backward(ctx, grads):
    from ember.autograd import grad as autograd_grad
    args = list(ctx.args)
    idx = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    for i in idx:
        args[i] = args[i].view_as(args[i])
    outs = _scan_composite(ctx.op.name, args, ctx.kwargs)
    got = autograd_grad(outs, [args[i] for i in idx], grads, create_graph=True, retain_graph=True,
                        allow_unused=True)
    res = [None] * len(args)
    for i, g in zip(idx, got):
        res[i] = g
    return tuple(res)


# ======================================================================================
# helpers

def _check_hidden(hx, expected, msg):
    if tuple(hx.shape) != expected:
        raise RuntimeError(msg.format(expected, list(hx.shape)))


def _dropout(x, p):
    from ember.ops.random import rand
    if p >= 1:
        return x * 0.0
    keep = rand(tuple(x.shape), dtype=x.dtype, device=x.device) >= p
    return x * keep.to(x.dtype) * (1.0 / (1.0 - p))


def _index(arr, device):
    from ember.ops.creation import tensor
    return tensor(arr, dtype=D.int64, device=device)


# ======================================================================================
# modules

class RNNBase(Module):
    """The common part of ``RNN``, ``LSTM`` and ``GRU``: parameters, checks, the layer loop."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional", "proj_size"]

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1

        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=2)
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")

        if mode == "LSTM":
            gate_size = 4 * hidden_size
        elif mode == "GRU":
            gate_size = 3 * hidden_size
        elif mode in ("RNN_TANH", "RNN_RELU"):
            gate_size = hidden_size
        else:
            raise ValueError("Unrecognized RNN mode: " + mode)

        from ember.ops.creation import empty
        self._flat_weights_names = []
        self._all_weights = []
        real_hidden = proj_size if proj_size > 0 else hidden_size
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                shapes = [(gate_size, layer_input), (gate_size, real_hidden)]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    shapes += [(gate_size,), (gate_size,)]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    shapes.append((proj_size, hidden_size))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, shape in zip(names, shapes):
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op (cuDNN's weight compaction has no counterpart here)."""

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # --- checks ------------------------------------------------------------------------
    def _check_input(self, input, batch_sizes) -> None:
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def forward(self, input, hx=None):
        from ember.nn.utils.rnn import PackedSequence
        from ember.ops.creation import zeros
        name = type(self).__name__ if self.mode not in ("RNN_TANH", "RNN_RELU") else "RNN"
        is_lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        nd = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        batched = True
        sorted_indices = unsorted_indices = None
        if packed:
            data, batch_sizes, sorted_indices, unsorted_indices = input
            batch_sizes_list = [int(b) for b in batch_sizes.tolist()]
            max_batch = batch_sizes_list[0]
            x = data
        else:
            batch_sizes_list = None
            if input.dim() not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D instead")
            batched = input.dim() == 3
            x = input
            if hx is not None:
                if is_lstm:
                    h, c = hx
                    if batched and (h.dim() != 3 or c.dim() != 3):
                        raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                                           f"({h.dim()}-D, {c.dim()}-D) tensors")
                    if not batched and (h.dim() != 2 or c.dim() != 2):
                        raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                                           f"({h.dim()}-D, {c.dim()}-D) tensors")
                else:
                    if batched and hx.dim() != 3:
                        raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D "
                                           "tensor")
                    if not batched and hx.dim() != 2:
                        raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D "
                                           "tensor")
            if not batched:
                x = x.unsqueeze(1)
                if hx is not None:
                    hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1)) if is_lstm else hx.unsqueeze(1)
            elif self.batch_first:
                x = x.transpose(0, 1)
            max_batch = x.size(1)
        if hx is None:
            h0 = zeros((self.num_layers * nd, max_batch, real_hidden), dtype=x.dtype, device=x.device)
            c0 = zeros((self.num_layers * nd, max_batch, self.hidden_size), dtype=x.dtype,
                       device=x.device) if is_lstm else None
        else:
            if is_lstm:
                h0, c0 = hx
            else:
                h0, c0 = hx, None
            if sorted_indices is not None:
                h0 = h0.index_select(1, sorted_indices)
                if c0 is not None:
                    c0 = c0.index_select(1, sorted_indices)

        self._check_input(x, batch_sizes_list)
        exp_h = (self.num_layers * nd, max_batch, real_hidden)
        if is_lstm:
            _check_hidden(h0, exp_h, "Expected hidden[0] size {}, got {}")
            _check_hidden(c0, (self.num_layers * nd, max_batch, self.hidden_size), "Expected hidden[1] size {}, got {}")
        else:
            _check_hidden(h0, exp_h, "Expected hidden size {}, got {}")

        out, h_n, c_n = _run_layers(self.mode, x, h0, c0, self.all_weights, self.bias, self.proj_size > 0,
                                    self.num_layers, self.dropout, self.training, self.bidirectional,
                                    batch_sizes_list, packed)

        if packed:
            T = len(batch_sizes_list)
            data = out.reshape(T * max_batch, out.shape[-1]).index_select(
                0, _index(_valid_rows(batch_sizes_list, max_batch), out.device))
            output = PackedSequence(data, batch_sizes, sorted_indices, unsorted_indices)
            if unsorted_indices is not None:
                h_n = h_n.index_select(1, unsorted_indices)
                if c_n is not None:
                    c_n = c_n.index_select(1, unsorted_indices)
        else:
            output = out
            if not batched:
                output = output.squeeze(1)
                h_n = h_n.squeeze(1)
                if c_n is not None:
                    c_n = c_n.squeeze(1)
            elif self.batch_first:
                output = output.transpose(0, 1)
        if is_lstm:
            return output, (h_n, c_n)
        return output, h_n


# ======================================================================================
# the layer loop and torch-style functional entry points (torch.lstm, torch.gru, ...)

def _run_layers(mode, x, hx, cx, weights, has_biases, has_proj, num_layers, dropout, train, bidirectional,
                batch_sizes, packed_in):
    """x: (T, B, I) time-major padded input, or (N, I) packed data when ``packed_in``;
    hx (and cx): (L*D, B, .); weights: one list per layer and direction (w_ih, w_hh[, b_ih, b_hh][, w_hr]).
    Returns (output (T, B, D*P) padded with zeros, h_n, c_n or None)."""
    from ember.ops.shape import cat, stack
    nd = 2 if bidirectional else 1
    pad_idx = None
    if packed_in:
        T = len(batch_sizes)
        B = batch_sizes[0]
        pad_idx = _pad_index(batch_sizes, x.shape[0])
    else:
        T, B = x.shape[0], x.shape[1]
        if T == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    bs = tuple(batch_sizes) if batch_sizes is not None else None
    hs, cs = [], []
    layer_in = x
    for layer in range(num_layers):
        outs = []
        for d in range(nd):
            k = layer * nd + d
            w = weights[k]
            w_ih, w_hh = w[0], w[1]
            b_ih = b_hh = w_hr = None
            if has_biases:
                b_ih, b_hh = w[2], w[3]
            if has_proj:
                w_hr = w[-1]
            xin = layer_in if layer_in.dim() == 2 else layer_in.reshape(-1, layer_in.shape[-1])
            bias = b_ih if (mode == "GRU" or b_ih is None) else b_ih + b_hh
            xg = _project(xin, w_ih, bias)
            if packed_in and layer == 0:
                xg = _pad_rows(xg, pad_idx, T, B)
            else:
                xg = xg.reshape(T, B, xg.shape[-1])
            kw = {"batch_sizes": bs, "reverse": d == 1}
            if mode == "LSTM":
                args = (xg, hx[k], cx[k], w_hh) + ((w_hr,) if w_hr is not None else ())
                out, h_n, c_n = dispatch(lstm_scan, *args, **kw)[:3]
                cs.append(c_n)
            elif mode == "GRU":
                args = (xg, hx[k], w_hh) + ((b_hh,) if b_hh is not None else ())
                out, h_n = dispatch(gru_scan, *args, **kw)[:2]
            else:
                out, h_n = dispatch(rnn_scan, xg, hx[k], w_hh, relu=mode == "RNN_RELU", **kw)[:2]
            hs.append(h_n)
            outs.append(out)
        layer_out = outs[0] if nd == 1 else cat(outs, 2)
        if dropout and train and layer < num_layers - 1:
            layer_out = _dropout(layer_out, dropout)
        layer_in = layer_out
    return layer_in, stack(hs), (stack(cs) if mode == "LSTM" else None)


def _group(params, has_biases, num_layers, bidirectional, has_proj=False):
    per = 2 + (2 if has_biases else 0) + (1 if has_proj else 0)
    params = list(params)
    return [params[i * per:(i + 1) * per] for i in range(num_layers * (2 if bidirectional else 1))]


def _functional(mode, input, hx, cx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first,
                batch_sizes=None):
    has_proj = mode == "LSTM" and len(params) > num_layers * (2 if bidirectional else 1) * (
        2 + (2 if has_biases else 0))
    weights = _group(params, has_biases, num_layers, bidirectional, has_proj)
    packed = batch_sizes is not None
    x = input.transpose(0, 1) if (batch_first and not packed) else input
    bs = [int(b) for b in batch_sizes.tolist()] if packed else None
    out, h_n, c_n = _run_layers(mode, x, hx, cx, weights, has_biases, has_proj, num_layers, dropout, train,
                                bidirectional, bs, packed)
    if packed:
        T, B = len(bs), bs[0]
        out = out.reshape(T * B, out.shape[-1]).index_select(0, _index(_valid_rows(bs, B), out.device))
    elif batch_first:
        out = out.transpose(0, 1)
    return out, h_n, c_n


def lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """``torch.lstm``: (output, h_n, c_n) for time-major (or batch-first) input and hx = (h0, c0)."""
    return _functional("LSTM", input, hx[0], hx[1], params, has_biases, num_layers, dropout, train, bidirectional,
                       batch_first)


def gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """``torch.gru``: (output, h_n)."""
    return _functional("GRU", input, hx, None, params, has_biases, num_layers, dropout, train, bidirectional,
                       batch_first)[:2]


def rnn_tanh(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """``torch.rnn_tanh``: (output, h_n)."""
    return _functional("RNN_TANH", input, hx, None, params, has_biases, num_layers, dropout, train, bidirectional,
                       batch_first)[:2]


def rnn_relu(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """``torch.rnn_relu``: (output, h_n)."""
    return _functional("RNN_RELU", input, hx, None, params, has_biases, num_layers, dropout, train, bidirectional,
                       batch_first)[:2]


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """``torch.lstm_cell``: one LSTM step on (B, I) input; returns (h', c')."""
    bias = None if b_ih is None else (b_ih + b_hh if b_hh is not None else b_ih)
    xg = _project(input, w_ih, bias).unsqueeze(0)
    return tuple(dispatch(lstm_scan, xg, hx[0], hx[1], w_hh)[1:3])


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """``torch.gru_cell``: one GRU step on (B, I) input."""
    xg = _project(input, w_ih, b_ih).unsqueeze(0)
    args = (xg, hx, w_hh) + ((b_hh,) if b_hh is not None else ())
    return dispatch(gru_scan, *args)[1]


def _rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, relu):
    bias = None if b_ih is None else (b_ih + b_hh if b_hh is not None else b_ih)
    xg = _project(input, w_ih, bias).unsqueeze(0)
    return dispatch(rnn_scan, xg, hx, w_hh, relu=relu)[1]


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """``torch.rnn_tanh_cell``."""
    return _rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, False)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """``torch.rnn_relu_cell``."""
    return _rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, True)


def _project(x2d, w, bias):
    from ember.ops.linalg import addmm
    if bias is None:
        return x2d.matmul(w.t())
    return addmm(bias, x2d, w.t())


def _offsets(batch_sizes):
    return np.concatenate([[0], np.cumsum(batch_sizes)[:-1]]).astype(np.int64)


def _pad_index(batch_sizes, n_rows):
    """For (t, j) in a (T, B) grid: the packed row holding step t of sorted sequence j, else ``n_rows``."""
    bs = np.asarray(batch_sizes, dtype=np.int64)
    _T, B = len(bs), int(bs[0])
    j = np.arange(B)
    idx = _offsets(bs)[:, None] + j[None, :]
    return np.where(j[None, :] < bs[:, None], idx, n_rows).reshape(-1)


def _valid_rows(batch_sizes, B):
    """Rows of a flattened (T, B) grid that hold packed data, in packed order."""
    return np.concatenate([t * B + np.arange(n) for t, n in enumerate(batch_sizes)]).astype(np.int64)


def _pad_rows(rows, pad_idx, T, B):
    """Packed rows (N, G) -> (T, B, G) with zeros where a sequence has ended."""
    from ember.ops.shape import cat
    ext = cat([rows, rows.new_zeros((1, rows.shape[-1]))])
    return ext.index_select(0, _index(pad_idx, rows.device)).reshape(T, B, rows.shape[-1])


class RNN(RNNBase):
    """Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` with act tanh or relu."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"RNN.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory; gates ordered (i, f, g, o); optional projection of h (``proj_size``)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit; gates ordered (r, z, n), ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"GRU.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


# ======================================================================================
# cells

class RNNCellBase(Module):
    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None,
                 dtype=None) -> None:
        super().__init__()
        from ember.ops.creation import empty
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty((num_chunks * hidden_size,), device=device, dtype=dtype))
            self.bias_hh = Parameter(empty((num_chunks * hidden_size,), device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += f", bias={self.bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    # --- shared forward pieces ----------------------------------------------------------
    def _prepare(self, input, hx, n_states):
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        states = [] if hx is None else ([hx] if n_states == 1 else list(hx))
        for h in states:
            if h.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {h.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
            states = [h.unsqueeze(0) for h in states]
        if not states:
            from ember.ops.creation import zeros
            states = [zeros((input.size(0), self.hidden_size), dtype=input.dtype, device=input.device)
                      for _ in range(n_states)]
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}")
        for k, h in enumerate(states):
            if input.size(0) != h.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{k} batch size "
                                   f"{h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.size(1)}, expected "
                                   f"{self.hidden_size}")
        return input, states, batched


class RNNCell(RNNCellBase):
    """One step of an Elman RNN."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        input, (h,), batched = self._prepare(input, hx, 1)
        out = _rnn_cell(input, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh,
                        self.nonlinearity == "relu")
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One step of an LSTM; returns ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (h, c), batched = self._prepare(input, hx, 2)
        h1, c1 = lstm_cell(input, (h, c), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        if not batched:
            return h1.squeeze(0), c1.squeeze(0)
        return h1, c1


class GRUCell(RNNCellBase):
    """One step of a GRU."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (h,), batched = self._prepare(input, hx, 1)
        out = gru_cell(input, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.squeeze(0)
