"""Samples for the recurrent scan ops of ember/nn/modules/rnn.py (lstm_scan, gru_scan, rnn_scan and their
backward ops), called through torch's layer-level functions (``torch.lstm``, ``torch.gru``, ``torch.rnn_tanh``,
``torch.rnn_relu``, ``torch.lstm_cell``, ...) and ember's counterparts in ``ember.nn.modules.rnn``."""

from tests.oracle.harness import case, rand

CASES = []


def _fn(name, *extra):
    def call(lib, *args):
        if lib.__name__ == "torch":
            f = getattr(lib, name)
        else:
            from ember.nn.modules import rnn as R
            f = getattr(R, name)
        return f(*args, *extra)
    return call


def _seq(name, hx_is_pair, n_params, *flags):
    """fn(lib, x, h0[, c0], *params) -> lib.<name>(x, hx, params, *flags)."""
    def call(lib, x, h0, *rest):
        if hx_is_pair:
            hx, params = (h0, rest[0]), list(rest[1:])
        else:
            hx, params = h0, list(rest)
        assert len(params) == n_params
        if lib.__name__ == "torch":
            f = getattr(lib, name)
        else:
            from ember.nn.modules import rnn as R
            f = getattr(R, name)
        return f(x, hx, params, *flags)
    return call


def _w(*shape, seed):
    return rand(*shape, low=-0.5, high=0.5, seed=seed)


T_, B, I, H, P = 4, 3, 5, 6, 2

# LSTM sequences: (x, h0, c0, w_ih, w_hh[, b_ih, b_hh][, w_hr]); flags: has_biases, num_layers, dropout, train,
# bidirectional, batch_first
lstm_w = [_w(4 * H, I, seed=1), _w(4 * H, H, seed=2), _w(4 * H, seed=3), _w(4 * H, seed=4)]
CASES += [
    case("lstm_scan", rand(T_, B, I), rand(1, B, H), rand(1, B, H), *lstm_w,
         fn=_seq("lstm", True, 4, True, 1, 0.0, False, False, False), id="lstm_scan/lstm"),
    case("lstm_scan", rand(B, T_, I), rand(2, B, H), rand(2, B, H), *lstm_w,
         _w(4 * H, I, seed=5), _w(4 * H, H, seed=6), _w(4 * H, seed=7), _w(4 * H, seed=8),
         fn=_seq("lstm", True, 8, True, 1, 0.0, False, True, True), id="lstm_scan/bidirectional_batch_first"),
    case("lstm_scan", rand(T_, B, I), rand(1, B, H), rand(1, B, H), lstm_w[0], lstm_w[1],
         fn=_seq("lstm", True, 2, False, 1, 0.0, False, False, False), id="lstm_scan/no_bias"),
    case("lstm_scan", rand(T_, B, I), rand(2, B, P), rand(2, B, H), _w(4 * H, I, seed=9), _w(4 * H, P, seed=10),
         _w(4 * H, seed=11), _w(4 * H, seed=12), _w(P, H, seed=13), _w(4 * H, P, seed=14), _w(4 * H, P, seed=15),
         _w(4 * H, seed=16), _w(4 * H, seed=17), _w(P, H, seed=18),
         fn=_seq("lstm", True, 10, True, 2, 0.0, False, False, False), id="lstm_scan/proj_2_layers"),
    case("lstm_scan", rand(T_, B, I, dtype="float64"), rand(1, B, H, dtype="float64"),
         rand(1, B, H, dtype="float64"), *[a.astype("float64") for a in lstm_w],
         fn=_seq("lstm", True, 4, True, 1, 0.0, False, False, False), id="lstm_scan/float64"),
    case("lstm_scan", rand(B, I), (rand(B, H), rand(B, H)), *lstm_w, fn=_fn("lstm_cell"), id="lstm_scan/cell"),
    case("lstm_scan", rand(0, B, I), rand(1, B, H), rand(1, B, H), *lstm_w,
         fn=_seq("lstm", True, 4, True, 1, 0.0, False, False, False), id="lstm_scan/empty_sequence", raises=True),
    case("lstm_scan", rand(B, I + 1), (rand(B, H), rand(B, H)), *lstm_w, fn=_fn("lstm_cell"),
         id="lstm_scan/cell_bad_input_size", raises=True),
]

# GRU
gru_w = [_w(3 * H, I, seed=21), _w(3 * H, H, seed=22), _w(3 * H, seed=23), _w(3 * H, seed=24)]
CASES += [
    case("gru_scan", rand(T_, B, I), rand(1, B, H), *gru_w,
         fn=_seq("gru", False, 4, True, 1, 0.0, False, False, False), id="gru_scan/gru"),
    case("gru_scan", rand(T_, B, I), rand(2, B, H), *gru_w, _w(3 * H, I, seed=25), _w(3 * H, H, seed=26),
         _w(3 * H, seed=27), _w(3 * H, seed=28),
         fn=_seq("gru", False, 8, True, 1, 0.0, False, True, False), id="gru_scan/bidirectional"),
    case("gru_scan", rand(T_, B, I), rand(1, B, H), gru_w[0], gru_w[1],
         fn=_seq("gru", False, 2, False, 1, 0.0, False, False, False), id="gru_scan/no_bias"),
    case("gru_scan", rand(B, I), rand(B, H), *gru_w, fn=_fn("gru_cell"), id="gru_scan/cell"),
    case("gru_scan", rand(B, I, dtype="float64"), rand(B, H, dtype="float64"),
         *[a.astype("float64") for a in gru_w], fn=_fn("gru_cell"), id="gru_scan/cell_float64"),
]

# plain RNN
rnn_w = [_w(H, I, seed=31), _w(H, H, seed=32), _w(H, seed=33), _w(H, seed=34)]
for name in ("rnn_tanh", "rnn_relu"):
    CASES += [
        case("rnn_scan", rand(T_, B, I), rand(1, B, H), *rnn_w,
             fn=_seq(name, False, 4, True, 1, 0.0, False, False, False), id=f"rnn_scan/{name}"),
        case("rnn_scan", rand(B, T_, I), rand(2, B, H), *rnn_w, _w(H, I, seed=35), _w(H, H, seed=36),
             _w(H, seed=37), _w(H, seed=38),
             fn=_seq(name, False, 8, True, 1, 0.0, False, True, True), id=f"rnn_scan/{name}_bidirectional"),
        case("rnn_scan", rand(T_, B, I), rand(1, B, H), rnn_w[0], rnn_w[1],
             fn=_seq(name, False, 2, False, 1, 0.0, False, False, False), id=f"rnn_scan/{name}_no_bias"),
        case("rnn_scan", rand(B, I), rand(B, H), *rnn_w, fn=_fn(name + "_cell"), id=f"rnn_scan/{name}_cell"),
    ]
