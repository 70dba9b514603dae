#!/usr/bin/python3
"""e2e.attention: scaled-dot-product attention on the accelerator, from exporters' graphs.

Models from test/models/gen_attention_models.py: PyTorch nn.MultiheadAttention with
separate query / key / value graph inputs [T, 1, E] (the acceptance check: a real
exported three-input attention block must match ONNX Runtime), a GPT-2 causal block
(fused c_attn Gemm + Split, Where mask), a Llama-style block (additive 0 / f32-min mask, Mul scale, no biases) and
a BERT encoder block (no mask, LayerNorm after the residual). For each, with the default
precision (auto: per-tensor formats), some with --precision fixed<16,6>, the MHA block
also with --precision int8 (and df-fold must give its attention SIMD lanes):
  1. loom run --random FRAMES --backpressure 0.3: exit 0, 0 mismatching words (hardware ==
     reference interpreter, bit for bit), no deadlock, measured II and latency == the
     hw_model prediction, one nn.attention in nn_float.mlir named after the scores
     MatMul, one attention actor, the design lint-clean (verilator --lint-only -Wall);
  2. on random-normal frames ONNX Runtime (the independent oracle) agrees with the float
     reference within 1e-4 of the output range and with the hardware within 2% of it
     (int8: 15%, its default calibration frames are narrower, as in e2e.layernorm).
And the refusals: a constant additive mask or a Where mask that is not causal is one
`loom: error:` line naming the ONNX node.
"""
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

FRAMES = 6
LIMIT = {"auto": 0.02, "fixed<16,6>": 0.02, "int8": 0.15}
TASKS = [("mha_torch", "auto"), ("mha_torch", "fixed<16,6>"), ("mha_torch", "int8"),
         ("gpt2_causal", "auto"), ("llama_causal", "auto"), ("bert_encoder", "auto"),
         ("llama_causal", "fixed<16,6>")]
SIMD_1_II = 20048  # mha_torch's attention, a frame with SIMD 1 (hw_model)


def first_error(r):
    lines = [l for l in r.err.splitlines() if l.strip()]
    return next((l for l in lines if l.startswith("loom: error:")), lines[0] if lines else "(no stderr)")


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.attention")
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("onnx is not installed: skipped")
        return E.SKIP
    models = os.path.join(work, "models")
    subprocess.run([sys.executable, os.path.join(src, "test", "models", "gen_attention_models.py"),
                    models], check=True, stdout=subprocess.DEVNULL)

    def one(task):
        seed, (name, prec) = task
        opts = [] if prec == "auto" else ["--precision", prec]
        out = os.path.join(work, "out", name + "_" + prec.split("<")[0])
        label = "%s %s" % (name, prec)
        r = E.run(loom, "run", os.path.join(models, name + ".onnx"), "-o", out, "--random", FRAMES,
                  "--backpressure", "0.3", "--seed", seed, *opts, timeout=900)
        if r.rc != 0:
            return label, ["run exit %d: %s" % (r.rc, first_error(r))]
        problems = []
        s = E.read_json(os.path.join(out, "sim.json"))
        if s.get("frames") != FRAMES or s.get("mismatches") != 0 or s.get("deadlock"):
            problems.append("frames %s mismatches %s deadlock %s" % (
                s.get("frames"), s.get("mismatches"), s.get("deadlock")))
        for key in ("ii_cycles", "latency_cycles"):
            if s[key] != s["predicted_" + key]:
                problems.append("%s measured %s != predicted %s" % (key, s[key], s["predicted_" + key]))
        rep = E.read_json(os.path.join(out, "report.json"))
        lint = subprocess.run(["verilator", "--lint-only", "-Wall", "--top-module", rep["top"]] +
                              rep["sv_files"], cwd=os.path.join(out, "rtl"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        if lint.returncode != 0 or lint.stderr.strip():
            problems.append("verilator lint: " + (lint.stderr.strip() or str(lint.returncode))[:500])
        with open(os.path.join(out, "nn_float.mlir")) as f:
            ir = f.read()
        if ir.count("nn.attention ") != 1 or 'onnx.node = "/attn/MatMul"' not in ir:
            problems.append("nn_float.mlir: %d nn.attention (expected 1 named /attn/MatMul)"
                            % ir.count("nn.attention "))
        causal = "causal" in name
        if ("causal = true" in ir) != causal:
            problems.append("nn_float.mlir: causal should be %s" % causal)
        kinds = [a.get("kind") for a in rep.get("actors", [])]
        if kinds.count("attention") != 1:
            problems.append("actors %s: expected 1 attention" % kinds)
        if name == "mha_torch":
            # the default multiplier budget folds the attention's score / exp loops
            att = [a for a in rep["actors"] if a.get("kind") == "attention"]
            if not att or att[0].get("folding", {}).get("simd", 1) < 2 or \
                    rep["predicted_ii_cycles"] >= SIMD_1_II:
                problems.append("attention folding %s, predicted II %s (SIMD 1: %d)" % (
                    att and att[0].get("folding"), rep["predicted_ii_cycles"], SIMD_1_II))
        problems += E.compare_with_ort(loom, src, os.path.join(models, name + ".onnx"), out,
                                       label=label, hw_range_frac=LIMIT[prec], frames=8)
        print("%-14s %-12s II %s latency %s (predicted %s / %s) mismatches %s %s" % (
            name, prec, s.get("ii_cycles"), s.get("latency_cycles"), s.get("predicted_ii_cycles"),
            s.get("predicted_latency_cycles"), s.get("mismatches"), "ok" if not problems else "FAIL"),
            flush=True)
        return label, problems

    with ThreadPoolExecutor(E.jobs()) as pool:
        for label, problems in pool.map(one, enumerate(TASKS, start=1)):
            c.check(not problems, "%s: %s" % (label, "; ".join(problems) or "passes"))

    for bad, node in (("bad_attn_mask", "node '/attn/Add_mask' (Add)"),
                      ("bad_attn_where", "node '/attn/Where' (Where)")):
        r = E.run(loom, "compile", os.path.join(models, bad + ".onnx"), "-o",
                  os.path.join(work, "out", bad))
        lines = [l for l in r.err.splitlines() if l.strip()]
        c.check(r.rc != 0 and len(lines) == 1 and node in lines[0] and "causal" in lines[0],
                "%s refused in one line naming the node: %s" % (bad, r.err.strip() or r.rc))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
