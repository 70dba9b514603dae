#!/usr/bin/python3
"""Many-frame check of the quantized test models against numpy (not in ctest:
it builds one Verilator model per network, ~15 s each).

Usage: quant_models_frames.py BUILD_DIR WORK_DIR [FRAMES]

Writes the models of test/models/gen_quant_models.py to WORK_DIR, adds
test_data_set_1..FRAMES with random inputs (uniform in [-1.5, 1.5), every 5th
frame rounded to 1/8 so input quantizers meet exact ties) whose expected
outputs come from that script's eval_graph (numpy, ONNX / QONNX semantics),
then runs `loom compile` and `loom sim --onnx-test-dir` on each. Fails if the
RTL differs from the interpreter in any word, or if any output is more than
one output step (metadata output_scale) from numpy.
"""
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "models"))
import gen_quant_models as gq  # noqa: E402


def load(path):
    t = onnx.TensorProto()
    t.ParseFromString(open(path, "rb").read())
    return numpy_helper.to_array(t)


def main():
    build, work = sys.argv[1], sys.argv[2]
    frames = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    loom = os.path.join(build, "bin", "loom")
    subprocess.run([sys.executable, os.path.join(HERE, "..", "..", "models", "gen_quant_models.py"),
                    work], check=True, stdout=subprocess.DEVNULL)
    failed = 0
    for name in gq.MODELS:
        model = onnx.load(os.path.join(work, name + ".onnx"))
        step = float({p.key: p.value for p in model.metadata_props}["output_scale"])
        shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
        rng = np.random.default_rng(99)
        for i in range(1, frames + 1):
            x = rng.uniform(-1.5, 1.5, size=shape).astype(np.float32)
            if i % 5 == 0:
                x = np.round(x * 8) / 8
            y = np.asarray(gq.eval_graph(model, x))
            d = os.path.join(work, name, "test_data_set_%d" % i)
            os.makedirs(d, exist_ok=True)
            for fname, arr, tname in (("input_0.pb", x, "x"), ("output_0.pb", y, model.graph.output[0].name)):
                with open(os.path.join(d, fname), "wb") as f:
                    f.write(numpy_helper.from_array(arr, tname).SerializeToString())
        out = os.path.join(work, "out_" + name)
        subprocess.run([loom, "compile", os.path.join(work, name + ".onnx"), "-o", out], check=True,
                       stdout=subprocess.DEVNULL)
        npz = os.path.join(work, name + ".npz")
        sim = subprocess.run([loom, "sim", out, "--onnx-test-dir", os.path.join(work, name),
                              "--out", npz], capture_output=True, text=True)
        m = re.search(r"(\d+) frames, (\d+) mismatching words", sim.stdout + sim.stderr)
        want = np.concatenate([load(os.path.join(work, name, "test_data_set_%d" % i, "output_0.pb"))
                               .astype(np.float64).ravel() for i in range(frames + 1)])
        z = np.load(npz)
        got = z[[f for f in z.files if not f.endswith(".raw")][0]].astype(np.float64).ravel()
        diff = np.abs(got - want) / step
        ok = sim.returncode == 0 and m and m.group(2) == "0" and diff.max() <= 1.0 + 1e-4
        failed += not ok
        print("%-14s %s  rtl mismatches %s  vs numpy: %d/%d exact, max %.3f steps" %
              (name, "ok  " if ok else "FAIL", m.group(2) if m else "?", int((diff < 1e-4).sum()),
               diff.size, diff.max()))
    print("%d passed, %d failed" % (len(gq.MODELS) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
