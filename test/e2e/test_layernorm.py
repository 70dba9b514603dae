#!/usr/bin/python3
"""e2e.layernorm: LayerNorm on the accelerator, from what PyTorch exports.

Models from test/models/gen_layernorm_models.py: wake-word classifiers with two
LayerNorms (ln_kws_opset13: PyTorch's opset<=16 ReduceMean/Sub/Pow/Sqrt/Div chain,
with and without affine; ln_kws_opset17: LayerNormalization-17, with and without B)
and a token sequence [1, 8, 16] -> MatMul -> LayerNormalization (8 rows) -> MatMul
(ln_seq_opset18: the same with the chain, ReduceMean-18 taking its axes as an input),
and ln_qdq_opset17, a QDQ graph as ONNX Runtime's quantizer writes it (checked
within one output step of ONNX Runtime instead of the range limits below).
For each model, with the default precision (auto: per-tensor formats) and with
--precision int8 (and two of them with --precision fixed<16,6>):
  1. loom run --random 24 --backpressure 0.3: exit 0, 24 frames, 0 mismatching
     words (hardware == reference interpreter, bit for bit), no deadlock, measured
     II and latency == the hw_model prediction, one layernorm actor per LayerNorm,
     the design lint-clean (verilator --lint-only -Wall);
  2. loom sim --onnx-test-dir: the float reference interpreter against the
     generator's numpy float64 forward pass < 1e-4;
  3. on random-normal frames ONNX Runtime (the independent oracle) agrees with
     the float reference within 1e-4 of the output range and with the hardware
     within 2% (auto, calibrated on the same distribution; fixed<16,6>) or 15%
     (int8, whose default calibration frames are narrower) of the output range.
And the refusals: a chain over another axis and a LayerNormalization whose
Scale is not a constant are one `loom: error:` line naming the ONNX node.
"""
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

FRAMES = 24
ONNX_TOL = 1e-4
MODELS = {"ln_kws_opset13": 2, "ln_kws_opset17": 2, "ln_seq_opset17": 1,
          "ln_seq_opset18": 1, "ln_qdq_opset17": 1}  # layernorm actors
LIMIT = {"auto": 0.02, "int8": 0.15, "fixed<16,6>": 0.02}


def first_error(r):
    lines = [l for l in r.err.splitlines() if l.strip()]
    return next((l for l in lines if l.startswith("loom: error:")), lines[0] if lines else "(no stderr)")


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.layernorm")
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("onnx is not installed: skipped")
        return E.SKIP
    models = os.path.join(work, "models")
    subprocess.run([sys.executable, os.path.join(src, "test", "models", "gen_layernorm_models.py"),
                    models], check=True, stdout=subprocess.DEVNULL)
    tasks = [(name, prec) for name in MODELS if "opset17" in name or "opset13" in name
             if "qdq" not in name for prec in ("auto", "int8")]
    tasks += [("ln_seq_opset18", "auto"), ("ln_qdq_opset17", "model")]
    tasks += [("ln_kws_opset13", "fixed<16,6>"), ("ln_seq_opset17", "fixed<16,6>")]

    def one(task):
        seed, (name, prec) = task
        opts = [] if prec in ("auto", "model") else ["--precision", prec]
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
        # import: one nn.layernorm per LayerNorm, named after its ONNX node (the
        # chain's first ReduceMean, or the LayerNormalization)
        with open(os.path.join(out, "nn_float.mlir")) as f:
            ir = f.read()
        want_node = "ReduceMean" if ("13" in name or "18" in name) else "LayerNormalization"
        if ir.count("nn.layernorm ") != MODELS[name] or \
                ir.count('onnx.op = "%s"' % want_node) < MODELS[name]:
            problems.append("nn_float.mlir: %d nn.layernorm (expected %d named after %s nodes)"
                            % (ir.count("nn.layernorm "), MODELS[name], want_node))
        kinds = [a.get("kind") for a in rep.get("actors", [])]
        if kinds.count("layernorm") != MODELS[name]:
            problems.append("actors %s: expected %d layernorm" % (kinds, MODELS[name]))
        r2 = None if prec == "model" else E.run(loom, "sim", out, "--onnx-test-dir",
                                                os.path.join(models, name), timeout=900)
        if r2 is None:
            pass  # the QDQ model has no test data: ONNX Runtime below is its oracle
        elif r2.rc != 0:
            problems.append("sim --onnx-test-dir exit %d: %s" % (r2.rc, first_error(r2)))
        else:
            s2 = E.read_json(os.path.join(out, "sim.json"))
            err = s2.get("float_reference_vs_onnx_max_abs_error")
            if s2.get("mismatches") != 0:
                problems.append("onnx test data: %s mismatching words" % s2.get("mismatches"))
            if err is None or not err < ONNX_TOL:
                problems.append("float reference vs numpy: max abs error %s" % err)
        if prec == "model":
            # A QDQ graph: within one output step (0.01) of ONNX Runtime, which
            # requantizes in f32 where Loom's LayerNorm is exact integers.
            problems += E.compare_with_ort(loom, src, os.path.join(models, name + ".onnx"), out,
                                           label=label, step=0.01)
        else:
            problems += E.compare_with_ort(loom, src, os.path.join(models, name + ".onnx"), out,
                                           label=label, hw_range_frac=LIMIT[prec])
        print("%-16s %-5s II %s latency %s (predicted %s / %s) mismatches %s %s" % (
            name, prec, s.get("ii_cycles"), s.get("latency_cycles"), s.get("predicted_ii_cycles"),
            s.get("predicted_latency_cycles"), s.get("mismatches"), "ok" if not problems else "FAIL"),
            flush=True)
        return label, problems

    with ThreadPoolExecutor(E.jobs()) as pool:
        for label, problems in pool.map(one, enumerate(tasks, start=1)):
            c.check(not problems, "%s: %s" % (label, "; ".join(problems) or "passes"))

    for bad, node, why in (("bad_ln_axis", "node '/ln/ReduceMean' (ReduceMean)", "last axis"),
                           ("bad_ln_gamma", "node '/ln/LayerNormalization' (LayerNormalization)",
                            "not a constant")):
        r = E.run(loom, "compile", os.path.join(models, bad + ".onnx"), "-o",
                  os.path.join(work, "out", bad))
        lines = [l for l in r.err.splitlines() if l.strip()]
        c.check(r.rc != 0 and len(lines) == 1 and node in lines[0] and why in lines[0],
                "%s refused in one line naming the node: %s" % (bad, r.err.strip() or r.rc))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
