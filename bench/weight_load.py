#!/usr/bin/python3
"""Run-time weights: load time and image size per model, measured in Verilator.

    /usr/bin/python3 bench/weight_load.py [--loom BIN] [--work DIR] [--frames N]
                                          [--precision fixed<W,I>] [MODEL.onnx ...]

Without MODEL arguments: the shared models in /work/shared/models (if present:
jet_tagger_16_64_32_32_5, two_layer_keras, mlperf_tiny_ad_autoencoder). For each model it
compiles with `--runtime-weights`, writes a second weight set (every float initializer
times 1 + 0.1 N(0, 1), seed 5, in the work directory) and runs `loom sim --weights
SECOND,MODEL --random N` (the weights swapped once in the run). It prints: image words
(= predicted load cycles), bytes, measured weight_load_cycles, the load time at 200 MHz,
frames per load at the measured II, mismatching words and whether OUT/rtl stayed
byte-identical. Exit status 1 if a run failed, differed or changed OUT/rtl.
"""
import argparse
import hashlib
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "test", "e2e"))
import e2e_common as E  # noqa: E402

SHARED = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")
SHARED_MODELS = ["jet_tagger_16_64_32_32_5", "two_layer_keras", "mlperf_tiny_ad_autoencoder"]


def perturbed(model, path):
    import onnx
    from onnx import numpy_helper
    m = onnx.load(model)
    r = np.random.RandomState(5)
    for i, t in enumerate(m.graph.initializer):
        a = numpy_helper.to_array(t)
        if a.dtype == np.float32 and a.size > 1:
            b = (a * (1 + 0.1 * r.randn(*a.shape))).astype(np.float32)
            m.graph.initializer[i].CopyFrom(numpy_helper.from_array(b, t.name))
    onnx.save(m, path)
    return path


def rtl_hash(out):
    h = hashlib.sha256()
    for n in sorted(os.listdir(os.path.join(out, "rtl"))):
        p = os.path.join(out, "rtl", n)
        if os.path.isfile(p):
            h.update(n.encode() + open(p, "rb").read())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loom", default=os.path.join(SRC, "build", "bin", "loom"))
    ap.add_argument("--work", default=None)
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--precision", default="fixed<16,6>")
    ap.add_argument("models", nargs="*")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="loom_weight_load_")
    models = a.models or [os.path.join(SHARED, m + ".onnx") for m in SHARED_MODELS
                          if os.path.exists(os.path.join(SHARED, m + ".onnx"))]
    rows, bad = [], False
    for model in models:
        name = os.path.basename(model)[:-5]
        out = os.path.join(work, name)
        r = E.run(a.loom, "compile", model, "-o", out, "--precision", a.precision,
                  "--runtime-weights")
        if r.rc != 0:
            print("%s: %s" % (name, r.err.strip()))
            bad = True
            continue
        before = rtl_hash(out)
        second = perturbed(model, os.path.join(work, name + "_ft.onnx"))
        r = E.run(a.loom, "sim", out, "--random", a.frames, "--weights", second + "," + model)
        sj = E.read_json(os.path.join(out, "sim.json")) if r.rc == 0 else {}
        if r.rc != 0:
            print("%s: %s" % (name, r.err.strip()))
            bad = True
            continue
        same = rtl_hash(out) == before
        rep = E.read_json(os.path.join(out, "report.json"))
        words = rep["predicted_weight_load_cycles"]
        cycles = sj["weight_load_cycles"]
        ii = sj["ii_cycles"] or 0
        bad |= sj["mismatches"] != 0 or cycles != words or not same
        rows.append((name, words, 4 * words, cycles, cycles / 200.0,
                     "%.1f" % (cycles / ii) if ii else "-", sj["mismatches"],
                     "yes" if same else "NO"))
    print("\n%-28s %8s %9s %10s %9s %12s %10s %11s" % (
        "model", "words", "bytes", "load cyc", "us@200M", "frames/load", "mismatch",
        "rtl same"))
    for row in rows:
        print("%-28s %8d %9d %10d %9.2f %12s %10d %11s" % row)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
