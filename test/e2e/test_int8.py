#!/usr/bin/python3
"""e2e.int8: post-training int8 (--precision int8 [--calib X.npy]) on float models.

Models are generated here (onnx.helper) with a numpy forward pass of their own:
  mlp      Gemm -> Relu -> Gemm (10 logits)
  mlp_sm   Gemm -> Relu -> Gemm -> Softmax (the int16 power-of-two softmax input;
           --calib only)
  cnn      Conv 3x3 -> Relu -> MaxPool -> depthwise Conv -> Relu -> Flatten -> Gemm

For each model, with --calib CAL.npy and without (random calibration):
  1. loom run --precision int8 --random 20 --backpressure 0.3: exit 0, 0
     mismatching words, measured II / latency equal to the prediction.
  2. report.json: int8_accuracy with calibration / held_out frames (80/20 of
     CAL.npy; 64/16 random frames without --calib) and sane numbers.
With --calib, checked against numpy (not against Loom's own numbers):
  3. the input quantizer in report.json is the uint8 quantizer of the
     calibration frames' range (f32 scale, zero point round(-min / s));
  4. loom sim --inputs HELD.npy --out Y.npz on the held-out frames: the
     dequantized outputs differ from the numpy float model by what report.json
     claims (max / mean abs error, top-1 agreement), the error is small
     (relative to the output range; on the calibration frames a few uint8
     steps of it), and top-1 agreement is high. The output quantizer is the
     symmetric int16 one of the calibrated output range (a graph output
     feeds no layer, so its codes need not be 8 bits).
Integer graph ends (a QDQ model with a uint8 input and a uint8 output):
  5. report.json marks both ends integer; loom sim --inputs X.npy (uint8)
     --out Y.npz: Y holds the uint8 values ONNX semantics give (numpy), and
     an input outside [0, 255] is a one-line error.
Bad paths (one-line error, no output directory): --calib of the wrong shape,
--calib with --precision fixed<16,6>, a missing --calib file, an op int8 cannot
lower (LeakyRelu; table activations such as Sigmoid are lowered).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

FRAMES = 20
CAL_FRAMES = 50  # 40 calibrate, 10 held out


# --- models ------------------------------------------------------------------
def relu(x):
    return np.maximum(x, 0)


def mlp(work, softmax=False, leaky=False):
    """Returns (path, forward(x[N, 16]) -> [N, 10])."""
    from onnx import helper
    rng = np.random.RandomState(7)
    p = {"w1": rng.normal(0, 0.4, (16, 24)).astype(np.float32),
         "b1": rng.normal(0, 0.1, 24).astype(np.float32),
         "w2": rng.normal(0, 0.3, (24, 10)).astype(np.float32),
         "b2": rng.normal(0, 0.1, 10).astype(np.float32)}
    act = "LeakyRelu" if leaky else "Relu"
    nodes = [helper.make_node("Gemm", ["x", "w1", "b1"], ["h"]),
             helper.make_node(act, ["h"], ["a"]),
             helper.make_node("Gemm", ["a", "w2", "b2"], ["z" if softmax else "y"])]
    if softmax:
        nodes.append(helper.make_node("Softmax", ["z"], ["y"], axis=1))
    name = "mlp_leaky" if leaky else "mlp_sm" if softmax else "mlp"
    path = os.path.join(work, name + ".onnx")
    E.save_model(path, nodes, p, [1, 16], [1, 10])

    def forward(x):
        z = relu(x.astype(np.float64) @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]
        if softmax:
            e = np.exp(z - z.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return z
    return path, forward


def conv2d(x, w, b, pad, group):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    y = np.zeros((n, o, ho, wo))
    og = o // group
    for oc in range(o):
        g = oc // og
        for i in range(ho):
            for j in range(wo):
                y[:, oc, i, j] = (xp[:, g * cg:(g + 1) * cg, i:i + kh, j:j + kw] * w[oc]).sum(axis=(1, 2, 3))
        y[:, oc] += b[oc]
    return y


def cnn(work):
    """Returns (path, forward(x[N, 2, 8, 8]) -> [N, 5])."""
    from onnx import helper
    rng = np.random.RandomState(11)
    p = {"c1": rng.normal(0, 0.3, (4, 2, 3, 3)).astype(np.float32),
         "c1b": rng.normal(0, 0.1, 4).astype(np.float32),
         "c2": rng.normal(0, 0.4, (4, 1, 3, 3)).astype(np.float32),
         "c2b": rng.normal(0, 0.1, 4).astype(np.float32),
         "w": rng.normal(0, 0.3, (64, 5)).astype(np.float32),
         "b": rng.normal(0, 0.1, 5).astype(np.float32)}
    nodes = [helper.make_node("Conv", ["x", "c1", "c1b"], ["h1"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["h1"], ["a1"]),
             helper.make_node("MaxPool", ["a1"], ["m"], kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("Conv", ["m", "c2", "c2b"], ["h2"], pads=[1, 1, 1, 1], group=4),
             helper.make_node("Relu", ["h2"], ["a2"]),
             helper.make_node("Flatten", ["a2"], ["f"]),
             helper.make_node("Gemm", ["f", "w", "b"], ["y"])]
    path = os.path.join(work, "cnn.onnx")
    E.save_model(path, nodes, p, [1, 2, 8, 8], [1, 5])

    def forward(x):
        a1 = relu(conv2d(x.astype(np.float64), p["c1"], p["c1b"], 1, 1))
        n = a1.shape[0]
        m = a1.reshape(n, 4, 4, 2, 4, 2).max(axis=(3, 5))
        a2 = relu(conv2d(m, p["c2"], p["c2b"], 1, 4))
        return a2.reshape(n, -1) @ p["w"] + p["b"]
    return path, forward


def int_io(work):
    """uint8 x -> DequantizeLinear -> Gemm (int8 weights) -> Relu -> QuantizeLinear -> uint8 y.
    Returns (path, forward(x uint8 [N, 16]) -> uint8 values [N, 8])."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.RandomState(5)
    wq = rng.randint(-127, 128, (16, 8)).astype(np.int8)
    b = rng.normal(0, 0.1, 8).astype(np.float32)
    f32 = np.float32
    inits = {"wq": wq, "ws": np.array(0.01, f32), "wz": np.array(0, np.int8),
             "xs": np.array(0.05, f32), "xz": np.array(128, np.uint8),
             "ys": np.array(0.1, f32), "yz": np.array(0, np.uint8), "b": b}
    nodes = [helper.make_node("DequantizeLinear", ["x", "xs", "xz"], ["xf"]),
             helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["w"]),
             helper.make_node("Gemm", ["xf", "w", "b"], ["h"]),
             helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("QuantizeLinear", ["r", "ys", "yz"], ["y"])]
    g = helper.make_graph(nodes, "int_io", [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, 16])],
                          [helper.make_tensor_value_info("y", TensorProto.UINT8, [1, 8])],
                          initializer=[numpy_helper.from_array(a, n) for n, a in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="loom-e2e")
    m.ir_version = 7
    onnx.checker.check_model(m)
    path = os.path.join(work, "int_io.onnx")
    onnx.save(m, path)

    def forward(x):
        # ONNX: f32 arithmetic, round half to even, saturate to uint8.
        xf = (x.astype(f32) - f32(128)) * f32(0.05)
        h = np.maximum(xf @ (wq.astype(f32) * f32(0.01)) + b, 0).astype(f32)
        return np.clip(np.rint(h / f32(0.1)), 0, 255)
    return path, forward


# --- checks ------------------------------------------------------------------
def uint8_quantizer(lo, hi):
    """The documented activation quantizer (passes/NNInsertQuant.cpp), computed here."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    s = float(np.float32((hi - lo) / 255.0))
    return s, int(min(255, max(0, np.rint(-lo / s))))


def check_run(c, tag, out, r):
    ok = c.check(r.rc == 0, "%s: loom run exits 0: %s" % (tag, r.describe()[-1500:]))
    if not ok or not os.path.exists(os.path.join(out, "sim.json")):
        return None, None
    s = E.read_json(os.path.join(out, "sim.json"))
    rep = E.read_json(os.path.join(out, "report.json"))
    c.check(s["frames"] == FRAMES and s["mismatches"] == 0,
            "%s: %s frames, %s mismatches" % (tag, s["frames"], s["mismatches"]))
    c.check(s["ii_cycles"] == s["predicted_ii_cycles"] and
            s["latency_cycles"] == s["predicted_latency_cycles"],
            "%s: II %s / latency %s equal to predicted %s / %s" % (
                tag, s["ii_cycles"], s["latency_cycles"], s["predicted_ii_cycles"],
                s["predicted_latency_cycles"]))
    c.check(rep.get("precision") == "int8", "%s: report precision %s" % (tag, rep.get("precision")))
    c.check("scale" in rep["input"] and "scale" in rep["output"],
            "%s: report.json input/output describe the affine conversion" % tag)
    acc = rep.get("int8_accuracy", {})
    for part in ("calibration", "held_out"):
        a = acc.get(part, {})
        ok = all(k in a for k in ("frames", "max_abs_error", "mean_abs_error", "top1_agreement"))
        c.check(ok, "%s: int8_accuracy.%s has frames / errors / top-1: %s" % (tag, part, a))
        if ok:
            c.check(0 <= a["mean_abs_error"] <= a["max_abs_error"] and
                    0 <= a["top1_agreement"] <= 1,
                    "%s: int8_accuracy.%s numbers are consistent: %s" % (tag, part, a))
    c.check("int8 vs float model" in r.out, "%s: compile report prints the accuracy" % tag)
    return rep, s


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.int8")
    rng = np.random.RandomState(3)
    models = {"mlp": mlp(work), "mlp_sm": mlp(work, softmax=True), "cnn": cnn(work)}
    shapes = {"mlp": (16,), "mlp_sm": (16,), "cnn": (2, 8, 8)}
    # Calibration data: the model's input domain (not Loom's random range).
    cal = {m: rng.normal(0, 1, (CAL_FRAMES,) + shapes[m]).astype(np.float32) for m in models}
    for m in models:
        np.save(os.path.join(work, m + "_cal.npy"), cal[m])
        np.save(os.path.join(work, m + "_held.npy"), cal[m][CAL_FRAMES * 4 // 5:])

    # The softmax model only with --calib: the random-calibration path is the
    # same code for every model.
    jobs = [("mlp", True), ("mlp", False), ("cnn", True), ("cnn", False), ("mlp_sm", True)]

    def one(job):
        m, calib = job
        out = os.path.join(work, "out", m + ("_cal" if calib else "_rand"))
        args = ["run", models[m][0], "-o", out, "--precision", "int8", "--random", FRAMES,
                "--backpressure", "0.3", "--seed", 5]
        if calib:
            args += ["--calib", os.path.join(work, m + "_cal.npy")]
        return m, calib, out, E.run(loom, *args)

    int_path, int_forward = int_io(work)

    def int_job():
        out = os.path.join(work, "out", "int_io")
        return out, E.run(loom, "run", int_path, "-o", out, "--random", FRAMES, "--backpressure", "0.3")

    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(E.jobs()) as pool:
        int_future = pool.submit(int_job)
        results = list(pool.map(one, jobs))
        int_out, int_run = int_future.result()

    # 5. integer ends.
    if c.check(int_run.rc == 0, "int_io: loom run: " + int_run.describe()[-1500:]):
        rep = E.read_json(os.path.join(int_out, "report.json"))
        c.check(rep["input"].get("integer") is True and rep["output"].get("integer") is True,
                "int_io: report.json input / output integer: %s / %s" % (rep["input"], rep["output"]))
        s = E.read_json(os.path.join(int_out, "sim.json"))
        c.check(s["mismatches"] == 0 and s["ii_cycles"] == s["predicted_ii_cycles"],
                "int_io: 0 mismatches (%s), II equal" % s["mismatches"])
        x = np.random.RandomState(9).randint(0, 256, (6, 16)).astype(np.uint8)
        np.save(os.path.join(work, "int_x.npy"), x)
        y_npz = os.path.join(work, "int_y.npz")
        r = E.run(loom, "sim", int_out, "--inputs", os.path.join(work, "int_x.npy"), "--out", y_npz)
        if c.check(r.rc == 0, "int_io: sim --inputs uint8: " + r.describe()[-1500:]):
            got = np.load(y_npz)["y"].reshape(6, 8)
            want = int_forward(x)
            c.check(np.array_equal(got, want), "int_io: Y.npz holds the ONNX uint8 outputs "
                    "(%d of %d differ)" % (int((got != want).sum()), want.size))
        np.save(os.path.join(work, "int_bad.npy"), np.full((2, 16), 300, np.int32))
        r = E.run(loom, "sim", int_out, "--inputs", os.path.join(work, "int_bad.npy"))
        c.check(r.rc != 0 and len(r.err.strip().splitlines()) == 1 and "[0, 255]" in r.err,
                "int_io: out-of-range integer input is a one-line error: " + r.describe())

    rows = []
    for m, calib, out, r in results:
        tag = "%s (%s)" % (m, "--calib" if calib else "random calibration")
        rep, s = check_run(c, tag, out, r)
        if rep is None:
            continue
        acc = rep["int8_accuracy"]
        want = (CAL_FRAMES * 4 // 5, CAL_FRAMES // 5) if calib else (64, 16)
        got = (acc["calibration"]["frames"], acc["held_out"]["frames"])
        c.check(got == want, "%s: calibration / held-out frames %s == %s" % (tag, got, want))
        rows.append((tag, s["ii_cycles"], s["latency_cycles"],
                     "%.4f" % acc["calibration"]["max_abs_error"],
                     "%.4f" % acc["held_out"]["max_abs_error"],
                     "%.2f" % acc["held_out"]["top1_agreement"], "%.1f" % r.seconds))
        if not calib:
            c.check(acc.get("calibration_source") == "random", "%s: source random" % tag)
            continue
        # 3. input quantizer from the calibration range, computed here.
        x = cal[m][:CAL_FRAMES * 4 // 5]
        s_in, zp_in = uint8_quantizer(float(x.min()), float(x.max()))
        c.check(abs(rep["input"]["scale"][0] - s_in) <= 1e-12 * s_in and
                rep["input"]["zero_point"][0] == zp_in,
                "%s: input quantizer %s/%s == numpy %s/%s" % (
                    tag, rep["input"]["scale"], rep["input"]["zero_point"], s_in, zp_in))
        # 4. held-out frames through the simulator, against numpy's float model.
        y_npz = os.path.join(work, m + "_held_out.npz")
        r2 = E.run(loom, "sim", out, "--inputs", os.path.join(work, m + "_held.npy"),
                   "--out", y_npz)
        if not c.check(r2.rc == 0 and os.path.exists(y_npz), "%s: sim on held-out frames: %s"
                       % (tag, r2.describe()[-1500:])):
            continue
        got_y = np.load(y_npz)["y"].reshape(CAL_FRAMES // 5, -1).astype(np.float64)
        ref_y = models[m][1](cal[m][CAL_FRAMES * 4 // 5:].astype(np.float64)).reshape(got_y.shape)
        err = np.abs(got_y - ref_y)
        top1 = float(np.mean(got_y.argmax(axis=1) == ref_y.argmax(axis=1)))
        h = acc["held_out"]
        # Loom's float reference computes in f32; numpy in f64: 1e-4 relative slack.
        tol = 1e-4 * max(1.0, float(np.abs(ref_y).max()))
        c.check(abs(err.max() - h["max_abs_error"]) <= tol and
                abs(err.mean() - h["mean_abs_error"]) <= tol and
                abs(top1 - h["top1_agreement"]) < 1e-9,
                "%s: held-out accuracy in report.json (%s) matches numpy on the simulated "
                "outputs (max %.6f, mean %.6f, top-1 %.2f)" % (tag, h, err.max(), err.mean(), top1))
        # Held-out inputs may leave the calibrated range (and saturate), so
        # their bound is relative to the output range; the calibration frames
        # themselves must be within a few output steps (softmax: its
        # probabilities within 0.05; its output step is not the int8 one).
        span = float(ref_y.max() - ref_y.min())
        c.check(err.max() <= 0.15 * span and err.mean() <= 0.02 * span,
                "%s: held-out error max %.5f <= 15%%, mean %.5f <= 2%% of the output range %.4f"
                % (tag, err.max(), err.mean(), span))
        cal_max = acc["calibration"]["max_abs_error"]
        # The graph output only leaves the accelerator: int16 codes, symmetric, of
        # the calibrated output range (computed here). Its error comes from the
        # uint8 layers before it: a few uint8 steps of that range.
        ref_cal = models[m][1](x.astype(np.float64))
        lo, hi = min(float(ref_cal.min()), 0.0), max(float(ref_cal.max()), 0.0)
        if m != "mlp_sm":
            s_out = float(np.float32(max(-lo, hi) / 32767.0))
            c.check(abs(rep["output"]["scale"][0] - s_out) <= 1e-4 * s_out and
                    rep["output"]["zero_point"][0] == 0,
                    "%s: output quantizer %s/%s == int16 %s/0" % (
                        tag, rep["output"]["scale"], rep["output"]["zero_point"], s_out))
        bound = 0.05 if m == "mlp_sm" else 6 * (hi - lo) / 255.0
        c.check(cal_max <= bound, "%s: calibration-frame max error %.5f <= %.5f"
                % (tag, cal_max, bound))
        c.check(top1 >= 0.8, "%s: held-out top-1 agreement %.2f >= 0.8" % (tag, top1))

    # Bad paths: one line on stderr, no output directory.
    def bad(tag, args, needle):
        out = os.path.join(work, "bad", tag)
        r = E.run(loom, "compile", "-o", out, *args)
        lines = r.err.strip().splitlines()
        c.check(r.rc != 0 and len(lines) == 1 and needle in r.err and "error" in r.err,
                "%s: one-line error mentioning %r: %s" % (tag, needle, r.describe()))
        c.check(not os.path.exists(out), "%s: no output directory" % tag)

    wrong = os.path.join(work, "wrong.npy")
    np.save(wrong, np.zeros((8, 15), np.float32))
    bad("calib_wrong_shape", [models["mlp"][0], "--precision", "int8", "--calib", wrong], "wrong.npy")
    bad("calib_with_fixed", [models["mlp"][0], "--precision", "fixed<16,6>", "--calib",
                             os.path.join(work, "mlp_cal.npy")], "auto or int8")
    bad("calib_missing", [models["mlp"][0], "--precision", "int8", "--calib",
                          os.path.join(work, "nope.npy")], "nope.npy")
    leaky, _ = mlp(work, leaky=True)
    bad("int8_leaky", [leaky, "--precision", "int8"], "LeakyRelu")

    print()
    print("%-32s %6s %8s %10s %10s %6s %8s" % ("model", "II", "latency", "cal err", "held err",
                                              "top-1", "total s"))
    for row in rows:
        print("%-32s %6s %8s %10s %10s %6s %8s" % row)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
