#!/usr/bin/python3
"""e2e.runtime_weights: `loom compile --runtime-weights` loads the weights of the dense,
conv and depthwise layers, embedding tables and LayerNorm gamma / beta through the s_axis_wt
port (docs/CONTRACTS.md "Weight-load stream"), so one build runs any weight set of its
architecture.

Per architecture, with --precision fixed<10,4> and with the default (auto resolves one
fixed<W,I> from A's ranges, holding twice its largest weight) (a dense MLP; a conv -> relu ->
depthwise conv; a LoRA layer y = x W + (x A) B exported as PEFT does, a rank-2 side branch
beside the frozen base, where A and B are two adapters on the same base weights; a tiny
language model whose token / position tables, LayerNorm gamma / beta and head all load),
models A and B with the same shapes and different weights:
 1. compile A with --runtime-weights; sim (A's own image) is bit-exact, and
    weight_load_cycles (sim.json, measured) == predicted_weight_load_cycles (report.json);
 2. sim --weights B on the same frames: 0 mismatching words against the reference
    interpreter with B's weights, outputs differ from A's, the float reference agrees
    with ONNX Runtime on B to 1e-4 of the output range and the hardware is within 5%;
 3. --weights B,A swaps the weights between the two halves of one run: bit-exact, two
    loads, both weight_load_cycles long;
 4. pack-weights B writes the same bytes as B's own --runtime-weights compile;
 5. every file under OUT/rtl has the same hash before and after all of this.
--precision int8 (the MLP and the conv) fixes A's quantizers, recorded in layout.json
compile.int8; B, a fine-tune of A, is quantized with them (no own-compile comparison in
step 4); mlp_b, drawn independently, does not fit A's per-channel scales and is refused.
Refusals, one line each and a non-zero exit: a model of another architecture (naming the
first difference), weights outside the format or beyond int8's fixed scales (naming the
tensor and its range: a weight, a LayerNorm gamma), a model with its own quantizers, an
int8 LayerNorm (int8 fixes no gamma / beta scales yet; naming the node), --weights on a ROM
build.
"""
import hashlib
import os
import sys

import numpy as np
from onnx import helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

PRECISION = "fixed<10,4>"
LM_T, LM_V = 4, 12
FRAMES = 16


def tuned(inits, tune):
    """A fine-tune of a model: every initializer moved by `tune` x N(0, 1) (seed 99), the
    weight sets an int8 architecture takes (its per-channel scales hold 1.25x A's)."""
    if not tune:
        return inits
    r = np.random.RandomState(99)
    return {k: (v + tune * r.randn(*v.shape)).astype(np.float32) for k, v in inits.items()}


def mlp(path, seed, hidden=8, scale=0.5, tune=0.0):
    r = np.random.RandomState(seed)
    inits = tuned({"W1": (r.randn(6, hidden) * scale).astype(np.float32),
                   "b1": (r.randn(hidden) * 0.1).astype(np.float32),
                   "W2": (r.randn(hidden, 4) * scale).astype(np.float32),
                   "b2": (r.randn(4) * 0.1).astype(np.float32)}, tune)
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], name="fc1"),
             helper.make_node("Relu", ["h"], ["hr"], name="relu1"),
             helper.make_node("Gemm", ["hr", "W2", "b2"], ["y"], name="fc2")]
    return E.save_model(path, nodes, inits, [1, 6], [1, 4])


def conv(path, seed, tune=0.0):
    r = np.random.RandomState(seed)
    inits = tuned({"Wc": (r.randn(4, 2, 3, 3) * 0.3).astype(np.float32),
                   "bc": (r.randn(4) * 0.1).astype(np.float32),
                   "Wd": (r.randn(4, 1, 3, 3) * 0.3).astype(np.float32),
                   "bd": (r.randn(4) * 0.1).astype(np.float32)}, tune)
    nodes = [helper.make_node("Conv", ["x", "Wc", "bc"], ["c"], name="conv1", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["cr"], name="relu1"),
             helper.make_node("Conv", ["cr", "Wd", "bd"], ["y"], name="dw1", group=4,
                              pads=[1, 1, 1, 1])]
    return E.save_model(path, nodes, inits, [1, 2, 4, 4], [1, 4, 4, 4])


def lora(path, seed_adapter, rank=2, seed_base=1):
    """PEFT's LoRA export: MatMul(x, W) + MatMul(MatMul(x, A), B), rank `rank`."""
    rw, ra = np.random.RandomState(seed_base), np.random.RandomState(seed_adapter)
    inits = {"W": (rw.randn(8, 6) * 0.4).astype(np.float32),
             "A": (ra.randn(8, rank) * 0.4).astype(np.float32),
             "B": (ra.randn(rank, 6) * 0.4).astype(np.float32)}
    nodes = [helper.make_node("MatMul", ["x", "W"], ["base"], name="base"),
             helper.make_node("MatMul", ["x", "A"], ["xa"], name="lora_A"),
             helper.make_node("MatMul", ["xa", "B"], ["xab"], name="lora_B"),
             helper.make_node("Add", ["base", "xab"], ["y"], name="lora_add")]
    return E.save_model(path, nodes, inits, [1, 8], [1, 6])


def qdq_mlp(path):
    """A model with its own quantizer (QuantizeLinear / DequantizeLinear before a Gemm)."""
    r = np.random.RandomState(7)
    inits = {"s": np.array(0.02, np.float32), "z": np.array(128, np.uint8),
             "W": (r.randn(6, 4) * 0.5).astype(np.float32),
             "b": (r.randn(4) * 0.1).astype(np.float32)}
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["xq"], name="in_q"),
             helper.make_node("DequantizeLinear", ["xq", "s", "z"], ["xd"], name="in_dq"),
             helper.make_node("Gemm", ["xd", "W", "b"], ["y"], name="fc")]
    return E.save_model(path, nodes, inits, [1, 6], [1, 4])


def dense_ln(path):
    """MatMul then LayerNormalization (opset 17): int8 cannot load its gamma / beta."""
    r = np.random.RandomState(8)
    inits = {"W": (r.randn(6, 8) * 0.5).astype(np.float32),
             "g": (1 + 0.1 * r.randn(8)).astype(np.float32),
             "be": (0.1 * r.randn(8)).astype(np.float32)}
    nodes = [helper.make_node("MatMul", ["x", "W"], ["h"], name="fc"),
             helper.make_node("LayerNormalization", ["h", "g", "be"], ["y"], name="ln", axis=-1)]
    return E.save_model(path, nodes, inits, [1, 6], [1, 8], opset=17)


def tiny_lm(path, seed, tune=0.0, gamma=1.0):
    """input_ids [1, T] -> token and position embeddings -> LayerNormalization -> head:
    every parameter memory (tables, gamma / beta, the head) loads at run time."""
    import onnx
    r = np.random.RandomState(seed)
    inits = tuned({"wte": (0.5 * r.randn(LM_V, 8)).astype(np.float32),
                   "wpe": (0.2 * r.randn(1, LM_T, 8)).astype(np.float32),
                   "g": (gamma * (1 + 0.1 * r.randn(8))).astype(np.float32),
                   "be": (0.1 * r.randn(8)).astype(np.float32),
                   "W": (0.4 * r.randn(8, LM_V)).astype(np.float32)}, tune)
    nodes = [helper.make_node("Gather", ["wte", "input_ids"], ["tok"], name="wte_gather"),
             helper.make_node("Add", ["tok", "wpe"], ["h"], name="pos_add"),
             helper.make_node("LayerNormalization", ["h", "g", "be"], ["hn"], name="ln",
                              axis=-1),
             helper.make_node("MatMul", ["hn", "W"], ["logits"], name="head")]
    g = helper.make_graph(
        nodes, os.path.basename(path)[:-5],
        [helper.make_tensor_value_info("input_ids", onnx.TensorProto.INT64, [1, LM_T])],
        [helper.make_tensor_value_info("logits", onnx.TensorProto.FLOAT, [1, LM_T, LM_V])],
        initializer=[onnx.numpy_helper.from_array(a, n) for n, a in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="loom-e2e")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return path


def lm_frames(model, frames, seed):
    """Token ids in the vocabulary (E.random_frames draws any int64)."""
    r = np.random.RandomState(seed)
    return {"input_ids": r.randint(0, LM_V, size=(frames, 1, LM_T)).astype(np.int64)}


def rtl_hashes(out):
    rtl = os.path.join(out, "rtl")
    return {n: hashlib.sha256(open(os.path.join(rtl, n), "rb").read()).hexdigest()
            for n in sorted(os.listdir(rtl)) if os.path.isfile(os.path.join(rtl, n))}


def one_line_error(c, r, what, *needles):
    lines = [ln for ln in r.err.strip().splitlines() if ln]
    ok = c.check(r.rc != 0, "%s: refused (exit %d)" % (what, r.rc))
    ok = ok and c.check(len(lines) == 1 and lines[0].startswith("loom: error: "),
                        "%s: one error line, got %r" % (what, r.err))
    for n in needles:
        ok = ok and c.check(n in r.err, "%s: the error names %r: %r" % (what, n, r.err))
    return ok


def check_architecture(c, loom, src, work, name, a, b, precision=PRECISION,
                       frames=E.random_frames):
    """precision None: the default (auto), which resolves one fixed<W,I> from A."""
    out = os.path.join(work, "out_" + name)
    given = ["--precision", precision] if precision else []
    r = E.run(loom, "compile", a, "-o", out, "--runtime-weights", *given)
    if not c.check(r.rc == 0, "%s: compile --runtime-weights: %s" % (name, r.describe())):
        return None
    before = rtl_hashes(out)
    report = E.read_json(os.path.join(out, "report.json"))
    layout = E.read_json(os.path.join(out, "weights", "layout.json"))
    predicted = report["predicted_weight_load_cycles"]
    arch = layout["compile"]["precision"]
    if precision == "int8":
        # The quantizers are the architecture's: A's ranges and per-channel weight scales
        # widened by the margin, each layer's bias width (flows/RuntimeInt8.h).
        rec = layout["compile"].get("int8", {})
        layers = rec.get("layers", [])
        c.check(arch == "int8" and rec.get("margin") == 1.25 and len(rec.get("ranges", [])) > 0
                and len(layers) > 0 and all(len(l["weight_scale"]) > 0 and l["bias_bits"] >= 2
                                            for l in layers),
                "%s: layout.json records the int8 architecture: %r" % (name, rec))
        c.check(any(n.endswith("_m.mem") for n in before),
                "%s: the requantisation multipliers are ROMs of the design: %s"
                % (name, sorted(before)))
    if precision is None:
        ap = report.get("auto_precision", {})
        c.check(report["precision"] == "auto " + arch and arch.startswith("fixed<") and
                ap.get("formats") == arch and "--runtime-weights" in ap.get("why_one_format", ""),
                "%s: auto resolves one format for the architecture: report %r, layout %r"
                % (name, report["precision"], arch))
    c.check(not any(n.endswith("_w.mem") or n.endswith("_b.mem") for n in before),
            "%s: no weight or bias image under OUT/rtl: %s" % (name, sorted(before)))
    c.check(layout["words"] == predicted and
            os.path.getsize(os.path.join(out, "weights", layout["image"])) == 4 * predicted,
            "%s: the image has predicted_weight_load_cycles = %d words (layout %d)"
            % (name, predicted, layout["words"]))

    inputs = frames(a, FRAMES, 11)
    x = list(inputs.values())[0]
    xp = os.path.join(work, name + "_x.npy")
    np.save(xp, x)
    ys = {}
    for label, extra in (("A", []), ("B", ["--weights", b]), ("B,A", ["--weights", b + "," + a])):
        yp = os.path.join(work, "%s_%s.npz" % (name, label.replace(",", "")))
        r = E.run(loom, "sim", out, "--inputs", xp, "--out", yp, *extra)
        if not c.check(r.rc == 0, "%s: sim with weights %s: %s" % (name, label, r.describe())):
            return None
        sj = E.read_json(os.path.join(out, "sim.json"))
        c.check(sj["mismatches"] == 0, "%s/%s: bit-exact against the reference" % (name, label))
        c.check(sj["latency_cycles"] == sj["predicted_latency_cycles"],
                "%s/%s: latency measured == predicted" % (name, label))
        c.check(sj["weight_load_cycles"] == predicted == sj["predicted_weight_load_cycles"],
                "%s/%s: weight_load_cycles %s == predicted %d"
                % (name, label, sj.get("weight_load_cycles"), predicted))
        loads = sj["weight_loads"]
        c.check(len(loads) == len(label.split(",")) and
                all(last - first + 1 == predicted for first, last in loads),
                "%s/%s: one load of %d cycles per weight set: %s" % (name, label, predicted, loads))
        ys[label] = np.load(yp)
    out_name = E.onnx_output_names(a)[0]
    raw = {k: v[out_name + ".raw"].reshape(FRAMES, -1) for k, v in ys.items()}
    c.check(not np.array_equal(raw["A"], raw["B"]), "%s: B's outputs differ from A's" % name)
    half = FRAMES // 2
    c.check(np.array_equal(raw["B,A"][:half], raw["B"][:half]) and
            np.array_equal(raw["B,A"][half:], raw["A"][half:]),
            "%s: --weights B,A: frames 0..%d follow B, the rest A" % (name, half - 1))
    # The independent oracle: ONNX Runtime on B.
    want = E.ort_run(src, b, inputs, os.path.join(work, name + "_ort"))[0]
    want = want.astype(np.float64).reshape(FRAMES, -1)
    span = max(float(want.max() - want.min()), 1e-6)
    ref = ys["B"][out_name + ".reference"].astype(np.float64).reshape(FRAMES, -1)
    hw = ys["B"][out_name].astype(np.float64).reshape(FRAMES, -1)
    c.check(np.abs(ref - want).max() <= 1e-4 * span,
            "%s: float reference with B's weights == ONNX Runtime on B (%.2g of range)"
            % (name, np.abs(ref - want).max() / span))
    c.check(np.abs(hw - want).max() <= 0.05 * span,
            "%s: hardware with B's weights within 5%% of ONNX Runtime on B (%.3f of range)"
            % (name, np.abs(hw - want).max() / span))

    # pack-weights: the same image as B compiled on its own in the architecture's format
    # (int8: B on its own has quantizers of its own, so only -o and the default agree).
    stem = os.path.basename(b)[:-5]
    packed = os.path.join(work, name + "_b.bin")
    r2 = E.run(loom, "pack-weights", out, "--weights", b, "-o", packed)
    r3 = E.run(loom, "pack-weights", out, "--weights", b)
    if precision == "int8":
        r = r2
        own = open(os.path.join(out, "weights", stem + ".bin"), "rb").read() if r3.rc == 0 else b""
    else:
        out_b = os.path.join(work, "out_%s_b" % name)
        r = E.run(loom, "compile", b, "-o", out_b, "--precision", arch, "--runtime-weights")
        own = (open(os.path.join(out_b, "weights", stem + ".bin"), "rb").read()
               if r.rc == 0 else b"")
    if c.check(r.rc == 0 and r2.rc == 0 and r3.rc == 0,
               "%s: pack-weights: %s %s %s" % (name, r.describe(), r2.describe(), r3.describe())):
        c.check(len(own) == 4 * predicted and open(packed, "rb").read() == own and
                open(os.path.join(out, "weights", stem + ".bin"), "rb").read() == own,
                "%s: pack-weights B (-o and the default OUT/weights/%s.bin) == B's own image"
                % (name, stem))
    c.check(rtl_hashes(out) == before, "%s: every file under OUT/rtl unchanged" % name)
    return out


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.runtime_weights")
    m = lambda n: os.path.join(work, n + ".onnx")  # noqa: E731
    mlp(m("mlp_a"), 1)
    mlp(m("mlp_b"), 2)
    mlp(m("mlp_wide"), 3, hidden=10)
    mlp(m("mlp_big"), 4, scale=20.0)
    conv(m("conv_a"), 5)
    conv(m("conv_b"), 6)

    out = check_architecture(c, loom, src, work, "mlp", m("mlp_a"), m("mlp_b"))
    check_architecture(c, loom, src, work, "conv", m("conv_a"), m("conv_b"))
    # The default precision: auto resolves one fixed<W,I> from A's ranges with a margin.
    out_auto = check_architecture(c, loom, src, work, "mlp_auto", m("mlp_a"), m("mlp_b"), None)
    check_architecture(c, loom, src, work, "conv_auto", m("conv_a"), m("conv_b"), None)
    if out_auto:
        one_line_error(c, E.run(loom, "pack-weights", out_auto, "--weights", m("mlp_big")),
                       "weights outside auto's format", "weight tensor of node 'fc1'", "range [")
    # Two LoRA adapters of the same base on one build; another rank is another architecture.
    lora(m("lora_1"), 10)
    lora(m("lora_2"), 20)
    lora(m("lora_r3"), 30, rank=3)
    out_lora = check_architecture(c, loom, src, work, "lora", m("lora_1"), m("lora_2"))
    if out_lora:
        one_line_error(c, E.run(loom, "pack-weights", out_lora, "--weights", m("lora_r3")),
                       "a rank-3 adapter on a rank-2 build", "not the architecture of")
    if out:
        before = rtl_hashes(out)
        one_line_error(c, E.run(loom, "sim", out, "--weights", m("mlp_wide")),
                       "sim --weights of another architecture", "not the architecture of",
                       "mlp_wide.onnx", "rtl/")
        one_line_error(c, E.run(loom, "pack-weights", out, "--weights", m("conv_a")),
                       "pack-weights of another architecture", "not the architecture of")
        one_line_error(c, E.run(loom, "pack-weights", out, "--weights", m("mlp_big")),
                       "weights outside the format", "weight tensor of node 'fc1'", "range [",
                       PRECISION)
        c.check(rtl_hashes(out) == before, "refusals leave OUT/rtl unchanged")
    # int8: the architecture fixes the quantizers (A's ranges and weight scales with a
    # margin); a weight set beyond them is refused, naming the tensor.
    mlp(m("mlp_tuned"), 1, tune=0.03)
    conv(m("conv_tuned"), 5, tune=0.02)
    out_int8 = check_architecture(c, loom, src, work, "mlp_int8", m("mlp_a"), m("mlp_tuned"),
                                  "int8")
    check_architecture(c, loom, src, work, "conv_int8", m("conv_a"), m("conv_tuned"), "int8")
    if out_int8:
        one_line_error(c, E.run(loom, "pack-weights", out_int8, "--weights", m("mlp_b")),
                       "weights beyond int8's fixed scales", "weight tensor of node 'fc1'",
                       "range [", "int8 scale")
    qdq_mlp(m("qdq"))
    one_line_error(c, E.run(loom, "compile", m("qdq"), "-o", os.path.join(work, "o_qdq"),
                            "--runtime-weights"),
                   "--runtime-weights on a model with its own quantizers",
                   "brings its own quantization")
    # A language model's tables and LayerNorm gamma / beta load too (fixed<W,I> and auto:
    # the format bounds them); a gamma beyond the format is refused, naming the tensor.
    tiny_lm(m("lm_a"), 40)
    tiny_lm(m("lm_b"), 40, tune=0.05)
    tiny_lm(m("lm_big_gamma"), 40, gamma=20.0)
    out_lm = check_architecture(c, loom, src, work, "lm", m("lm_a"), m("lm_b"),
                                frames=lm_frames)
    check_architecture(c, loom, src, work, "lm_auto", m("lm_a"), m("lm_b"), None,
                       frames=lm_frames)
    if out_lm:
        # loom generate loads the design's own image before the prompt
        r = E.run(loom, "generate", out_lm, "--prompt", "3,1", "--tokens", "2")
        gj = (E.read_json(os.path.join(out_lm, "generate.json")) if r.rc == 0 else {})
        c.check(r.rc == 0 and gj.get("mismatches") == 0 and len(gj.get("tokens", [])) == 2 and
                gj.get("cycles_per_token") == gj.get("predicted_cycles_per_token"),
                "lm: generate on a --runtime-weights build: %s %r" % (r.describe(), gj))
        one_line_error(c, E.run(loom, "pack-weights", out_lm, "--weights", m("lm_big_gamma")),
                       "a gamma beyond the format", "gamma tensor of node 'ln'", "range [",
                       PRECISION)
    # int8 fixes weight scales, not gamma / beta ones yet: refused, naming the node.
    dense_ln(m("dense_ln"))
    one_line_error(c, E.run(loom, "compile", m("dense_ln"), "-o", os.path.join(work, "o_ln_int8"),
                            "--runtime-weights", "--precision", "int8"),
                   "--runtime-weights with a LayerNorm (int8)", "node 'ln'",
                   "cannot be loaded at run time in int8")
    rom = os.path.join(work, "out_rom")
    r = E.run(loom, "compile", m("mlp_a"), "-o", rom, "--precision", PRECISION)
    if c.check(r.rc == 0, "ROM build: " + r.describe()):
        one_line_error(c, E.run(loom, "sim", rom, "--weights", m("mlp_b")),
                       "--weights on a ROM build", "not compiled with --runtime-weights")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
