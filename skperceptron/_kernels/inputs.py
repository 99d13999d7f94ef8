"""What the first layer can do to its input: periodic embeddings of features
and a learnable per-input scale, forward and backward.

Periodic embedding (``spec.emb_features`` lists the embedded columns of X,
``emb_k`` frequencies and ``emb_d`` outputs per feature): column ``c`` of
the ``e``-th embedded feature gives, for a value ``x``,
``theta_k = 2 pi w1[e, k] x + b1[e, k]`` and the ``emb_d`` outputs
``sum_k cos(theta_k) W2[e, k, :] + b2[e, :]``, appended after the raw
features (which stay in the input). The parameters sit in the flat vector at
``spec.emb_off``: ``w1`` (m x k), ``b1`` (m x k), ``W2`` (m x k x d), ``b2``
(m x d), for m embedded features.

Front scale (``spec.front_off``): the first layer's input column ``j`` is
multiplied by ``s[j]`` before its weight matrix. The kernels multiply the
input by ``W_eff = diag(s) W0`` instead, so sparse rows stay sparse; the
gradients follow from ``G = input.T @ delta`` (the gradient of ``W_eff``):
``dW0 = diag(s) G`` and ``ds_j = sum_k W0[j, k] G[j, k]``.
"""

import numpy as np

from ._intrinsics import as_matrix
from ._jit import jit

_TWO_PI = 6.283185307179586
# cos and sin of r in [-pi/4, pi/4] after r = theta - n pi/2, pi/2 in three
# parts so that n pi/2 is exact to double precision for |n| < 2^20
_INV_HALF_PI = 0.6366197723675814
_HALF_PI_1 = 1.5707963267341256
_HALF_PI_2 = 6.077100506506192e-11
_HALF_PI_3 = 2.0222662487959506e-21


# Taylor coefficients of cos and sin in r^2
_COS = (
    1.0,
    -0.5,
    0.041666666666666664,
    -0.001388888888888889,
    2.48015873015873e-05,
    -2.755731922398589e-07,
    2.08767569878681e-09,
    -1.1470745597729725e-11,
    4.779477332387385e-14,
    -1.5619206968586225e-16,
)
_SIN = (
    1.0,
    -0.16666666666666666,
    0.008333333333333333,
    -0.0001984126984126984,
    2.7557319223985893e-06,
    -2.505210838544172e-08,
    1.6059043836821613e-10,
    -7.647163731819816e-13,
    2.8114572543455206e-15,
    -8.22063524662433e-18,
)


@jit(inline=True)
def _cos_sin(theta):
    """``(cos(theta), sin(theta))`` in arithmetic only, branch-free, so that
    loops calling it vectorise (numba's math.cos is a scalar libm call):
    Taylor polynomials to r^19 after reducing to |r| <= pi/4, relative error
    below 1e-15 for |theta| < 1e5."""
    n = np.floor(theta * _INV_HALF_PI + 0.5)
    r = ((theta - n * _HALF_PI_1) - n * _HALF_PI_2) - n * _HALF_PI_3
    r2 = r * r
    c = _COS[9]
    c = c * r2 + _COS[8]
    c = c * r2 + _COS[7]
    c = c * r2 + _COS[6]
    c = c * r2 + _COS[5]
    c = c * r2 + _COS[4]
    c = c * r2 + _COS[3]
    c = c * r2 + _COS[2]
    c = c * r2 + _COS[1]
    c = c * r2 + _COS[0]
    s = _SIN[9]
    s = s * r2 + _SIN[8]
    s = s * r2 + _SIN[7]
    s = s * r2 + _SIN[6]
    s = s * r2 + _SIN[5]
    s = s * r2 + _SIN[4]
    s = s * r2 + _SIN[3]
    s = s * r2 + _SIN[2]
    s = s * r2 + _SIN[1]
    s = s * r2 + _SIN[0]
    s = s * r
    # rotate (c, s) by the quadrant q = n mod 4: cos is c, -s, -c, s and sin
    # is s, c, -s, -c; as arithmetic on q, not branches
    q = np.int64(n) & 3
    swap = float(q & 1)
    sign_cos = 1.0 - 2.0 * float(((q + 1) >> 1) & 1)
    sign_sin = 1.0 - 2.0 * float((q >> 1) & 1)
    return sign_cos * (c + swap * (s - c)), sign_sin * (s + swap * (c - s))


# float32: pi/2 in three parts whose first two have 8 and 11 significant bits
# (n * part exact in float32 for |n| < 2^13), and the Taylor polynomials to
# r^8 and r^9, whose next terms are below 3e-8 on |r| <= pi/4 (float32's
# epsilon is 1.2e-7): half the terms and twice the lanes of the float64 loop.
_F32 = np.float32
_TWO_PI32 = _F32(_TWO_PI)
_INV_HALF_PI32 = _F32(_INV_HALF_PI)
_HALF_PI_1_32 = _F32(1.5703125)
_HALF_PI_2_32 = _F32(4.837512969970703125e-4)
_HALF_PI_3_32 = _F32(7.549789948768648e-8)
_HALF32 = _F32(0.5)
_ONE32 = _F32(1.0)
_TWO32 = _F32(2.0)
_COS32 = tuple(_F32(c) for c in _COS[:5])
_SIN32 = tuple(_F32(c) for c in _SIN[:5])


@jit(inline=True)
def _cos_sin32(theta):
    """``_cos_sin`` of a float32 in float32 arithmetic: absolute error below
    2e-7 (two float32 steps near 1) for |theta| < 1e4."""
    n = np.floor(theta * _INV_HALF_PI32 + _HALF32)
    r = ((theta - n * _HALF_PI_1_32) - n * _HALF_PI_2_32) - n * _HALF_PI_3_32
    r2 = r * r
    c = _COS32[4]
    c = c * r2 + _COS32[3]
    c = c * r2 + _COS32[2]
    c = c * r2 + _COS32[1]
    c = c * r2 + _COS32[0]
    s = _SIN32[4]
    s = s * r2 + _SIN32[3]
    s = s * r2 + _SIN32[2]
    s = s * r2 + _SIN32[1]
    s = s * r2 + _SIN32[0]
    s = s * r
    q = np.int32(n) & 3
    swap = _F32(q & 1)
    sign_cos = _ONE32 - _TWO32 * _F32(((q + 1) >> 1) & 1)
    sign_sin = _ONE32 - _TWO32 * _F32((q >> 1) & 1)
    return sign_cos * (c + swap * (s - c)), sign_sin * (s + swap * (c - s))


@jit
def raw_rows(X, csr, rows, start, In, n_raw):
    """Copy the batch's rows of X (dense rows ``rows`` or ``start:``, or CSR
    rows) into the first ``n_raw`` columns of the input block ``In``."""
    n_rows = In.shape[0]
    if csr is not None:
        data, indices, indptr = csr
        for i in range(n_rows):
            row = In[i]
            for j in range(n_raw):
                row[j] = 0.0
            r = rows[i]
            for p in range(indptr[r], indptr[r + 1]):
                row[np.uint64(indices[p])] = data[p]
    if X is not None:
        for i in range(n_rows):
            r = rows[i] if start is None else start + i
            row = In[i]
            for j in range(n_raw):
                row[j] = X[r, j]


@jit
def _embedding_blocks(params, spec):
    m = spec.emb_features.shape[0]
    k, d = spec.emb_k, spec.emb_d
    off = spec.emb_off
    w1 = as_matrix(params, off, m, k)
    b1 = as_matrix(params, off + m * k, m, k)
    W2 = as_matrix(params, off + 2 * m * k, m * k, d)
    b2 = as_matrix(params, off + 2 * m * k + m * k * d, m, d)
    return w1, b1, W2, b2


@jit(inline=True)
def _trig_blocks(theta_buf, n_rows, m, k):
    """The cosines and sines of the batch's ``theta`` in ``theta_buf``:
    row ``i * m + e`` holds row i's, feature e's ``k`` values."""
    size = n_rows * m * k
    return as_matrix(theta_buf, 0, n_rows * m, k), as_matrix(
        theta_buf, size, n_rows * m, k
    )


@jit
def embed(In, params, spec, theta_buf):
    """Write the embeddings of the raw columns of ``In`` after them, keeping
    the cosines and sines of each ``theta`` in ``theta_buf`` for the backward
    pass."""
    n_rows = In.shape[0]
    m = spec.emb_features.shape[0]
    k, d, n_raw = spec.emb_k, spec.emb_d, spec.n_raw
    w1, b1, W2, b2 = _embedding_blocks(params, spec)
    Cos, Sin = _trig_blocks(theta_buf, n_rows, m, k)
    single = In.itemsize == 4
    for i in range(n_rows):
        row = In[i]
        for e in range(m):
            value = row[np.uint64(spec.emb_features[e])]
            cos_row, sin_row = Cos[i * m + e], Sin[i * m + e]
            w, b = w1[e], b1[e]
            if single:
                x32 = _TWO_PI32 * value
                for q in range(k):
                    cos_value, sin_value = _cos_sin32(x32 * w[q] + b[q])
                    cos_row[q] = cos_value
                    sin_row[q] = sin_value
            else:
                x = _TWO_PI * float(value)
                for q in range(k):
                    cos_value, sin_value = _cos_sin(x * float(w[q]) + float(b[q]))
                    cos_row[q] = cos_value
                    sin_row[q] = sin_value
            for c in range(d):
                total = float(b2[e, c])
                for q in range(k):
                    total += float(cos_row[q]) * float(W2[e * k + q, c])
                row[n_raw + e * d + c] = total


@jit
def embed_gradient(In, Din, params, grad, spec, theta_buf):
    """Add the embedding parameters' raw gradients to ``grad`` (whose
    embedding block this fills), from ``Din``, the delta of the input block's
    embedding columns only (those after its ``spec.n_raw`` raw columns)."""
    n_rows = In.shape[0]
    m = spec.emb_features.shape[0]
    k, d = spec.emb_k, spec.emb_d
    _, _, W2, _ = _embedding_blocks(params, spec)
    gw1, gb1, gW2, gb2 = _embedding_blocks(grad, spec)
    Cos, Sin = _trig_blocks(theta_buf, n_rows, m, k)
    for e in range(m):
        for q in range(k):
            gw1[e, q] = 0.0
            gb1[e, q] = 0.0
            for c in range(d):
                gW2[e * k + q, c] = 0.0
        for c in range(d):
            gb2[e, c] = 0.0
    for i in range(n_rows):
        for e in range(m):
            x = _TWO_PI * float(In[i, np.uint64(spec.emb_features[e])])
            g = Din[i, e * d : (e + 1) * d]
            cos_row, sin_row = Cos[i * m + e], Sin[i * m + e]
            for c in range(d):
                gb2[e, c] += g[c]
            for q in range(k):
                w = W2[e * k + q]
                gw = gW2[e * k + q]
                h = cos_row[q]
                gh = 0.0
                for c in range(d):
                    gw[c] += h * g[c]
                    gh += float(w[c] * g[c])
                dtheta = -float(sin_row[q]) * gh
                gb1[e, q] += dtheta
                gw1[e, q] += dtheta * x


@jit
def scaled_weights(W0, params, front_off, out):
    """``out = diag(s) W0``, s the front scale at ``params[front_off:]``."""
    for j in range(W0.shape[0]):
        s = params[front_off + j]
        w = W0[j]
        o = out[j]
        for c in range(W0.shape[1]):
            o[c] = s * w[c]


@jit
def front_scale_gradient(W0, G, params, grad, front_off):
    """``ds_j = sum_k W0[j, k] G[j, k]`` into ``grad[front_off:]``, then
    ``G`` (the gradient of ``diag(s) W0``) becomes the gradient of ``W0``."""
    for j in range(W0.shape[0]):
        s = params[front_off + j]
        w = W0[j]
        g = G[j]
        total = 0.0
        for c in range(W0.shape[1]):
            total += float(w[c] * g[c])
            g[c] = g[c] * s
        grad[front_off + j] = total
