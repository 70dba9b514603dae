#!/usr/bin/python3
"""e2e.activations: LeakyRelu, PRelu (one shared slope), Elu, Selu, HardSwish and
HardSigmoid end to end.

Generates one small model per activation (written here, with a numpy float64
reference of its own): Conv3x3 (3->8, pad 1) -> ACT -> [depthwise Conv3x3 ->
ACT for LeakyRelu] -> Flatten -> Gemm -> ACT -> Gemm. Every ACT is fused into
the preceding mvu/dwu (LeakyRelu/PRelu as ACT 4, Elu/Selu as table ACT 2).
For each model M (seed N):
  1. loom run M.onnx -o OUT --random 20 --backpressure 0.3 --seed N:
     exit 0, mismatches == 0, frames == 20, no deadlock, measured II and
     latency == predicted.
  2. loom sim OUT --onnx-test-dir M/: exit 0, mismatches == 0, and the float
     interpreter against the numpy reference < 1e-4.
  3. the report says the activation was fused (act of the mvu/dwu units).
  4. on random-normal frames the float interpreter agrees with ONNX Runtime
     (the independent oracle) within 1e-4 of the output range.
HardSwish / HardSigmoid (table activations defined only by their nn op and
importer entry): a PyTorch-style MLP Gemm -> HardSwish -> Gemm -> HardSigmoid
(alpha 1/6 as torch.nn.Hardsigmoid exports it), checked as above in
fixed<16,6>, with --precision int8 and with auto (the exact affine tables),
against a numpy float64 evaluation of the ONNX formulas.
And a PRelu whose slopes vary over spatial positions (not only over the
channels) is refused with one `loom: error:` line naming the node and its op
(per-channel slopes work: test/models/gen_conv_models.py prelu_cnn).
"""
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

FRAMES = 20
ONNX_TOL = 1e-4
SELU_ALPHA = 1.67326319217681884765625
SELU_GAMMA = 1.05070102214813232421875


def conv2d(x, wt, b, pad, group=1):
    """x [1,C,H,W], wt [M,C/group,k,k], stride 1, symmetric pad."""
    n, c, h, wd = x.shape
    m, cpg, kh, kw = wt.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    out = np.zeros((n, m, ho, wo))
    mpg = m // group
    for g in range(group):
        xs = xp[:, g * cpg:(g + 1) * cpg]
        for i in range(kh):
            for j in range(kw):
                out[:, g * mpg:(g + 1) * mpg] += np.einsum(
                    "nchw,mc->nmhw", xs[:, :, i:i + ho, j:j + wo], wt[g * mpg:(g + 1) * mpg, :, i, j])
    return out + b[None, :, None, None]


def act_ref(kind, x, alpha):
    if kind in ("leaky", "prelu"):
        return np.where(x >= 0, x, alpha * x)
    if kind == "elu":
        return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0)))
    if kind == "selu":
        return SELU_GAMMA * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))
    raise ValueError(kind)


def gen(out_dir, kind, spatial=False):
    """Writes OUT_DIR/NAME.onnx and OUT_DIR/NAME/test_data_set_0; returns NAME."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    name = "act_" + kind + ("_spatial" if spatial else "")
    r = np.random.RandomState(sum(ord(ch) for ch in name))
    f32 = lambda a: np.asarray(a, np.float32)  # noqa: E731
    C, H, HID, OUT = 8, 6, 12, 4
    W1, B1 = f32(r.uniform(-0.5, 0.5, (C, 3, 3, 3)) / 3), f32(r.uniform(-0.3, 0.3, C))
    WD, BD = f32(r.uniform(-0.5, 0.5, (C, 1, 3, 3)) / 2), f32(r.uniform(-0.3, 0.3, C))
    W2, B2 = f32(r.uniform(-0.5, 0.5, (HID, C * H * H)) / 8), f32(r.uniform(-0.3, 0.3, HID))
    W3, B3 = f32(r.uniform(-0.5, 0.5, (OUT, HID)) / 2), f32(r.uniform(-0.3, 0.3, OUT))
    inits = [numpy_helper.from_array(a, n) for a, n in
             ((W1, "w1"), (B1, "b1"), (W2, "w2"), (B2, "b2"), (W3, "w3"), (B3, "b3"))]
    nodes = []
    # (onnx node, float alpha of the reference) per activation site
    alphas = {"leaky": [0.1, 0.2, 0.01], "prelu": [0.25, 0.25], "elu": [1.0, 0.5],
              "selu": [None, None]}[kind]

    def act(inp, out, i):
        a = alphas[i]
        if kind == "leaky":
            kw = {} if a == 0.01 else {"alpha": a}  # the third site uses the default 0.01
            nodes.append(helper.make_node("LeakyRelu", [inp], [out], name="leaky%d" % i, **kw))
        elif kind == "prelu":
            slope = np.full((C, 1, 1) if i == 0 else (HID,), a, np.float32)
            if spatial and i == 0:  # refused: the expected outputs are not used
                slope = f32(np.linspace(0.1, 0.3, C * H * H).reshape(C, H, H))
            inits.append(numpy_helper.from_array(slope, "slope%d" % i))
            nodes.append(helper.make_node("PRelu", [inp, "slope%d" % i], [out], name="prelu%d" % i))
        elif kind == "elu":
            kw = {} if a == 1.0 else {"alpha": a}
            nodes.append(helper.make_node("Elu", [inp], [out], name="elu%d" % i, **kw))
        else:
            nodes.append(helper.make_node("Selu", [inp], [out], name="selu%d" % i))

    nodes.append(helper.make_node("Conv", ["input", "w1", "b1"], ["c1"], name="conv1",
                                  kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
    act("c1", "a1", 0)
    last = "a1"
    dw = kind == "leaky"
    if dw:
        inits += [numpy_helper.from_array(WD, "wd"), numpy_helper.from_array(BD, "bd")]
        nodes.append(helper.make_node("Conv", ["a1", "wd", "bd"], ["c2"], name="dwconv",
                                      kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=C))
        act("c2", "a2", 1)
        last = "a2"
    nodes.append(helper.make_node("Flatten", [last], ["flat"], name="flatten"))
    nodes.append(helper.make_node("Gemm", ["flat", "w2", "b2"], ["g1"], name="fc1", transB=1))
    act("g1", "a3", len(alphas) - 1)
    nodes.append(helper.make_node("Gemm", ["a3", "w3", "b3"], ["output"], name="fc2", transB=1))
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, H, H])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, OUT])],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="loom-gen")
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out_dir, name + ".onnx"))

    # numpy float64 reference (alphas as the float32 the file stores)
    d = lambda a: np.asarray(a, np.float64)  # noqa: E731
    al = [None if a is None else float(np.float32(a)) for a in alphas]
    x = r.uniform(-1.0, 1.0, (1, 3, H, H)).astype(np.float32)
    y = act_ref(kind, conv2d(d(x), d(W1), d(B1), 1), al[0])
    if dw:
        y = act_ref(kind, conv2d(y, d(WD), d(BD), 1, group=C), al[1])
    y = act_ref(kind, y.reshape(1, -1) @ d(W2).T + d(B2), al[-1])
    y = (y @ d(W3).T + d(B3)).astype(np.float32)
    t = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(t)
    for fname, arr, tname in (("input_0.pb", x, "input"), ("output_0.pb", y, "output")):
        with open(os.path.join(t, fname), "wb") as f:
            f.write(numpy_helper.from_array(arr, tname).SerializeToString())
    return name


def hard_sigmoid(x, alpha, beta):
    return np.maximum(0.0, np.minimum(1.0, alpha * x + beta))


def hard_swish(x):
    return x * np.maximum(0.0, np.minimum(1.0, x / 6.0 + 0.5))


def gen_hard_mlp(out_dir):
    """Gemm(16->24) -> HardSwish -> Gemm(24->12) -> HardSigmoid; returns NAME."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    name = "act_hard_mlp"
    r = np.random.RandomState(11)
    f32 = lambda a: np.asarray(a, np.float32)  # noqa: E731
    IN, HID, OUT = 16, 24, 12
    W1, B1 = f32(r.normal(0, 0.6, (HID, IN))), f32(r.normal(0, 0.5, HID))
    W2, B2 = f32(r.normal(0, 0.5, (OUT, HID))), f32(r.normal(0, 0.5, OUT))
    alpha = np.float32(1.0 / 6.0)  # torch.nn.Hardsigmoid's export
    inits = [numpy_helper.from_array(a, n) for a, n in ((W1, "w1"), (B1, "b1"), (W2, "w2"), (B2, "b2"))]
    nodes = [helper.make_node("Gemm", ["input", "w1", "b1"], ["g1"], name="fc1", transB=1),
             helper.make_node("HardSwish", ["g1"], ["h1"], name="hswish"),
             helper.make_node("Gemm", ["h1", "w2", "b2"], ["g2"], name="fc2", transB=1),
             helper.make_node("HardSigmoid", ["g2"], ["output"], name="hsigmoid",
                              alpha=float(alpha))]
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, IN])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, OUT])],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], producer_name="loom-gen")
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out_dir, name + ".onnx"))
    d = lambda a: np.asarray(a, np.float64)  # noqa: E731
    x = r.uniform(-4.0, 4.0, (1, IN)).astype(np.float32)
    y = hard_swish(d(x) @ d(W1).T + d(B1))
    y = hard_sigmoid(y @ d(W2).T + d(B2), float(alpha), 0.5).astype(np.float32)
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
    c = E.Checker("e2e.activations")
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("onnx is not installed: skipped")
        return E.SKIP
    models = os.path.join(work, "models")
    os.makedirs(models)
    # activation sites: conv, [depthwise,] dense
    # (model, extra compile options, expected fused activations)
    kinds = {"leaky": ["leaky"] * 3, "prelu": ["leaky"] * 2, "elu": ["elu"] * 2, "selu": ["selu"] * 2}
    # The fixed-point activation units need one fixed<W,I>; --precision auto
    # (the default) lowers LeakyRelu / PRelu to one format too, and table
    # activations to exact tables over the input codes.
    fixed = ["--precision", "fixed<16,6>"]
    names = [(gen(models, k), fixed, acts) for k, acts in kinds.items()]
    names += [(names[0][0], [], ["leaky"] * 3)]  # leaky: auto falls back to one format
    hard = gen_hard_mlp(models)
    # Every mode names the table by its function (affine tables too).
    names += [(hard, fixed, ["hard_sigmoid", "hard_swish"]),
              (hard, ["--precision", "int8"], ["hard_sigmoid", "hard_swish"]),
              (hard, [], ["hard_sigmoid", "hard_swish"])]

    def one(task):
        seed, (name, opts, want) = task
        tag = {"fixed<16,6>": "fixed", "int8": "int8"}.get(opts[-1] if opts else "", "auto")
        out = os.path.join(work, "out", name + "_" + tag)
        problems = []
        r = E.run(loom, "run", os.path.join(models, name + ".onnx"), "-o", out, "--random", FRAMES,
                  "--backpressure", "0.3", "--seed", seed, *opts, timeout=900)
        if r.rc != 0:
            return " ".join([name] + opts), ["run exit %d: %s" % (r.rc, first_error(r))]
        s = E.read_json(os.path.join(out, "sim.json"))
        if s.get("frames") != FRAMES or s.get("mismatches") != 0 or s.get("deadlock"):
            problems.append("frames %s mismatches %s deadlock %s" % (
                s.get("frames"), s.get("mismatches"), s.get("deadlock")))
        for key in ("ii_cycles", "latency_cycles"):
            if s[key] != s["predicted_" + key]:
                problems.append("%s measured %s != predicted %s" % (key, s[key], s["predicted_" + key]))
        rep = E.read_json(os.path.join(out, "report.json"))
        acts = sorted(a.get("activation") for a in rep.get("actors", []) if a.get("activation")
                      not in (None, "none"))
        if acts != want:
            problems.append("fused activations %s, expected %s" % (acts, want))
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
            # The HardSwish/HardSigmoid MLP's fixed<16,6> hardware must agree
            # with it too, within 2% of the output range. (int8 is calibrated on
            # uniform [-2, 2) frames, which random-normal frames exceed: its
            # error is printed, not judged.)
            problems += E.compare_with_ort(loom, src, os.path.join(models, name + ".onnx"), out,
                                           label=" ".join([name] + opts),
                                           hw_range_frac=0.02 if name == hard and not opts else None)
        print("%-12s %s II %s latency %s acts %s %s" % (name, " ".join(opts), s["ii_cycles"], s["latency_cycles"], acts,
                                                    "ok" if not problems else "FAIL"), flush=True)
        return " ".join([name] + opts), problems

    with ThreadPoolExecutor(E.jobs()) as pool:
        for name, problems in pool.map(one, enumerate(names, start=1)):
            c.check(not problems, "%s: %s" % (name, "; ".join(problems) or "passes"))

    # PRelu slopes varying over H and W: a one-line refusal naming the node.
    bad = gen(models, "prelu", spatial=True)
    r = E.run(loom, "compile", os.path.join(models, bad + ".onnx"), "-o", os.path.join(work, "out", bad))
    lines = [l for l in r.err.splitlines() if l.strip()]
    c.check(r.rc != 0 and len(lines) == 1 and "node 'prelu0' (PRelu)" in lines[0]
            and "vary over positions other than the channel axis" in lines[0],
            "spatially varying PRelu slopes refused: %s" % (r.err.strip() or r.rc))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
