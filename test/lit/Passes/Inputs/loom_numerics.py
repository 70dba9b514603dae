#!/usr/bin/env python3
"""Independent model of docs/CONTRACTS.md numerics, used to derive the
expected values in the lit tests (not run by lit; kept so the numbers in the
CHECK lines can be re-derived). Pure Python, no numpy.

  python3 Inputs/loom_numerics.py dense W I
  python3 Inputs/loom_numerics.py tables W I
"""
import math
import struct
import sys


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def rne(x):  # round half to even (Python's round on floats)
    return int(round(x))


def sat(q, w):
    return max(-(1 << (w - 1)), min((1 << (w - 1)) - 1, q))


def quantize(x, w, f):
    return sat(rne(math.ldexp(x, f)), w)


def signed_width(m):
    return m.bit_length() + 1


def dense(W, b, w, i):
    f = w - i
    wq = [[quantize(f32(v), w, f) for v in row] for row in W]
    bq = [rne(math.ldexp(f32(v), 2 * f)) for v in b]
    acc = max(sum(abs(v) for v in row) * (1 << (w - 1)) + abs(bb) for row, bb in zip(wq, bq))
    return wq, bq, signed_width(acc), f  # shift = Fi + Fw - Fout = f


def act_table(fn, lo_r, hi_r, w, i):
    f = w - i
    lo = math.ceil(math.ldexp(lo_r, f))
    hi = math.ceil(math.ldexp(hi_r, f)) - 1
    lo, hi = max(lo, -(1 << (w - 1))), min(hi, (1 << (w - 1)) - 1)
    s = 0
    while (hi >> s) - (lo >> s) + 1 > 1024:
        s += 1
    lo = (lo >> s) << s
    depth = (hi >> s) - (lo >> s) + 1
    half = (1 << (s - 1)) if s else 0
    vals = [quantize(fn(math.ldexp((j << s) + lo + half, -f)), w, f) for j in range(depth)]
    return lo, hi, s, vals


def exp_table(w, i):
    f = w - i
    dmax = min((16 << f) - 1, (1 << w) - 1)
    s = 0
    while (dmax >> s) + 1 > 4096:
        s += 1
    h = (1 << (s - 1)) if s else 0  # the bucket's middle code
    vals = [rne(math.ldexp(math.exp(-math.ldexp((j << s) + h, -f)), 15))
            for j in range((dmax >> s) + 1)]
    return s, vals


if __name__ == "__main__":
    what, w, i = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if what == "dense":
        print(dense([[0.5, -0.25, 1.0], [5.0, 0.125, -1.5]], [0.1, -0.3], w, i))
    else:
        print("sigmoid", act_table(lambda x: 1 / (1 + math.exp(-x)), -8.0, 8.0, w, i))
        print("tanh", act_table(math.tanh, -4.0, 4.0, w, i))
        print("exp", exp_table(w, i))
