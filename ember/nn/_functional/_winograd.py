"""Winograd F(2x2, 3x3): 3x3 stride-1 convolutions with 2.25x fewer multiplications.

The input is cut into overlapping 4x4 tiles (stride 2); each tile ``d`` and each 3x3 filter
``g`` are carried into a 4x4 "Winograd domain" where convolution becomes an elementwise
product summed over input channels, i.e. 16 independent matrix products:

    V = B^T d B          (input transform: one GEMM with kron(B^T, B^T) over gathered tiles)
    U = G g G^T          (filter transform, small)
    M[e] = U[e] @ V[e]   for each of the 16 positions e: (Cout, Cin) @ (Cin, tiles)
    Y = A^T M A          (output transform: one GEMM with kron(A^T, A^T), a 2x2 block per tile)

Direct im2col multiplies (Cout, 9 Cin) @ (9 Cin, 4 tiles); Winograd does 16 Cout Cin per
tile instead of 36. In NumPy the transforms cost about as much memory traffic as im2col's
copies, so the saving is only the GEMM's: measured on the project's 2-core VM (ResNet-like
shapes, N 16-64, C 32-128, 8x8 to 56x56), Winograd was 10-25% faster than im2col + col2im
for the input gradient (col2im's nine scatter-adds are slow) but slower than im2col for the
forward and the weight gradient. ``conv.py`` therefore uses it for the input gradient of
3x3 stride-1 convolutions (and stride-1 3x3 transposed convolutions) only.

Inputs are (N, C, H, W). The padded input is split into its four row/column parity planes and
each plane is flattened, so one element position of every tile is a single contiguous slice
(tiles are ``tW + 1`` wide in that layout; the extra column is computed and dropped). ``conv2d``
returns (Cout, N, H', W'), the layout ``conv.py``'s im2col path returns. Array code on ``xp``.
"""

from __future__ import annotations

import numpy as np

# G (4x3): the filter transform; its 0.5 entries are exact in every float dtype
_G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])
_BT = np.array([[1.0, 0.0, -1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, -1.0, 1.0, 0.0], [0.0, 1.0, 0.0, -1.0]])
_AT = np.array([[1.0, 1.0, 1.0, 0.0], [0.0, 1.0, -1.0, -1.0]])
# the 2-D transforms as single matrices on flattened tiles (Kronecker products): one GEMM each
_KIN = np.einsum("ai,bj->abij", _BT, _BT).reshape(16, 16)      # tile (16) -> V (16)
_KOUT = np.einsum("ui,vj->uvij", _AT, _AT).reshape(4, 16)      # M (16) -> 2x2 output block (4)


def usable(ks, stride, dilation, groups, cin, cout, dtype) -> bool:
    """Whether the Winograd path applies and pays: 3x3, stride 1, no dilation, no groups, enough channels."""
    return (tuple(ks) == (3, 3) and tuple(stride) == (1, 1) and tuple(dilation) == (1, 1) and groups == 1
            and cin >= 16 and cout >= 16 and dtype in (np.float32, np.float64))


def _tiles(size: int, lo: int, hi: int) -> tuple[int, int]:
    """Output length and tile count of a 3-tap stride-1 convolution over ``size`` padded by (lo, hi)."""
    out = size + lo + hi - 2
    return out, (out + 1) // 2


def _parity_planes(xp, x, lo, tiles, extra_row=True):
    """``x`` (N, C, H, W) zero-padded by ``lo`` (leading) and split by row/column parity.

    Returns q (2, 2, C, N, rows, tW + 1) with q[p, r, ..., a, b] = padded[2a + p, 2b + r]; an
    extra zero row (``extra_row``) lets flat shifted slices run one element past the last tile.
    """
    n, c, h, w = x.shape
    th, tw = tiles
    (lo_h, lo_w) = lo
    rows = th + 1 + extra_row
    q = xp.zeros((2, 2, c, n, rows, tw + 1), dtype=x.dtype)
    xt = x.transpose(1, 0, 2, 3)
    for pi in range(2):
        r0 = (pi - lo_h) % 2                     # first x row landing on this parity
        a0 = (r0 + lo_h - pi) // 2               # its tile row
        nr = min((h - r0 + 1) // 2, th + 1 - a0)
        for pj in range(2):
            c0 = (pj - lo_w) % 2
            b0 = (c0 + lo_w - pj) // 2
            nc = min((w - c0 + 1) // 2, tw + 1 - b0)
            if nr > 0 and nc > 0:
                q[pi, pj, :, :, a0:a0 + nr, b0:b0 + nc] = xt[:, :, r0:r0 + 2 * nr:2, c0:c0 + 2 * nc:2]
    return q


def _input_transform(xp, x, pads, tiles):
    """V (16, C, N * tH * (tW + 1)) = B^T d B for every 4x4 tile of ``x`` (N, C, H, W) padded by ``pads``.

    Each parity plane is flattened, so tile element (i, j) of every tile is one contiguous slice
    at a fixed offset; the last column of each tile row (b = tW) is padding that the caller drops.
    The 16 slices are gathered and transformed by one GEMM with kron(B^T, B^T).
    """
    n, c = x.shape[:2]
    th, tw = tiles
    flat = _parity_planes(xp, x, (pads[0][0], pads[1][0]), tiles).reshape(2, 2, c * n, -1)
    t = th * (tw + 1)                                                # flat positions of the tiles
    row = tw + 1
    d = xp.empty((16, c * n, t), dtype=x.dtype)
    for i in range(4):
        for j in range(4):
            off = (i // 2) * row + j // 2
            d[4 * i + j] = flat[i % 2, j % 2, :, off:off + t]
    return xp.matmul(xp.asarray(_KIN, dtype=x.dtype), d.reshape(16, -1)).reshape(16, c, n * t)


def conv2d(xp, x, w, pads):
    """The 3x3 stride-1 convolution of ``x`` (N, C, H, W) with ``w`` (K, C, 3, 3), as (K, N, H', W')."""
    n, c, h, wd = x.shape
    k = w.shape[0]
    oh, th = _tiles(h, *pads[0])
    ow, tw = _tiles(wd, *pads[1])
    g = xp.asarray(_G, dtype=x.dtype)
    u = xp.einsum("ai,kcij,bj->abkc", g, w, g).reshape(16, k, c)
    m = xp.matmul(u, _input_transform(xp, x, pads, (th, tw)))
    # Y = A^T M A for every tile: one GEMM with kron(A^T, A^T); the padding column b = tW is dropped
    y = xp.matmul(xp.asarray(_KOUT, dtype=x.dtype), m.reshape(16, -1)).reshape(2, 2, k, n, th, tw + 1)
    out = xp.empty((k, n, th, 2, tw, 2), dtype=x.dtype)
    for u in range(2):
        for v in range(2):
            out[:, :, :, u, :, v] = y[u, v, ..., :tw]
    return out.reshape(k, n, 2 * th, 2 * tw)[:, :, :oh, :ow]
