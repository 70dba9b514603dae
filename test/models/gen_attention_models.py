#!/usr/bin/python3
"""Attention blocks as exporters write them (run with Debian's /usr/bin/python3).

    gen_attention_models.py OUT_DIR

writes OUT_DIR/NAME.onnx for:

- mha_torch: PyTorch nn.MultiheadAttention(E=32, heads=4) exported with separate
  query, key, value graph inputs [T=16, 1, E] (sequence first, batch 1 in dim 1),
  need_weights=False: in-projections MatMul(W^T) + Add(b), Reshape [T, H, D],
  Transpose(1, 0, 2), q Mul(1/sqrt(D)), K Transpose(0, 2, 1), MatMul, Softmax(-1),
  MatMul V, Transpose(1, 0, 2), Reshape [T, E], out_proj Gemm(transB), Reshape [T, 1, E].
- gpt2_causal: GPT-2 self-attention on x [1, T=16, C=32], heads 2: c_attn as HF exports
  Conv1D (Reshape [T, C], Gemm to 3C, Reshape [1, T, 3C], Split(axis 2) into q, k, v),
  Reshape [1, T, H, D], Transpose(0, 2, 1, 3), K Transpose(0, 1, 3, 2),
  MatMul, Div(sqrt(D)), Where(const tril bool [1, 1, T, T], scores, finfo.min),
  Softmax(-1), MatMul V, Transpose, Reshape, c_proj MatMul + Add, residual Add.
- llama_causal: Llama-style on x [1, T=8, C=32], heads 4, no biases, K transposed
  straight to [1, H, D, T], Mul(1/sqrt(D)), Add(const [1, 1, T, T] of 0 / f32 min).
- bert_encoder: BERT encoder self-attention on x [1, T=12, C=48], heads 3, no mask,
  Div(sqrt(D)), dense + residual Add + LayerNormalization.
- bad_attn_mask (refused): a constant additive mask that is not causal.
- bad_attn_where (refused): a Where mask keeping j >= t (upper-triangular).
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper
import onnx

OPSET = 17


def f32(a):
    return np.asarray(a, np.float32)


class G:
    def __init__(self, seed):
        self.nodes, self.inits, self.rng, self.n = [], [], np.random.RandomState(seed), 0

    def const(self, name, a):
        self.inits.append(numpy_helper.from_array(np.asarray(a), name))
        return name

    def node(self, op, ins, name, **kw):
        out = name + "_out"
        self.nodes.append(helper.make_node(op, ins, [out], name=name, **kw))
        return out

    def weight(self, name, n_in, n_out):
        return self.const(name, f32(self.rng.randn(n_in, n_out) / np.sqrt(n_in)))

    def linear(self, x, tag, n_in, n_out, bias=True):
        y = self.node("MatMul", [x, self.weight(tag + ".weight", n_in, n_out)], "/" + tag + "/MatMul")
        if bias:
            b = self.const(tag + ".bias", f32(self.rng.randn(n_out) * 0.1))
            y = self.node("Add", [y, b], "/" + tag + "/Add")
        return y

    def save(self, path, inputs, outputs):
        g = helper.make_graph(self.nodes, os.path.basename(path)[:-5],
                              [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
                              [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs],
                              self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="pytorch", producer_version="2.1.0")
        m.ir_version = 8
        m = onnx.shape_inference.infer_shapes(m)
        onnx.checker.check_model(m)
        onnx.save(m, path)


def mha_torch(out):
    T, E, H = 16, 32, 4
    D = E // H
    g = G(1)
    heads = {}
    for x in ("query", "key", "value"):
        w = g.const("in_proj_%s_weight_T" % x[0], f32(g.rng.randn(E, E) / np.sqrt(E)))
        b = g.const("in_proj_%s_bias" % x[0], f32(g.rng.randn(E) * 0.1))
        y = g.node("MatMul", [x, w], "/attn/%s_proj/MatMul" % x[0])
        y = g.node("Add", [y, b], "/attn/%s_proj/Add" % x[0])
        y = g.node("Reshape", [y, g.const("shape_thd_" + x[0], np.array([T, H, D], np.int64))],
                   "/attn/Reshape_%s" % x[0])
        heads[x] = g.node("Transpose", [y], "/attn/Transpose_%s" % x[0], perm=[1, 0, 2])
    q = g.node("Mul", [heads["query"], g.const("q_scale", f32(1.0 / np.sqrt(D)))], "/attn/Mul")
    kt = g.node("Transpose", [heads["key"]], "/attn/Transpose_kt", perm=[0, 2, 1])
    s = g.node("MatMul", [q, kt], "/attn/MatMul")
    p = g.node("Softmax", [s], "/attn/Softmax", axis=-1)
    o = g.node("MatMul", [p, heads["value"]], "/attn/MatMul_1")
    o = g.node("Transpose", [o], "/attn/Transpose_o", perm=[1, 0, 2])
    o = g.node("Reshape", [o, g.const("shape_te", np.array([T, E], np.int64))], "/attn/Reshape_o")
    o = g.node("Gemm", [o, g.const("out_proj.weight", f32(g.rng.randn(E, E) / np.sqrt(E))),
                        g.const("out_proj.bias", f32(g.rng.randn(E) * 0.1))],
               "/attn/out_proj/Gemm", transB=1)
    g.nodes.append(helper.make_node("Reshape", [o, g.const("shape_t1e", np.array([T, 1, E], np.int64))],
                                    ["attn_output"], name="/attn/Reshape_out"))
    g.save(os.path.join(out, "mha_torch.onnx"), [(n, [T, 1, E]) for n in ("query", "key", "value")],
           [("attn_output", [T, 1, E])])


def block(name, T, C, H, seed, bias, kt_direct, scale_op, mask, tail, fused=False):
    D = C // H
    g = G(seed)
    x = "x"
    hs = {}
    if fused:  # GPT-2's Conv1D c_attn: view [T, C], addmm (Gemm), view [1, T, 3C], split
        y = g.node("Reshape", [x, g.const("shape_tc", np.array([T, C], np.int64))], "/attn/Reshape")
        y = g.node("Gemm", [y, g.weight("attn.c_attn.weight", C, 3 * C),
                            g.const("attn.c_attn.bias", f32(g.rng.randn(3 * C) * 0.1))],
                   "/attn/c_attn/Gemm")
        y = g.node("Reshape", [y, g.const("shape_t3c", np.array([1, T, 3 * C], np.int64))],
                   "/attn/Reshape_1")
        g.nodes.append(helper.make_node("Split", [y, g.const("split", np.array([C] * 3, np.int64))],
                                        ["/attn/Split_q", "/attn/Split_k", "/attn/Split_v"],
                                        name="/attn/Split", axis=2))
    for t in ("q", "k", "v"):
        y = "/attn/Split_" + t if fused else g.linear(x, "attn/%s_proj" % t, C, C, bias)
        y = g.node("Reshape", [y, g.const("shape_%s" % t, np.array([1, T, H, D], np.int64))],
                   "/attn/Reshape_%s" % t)
        if t == "k" and kt_direct:
            hs[t] = g.node("Transpose", [y], "/attn/Transpose_%s" % t, perm=[0, 2, 3, 1])
        else:
            hs[t] = g.node("Transpose", [y], "/attn/Transpose_%s" % t, perm=[0, 2, 1, 3])
    kt = hs["k"] if kt_direct else g.node("Transpose", [hs["k"]], "/attn/Transpose_kt",
                                          perm=[0, 1, 3, 2])
    s = g.node("MatMul", [hs["q"], kt], "/attn/MatMul")
    if scale_op == "Div":
        s = g.node("Div", [s, g.const("sqrt_d", f32(np.sqrt(D)))], "/attn/Div")
    else:
        s = g.node("Mul", [s, g.const("inv_sqrt_d", f32(1.0 / np.sqrt(D)))], "/attn/Mul")
    tril = np.tril(np.ones((T, T), bool)).reshape(1, 1, T, T)
    if mask == "where":
        s = g.node("Where", [g.const("attn.bias", tril), s,
                             g.const("mask_value", f32(np.finfo(np.float32).min))], "/attn/Where")
    elif mask == "add":
        m = np.where(tril, 0.0, np.finfo(np.float32).min).astype(np.float32)
        s = g.node("Add", [s, g.const("causal_mask", m)], "/attn/Add_mask")
    elif mask == "bad_where":  # keeps the future, drops the past: not causal
        s = g.node("Where", [g.const("attn.bias", np.ascontiguousarray(tril.transpose(0, 1, 3, 2))), s,
                             g.const("mask_value", f32(-1e9))], "/attn/Where")
    elif mask == "bad":
        m = np.where(g.rng.rand(1, 1, T, T) < 0.5, 0.0, -1e4).astype(np.float32)
        s = g.node("Add", [s, g.const("padding_mask", m)], "/attn/Add_mask")
    p = g.node("Softmax", [s], "/attn/Softmax", axis=-1)
    o = g.node("MatMul", [p, hs["v"]], "/attn/MatMul_1")
    o = g.node("Transpose", [o], "/attn/Transpose_o", perm=[0, 2, 1, 3])
    o = g.node("Reshape", [o, g.const("shape_o", np.array([1, T, C], np.int64))], "/attn/Reshape_o")
    o = g.linear(o, "attn/o_proj", C, C, bias)
    y = g.node("Add", [x, o], "/Add_residual")
    if tail == "layernorm":
        gamma = g.const("ln.weight", f32(1 + 0.1 * g.rng.randn(C)))
        beta = g.const("ln.bias", f32(0.1 * g.rng.randn(C)))
        y = g.node("LayerNormalization", [y, gamma, beta], "/ln/LayerNormalization", axis=-1,
                   epsilon=1e-5)
    g.nodes.append(helper.make_node("Identity", [y], ["y"], name="/out/Identity"))
    g.save(os.path.join(os.environ["GEN_OUT"], name + ".onnx"), [("x", [1, T, C])],
           [("y", [1, T, C])])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    os.environ["GEN_OUT"] = out
    mha_torch(out)
    block("gpt2_causal", 16, 32, 2, 2, True, False, "Div", "where", None, fused=True)
    block("llama_causal", 8, 32, 4, 3, False, True, "Mul", "add", None)
    block("bert_encoder", 12, 48, 3, 4, True, False, "Div", None, "layernorm")
    block("bad_attn_mask", 8, 32, 4, 5, False, False, "Div", "bad", None)
    block("bad_attn_where", 8, 32, 4, 6, False, False, "Div", "bad_where", None)


if __name__ == "__main__":
    main()
