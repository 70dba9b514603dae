#!/usr/bin/python3
"""Folding sweep: multiplier budget vs II, measured in Verilator.

    /usr/bin/python3 bench/fold_sweep.py [--loom BIN] [--work DIR] [--frames N]
                                         [--budgets 64,256,1024,default] [MODEL.onnx ...]

Without MODEL arguments: the shared models in /work/shared/models (if
present: jet_tagger_16_64_32_32_5, two_layer_keras, mlperf_tiny_ad_autoencoder)
and two generated >=3-layer MLPs (test/e2e/e2e_common.gen_deep_models).
For each model and budget it runs `loom run MODEL -o DIR [--max-mults B]
--random N` sequentially (so Verilator build times are not skewed by
parallel builds) and prints: budget, total_multipliers, predicted II,
measured II, latency (measured/predicted), mismatches, Verilator build s,
simulated cycles/s. Exit status 1 if any run failed or differed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "test", "e2e"))
import e2e_common as E  # noqa: E402

SHARED = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")
SHARED_MODELS = ["jet_tagger_16_64_32_32_5", "two_layer_keras", "mlperf_tiny_ad_autoencoder"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--loom", default=os.environ.get("LOOM", "/work/build-e2e/bin/loom"))
    ap.add_argument("--work", default=None, help="scratch dir (default: a new temp dir)")
    ap.add_argument("--frames", type=int, default=50)
    ap.add_argument("--budgets", default="64,256,1024,default")
    ap.add_argument("models", nargs="*")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="loom-fold-sweep-")
    os.makedirs(work, exist_ok=True)
    models = list(a.models)
    if not models:
        models = [os.path.join(SHARED, m + ".onnx") for m in SHARED_MODELS
                  if os.path.exists(os.path.join(SHARED, m + ".onnx"))]
        if not models:
            print("note: %s absent; generated models only" % SHARED)
        gdir = os.path.join(work, "gen")
        os.makedirs(gdir, exist_ok=True)
        models += [os.path.join(gdir, n + ".onnx") for n in E.gen_deep_models(gdir)]
    budgets = [None if b == "default" else int(b) for b in a.budgets.split(",")]

    print("loom %s, %d random frames per run, work dir %s" % (a.loom, a.frames, work))
    hdr = ("model", "budget", "mults", "pred II", "meas II", "latency", "pred lat", "mism",
           "build s", "cycles/s", "wall s")
    fmt = "%-28s %7s %6s %8s %8s %8s %8s %5s %8s %10s %7s"
    print(fmt % hdr)
    bad = 0
    for model in models:
        name = os.path.splitext(os.path.basename(model))[0]
        for b in budgets:
            out = os.path.join(work, "%s_%s" % (name, b or "default"))
            args = ["run", model, "-o", out, "--random", a.frames, "--seed", 1]
            if b:
                args += ["--max-mults", b]
            r = E.run(a.loom, *args, timeout=1800)
            sj = os.path.join(out, "sim.json")
            if r.rc != 0 or not os.path.exists(sj):
                bad += 1
                err = (r.err.strip().splitlines() or ["?"])[-1]
                print(fmt % (name[:28], b or "default", "-", "-", "-", "-", "-", "-", "-", "-",
                             "%.1f" % r.seconds) + "  FAILED: " + err[:150])
                continue
            s = E.read_json(sj)
            rep = E.read_json(os.path.join(out, "report.json"))
            diff = (s["mismatches"] != 0 or s["ii_cycles"] != s["predicted_ii_cycles"] or
                    s["latency_cycles"] != s["predicted_latency_cycles"])
            bad += diff
            print(fmt % (name[:28], b or "default", rep["total_multipliers"], rep["predicted_ii_cycles"],
                         s["ii_cycles"], s["latency_cycles"], s["predicted_latency_cycles"], s["mismatches"],
                         "%.1f" % s["build_seconds"], "%.3g" % s["cycles_per_second"],
                         "%.1f" % r.seconds) + ("  DIFFERENT" if diff else ""), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
