#!/usr/bin/python3
"""e2e.multi_io: graphs with several inputs and outputs (issue 12, point 2).

Models from test/models/gen_multi_io_models.py (PyTorch two-tower with the
merged embedding returned beside the logits, a Keras Concatenate of two
Inputs, two heads on x + y, a CNN image plus a side vector, ONNX Runtime QDQ
with a scale per input). Per model:
 1. loom compile (default --precision auto; int8 on one model): report.json
    lists every graph input and output in ONNX order with its port name, and
    the top module has exactly those AXI4-Stream ports;
 2. loom sim --inputs X.npz (an array per input name) --out Y.npz on
    random-normal frames with backpressure: 0 mismatching words, predicted ==
    measured latency and II, Y.npz holds <output>, .raw and .reference for
    every output;
 3. against ONNX Runtime on the same frames: the float reference within 1e-4
    of each output's range, the hardware within HW_TOL (one output step for
    the QDQ model);
 4. loom sim --onnx-test-dir with input_K.pb / output_K.pb computed by numpy;
 5. bad inputs: an .npy for a two-input model, an .npz missing an input or
    with an unknown array or unequal frame counts, --calib .npy: one-line
    errors, exit 1.
"""
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

MODELS = ["torch_two_tower", "keras_concat_inputs", "add_inputs_two_heads", "image_and_vector",
          "qdq_two_inputs"]
FRAMES = 24
HW_TOL = 0.03  # auto: the search keeps each output within 1% of its range on calibration frames
INT8_TOL = 0.08  # int8: per-tensor 8-bit activations, clipped at ranges calibrated on other frames


def main():
    loom, src, work = E.parse_args()
    mdir = os.path.join(work, "models")
    subprocess.run([sys.executable, os.path.join(src, "test", "models", "gen_multi_io_models.py"),
                    mdir], check=True, stdout=subprocess.DEVNULL)
    c = E.Checker("e2e.multi_io")
    import onnx

    def check_model(name, extra=(), label=None, hw_tol=HW_TOL):
        label = label or name
        model = os.path.join(mdir, name + ".onnx")
        out = os.path.join(work, "out", label)
        r = E.run(loom, "compile", model, "-o", out, *extra)
        if not c.check(r.rc == 0, "%s: compile failed: %s" % (label, r.describe())):
            return
        g = onnx.load(model).graph
        rep = E.read_json(os.path.join(out, "report.json"))
        want_in = [i.name for i in g.input]
        want_out = [o.name for o in g.output]
        c.check([e["name"] for e in rep["inputs"]] == want_in,
                "%s: report inputs %s != ONNX %s" % (label, [e["name"] for e in rep["inputs"]],
                                                     want_in))
        c.check([e["name"] for e in rep["outputs"]] == want_out,
                "%s: report outputs %s != ONNX %s" % (label,
                                                      [e["name"] for e in rep["outputs"]], want_out))
        ports = [e["port"] for e in rep["inputs"] + rep["outputs"]]
        c.check(len(set(ports)) == len(ports), "%s: duplicate ports %s" % (label, ports))
        top = open(os.path.join(out, "rtl", rep["top"] + ".sv")).read()
        header = top[top.index("module " + rep["top"]):top.index(");")]
        declared = set(re.findall(r"\b([sm]_axis\w*)_tdata\b", header))
        c.check(declared == set(ports), "%s: top ports %s != report %s"
                % (label, sorted(declared), sorted(ports)))
        # Frames: random-normal per input, through an .npz.
        inputs = E.random_frames(model, FRAMES, 11)
        x = os.path.join(work, label + "_X.npz")
        np.savez(x, **inputs)
        y = os.path.join(work, label + "_Y.npz")
        r = E.run(loom, "sim", out, "--inputs", x, "--out", y, "--backpressure", "0.3")
        if not c.check(r.rc == 0, "%s: sim failed: %s" % (label, r.describe())):
            return
        sj = E.read_json(os.path.join(out, "sim.json"))
        c.check(sj["mismatches"] == 0, "%s: %d mismatches" % (label, sj["mismatches"]))
        c.check(sj["latency_cycles"] == sj["predicted_latency_cycles"],
                "%s: latency %s, predicted %s" % (label, sj["latency_cycles"],
                                                  sj["predicted_latency_cycles"]))
        c.check(sj["ii_cycles"] == sj["predicted_ii_cycles"],
                "%s: II %s, predicted %s" % (label, sj["ii_cycles"], sj["predicted_ii_cycles"]))
        ys = np.load(y)
        for o in g.output:
            dims = [d.dim_value for d in o.type.tensor_type.shape.dim]
            for key in (o.name, o.name + ".raw", o.name + ".reference"):
                c.check(key in ys.files and list(ys[key].shape) == [FRAMES] + dims[1:],
                        "%s: Y.npz[%r] missing or not [%d, %s]" % (label, key, FRAMES, dims[1:]))
        step = None
        if name.startswith("qdq"):
            step = float(rep["outputs"][0]["scale"][0])
        for p in E.compare_with_ort(loom, src, model, out, frames=FRAMES, seed=5,
                                    hw_range_frac=None if step else hw_tol, label=label,
                                    step=step):
            c.check(False, p)
        # ONNX test data with one file per input and output.
        r = E.run(loom, "sim", out, "--onnx-test-dir", os.path.join(mdir, name))
        c.check(r.rc == 0, "%s: sim --onnx-test-dir failed: %s" % (label, r.describe()))
        if r.rc == 0:
            err = E.read_json(os.path.join(out, "sim.json")).get(
                "float_reference_vs_onnx_max_abs_error")
            c.check(err is not None and err < 1e-4,
                    "%s: float reference vs the generator's numpy outputs: %s" % (label, err))
        print("  %s: %d inputs, %d outputs, latency %d, II %d, 0 mismatches" % (
            label, len(want_in), len(want_out), sj["latency_cycles"], sj["ii_cycles"]),
            flush=True)
        return out

    outs = {}
    for name in MODELS:
        outs[name] = check_model(name)
    # int8, folded, calibrated on an .npz of random-normal frames per input
    # (the frames compare_with_ort draws are random-normal too).
    rng = np.random.RandomState(3)
    bad = os.path.join(work, "bad")
    os.makedirs(bad, exist_ok=True)
    calib = os.path.join(bad, "calib.npz")
    np.savez(calib, user=rng.randn(200, 12).astype(np.float32),
             item=rng.randn(200, 6).astype(np.float32))
    out8 = check_model("torch_two_tower", ("--precision", "int8", "--max-mults", "8", "--calib",
                                           calib), label="torch_two_tower_int8_folded",
                       hw_tol=INT8_TOL)
    if out8:
        rep = E.read_json(os.path.join(out8, "report.json"))
        src_name = rep.get("int8_accuracy", {}).get("calibration_source", "")
        c.check(src_name.endswith("calib.npz"), "calibration source %r, want calib.npz" % src_name)

    # Bad inputs: one line, exit 1, nothing half-done.
    out = outs.get("torch_two_tower")
    if out:
        user = rng.randn(4, 12).astype(np.float32)
        item = rng.randn(4, 6).astype(np.float32)
        np.save(os.path.join(bad, "x.npy"), user)
        np.savez(os.path.join(bad, "missing.npz"), user=user)
        np.savez(os.path.join(bad, "unknown.npz"), user=user, item=item, itme=item)
        np.savez(os.path.join(bad, "counts.npz"), user=user, item=item[:3])
        np.savez(os.path.join(bad, "shape.npz"), user=user, item=user)
        cases = [("x.npy", "give --inputs X.npz with one array per input name"),
                 ("missing.npz", "no array named 'item'"),
                 ("unknown.npz", "array 'itme' is not a graph input"),
                 ("counts.npz", "give every input the same number of frames"),
                 ("shape.npz", "does not hold frames of input 'item'")]
        for f, msg in cases:
            r = E.run(loom, "sim", out, "--inputs", os.path.join(bad, f))
            lines = r.err.strip().splitlines()
            c.check(r.rc == 1 and len(lines) == 1 and msg in r.err,
                    "sim --inputs %s: want exit 1 and one line with %r: %s" % (f, msg, r.describe()))
        model = os.path.join(mdir, "torch_two_tower.onnx")
        r = E.run(loom, "compile", model, "-o", os.path.join(work, "out", "calib_npy"),
                  "--calib", os.path.join(bad, "x.npy"))
        c.check(r.rc == 1 and "--calib X.npz with one array per input name" in r.err
                and len(r.err.strip().splitlines()) == 1,
                "compile --calib x.npy on two inputs: %s" % r.describe())
        c.check(not os.path.exists(os.path.join(work, "out", "calib_npy")),
                "compile --calib x.npy left an output directory behind")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
