#!/usr/bin/python3
"""e2e.auto_precision: --precision auto (the default for float models).

Models generated here (onnx.helper), in the patterns exporters write:
  unnorm_cnn  Keras/tf2onnx, NHWC [1, 24, 24, 3] raw pixels in [0, 255] (no
              normalisation layer): Transpose -> Conv 3x3 -> Relu -> MaxPool ->
              Conv 3x3 -> Relu -> GlobalAveragePool -> Flatten -> Gemm (4
              scores). One fixed<16,6> saturates on its first layer.
  deep_dw     MobileNet-style, PyTorch NCHW [1, 3, 16, 16]: a strided stem
              Conv + BatchNormalization + Clip(0, 6), six depthwise-separable
              blocks (depthwise 3x3 + BN + Clip, pointwise 1x1 + BN + Clip),
              GlobalAveragePool, Flatten, Gemm, Softmax: 16 layers.
  mlp         Gemm -> Relu -> Gemm -> Tanh -> Gemm: per-tensor formats,
              unsigned after the Relu, and a --formats override.

Checks, against ONNX Runtime (the independent oracle) on held-out frames of
each model's own input domain (not Loom's numbers):
  1. loom run --random: 0 mismatching words, II / latency as predicted;
  2. report.json auto_precision: per-tensor formats, budget met; every
     actor with weights has a format, after a Relu an unsigned one;
  3. the hardware's dequantized outputs are within 2% of the output range of
     ONNX Runtime, the float reference within 1e-4, top-1 agreement 100% on
     the decisive frames; no output word sits at its format's limit (clipped);
  4. --formats pins a layer's format (report.json shows it) and an input's;
  5. bad --formats files and --formats without auto: one-line errors, no
     output directory.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

FRAMES = 12      # loom run --random
CAL_FRAMES = 40  # 32 calibrate, 8 held out (--calib)
HELD = 16        # held-out frames compared with ONNX Runtime


def unnorm_cnn(work, size=24):
    """size: H = W of the input (bench/precision_vs_ort.py --big: 200)."""
    from onnx import helper
    r = np.random.RandomState(21)
    p = {"k1": r.normal(0, 0.15, (4, 3, 3, 3)).astype(np.float32),
         "b1": r.normal(0, 0.5, 4).astype(np.float32),
         "k2": r.normal(0, 0.2, (4, 4, 3, 3)).astype(np.float32),
         "b2": r.normal(0, 0.5, 4).astype(np.float32),
         "w": r.normal(0, 0.05, (4, 4)).astype(np.float32),
         "b": r.normal(0, 0.1, 4).astype(np.float32)}
    n = [helper.make_node("Transpose", ["input_1"], ["t"], perm=[0, 3, 1, 2], name="conv2d/transpose"),
         helper.make_node("Conv", ["t", "k1", "b1"], ["c1"], pads=[1, 1, 1, 1], name="conv2d"),
         helper.make_node("Relu", ["c1"], ["r1"], name="conv2d/Relu"),
         helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2],
                          name="max_pooling2d"),
         helper.make_node("Conv", ["p1", "k2", "b2"], ["c2"], pads=[1, 1, 1, 1], name="conv2d_1"),
         helper.make_node("Relu", ["c2"], ["r2"], name="conv2d_1/Relu"),
         helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="global_average_pooling2d"),
         helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
         helper.make_node("Gemm", ["f", "w", "b"], ["y"], name="dense")]
    name = "unnorm_cnn" if size == 24 else "unnorm_cnn_%d" % size
    path = E.save_model(os.path.join(work, name + ".onnx"), n, p, [1, size, size, 3], [1, 4],
                        in_name="input_1")
    return path, lambda rng, k: rng.uniform(0, 255, (k, size, size, 3)).astype(np.float32)


def deep_dw(work, blocks=6):
    """blocks depthwise-separable blocks (bench/precision_vs_ort.py --big: 13, 28 layers)."""
    from onnx import helper
    r = np.random.RandomState(22)
    p, nodes = {}, []

    def conv_bn_clip(name, x, cin, cout, k, stride, group):
        p[name + ".w"] = r.normal(0, np.sqrt(2.0 / (cin // group * k * k)),
                                  (cout, cin // group, k, k)).astype(np.float32)
        for s, v in (("g", r.uniform(0.5, 1.5, cout)), ("b", r.normal(0, 0.2, cout)),
                     ("m", r.normal(0, 0.3, cout)), ("v", r.uniform(0.5, 2.0, cout))):
            p["%s.bn.%s" % (name, s)] = v.astype(np.float32)
        nodes.append(helper.make_node("Conv", [x, name + ".w"], [name + ".c"], group=group,
                                      kernel_shape=[k, k], strides=[stride, stride],
                                      pads=[k // 2] * 4, name="/%s/Conv" % name))
        nodes.append(helper.make_node("BatchNormalization",
                                      [name + ".c"] + ["%s.bn.%s" % (name, s) for s in "gbmv"],
                                      [name + ".n"], name="/%s/BatchNormalization" % name))
        nodes.append(helper.make_node("Clip", [name + ".n", "zero", "six"], [name + ".o"],
                                      name="/%s/Clip" % name))
        return name + ".o"

    p["zero"], p["six"] = np.array(0, np.float32), np.array(6, np.float32)
    x = conv_bn_clip("stem", "input", 3, 8, 3, 2, 1)
    chans = [8, 8, 12, 12] + [16] * (blocks - 2)
    for i in range(blocks):
        x = conv_bn_clip("b%d.dw" % i, x, chans[i], chans[i], 3, 2 if i == 2 else 1, chans[i])
        x = conv_bn_clip("b%d.pw" % i, x, chans[i], chans[i + 1], 1, 1, 1)
    p["fc.w"] = r.normal(0, 0.3, (5, 16)).astype(np.float32)
    p["fc.b"] = r.normal(0, 0.1, 5).astype(np.float32)
    nodes += [helper.make_node("GlobalAveragePool", [x], ["gap"], name="/pool/GlobalAveragePool"),
              helper.make_node("Flatten", ["gap"], ["flat"], name="/Flatten"),
              helper.make_node("Gemm", ["flat", "fc.w", "fc.b"], ["logits"], transB=1,
                               name="/fc/Gemm"),
              helper.make_node("Softmax", ["logits"], ["y"], axis=1, name="/Softmax")]
    name = "deep_dw" if blocks == 6 else "deep_dw_%d" % blocks
    path = E.save_model(os.path.join(work, name + ".onnx"), nodes, p, [1, 3, 16, 16], [1, 5],
                        in_name="input")
    return path, lambda rng, k: rng.normal(0, 1, (k, 3, 16, 16)).astype(np.float32)


def mlp(work):
    from onnx import helper
    r = np.random.RandomState(23)
    p = {"w1": r.normal(0, 0.4, (24, 16)).astype(np.float32), "b1": r.normal(0, 0.1, 24).astype(np.float32),
         "w2": r.normal(0, 0.3, (16, 24)).astype(np.float32), "b2": r.normal(0, 0.1, 16).astype(np.float32),
         "w3": r.normal(0, 0.3, (6, 16)).astype(np.float32), "b3": r.normal(0, 0.1, 6).astype(np.float32)}
    n = [helper.make_node("Gemm", ["x", "w1", "b1"], ["h1"], transB=1, name="/fc1/Gemm"),
         helper.make_node("Relu", ["h1"], ["a1"], name="/relu/Relu"),
         helper.make_node("Gemm", ["a1", "w2", "b2"], ["h2"], transB=1, name="/fc2/Gemm"),
         helper.make_node("Tanh", ["h2"], ["a2"], name="/tanh/Tanh"),
         helper.make_node("Gemm", ["a2", "w3", "b3"], ["y"], transB=1, name="/fc3/Gemm")]
    path = E.save_model(os.path.join(work, "mlp.onnx"), n, p, [1, 16], [1, 6])
    return path, lambda rng, k: rng.normal(0, 1, (k, 16)).astype(np.float32)


def format_limits(fmt):
    """(qmin, qmax) of "fixed<W,I>" / "ufixed<W,I>"."""
    w = int(fmt[fmt.index("<") + 1:fmt.index(",")])
    if fmt.startswith("u"):
        return 0, (1 << w) - 1
    return -(1 << (w - 1)), (1 << (w - 1)) - 1


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.auto_precision")
    rng = np.random.RandomState(5)
    models = {"unnorm_cnn": unnorm_cnn(work), "deep_dw": deep_dw(work), "mlp": mlp(work)}
    data = {}
    for m, (path, frames) in models.items():
        data[m] = frames(rng, CAL_FRAMES + HELD)
        np.save(os.path.join(work, m + "_cal.npy"), data[m][:CAL_FRAMES])
        np.save(os.path.join(work, m + "_held.npy"), data[m][CAL_FRAMES:])

    pins = os.path.join(work, "pins.json")
    with open(pins, "w") as f:
        json.dump({"/fc2/Gemm": "fixed<14,5>", "x": "fixed<12,4>"}, f)
    # (model, name, extra args): the CNN calibrates on its own pixel range,
    # the others on random-normal frames or --calib.
    jobs = [("unnorm_cnn", "unnorm_cnn", ["--calib", os.path.join(work, "unnorm_cnn_cal.npy")]),
            ("deep_dw", "deep_dw", []),
            ("mlp", "mlp", ["--calib", os.path.join(work, "mlp_cal.npy")]),
            ("mlp", "mlp_pinned", ["--formats", pins])]

    def one(job):
        m, name, extra = job
        out = os.path.join(work, "out", name)
        return m, name, out, E.run(loom, "run", models[m][0], "-o", out, "--random", FRAMES,
                                   "--backpressure", "0.3", *extra)

    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(E.jobs()) as pool:
        results = list(pool.map(one, jobs))

    rows = []
    for m, name, out, r in results:
        if not c.check(r.rc == 0, "%s: loom run: %s" % (name, r.describe()[-2000:])):
            continue
        s = E.read_json(os.path.join(out, "sim.json"))
        rep = E.read_json(os.path.join(out, "report.json"))
        c.check(s["mismatches"] == 0 and s["ii_cycles"] == s["predicted_ii_cycles"] and
                s["latency_cycles"] == s["predicted_latency_cycles"],
                "%s: 0 mismatches (%s), II %s / latency %s as predicted (%s / %s)"
                % (name, s["mismatches"], s["ii_cycles"], s["latency_cycles"],
                   s["predicted_ii_cycles"], s["predicted_latency_cycles"]))
        ap = rep.get("auto_precision", {})
        c.check(rep.get("precision") == "auto" and ap.get("formats") == "per tensor" and
                ap.get("budget_met") is True,
                "%s: precision auto, per-tensor formats, budget met: %s %s"
                % (name, rep.get("precision"), ap))
        c.check("auto formats: activations" in r.out, "%s: the compile report prints the choice"
                % name)
        with_weights = [a for a in rep["actors"] if a["kind"] in ("mvu", "dwu")]
        c.check(all("format" in a and "weights" in a["format"] and "output" in a["format"]
                    for a in with_weights),
                "%s: every layer has an output and a weight format: %s"
                % (name, [(a["name"], a.get("format")) for a in with_weights]))
        fmt = {a["name"]: a.get("format", {}) for a in rep["actors"]}
        if m == "mlp":
            c.check(fmt.get("/fc1/Gemm", {}).get("output", "").startswith("ufixed<"),
                    "%s: /fc1/Gemm (fused Relu) has an unsigned output format: %s"
                    % (name, fmt.get("/fc1/Gemm")))
        if name == "mlp_pinned":
            c.check(fmt.get("/fc2/Gemm", {}).get("output") == "fixed<14,5>" and
                    rep["input"].get("format", {}).get("output") == "fixed<12,4>",
                    "mlp_pinned: --formats pins /fc2/Gemm to fixed<14,5> and x to fixed<12,4>: "
                    "%s, input %s" % (fmt.get("/fc2/Gemm"), rep["input"].get("format")))
            c.check(ap.get("calibration_source") == "random-normal",
                    "mlp_pinned: calibrated on random-normal frames: %s"
                    % ap.get("calibration_source"))

        # 3. held-out frames of the model's own domain: hardware vs ONNX Runtime.
        held = os.path.join(work, m + "_held.npy")
        y_npz = os.path.join(out, "held.npz")
        r2 = E.run(loom, "sim", out, "--inputs", held, "--out", y_npz)
        if not c.check(r2.rc == 0, "%s: sim on held-out frames: %s" % (name, r2.describe()[-1500:])):
            continue
        try:
            want = E.ort_run(src, models[m][0], {E.onnx_io(models[m][0])[0]: np.load(held)},
                             os.path.join(out, "ort"))[0].reshape(HELD, -1).astype(np.float64)
        except RuntimeError as e:
            c.check(False, "%s: %s" % (name, e))
            continue
        y = np.load(y_npz)
        hw = y["y"].reshape(HELD, -1).astype(np.float64)
        ref = y["y.reference"].reshape(HELD, -1).astype(np.float64)
        span = float(want.max() - want.min())
        hw_err, ref_err = float(np.abs(hw - want).max()), float(np.abs(ref - want).max())
        c.check(ref_err <= 1e-4 * span, "%s: float reference vs ONNX Runtime %.2e of the range "
                "%.4g" % (name, ref_err / span, span))
        c.check(hw_err <= 0.02 * span, "%s: hardware vs ONNX Runtime %.4f of the output range "
                "%.4g (limit 0.02)" % (name, hw_err / span, span))
        # Top-1 on the frames whose two best classes are further apart than
        # twice the error budget (closer ones may swap within the budget).
        srt = np.sort(want, axis=1)
        decisive = srt[:, -1] - srt[:, -2] > 2 * 0.01 * span
        agree = hw.argmax(axis=1) == want.argmax(axis=1)
        c.check(bool(agree[decisive].all()), "%s: top-1 agrees with ONNX Runtime on all %d "
                "decisive frames (%d of %d frames agree)"
                % (name, int(decisive.sum()), int(agree.sum()), HELD))
        last = rep["actors"][-1]
        out_fmt = last.get("format", {}).get("output")
        if c.check(out_fmt is not None, "%s: the last actor %s has a format" % (name, last["name"])):
            lo, hi = format_limits(out_fmt)
            raw = y["y.raw"]
            c.check(int(((raw <= lo) | (raw >= hi)).sum()) == 0,
                    "%s: no output word at the limits of %s (%d clipped)"
                    % (name, out_fmt, int(((raw <= lo) | (raw >= hi)).sum())))
        rows.append((name, s["ii_cycles"], rep["total_multipliers"],
                     "%d/%d" % (ap.get("activation_bits", 0), ap.get("weight_bits", 0)),
                     "%.4f" % (hw_err / span), "%.1f" % r.seconds))

    # 5. bad --formats: one line on stderr, no output directory.
    def bad(tag, args, needle):
        out = os.path.join(work, "bad", tag)
        r = E.run(loom, "compile", models["mlp"][0], "-o", out, *args)
        lines = r.err.strip().splitlines()
        c.check(r.rc != 0 and len(lines) == 1 and needle in r.err and "error" in r.err,
                "%s: one-line error mentioning %r: %s" % (tag, needle, r.describe()))
        c.check(not os.path.exists(out), "%s: no output directory" % tag)

    def pin_file(tag, text):
        path = os.path.join(work, tag + ".json")
        with open(path, "w") as f:
            f.write(text)
        return path

    bad("formats_unknown_node", ["--formats", pin_file("unknown", '{"/fc9/Gemm": "fixed<8,3>"}')],
        "/fc9/Gemm")
    bad("formats_bad_format", ["--formats", pin_file("badfmt", '{"/fc1/Gemm": "fixed<99,3>"}')],
        "/fc1/Gemm")
    bad("formats_not_json", ["--formats", pin_file("notjson", '{"/fc1/Gemm": ')], "notjson.json")
    bad("formats_not_string", ["--formats", pin_file("notstr", '{"/fc1/Gemm": 8}')], "/fc1/Gemm")
    bad("formats_with_fixed", ["--precision", "fixed<16,6>", "--formats", pins], "--formats")
    bad("formats_missing", ["--formats", os.path.join(work, "nope.json")], "nope.json")
    bad("calib_with_fixed", ["--precision", "fixed<16,6>", "--calib",
                             os.path.join(work, "mlp_cal.npy")], "--calib")

    print()
    print("%-12s %6s %6s %8s %12s %8s" % ("model", "II", "mults", "act/w", "err/range", "total s"))
    for row in rows:
        print("%-12s %6s %6s %8s %12s %8s" % row)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
