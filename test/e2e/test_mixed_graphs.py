#!/usr/bin/python3
"""e2e.mixed_graphs: quantized graphs whose other tensors stay float (issue 10.3).

Models written here with onnx.helper, QDQ as ONNX Runtime's quantizer and
PyTorch exporters write it (int8 weights behind DequantizeLinear):
  float_input  a float input feeding the first quantized layer: x -> Gemm(DQ(w1))
               -> QuantizeLinear -> DequantizeLinear -> Gemm(DQ(w2)) -> Q -> DQ -> y
  float_ends   a float conv (float weights) and Relu before the first quantizer,
               a quantized conv, then a float tail after the last dequantizer:
               Flatten -> Gemm (float weights) -> Softmax.
With default options (--precision auto) the float tensors get automatic
formats around the model's own quantizers. Checks:
  1. loom run --random: 0 mismatching words, II / latency as predicted;
  2. report.json: precision auto with auto_precision.mixed true, the model's
     quantized layer keeps its weight scale (int8 codes: 8-bit weights);
  3. against ONNX Runtime (the independent oracle) on random-normal frames:
     the float reference within 1e-4 of the output range, the hardware within
     2% (the QDQ parts round as ONNX Runtime does, up to one step at ties).
A fully quantized graph still reports precision "model" (nothing is float).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

FRAMES = 12


def int8_weight(inits, name, w):
    """Per-tensor symmetric int8 weights behind a DequantizeLinear (returns the DQ node)."""
    from onnx import helper
    s = np.float32(np.abs(w).max() / 127.0)
    inits[name + "_q"] = np.clip(np.round(w / s), -127, 127).astype(np.int8)
    inits[name + "_s"] = np.array(s, np.float32)
    inits[name + "_z"] = np.array(0, np.int8)
    return helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"], [name],
                            name=name + "_DequantizeLinear")


def qdq(inits, nodes, x, name, scale, zp=0, dtype=np.uint8):
    """QuantizeLinear -> DequantizeLinear of activation x; returns the output name."""
    from onnx import helper
    inits[name + "_s"] = np.array(scale, np.float32)
    inits[name + "_z"] = np.array(zp, dtype)
    nodes.append(helper.make_node("QuantizeLinear", [x, name + "_s", name + "_z"], [name + "_q"],
                                  name=name + "_QuantizeLinear"))
    nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"],
                                  [name + "_dq"], name=name + "_DequantizeLinear"))
    return name + "_dq"


def float_input(work):
    from onnx import helper
    r = np.random.RandomState(31)
    inits, nodes = {}, []
    nodes.append(int8_weight(inits, "w1", r.normal(0, 0.4, (16, 12)).astype(np.float32)))
    inits["b1"] = r.normal(0, 0.1, 12).astype(np.float32)
    nodes.append(helper.make_node("Gemm", ["x", "w1", "b1"], ["h1"], name="/fc1/Gemm"))
    nodes.append(helper.make_node("Relu", ["h1"], ["a1"], name="/fc1/Relu"))
    a1 = qdq(inits, nodes, "a1", "a1", 0.02)
    nodes.append(int8_weight(inits, "w2", r.normal(0, 0.3, (12, 6)).astype(np.float32)))
    inits["b2"] = r.normal(0, 0.1, 6).astype(np.float32)
    nodes.append(helper.make_node("Gemm", [a1, "w2", "b2"], ["h2"], name="/fc2/Gemm"))
    y = qdq(inits, nodes, "h2", "h2", 0.01, 0, np.int8)
    nodes.append(helper.make_node("Identity", [y], ["y"], name="/out/Identity"))
    return E.save_model(os.path.join(work, "float_input.onnx"), nodes, inits, [1, 16], [1, 6])


def float_ends(work):
    from onnx import helper
    r = np.random.RandomState(32)
    inits, nodes = {}, []
    inits["k1"] = r.normal(0, 0.3, (4, 2, 3, 3)).astype(np.float32)
    inits["c1"] = r.normal(0, 0.1, 4).astype(np.float32)
    nodes.append(helper.make_node("Conv", ["x", "k1", "c1"], ["h1"], pads=[1, 1, 1, 1],
                                  name="/conv1/Conv"))
    nodes.append(helper.make_node("Relu", ["h1"], ["a1"], name="/conv1/Relu"))
    a1 = qdq(inits, nodes, "a1", "a1", 0.02)
    nodes.append(int8_weight(inits, "k2", r.normal(0, 0.3, (4, 4, 3, 3)).astype(np.float32)))
    inits["c2"] = r.normal(0, 0.1, 4).astype(np.float32)
    nodes.append(helper.make_node("Conv", [a1, "k2", "c2"], ["h2"], pads=[1, 1, 1, 1],
                                  name="/conv2/Conv"))
    nodes.append(helper.make_node("Relu", ["h2"], ["a2"], name="/conv2/Relu"))
    a2 = qdq(inits, nodes, "a2", "a2", 0.03)
    nodes.append(helper.make_node("Flatten", [a2], ["f"], name="/Flatten"))
    inits["w"] = r.normal(0, 0.2, (5, 4 * 6 * 6)).astype(np.float32)
    inits["b"] = r.normal(0, 0.1, 5).astype(np.float32)
    nodes.append(helper.make_node("Gemm", ["f", "w", "b"], ["z"], transB=1, name="/fc/Gemm"))
    nodes.append(helper.make_node("Softmax", ["z"], ["y"], axis=1, name="/Softmax"))
    return E.save_model(os.path.join(work, "float_ends.onnx"), nodes, inits, [1, 2, 6, 6], [1, 5])


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.mixed_graphs")
    models = {"float_input": float_input(work), "float_ends": float_ends(work)}

    def one(name):
        out = os.path.join(work, "out", name)
        return name, out, E.run(loom, "run", models[name], "-o", out, "--random", FRAMES,
                                "--backpressure", "0.3")

    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(E.jobs()) as pool:
        results = list(pool.map(one, models))
    for name, out, r in results:
        if not c.check(r.rc == 0, "%s: loom run: %s" % (name, r.describe()[-2000:])):
            continue
        s = E.read_json(os.path.join(out, "sim.json"))
        rep = E.read_json(os.path.join(out, "report.json"))
        c.check(s["mismatches"] == 0 and s["ii_cycles"] == s["predicted_ii_cycles"] and
                s["latency_cycles"] == s["predicted_latency_cycles"],
                "%s: 0 mismatches (%s), II / latency as predicted" % (name, s["mismatches"]))
        ap = rep.get("auto_precision", {})
        c.check(rep.get("precision") == "auto" and ap.get("mixed") is True,
                "%s: precision auto on a mixed graph: %s, mixed %s"
                % (name, rep.get("precision"), ap.get("mixed")))
        # The model's int8 layer keeps its own weights: 8-bit codes.
        layer = "/fc2/Gemm" if name == "float_input" else "/conv2/Conv"
        mults = [a.get("mult_bits") for a in rep["actors"] if a["name"] == layer and "mult_bits" in a]
        c.check(bool(mults) and mults[0][1] <= 8,
                "%s: %s keeps its int8 weights (multiplier widths %s)" % (name, layer, mults))
        for p in E.compare_with_ort(loom, src, models[name], out, frames=16, hw_range_frac=0.02,
                                    label=name):
            c.check(False, p)

    # Nothing float: the model's quantization alone (report precision "model").
    full = os.path.join(work, "full_qdq.onnx")
    import onnx
    m = onnx.load(models["float_input"])
    g = m.graph
    x_s = onnx.numpy_helper.from_array(np.array(0.05, np.float32), "x_in_s")
    x_z = onnx.numpy_helper.from_array(np.array(0, np.int8), "x_in_z")
    g.initializer.extend([x_s, x_z])
    for n in g.node:
        if n.name == "/fc1/Gemm":
            n.input[0] = "x_dq"
    q = onnx.helper.make_node("QuantizeLinear", ["x", "x_in_s", "x_in_z"], ["x_q"], name="in_Q")
    dq = onnx.helper.make_node("DequantizeLinear", ["x_q", "x_in_s", "x_in_z"], ["x_dq"], name="in_DQ")
    g.node.insert(0, dq)
    g.node.insert(0, q)
    onnx.save(m, full)
    out = os.path.join(work, "out", "full_qdq")
    r = E.run(loom, "compile", full, "-o", out)
    if c.check(r.rc == 0, "full_qdq: compile: " + r.describe()[-1500:]):
        rep = E.read_json(os.path.join(out, "report.json"))
        c.check(rep.get("precision") == "model" and "auto_precision" not in rep,
                "full_qdq: a fully quantized graph keeps precision model: %s" % rep.get("precision"))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
