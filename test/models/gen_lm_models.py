#!/usr/bin/python3
"""Small causal language models in the op patterns PyTorch / Hugging Face exports write.

    /usr/bin/python3 test/models/gen_lm_models.py OUT_DIR

input_ids int64 [1, T] -> logits float [1, T, V], static T, random weights (seeded):
  gpt2_lm     GPT-2: Gather(wte) + Gather(wpe) of constant positions, decomposed LayerNorm
              (ReduceMean, Sub, Pow, Add eps, Sqrt, Div, Mul, Add), fused c_attn as HF's Conv1D
              exports it (Reshape, Gemm to 3C, Reshape, Split into q, k, v), heads by Reshape / Transpose, Div by sqrt(D),
              Where(tril, scores, finfo.min), Softmax, c_proj, residual, tanh GELU
              (Pow(x, 3)), tied lm_head (MatMul with Transpose(wte)). 1 layer, T 16, C 32,
              2 heads, V 64.
  ln17_lm     LayerNormalization-17, separate q / k / v Linear layers, K transposed
              directly to [1, H, D, T], Mul by 1/sqrt(D), Where mask, erf GELU, untied
              head with bias. 2 layers, T 16, C 32, 4 heads, V 96.
  llama_lm    Llama: RMSNorm (Pow, ReduceMean, Add, Sqrt, Reciprocal, Mul, Mul weight), no
              biases, rotary position embeddings on q and k as HF's apply_rotary_pos_emb
              exports them (constant cos / sin [1, T, D] Unsqueezed to [1, 1, T, D];
              q * cos + rotate_half(q) * sin with rotate_half = Concat(Neg(Slice(x, D/2:)),
              Slice(x, :D/2)) on the [1, H, T, D] heads), additive causal mask
              (0 / finfo.min), Mul by the scale, SiLU-gated MLP (x * Sigmoid(x) * up).
              1 layer, T 16, C 32, 4 heads, V 64.
  mistral_lm  llama_lm with Mistral's sliding-window attention: the additive mask keeps
              only the last 6 positions (t - 6 < j <= t).
  bad_rotary_lm  llama_lm with the rotary embedding applied before the head transpose (on
              [1, T, H, D]): refused by Loom in one line naming the rotary's Add.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FMIN = np.finfo(np.float32).min


class G:
    def __init__(self, seed, opset):
        self.rng = np.random.RandomState(seed)
        self.nodes, self.inits, self.n, self.opset = [], [], 0, opset

    def const(self, name, a):
        self.inits.append(numpy_helper.from_array(np.asarray(a), name))
        return name

    def node(self, op, ins, name, **attrs):
        out = name + "_out"
        self.nodes.append(helper.make_node(op, ins, [out], name=name, **attrs))
        return out

    def w(self, name, shape, scale):
        return self.const(name, (self.rng.randn(*shape) * scale).astype(np.float32))

    def linear(self, x, name, k, n, bias=True):
        y = self.node("MatMul", [x, self.w(name + ".weight", (k, n), 1 / np.sqrt(k))],
                      "/" + name + "/MatMul")
        if bias:
            y = self.node("Add", [y, self.w(name + ".bias", (n,), 0.1)], "/" + name + "/Add")
        return y

    def layernorm_chain(self, x, name, c):
        """PyTorch's opset-13 LayerNorm (no LayerNormalization op)."""
        mean = self.node("ReduceMean", [x], "/%s/ReduceMean" % name, axes=[-1], keepdims=1)
        d = self.node("Sub", [x, mean], "/%s/Sub" % name)
        sq = self.node("Pow", [d, self.const(name + ".two", np.float32(2))], "/%s/Pow" % name)
        var = self.node("ReduceMean", [sq], "/%s/ReduceMean_1" % name, axes=[-1], keepdims=1)
        ve = self.node("Add", [var, self.const(name + ".eps", np.float32(1e-5))],
                       "/%s/Add" % name)
        sd = self.node("Sqrt", [ve], "/%s/Sqrt" % name)
        y = self.node("Div", [d, sd], "/%s/Div" % name)
        y = self.node("Mul", [y, self.w(name + ".weight", (c,), 0.1)], "/%s/Mul" % name)
        # weight = 1 + noise, written as the constant itself
        self.inits[-1] = numpy_helper.from_array(
            (1 + self.rng.randn(c) * 0.1).astype(np.float32), name + ".weight")
        return self.node("Add", [y, self.w(name + ".bias", (c,), 0.1)], "/%s/Add_1" % name)

    def layernorm17(self, x, name, c):
        g = self.const(name + ".weight", (1 + self.rng.randn(c) * 0.1).astype(np.float32))
        b = self.w(name + ".bias", (c,), 0.1)
        return self.node("LayerNormalization", [x, g, b], "/%s/LayerNormalization" % name,
                         axis=-1, epsilon=1e-5)

    def rmsnorm(self, x, name, c):
        sq = self.node("Pow", [x, self.const(name + ".two", np.float32(2))], "/%s/Pow" % name)
        ms = self.node("ReduceMean", [sq], "/%s/ReduceMean" % name, axes=[-1], keepdims=1)
        ve = self.node("Add", [ms, self.const(name + ".eps", np.float32(1e-6))], "/%s/Add" % name)
        sd = self.node("Sqrt", [ve], "/%s/Sqrt" % name)
        inv = self.node("Reciprocal", [sd], "/%s/Reciprocal" % name)
        y = self.node("Mul", [x, inv], "/%s/Mul" % name)
        g = self.const(name + ".weight", (1 + self.rng.randn(c) * 0.1).astype(np.float32))
        return self.node("Mul", [g, y], "/%s/Mul_1" % name)

    def heads(self, x, name, t, h, d, kt=False):
        y = self.node("Reshape", [x, self.const(name + ".shape", np.array([1, t, h, d], np.int64))],
                      "/%s/Reshape" % name)
        return self.node("Transpose", [y], "/%s/Transpose" % name,
                         perm=[0, 2, 3, 1] if kt else [0, 2, 1, 3])

    def rotary_tables(self, name, t, d, base=10000.0, axis=1):
        """HF LlamaRotaryEmbedding: cos / sin of positions x inv_freq, cat(freqs, freqs)."""
        inv = 1.0 / base ** (np.arange(0, d, 2, dtype=np.float64) / d)
        f = np.outer(np.arange(t), inv)
        emb = np.concatenate([f, f], axis=-1)
        cos = self.const(name + ".cos", np.cos(emb).astype(np.float32).reshape(1, t, d))
        sin = self.const(name + ".sin", np.sin(emb).astype(np.float32).reshape(1, t, d))
        ax = self.const(name + ".unsqueeze_axes", np.array([axis], np.int64))
        return (self.node("Unsqueeze", [cos, ax], "/%s/Unsqueeze" % name),
                self.node("Unsqueeze", [sin, ax], "/%s/Unsqueeze_1" % name))

    def rotate(self, x, cos, sin, name, d):
        """q * cos + rotate_half(q) * sin, rotate_half as torch.onnx writes it."""
        i64 = lambda *v: np.array(v, np.int64)
        x1 = self.node("Slice", [x, self.const(name + ".s0", i64(0)), self.const(name + ".e0", i64(d // 2)),
                                 self.const(name + ".a0", i64(3)), self.const(name + ".st0", i64(1))],
                       "/%s/Slice" % name)
        x2 = self.node("Slice", [x, self.const(name + ".s1", i64(d // 2)),
                                 self.const(name + ".e1", i64(9223372036854775807)),
                                 self.const(name + ".a1", i64(3)), self.const(name + ".st1", i64(1))],
                       "/%s/Slice_1" % name)
        n = self.node("Neg", [x2], "/%s/Neg" % name)
        r = self.node("Concat", [n, x1], "/%s/Concat" % name, axis=-1)
        a = self.node("Mul", [x, cos], "/%s/Mul" % name)
        b = self.node("Mul", [r, sin], "/%s/Mul_1" % name)
        return self.node("Add", [a, b], "/%s/Add" % name)

    def attention(self, q, k, v, name, t, c, h, scale_op, mask, kt_direct=False, rotary=False,
                  window=0):
        d = c // h
        qh = self.heads(q, name + "/q", t, h, d) if rotary != "pre" else None
        vh = self.heads(v, name + "/v", t, h, d)
        if rotary == "pre":  # malformed for Loom: rotated on [1, T, H, D], before the transpose
            cos, sin = self.rotary_tables(name + "/rotary_emb", t, d, axis=2)
            def pre(x, tag):
                y = self.node("Reshape", [x, self.const(name + tag + ".shape",
                                                        np.array([1, t, h, d], np.int64))],
                              "/%s%s/Reshape" % (name, tag))
                y = self.rotate(y, cos, sin, name + tag + "_rot", d)
                return self.node("Transpose", [y], "/%s%s/Transpose" % (name, tag),
                                 perm=[0, 2, 1, 3])
            qh = pre(q, "/q")
            kt = self.node("Transpose", [pre(k, "/k")], "/%s/Transpose_k" % name,
                           perm=[0, 1, 3, 2])
        elif rotary:
            cos, sin = self.rotary_tables(name + "/rotary_emb", t, d)
            qh = self.rotate(qh, cos, sin, name + "/q_rot", d)
            kh = self.rotate(self.heads(k, name + "/k", t, h, d), cos, sin, name + "/k_rot", d)
            kt = self.node("Transpose", [kh], "/%s/Transpose_k" % name, perm=[0, 1, 3, 2])
        elif kt_direct:
            kt = self.heads(k, name + "/k", t, h, d, kt=True)
        else:
            kh = self.heads(k, name + "/k", t, h, d)
            kt = self.node("Transpose", [kh], "/%s/Transpose_k" % name, perm=[0, 1, 3, 2])
        s = self.node("MatMul", [qh, kt], "/%s/MatMul" % name)
        if scale_op == "Div":
            s = self.node("Div", [s, self.const(name + ".sqrt_d", np.float32(np.sqrt(d)))],
                          "/%s/Div" % name)
        else:
            s = self.node("Mul", [s, self.const(name + ".scale", np.float32(1 / np.sqrt(d)))],
                          "/%s/Mul" % name)
        tril = np.tril(np.ones((t, t), bool))
        if window:  # Mistral's sliding window: the last `window` positions only
            tril &= ~np.tril(np.ones((t, t), bool), -window)
        tril = tril.reshape(1, 1, t, t)
        if mask == "where":
            s = self.node("Where", [self.const(name + ".bias", tril), s,
                                    self.const(name + ".masked_bias", np.float32(FMIN))],
                          "/%s/Where" % name)
        else:
            m = np.where(tril, 0.0, FMIN).astype(np.float32)
            s = self.node("Add", [s, self.const(name + ".causal_mask", m)], "/%s/Add_mask" % name)
        p = self.node("Softmax", [s], "/%s/Softmax" % name, axis=-1)
        o = self.node("MatMul", [p, vh], "/%s/MatMul_1" % name)
        o = self.node("Transpose", [o], "/%s/Transpose_o" % name, perm=[0, 2, 1, 3])
        return self.node("Reshape", [o, self.const(name + ".shape_o",
                                                   np.array([1, t, c], np.int64))],
                         "/%s/Reshape_o" % name)

    def gelu_tanh(self, x, name):
        p3 = self.node("Pow", [x, self.const(name + ".three", np.float32(3))], "/%s/Pow" % name)
        a = self.node("Mul", [p3, self.const(name + ".c", np.float32(0.044715))], "/%s/Mul" % name)
        a = self.node("Add", [x, a], "/%s/Add" % name)
        a = self.node("Mul", [a, self.const(name + ".k", np.float32(np.sqrt(2 / np.pi)))],
                      "/%s/Mul_1" % name)
        a = self.node("Tanh", [a], "/%s/Tanh" % name)
        a = self.node("Add", [a, self.const(name + ".one", np.float32(1))], "/%s/Add_1" % name)
        hx = self.node("Mul", [x, self.const(name + ".half", np.float32(0.5))], "/%s/Mul_2" % name)
        return self.node("Mul", [hx, a], "/%s/Mul_3" % name)

    def gelu_erf(self, x, name):
        a = self.node("Div", [x, self.const(name + ".sqrt2", np.float32(np.sqrt(2)))],
                      "/%s/Div" % name)
        a = self.node("Erf", [a], "/%s/Erf" % name)
        a = self.node("Add", [a, self.const(name + ".one", np.float32(1))], "/%s/Add" % name)
        a = self.node("Mul", [x, a], "/%s/Mul" % name)
        return self.node("Mul", [a, self.const(name + ".half", np.float32(0.5))],
                         "/%s/Mul_1" % name)

    def save(self, path, t, v, logits):
        self.nodes.append(helper.make_node("Identity", [logits], ["logits"], name="/out/Identity"))
        g = helper.make_graph(
            self.nodes, os.path.basename(path)[:-5],
            [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, t])],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, t, v])], self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", self.opset)])
        m.ir_version = 8
        onnx.checker.check_model(m)
        onnx.save(m, path)


def gpt2_lm(out, t=16, c=32, h=2, v=64):
    g = G(11, 13)
    wte = g.w("transformer.wte.weight", (v, c), 0.6)
    tok = g.node("Gather", [wte, "input_ids"], "/wte/Gather")
    pos_ids = g.const("position_ids", np.arange(t, dtype=np.int64).reshape(1, t))
    pos = g.node("Gather", [g.w("transformer.wpe.weight", (t, c), 0.2), pos_ids], "/wpe/Gather")
    x = g.node("Add", [tok, pos], "/Add")
    a = g.layernorm_chain(x, "h.0/ln_1", c)
    # Hugging Face's Conv1D export: Reshape [T, C], Gemm to 3C, Reshape [1, T, 3C], Split.
    a2 = g.node("Reshape", [a, g.const("c_attn.in_shape", np.array([-1, c], np.int64))],
                "/h.0/attn/c_attn/Reshape")
    qkv = g.node("Gemm", [a2, g.w("h.0.attn.c_attn.weight", (c, 3 * c), 1 / np.sqrt(c)),
                          g.w("h.0.attn.c_attn.bias", (3 * c,), 0.1)], "/h.0/attn/c_attn/Gemm")
    qkv = g.node("Reshape", [qkv, g.const("c_attn.out_shape", np.array([1, t, 3 * c], np.int64))],
                 "/h.0/attn/c_attn/Reshape_1")
    split = helper.make_node("Split", [qkv], ["q", "k", "v"], name="/h.0/attn/Split", axis=2)
    g.nodes.append(split)
    o = g.attention("q", "k", "v", "h.0/attn", t, c, h, "Div", "where")
    o = g.linear(o, "h.0/attn/c_proj", c, c)
    x = g.node("Add", [x, o], "/h.0/Add")
    m = g.layernorm_chain(x, "h.0/ln_2", c)
    m = g.linear(m, "h.0/mlp/c_fc", c, 4 * c)
    m = g.gelu_tanh(m, "h.0/mlp/act")
    m = g.linear(m, "h.0/mlp/c_proj", 4 * c, c)
    x = g.node("Add", [x, m], "/h.0/Add_1")
    x = g.layernorm_chain(x, "ln_f", c)
    wt = g.node("Transpose", [wte], "/lm_head/Transpose", perm=[1, 0])
    logits = g.node("MatMul", [x, wt], "/lm_head/MatMul")
    g.save(os.path.join(out, "gpt2_lm.onnx"), t, v, logits)


def ln17_lm(out, t=16, c=32, h=4, v=96, layers=2):
    g = G(12, 17)
    x = g.node("Gather", [g.w("embed_tokens.weight", (v, c), 0.6), "input_ids"], "/embed/Gather")
    x = g.node("Add", [x, g.w("embed_positions", (1, t, c), 0.2)], "/embed/Add")
    for i in range(layers):
        p = "layers.%d" % i
        a = g.layernorm17(x, p + "/ln_1", c)
        q, k, vv = (g.linear(a, "%s/attn/%s_proj" % (p, n), c, c) for n in "qkv")
        o = g.attention(q, k, vv, p + "/attn", t, c, h, "Mul", "where", kt_direct=True)
        x = g.node("Add", [x, g.linear(o, p + "/attn/out_proj", c, c)], "/%s/Add" % p)
        m = g.layernorm17(x, p + "/ln_2", c)
        m = g.gelu_erf(g.linear(m, p + "/mlp/fc1", c, 2 * c), p + "/mlp/act")
        x = g.node("Add", [x, g.linear(m, p + "/mlp/fc2", 2 * c, c)], "/%s/Add_1" % p)
    x = g.layernorm17(x, "final_ln", c)
    g.save(os.path.join(out, "ln17_lm.onnx"), t, v, g.linear(x, "lm_head", c, v))


def llama_lm(out, t=16, c=32, h=4, v=64, rotary=True, name="llama_lm", window=0):
    g = G(13, 17)
    x = g.node("Gather", [g.w("embed_tokens.weight", (v, c), 0.6), "input_ids"], "/embed/Gather")
    p = "layers.0"
    a = g.rmsnorm(x, p + "/input_layernorm", c)
    q, k, vv = (g.linear(a, "%s/self_attn/%s_proj" % (p, n), c, c, bias=False) for n in "qkv")
    o = g.attention(q, k, vv, p + "/self_attn", t, c, h, "Mul", "add", rotary=rotary,
                    window=window)
    x = g.node("Add", [x, g.linear(o, p + "/self_attn/o_proj", c, c, bias=False)], "/%s/Add" % p)
    m = g.rmsnorm(x, p + "/post_attention_layernorm", c)
    gate = g.linear(m, p + "/mlp/gate_proj", c, 2 * c, bias=False)
    up = g.linear(m, p + "/mlp/up_proj", c, 2 * c, bias=False)
    sig = g.node("Sigmoid", [gate], "/%s/mlp/act_fn/Sigmoid" % p)
    silu = g.node("Mul", [gate, sig], "/%s/mlp/act_fn/Mul" % p)
    m = g.node("Mul", [silu, up], "/%s/mlp/Mul" % p)
    x = g.node("Add", [x, g.linear(m, p + "/mlp/down_proj", 2 * c, c, bias=False)],
               "/%s/Add_1" % p)
    x = g.rmsnorm(x, "norm", c)
    g.save(os.path.join(out, name + ".onnx"), t, v, g.linear(x, "lm_head", c, v, bias=False))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gpt2_lm(out)
    ln17_lm(out)
    llama_lm(out)
    # Mistral: llama_lm with a sliding-window mask (each position sees the last 6).
    llama_lm(out, name="mistral_lm", window=6)
    # An error case: rotary on the [1, T, H, D] view (positions not the rows' axis).
    llama_lm(out, rotary="pre", name="bad_rotary_lm")


if __name__ == "__main__":
    main()
