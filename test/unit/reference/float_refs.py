#!/usr/bin/python3
"""numpy references for the float conv-path kernels (ConvKernelsTest.cpp).

Usage: float_refs.py OUT.txt [seed]
Writes random cases computed with straightforward numpy (float64), written
independently of the C++ kernels (explicit np.pad + window slicing). Format,
whitespace separated tokens:
  CASE <name> <op>
  I <key> <n> v...        integer list attribute
  F <key> <n> v...        float list attribute
  S <key> <string>        string attribute
  T <key> <rank> d... v... tensor (row-major, %.17g)
  END
"""
import sys
import numpy as np

out = open(sys.argv[1], "w")
rng = np.random.default_rng(int(sys.argv[2]) if len(sys.argv) > 2 else 1234)
count = 0


def emit(name, op, ints=None, floats=None, strs=None, tensors=None):
    global count
    count += 1
    out.write("CASE %s %s\n" % (name, op))
    for k, v in (ints or {}).items():
        v = list(v)
        out.write("I %s %d %s\n" % (k, len(v), " ".join(str(int(a)) for a in v)))
    for k, v in (floats or {}).items():
        v = list(v)
        out.write("F %s %d %s\n" % (k, len(v), " ".join("%.17g" % a for a in v)))
    for k, v in (strs or {}).items():
        out.write("S %s %s\n" % (k, v))
    for k, t in (tensors or {}).items():
        t = np.asarray(t, dtype=np.float64)
        out.write("T %s %d %s %s\n" % (k, t.ndim, " ".join(str(d) for d in t.shape),
                                       " ".join("%.17g" % a for a in t.ravel())))
    out.write("END\n")


def rnd(*shape):
    return rng.standard_normal(shape)


def same_pads(ins, ks, ss, ds, mode):
    b, e = [], []
    for i, k, s, d in zip(ins, ks, ss, ds):
        o = -(-i // s)
        tot = max(0, (o - 1) * s + (k - 1) * d + 1 - i)
        lo = tot // 2 if mode == "SAME_UPPER" else tot - tot // 2
        b.append(lo)
        e.append(tot - lo)
    return b + e


def out_size(i, k, s, d, pb, pe, ceil):
    n = i + pb + pe - ((k - 1) * d + 1)
    if not ceil:
        return n // s + 1
    o = -(-n // s) + 1
    if (o - 1) * s >= i + pb:
        o -= 1
    return o


def window_slices(o, ss, ds, ks):
    return tuple(slice(oi * s, oi * s + (k - 1) * d + 1, d)
                 for oi, s, d, k in zip(o, ss, ds, ks))


def np_conv(x, w, b, ss, ds, pads, group):
    nd = x.ndim - 2
    ks = w.shape[2:]
    N, C = x.shape[:2]
    M = w.shape[0]
    cg, mg = C // group, M // group
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[i + nd]) for i in range(nd)])
    outs = [out_size(x.shape[2 + i], ks[i], ss[i], ds[i], pads[i], pads[i + nd], False)
            for i in range(nd)]
    y = np.zeros((N, M) + tuple(outs))
    for o in np.ndindex(*outs):
        sl = window_slices(o, ss, ds, ks)
        for m in range(M):
            g = m // mg
            win = xp[(slice(None), slice(g * cg, (g + 1) * cg)) + sl]
            y[(slice(None), m) + o] = np.tensordot(win, w[m], axes=(list(range(1, nd + 2)),
                                                                   list(range(0, nd + 1))))
    if b is not None:
        y += b.reshape((1, M) + (1,) * nd)
    return y


def np_pool(x, ks, ss, ds, pads, ceil, kind, cip=0):
    nd = x.ndim - 2
    outs = [out_size(x.shape[2 + i], ks[i], ss[i], ds[i], pads[i], pads[i + nd], ceil)
            for i in range(nd)]
    # extra end padding so every (ceil) window is in range
    extra = [max(0, (outs[i] - 1) * ss[i] + (ks[i] - 1) * ds[i] + 1 -
                 (x.shape[2 + i] + pads[i] + pads[i + nd])) for i in range(nd)]
    padw = [(0, 0), (0, 0)] + [(pads[i], pads[i + nd] + extra[i]) for i in range(nd)]
    xp = np.pad(x, padw, constant_values=np.nan)
    valid = np.pad(np.ones(x.shape[2:]), padw[2:])
    inpad = np.pad(np.ones([x.shape[2 + i] + pads[i] + pads[i + nd] for i in range(nd)]),
                   [(0, extra[i]) for i in range(nd)])
    y = np.zeros(x.shape[:2] + tuple(outs))
    for o in np.ndindex(*outs):
        sl = window_slices(o, ss, ds, ks)
        win = xp[(slice(None), slice(None)) + sl].reshape(x.shape[0], x.shape[1], -1)
        if kind == "max":
            y[(Ellipsis,) + o] = np.nanmax(win, axis=2)
        else:
            d = (inpad if cip else valid)[sl].sum()
            y[(Ellipsis,) + o] = np.nansum(win, axis=2) / d
    return y


# ---------------------------------------------------------------- Conv
conv_cases = [
    # (name, x shape, M, kernel, strides, dilations, pads, group, auto_pad, bias)
    ("conv2d_basic", (1, 3, 7, 6), 4, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 1, None, True),
    ("conv2d_asym_pads", (1, 2, 6, 7), 3, (3, 2), (1, 1), (1, 1), (0, 2, 1, 0), 1, None, True),
    ("conv2d_stride2", (1, 3, 9, 8), 5, (3, 3), (2, 2), (1, 1), (1, 0, 1, 1), 1, None, False),
    ("conv2d_dilation2", (1, 2, 9, 9), 3, (3, 3), (1, 1), (2, 2), (2, 2, 2, 2), 1, None, True),
    ("conv2d_depthwise", (1, 4, 6, 6), 4, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 4, None, True),
    ("conv2d_depthwise_mult2_s2", (1, 3, 7, 7), 6, (3, 3), (2, 2), (1, 1), (1, 1, 0, 0), 3, None, True),
    ("conv2d_groups2", (2, 4, 5, 6), 6, (2, 3), (1, 2), (2, 1), (1, 1, 0, 2), 2, None, True),
    ("conv2d_same_upper", (1, 2, 7, 6), 3, (4, 3), (2, 2), (1, 1), None, 1, "SAME_UPPER", True),
    ("conv2d_same_lower", (1, 2, 7, 6), 3, (4, 3), (2, 1), (1, 1), None, 1, "SAME_LOWER", True),
    ("conv2d_valid", (1, 2, 7, 6), 3, (3, 3), (2, 2), (1, 1), None, 1, "VALID", False),
    ("conv2d_1x1", (1, 5, 4, 3), 7, (1, 1), (1, 1), (1, 1), (0, 0, 0, 0), 1, None, True),
    ("conv1d_basic", (1, 3, 11), 4, (3,), (1,), (1,), (1, 1), 1, None, True),
    ("conv1d_s2_d2_asym", (2, 2, 13), 3, (3,), (2,), (2,), (3, 0), 1, None, True),
    ("conv1d_depthwise", (1, 4, 10), 4, (5,), (1,), (1,), (2, 2), 4, None, True),
    ("conv1d_same_upper", (1, 2, 10), 2, (4,), (3,), (1,), None, 1, "SAME_UPPER", False),
]
for (name, xs, M, ks, ss, ds, pads, group, ap, bias) in conv_cases:
    for rep in range(2):
        x = rnd(*xs)
        w = rnd(M, xs[1] // group, *ks)
        b = rnd(M) if bias else None
        nd = len(ks)
        rp = same_pads(xs[2:], ks, ss, ds, ap) if ap in ("SAME_UPPER", "SAME_LOWER") else \
            ([0] * 2 * nd if ap == "VALID" else list(pads))
        y = np_conv(x, w, b, ss, ds, rp, group)
        ints = {"strides": ss, "dilations": ds, "group": [group], "kernel_shape": ks,
                "resolved_pads": rp}
        if pads is not None:
            ints["pads"] = pads
        t = {"x": x, "w": w, "y": y}
        if b is not None:
            t["b"] = b
        emit("%s_%d" % (name, rep), "Conv", ints=ints,
             strs={"auto_pad": ap} if ap else None, tensors=t)

# ---------------------------------------------------------------- Pools
pool_cases = [
    # (name, x shape, kernel, strides, dilations, pads, ceil, auto_pad)
    ("2d_k3s1p1", (1, 3, 6, 7), (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 0, None),
    ("2d_k2s2", (2, 2, 8, 6), (2, 2), (2, 2), (1, 1), (0, 0, 0, 0), 0, None),
    ("2d_k3s2_ceil", (1, 2, 7, 8), (3, 3), (2, 2), (1, 1), (0, 0, 0, 0), 1, None),
    ("2d_k3s2_asym_ceil", (1, 2, 7, 6), (3, 2), (2, 2), (1, 1), (1, 0, 0, 1), 1, None),
    ("2d_dil2", (1, 2, 9, 8), (3, 2), (1, 2), (2, 2), (2, 1, 1, 2), 0, None),
    ("2d_dil2_ceil", (1, 1, 10, 9), (2, 3), (3, 2), (2, 2), (1, 1, 1, 0), 1, None),
    ("2d_asym_pads", (1, 3, 5, 6), (3, 3), (1, 2), (1, 1), (2, 0, 0, 1), 0, None),
    ("2d_same_upper", (1, 2, 7, 6), (3, 2), (2, 2), (1, 1), None, 0, "SAME_UPPER"),
    ("2d_same_lower", (1, 2, 7, 6), (3, 2), (2, 2), (1, 1), None, 0, "SAME_LOWER"),
    ("1d_k3s2p1", (1, 3, 11), (3,), (2,), (1,), (1, 1), 0, None),
    ("1d_ceil", (2, 2, 10), (3,), (2,), (1,), (0, 1), 1, None),
]
for (name, xs, ks, ss, ds, pads, ceil, ap) in pool_cases:
    nd = len(ks)
    rp = same_pads(xs[2:], ks, ss, ds, ap) if ap else list(pads)
    x = rnd(*xs)
    base = {"kernel_shape": ks, "strides": ss, "ceil_mode": [ceil], "resolved_pads": rp}
    if pads is not None:
        base["pads"] = pads
    strs = {"auto_pad": ap} if ap else None
    emit("maxpool_" + name, "MaxPool", ints=dict(base, dilations=ds), strs=strs,
         tensors={"x": x, "y": np_pool(x, ks, ss, ds, rp, ceil, "max")})
    for cip in (0, 1):
        emit("avgpool_%s_cip%d" % (name, cip), "AveragePool",
             ints=dict(base, dilations=ds, count_include_pad=[cip]), strs=strs,
             tensors={"x": x, "y": np_pool(x, ks, ss, ds, rp, ceil, "avg", cip)})

for xs in [(1, 3, 5, 4), (2, 4, 7), (1, 2, 3, 2, 2)]:
    x = rnd(*xs)
    ax = tuple(range(2, len(xs)))
    emit("gap_%dd" % (len(xs) - 2), "GlobalAveragePool",
         tensors={"x": x, "y": x.mean(axis=ax, keepdims=True)})
    emit("gmp_%dd" % (len(xs) - 2), "GlobalMaxPool",
         tensors={"x": x, "y": x.max(axis=ax, keepdims=True)})

# ---------------------------------------------------------------- Pad
for mode in ("constant", "reflect", "edge", "wrap"):
    for i, (xs, pads) in enumerate([((1, 2, 4, 5), (0, 0, 1, 2, 0, 0, 3, 1)),
                                    ((1, 3, 5), (0, 0, 2, 0, 1, 4)),
                                    ((2, 3, 4, 4), (0, 1, 0, 3, 1, 0, 2, 0)),
                                    ((1, 2, 5, 6), (0, 0, -1, 2, 0, 0, 1, -2))]):
        if mode == "wrap" and np.lib.NumpyVersion(np.__version__) < "1.0.0":
            continue
        x = rnd(*xs)
        r = len(xs)
        crop = tuple(slice(max(0, -pads[k]), xs[k] - max(0, -pads[k + r])) for k in range(r))
        pw = [(max(0, pads[k]), max(0, pads[k + r])) for k in range(r)]
        if mode == "constant":
            y = np.pad(x[crop], pw, mode="constant", constant_values=0.75)
        else:
            y = np.pad(x[crop], pw, mode=mode)
        emit("pad_%s_%d" % (mode, i), "Pad", ints={"pads": pads}, floats={"value": [0.75]},
             strs={"mode": mode}, tensors={"x": x, "y": y})

# ---------------------------------------------------------------- Concat
for i, (shapes, axis) in enumerate([([(1, 2, 3, 4), (1, 5, 3, 4), (1, 1, 3, 4)], 1),
                                    ([(2, 3, 4), (2, 3, 2)], -1),
                                    ([(1, 3, 2, 2), (2, 3, 2, 2)], 0),
                                    ([(1, 2, 3, 4), (1, 2, 1, 4)], 2),
                                    ([(4,), (3,)], 0)]):
    xs = [rnd(*s) for s in shapes]
    t = {"x%d" % k: v for k, v in enumerate(xs)}
    t["y"] = np.concatenate(xs, axis=axis)
    emit("concat_%d" % i, "Concat", ints={"axis": [axis], "n": [len(xs)]}, tensors=t)

# ---------------------------------------------------------------- Resize nearest


def np_resize(x, outs, scales, cm, nm):
    idx = []
    for a in range(x.ndim):
        i, o, s = x.shape[a], outs[a], scales[a]
        r = np.arange(o, dtype=np.float64)
        if cm == "half_pixel":
            xo = (r + 0.5) / s - 0.5
        elif cm == "asymmetric":
            xo = r / s
        elif cm == "align_corners":
            xo = r * (i - 1) / (o - 1) if o > 1 else np.zeros(o)
        elif cm == "pytorch_half_pixel":
            xo = (r + 0.5) / s - 0.5 if o > 1 else np.zeros(o)
        else:
            xo = (r + 0.5) / s
        if nm == "floor":
            v = np.floor(xo)
        elif nm == "ceil":
            v = np.ceil(xo)
        elif nm == "round_prefer_floor":
            v = np.where(xo - np.floor(xo) == 0.5, np.floor(xo), np.floor(xo + 0.5))
        else:
            v = np.where(xo - np.floor(xo) == 0.5, np.ceil(xo), np.floor(xo + 0.5))
        idx.append(np.clip(v.astype(np.int64), 0, i - 1))
    return x[np.ix_(*idx)]


rcases = [((1, 2, 3, 4), (1, 1, 2, 2)), ((1, 3, 4, 4), (1, 1, 0.5, 1.5)),
          ((1, 2, 5, 3), (1, 1, 1.6, 2.5)), ((2, 1, 4, 6), (1, 1, 3, 0.75))]
for cm in ("half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel",
           "tf_half_pixel_for_nn"):
    for nm in ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil"):
        for i, (xs, sc) in enumerate(rcases):
            x = rnd(*xs)
            outs = [int(np.floor(a * b)) for a, b in zip(xs, sc)]
            emit("resize_%s_%s_%d" % (cm, nm, i), "Resize", floats={"scales": sc},
                 ints={"out": outs}, strs={"coord": cm, "nearest": nm},
                 tensors={"x": x, "y": np_resize(x, outs, sc, cm, nm)})
for i, (xs, sc) in enumerate([((1, 2, 3, 3), (1, 1, 2, 3)), ((1, 1, 4), (1, 1, 2.5))]):
    x = rnd(*xs)
    outs = [int(np.floor(a * b)) for a, b in zip(xs, sc)]
    emit("upsample_%d" % i, "Upsample", floats={"scales": sc},
         tensors={"x": x, "y": np_resize(x, outs, sc, "asymmetric", "floor")})

# ---------------------------------------------------------------- elementwise
x = rnd(2, 3, 4, 5) * 3
emit("clip", "Clip", floats={"lo": [-0.5], "hi": [1.25]},
     tensors={"x": x, "y": np.clip(x, -0.5, 1.25)})
emit("relu6", "Clip", floats={"lo": [0], "hi": [6]}, tensors={"x": x, "y": np.clip(x, 0, 6)})
for a in (0.01, 0.2, 1.5):
    emit("leakyrelu_%g" % a, "LeakyRelu", floats={"alpha": [a]},
         tensors={"x": x, "y": np.where(x >= 0, x, a * x)})
    emit("elu_%g" % a, "Elu", floats={"alpha": [a]},
         tensors={"x": x, "y": np.where(x >= 0, x, a * (np.exp(x) - 1))})
sa, sg = 1.67326319217681884765625, 1.05070102214813232421875
emit("selu", "Selu", floats={"alpha": [sa], "gamma": [sg]},
     tensors={"x": x, "y": np.where(x > 0, sg * x, sg * sa * (np.exp(x) - 1))})
emit("selu_custom", "Selu", floats={"alpha": [2.0], "gamma": [3.0]},
     tensors={"x": x, "y": np.where(x > 0, 3.0 * x, 6.0 * (np.exp(x) - 1))})
for i, ss in enumerate([(3, 1, 1), (1,), (4, 5), (2, 3, 4, 5)]):
    s = rnd(*ss)
    emit("prelu_%d" % i, "PRelu", tensors={"x": x, "slope": s, "y": np.where(x >= 0, x, s * x)})
for i, (sa_, sb_) in enumerate([((2, 3, 4), (2, 3, 4)), ((1, 3, 1, 1), (2, 3, 4, 5)),
                                ((4, 1), (3, 1, 5)), ((), (2, 2)), ((5,), (3, 1))]):
    a, b = rnd(*sa_), rnd(*sb_)
    emit("mul_%d" % i, "Mul", tensors={"a": a, "b": b, "y": a * b})
for i, (xs, perm) in enumerate([((2, 3, 4), (2, 0, 1)), ((1, 3, 4, 5), (0, 2, 3, 1)),
                                ((1, 4, 5, 3), (0, 3, 1, 2)), ((2, 3, 4, 5), ()),
                                ((2, 3, 1, 4, 2), (4, 1, 3, 0, 2))]):
    x2 = rnd(*xs)
    emit("transpose_%d" % i, "Transpose", ints={"perm": perm},
         tensors={"x": x2, "y": np.transpose(x2, perm if perm else None)})
for i, xs in enumerate([(1, 3, 4, 5), (2, 4, 6), (2, 5)]):
    C = xs[1]
    x2 = rnd(*xs)
    sc, bi, mu = rnd(C), rnd(C), rnd(C)
    var = rng.uniform(0.1, 2.0, C)
    sh = (1, C) + (1,) * (len(xs) - 2)
    y = sc.reshape(sh) * (x2 - mu.reshape(sh)) / np.sqrt(var.reshape(sh) + 1e-5) + bi.reshape(sh)
    emit("batchnorm_%d" % i, "BatchNormalization", floats={"epsilon": [1e-5]},
         tensors={"x": x2, "scale": sc, "bias": bi, "mean": mu, "var": var, "y": y})

out.close()
print("wrote %d cases" % count)
