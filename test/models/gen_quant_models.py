#!/usr/bin/python3
"""Writes small, deterministic quantized ONNX models for Loom's tests (issue 4).

Usage:  /usr/bin/python3 test/models/gen_quant_models.py OUT_DIR

Needs onnx 1.12 + numpy (Debian's /usr/bin/python3). For every model NAME it
writes OUT_DIR/NAME.onnx and OUT_DIR/NAME/test_data_set_0/{input_0.pb,
output_0.pb}: the expected output comes from eval_graph below, an independent
numpy implementation of the ONNX / QONNX semantics of every op used here
(QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, QLinearAdd,
Quant, BipolarQuant, ...), written from the operator specifications, not from
Loom's code. Quantize steps use f32 arithmetic and round half to even as ONNX
Runtime does; QLinear* requantize in f32 (acc * (s_x * s_w / s_y)) like ONNX
Runtime's kernels. `output_scale` in the model's metadata_props is the output
quantization step: Loom must agree with output_0.pb to within one step.

Models (input uniform in [-1, 1), batch 1):

  qdq_mlp        QDQ (ORT style, opset 13): Q/DQ uint8 input -> Gemm (int8
                 per-channel weights, int32 bias) 16->8 -> Relu -> Q/DQ uint8 ->
                 Gemm (per-tensor) 8->4 -> Q/DQ uint8 (zp 128) -> output.
  qdq_softmax    QDQ classifier as ONNX Runtime writes it: Q/DQ input -> Gemm 8->6
                 -> Q/DQ (scale 0.05, zp 128) -> Softmax -> Q/DQ (1/256, zp 0) -> output.
  qdq_cnn        QDQ: [1,3,8,8] -> Conv3x3 pad1 3->4 (per-channel) -> Relu -> Q/DQ
                 -> MaxPool2 -> Conv3x3 stride2 pad1 4->6 -> Q/DQ -> Flatten ->
                 Gemm 24->5 -> Q/DQ int8 -> output.
  qdq_residual   QDQ: [1,4,6,6] -> Conv3x3 pad1 -> Relu -> Q/DQ -> Conv3x3 pad1 ->
                 Q/DQ -> Add (skip) -> Relu -> Q/DQ -> GlobalAveragePool -> Q/DQ
                 (same quantizer) -> Flatten -> Gemm 4->3 -> Q/DQ -> output.
  qop_cnn        QOperator: QuantizeLinear -> QLinearConv 3x3 pad1 3->4 (per-channel
                 w_scale, int32 bias) -> QLinearConv 3x3 stride2 4->4 -> MaxPool2 ->
                 Flatten -> QLinearMatMul 16->5 -> DequantizeLinear.  opset 13
  qop_add        QOperator with com.microsoft QLinearAdd: QuantizeLinear ->
                 QLinearConv 3x3 pad1 2->2 -> QLinearAdd(conv, input) ->
                 DequantizeLinear.  [1,2,5,5]
  qonnx_mlp4     QONNX: Quant (4-bit signed, scale 2^-3) -> Gemm (Quant 4-bit
                 narrow per-channel weights, float bias) -> Relu -> Quant (4-bit
                 unsigned) -> Gemm -> Quant (8-bit signed) -> output.
  qonnx_mlp3_bn  FINN TFC style: Quant (8-bit) -> 3 x [MatMul (Quant 3-bit narrow weights)
                 -> BatchNormalization -> (Relu) -> Quant (3-bit)] ... -> Quant (8-bit).
                 [1,32] -> 48 -> 24 -> 10
  qonnx_conv_bn  Brevitas style: Quant (8-bit) -> Conv3x3 pad1 (Quant 4-bit narrow
                 per-channel weights, no bias) -> BatchNormalization (one negative
                 scale) -> Relu -> Quant (4-bit unsigned) -> GlobalAveragePool ->
                 Quant (same quantizer) -> Flatten -> Gemm (Quant 4-bit) -> Quant
                 (8-bit) -> output.  [1,2,6,6] -> 3
  qonnx_bnn      QONNX binary: BipolarQuant -> MatMul (BipolarQuant weights) +
                 Quant bias -> BipolarQuant -> MatMul (BipolarQuant weights) ->
                 output (the accumulator).  [1,16] -> 8 -> 4
  qdq_flatten_gemm  QDQ with data movement inside quantizer pairs: Conv -> Relu ->
                 Flatten -> Q (requantized through the Flatten), Gemm -> Reshape ->
                 Q, DQ -> Flatten -> Gemm.  [1,2,4,4] -> 4
  qdq_concat_requant  Concat of two convs in different quantizers into a third,
                 MaxPool -> Q/DQ at a new scale (requantization without a layer).
  qdq_sigmoid    Sigmoid, Tanh (after convs) and LeakyRelu (after MaxPool) between
                 quantizers (exact tables on codes).  [1,2,4,4] -> 3
  qop_matmul3d   QLinearMatMul with a 3-D A [1,2,8], uint8 B with one scale and a
                 zero point per column.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_conv_models import conv2d, pool2d  # noqa: E402  (float kernels, self-tested there)

FLOAT, UINT8, INT8, INT32 = TensorProto.FLOAT, TensorProto.UINT8, TensorProto.INT8, TensorProto.INT32
F32 = np.float32
QONNX = "qonnx.custom_op.general"
MODELS = ["qdq_mlp", "qdq_softmax", "qdq_cnn", "qdq_residual", "qop_cnn", "qop_add", "qonnx_mlp4", "qonnx_mlp3_bn",
          "qonnx_conv_bn",
          "qonnx_bnn", "qdq_flatten_gemm", "qdq_concat_requant", "qdq_sigmoid",
          "qop_matmul3d"]
MODELS += ["qonnx_avgpool_trunc", "qonnx_avgpool3_trunc", "qonnx_trunc_shift",  # QONNX Trunc
           "qonnx_qkeras_style"]

written = []


def rng_for(name):
    seed = sum((i + 1) * ord(c) for i, c in enumerate(name)) % (2**31)
    return np.random.RandomState(seed)


# --- ONNX / QONNX semantics in numpy ---------------------------------------------------
def qrange(dtype):
    return (0, 255) if dtype == np.uint8 else (-128, 127) if dtype == np.int8 else \
        (-2**31, 2**31 - 1)


def bshape(scale, axis, ndim):
    """Broadcast shape of a per-axis parameter."""
    s = np.asarray(scale)
    if s.ndim == 0 or s.size == 1:
        return s.reshape(())
    sh = [1] * ndim
    sh[axis] = s.size
    return s.reshape(sh)


def quantize_linear(x, s, zp, axis=1):
    dtype = np.asarray(zp).dtype
    lo, hi = qrange(dtype)
    q = np.rint(np.asarray(x, F32) / bshape(np.asarray(s, F32), axis, np.ndim(x)).astype(F32))
    q = q + bshape(zp, axis, np.ndim(x)).astype(np.float64)
    return np.clip(q, lo, hi).astype(dtype)


def dequantize_linear(q, s, zp, axis=1):
    nd = np.ndim(q)
    return ((np.asarray(q, np.int64) - bshape(zp, axis, nd).astype(np.int64)).astype(F32)
            * bshape(np.asarray(s, F32), axis, nd))


def qonnx_minmax(bits, signed, narrow):
    if signed:
        return -(2 ** (bits - 1)) + (1 if narrow else 0), 2 ** (bits - 1) - 1
    return 0, 2 ** bits - 1 - (1 if narrow else 0)


def qonnx_quant(x, s, zp, bits, signed, narrow, mode="ROUND"):
    lo, hi = qonnx_minmax(int(bits), signed, narrow)
    s = np.asarray(s, F32)
    y = np.asarray(x, F32) / s + np.asarray(zp, F32)
    y = QONNX_ROUND[mode.upper()](y)  # qonnx upper-cases the mode
    return ((np.clip(y, lo, hi) - np.asarray(zp, F32)) * s).astype(F32)


def requant_f32(acc, real_mult, zp, dtype):
    """ONNX Runtime's QLinear* requantization: f32(acc) * f32(scale), rint, + zp, clip."""
    lo, hi = qrange(dtype)
    y = np.rint(np.asarray(acc, F32) * np.asarray(real_mult, F32)) + np.asarray(zp, np.float64)
    return np.clip(y, lo, hi).astype(dtype)


def int_conv(x, zx, w, zw, b, stride, pads, group=1):
    xi = np.asarray(x, np.int64) - np.int64(zx)
    wi = np.asarray(w, np.int64) - np.asarray(zw, np.int64).reshape(-1, 1, 1, 1) \
        if np.size(zw) > 1 else np.asarray(w, np.int64) - np.int64(zw)
    # Integers up to ~2^20: exact in float64.
    acc = conv2d(xi.astype(np.float64), wi.astype(np.float64), None, stride, pads, (1, 1), group)
    if b is not None:
        acc = acc + np.asarray(b, np.float64)[None, :, None, None]
    return np.rint(acc).astype(np.int64)


def eval_graph(model, x):
    g = model.graph
    env = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    env[g.input[0].name] = x

    def at(n, name, default=None):
        for a in n.attribute:
            if a.name == name:
                v = helper.get_attribute_value(a)
                return v.decode() if isinstance(v, bytes) else v
        return default

    for n in g.node:
        i = [env[name] if name else None for name in n.input]
        op = n.op_type
        if op == "QuantizeLinear":
            r = quantize_linear(i[0], i[1], i[2], at(n, "axis", 1))
        elif op == "DequantizeLinear":
            zp = i[2] if len(i) > 2 and i[2] is not None else np.zeros_like(i[1], np.int64)
            r = dequantize_linear(i[0], i[1], zp, at(n, "axis", 1))
        elif op == "Quant":
            r = qonnx_quant(i[0], i[1], i[2], i[3], at(n, "signed", 1), at(n, "narrow", 0),
                            at(n, "rounding_mode", "ROUND"))
        elif op == "BipolarQuant":
            r = (np.where(np.asarray(i[0]) >= 0, 1.0, -1.0) * np.asarray(i[1], F32)).astype(F32)
        elif op == "Conv":
            pads = at(n, "pads", [0, 0, 0, 0])
            r = conv2d(i[0], i[1], i[2] if len(i) > 2 else None, tuple(at(n, "strides", [1, 1])),
                       (pads[0], pads[1], pads[2], pads[3]), (1, 1), at(n, "group", 1)).astype(F32)
        elif op == "QLinearConv":
            pads = at(n, "pads", [0, 0, 0, 0])
            acc = int_conv(i[0], i[2], i[3], i[5], i[8] if len(i) > 8 else None,
                           tuple(at(n, "strides", [1, 1])), (pads[0], pads[1], pads[2], pads[3]),
                           at(n, "group", 1))
            mult = (F32(i[1]) * np.asarray(i[4], F32) / F32(i[6])).astype(F32)
            r = requant_f32(acc, bshape(mult, 1, 4), i[7], i[7].dtype)
        elif op == "QLinearMatMul":
            a = np.asarray(i[0], np.int64) - np.int64(np.asarray(i[2]).reshape(()))
            bm = np.asarray(i[3], np.int64) - np.asarray(i[5], np.int64).reshape(1, -1)
            acc = a @ bm
            mult = (F32(np.asarray(i[1]).reshape(())) * np.asarray(i[4], F32).reshape(1, -1)
                    / F32(np.asarray(i[6]).reshape(()))).astype(F32)
            r = requant_f32(acc, mult, np.asarray(i[7]).reshape(()), np.asarray(i[7]).dtype)
        elif op == "QLinearAdd":
            fa = dequantize_linear(i[0], i[1], i[2])
            fb = dequantize_linear(i[3], i[4], i[5])
            r = quantize_linear(fa + fb, i[6], i[7])
        elif op == "MaxPool":
            k = at(n, "kernel_shape")
            r = pool2d(np.asarray(i[0], np.float64), tuple(k), tuple(at(n, "strides", k)),
                       mode="max").astype(i[0].dtype)
        elif op == "GlobalAveragePool":
            r = np.asarray(i[0], F32).mean(axis=(2, 3), keepdims=True, dtype=np.float64).astype(F32)
        elif op == "Softmax":
            v = np.asarray(i[0], np.float64)
            e = np.exp(v - v.max(axis=-1, keepdims=True))
            r = (e / e.sum(axis=-1, keepdims=True)).astype(F32)
        elif op == "BatchNormalization":
            sh = (1, -1) + (1,) * (np.ndim(i[0]) - 2)
            r = ((np.asarray(i[0], np.float64) - i[3].reshape(sh)) /
                 np.sqrt(i[4].reshape(sh).astype(np.float64) + at(n, "epsilon", 1e-5))
                 * i[1].reshape(sh) + i[2].reshape(sh)).astype(F32)
        elif op == "Relu":
            r = np.maximum(i[0], 0).astype(i[0].dtype)
        elif op == "Add":
            r = (np.asarray(i[0], np.float64) + np.asarray(i[1], np.float64)).astype(F32)
        elif op == "Flatten":
            r = i[0].reshape(i[0].shape[0], -1)
        elif op == "Gemm":
            b = i[1].T if at(n, "transB", 0) else i[1]
            r = (np.asarray(i[0], np.float64) @ np.asarray(b, np.float64)
                 + (np.asarray(i[2], np.float64) if len(i) > 2 else 0)).astype(F32)
        elif op == "MatMul":
            r = (np.asarray(i[0], np.float64) @ np.asarray(i[1], np.float64)).astype(F32)
        elif op in EVAL_MORE:
            r = EVAL_MORE[op](n, i, at)
        else:
            raise NotImplementedError(op)
        env[n.output[0]] = r
    return env[g.output[0].name]


# Element-wise functions and data movement (ONNX operator specs; f32 results as
# ONNX Runtime's float kernels produce them).
def _f64(v):
    return np.asarray(v, np.float64)


EVAL_MORE = {
    "Sigmoid": lambda n, i, at: (1.0 / (1.0 + np.exp(-_f64(i[0])))).astype(F32),
    "Tanh": lambda n, i, at: np.tanh(_f64(i[0])).astype(F32),
    "LeakyRelu": lambda n, i, at: np.where(i[0] >= 0, i[0],
                                           F32(at(n, "alpha", 0.01)) * np.asarray(i[0], F32)).astype(F32),
    "Elu": lambda n, i, at: np.where(i[0] >= 0, _f64(i[0]),
                                     at(n, "alpha", 1.0) * (np.exp(_f64(i[0])) - 1.0)).astype(F32),
    "Concat": lambda n, i, at: np.concatenate(i, axis=at(n, "axis")),
    "Reshape": lambda n, i, at: np.reshape(i[0], [d if d != 0 else i[0].shape[k]
                                                  for k, d in enumerate(np.asarray(i[1]))]),
}


# --- graph building --------------------------------------------------------------------
class G:
    """Accumulates nodes and initializers; names come from the caller."""

    def __init__(self, name):
        self.name, self.nodes, self.inits, self.n = name, [], [], 0

    def c(self, name, arr):
        self.inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def node(self, op, ins, name, domain="", **attrs):
        out = name + "_out"
        self.nodes.append(helper.make_node(op, ins, [out], name=name, domain=domain, **attrs))
        return out

    def qdq(self, x, name, s, zp):
        """QuantizeLinear -> DequantizeLinear (an activation quantizer)."""
        sn = self.c(name + "_scale", np.asarray(s, F32))
        zn = self.c(name + "_zp", zp)
        q = self.node("QuantizeLinear", [x, sn, zn], name + "_q")
        return self.node("DequantizeLinear", [q, sn, zn], name + "_dq")

    def dq_const(self, name, q, s, zp=None, axis=None):
        ins = [self.c(name, q), self.c(name + "_scale", np.asarray(s, F32))]
        if zp is not None:
            ins.append(self.c(name + "_zp", zp))
        kw = {} if axis is None else {"axis": axis}
        return self.node("DequantizeLinear", ins, name + "_dq", **kw)


def sym_int8(w, axis):
    """Per-channel symmetric int8 weights along `axis` (0 for Gemm transB / Conv)."""
    red = tuple(a for a in range(w.ndim) if a != axis)
    s = (np.abs(w).max(axis=red) / 127.0).astype(F32)
    sh = [1] * w.ndim
    sh[axis] = -1
    q = np.clip(np.rint(w / s.reshape(sh)), -127, 127).astype(np.int8)
    return q, s


def save(out_dir, name, g, in_shape, out_shape, opset, out_scale, domains=(), out_elem=FLOAT):
    graph = helper.make_graph(g.nodes, name, [helper.make_tensor_value_info("x", FLOAT, in_shape)],
                              [helper.make_tensor_value_info(g.nodes[-1].output[0], out_elem,
                                                             out_shape)],
                              initializer=g.inits)
    imports = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    model = helper.make_model(graph, opset_imports=imports, producer_name="loom-gen")
    model.ir_version = 7
    helper.set_model_props(model, {"output_scale": repr(float(out_scale))})
    if not domains:
        onnx.checker.check_model(model)
    path = os.path.join(out_dir, name + ".onnx")
    onnx.save(model, path)
    written.append(path)
    x = rng_for(name + "/data").uniform(-1.0, 1.0, size=in_shape).astype(F32)
    y = np.asarray(eval_graph(model, x))
    assert list(y.shape) == list(out_shape), (name, y.shape, out_shape)
    d = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(d, exist_ok=True)
    for fname, arr, tname in (("input_0.pb", x, "x"), ("output_0.pb", y, graph.output[0].name)):
        p = os.path.join(d, fname)
        with open(p, "wb") as f:
            f.write(numpy_helper.from_array(arr, tname).SerializeToString())
        written.append(p)


def u8(v):
    return np.uint8(v)


# --- models ----------------------------------------------------------------------------
def qdq_gemm(g, x, name, w, b, s_in):
    """Gemm(transB) with int8 per-channel weights and an int32 bias at s_in * s_w."""
    wq, ws = sym_int8(w, 0)
    wdq = g.dq_const(name + "_w", wq, ws, np.zeros(len(ws), np.int8), axis=0)
    bs = (F32(s_in) * ws).astype(F32)
    bq = np.rint(b / bs).astype(np.int32)
    bdq = g.dq_const(name + "_b", bq, bs, np.zeros(len(bs), np.int32), axis=0)
    return g.node("Gemm", [x, wdq, bdq], name, transB=1)


def qdq_conv(g, x, name, w, b, s_in, **attrs):
    wq, ws = sym_int8(w, 0)
    wdq = g.dq_const(name + "_w", wq, ws, np.zeros(len(ws), np.int8), axis=0)
    bs = (F32(s_in) * ws).astype(F32)
    bdq = g.dq_const(name + "_b", np.rint(b / bs).astype(np.int32), bs,
                     np.zeros(len(bs), np.int32), axis=0)
    return g.node("Conv", [x, wdq, bdq], name, **attrs)


def qdq_mlp(out):
    r = rng_for("qdq_mlp")
    g = G("qdq_mlp")
    s0, s1, s2 = 2.0 / 255, 0.02, 0.015
    x = g.qdq("x", "in", s0, u8(128))
    h = qdq_gemm(g, x, "fc1", r.uniform(-0.5, 0.5, (8, 16)), r.uniform(-0.2, 0.2, 8), s0)
    h = g.node("Relu", [h], "relu1")
    h = g.qdq(h, "act1", s1, u8(0))
    y = qdq_gemm(g, h, "fc2", r.uniform(-0.5, 0.5, (4, 8)), r.uniform(-0.2, 0.2, 4), s1)
    g.qdq(y, "out", s2, u8(128))
    save(out, "qdq_mlp", g, [1, 16], [1, 4], 13, s2)


def qdq_softmax(out):
    r = rng_for("qdq_softmax")
    g = G("qdq_softmax")
    s0, s1, s2 = 2.0 / 255, 0.05, 1.0 / 256
    x = g.qdq("x", "in", s0, u8(128))
    h = qdq_gemm(g, x, "fc", r.uniform(-2, 2, (6, 8)), r.uniform(-0.5, 0.5, 6), s0)
    h = g.qdq(h, "logits", s1, u8(128))
    h = g.node("Softmax", [h], "softmax", axis=-1)
    g.qdq(h, "probs", s2, u8(0))
    save(out, "qdq_softmax", g, [1, 8], [1, 6], 13, s2)


def qdq_cnn(out):
    r = rng_for("qdq_cnn")
    g = G("qdq_cnn")
    s0, s1, s2, s3 = 2.0 / 255, 0.01, 0.012, 0.01
    x = g.qdq("x", "in", s0, u8(128))
    h = qdq_conv(g, x, "conv1", r.uniform(-0.4, 0.4, (4, 3, 3, 3)), r.uniform(-0.1, 0.1, 4), s0,
                 pads=[1, 1, 1, 1])
    h = g.node("Relu", [h], "relu1")
    h = g.qdq(h, "act1", s1, u8(0))
    h = g.node("MaxPool", [h], "pool1", kernel_shape=[2, 2], strides=[2, 2])
    h = g.qdq(h, "pool1q", s1, u8(0))
    h = qdq_conv(g, h, "conv2", r.uniform(-0.4, 0.4, (6, 4, 3, 3)), r.uniform(-0.1, 0.1, 6), s1,
                 pads=[1, 1, 1, 1], strides=[2, 2])
    h = g.qdq(h, "act2", s2, u8(128))
    h = g.node("Flatten", [h], "flat")
    y = qdq_gemm(g, h, "fc", r.uniform(-0.3, 0.3, (5, 24)), r.uniform(-0.1, 0.1, 5), s2)
    g.qdq(y, "out", s3, np.int8(0))
    save(out, "qdq_cnn", g, [1, 3, 8, 8], [1, 5], 13, s3)


def qdq_residual(out):
    r = rng_for("qdq_residual")
    g = G("qdq_residual")
    s0, s1, s2, s3, s4 = 2.0 / 255, 0.01, 0.012, 0.015, 0.01
    x = g.qdq("x", "in", s0, u8(128))
    a = qdq_conv(g, x, "conv1", r.uniform(-0.4, 0.4, (4, 4, 3, 3)), r.uniform(-0.1, 0.1, 4), s0,
                 pads=[1, 1, 1, 1])
    a = g.node("Relu", [a], "relu1")
    a = g.qdq(a, "act1", s1, u8(0))
    b = qdq_conv(g, a, "conv2", r.uniform(-0.4, 0.4, (4, 4, 3, 3)), r.uniform(-0.1, 0.1, 4), s1,
                 pads=[1, 1, 1, 1])
    b = g.qdq(b, "act2", s2, u8(128))
    h = g.node("Add", [b, a], "add")
    h = g.node("Relu", [h], "relu2")
    h = g.qdq(h, "act3", s3, u8(0))
    h = g.node("GlobalAveragePool", [h], "gap")
    h = g.qdq(h, "gapq", s3, u8(0))
    h = g.node("Flatten", [h], "flat")
    y = qdq_gemm(g, h, "fc", r.uniform(-0.5, 0.5, (3, 4)), r.uniform(-0.1, 0.1, 3), s3)
    g.qdq(y, "out", s4, u8(128))
    save(out, "qdq_residual", g, [1, 4, 6, 6], [1, 3], 13, s4)


def qlinear_conv(g, x, name, sx, zx, w, b, sy, zy, **attrs):
    wq, ws = sym_int8(w, 0)
    bq = np.rint(b / (F32(sx) * ws)).astype(np.int32)
    ins = [x, g.c(name + "_xs", F32(sx)), g.c(name + "_xz", zx), g.c(name + "_w", wq),
           g.c(name + "_ws", ws), g.c(name + "_wz", np.zeros(len(ws), np.int8)),
           g.c(name + "_ys", F32(sy)), g.c(name + "_yz", zy), g.c(name + "_b", bq)]
    return g.node("QLinearConv", ins, name, **attrs)


def qop_cnn(out):
    r = rng_for("qop_cnn")
    g = G("qop_cnn")
    s0, s1, s2, s3 = 2.0 / 255, 0.01, 0.012, 0.02
    q = g.node("QuantizeLinear", ["x", g.c("in_s", F32(s0)), g.c("in_z", u8(128))], "in_q")
    h = qlinear_conv(g, q, "conv1", s0, u8(128), r.uniform(-0.4, 0.4, (4, 3, 3, 3)),
                     r.uniform(-0.1, 0.1, 4), s1, u8(0), pads=[1, 1, 1, 1])
    h = qlinear_conv(g, h, "conv2", s1, u8(0), r.uniform(-0.4, 0.4, (4, 4, 3, 3)),
                     r.uniform(-0.1, 0.1, 4), s2, u8(128), strides=[2, 2])
    h = g.node("MaxPool", [h], "pool", kernel_shape=[2, 2], strides=[2, 2])
    h = g.node("Flatten", [h], "flat")
    bw = r.uniform(-0.3, 0.3, (4, 5))
    bq, bs = sym_int8(bw.T, 0)
    h = g.node("QLinearMatMul", [h, g.c("mm_as", F32(s2)), g.c("mm_az", u8(128)),
                                 g.c("mm_b", np.ascontiguousarray(bq.T)), g.c("mm_bs", bs),
                                 g.c("mm_bz", np.zeros(5, np.int8)), g.c("mm_ys", F32(s3)),
                                 g.c("mm_yz", u8(100))], "mm")
    g.node("DequantizeLinear", [h, g.c("out_s", F32(s3)), g.c("out_z", u8(100))], "out_dq")
    save(out, "qop_cnn", g, [1, 3, 8, 8], [1, 5], 13, s3)


def qop_add(out):
    r = rng_for("qop_add")
    g = G("qop_add")
    s0, s1, s2 = 2.0 / 255, 0.01, 0.015
    q = g.node("QuantizeLinear", ["x", g.c("in_s", F32(s0)), g.c("in_z", u8(128))], "in_q")
    h = qlinear_conv(g, q, "conv", s0, u8(128), r.uniform(-0.4, 0.4, (2, 2, 3, 3)),
                     r.uniform(-0.1, 0.1, 2), s1, u8(128), pads=[1, 1, 1, 1])
    h = g.node("QLinearAdd", [h, g.c("add_as", F32(s1)), g.c("add_az", u8(128)),
                              q, g.c("add_bs", F32(s0)), g.c("add_bz", u8(128)),
                              g.c("add_ys", F32(s2)), g.c("add_yz", u8(128))], "add",
               domain="com.microsoft")
    g.node("DequantizeLinear", [h, g.c("out_s", F32(s2)), g.c("out_z", u8(128))], "out_dq")
    save(out, "qop_add", g, [1, 2, 5, 5], [1, 2, 5, 5], 13, s2, domains=("com.microsoft",))


def quant(g, x, name, s, zp, bits, signed=1, narrow=0):
    ins = [x, g.c(name + "_s", np.asarray(s, F32)), g.c(name + "_z", F32(zp)),
           g.c(name + "_b", F32(bits))]
    return g.node("Quant", ins, name, domain=QONNX, signed=signed, narrow=narrow,
                  rounding_mode="ROUND")


def qonnx_mlp4(out):
    r = rng_for("qonnx_mlp4")
    g = G("qonnx_mlp4")
    x = quant(g, "x", "in_quant", 2.0 ** -3, 0, 4)
    w1 = r.uniform(-0.5, 0.5, (6, 8)).astype(F32)
    s1 = (np.abs(w1).max(axis=1) / 7).astype(F32).reshape(6, 1)
    w1q = quant(g, g.c("fc1_w", w1), "fc1_wquant", s1, 0, 4, narrow=1)
    h = g.node("Gemm", [x, w1q, g.c("fc1_b", r.uniform(-0.2, 0.2, 6).astype(F32))], "fc1",
               transB=1)
    h = g.node("Relu", [h], "relu1")
    h = quant(g, h, "act1_quant", 0.05, 0, 4, signed=0)
    w2 = r.uniform(-0.5, 0.5, (3, 6)).astype(F32)
    w2q = quant(g, g.c("fc2_w", w2), "fc2_wquant", F32(np.abs(w2).max() / 7), 0, 4, narrow=1)
    h = g.node("Gemm", [h, w2q, g.c("fc2_b", r.uniform(-0.1, 0.1, 3).astype(F32))], "fc2",
               transB=1)
    quant(g, h, "out_quant", 2.0 ** -5, 0, 8)
    save(out, "qonnx_mlp4", g, [1, 8], [1, 3], 13, 2.0 ** -5, domains=(QONNX,))


def qonnx_mlp3_bn(out):
    """FINN TFC-style 3-bit MLP as Brevitas exports it: MatMul (3-bit narrow
    weights) -> float BatchNormalization -> Quant (3-bit) per layer. The
    folded BatchNorm bias is not a whole accumulator step: the output integer
    must still be the float graph's (docs/CONTRACTS.md, post-multiply bias)."""
    r = rng_for("qonnx_mlp3_bn")
    g = G("qonnx_mlp3_bn")
    h = quant(g, "x", "in_quant", 2.0 ** -5, 0, 8)
    dims = [32, 48, 24, 10]
    for li in range(3):
        name = "fc%d" % (li + 1)
        w = r.uniform(-1, 1, (dims[li], dims[li + 1])).astype(F32)
        wq = quant(g, g.c(name + "_w", w), name + "_wquant", F32(np.abs(w).max() / 3), 0, 3,
                   narrow=1)
        h = g.node("MatMul", [h, wq], name)
        if li == 2:
            break
        n = dims[li + 1]
        gamma = r.uniform(0.3, 1.5, n).astype(F32)
        gamma[1] = -gamma[1]
        bn = [g.c(name + "_bn_scale", gamma), g.c(name + "_bn_bias", r.normal(0, 0.5, n).astype(F32)),
              g.c(name + "_bn_mean", r.normal(0, 2, n).astype(F32)),
              g.c(name + "_bn_var", r.uniform(2, 20, n).astype(F32))]
        h = g.node("BatchNormalization", [h] + bn, name + "_bn", epsilon=1e-4)
        if li == 1:
            h = g.node("Relu", [h], name + "_relu")
            h = quant(g, h, name + "_act_quant", 0.25, 0, 3, signed=0)
        else:
            h = quant(g, h, name + "_act_quant", 0.5, 0, 3)
    quant(g, h, "out_quant", 2.0 ** -3, 0, 8)
    save(out, "qonnx_mlp3_bn", g, [1, 32], [1, 10], 13, 2.0 ** -3, domains=(QONNX,))


def qonnx_conv_bn(out):
    r = rng_for("qonnx_conv_bn")
    g = G("qonnx_conv_bn")
    x = quant(g, "x", "in_quant", 2.0 ** -7, 0, 8)
    w = r.uniform(-0.5, 0.5, (3, 2, 3, 3)).astype(F32)
    ws = (np.abs(w).reshape(3, -1).max(axis=1) / 7).astype(F32).reshape(3, 1, 1, 1)
    wq = quant(g, g.c("conv_w", w), "conv_wquant", ws, 0, 4, narrow=1)
    h = g.node("Conv", [x, wq], "conv", pads=[1, 1, 1, 1])
    bn = [g.c("bn_scale", np.array([1.5, -0.8, 0.6], F32)),
          g.c("bn_bias", np.array([0.1, 0.3, -0.05], F32)),
          g.c("bn_mean", np.array([0.05, -0.1, 0.0], F32)),
          g.c("bn_var", np.array([0.5, 1.2, 0.3], F32))]
    h = g.node("BatchNormalization", [h] + bn, "bn", epsilon=1e-5)
    h = g.node("Relu", [h], "relu")
    h = quant(g, h, "act_quant", 0.1, 0, 4, signed=0)
    h = g.node("GlobalAveragePool", [h], "gap")
    h = quant(g, h, "gap_quant", 0.1, 0, 4, signed=0)
    h = g.node("Flatten", [h], "flat")
    w2 = r.uniform(-0.8, 0.8, (3, 3)).astype(F32)
    w2q = quant(g, g.c("fc_w", w2), "fc_wquant", F32(np.abs(w2).max() / 7), 0, 4, narrow=1)
    h = g.node("Gemm", [h, w2q, g.c("fc_b", r.uniform(-0.1, 0.1, 3).astype(F32))], "fc",
               transB=1)
    quant(g, h, "out_quant", 2.0 ** -5, 0, 8)
    save(out, "qonnx_conv_bn", g, [1, 2, 6, 6], [1, 3], 13, 2.0 ** -5, domains=(QONNX,))


def qonnx_bnn(out):
    r = rng_for("qonnx_bnn")
    g = G("qonnx_bnn")
    one = g.c("one", F32(1.0))

    def bq(x, name):
        return g.node("BipolarQuant", [x, one], name, domain=QONNX)

    x = bq("x", "in_bq")
    w1 = bq(g.c("fc1_w", r.uniform(-1, 1, (16, 8)).astype(F32)), "fc1_wbq")
    h = g.node("MatMul", [x, w1], "fc1")
    b1 = quant(g, g.c("fc1_b", np.rint(r.uniform(-4, 4, 8)).astype(F32)), "fc1_bquant", F32(1.0),
               0, 4)
    h = g.node("Add", [h, b1], "fc1_add")
    h = bq(h, "act1_bq")
    w2 = bq(g.c("fc2_w", r.uniform(-1, 1, (8, 4)).astype(F32)), "fc2_wbq")
    g.node("MatMul", [h, w2], "fc2")
    save(out, "qonnx_bnn", g, [1, 16], [1, 4], 13, 1.0, domains=(QONNX,))


def qdq_flatten_gemm(out):
    """ORT QDQ with data movement inside quantizer pairs: Conv -> Relu ->
    Flatten -> Q (the conv requantizes through the Flatten), Gemm -> Reshape ->
    Q, DQ -> Flatten -> Gemm."""
    r = rng_for("qdq_flatten_gemm")
    g = G("qdq_flatten_gemm")
    s0, s1, s2, s3 = 2.0 / 255, 0.01, 0.02, 0.015
    x = g.qdq("x", "in", s0, u8(128))
    h = qdq_conv(g, x, "conv", r.uniform(-0.4, 0.4, (3, 2, 3, 3)), r.uniform(-0.1, 0.1, 3), s0,
                 pads=[1, 1, 1, 1])
    h = g.node("Relu", [h], "relu")
    h = g.node("Flatten", [h], "flat1")
    h = g.qdq(h, "act1", s1, u8(0))
    h = qdq_gemm(g, h, "fc1", r.uniform(-0.3, 0.3, (6, 48)), r.uniform(-0.1, 0.1, 6), s1)
    h = g.node("Reshape", [h, g.c("shape23", np.array([1, 2, 3], np.int64))], "reshape")
    h = g.qdq(h, "act2", s2, u8(128))
    h = g.node("Flatten", [h], "flat2")
    y = qdq_gemm(g, h, "fc2", r.uniform(-0.5, 0.5, (4, 6)), r.uniform(-0.1, 0.1, 4), s2)
    g.qdq(y, "out", s3, np.int8(0))
    save(out, "qdq_flatten_gemm", g, [1, 2, 4, 4], [1, 4], 13, s3)


def qdq_concat_requant(out):
    """Requantization without a layer: Concat of two differently quantized
    convs into a third quantizer, and MaxPool followed by a new scale."""
    r = rng_for("qdq_concat_requant")
    g = G("qdq_concat_requant")
    s0, sa, sb, sc, sp, s6 = 2.0 / 255, 0.01, 0.02, 0.015, 0.03, 0.02
    x = g.qdq("x", "in", s0, u8(128))
    a = qdq_conv(g, x, "conva", r.uniform(-0.4, 0.4, (4, 3, 3, 3)), r.uniform(-0.1, 0.1, 4), s0,
                 pads=[1, 1, 1, 1])
    a = g.node("Relu", [a], "relua")
    a = g.qdq(a, "acta", sa, u8(0))
    b = qdq_conv(g, x, "convb", r.uniform(-0.6, 0.6, (2, 3, 1, 1)), r.uniform(-0.1, 0.1, 2), s0)
    b = g.qdq(b, "actb", sb, u8(128))
    h = g.node("Concat", [a, b], "cat", axis=1)
    h = g.qdq(h, "catq", sc, u8(128))
    h = g.node("MaxPool", [h], "pool", kernel_shape=[2, 2], strides=[2, 2])
    h = g.qdq(h, "poolq", sp, u8(128))
    h = g.node("Flatten", [h], "flat")
    y = qdq_gemm(g, h, "fc", r.uniform(-0.3, 0.3, (5, 54)), r.uniform(-0.1, 0.1, 5), sp)
    g.qdq(y, "out", s6, np.int8(0))
    save(out, "qdq_concat_requant", g, [1, 3, 6, 6], [1, 5], 13, s6)


def qdq_sigmoid(out):
    """Element-wise functions between quantizers (exact tables on codes):
    Conv -> Q/DQ -> Sigmoid -> Q/DQ, Conv -> Q/DQ -> Tanh -> Q/DQ, MaxPool ->
    Q/DQ -> LeakyRelu -> Q/DQ (no layer before the table)."""
    r = rng_for("qdq_sigmoid")
    g = G("qdq_sigmoid")
    s0, s1, s2, s3, s4, s5 = 2.0 / 255, 0.05, 1.0 / 256, 0.04, 1.0 / 128, 0.02
    x = g.qdq("x", "in", s0, u8(128))
    h = qdq_conv(g, x, "conv1", r.uniform(-1.5, 1.5, (4, 2, 3, 3)), r.uniform(-0.2, 0.2, 4), s0,
                 pads=[1, 1, 1, 1])
    h = g.qdq(h, "act1", s1, u8(128))
    h = g.node("Sigmoid", [h], "sigmoid")
    h = g.qdq(h, "sig", s2, u8(0))
    h = qdq_conv(g, h, "conv2", r.uniform(-3, 3, (4, 4, 1, 1)), r.uniform(-1, 1, 4), s2)
    h = g.qdq(h, "act2", s3, np.int8(0))
    h = g.node("Tanh", [h], "tanh")
    h = g.qdq(h, "th", s4, np.int8(0))
    h = g.node("MaxPool", [h], "pool", kernel_shape=[2, 2], strides=[2, 2])
    h = g.qdq(h, "poolq", s4, np.int8(0))
    h = g.node("LeakyRelu", [h], "leaky", alpha=0.1)
    h = g.qdq(h, "lk", s4, np.int8(0))
    h = g.node("Flatten", [h], "flat")
    y = qdq_gemm(g, h, "fc", r.uniform(-0.5, 0.5, (3, 16)), r.uniform(-0.1, 0.1, 3), s4)
    g.qdq(y, "out", s5, u8(128))
    save(out, "qdq_sigmoid", g, [1, 2, 4, 4], [1, 3], 13, s5)


# --- QONNX Trunc (H3) -------------------------------------------------------------------
# numpy from the QONNX spec (docs/qonnx-custom-ops/trunc_v1.md, trunc_v2.md and
# quant.py's resolve_rounding_mode), not from Loom's code.
QONNX_ROUND = {
    "ROUND": np.round, "HALF_EVEN": np.round, "CEIL": np.ceil, "FLOOR": np.floor,
    "UP": lambda v: np.sign(v) * np.ceil(np.abs(v)), "DOWN": np.fix, "ROUND_TO_ZERO": np.fix,
    "HALF_UP": lambda v: np.sign(v) * np.floor(np.abs(v) + 0.5),
    "HALF_DOWN": lambda v: np.sign(v) * np.ceil(np.abs(v) - 0.5),
}


def qonnx_trunc(n, i, at):
    """Trunc v1 (5 inputs) / v2 (7 inputs, signed / narrow attributes), f32 as qonnx."""
    x, s, zp, ibw = (np.asarray(v, F32) for v in i[:4])
    rnd = QONNX_ROUND[at(n, "rounding_mode", "FLOOR").upper()]
    y = np.round(x / s + zp)
    if len(i) == 5:
        y = rnd(y / F32(2.0 ** (float(ibw) - float(i[4]))))
        return ((y - zp) * s).astype(F32)
    out_s, obw = np.asarray(i[4], F32), int(i[6])
    ts = F32(2.0 ** np.round(np.log2(out_s / s)))
    lo, hi = qonnx_minmax(obw, at(n, "signed", 1), at(n, "narrow", 0))
    y = rnd(np.clip(y / ts, lo, hi))
    return ((y - zp / ts) * out_s).astype(F32)


def onnx_avgpool(n, i, at):
    """ONNX AveragePool without padding (count = kernel size), f32 result."""
    k = at(n, "kernel_shape")
    return pool2d(np.asarray(i[0], np.float64), tuple(k), tuple(at(n, "strides", k)),
                  mode="avg").astype(F32)


EVAL_MORE.update({
    "Trunc": qonnx_trunc,
    "AveragePool": onnx_avgpool,
    "Mul": lambda n, i, at: (np.asarray(i[0], F32) * np.asarray(i[1], F32)).astype(F32),
})


def trunc(g, x, name, s, ibw, obw, mode="FLOOR", out_s=None, signed=1, narrow=0):
    """QONNX Trunc: v1 (out_s None) or v2 (explicit output scale, zero point 0)."""
    ins = [x, g.c(name + "_s", F32(s)), g.c(name + "_z", F32(0)), g.c(name + "_ib", F32(ibw))]
    if out_s is None:
        return g.node("Trunc", ins + [g.c(name + "_ob", F32(obw))], name, domain=QONNX,
                      rounding_mode=mode)
    ins += [g.c(name + "_os", F32(out_s)), g.c(name + "_oz", F32(0)), g.c(name + "_ob", F32(obw))]
    return g.node("Trunc", ins, name, domain=QONNX, rounding_mode=mode, signed=signed,
                  narrow=narrow)


def qonnx_avgpool_trunc(out):
    """Brevitas TruncAvgPool: Conv -> Relu -> Quant (4-bit unsigned) -> AveragePool 2x2 ->
    Mul 4 -> Trunc v1 (6 -> 4 bits, FLOOR) -> Gemm -> Quant."""
    r = rng_for("qonnx_avgpool_trunc")
    g = G("qonnx_avgpool_trunc")
    x = quant(g, "x", "in_quant", 2.0 ** -7, 0, 8)
    w = r.uniform(-0.5, 0.5, (4, 2, 3, 3)).astype(F32)
    ws = (np.abs(w).reshape(4, -1).max(axis=1) / 7).astype(F32).reshape(4, 1, 1, 1)
    wq = quant(g, g.c("conv_w", w), "conv_wquant", ws, 0, 4, narrow=1)
    h = g.node("Conv", [x, wq, g.c("conv_b", r.uniform(-0.1, 0.1, 4).astype(F32))], "conv",
               pads=[1, 1, 1, 1])
    h = g.node("Relu", [h], "relu")
    s_act = F32(0.05)
    h = quant(g, h, "act_quant", s_act, 0, 4, signed=0)
    h = g.node("AveragePool", [h], "pool", kernel_shape=[2, 2], strides=[2, 2])
    h = g.node("Mul", [h, g.c("pool_k2", F32(4.0))], "pool_mul")
    h = trunc(g, h, "pool_trunc", s_act, 6, 4)
    h = g.node("Flatten", [h], "flat")
    w2 = r.uniform(-0.5, 0.5, (3, 36)).astype(F32)
    w2q = quant(g, g.c("fc_w", w2), "fc_wquant", F32(np.abs(w2).max() / 7), 0, 4, narrow=1)
    h = g.node("Gemm", [h, w2q, g.c("fc_b", r.uniform(-0.1, 0.1, 3).astype(F32))], "fc",
               transB=1)
    quant(g, h, "out_quant", 2.0 ** -5, 0, 8)
    save(out, "qonnx_avgpool_trunc", g, [1, 2, 6, 6], [1, 3], 13, 2.0 ** -5, domains=(QONNX,))


def qonnx_avgpool3_trunc(out):
    """3x3 pool (k*k = 9, Brevitas truncates by ceil(log2 9) = 4 bits) on signed 5-bit codes,
    Trunc v2 (out_scale = 16 * scale, signed 5-bit output range, ROUND = half to even);
    the graph ends at the Trunc so every output word is compared exactly."""
    g = G("qonnx_avgpool3_trunc")
    s = F32(2.0 ** -3)
    h = quant(g, "x", "in_quant", s, 0, 5)
    h = g.node("AveragePool", [h], "pool", kernel_shape=[3, 3], strides=[3, 3])
    h = g.node("Mul", [h, g.c("pool_k2", F32(9.0))], "pool_mul")
    trunc(g, h, "pool_trunc", s, 9, 5, mode="ROUND", out_s=s * 16)
    save(out, "qonnx_avgpool3_trunc", g, [1, 3, 6, 9], [1, 3, 2, 3], 13, float(s * 16),
         domains=(QONNX,))


def qonnx_trunc_shift(out):
    """Trunc on its own after a quantized conv's Quant (8 -> 5 bits, HALF_UP): an integer
    right shift of the codes; MaxPool, then Gemm."""
    r = rng_for("qonnx_trunc_shift")
    g = G("qonnx_trunc_shift")
    x = quant(g, "x", "in_quant", 2.0 ** -6, 0, 8)
    w = r.uniform(-0.5, 0.5, (3, 2, 3, 3)).astype(F32)
    wq = quant(g, g.c("conv_w", w), "conv_wquant", F32(np.abs(w).max() / 127), 0, 8, narrow=1)
    h = g.node("Conv", [x, wq], "conv", pads=[1, 1, 1, 1])
    s_act = F32(2.0 ** -5)
    h = quant(g, h, "act_quant", s_act, 0, 8)
    h = trunc(g, h, "act_trunc", s_act, 8, 5, mode="HALF_UP")
    h = g.node("MaxPool", [h], "pool", kernel_shape=[2, 2], strides=[2, 2])
    h = g.node("Flatten", [h], "flat")
    w2 = r.uniform(-0.5, 0.5, (4, 12)).astype(F32)
    w2q = quant(g, g.c("fc_w", w2), "fc_wquant", F32(np.abs(w2).max() / 7), 0, 4, narrow=1)
    h = g.node("Gemm", [h, w2q], "fc", transB=1)
    quant(g, h, "out_quant", 2.0 ** -6, 0, 8)
    save(out, "qonnx_trunc_shift", g, [1, 2, 4, 4], [1, 4], 13, 2.0 ** -6, domains=(QONNX,))


def quant_mode(g, x, name, s, zp, bits, signed=1, narrow=0, mode="ROUND"):
    """QONNX Quant with an explicit rounding_mode (QKeras / FINN exports)."""
    ins = [x, g.c(name + "_s", np.asarray(s, F32)), g.c(name + "_z", F32(zp)),
           g.c(name + "_b", F32(bits))]
    return g.node("Quant", ins, name, domain=QONNX, signed=signed, narrow=narrow,
                  rounding_mode=mode)


def qonnx_qkeras_style(out):
    """A QKeras-style export: input Quant 8-bit signed narrow rounding towards zero
    ("DOWN"), per-channel 4-bit narrow weight Quants (lower-case "round", HALF_UP), unsigned
    4-bit activations, a 3-bit unsigned narrow Quant, 2x2 TruncAvgPool, Gemm."""
    r = rng_for("qonnx_qkeras_style")
    g = G("qonnx_qkeras_style")
    x = quant_mode(g, "x", "in_quant", 2.0 ** -6, 0, 8, narrow=1, mode="DOWN")
    w = r.uniform(-0.6, 0.6, (4, 3, 3, 3)).astype(F32)
    ws = (np.abs(w).reshape(4, -1).max(axis=1) / 7).astype(F32).reshape(4, 1, 1, 1)
    wq = quant_mode(g, g.c("conv_w", w), "conv_wquant", ws, 0, 4, narrow=1, mode="round")
    h = g.node("Conv", [x, wq, g.c("conv_b", r.uniform(-0.1, 0.1, 4).astype(F32))], "conv",
               pads=[1, 1, 1, 1])
    h = g.node("Relu", [h], "relu")
    s_act = F32(0.125)
    h = quant_mode(g, h, "act_quant", s_act, 0, 4, signed=0)
    h = quant_mode(g, h, "act_quant3", s_act, 0, 3, signed=0, narrow=1)  # clip to [0, 6]
    h = g.node("AveragePool", [h], "pool", kernel_shape=[2, 2], strides=[2, 2])
    h = g.node("Mul", [h, g.c("pool_k2", F32(4.0))], "pool_mul")
    h = trunc(g, h, "pool_trunc", s_act, 5, 3)
    h = g.node("Flatten", [h], "flat")
    w2 = r.uniform(-0.5, 0.5, (5, 36)).astype(F32)
    w2s = (np.abs(w2).max(axis=1) / 7).astype(F32).reshape(5, 1)
    w2q = quant_mode(g, g.c("fc_w", w2), "fc_wquant", w2s, 0, 4, narrow=1, mode="HALF_UP")
    h = g.node("Gemm", [h, w2q, g.c("fc_b", r.uniform(-0.1, 0.1, 5).astype(F32))], "fc",
               transB=1)
    quant_mode(g, h, "out_quant", 2.0 ** -4, 0, 8)
    save(out, "qonnx_qkeras_style", g, [1, 3, 6, 6], [1, 5], 13, 2.0 ** -4, domains=(QONNX,))


# Models whose Verilator output must equal the generator's exactly (no requantizer after
# the checked op whose ONNX Runtime rounding could differ by one step).
EXACT_MODELS = ["qonnx_avgpool3_trunc"]


def qop_matmul3d(out):
    """QOperator QLinearMatMul with a 3-D A [1, 2, 8] (more rows) and a uint8 B
    with one scale and a zero point per column, then DequantizeLinear."""
    r = rng_for("qop_matmul3d")
    g = G("qop_matmul3d")
    s0, sb, s1 = 2.0 / 255, 0.004, 0.05
    q = g.node("QuantizeLinear", ["x", g.c("in_s", F32(s0)), g.c("in_z", u8(128))], "in_q")
    bz = r.randint(110, 146, 5).astype(np.uint8)
    bq = np.clip(bz[None, :] + r.randint(-100, 100, (8, 5)), 0, 255).astype(np.uint8)
    h = g.node("QLinearMatMul", [q, g.c("mm_as", F32(s0)), g.c("mm_az", u8(128)),
                                 g.c("mm_b", bq), g.c("mm_bs", F32(sb)), g.c("mm_bz", bz),
                                 g.c("mm_ys", F32(s1)), g.c("mm_yz", u8(128))], "mm")
    g.node("DequantizeLinear", [h, g.c("out_s", F32(s1)), g.c("out_z", u8(128))], "out_dq")
    save(out, "qop_matmul3d", g, [1, 2, 8], [1, 2, 5], 13, s1)


def self_test():
    """Guards the semantics above with hand-computed cases."""
    assert list(quantize_linear(np.array([0, 2, 3, 1000, -254, -1000], F32), F32(2), u8(128))) == \
        [128, 129, 130, 255, 1, 0]  # test_quantizelinear of the ONNX node tests
    assert list(quantize_linear(np.array([0.5, 1.5, 2.5, -0.5, -1.5], F32), F32(1), np.int8(0))) \
        == [0, 2, 2, 0, -2]  # half to even
    assert list(dequantize_linear(np.array([0, 3, 128, 255], np.uint8), F32(2), u8(128))) == \
        [-256, -250, 0, 254]
    assert qonnx_minmax(4, 1, 1) == (-7, 7) and qonnx_minmax(4, 0, 0) == (0, 15)
    assert list(qonnx_quant(np.array([0.3, -2.0, 5.0], F32), F32(0.5), 0, 3, 1, 0)) == \
        [0.5, -2.0, 1.5]
    assert list(requant_f32(np.array([5, -5, 7]), F32(0.5), 10, np.uint8)) == [12, 8, 14]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    self_test()
    for gen in (qdq_mlp, qdq_softmax, qdq_cnn, qdq_residual, qop_cnn, qop_add, qonnx_mlp4, qonnx_mlp3_bn,
                qonnx_conv_bn,
                qonnx_bnn, qdq_flatten_gemm, qdq_concat_requant, qdq_sigmoid, qop_matmul3d,
                qonnx_avgpool_trunc, qonnx_avgpool3_trunc, qonnx_trunc_shift, qonnx_qkeras_style):
        gen(out)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
