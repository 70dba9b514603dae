#!/usr/bin/python3
"""e2e.transformer_acts: the MLP activations of transformers (issue 12, point 1).

Models written here in the patterns exporters write below opset 20:
  gelu_erf_torch   Linear -> F.gelu as torch.onnx writes it: Div(x, sqrt 2),
                   Erf, Add 1, Mul x, Mul 0.5 -> Linear
  gelu_erf_hf      Hugging Face BERT: Mul(x, 0.5) first, Mul(x, 1/sqrt 2), Erf, ...
  gelu_tanh_gpt2   GPT-2's gelu_new: Pow(x, 3), Mul 0.044715, Add, Mul sqrt(2/pi),
                   Tanh, Add 1, Mul(0.5 * x, .)
  gelu_tanh_cube   the same with x * x * x and the halving last
  swiglu_llama     Llama's gated MLP: down(silu(gate(x)) * up(x)), SiLU as
                   x * Sigmoid(x) (a Mul of two activations: in int8 one exact
                   product requantized by M * 2^-S ~ s_gate * s_up / s_out)
  fastgelu_ort     onnxruntime's fused com.microsoft FastGelu and QuickGelu
Per model (default --precision auto; int8 on three):
  1. the chain is one table activation: report.json has no Erf/Pow/Tanh actor
     and names the fused activation (table_function gelu / swish);
  2. loom run --random with backpressure: 0 mismatching words, predicted ==
     measured latency and II;
  3. against ONNX Runtime on random-normal frames: the float reference within
     1e-4 of the output range, the hardware within HW_TOL.
And refusals: an Erf that is not part of a GELU, and a GELU whose inner
tensor is also a graph output, are refused in one line naming the node.
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

HW_TOL = {"auto": 0.03, "int8": 0.08}
# int8 SwiGLU quantizes silu(gate), up and their product to 8 bits each before the
# down projection sums 16 of them: measured 9.1% of the output range (issue 12 accepts 10%).
HW_TOL_MODEL = {("swiglu_llama", "int8"): 0.10}


def build(path, nodes, inits, d_in, d_out, outputs=None, ms=False):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    outs = outputs or [("y", [1, d_out])]
    g = helper.make_graph(nodes, os.path.basename(path)[:-5],
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, d_in])],
                          [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outs],
                          initializer=[numpy_helper.from_array(np.asarray(a, np.float32), n)
                                       for n, a in inits.items()])
    opsets = [helper.make_opsetid("", 13)] + ([helper.make_opsetid("com.microsoft", 1)] if ms else [])
    m = helper.make_model(g, opset_imports=opsets, producer_name="pytorch")
    m.ir_version = 7
    if not ms:
        onnx.checker.check_model(m)
    onnx.save(m, path)
    return path


def linear(nodes, inits, r, x, name, d_in, d_out):
    """torch.onnx's Linear: MatMul with the transposed weight, then Add bias."""
    from onnx import helper
    inits[name + ".weight_t"] = r.normal(0, 1.0 / math.sqrt(d_in), (d_in, d_out))
    inits[name + ".bias"] = r.normal(0, 0.1, d_out)
    nodes.append(helper.make_node("MatMul", [x, name + ".weight_t"], ["/%s/MatMul_output_0" % name],
                                  name="/%s/MatMul" % name))
    nodes.append(helper.make_node("Add", [name + ".bias", "/%s/MatMul_output_0" % name],
                                  ["/%s/Add_output_0" % name], name="/%s/Add" % name))
    return "/%s/Add_output_0" % name


def const(inits, name, v):
    inits[name] = np.array(v, np.float32)
    return name


def gen_models(work):
    from onnx import helper as h
    n = h.make_node
    models = {}

    def mlp(name, act, d=16, hidden=32, **kw):
        r = np.random.RandomState(sum(map(ord, name)))
        nodes, inits = [], {}
        a = linear(nodes, inits, r, "x", "fc1", d, hidden)
        y = act(nodes, inits, a)
        out = linear(nodes, inits, r, y, "fc2", hidden, 6)
        nodes.append(n("Identity", [out], ["y"], name="/Identity"))
        models[name] = build(os.path.join(work, name + ".onnx"), nodes, inits, d, 6, **kw)

    def gelu_torch(nodes, inits, x):
        nodes += [n("Div", [x, const(inits, "sqrt2", math.sqrt(2))], ["/act/Div_output_0"], name="/act/Div"),
                  n("Erf", ["/act/Div_output_0"], ["/act/Erf_output_0"], name="/act/Erf"),
                  n("Add", ["/act/Erf_output_0", const(inits, "one", 1.0)], ["/act/Add_output_0"], name="/act/Add"),
                  n("Mul", [x, "/act/Add_output_0"], ["/act/Mul_output_0"], name="/act/Mul"),
                  n("Mul", ["/act/Mul_output_0", const(inits, "half", 0.5)], ["/act/Mul_1_output_0"], name="/act/Mul_1")]
        return "/act/Mul_1_output_0"

    def gelu_hf(nodes, inits, x):
        nodes += [n("Mul", [x, const(inits, "half", 0.5)], ["/act/Mul_output_0"], name="/act/Mul"),
                  n("Mul", [x, const(inits, "rsqrt2", 1 / math.sqrt(2))], ["/act/Mul_1_output_0"], name="/act/Mul_1"),
                  n("Erf", ["/act/Mul_1_output_0"], ["/act/Erf_output_0"], name="/act/Erf"),
                  n("Add", [const(inits, "one", 1.0), "/act/Erf_output_0"], ["/act/Add_output_0"], name="/act/Add"),
                  n("Mul", ["/act/Mul_output_0", "/act/Add_output_0"], ["/act/Mul_2_output_0"], name="/act/Mul_2")]
        return "/act/Mul_2_output_0"

    def gelu_tanh(cube):
        def act(nodes, inits, x):
            if cube:
                nodes += [n("Mul", [x, x], ["/act/x2"], name="/act/Mul_x2"),
                          n("Mul", ["/act/x2", x], ["/act/x3"], name="/act/Mul_x3")]
            else:
                nodes += [n("Pow", [x, const(inits, "three", 3.0)], ["/act/x3"], name="/act/Pow")]
            nodes += [n("Mul", [const(inits, "c", 0.044715), "/act/x3"], ["/act/cx3"], name="/act/Mul_c"),
                      n("Add", [x, "/act/cx3"], ["/act/inner"], name="/act/Add"),
                      n("Mul", ["/act/inner", const(inits, "k", math.sqrt(2 / math.pi))], ["/act/scaled"], name="/act/Mul_k"),
                      n("Tanh", ["/act/scaled"], ["/act/t"], name="/act/Tanh"),
                      n("Add", ["/act/t", const(inits, "one", 1.0)], ["/act/t1"], name="/act/Add_1")]
            if cube:
                nodes += [n("Mul", [x, "/act/t1"], ["/act/xt"], name="/act/Mul_x"),
                          n("Mul", [const(inits, "half", 0.5), "/act/xt"], ["/act/out"], name="/act/Mul_half")]
            else:
                nodes += [n("Mul", [const(inits, "half", 0.5), x], ["/act/hx"], name="/act/Mul_half"),
                          n("Mul", ["/act/hx", "/act/t1"], ["/act/out"], name="/act/Mul_out")]
            return "/act/out"
        return act

    def fast_gelu(nodes, inits, x):
        nodes += [n("FastGelu", [x], ["/act/fg"], name="/act/FastGelu", domain="com.microsoft"),
                  n("QuickGelu", ["/act/fg"], ["/act/qg"], name="/act/QuickGelu", domain="com.microsoft",
                    alpha=1.702)]
        return "/act/qg"

    mlp("gelu_erf_torch", gelu_torch)
    mlp("gelu_erf_hf", gelu_hf)
    mlp("gelu_tanh_gpt2", gelu_tanh(False))
    mlp("gelu_tanh_cube", gelu_tanh(True))
    mlp("fastgelu_ort", fast_gelu, ms=True)

    # Llama gated MLP: down(silu(gate(x)) * up(x)).
    r = np.random.RandomState(7)
    nodes, inits = [], {}
    g = linear(nodes, inits, r, "x", "gate_proj", 16, 24)
    u = linear(nodes, inits, r, "x", "up_proj", 16, 24)
    nodes += [n("Sigmoid", [g], ["/act/Sigmoid_output_0"], name="/act/Sigmoid"),
              n("Mul", [g, "/act/Sigmoid_output_0"], ["/act/Mul_output_0"], name="/act/Mul"),
              n("Mul", ["/act/Mul_output_0", u], ["/Mul_output_0"], name="/Mul")]
    out = linear(nodes, inits, r, "/Mul_output_0", "down_proj", 24, 6)
    nodes.append(n("Identity", [out], ["y"], name="/Identity"))
    models["swiglu_llama"] = build(os.path.join(work, "swiglu_llama.onnx"), nodes, inits, 16, 6)

    # Refused: a lone Erf, and a GELU whose Erf output is also a graph output.
    r = np.random.RandomState(3)
    nodes, inits = [], {}
    a = linear(nodes, inits, r, "x", "fc1", 8, 8)
    nodes.append(n("Erf", [a], ["y"], name="/lonely/Erf"))
    models["lone_erf"] = build(os.path.join(work, "lone_erf.onnx"), nodes, inits, 8, 8)
    nodes, inits = [], {}
    a = linear(nodes, inits, r, "x", "fc1", 8, 8)
    y = gelu_torch(nodes, inits, a)
    nodes.append(n("Identity", [y], ["y"], name="/Identity"))
    models["gelu_leaky"] = build(os.path.join(work, "gelu_leaky.onnx"), nodes, inits, 8, 8,
                                 outputs=[("y", [1, 8]), ("/act/Erf_output_0", [1, 8])])
    return models


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.transformer_acts")
    models = gen_models(work)
    runs = [(m, "auto") for m in ("gelu_erf_torch", "gelu_erf_hf", "gelu_tanh_gpt2",
                                  "gelu_tanh_cube", "swiglu_llama", "fastgelu_ort")]
    # int8 calibrates on random-normal frames, the frames compared below.
    runs += [("gelu_tanh_gpt2", "int8"), ("gelu_erf_torch", "int8"), ("swiglu_llama", "int8")]
    calib = os.path.join(work, "calib.npy")
    np.save(calib, np.random.RandomState(1).randn(200, 16).astype(np.float32))
    for name, prec in runs:
        label = "%s/%s" % (name, prec)
        out = os.path.join(work, "out", name + "_" + prec)
        extra = ("--calib", calib) if prec == "int8" else ()
        r = E.run(loom, "run", models[name], "-o", out, "--precision", prec, "--random", "30",
                  "--backpressure", "0.3", *extra)
        if not c.check(r.rc == 0, "%s: loom run failed: %s" % (label, r.describe())):
            continue
        rep = E.read_json(os.path.join(out, "report.json"))
        ops = {a.get("onnx_op") for a in rep["actors"]}
        c.check(not ops & {"Erf", "Pow", "Tanh", "Sigmoid", "Div"},
                "%s: unfused ops left in actors: %s" % (label, sorted(o for o in ops if o)))
        want = {"swish"} if name.startswith("swiglu") else {"gelu"}
        if name == "fastgelu_ort":
            want = {"gelu", "swish"}
        acts = {a.get("activation") for a in rep["actors"]}
        c.check(want <= acts, "%s: activations %s, want %s fused" % (label, sorted(
            str(a) for a in acts), sorted(want)))
        sj = E.read_json(os.path.join(out, "sim.json"))
        c.check(sj["mismatches"] == 0 and sj["latency_cycles"] == sj["predicted_latency_cycles"]
                and sj["ii_cycles"] == sj["predicted_ii_cycles"],
                "%s: mismatches %s, latency %s/%s, II %s/%s" % (
                    label, sj["mismatches"], sj["latency_cycles"], sj["predicted_latency_cycles"],
                    sj["ii_cycles"], sj["predicted_ii_cycles"]))
        for p in E.compare_with_ort(loom, src, models[name], out, frames=24, seed=9,
                                    hw_range_frac=HW_TOL_MODEL.get((name, prec), HW_TOL[prec]),
                                    label=label):
            c.check(False, p)
    for name, node in (("lone_erf", "/lonely/Erf"), ("gelu_leaky", "/act/Erf")):
        r = E.run(loom, "compile", models[name], "-o", os.path.join(work, "out", name))
        lines = r.err.strip().splitlines()
        c.check(r.rc == 1 and len(lines) == 1 and node in r.err and "Erf" in r.err,
                "%s: want one error line naming %s (Erf): %s" % (name, node, r.describe()))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
