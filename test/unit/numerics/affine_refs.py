#!/usr/bin/python3
"""Independent references for the affine numerics (AffineTest.cpp).

Usage: affine_refs.py OUT.txt [seed]
Lines (whitespace separated, %.17g floats):
  QL x scale zp qmin qmax mode q     ONNX QuantizeLinear, numpy float32 division
  RQ acc mult shift width y          saturate(round_half_even(acc * mult / 2^shift)),
                                     exact Python integers (divmod)
  SA a ma b mb shift width y         the same on a * ma + b * mb
Written from the ONNX / QONNX operator specifications, not from Loom's code.
"""
import sys

import numpy as np

out = open(sys.argv[1], "w")
rng = np.random.default_rng(int(sys.argv[2]) if len(sys.argv) > 2 else 4242)

MODES = {
    "half_even": np.rint,
    "half_up": lambda v: np.sign(v) * np.floor(np.abs(v) + 0.5),   # QONNX HALF_UP
    "half_down": lambda v: np.sign(v) * np.ceil(np.abs(v) - 0.5),  # QONNX HALF_DOWN
    "floor": np.floor,
    "ceil": np.ceil,
    "to_zero": np.trunc,
}


def ql(x, scale, zp, qmin, qmax, mode):
    v = np.float32(x) / np.float32(scale)  # float32 / float32 -> float32 (ONNX)
    assert v.dtype == np.float32
    q = int(MODES[mode](np.float64(v))) + zp
    return min(max(q, qmin), qmax)


for mode in MODES:
    # Exact ties: power-of-two scales make k + 0.5 exact.
    for k in range(-4, 4):
        for scale in (0.25, 1.0, 2.0 ** -7):
            x = (k + 0.5) * scale
            out.write("QL %.17g %.17g 0 -128 127 %s %d\n" % (x, scale, mode, ql(x, scale, 0, -128, 127, mode)))
    # Random values, random f32 scales and zero points, uint8 / int8 / 4-bit ranges.
    for _ in range(300):
        scale = float(np.float32(10.0 ** rng.uniform(-4, 0)))
        qmin, qmax = [(0, 255), (-128, 127), (-8, 7), (-7, 7)][rng.integers(4)]
        zp = int(rng.integers(qmin, qmax + 1))
        x = float(np.float32(rng.uniform(-200, 200) * scale))
        out.write("QL %.17g %.17g %d %d %d %s %d\n" % (x, scale, zp, qmin, qmax, mode,
                                                      ql(x, scale, zp, qmin, qmax, mode)))


def rne_shift(v, s):
    q, r = divmod(v, 2 ** s)  # floor division, 0 <= r < 2^s
    if 2 * r > 2 ** s or (2 * r == 2 ** s and q % 2 == 1):
        q += 1
    return q


def sat(v, w):
    return min(max(v, -(2 ** (w - 1))), 2 ** (w - 1) - 1)


for _ in range(3000):
    bits = int(rng.integers(1, 40))
    acc = int(rng.integers(-(2 ** bits), 2 ** bits))
    mult = int(rng.integers(1, 2 ** 24))
    shift = int(rng.integers(0, 63))
    width = int(rng.integers(2, 33))
    out.write("RQ %d %d %d %d %d\n" % (acc, mult, shift, width, sat(rne_shift(acc * mult, shift), width)))
# Ties on both sides of zero, odd and even quotients.
for acc in range(-12, 13):
    for shift in (1, 2, 3):
        out.write("RQ %d 1 %d 8 %d\n" % (acc, shift, sat(rne_shift(acc, shift), 8)))
for _ in range(2000):
    a, b = int(rng.integers(-2 ** 15, 2 ** 15)), int(rng.integers(-2 ** 15, 2 ** 15))
    ma, mb = int(rng.integers(1, 2 ** 24)), int(rng.integers(1, 2 ** 24))
    shift, width = int(rng.integers(0, 63)), int(rng.integers(2, 33))
    out.write("SA %d %d %d %d %d %d %d\n" % (a, ma, b, mb, shift, width,
                                            sat(rne_shift(a * ma + b * mb, shift), width)))
out.close()
