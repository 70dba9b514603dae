#!/usr/bin/python3
"""e2e.resize: ONNX Resize / Upsample (nearest, integer factors) end to end.

Generates small models (written here, each with a numpy float64 reference):
Conv3x3 (3->4, pad 1) -> Relu -> RESIZE -> Conv3x3 (4->6, pad 1) -> Relu ->
GlobalAveragePool -> Flatten -> Gemm, with RESIZE one of
  * Resize-13, scales [1, 1, 2, 2], asymmetric + floor,
  * Resize-13, sizes (factors 3 x 2), default half_pixel + round_prefer_floor
    (for integer factors also plain pixel repetition),
  * Upsample-9, scales input [1, 1, 2, 2].
RESIZE becomes one loom_upsample (df.upsample). For each model M (seed N):
  1. loom run M.onnx -o OUT --random 20 --backpressure 0.3 --seed N:
     exit 0, mismatches == 0, frames == 20, no deadlock, measured II and
     latency == predicted; the report lists one `upsample` actor.
  2. loom sim OUT --onnx-test-dir M/: exit 0, mismatches == 0, and the float
     interpreter against the numpy reference < 1e-4.
And a non-integer factor (1.5) and mode 'linear' are refused with one
`loom: error:` line naming the node.
"""
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

FRAMES = 20
ONNX_TOL = 1e-4


def conv2d(x, wt, b, pad):
    n, c, h, wd = x.shape
    m, _, kh, kw = wt.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    out = np.zeros((n, m, ho, wo))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nchw,mc->nmhw", xp[:, :, i:i + ho, j:j + wo], wt[:, :, i, j])
    return out + b[None, :, None, None]


def gen(out_dir, kind):
    """Writes OUT_DIR/NAME.onnx and OUT_DIR/NAME/test_data_set_0; returns (NAME, sh, sw)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    name = "resize_" + kind
    r = np.random.RandomState(sum(ord(ch) for ch in name))
    f32 = lambda a: np.asarray(a, np.float32)  # noqa: E731
    C0, C1, C2, H, OUT = 3, 4, 6, 4, 5
    sh, sw = (3, 2) if kind == "sizes_half_pixel" else (2, 2)
    if kind == "scale_1_5":
        sh, sw = 1.5, 1.5
    W1, B1 = f32(r.uniform(-0.5, 0.5, (C1, C0, 3, 3)) / 2), f32(r.uniform(-0.3, 0.3, C1))
    W2, B2 = f32(r.uniform(-0.5, 0.5, (C2, C1, 3, 3)) / 2), f32(r.uniform(-0.3, 0.3, C2))
    W3, B3 = f32(r.uniform(-0.5, 0.5, (OUT, C2))), f32(r.uniform(-0.3, 0.3, OUT))
    inits = [numpy_helper.from_array(a, n) for a, n in
             ((W1, "w1"), (B1, "b1"), (W2, "w2"), (B2, "b2"), (W3, "w3"), (B3, "b3"))]
    opset = 9 if kind == "upsample9" else 13
    nodes = [helper.make_node("Conv", ["input", "w1", "b1"], ["c1"], name="conv1",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1")]
    scales = f32([1, 1, sh, sw])
    if kind == "upsample9":
        inits.append(numpy_helper.from_array(scales, "scales"))
        nodes.append(helper.make_node("Upsample", ["r1", "scales"], ["up"], name="up",
                                      mode="nearest"))
    elif kind == "sizes_half_pixel":
        inits.append(numpy_helper.from_array(np.array([1, C1, H * sh, H * sw], np.int64), "sizes"))
        nodes.append(helper.make_node("Resize", ["r1", "", "", "sizes"], ["up"], name="up",
                                      mode="nearest"))
    else:
        inits.append(numpy_helper.from_array(scales, "scales"))
        nodes.append(helper.make_node("Resize", ["r1", "", "scales"], ["up"], name="up",
                                      mode="linear" if kind == "linear" else "nearest",
                                      coordinate_transformation_mode="asymmetric",
                                      nearest_mode="floor"))
    nodes += [helper.make_node("Conv", ["up", "w2", "b2"], ["c2"], name="conv2",
                               kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
              helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
              helper.make_node("GlobalAveragePool", ["r2"], ["gap"], name="gap"),
              helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"),
              helper.make_node("Gemm", ["flat", "w3", "b3"], ["output"], name="fc", transB=1)]
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, C0, H, H])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, OUT])],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="loom-gen")
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out_dir, name + ".onnx"))
    if kind in ("scale_1_5", "linear"):
        return name
    d = lambda a: np.asarray(a, np.float64)  # noqa: E731
    x = r.uniform(-1.0, 1.0, (1, C0, H, H)).astype(np.float32)
    y = np.maximum(conv2d(d(x), d(W1), d(B1), 1), 0)
    y = np.repeat(np.repeat(y, sh, axis=2), sw, axis=3)  # nearest, integer factors
    y = np.maximum(conv2d(y, d(W2), d(B2), 1), 0)
    y = y.mean(axis=(2, 3))
    y = (y @ d(W3).T + d(B3)).astype(np.float32)
    t = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(t)
    for fname, arr, tname in (("input_0.pb", x, "input"), ("output_0.pb", y, "output")):
        with open(os.path.join(t, fname), "wb") as f:
            f.write(numpy_helper.from_array(arr, tname).SerializeToString())
    return name


def first_error(r):
    lines = [l for l in r.err.splitlines() if l.strip()]
    return next((l for l in lines if l.startswith("loom: error:")), lines[0] if lines else "(no stderr)")


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.resize")
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("onnx is not installed: skipped")
        return E.SKIP
    models = os.path.join(work, "models")
    os.makedirs(models)
    names = [gen(models, k) for k in ("asymmetric_floor", "sizes_half_pixel", "upsample9")]

    def one(task):
        seed, name = task
        out = os.path.join(work, "out", name)
        problems = []
        r = E.run(loom, "run", os.path.join(models, name + ".onnx"), "-o", out, "--random", FRAMES,
                  "--backpressure", "0.3", "--seed", seed, timeout=900)
        if r.rc != 0:
            return name, ["run exit %d: %s" % (r.rc, first_error(r))]
        s = E.read_json(os.path.join(out, "sim.json"))
        if s.get("frames") != FRAMES or s.get("mismatches") != 0 or s.get("deadlock"):
            problems.append("frames %s mismatches %s deadlock %s" % (
                s.get("frames"), s.get("mismatches"), s.get("deadlock")))
        for key in ("ii_cycles", "latency_cycles"):
            if s[key] != s["predicted_" + key]:
                problems.append("%s measured %s != predicted %s" % (key, s[key], s["predicted_" + key]))
        rep = E.read_json(os.path.join(out, "report.json"))
        kinds = [a.get("kind") for a in rep.get("actors", [])]
        if kinds.count("upsample") != 1:
            problems.append("actors %s: expected one upsample" % kinds)
        r2 = E.run(loom, "sim", out, "--onnx-test-dir", os.path.join(models, name), timeout=900)
        if r2.rc != 0:
            problems.append("sim --onnx-test-dir exit %d: %s" % (r2.rc, first_error(r2)))
        else:
            s2 = E.read_json(os.path.join(out, "sim.json"))
            err = s2.get("float_reference_vs_onnx_max_abs_error")
            if s2.get("mismatches") != 0:
                problems.append("onnx test data: %s mismatching words" % s2.get("mismatches"))
            if err is None or not err < ONNX_TOL:
                problems.append("float reference vs numpy: max abs error %s" % err)
            # The independent oracle: ONNX Runtime on random-normal frames.
            problems += E.compare_with_ort(loom, src, os.path.join(models, name + ".onnx"), out,
                                           label=name)
        print("%-26s II %s latency %s %s" % (name, s["ii_cycles"], s["latency_cycles"],
                                             "ok" if not problems else "FAIL"), flush=True)
        return name, problems

    with ThreadPoolExecutor(E.jobs()) as pool:
        for name, problems in pool.map(one, enumerate(names, start=1)):
            c.check(not problems, "%s: %s" % (name, "; ".join(problems) or "passes"))

    for kind, what in (("scale_1_5", "integer scale"), ("linear", "nearest")):
        bad = gen(models, kind)
        r = E.run(loom, "compile", os.path.join(models, bad + ".onnx"), "-o", os.path.join(work, "out", bad))
        lines = [l for l in r.err.splitlines() if l.strip()]
        c.check(r.rc != 0 and len(lines) == 1 and "node 'up' (Resize)" in lines[0] and what in lines[0],
                "%s refused: %s" % (kind, r.err.strip() or r.rc))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
