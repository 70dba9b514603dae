#!/usr/bin/python3
"""e2e.exporter_quirks: ONNX patterns real exporters write (issue 10, point 4).

Each case is a small generated model in the op pattern an exporter writes,
run as `loom run M.onnx --random 8` (0 mismatching words, measured timing ==
predicted), and checked against an independent oracle:
  - QONNX graphs (ONNX Runtime cannot run QONNX domains): the numpy QONNX
    semantics of test/models/gen_quant_models.py (eval_graph), through
    `loom sim --onnx-test-dir` (float reference vs numpy, and bit-exact);
  - float graphs: ONNX Runtime on random-normal frames (compare_with_ort:
    Loom's float reference within 1e-4 of the output range), run on the model
    itself or, for QONNX channels-last ops, on the same graph written with
    standard ops between explicit Transposes (QONNX's definition of them).

 1. Quant / BipolarQuant / Trunc without a domain (older Brevitas exports):
    qonnx_mlp4, qonnx_bnn, qonnx_trunc_shift with the domain removed: a
    warning, then bit-exact.
 2. QONNX domains used without an opset import (qonnx.custom_op.general,
    finn.custom_op.general, qonnx.custom_op.channels_last): a warning.
 3. qonnx.custom_op.channels_last Conv / MaxPool / BatchNormalization (the
    standard ops on NHWC tensors): they cost nothing (the same actors as the
    NCHW graph: no depthwise unit for the transposes or the BatchNorm).
 4. BatchNormalization / Mul + Add by per-channel constants after an
    activation: folded forward into the next conv (no padding) or dense, else
    a 1x1 depthwise unit (a next conv with zero padding).
 5. DepthToSpace (DCR, CRD) at the output, SpaceToDepth at the input: host
    permutations, no actor; between two convs: refused in one line naming it.
 6. Transposes between the graph input and the first conv (tf2onnx NHWC
    inputs, Keras-style NHWC normalization of an NCHW input): the host's
    input permutation (report.json input.perm).
"""
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2e_common as E  # noqa: E402

FRAMES = 8
QONNX_DOMAIN = "qonnx.custom_op.general"
CL_DOMAIN = "qonnx.custom_op.channels_last"


class Case:
    """A model, its oracle and what its compile must say or build."""

    def __init__(self, name, model, testdir=None, ort_model=None, warnings=(), kinds=None, perms=None):
        self.name, self.model, self.testdir, self.ort_model = name, model, testdir, ort_model
        self.warnings, self.kinds = warnings, kinds
        # {"input" / "output": whether report.json has a host permutation there}
        self.perms = perms or {}


def rewrite(src, dst, domain_of=None, drop_imports=()):
    """Copies model src to dst with node domains mapped by domain_of and the
    opset imports of drop_imports removed (not checked: the checker refuses
    exactly these spellings)."""
    import onnx
    m = onnx.load(src)
    for n in m.graph.node:
        if domain_of and n.domain in domain_of:
            n.domain = domain_of[n.domain]
    keep = [o for o in m.opset_import if o.domain not in drop_imports]
    del m.opset_import[:]
    m.opset_import.extend(keep)
    onnx.save(m, dst)


def gen_qonnx(models):
    """Items 1 and 2 from gen_quant_models' QONNX models (their test data is
    the numpy QONNX semantics of the original graph)."""
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "models"))
    import gen_quant_models as Q
    for f in (Q.qonnx_mlp4, Q.qonnx_bnn, Q.qonnx_trunc_shift):
        f(models)
    cases = []
    for base, ops in (("qonnx_mlp4", "5 Quant"), ("qonnx_bnn", "4 BipolarQuant"),
                      ("qonnx_trunc_shift", "1 Trunc")):
        name = base + "_nodomain"
        rewrite(os.path.join(models, base + ".onnx"), os.path.join(models, name + ".onnx"),
                {QONNX_DOMAIN: ""}, drop_imports=(QONNX_DOMAIN,))
        cases.append(Case(name, name, testdir=base,
                          warnings=[ops, "without a domain (an older Brevitas export)"]))
    name = "qonnx_mlp4_noimport"
    rewrite(os.path.join(models, "qonnx_mlp4.onnx"), os.path.join(models, name + ".onnx"),
            drop_imports=(QONNX_DOMAIN,))
    cases.append(Case(name, name, testdir="qonnx_mlp4",
                      warnings=["domain '%s' is used by nodes but has no opset import" % QONNX_DOMAIN]))
    name = "finn_bnn_noimport"
    rewrite(os.path.join(models, "qonnx_bnn.onnx"), os.path.join(models, name + ".onnx"),
            {QONNX_DOMAIN: "finn.custom_op.general"}, drop_imports=(QONNX_DOMAIN,))
    cases.append(Case(name, name, testdir="qonnx_bnn",
                      warnings=["domain 'finn.custom_op.general' is used by nodes but has no opset import"]))
    return cases


def save_model(models, name, nodes, inits, in_shape, out_shape, domains=(), check=True):
    import onnx
    from onnx import TensorProto, helper
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
                              initializer=inits)
    imports = [helper.make_opsetid("", 13)] + [helper.make_opsetid(d, 1) for d in domains]
    model = helper.make_model(graph, opset_imports=imports, producer_name="loom-gen")
    model.ir_version = 7
    if check:
        onnx.checker.check_model(model)
    onnx.save(model, os.path.join(models, name + ".onnx"))


def gen_channels_last(models):
    """Item 3 (and 2 for its domain): QONNX's channels-last form of
    x [1,3,6,6] -> Conv3x3 pad 1 (3->4) -> Relu -> MaxPool 2x2 ->
    BatchNormalization -> Flatten -> Gemm (36->5), as QONNX's
    ConvertToChannelsLastAndClean writes it: Transpose(0,2,3,1) at the input,
    channels_last Conv / MaxPool / BatchNormalization, Transpose(0,3,1,2)
    before the Flatten. The oracle model spells each channels-last op as
    Transpose -> standard op -> Transpose. And a 1-D channels-last Conv on
    an NLC input (no host permutation at either end: NLC is the stream order)."""
    from onnx import helper, numpy_helper
    r = np.random.RandomState(3)
    f32 = lambda a: np.asarray(a, np.float32)  # noqa: E731
    inits = [numpy_helper.from_array(a, n) for a, n in (
        (f32(r.uniform(-0.5, 0.5, (4, 3, 3, 3))), "w"), (f32(r.uniform(-0.2, 0.2, 4)), "b"),
        (f32(r.uniform(0.5, 1.5, 4)), "bn_s"), (f32(r.uniform(-0.3, 0.3, 4)), "bn_b"),
        (f32(r.uniform(-0.3, 0.3, 4)), "bn_m"), (f32(r.uniform(0.5, 2.0, 4)), "bn_v"),
        (f32(r.uniform(-0.4, 0.4, (5, 36))), "fc_w"), (f32(r.uniform(-0.2, 0.2, 5)), "fc_b"))]

    def build(standard):
        nodes = [helper.make_node("Transpose", ["x"], ["x_nhwc"], name="to_nhwc", perm=[0, 2, 3, 1])]

        def cl(op, ins, out, name, **attrs):
            if not standard:
                nodes.append(helper.make_node(op, ins, [out], name=name, domain=CL_DOMAIN, **attrs))
                return
            nodes.append(helper.make_node("Transpose", [ins[0]], [name + "_nchw"], name=name + "_t0",
                                          perm=[0, 3, 1, 2]))
            nodes.append(helper.make_node(op, [name + "_nchw"] + ins[1:], [name + "_o"], name=name, **attrs))
            nodes.append(helper.make_node("Transpose", [name + "_o"], [out], name=name + "_t1",
                                          perm=[0, 2, 3, 1]))
        cl("Conv", ["x_nhwc", "w", "b"], "c", "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
        nodes.append(helper.make_node("Relu", ["c"], ["r"], name="relu"))
        cl("MaxPool", ["r"], "p", "pool", kernel_shape=[2, 2], strides=[2, 2])
        cl("BatchNormalization", ["p", "bn_s", "bn_b", "bn_m", "bn_v"], "n", "bn", epsilon=1e-3)
        nodes.append(helper.make_node("Transpose", ["n"], ["n_nchw"], name="to_nchw", perm=[0, 3, 1, 2]))
        nodes.append(helper.make_node("Flatten", ["n_nchw"], ["f"], name="flatten"))
        nodes.append(helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["y"], name="fc", transB=1))
        return nodes
    save_model(models, "cl_cnn", build(False), inits, [1, 3, 6, 6], [1, 5], check=False)
    save_model(models, "cl_cnn_ref", build(True), inits, [1, 3, 6, 6], [1, 5])
    # A 1-D channels-last conv on an NLC input [1, 8, 3] (pad 1, 3->4), NLC output.
    inits = [numpy_helper.from_array(f32(r.uniform(-0.5, 0.5, (4, 3, 3))), "w"),
             numpy_helper.from_array(f32(r.uniform(-0.2, 0.2, 4)), "b")]
    std = [helper.make_node("Transpose", ["x"], ["t"], name="t0", perm=[0, 2, 1]),
           helper.make_node("Conv", ["t", "w", "b"], ["c"], name="conv", kernel_shape=[3], pads=[1, 1]),
           helper.make_node("Transpose", ["c"], ["y"], name="t1", perm=[0, 2, 1])]
    cl = [helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv", domain=CL_DOMAIN, kernel_shape=[3],
                           pads=[1, 1])]
    save_model(models, "cl_conv1d", cl, inits, [1, 8, 3], [1, 8, 4], domains=(CL_DOMAIN,), check=False)
    save_model(models, "cl_conv1d_ref", std, inits, [1, 8, 3], [1, 8, 4])
    return [Case("cl_cnn", "cl_cnn", ort_model="cl_cnn_ref",
                 warnings=["domain '%s' is used by nodes but has no opset import" % CL_DOMAIN],
                 kinds=["mvu", "mvu", "pool", "swg", "swg"]),
            Case("cl_conv1d", "cl_conv1d", ort_model="cl_conv1d_ref", kinds=["mvu", "swg"],
                 perms={"input": False, "output": False})]


def gen_bn_after_activation(models):
    """Item 4: a per-channel affine map after an activation (Keras Conv ->
    Selu -> BatchNormalization -> Conv; Mul + Add is Keras' BatchNorm spelled
    out). `valid`: every affine map folds forward into the next layer
    (a conv without padding; a Gemm behind a Flatten): no extra actor.
    `same`: the next conv pads with zeros, where folding is not exact, so the
    BatchNorm runs on a 1x1 depthwise unit; and an MLP's BatchNorm on [1, K]
    after a Relu folds into the next Gemm."""
    from onnx import helper, numpy_helper
    cases = []
    for pad in (0, 1):
        name = "bn_after_act_" + ("same" if pad else "valid")
        r = np.random.RandomState(4 + pad)
        f32 = lambda a: np.asarray(a, np.float32)  # noqa: E731
        C1, C2, H = 4, 5, 6
        h2 = H - 2 if not pad else H
        h3 = h2 - 2 if not pad else h2
        arrs = {"w1": r.uniform(-0.5, 0.5, (C1, 2, 3, 3)), "b1": r.uniform(-0.2, 0.2, C1),
                "bn_s": r.uniform(0.5, 1.5, C1), "bn_b": r.uniform(-0.5, 0.5, C1),
                "bn_m": r.uniform(-0.3, 0.3, C1), "bn_v": r.uniform(0.3, 2.0, C1),
                "w2": r.uniform(-0.4, 0.4, (C2, C1, 3, 3)), "b2": r.uniform(-0.2, 0.2, C2),
                "mul_c": r.uniform(0.5, 1.5, (C2, 1, 1)), "add_c": r.uniform(-0.5, 0.5, (C2, 1, 1)),
                "fc1_w": r.uniform(-0.3, 0.3, (6, C2 * h3 * h3)), "fc1_b": r.uniform(-0.2, 0.2, 6),
                "bn2_s": r.uniform(0.5, 1.5, 6), "bn2_b": r.uniform(-0.5, 0.5, 6),
                "bn2_m": r.uniform(-0.3, 0.3, 6), "bn2_v": r.uniform(0.3, 2.0, 6),
                "fc2_w": r.uniform(-0.5, 0.5, (3, 6)), "fc2_b": r.uniform(-0.2, 0.2, 3)}
        inits = [numpy_helper.from_array(f32(a), n) for n, a in arrs.items()]
        pads = [pad] * 4
        nodes = [
            helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=pads),
            helper.make_node("Selu", ["c1"], ["a1"], name="selu1"),
            helper.make_node("BatchNormalization", ["a1", "bn_s", "bn_b", "bn_m", "bn_v"], ["n1"], name="bn1",
                             epsilon=1e-3),
            helper.make_node("Conv", ["n1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[3, 3], pads=pads),
            helper.make_node("Relu", ["c2"], ["a2"], name="relu2"),
            helper.make_node("Mul", ["a2", "mul_c"], ["m2"], name="bn2_mul"),
            helper.make_node("Add", ["m2", "add_c"], ["n2"], name="bn2_add"),
            helper.make_node("Flatten", ["n2"], ["f"], name="flatten"),
            helper.make_node("Gemm", ["f", "fc1_w", "fc1_b"], ["g1"], name="fc1", transB=1),
            helper.make_node("Relu", ["g1"], ["a3"], name="relu3"),
            helper.make_node("BatchNormalization", ["a3", "bn2_s", "bn2_b", "bn2_m", "bn2_v"], ["n3"],
                             name="bn3"),
            helper.make_node("Gemm", ["n3", "fc2_w", "fc2_b"], ["y"], name="fc2", transB=1)]
        save_model(models, name, nodes, inits, [1, 2, H, H], [1, 3])
        kinds = ["swg", "mvu", "swg", "mvu", "mvu", "mvu"] + (["swg", "dwu"] if pad else [])
        cases.append(Case(name, name, ort_model=name, kinds=kinds))
    return cases


def gen_depth_to_space(models):
    """Item 5: sub-pixel convolution as super-resolution nets end (ESPCN:
    Conv -> Tanh -> Conv -> DepthToSpace at the output, DCR and CRD), and
    SpaceToDepth at the input (before the first conv). Both ends are host
    permutations: no actor beyond the convs. A DepthToSpace between two
    convs is refused (one line naming it): `d2s_middle`, returned apart."""
    from onnx import helper, numpy_helper
    f32 = lambda a: np.asarray(a, np.float32)  # noqa: E731
    cases = []
    for mode, cin, cout in (("DCR", 1, 1), ("CRD", 2, 2)):
        name = "espcn_" + mode.lower()
        r = np.random.RandomState(len(name) + cout)
        inits = [numpy_helper.from_array(f32(a), n) for n, a in (
            ("w1", r.uniform(-0.5, 0.5, (4, cin, 3, 3))), ("b1", r.uniform(-0.2, 0.2, 4)),
            ("w2", r.uniform(-0.5, 0.5, (cout * 4, 4, 3, 3))), ("b2", r.uniform(-0.2, 0.2, cout * 4)))]
        nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3],
                                  pads=[1, 1, 1, 1]),
                 helper.make_node("Tanh", ["c1"], ["a1"], name="tanh1"),
                 helper.make_node("Conv", ["a1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[3, 3],
                                  pads=[1, 1, 1, 1]),
                 helper.make_node("DepthToSpace", ["c2"], ["y"], name="d2s", blocksize=2, mode=mode)]
        save_model(models, name, nodes, inits, [1, cin, 3, 4], [1, cout, 6, 8])
        cases.append(Case(name, name, ort_model=name, kinds=["swg", "mvu", "swg", "mvu"]))
    r = np.random.RandomState(9)
    inits = [numpy_helper.from_array(f32(a), n) for n, a in (
        ("w1", r.uniform(-0.5, 0.5, (3, 4, 1, 1))), ("b1", r.uniform(-0.2, 0.2, 3)),
        ("w2", r.uniform(-0.5, 0.5, (2, 3, 2, 2))), ("b2", r.uniform(-0.2, 0.2, 2)))]
    nodes = [helper.make_node("SpaceToDepth", ["x"], ["s"], name="s2d", blocksize=2),
             helper.make_node("Conv", ["s", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[1, 1]),
             helper.make_node("Relu", ["c1"], ["a1"], name="relu1"),
             helper.make_node("Conv", ["a1", "w2", "b2"], ["y"], name="conv2", kernel_shape=[2, 2])]
    save_model(models, "s2d_input", nodes, inits, [1, 1, 4, 6], [1, 2, 1, 2])
    cases.append(Case("s2d_input", "s2d_input", ort_model="s2d_input", kinds=["mvu", "swg", "mvu"]))
    # Between two convs: refused.
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1]),
             helper.make_node("DepthToSpace", ["c1"], ["d"], name="d2s_mid", blocksize=2),
             helper.make_node("Conv", ["d", "w2", "b2"], ["y"], name="conv2", kernel_shape=[3, 3])]
    r = np.random.RandomState(10)
    inits = [numpy_helper.from_array(f32(a), n) for n, a in (
        ("w1", r.uniform(-0.5, 0.5, (4, 1, 3, 3))), ("b1", r.uniform(-0.2, 0.2, 4)),
        ("w2", r.uniform(-0.5, 0.5, (1, 1, 3, 3))), ("b2", r.uniform(-0.2, 0.2, 1)))]
    save_model(models, "d2s_middle", nodes, inits, [1, 1, 3, 3], [1, 1, 4, 4])
    return cases


def gen_input_transposes(models):
    """Item 6: data-moving Transposes between a graph input and the first
    conv are absorbed into the host's input permutation (report.json
    input.perm). `swap_hw_input`: an NCHW input whose H and W a Transpose
    swaps. `nhwc_in_out`: a tf2onnx export, NHWC input transposed to
    NCHW, convs, transposed back to an NHWC output (streams are NHWC already:
    no permutation at either end). `nchw_keras_norm`: an NCHW input that a
    Keras-style graph transposes to NHWC, normalizes per channel on the last
    axis (Mul, Add by [3] constants) and transposes back before its conv."""
    from onnx import helper, numpy_helper
    f32 = lambda a: np.asarray(a, np.float32)  # noqa: E731
    r = np.random.RandomState(12)
    inits = [numpy_helper.from_array(f32(a), n) for n, a in (
        ("w1", r.uniform(-0.5, 0.5, (4, 3, 3, 3))), ("b1", r.uniform(-0.2, 0.2, 4)),
        ("w2", r.uniform(-0.5, 0.5, (2, 4, 1, 1))), ("b2", r.uniform(-0.2, 0.2, 2)),
        ("mean", r.uniform(-0.5, 0.5, 3)), ("inv_std", r.uniform(0.5, 2.0, 3)))]
    convs = [helper.make_node("Conv", ["xc", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["a1"], name="relu1"),
             helper.make_node("Conv", ["a1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[1, 1])]
    nodes = [helper.make_node("Transpose", ["x"], ["xc"], name="to_nchw", perm=[0, 3, 1, 2])] + convs + [
        helper.make_node("Transpose", ["c2"], ["y"], name="to_nhwc", perm=[0, 2, 3, 1])]
    save_model(models, "nhwc_in_out", nodes, inits[:4], [1, 4, 5, 3], [1, 4, 5, 2])
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], name="to_nhwc", perm=[0, 2, 3, 1]),
             helper.make_node("Mul", ["xt", "inv_std"], ["xm"], name="norm_mul"),
             helper.make_node("Add", ["xm", "mean"], ["xa"], name="norm_add"),
             helper.make_node("Transpose", ["xa"], ["xc"], name="to_nchw", perm=[0, 3, 1, 2])] + convs
    nodes[-1] = helper.make_node("Conv", ["a1", "w2", "b2"], ["y"], name="conv2", kernel_shape=[1, 1])
    save_model(models, "nchw_keras_norm", nodes, inits, [1, 3, 4, 5], [1, 2, 4, 5])
    # An NCHW input whose H and W a Transpose swaps before the first conv.
    nodes = [helper.make_node("Transpose", ["x"], ["xc"], name="swap_hw", perm=[0, 1, 3, 2])] + convs
    nodes[-1] = helper.make_node("Conv", ["a1", "w2", "b2"], ["y"], name="conv2", kernel_shape=[1, 1])
    save_model(models, "swap_hw_input", nodes, inits[:4], [1, 3, 4, 5], [1, 2, 5, 4])
    return [Case("swap_hw_input", "swap_hw_input", ort_model="swap_hw_input", kinds=["swg", "mvu", "mvu"],
                 perms={"input": True}),
            Case("nhwc_in_out", "nhwc_in_out", ort_model="nhwc_in_out", kinds=["swg", "mvu", "mvu"],
                 perms={"input": False, "output": False}),
            Case("nchw_keras_norm", "nchw_keras_norm", ort_model="nchw_keras_norm",
                 perms={"input": True, "output": True})]


def first_error(r):
    lines = [l for l in r.err.splitlines() if l.strip()]
    return next((l for l in lines if l.startswith("loom: error:")), lines[0] if lines else "(no stderr)")


def run_case(loom, src, work, models, seed, case):
    out = os.path.join(work, "out", case.name)
    problems = []
    r = E.run(loom, "run", os.path.join(models, case.model + ".onnx"), "-o", out, "--random", FRAMES,
              "--seed", seed, timeout=900)
    if r.rc != 0:
        return ["run exit %d: %s" % (r.rc, first_error(r))]
    for w in case.warnings:
        if w not in r.err:
            problems.append("no warning '%s' in: %s" % (w, r.err.strip()))
    s = E.read_json(os.path.join(out, "sim.json"))
    if s.get("frames") != FRAMES or s.get("mismatches") != 0 or s.get("deadlock"):
        problems.append("frames %s mismatches %s deadlock %s" % (s.get("frames"), s.get("mismatches"),
                                                                 s.get("deadlock")))
    for key in ("ii_cycles", "latency_cycles"):
        if s[key] != s["predicted_" + key]:
            problems.append("%s measured %s != predicted %s" % (key, s[key], s["predicted_" + key]))
    rep = E.read_json(os.path.join(out, "report.json"))
    kinds = sorted(a.get("kind") for a in rep.get("actors", []))
    if case.kinds is not None and kinds != sorted(case.kinds):
        problems.append("actors %s, expected %s" % (kinds, sorted(case.kinds)))
    for end, want in case.perms.items():
        has = bool(rep.get(end, {}).get("perm"))
        if has != want:
            problems.append("report.json %s.perm %s, expected %s" % (end, "present" if has else "absent",
                                                                     "present" if want else "absent"))
    if case.testdir:
        r2 = E.run(loom, "sim", out, "--onnx-test-dir", os.path.join(models, case.testdir), timeout=900)
        s2 = E.read_json(os.path.join(out, "sim.json")) if r2.rc == 0 else {}
        err = s2.get("float_reference_vs_onnx_max_abs_error")
        if r2.rc != 0 or s2.get("mismatches") != 0 or err is None or not err < 1e-5:
            problems.append("numpy oracle: exit %d, mismatches %s, float reference error %s" % (
                r2.rc, s2.get("mismatches"), err))
    if case.ort_model:
        problems += E.compare_with_ort(loom, src, os.path.join(models, case.ort_model + ".onnx"), out,
                                       label=case.name)
    print("%-28s II %s latency %s actors %s %s" % (case.name, s.get("ii_cycles"), s.get("latency_cycles"),
                                                   kinds, "ok" if not problems else "FAIL"), flush=True)
    return problems


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.exporter_quirks")
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("onnx is not installed: skipped")
        return E.SKIP
    models = os.path.join(work, "models")
    os.makedirs(models)
    cases = (gen_qonnx(models) + gen_channels_last(models) + gen_bn_after_activation(models)
             + gen_depth_to_space(models) + gen_input_transposes(models))

    def one(task):
        seed, case = task
        return case.name, run_case(loom, src, work, models, seed, case)

    with ThreadPoolExecutor(E.jobs()) as pool:
        for name, problems in pool.map(one, enumerate(cases, start=1)):
            c.check(not problems, "%s: %s" % (name, "; ".join(problems) or "passes"))

    # A DepthToSpace between two convs: one `loom: error:` line naming it.
    r = E.run(loom, "compile", os.path.join(models, "d2s_middle.onnx"), "-o", os.path.join(work, "out", "mid"))
    lines = [l for l in r.err.splitlines() if l.strip()]
    c.check(r.rc != 0 and len(lines) == 1 and lines[0].startswith("loom: error:") and "d2s_middle.onnx" in lines[0]
            and "node 'd2s_mid' (DepthToSpace) moves data between layers" in lines[0]
            and not os.path.exists(os.path.join(work, "out", "mid")),
            "DepthToSpace between convs refused: %s" % (r.err.strip() or r.rc))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
