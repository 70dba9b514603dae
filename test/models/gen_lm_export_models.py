#!/usr/bin/python3
"""Causal LMs as torch.onnx writes Hugging Face models with the shape arithmetic and the
run-time tables left in the graph (issue 12: "the graphs that exporters write").

    /usr/bin/python3 test/models/gen_lm_export_models.py OUT_DIR [name ...]

input_ids int64 [1, T] -> logits float [1, T, V], static T, random weights (seeded):
  hf_gpt2_export  GPT-2 at opset 14: Shape / Gather / Unsqueeze / Concat feeding every
                  Reshape, position ids from Range, Conv1D as Reshape(-1, C) + Gemm +
                  Reshape, Split with a sizes input, the bool bias buffer [1, 1, Tmax, Tmax]
                  Sliced [k-q:k, :k] by shape-derived bounds, Where(mask, w, -1e4) (GPT-2's
                  old masked_bias), tanh GELU, tied head.
  sdpa_gpt2       GPT-2 with attn_implementation="sdpa": torch.onnx's decomposition of
                  scaled_dot_product_attention(is_causal=True) (scale from Shape / Cast /
                  Sqrt, sqrt(scale) on q and on K^T, mask Expand(1) / Trilu / Equal /
                  Where(-inf, 0) / Add), c_attn as MatMul + bias Add + Split.
  llama_export    Llama as HF >= 4.38 writes it: cache_position = Range(0, T); rotary
                  computed in the graph (inv_freq MatMul positions, Transpose, Concat, Cos /
                  Sin, Cast, Unsqueeze; rotate_half by torch.chunk, a Split); causal mask
                  from ConstantOfShape(min), Trilu, Greater, Cast, Mul, Expand; OPT's
                  Max(scores, finfo.min) clamp;
                  Softmax followed by Cast(to float) (softmax(dtype=float32).to(dtype));
                  RMSNorm, SiLU gate, untied head.
  llama_gqa       llama_export with grouped-query attention (4 query heads, 2 K / V heads,
                  HF's repeat_kv: Unsqueeze / Expand / Reshape): Loom widens the K / V
                  projections to 4 heads.
  llama_gqa_tile  the same with the heads repeated by Tile (head h reads kv head h % 2).
  llama_gqa_present  llama_gqa with use_cache's present.0.key / value (the 2 K / V heads
                  before repeat_kv) as outputs: not widened (the outputs would change), refused.
  sdpa_present    sdpa_gpt2 with use_cache's present.0.key / value outputs (the K, V heads).
  neox_export     GPT-NeoX / Pythia: fused query_key_value viewed [1, T, H, 3D] and Sliced
                  on the last axis, partial rotary (half of each head: Slice, rotate_half,
                  Concat), sliced bool bias buffer, parallel residual, erf GELU.
  neox_chunk      the same, as HF >= 4.45 writes it: the view Transposed, then one Split.
  opt_export      OPT: CumSum positions + 2, q scaled before the split, 3-D bmm attention on
                  [H, T, D] views, the scores viewed [1, H, T, T] for the mask and the Max
                  clamp, ReLU MLP, tied head.
  bloom_export    BLOOM's spellings: embedding LayerNorm, fused QKV viewed [1, T, H, 3, D]
                  and Gathered on axis 3, 3-D bmm, masked_fill Where, bloom_gelu_forward's
                  GELU; without ALiBi (bloom_alibi has it).
  gemma_export    llama_export with Gemma's embedding scale Mul(embed, sqrt(C)).
These graphs are the probe models of the 2026-12-06 sweep (docs/NOTES.md) that Loom first
refused; they stay small (1-2 layers, C 32-64) so the e2e tests that build them are quick.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FMIN = float(np.finfo(np.float32).min)
F = TensorProto.FLOAT
I64MAX = 9223372036854775807


def i64(*v):
    return np.array(v, np.int64)


class P:
    def __init__(self, seed, opset):
        self.rng = np.random.RandomState(seed)
        self.nodes, self.inits, self.opset, self.k = [], [], opset, 0
        self.names = set()

    def uniq(self, base):
        self.k += 1
        return "%s_%d" % (base, self.k)

    def c(self, a, name=None):
        name = name or self.uniq("const")
        self.inits.append(numpy_helper.from_array(np.asarray(a), name))
        return name

    def f(self, v, name=None):  # float32 scalar / array constant
        return self.c(np.asarray(v, np.float32), name)

    def op(self, op, ins, name=None, n_out=1, **attrs):
        name = name or "/" + self.uniq(op)
        outs = [name + ("_out" if i == 0 else "_out%d" % i) for i in range(n_out)]
        self.nodes.append(helper.make_node(op, ins, outs, name=name, **attrs))
        return outs[0] if n_out == 1 else outs

    def w(self, shape, scale, name=None):
        return self.c((self.rng.randn(*shape) * scale).astype(np.float32), name)

    def gamma(self, c, name=None):
        return self.c((1 + 0.1 * self.rng.randn(c)).astype(np.float32), name)

    def beta(self, c, name=None):
        return self.c((0.05 * self.rng.randn(c)).astype(np.float32), name)

    # --- layers -------------------------------------------------------------------
    def linear(self, x, tag, k, n, bias=True, scale=None):
        s = scale if scale is not None else 1 / np.sqrt(k)
        y = self.op("MatMul", [x, self.w((k, n), s, tag + ".weight")], "/%s/MatMul" % tag)
        if bias:
            y = self.op("Add", [y, self.w((n,), 0.05, tag + ".bias")], "/%s/Add" % tag)
        return y

    def ln_chain(self, x, tag, c, eps=1e-5):
        p = "/" + tag + "/"
        mean = self.op("ReduceMean", [x], p + "ReduceMean", axes=[-1], keepdims=1)
        d = self.op("Sub", [x, mean], p + "Sub")
        sq = self.op("Pow", [d, self.f(2.0)], p + "Pow")
        var = self.op("ReduceMean", [sq], p + "ReduceMean_1", axes=[-1], keepdims=1)
        ve = self.op("Add", [var, self.f(eps)], p + "Add")
        sd = self.op("Sqrt", [ve], p + "Sqrt")
        y = self.op("Div", [d, sd], p + "Div")
        y = self.op("Mul", [y, self.gamma(c, tag + ".weight")], p + "Mul")
        return self.op("Add", [y, self.beta(c, tag + ".bias")], p + "Add_1")

    def ln17(self, x, tag, c, eps=1e-5):
        return self.op("LayerNormalization", [x, self.gamma(c, tag + ".weight"),
                                              self.beta(c, tag + ".bias")],
                       "/%s/LayerNormalization" % tag, axis=-1, epsilon=eps)

    def ln(self, x, tag, c):
        return self.ln17(x, tag, c) if self.opset >= 17 else self.ln_chain(x, tag, c)

    def gelu_new(self, x, tag):
        p = "/" + tag + "/"
        m0 = self.op("Mul", [self.f(0.5), x], p + "Mul")
        cube = self.op("Pow", [x, self.f(3.0)], p + "Pow")
        m1 = self.op("Mul", [self.f(0.044715), cube], p + "Mul_1")
        a0 = self.op("Add", [x, m1], p + "Add")
        m2 = self.op("Mul", [self.f(np.sqrt(2 / np.pi)), a0], p + "Mul_2")
        t = self.op("Tanh", [m2], p + "Tanh")
        a1 = self.op("Add", [self.f(1.0), t], p + "Add_1")
        return self.op("Mul", [m0, a1], p + "Mul_3")

    def gelu_erf(self, x, tag):
        p = "/" + tag + "/"
        a = self.op("Div", [x, self.f(np.sqrt(2))], p + "Div")
        a = self.op("Erf", [a], p + "Erf")
        a = self.op("Add", [a, self.f(1.0)], p + "Add")
        a = self.op("Mul", [x, a], p + "Mul")
        return self.op("Mul", [a, self.f(0.5)], p + "Mul_1")

    def rotate_half(self, x, d, tag, chunk=False):
        if chunk:  # torch.chunk(x, 2, dim=-1): one Split in two
            x1, x2 = self.op("Split", [x, self.c(i64(d // 2, d // 2))], "/%s/Split" % tag,
                             n_out=2, axis=-1)
            n = self.op("Neg", [x2], "/%s/Neg" % tag)
            return self.op("Concat", [n, x1], "/%s/Concat" % tag, axis=-1)
        x1 = self.op("Slice", [x, self.c(i64(0)), self.c(i64(d // 2)), self.c(i64(3)),
                               self.c(i64(1))], "/%s/Slice" % tag)
        x2 = self.op("Slice", [x, self.c(i64(d // 2)), self.c(i64(I64MAX)), self.c(i64(3)),
                               self.c(i64(1))], "/%s/Slice_1" % tag)
        n = self.op("Neg", [x2], "/%s/Neg" % tag)
        return self.op("Concat", [n, x1], "/%s/Concat" % tag, axis=-1)

    def rope_apply(self, x, cos, sin, d, tag, chunk=False):
        a = self.op("Mul", [x, cos], "/%s/Mul" % tag)
        b = self.op("Mul", [self.rotate_half(x, d, tag, chunk), sin], "/%s/Mul_1" % tag)
        return self.op("Add", [a, b], "/%s/Add" % tag)

    @staticmethod
    def rope_np(tmax, d, base=10000.0):
        inv = 1.0 / base ** (np.arange(0, d, 2, dtype=np.float64) / d)
        f = np.outer(np.arange(tmax), inv)
        emb = np.concatenate([f, f], axis=-1)
        return np.cos(emb).astype(np.float32), np.sin(emb).astype(np.float32)

    def heads(self, x, t, h, d, perm=(0, 2, 1, 3)):
        y = self.op("Reshape", [x, self.c(i64(1, t, h, d))])
        return self.op("Transpose", [y], perm=list(perm))

    def merge(self, o, t, c):
        o = self.op("Transpose", [o], perm=[0, 2, 1, 3])
        return self.op("Reshape", [o, self.c(i64(1, t, c))])

    def save(self, path, t, v, logits, ir=8, extra=()):
        """extra: (name, value, shape) graph outputs after logits (use_cache's present.*)."""
        self.nodes.append(helper.make_node("Identity", [logits], ["logits"], name="/out/Identity"))
        outs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, t, v])]
        for name, value, shape in extra:
            self.nodes.append(helper.make_node("Identity", [value], [name], name="/out/" + name))
            outs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))
        g = helper.make_graph(
            self.nodes, os.path.basename(path)[:-5],
            [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, t])], outs,
            self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", self.opset)],
                              producer_name="pytorch", producer_version="2.1.0")
        m.ir_version = ir
        onnx.checker.check_model(m, full_check=True)
        onnx.save(m, path)
        return path


def hf_gpt2_export(out, t=16, c=32, h=2, v=64, layers=1, tmax=32, name="hf_gpt2_export",
                   dyn=True, bias_slice=True):
    """GPT-2 as torch.onnx (opset 14) writes it with shape arithmetic left in the graph:
    Shape/Gather/Unsqueeze/Concat feeding every Reshape, position ids from Range, Conv1D as
    Reshape(-1, C) + Gemm + Reshape(size_out), Split with a split input, Div by sqrt(D),
    bias buffer bool [1,1,Tmax,Tmax] sliced [kl-ql:kl, :kl] by shape-derived bounds,
    Where(mask, w, masked_bias = -1e4), tied head."""
    g = P(101, 14)
    d = c // h
    ax0 = g.c(i64(0), "ax0")
    shp = g.op("Shape", ["input_ids"], "/Shape")
    tt = g.op("Gather", [shp, g.c(np.array(1, np.int64))], "/Gather", axis=0)
    ids2 = g.op("Reshape", ["input_ids", g.op("Concat", [g.c(i64(-1)), g.op(
        "Unsqueeze", [tt, ax0])], axis=0)], "/Reshape")
    rng_ = g.op("Range", [g.c(np.array(0, np.int64)), tt, g.c(np.array(1, np.int64))], "/Range")
    pos = g.op("Unsqueeze", [rng_, ax0], "/Unsqueeze_pos")
    wte = g.w((v, c), 0.5, "transformer.wte.weight")
    x = g.op("Add", [g.op("Gather", [wte, ids2], "/wte/Gather"),
                     g.op("Gather", [g.w((tmax, c), 0.1, "transformer.wpe.weight"), pos],
                          "/wpe/Gather")], "/Add")
    bias = g.c(np.tril(np.ones((tmax, tmax), bool)).reshape(1, 1, tmax, tmax), "attn.bias")
    mval = g.f(-1e4, "masked_bias")  # GPT-2 before HF 4.21

    def dims(y, idx):
        if not dyn:
            return g.c(i64([1, t][idx] if idx < 2 else c))
        s = g.op("Shape", [y])
        return g.op("Unsqueeze", [g.op("Gather", [s, g.c(np.array(idx, np.int64))], axis=0), ax0])

    def conv1d(y, tag, k, n):
        size_out = g.op("Concat", [dims(y, 0), dims(y, 1), g.c(i64(n))], axis=0)
        y2 = g.op("Reshape", [y, g.op("Concat", [g.c(i64(-1)), dims(y, 2) if dyn else
                                                 g.c(i64(k))], axis=0)])
        z = g.op("Gemm", [y2, g.w((k, n), 0.02 * 5, tag + ".weight"),
                          g.w((n,), 0.02, tag + ".bias")], "/%s/Gemm" % tag)
        return g.op("Reshape", [z, size_out], "/%s/Reshape_1" % tag)

    def split_heads(y):
        shp_ = g.op("Concat", [dims(y, 0), dims(y, 1), g.c(i64(h)), g.c(i64(d))], axis=0)
        return g.op("Transpose", [g.op("Reshape", [y, shp_])], perm=[0, 2, 1, 3])

    for i in range(layers):
        p = "h.%d" % i
        a = g.ln_chain(x, p + "/ln_1", c)
        qkv = conv1d(a, p + "/attn/c_attn", c, 3 * c)
        q, k, vv = g.op("Split", [qkv, g.c(i64(c, c, c))], "/%s/attn/Split" % p, n_out=3, axis=2)
        q, k, vv = split_heads(q), split_heads(k), split_heads(vv)
        kt = g.op("Transpose", [k], perm=[0, 1, 3, 2])
        w = g.op("MatMul", [q, kt])
        w = g.op("Div", [w, g.f(np.sqrt(d))], "/%s/attn/Div" % p)
        ql = g.op("Unsqueeze", [g.op("Gather", [g.op("Shape", [q]), g.c(np.array(-2, np.int64))],
                                     axis=0), ax0])
        kl = g.op("Unsqueeze", [g.op("Gather", [g.op("Shape", [k]), g.c(np.array(-2, np.int64))],
                                     axis=0), ax0])
        st = g.op("Sub", [kl, ql])
        if bias_slice:
            m = g.op("Slice", [bias, st, kl, g.c(i64(2)), g.c(i64(1))])
            m = g.op("Slice", [m, g.c(i64(0)), kl, g.c(i64(3)), g.c(i64(1))])
        else:
            m = g.c(np.tril(np.ones((t, t), bool)).reshape(1, 1, t, t))
        w = g.op("Where", [m, w, mval], "/%s/attn/Where" % p)
        pr = g.op("Softmax", [w], axis=-1)
        o = g.op("MatMul", [pr, vv])
        o = g.op("Transpose", [o], perm=[0, 2, 1, 3])
        o = g.op("Reshape", [o, g.op("Concat", [dims(o, 0), dims(o, 1), g.c(i64(c))], axis=0)])
        x = g.op("Add", [conv1d(o, p + "/attn/c_proj", c, c), x])
        m2 = g.ln_chain(x, p + "/ln_2", c)
        m2 = g.gelu_new(conv1d(m2, p + "/mlp/c_fc", c, 4 * c), p + "/mlp/act")
        x = g.op("Add", [x, conv1d(m2, p + "/mlp/c_proj", 4 * c, c)])
    x = g.ln_chain(x, "ln_f", c)
    logits = g.op("MatMul", [x, g.op("Transpose", [wte], perm=[1, 0])], "/lm_head/MatMul")
    return g.save(os.path.join(out, name + ".onnx"), t, v, logits)


def sdpa_causal(g, q, k, vv, tag, neg=-np.inf):
    """torch.onnx symbolic_opset14 scaled_dot_product_attention(is_causal=True)."""
    qs = g.op("Shape", [q])
    emb = g.op("Cast", [g.op("Slice", [qs, g.c(i64(-1)), g.c(i64(I64MAX))])], to=F)
    scale = g.op("Div", [g.f([1.0]), g.op("Sqrt", [emb])])
    scale = g.op("Cast", [scale], to=F)
    ks = g.op("Shape", [k])
    tl = g.op("Slice", [qs, g.c(i64(-2)), g.c(i64(-1))])
    sl = g.op("Slice", [ks, g.c(i64(-1)), g.c(i64(I64MAX))])
    size = g.op("Concat", [tl, sl], axis=0)
    mask = g.op("Expand", [g.f([1.0]), size])
    mask = g.op("Trilu", [mask], upper=0)
    mask = g.op("Where", [g.op("Equal", [mask, g.f([0.0])]), g.f([neg]), g.f([0.0])])
    kt = g.op("Transpose", [k], perm=[0, 1, 3, 2])
    sq = g.op("Sqrt", [scale])
    s = g.op("MatMul", [g.op("Mul", [q, sq]), g.op("Mul", [kt, sq])], "/%s/MatMul" % tag)
    s = g.op("Add", [s, mask], "/%s/Add" % tag)
    pr = g.op("Softmax", [s], "/%s/Softmax" % tag, axis=-1)
    return g.op("MatMul", [pr, vv], "/%s/MatMul_1" % tag)


def sdpa_gpt2(out, t=16, c=32, h=2, v=64, layers=1, name="sdpa_gpt2", neg=-np.inf,
              present=False):
    """GPT-2 with attn_implementation="sdpa" (HF >= 4.36, no padding mask -> is_causal):
    the SDPA decomposition of torch.onnx opset 14 (scale from Shape/Cast/Sqrt, sqrt(scale)
    on q and on K^T, mask Expand(1)/Trilu/Equal/Where(-inf, 0)/Add)."""
    g = P(102, 14)
    d = c // h
    wte = g.w((v, c), 0.5, "wte")
    x = g.op("Add", [g.op("Gather", [wte, "input_ids"]),
                     g.op("Gather", [g.w((64, c), 0.1, "wpe"), g.c(np.arange(t).reshape(1, t))])])
    for i in range(layers):
        p = "h.%d" % i
        a = g.ln_chain(x, p + "/ln_1", c)
        qkv = g.linear(a, p + "/attn/c_attn", c, 3 * c)
        q, k, vv = g.op("Split", [qkv, g.c(i64(c, c, c))], n_out=3, axis=2)
        kh, vh = g.heads(k, t, h, d), g.heads(vv, t, h, d)
        o = sdpa_causal(g, g.heads(q, t, h, d), kh, vh, p + "/attn/sdpa", neg)
        x = g.op("Add", [g.linear(g.merge(o, t, c), p + "/attn/c_proj", c, c), x])
        m = g.gelu_new(g.linear(g.ln_chain(x, p + "/ln_2", c), p + "/mlp/c_fc", c, 4 * c),
                       p + "/mlp/act")
        x = g.op("Add", [x, g.linear(m, p + "/mlp/c_proj", 4 * c, c)])
    x = g.ln_chain(x, "ln_f", c)
    logits = g.op("MatMul", [x, g.op("Transpose", [wte], perm=[1, 0])])
    extra = [("present.0.key", kh, [1, h, t, d]), ("present.0.value", vh, [1, h, t, d])]
    return g.save(os.path.join(out, name + ".onnx"), t, v, logits,
                  extra=extra if present else ())


def llama_export(out, t=16, c=32, h=2, v=64, name="llama_export", mask_dyn=True, layers=1,
                 kvh=None, repeat="expand", present=False, embed_scale=False):
    """Llama as HF >= 4.38 exports it (opset 14): cache_position = Range(0, T), position ids
    Unsqueeze; rotary computed in the graph: inv_freq [1, D/2, 1] MatMul position ids as
    float [1, 1, T] -> Transpose -> Concat(freqs, freqs) -> Cos / Sin -> Unsqueeze(1);
    causal mask = ConstantOfShape(min) -> Trilu(upper, k=1) -> Mul(Cast(Greater(arange,
    cache_position))) -> Expand [1,1,T,T]; Add; Max(w, finfo.min); Softmax + Cast; Mul scale;
    SiLU gate; untied head."""
    g = P(110, 14)
    d = c // h
    x = g.op("Gather", [g.w((v, c), 0.5, "embed_tokens.weight"), "input_ids"])
    if embed_scale:  # Gemma: hidden_states * normalizer (sqrt(hidden_size))
        x = g.op("Mul", [x, g.f(np.sqrt(c))], "/Mul_normalizer")
    tt = g.op("Gather", [g.op("Shape", ["input_ids"]), g.c(np.array(1, np.int64))], axis=0)
    cache_pos = g.op("Range", [g.c(np.array(0, np.int64)), tt, g.c(np.array(1, np.int64))])
    posid = g.op("Unsqueeze", [cache_pos, g.c(i64(0))])
    inv = (1.0 / 10000 ** (np.arange(0, d, 2) / d)).astype(np.float32).reshape(1, d // 2, 1)
    pf = g.op("Cast", [g.op("Unsqueeze", [posid, g.c(i64(1))])], to=F)
    fr = g.op("Transpose", [g.op("MatMul", [g.f(inv), pf])], perm=[0, 2, 1])
    emb = g.op("Concat", [fr, fr], axis=-1)
    cos = g.op("Unsqueeze", [g.op("Cast", [g.op("Cos", [emb])], to=F), g.c(i64(1))])
    sin = g.op("Unsqueeze", [g.op("Cast", [g.op("Sin", [emb])], to=F), g.c(i64(1))])
    if mask_dyn:
        full = g.op("ConstantOfShape", [g.op("Concat", [g.op("Unsqueeze", [tt, g.c(i64(0))]),
                                                        g.op("Unsqueeze", [tt, g.c(i64(0))])],
                                             axis=0)],
                    value=helper.make_tensor("v", F, [1], [FMIN]))
        tri = g.op("Trilu", [full, g.c(np.array(1, np.int64))], upper=1)
        ar = g.op("Range", [g.c(np.array(0, np.int64)), tt, g.c(np.array(1, np.int64))])
        gt = g.op("Greater", [ar, g.op("Reshape", [cache_pos, g.c(i64(-1, 1))])])
        mask = g.op("Mul", [tri, g.op("Cast", [gt], to=F)])
        sz = g.c(i64(1, 1, -1, -1))
        sz = g.op("Where", [g.op("Equal", [sz, g.c(np.array(-1, np.int64))]),
                            g.c(i64(1, 1, 1, 1)), sz])
        mask = g.op("Expand", [g.op("Unsqueeze", [mask, g.c(i64(0, 1))]), sz])
    else:
        mask = g.f(np.where(np.tril(np.ones((t, t), bool)), 0.0, FMIN).reshape(1, 1, t, t))
    extra = []
    for i in range(layers):
        p = "layers.%d" % i
        a = g.op("Mul", [g.gamma(c), g.op("Mul", [x, g.op("Reciprocal", [g.op("Sqrt", [g.op(
            "Add", [g.op("ReduceMean", [g.op("Pow", [x, g.f(2.0)])], axes=[-1]), g.f(1e-6)])])])])])
        q = g.rope_apply(g.heads(g.linear(a, p + "/q_proj", c, c, bias=False), t, h, d),
                         cos, sin, d, p + "/q_rot", chunk=True)
        kvh = kvh or h  # grouped-query attention: kvh K / V heads, repeated (repeat_kv)
        k = g.rope_apply(g.heads(g.linear(a, p + "/k_proj", c, kvh * d, bias=False), t, kvh, d),
                         cos, sin, d, p + "/k_rot", chunk=True)
        vv = g.heads(g.linear(a, p + "/v_proj", c, kvh * d, bias=False), t, kvh, d)
        if present:  # use_cache: the K / V heads before repeat_kv
            extra += [("present.%d.key" % i, k, [1, kvh, t, d]),
                      ("present.%d.value" % i, vv, [1, kvh, t, d])]
        if kvh != h:
            def repeat_kv(y):
                if repeat == "tile":
                    return g.op("Tile", [y, g.c(i64(1, h // kvh, 1, 1))])
                y = g.op("Unsqueeze", [y, g.c(i64(2))])
                y = g.op("Expand", [y, g.c(i64(1, kvh, h // kvh, t, d))])
                return g.op("Reshape", [y, g.c(i64(1, h, t, d))])
            k, vv = repeat_kv(k), repeat_kv(vv)
        w = g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]),
                         g.f(d ** -0.5)])
        w = g.op("Add", [w, mask])
        w = g.op("Max", [w, g.f(FMIN)])  # OPT: torch.max(w, finfo.min)
        pr = g.op("Cast", [g.op("Softmax", [w], axis=-1)], to=F)  # .to(query.dtype)
        o = g.merge(g.op("MatMul", [pr, vv]), t, c)
        x = g.op("Add", [x, g.linear(o, p + "/o_proj", c, c, bias=False)])
        m = g.op("Mul", [g.gamma(c), g.op("Mul", [x, g.op("Reciprocal", [g.op("Sqrt", [g.op(
            "Add", [g.op("ReduceMean", [g.op("Pow", [x, g.f(2.0)])], axes=[-1]), g.f(1e-6)])])])])])
        gate = g.linear(m, p + "/gate_proj", c, 2 * c, bias=False)
        m = g.op("Mul", [g.op("Mul", [gate, g.op("Sigmoid", [gate])]),
                         g.linear(m, p + "/up_proj", c, 2 * c, bias=False)])
        x = g.op("Add", [x, g.linear(m, p + "/down_proj", 2 * c, c, bias=False)])
    x = g.op("Mul", [g.gamma(c), g.op("Mul", [x, g.op("Reciprocal", [g.op("Sqrt", [g.op(
        "Add", [g.op("ReduceMean", [g.op("Pow", [x, g.f(2.0)])], axes=[-1]), g.f(1e-6)])])])])])
    return g.save(os.path.join(out, name + ".onnx"), t, v,
                  g.linear(x, "lm_head", c, v, bias=False), extra=extra)


def llama_gqa(out):
    """llama_export with grouped-query attention (2 of 4 heads for K and V, repeat_kv as
    Unsqueeze / Expand / Reshape): Loom widens the K / V projections."""
    return llama_export(out, h=4, kvh=2, name="llama_gqa")


def llama_gqa_tile(out):
    """llama_gqa with repeat_kv as Tile on the head axis (head h reads kv head h % 2)."""
    return llama_export(out, h=4, kvh=2, name="llama_gqa_tile", repeat="tile")


def llama_gqa_present(out):
    """llama_gqa with the 2 K / V heads before repeat_kv as outputs: refused in one line."""
    return llama_export(out, h=4, kvh=2, name="llama_gqa_present", present=True)


def sdpa_present(out):
    """sdpa_gpt2 exported with use_cache=True: the K and V heads are graph outputs too."""
    return sdpa_gpt2(out, name="sdpa_present", present=True)


def neox_export(out, t=16, c=32, h=2, v=64, layers=1, tmax=32, rot_pct=0.5, name="neox_export",
                chunk_qkv=False):
    """GPT-NeoX / Pythia (opset 17): fused query_key_value Linear viewed [1, T, H, 3D] and
    Sliced on the last axis (chunk_qkv, HF >= 4.45: Transpose, then one Split in three);
    partial rotary on the first rot_pct * D dims of each head (Slice, rotate_half, Concat
    with the rest), cos / sin Gathered from a [Tmax, R] cache by position ids; the bool
    bias buffer Sliced [:T, :T]; Where(mask, w, finfo.min); parallel residual; erf GELU;
    untied embed_out."""
    g = P(111, 17)
    d = c // h
    r = int(d * rot_pct)
    x = g.op("Gather", [g.w((v, c), 0.5, "embed_in.weight"), "input_ids"], "/embed_in/Gather")
    cosn, sinn = P.rope_np(tmax, r)
    posid = g.c(np.arange(t).reshape(1, t).astype(np.int64), "position_ids")
    cos = g.op("Unsqueeze", [g.op("Gather", [g.c(cosn, "cos_cached"), posid]), g.c(i64(1))])
    sin = g.op("Unsqueeze", [g.op("Gather", [g.c(sinn, "sin_cached"), posid]), g.c(i64(1))])
    bias = g.c(np.tril(np.ones((tmax, tmax), bool)).reshape(1, 1, tmax, tmax), "bias")
    causal = g.op("Slice", [bias, g.c(i64(0, 0)), g.c(i64(t, t)), g.c(i64(2, 3))])
    for i in range(layers):
        p = "layers.%d" % i
        a = g.ln(x, p + "/input_layernorm", c)
        qkv = g.linear(a, p + "/attention/query_key_value", c, 3 * c)
        qkv = g.op("Reshape", [qkv, g.c(i64(1, t, h, 3 * d))], "/%s/attention/Reshape" % p)
        if chunk_qkv:
            qkv = g.op("Transpose", [qkv], perm=[0, 2, 1, 3])
            q, k, vv = g.op("Split", [qkv, g.c(i64(d, d, d))], n_out=3, axis=-1)
        else:
            def part(lo, hi):
                s = g.op("Slice", [qkv, g.c(i64(lo)), g.c(i64(hi)), g.c(i64(3)), g.c(i64(1))])
                return g.op("Transpose", [s], perm=[0, 2, 1, 3])
            q, k, vv = part(0, d), part(d, 2 * d), part(2 * d, 3 * d)

        def rot(y, tag):
            yr = g.op("Slice", [y, g.c(i64(0)), g.c(i64(r)), g.c(i64(3)), g.c(i64(1))])
            yp = g.op("Slice", [y, g.c(i64(r)), g.c(i64(I64MAX)), g.c(i64(3)), g.c(i64(1))])
            yr = g.rope_apply(yr, cos, sin, r, "%s/attention/%s" % (p, tag))
            return g.op("Concat", [yr, yp], "/%s/attention/%s/Concat_1" % (p, tag), axis=-1)
        q, k = rot(q, "q_rot"), rot(k, "k_rot")
        w = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
        w = g.op("Mul", [w, g.f(1 / np.sqrt(d))])
        w = g.op("Where", [causal, w, g.f(FMIN)])
        o = g.op("MatMul", [g.op("Softmax", [w], axis=-1), vv])
        attn = g.linear(g.merge(o, t, c), p + "/attention/dense", c, c)
        m = g.ln(x, p + "/post_attention_layernorm", c)
        m = g.gelu_erf(g.linear(m, p + "/mlp/dense_h_to_4h", c, 4 * c), p + "/mlp/act")
        m = g.linear(m, p + "/mlp/dense_4h_to_h", 4 * c, c)
        x = g.op("Add", [g.op("Add", [m, attn]), x])
    x = g.ln(x, "final_layer_norm", c)
    return g.save(os.path.join(out, name + ".onnx"), t, v,
                  g.linear(x, "embed_out", c, v, bias=False))


def neox_chunk(out):
    """neox_export as HF >= 4.45 writes it: the [1, T, H, 3D] view Transposed, then Split."""
    return neox_export(out, name="neox_chunk", chunk_qkv=True)


def opt_export(out, t=16, c=32, h=2, v=64, layers=1, tmax=32, name="opt_export"):
    """OPT (HF < 4.40 eager, opset 14): learned positions with offset 2 from
    attention_mask = ones (ConstantOfShape, CumSum * mask - 1, Slice, + 2); q_proj(x) *
    scaling; heads viewed [H, T, D] for 3-D torch.bmm, scores viewed [1, H, T, T] for the
    additive mask and torch.max(w, finfo.min), viewed back [H, T, T] for Softmax and the
    second bmm, viewed [1, H, T, D]; ReLU MLP; tied head."""
    g = P(112, 14)
    d = c // h
    wte = g.w((v, c), 0.5, "embed_tokens.weight")
    x = g.op("Gather", [wte, "input_ids"], "/embed_tokens/Gather")
    am = g.op("ConstantOfShape", [g.op("Shape", ["input_ids"])],
              value=helper.make_tensor("v", F, [1], [1.0]))
    am = g.op("Cast", [am], to=TensorProto.INT64)
    pp = g.op("Sub", [g.op("Mul", [g.op("CumSum", [am, g.c(np.array(1, np.int64))]), am]),
                      g.c(np.array(1, np.int64))])
    pp = g.op("Slice", [pp, g.c(i64(0)), g.c(i64(I64MAX)), g.c(i64(1)), g.c(i64(1))])
    pp = g.op("Add", [pp, g.c(np.array(2, np.int64))])
    x = g.op("Add", [x, g.op("Gather", [g.w((tmax + 2, c), 0.1, "embed_positions.weight"), pp],
                             "/embed_positions/Gather")])
    mask = g.f(np.where(np.tril(np.ones((t, t), bool)), 0.0, FMIN).reshape(1, 1, t, t))
    for i in range(layers):
        p = "layers.%d" % i
        a = g.ln(x, p + "/self_attn_layer_norm", c)
        q = g.op("Mul", [g.linear(a, p + "/q_proj", c, c), g.f(d ** -0.5)], "/%s/Mul" % p)

        def bmm_heads(y):  # view(bsz * num_heads, -1, head_dim)
            return g.op("Reshape", [g.heads(y, t, h, d), g.c(i64(h, -1, d))])
        qh, kh = bmm_heads(q), bmm_heads(g.linear(a, p + "/k_proj", c, c))
        vh = bmm_heads(g.linear(a, p + "/v_proj", c, c))
        w = g.op("MatMul", [qh, g.op("Transpose", [kh], perm=[0, 2, 1])])
        w = g.op("Add", [g.op("Reshape", [w, g.c(i64(1, h, t, t))]), mask])
        w = g.op("Max", [w, g.f(FMIN)])
        w = g.op("Reshape", [w, g.c(i64(h, t, t))])
        o = g.op("MatMul", [g.op("Softmax", [w], axis=-1), vh])
        o = g.merge(g.op("Reshape", [o, g.c(i64(1, h, t, d))]), t, c)
        x = g.op("Add", [x, g.linear(o, p + "/out_proj", c, c)])
        m = g.op("Relu", [g.linear(g.ln(x, p + "/final_layer_norm", c), p + "/fc1", c, 4 * c)])
        x = g.op("Add", [x, g.linear(m, p + "/fc2", 4 * c, c)])
    x = g.ln(x, "final_layer_norm", c)
    logits = g.op("MatMul", [x, g.op("Transpose", [wte], perm=[1, 0])], "/lm_head/MatMul")
    return g.save(os.path.join(out, name + ".onnx"), t, v, logits)


def bloom_export(out, t=16, c=32, h=2, v=64, layers=1, name="bloom_export", alibi=False):
    """BLOOM's spellings (opset 14): word_embeddings_layernorm; fused query_key_value viewed
    [1, T, H, 3, D] and indexed by Gather(axis 3); 3-D heads for bmm (k permuted to
    [H, D, T]); scores viewed [1, H, T, T], masked_fill = Where(upper triangle, finfo.min,
    w); Softmax + Cast; bloom_gelu_forward's tanh GELU, x * 0.5 * (1 + tanh(0.79788456 * x
    * (1 + 0.044715 * x * x))); tied head. BLOOM adds ALiBi to the scores (alibi=True);
    without it this is BLOOM's graph minus ALiBi."""
    g = P(113, 14)
    d = c // h
    wte = g.w((v, c), 0.5, "word_embeddings.weight")
    x = g.ln(g.op("Gather", [wte, "input_ids"]), "word_embeddings_layernorm", c)
    slopes = np.array([2 ** (-8.0 * (i + 1) / h) for i in range(h)])
    alib = g.f((slopes[:, None] * np.arange(t)[None, :]).reshape(h, 1, t), "alibi")
    upper = g.c(np.triu(np.ones((t, t), bool), 1).reshape(1, 1, t, t), "causal_mask")
    for i in range(layers):
        p = "h.%d" % i
        a = g.ln(x, p + "/input_layernorm", c)
        fused = g.linear(a, p + "/self_attention/query_key_value", c, 3 * c)
        fused = g.op("Reshape", [fused, g.c(i64(1, t, h, 3, d))])
        q, k, vv = (g.op("Gather", [fused, g.c(np.array(j, np.int64))], axis=3) for j in range(3))
        q = g.op("Reshape", [g.op("Transpose", [q], perm=[0, 2, 1, 3]), g.c(i64(h, t, d))])
        kt = g.op("Reshape", [g.op("Transpose", [k], perm=[0, 2, 3, 1]), g.c(i64(h, d, t))])
        vv = g.op("Reshape", [g.op("Transpose", [vv], perm=[0, 2, 1, 3]), g.c(i64(h, t, d))])
        w = g.op("Mul", [g.op("MatMul", [q, kt]), g.f(1 / np.sqrt(d))])
        if alibi:  # baddbmm(alibi, q, k, beta=1, alpha=1/sqrt(D))
            w = g.op("Add", [alib, w])
        w = g.op("Reshape", [w, g.c(i64(1, h, t, t))])
        w = g.op("Where", [upper, g.f(FMIN), w])
        pr = g.op("Cast", [g.op("Softmax", [w], axis=-1)], to=F)
        pr = g.op("Reshape", [pr, g.c(i64(h, t, t))])
        o = g.op("Reshape", [g.op("MatMul", [pr, vv]), g.c(i64(1, h, t, d))])
        x = g.op("Add", [g.linear(g.merge(o, t, c), p + "/self_attention/dense", c, c), x])
        m = g.linear(g.ln(x, p + "/post_attention_layernorm", c), p + "/mlp/dense_h_to_4h", c,
                     4 * c)
        tag = "/%s/mlp/gelu_impl/" % p  # torch traces 0.044715 * x * x left to right
        inner = g.op("Mul", [g.op("Mul", [m, g.f(0.044715)], tag + "Mul"), m], tag + "Mul_1")
        inner = g.op("Add", [inner, g.f(1.0)], tag + "Add")
        inner = g.op("Mul", [g.op("Mul", [m, g.f(0.79788456)], tag + "Mul_2"), inner],
                     tag + "Mul_3")
        th = g.op("Add", [g.op("Tanh", [inner], tag + "Tanh"), g.f(1.0)], tag + "Add_1")
        m = g.op("Mul", [g.op("Mul", [m, g.f(0.5)], tag + "Mul_4"), th], tag + "Mul_5")
        x = g.op("Add", [g.linear(m, p + "/mlp/dense_4h_to_h", 4 * c, c), x])
    x = g.ln(x, "ln_f", c)
    logits = g.op("MatMul", [x, g.op("Transpose", [wte], perm=[1, 0])])
    return g.save(os.path.join(out, name + ".onnx"), t, v, logits)


def bloom_alibi(out):
    """bloom_export with ALiBi (a per-head bias [H, 1, T] added to the scores)."""
    return bloom_export(out, name="bloom_alibi", alibi=True)


def gemma_export(out):
    """llama_export with Gemma's embedding scale: Mul(Gather(embed_tokens), sqrt(C))."""
    return llama_export(out, name="gemma_export", embed_scale=True)


MODELS = {"sdpa_present": sdpa_present, "hf_gpt2_export": hf_gpt2_export, "sdpa_gpt2": sdpa_gpt2, "llama_export": llama_export,
          "llama_gqa": llama_gqa, "llama_gqa_tile": llama_gqa_tile,
          "llama_gqa_present": llama_gqa_present, "neox_export": neox_export,
          "neox_chunk": neox_chunk, "opt_export": opt_export, "bloom_export": bloom_export,
          "bloom_alibi": bloom_alibi, "gemma_export": gemma_export}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for n in sys.argv[2:] or MODELS:
        print(MODELS[n](out))


if __name__ == "__main__":
    main()
