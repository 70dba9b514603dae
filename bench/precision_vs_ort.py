#!/usr/bin/python3
"""Number formats against ONNX Runtime: --precision auto vs one fixed<16,6>.

    /usr/bin/python3 bench/precision_vs_ort.py [--loom BIN] [--work DIR] [--frames N]
                                               [--precisions auto,fixed<16,6>]
                                               [--max-mults N] [MODEL.onnx ...]

Without MODEL arguments: every model in /work/shared/models
($LOOM_SHARED_MODELS) and the generated conv and dense models
(test/models/gen_conv_models.py, gen_dense_models.py). For each model and
precision it compiles, simulates N random-normal frames (seed 7, not the
calibration frames) in Verilator and runs ONNX Runtime on the same frames,
then prints per row: the formats auto chose (activation / weight bits, or
the one format), the layers' weight memory bits, the widest multiplier
operands, the hardware's max error as a fraction of the output range, top-1
agreement (outputs with 2..1000 values) and the seconds the compile took.
Exit status 1 if any run fails or auto misses 2% of the range.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "test", "e2e"))
import e2e_common as E  # noqa: E402

SHARED = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")
DENSE = ["keras_mlp_relu_softmax", "keras_reshape_tanh_sigmoid", "torch_mlp_gemm_dropout",
         "gemm_all_attrs", "dense_batchnorm_relu", "mlp_opset13"]


def default_models(work):
    models = sorted(glob.glob(os.path.join(SHARED, "*.onnx")))
    gen = os.path.join(work, "gen")
    os.makedirs(gen, exist_ok=True)
    for script in ("gen_conv_models.py", "gen_dense_models.py"):
        subprocess.run([sys.executable, os.path.join(SRC, "test", "models", script), gen],
                       check=True, stdout=subprocess.DEVNULL)
    conv = ["torch_cnn", "keras_cnn", "conv_bn_relu", "residual", "depthwise_separable",
            "conv1d", "pads_strides", "concat", "avgpool_include_pad", "grouped_conv",
            "prelu_cnn", "lenet_pool_relu", "act_after_join", "inception3", "conv1d_bn",
            "input_norm", "se_block"]
    return models + [os.path.join(gen, m + ".onnx") for m in conv + DENSE]


def one(loom, model, precision, out, frames, max_mults):
    args = ["compile", model, "-o", out, "--precision", precision]
    if max_mults:
        args += ["--max-mults", str(max_mults)]
    t0 = time.time()
    r = E.run(loom, *args)
    secs = time.time() - t0
    if r.rc != 0:
        return None, r.err.strip().splitlines()[-1] if r.err.strip() else "compile failed"
    rep = E.read_json(os.path.join(out, "report.json"))
    inputs = E.random_frames(model, frames, 7)
    if len(inputs) != 1:
        return None, "several inputs"
    x = list(inputs.values())[0]
    np.save(os.path.join(out, "x.npy"), x)
    r = E.run(loom, "sim", out, "--inputs", os.path.join(out, "x.npy"), "--out",
              os.path.join(out, "y.npz"))
    if r.rc != 0:
        return None, "sim: " + (r.err.strip().splitlines() or ["failed"])[-1]
    y = np.load(os.path.join(out, "y.npz"))
    name = E.onnx_io(model)[2]
    if E.model_opset(model) < 7:
        want = E.numpy_forward(model, x.reshape(E.batched_input_shape(E.onnx_io(model)[1], frames)))
    else:
        want = E.ort_run(SRC, model, inputs, os.path.join(out, "ort"))[0]
    want = want.reshape(frames, -1).astype(np.float64)
    hw = y[name].reshape(frames, -1).astype(np.float64)
    span = max(float(want.max() - want.min()), 1e-12)
    err = float(np.abs(hw - want).max()) / span if np.isfinite(hw).all() else float("inf")
    k = want.shape[1]
    top1 = float(np.mean(hw.argmax(1) == want.argmax(1))) if 2 <= k <= 1000 else None
    ap = rep.get("auto_precision")
    if ap is None:
        formats = rep["precision"]
    elif ap["formats"] == "per tensor":
        formats = "a%d/w%d" % (ap["activation_bits"], ap["weight_bits"])
    else:
        formats = ap["formats"]
    layers = [a for a in rep["actors"] if a["kind"] in ("mvu", "dwu")]
    wbits = sum(a["memory_bits"] for a in layers)
    mult = max([max(a.get("mult_bits", [0, 0])) for a in layers] or [0])
    return {"formats": formats, "weight_bits": wbits, "mult_bits": mult, "err": err,
            "top1": top1, "secs": secs, "mults": rep["total_multipliers"]}, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--loom", default=os.environ.get("LOOM", os.path.join(SRC, "build/bin/loom")))
    ap.add_argument("--work", default=None)
    ap.add_argument("--frames", type=int, default=32)
    ap.add_argument("--precisions", default="auto,fixed<16,6>")
    ap.add_argument("--max-mults", type=int, default=0)
    ap.add_argument("models", nargs="*")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="loom-prec-")
    models = a.models or default_models(work)
    precisions = a.precisions.split(",")
    print("%-28s %-12s %-12s %10s %5s %9s %6s %6s" % ("model", "precision", "formats",
                                                    "weight b", "mult", "err/range", "top-1",
                                                    "comp s"))
    bad = 0
    for m in models:
        for p in precisions:
            out = os.path.join(work, os.path.basename(m)[:-5] + "." + p.replace("<", "").replace(">", "").replace(",", "_"))
            res, why = one(a.loom, m, p, out, a.frames, a.max_mults)
            label = os.path.basename(m)[:-5][:28]
            if res is None:
                print("%-28s %-12s %s" % (label, p, why), flush=True)
                bad += p == "auto"
                continue
            print("%-28s %-12s %-12s %10d %5d %8.2f%% %6s %6.1f" % (
                label, p, res["formats"], res["weight_bits"], res["mult_bits"], 100 * res["err"],
                "-" if res["top1"] is None else "%.0f%%" % (100 * res["top1"]), res["secs"]),
                flush=True)
            bad += p == "auto" and not res["err"] <= 0.02
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
