#!/usr/bin/python3
"""Language-model benchmark: token-by-token decoding in Verilator (`loom generate`).

    /usr/bin/python3 bench/lm_bench.py [--loom BIN] [--work DIR] [--precisions auto,int8]
                                       [--max-mults N] [MODEL.onnx ...]

Without MODEL arguments: the causal LMs the tests generate (test/e2e/test_generate.py,
test/models/gen_lm_models.py and the QDQ exports of gen_lm_qdq_models.py when present;
those run at their own quantization only). Each model is compiled (default folding,
or --max-mults), then `loom generate OUT --prompt <4 ids> --tokens T-4` runs, sequentially
(so Verilator build times are not skewed by parallel builds). Prints per model and
precision: sequence length T, vocabulary V, MACs per token, multipliers, the multiplier
bound per token ceil(MACs / multipliers), measured cycles of the first generated token and
of the last one (equal to hw_model's prediction, or the row says DIFFERENT), last / bound,
tokens/s at 200 MHz (mean decode cycles), compile s, Verilator build s and simulated
cycles/s. Exit status 1 if any run failed, mismatched or differed from its prediction.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
CLOCK_MHZ = 200.0


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(path))
    spec.loader.exec_module(mod)
    return mod


def default_models(work):
    models = []
    gen = load(os.path.join(SRC, "test", "e2e", "test_generate.py"), "test_generate")
    models.append(gen.gen_models(work)["gpt_mlp_lm"])
    lm = os.path.join(SRC, "test", "models", "gen_lm_models.py")
    if os.path.exists(lm):
        lm_dir = os.path.join(work, "lms")
        subprocess.run(["/usr/bin/python3", lm, lm_dir], check=True)
        models += sorted(os.path.join(lm_dir, f) for f in os.listdir(lm_dir)
                         if f.endswith(".onnx") and not f.startswith("bad_"))
    qdq = os.path.join(SRC, "test", "models", "gen_lm_qdq_models.py")
    if os.path.exists(qdq):  # QDQ exports: their own quantization (default options only)
        q_dir = os.path.join(work, "qdq")
        subprocess.run(["/usr/bin/python3", qdq, q_dir], check=True)
        models += sorted(os.path.join(q_dir, f) for f in os.listdir(q_dir) if f.endswith(".onnx"))
    return models


def sequence_of(model):
    import onnx
    m = onnx.load(model)
    t = m.graph.input[0].type.tensor_type.shape.dim[1].dim_value
    v = m.graph.output[0].type.tensor_type.shape.dim[-1].dim_value
    return t, v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--loom", default=os.environ.get("LOOM", os.path.join(SRC, "build/bin/loom")))
    ap.add_argument("--work", default=None)
    ap.add_argument("--precisions", default="auto,int8")
    ap.add_argument("--max-mults", type=int, default=0)
    ap.add_argument("models", nargs="*")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="loom-lm-bench-")
    os.makedirs(work, exist_ok=True)
    models = a.models or default_models(work)
    cols = ("model", "prec", "T", "V", "MACs/tok", "mults", "bound", "first", "last",
            "last/bound", "tok/s@200MHz", "compile s", "build s", "cycles/s")
    print(("%-18s %-5s %4s %5s %9s %6s %6s %7s %7s %10s %13s %9s %8s %10s") % cols)
    failed = 0
    for model in models:
        t, v = sequence_of(model)
        prompt = [3 % v, 14 % v, 15 % v, 9 % v]
        name = os.path.basename(model)[:-5]
        # A QDQ export brings its quantization: auto formats for its float parts only.
        for prec in ["auto"] if name.endswith("_qdq") else a.precisions.split(","):
            out = os.path.join(work, "%s_%s" % (name, prec))
            args = [a.loom, "compile", model, "-o", out, "--precision", prec]
            if a.max_mults:
                args += ["--max-mults", str(a.max_mults)]
            t0 = time.time()
            r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            compile_s = time.time() - t0
            if r.returncode != 0:
                print("%-18s %-5s compile failed: %s" % (name, prec, r.stderr.strip()))
                failed += 1
                continue
            r = subprocess.run([a.loom, "generate", out, "--prompt", ",".join(map(str, prompt)),
                                "--tokens", str(t - len(prompt))],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                print("%-18s %-5s generate failed: %s" % (name, prec, r.stderr.strip()))
                failed += 1
                continue
            rep = json.load(open(os.path.join(out, "report.json")))
            g = json.load(open(os.path.join(out, "generate.json")))
            seq = rep.get("sequence") or {}
            cyc = g["cycles_per_token"]
            decode = cyc[1:] or cyc
            mean = sum(decode) / len(decode)
            bound = max(1, seq.get("multiplier_bound_per_token", 1))
            same = cyc == g["predicted_cycles_per_token"] and g["mismatches"] == 0
            failed += not same
            print(("%-18s %-5s %4d %5d %9d %6d %6d %7d %7d %10.1f %13.0f %9.1f %8.1f %10.0f%s") % (
                name[:18], prec, t, v, seq.get("macs_per_token", 0), rep["total_multipliers"],
                bound, decode[0], decode[-1], decode[-1] / bound, CLOCK_MHZ * 1e6 / mean,
                compile_s, g.get("build_seconds", 0), g.get("cycles_per_second", 0),
                "" if same else "  DIFFERENT/MISMATCH"), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
