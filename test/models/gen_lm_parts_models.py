#!/usr/bin/env python3
"""The parts of a decoder language model around attention, in the exporters' op
patterns (run with Debian's /usr/bin/python3: onnx + numpy).

    gen_lm_parts_models.py OUT_DIR

- lm_gpt2 (opset 13): GPT-2-like "bag of tokens" LM without attention, as
  torch.onnx exports Hugging Face's GPT2LMHeadModel: input_ids int64 [1, T] ->
  Gather(wte) + Gather(wpe, position ids = Unsqueeze(Range(0, Shape(ids)[1], 1))) -> LayerNorm (opset<=16
  ReduceMean/Sub/Pow/Sqrt/Div chain) -> MLP (MatMul + bias, NewGELU as its tanh
  chain, MatMul + bias) -> residual Add -> LayerNorm -> tied lm_head
  MatMul(x, Transpose(wte)) -> logits [1, T, V].
- lm_embed (opset 13): Gather(wte) -> Cast(int64) on the ids first -> MatMul(x, W)
  [1, T, V]: the embedding alone, untied head; ids through a Cast.
- lm_llama (opset 18): Llama-like: Gather(embed_tokens) -> RMSNorm (Pow, ReduceMean-18
  with axes input, Add eps, Sqrt, Reciprocal, Mul, Mul weight) -> SiLU-gated MLP
  (gate, up, x * Sigmoid(x) * up, down) -> residual -> RMSNorm (Div(1, Sqrt) form,
  weight first) -> untied lm_head -> logits.
- lm_llama13 (opset 13): the same with ReduceMean-13 (axes attribute), RMSNorm as
  Div(x, Sqrt) (T5-style) then as Reciprocal.
- lm_wpe_slice (opset 13): position embeddings as wpe[:T] (Slice) instead of a Gather.
- bad_*: refusals (non-constant table, Gather along axis 1, a per-position Add that
  does not follow the token Gather).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

EPS = 1e-5


def f32(a):
    return np.asarray(a, np.float32)


def ln_chain(nodes, inits, x, out, tag, c, r):
    """PyTorch's opset<=16 export of nn.LayerNorm."""
    inits += [numpy_helper.from_array(f32(2.0), tag + "_two"),
              numpy_helper.from_array(f32(EPS), tag + "_eps"),
              numpy_helper.from_array(f32(r.uniform(0.6, 1.4, c)), tag + ".weight"),
              numpy_helper.from_array(f32(r.normal(0, 0.2, c)), tag + ".bias")]
    p = "/" + tag + "/"
    nodes += [
        helper.make_node("ReduceMean", [x], [p + "mean"], name=p + "ReduceMean", axes=[-1]),
        helper.make_node("Sub", [x, p + "mean"], [p + "d"], name=p + "Sub"),
        helper.make_node("Pow", [p + "d", tag + "_two"], [p + "sq"], name=p + "Pow"),
        helper.make_node("ReduceMean", [p + "sq"], [p + "var"], name=p + "ReduceMean_1", axes=[-1]),
        helper.make_node("Add", [p + "var", tag + "_eps"], [p + "ve"], name=p + "Add"),
        helper.make_node("Sqrt", [p + "ve"], [p + "std"], name=p + "Sqrt"),
        helper.make_node("Div", [p + "d", p + "std"], [p + "n"], name=p + "Div"),
        helper.make_node("Mul", [p + "n", tag + ".weight"], [p + "g"], name=p + "Mul"),
        helper.make_node("Add", [p + "g", tag + ".bias"], [out], name=p + "Add_1"),
    ]


def rms_chain(nodes, inits, x, out, tag, c, r, form, opset=18):
    """Hugging Face LlamaRMSNorm: x * rsqrt(mean(x^2) + eps) * weight.
    form "recip": Reciprocal(Sqrt), Mul(x, inv); "div1": Div(1, Sqrt), Mul(x, inv), weight
    first in the last Mul; "div": Div(x, Sqrt) (T5-style). ReduceMean-18 takes its axes as
    an input, ReduceMean-13 as an attribute."""
    p = "/" + tag + "/"
    inits += [numpy_helper.from_array(f32(2.0), tag + "_two"),
              numpy_helper.from_array(f32(1e-6), tag + "_eps"),
              numpy_helper.from_array(f32(r.uniform(0.6, 1.4, c)), tag + ".weight")]
    if opset >= 18:
        inits.append(numpy_helper.from_array(np.array([-1], np.int64), tag + "_axes"))
        mean = helper.make_node("ReduceMean", [p + "sq", tag + "_axes"], [p + "ms"],
                                name=p + "ReduceMean", keepdims=1)
    else:
        mean = helper.make_node("ReduceMean", [p + "sq"], [p + "ms"], name=p + "ReduceMean",
                                axes=[-1], keepdims=1)
    nodes += [
        helper.make_node("Pow", [x, tag + "_two"], [p + "sq"], name=p + "Pow"),
        mean,
        helper.make_node("Add", [p + "ms", tag + "_eps"], [p + "mse"], name=p + "Add"),
        helper.make_node("Sqrt", [p + "mse"], [p + "rms"], name=p + "Sqrt"),
    ]
    if form == "recip":
        nodes += [helper.make_node("Reciprocal", [p + "rms"], [p + "inv"], name=p + "Reciprocal"),
                  helper.make_node("Mul", [x, p + "inv"], [p + "n"], name=p + "Mul"),
                  helper.make_node("Mul", [p + "n", tag + ".weight"], [out], name=p + "Mul_1")]
    elif form == "div":
        nodes += [helper.make_node("Div", [x, p + "rms"], [p + "n"], name=p + "Div"),
                  helper.make_node("Mul", [tag + ".weight", p + "n"], [out], name=p + "Mul_1")]
    else:
        inits.append(numpy_helper.from_array(f32(1.0), tag + "_one"))
        nodes += [helper.make_node("Div", [tag + "_one", p + "rms"], [p + "inv"], name=p + "Div"),
                  helper.make_node("Mul", [x, p + "inv"], [p + "n"], name=p + "Mul"),
                  helper.make_node("Mul", [tag + ".weight", p + "n"], [out], name=p + "Mul_1")]


def linear(nodes, inits, x, out, tag, k, n, r, bias=True, scale=None):
    s = scale if scale is not None else 1.0 / np.sqrt(k)
    inits.append(numpy_helper.from_array(f32(r.normal(0, s, (k, n))), tag + ".weight"))
    if not bias:
        nodes.append(helper.make_node("MatMul", [x, tag + ".weight"], [out], name="/" + tag + "/MatMul"))
        return
    inits.append(numpy_helper.from_array(f32(r.normal(0, 0.1, n)), tag + ".bias"))
    nodes += [helper.make_node("MatMul", [x, tag + ".weight"], ["/" + tag + "/mm"],
                               name="/" + tag + "/MatMul"),
              helper.make_node("Add", ["/" + tag + "/mm", tag + ".bias"], [out],
                               name="/" + tag + "/Add")]


def new_gelu(nodes, inits, x, out, tag):
    """Hugging Face NewGELUActivation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    p = "/" + tag + "/"
    for name, v in (("half", 0.5), ("one", 1.0), ("k", 0.044715), ("s", np.sqrt(2 / np.pi)),
                    ("three", 3.0)):
        inits.append(numpy_helper.from_array(f32(v), tag + "_" + name))
    nodes += [
        helper.make_node("Mul", [tag + "_half", x], [p + "m0"], name=p + "Mul"),
        helper.make_node("Pow", [x, tag + "_three"], [p + "cube"], name=p + "Pow"),
        helper.make_node("Mul", [tag + "_k", p + "cube"], [p + "m1"], name=p + "Mul_1"),
        helper.make_node("Add", [x, p + "m1"], [p + "a0"], name=p + "Add"),
        helper.make_node("Mul", [tag + "_s", p + "a0"], [p + "m2"], name=p + "Mul_2"),
        helper.make_node("Tanh", [p + "m2"], [p + "t"], name=p + "Tanh"),
        helper.make_node("Add", [tag + "_one", p + "t"], [p + "a1"], name=p + "Add_1"),
        helper.make_node("Mul", [p + "m0", p + "a1"], [out], name=p + "Mul_3"),
    ]


def save(out_dir, name, nodes, inits, t, v, opset):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, t])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, t, v])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="pytorch")
    model.ir_version = 8
    if opset <= 17:  # onnx 1.12 knows opsets up to 17
        onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out_dir, name + ".onnx"))


def token_embedding(nodes, inits, r, v, c, t, wpe="gather"):
    wte = f32(r.normal(0, 0.5, (v, c)))
    inits.append(numpy_helper.from_array(wte, "transformer.wte.weight"))
    nodes.append(helper.make_node("Gather", ["transformer.wte.weight", "input_ids"], ["tok"],
                                  name="/transformer/wte/Gather"))
    if wpe is None:
        return "tok"
    inits.append(numpy_helper.from_array(f32(r.normal(0, 0.3, (64, c))), "transformer.wpe.weight"))
    if wpe == "gather":
        # Hugging Face: position_ids = arange(T).unsqueeze(0), T from the ids' shape
        for n, val in (("zero", 0), ("one", 1), ("ax", [0])):
            inits.append(numpy_helper.from_array(np.array(val, np.int64), "/transformer/c_" + n))
        nodes += [helper.make_node("Shape", ["input_ids"], ["/transformer/shape"],
                                   name="/transformer/Shape"),
                  helper.make_node("Gather", ["/transformer/shape", "/transformer/c_one"],
                                   ["/transformer/t"], name="/transformer/Gather", axis=0),
                  helper.make_node("Range", ["/transformer/c_zero", "/transformer/t",
                                             "/transformer/c_one"], ["/transformer/range"],
                                   name="/transformer/Range"),
                  helper.make_node("Unsqueeze", ["/transformer/range", "/transformer/c_ax"],
                                   ["position_ids"], name="/transformer/Unsqueeze"),
                  helper.make_node("Gather", ["transformer.wpe.weight", "position_ids"], ["pos"],
                                   name="/transformer/wpe/Gather")]
    else:  # wpe[:T]
        for n, val in (("zero", 0), ("t", t), ("ax", 0)):
            inits.append(numpy_helper.from_array(np.array([val], np.int64), "slice_" + n))
        nodes.append(helper.make_node("Slice", ["transformer.wpe.weight", "slice_zero", "slice_t",
                                                "slice_ax"], ["pos"], name="/transformer/wpe/Slice"))
    nodes.append(helper.make_node("Add", ["tok", "pos"], ["h0"], name="/transformer/Add"))
    return "h0"


def gpt2(out_dir, name="lm_gpt2", wpe="gather"):
    r = np.random.RandomState(2024)
    V, C, T, H = 96, 32, 16, 64
    nodes, inits = [], []
    h0 = token_embedding(nodes, inits, r, V, C, T, wpe)
    ln_chain(nodes, inits, h0, "n1", "transformer/h.0/ln_2", C, r)
    linear(nodes, inits, "n1", "fc", "transformer/h.0/mlp/c_fc", C, H, r)
    new_gelu(nodes, inits, "fc", "g", "transformer/h.0/mlp/act")
    linear(nodes, inits, "g", "proj", "transformer/h.0/mlp/c_proj", H, C, r, scale=0.1)
    nodes.append(helper.make_node("Add", [h0, "proj"], ["h1"], name="/transformer/h.0/Add"))
    ln_chain(nodes, inits, "h1", "nf", "transformer/ln_f", C, r)
    nodes += [helper.make_node("Transpose", ["transformer.wte.weight"], ["wte_t"],
                               name="/lm_head/Transpose", perm=[1, 0]),
              helper.make_node("MatMul", ["nf", "wte_t"], ["logits"], name="/lm_head/MatMul")]
    save(out_dir, name, nodes, inits, T, V, 13)


def embed_only(out_dir):
    r = np.random.RandomState(7)
    V, C, T = 64, 32, 16
    nodes, inits = [], []
    nodes.append(helper.make_node("Cast", ["input_ids"], ["ids"], name="/Cast", to=TensorProto.INT64))
    inits.append(numpy_helper.from_array(f32(r.normal(0, 1.0, (V, C))), "embed.weight"))
    nodes.append(helper.make_node("Gather", ["embed.weight", "ids"], ["tok"], name="/embed/Gather"))
    linear(nodes, inits, "tok", "logits", "lm_head", C, V, r, bias=False)
    save(out_dir, "lm_embed", nodes, inits, T, V, 13)


def llama(out_dir, name="lm_llama", opset=18, forms=("recip", "div1")):
    r = np.random.RandomState(77)
    V, C, T, H = 128, 32, 16, 64
    nodes, inits = [], []
    inits.append(numpy_helper.from_array(f32(r.normal(0, 0.5, (V, C))), "model.embed_tokens.weight"))
    nodes.append(helper.make_node("Gather", ["model.embed_tokens.weight", "input_ids"], ["h0"],
                                  name="/model/embed_tokens/Gather"))
    rms_chain(nodes, inits, "h0", "n1", "model/layers.0/post_attention_layernorm", C, r, forms[0],
              opset)
    linear(nodes, inits, "n1", "gate", "model/layers.0/mlp/gate_proj", C, H, r, bias=False)
    linear(nodes, inits, "n1", "up", "model/layers.0/mlp/up_proj", C, H, r, bias=False)
    p = "/model/layers.0/mlp/act_fn/"
    nodes += [helper.make_node("Sigmoid", ["gate"], [p + "sig"], name=p + "Sigmoid"),
              helper.make_node("Mul", ["gate", p + "sig"], [p + "silu"], name=p + "Mul"),
              helper.make_node("Mul", [p + "silu", "up"], ["gu"], name="/model/layers.0/mlp/Mul")]
    linear(nodes, inits, "gu", "down", "model/layers.0/mlp/down_proj", H, C, r, bias=False, scale=0.1)
    nodes.append(helper.make_node("Add", ["h0", "down"], ["h1"], name="/model/layers.0/Add"))
    rms_chain(nodes, inits, "h1", "nf", "model/norm", C, r, forms[1], opset)
    linear(nodes, inits, "nf", "logits", "lm_head", C, V, r, bias=False)
    save(out_dir, name, nodes, inits, T, V, opset)


def bad(out_dir):
    """Refusals, each ending at the node Loom refuses (its output is the graph's)."""
    r = np.random.RandomState(5)
    V, C, T = 64, 16, 8
    w = f32(r.normal(0, 1, (V, C)))
    cases = (
        ("bad_gather_axis1", [helper.make_node("Gather", ["tbl", "input_ids"], ["y"],
                                               name="/embed/Gather", axis=1)],
         [numpy_helper.from_array(f32(r.normal(0, 1, (C, V))), "tbl")], None),
        ("bad_gather_table", [helper.make_node("Gather", ["tbl", "input_ids"], ["y"],
                                               name="/embed/Gather")],
         [], helper.make_tensor_value_info("tbl", TensorProto.FLOAT, [V, C])),
        ("bad_pos_add", [helper.make_node("Gather", ["tbl", "input_ids"], ["tok"],
                                          name="/embed/Gather"),
                         helper.make_node("Relu", ["tok"], ["r"], name="/Relu"),
                         helper.make_node("Add", ["r", "pos"], ["y"], name="/pos/Add")],
         [numpy_helper.from_array(w, "tbl"),
          numpy_helper.from_array(f32(r.normal(0, 1, (1, T, C))), "pos")], None))
    for name, nodes, inits, extra_in in cases:
        ins = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, T])]
        if extra_in is not None:
            ins.append(extra_in)
        graph = helper.make_graph(nodes, name, ins,
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                                  initializer=inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        onnx.save(model, os.path.join(out_dir, name + ".onnx"))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    gpt2(out)
    gpt2(out, "lm_wpe_slice", wpe="slice")
    embed_only(out)
    llama(out)
    llama(out, "lm_llama13", 13, ("div", "recip"))
    bad(out)


if __name__ == "__main__":
    main()
