"""Shared helpers for Loom's end-to-end tests (test/e2e/test_*.py).

Every test script is run by ctest as

    /usr/bin/python3 test/e2e/test_X.py LOOM_BINARY SOURCE_DIR WORK_DIR

(Debian's /usr/bin/python3 has onnx 1.12 + numpy; the python3 on PATH may
not). WORK_DIR is the test's own scratch directory under the build tree; it
is wiped at the start of each run, so tests are independent of each other
and of earlier runs.

Expected failures: a check that fails because of a known compiler bug is
marked with xfail="BUG-NAME: one-line description"; it then prints XFAIL and
does not fail the test. If such a check passes, XPASS is printed (loudly, but
not fatally) so the marker can be removed once the bug is fixed.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

SKIP = 77  # ctest SKIP_RETURN_CODE


class Checker:
    def __init__(self, name):
        self.name = name
        self.failures = []
        self.xfails = []
        self.xpasses = []
        self.t0 = time.time()

    def check(self, cond, msg, xfail=None):
        if cond:
            if xfail:
                self.xpasses.append("%s  [marked %s]" % (msg, xfail))
                print("XPASS: %s  (marked xfail: %s; remove the marker)" % (msg, xfail), flush=True)
            return True
        if xfail:
            self.xfails.append("%s  [%s]" % (msg, xfail))
            print("XFAIL: %s  (%s)" % (msg, xfail), flush=True)
        else:
            self.failures.append(msg)
            print("FAIL: %s" % msg, flush=True)
        return False

    def finish(self):
        dt = time.time() - self.t0
        print("\n%s: %d failure(s), %d expected failure(s), %d unexpected pass(es), %.1f s"
              % (self.name, len(self.failures), len(self.xfails), len(self.xpasses), dt))
        for f in self.failures:
            print("  FAIL  " + f)
        for f in self.xfails:
            print("  XFAIL " + f)
        for f in self.xpasses:
            print("  XPASS " + f)
        return 1 if self.failures else 0


def parse_args():
    if len(sys.argv) != 4:
        print("usage: %s LOOM SOURCE_DIR WORK_DIR" % sys.argv[0], file=sys.stderr)
        sys.exit(2)
    loom, src, work = (os.path.abspath(a) for a in sys.argv[1:])
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    return loom, src, work


def jobs():
    """Parallel loom runs inside one test (each Verilator build is 1 core)."""
    try:
        return max(1, int(os.environ.get("LOOM_E2E_JOBS", "")))
    except ValueError:
        return max(1, min(2, os.cpu_count() or 1))


class Result:
    def __init__(self, argv, rc, out, err, seconds):
        self.argv, self.rc, self.out, self.err, self.seconds = argv, rc, out, err, seconds

    def describe(self):
        return "`%s` exit %d\n--- stdout\n%s--- stderr\n%s" % (
            " ".join(self.argv), self.rc, self.out, self.err)


def run(loom, *args, cwd=None, timeout=600):
    argv = [loom] + [str(a) for a in args]
    t0 = time.time()
    p = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=timeout)
    return Result(argv, p.returncode, p.stdout, p.stderr, time.time() - t0)


def save_model(path, nodes, inits, in_shape, out_shape, in_name="x", out_name="y", opset=13):
    """Writes a one-input, one-output float ONNX model (initializers from the
    {name: array} dict), checked by onnx.checker; returns path."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    g = helper.make_graph(nodes, os.path.basename(path)[:-5],
                          [helper.make_tensor_value_info(in_name, TensorProto.FLOAT, in_shape)],
                          [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, out_shape)],
                          initializer=[numpy_helper.from_array(a, n) for n, a in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="loom-e2e")
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return path


def read_json(path):
    with open(path) as f:
        return json.load(f)


def gen_models(src, out_dir):
    """Runs test/models/gen_dense_models.py into out_dir; returns out_dir."""
    gen = os.path.join(src, "test", "models", "gen_dense_models.py")
    subprocess.run([sys.executable, gen, out_dir], check=True, stdout=subprocess.DEVNULL)
    return out_dir


# Accepted dense models of test/models/README.md ("Accepted dense models").
GOOD_MODELS = [
    "keras_mlp_relu_softmax", "keras_reshape_tanh_sigmoid", "torch_mlp_gemm_dropout",
    "gemm_all_attrs", "gemm_row_bias_opset9", "dense_batchnorm_relu", "transpose_unit_dims",
    "constant_node_weights",
] + ["mlp_opset%d" % o for o in (6, 9, 11, 13, 17, 18, 19)]


def good_models(model_dir):
    """GOOD_MODELS, cross-checked against the models that have test data."""
    have = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
                  for p in glob.glob(os.path.join(model_dir, "*", "test_data_set_0", "input_0.pb")))
    # Models the loader accepts but Loom refuses on purpose (one-line errors
    # checked by e2e.bad_inputs / the importer tests), not "good" models.
    refused = {"opset18_reducemean_axes_input"}
    extra = sorted(set(have) - set(GOOD_MODELS) - refused)
    if extra:
        print("note: generator has accepted models this suite does not list: %s" % extra)
    return [m for m in GOOD_MODELS if m in have] + extra


# --- extra models: the generator's nets have at most 2 dense layers ------------
def gen_deep_models(out_dir):
    """Writes two >=3-dense-layer models for folding tests; returns their names."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.RandomState(1234)

    def w(*shape):
        return rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)

    def save(name, nodes, inits, in_shape, out_shape):
        g = helper.make_graph(nodes, name,
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
                              initializer=[numpy_helper.from_array(a, n) for n, a in inits])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="loom-e2e")
        m.ir_version = 7
        onnx.checker.check_model(m)
        onnx.save(m, os.path.join(out_dir, name + ".onnx"))

    # 4 dense layers, MatMul + Add + Relu (Keras style), 12-16-16-12-6
    # (small: the unfolded design's Verilator build dominates test time).
    dims = [12, 16, 16, 12, 6]
    nodes, inits, cur = [], [], "x"
    for i in range(4):
        nodes.append(helper.make_node("MatMul", [cur, "W%d" % i], ["mm%d" % i], name="fc%d/MatMul" % i))
        out = "y" if i == 3 else "b%d" % i
        nodes.append(helper.make_node("Add", ["mm%d" % i, "B%d" % i], [out], name="fc%d/Add" % i))
        inits += [("W%d" % i, w(dims[i], dims[i + 1])), ("B%d" % i, w(dims[i + 1]))]
        cur = out
        if i < 3:
            nodes.append(helper.make_node("Relu", [out], ["r%d" % i], name="fc%d/Relu" % i))
            cur = "r%d" % i
    save("e2e_deep_mlp4_relu", nodes, inits, [1, 12], [1, 6])

    # 3 dense layers, Gemm transB=1 (PyTorch style) with Tanh, Sigmoid: 16-16-12-6.
    dims = [16, 16, 12, 6]
    acts = ["Tanh", "Sigmoid", None]
    nodes, inits, cur = [], [], "x"
    for i in range(3):
        out = "y" if acts[i] is None else "g%d" % i
        nodes.append(helper.make_node("Gemm", [cur, "W%d" % i, "B%d" % i], [out],
                                      name="/fc%d/Gemm" % i, transB=1))
        inits += [("W%d" % i, w(dims[i + 1], dims[i])), ("B%d" % i, w(dims[i + 1]))]
        cur = out
        if acts[i]:
            nodes.append(helper.make_node(acts[i], [out], ["a%d" % i], name="/act%d" % i))
            cur = "a%d" % i
    save("e2e_deep_gemm3_tanh_sigmoid", nodes, inits, [1, 16], [1, 6])
    return ["e2e_deep_mlp4_relu", "e2e_deep_gemm3_tanh_sigmoid"]


# --- an independent numpy float forward pass of an ONNX model ---------------------
def numpy_forward(model_path, x):
    """Evaluates the (dense-subset) ONNX graph with numpy in float64.

    x is the graph input with its batch dimension; returns the first graph
    output. Supports the ops of gen_dense_models.py's accepted models."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(model_path)
    g = m.graph
    env = {t.name: numpy_helper.to_array(t).astype(np.float64)
           if numpy_helper.to_array(t).dtype.kind == "f" else numpy_helper.to_array(t)
           for t in g.initializer}
    inits = set(env)
    real_inputs = [i for i in g.input if i.name not in inits]
    env[real_inputs[0].name] = np.asarray(x, dtype=np.float64)

    def attr(node, name, default=None):
        for a in node.attribute:
            if a.name == name:
                return onnx.helper.get_attribute_value(a)
        return default

    for n in g.node:
        i = [env[name] if name else None for name in n.input]
        op = n.op_type
        if op == "Constant":
            t = attr(n, "value")
            r = numpy_helper.to_array(t) if t is not None else np.array(attr(n, "value_ints"), dtype=np.int64)
            if r.dtype.kind == "f":
                r = r.astype(np.float64)
        elif op == "MatMul":
            r = i[0] @ i[1]
        elif op == "Add":
            r = i[0] + i[1]
        elif op == "Gemm":
            a = i[0].T if attr(n, "transA", 0) else i[0]
            b = i[1].T if attr(n, "transB", 0) else i[1]
            r = attr(n, "alpha", 1.0) * (a @ b)
            if len(i) > 2 and i[2] is not None:
                r = r + attr(n, "beta", 1.0) * i[2]
        elif op == "Relu":
            r = np.maximum(i[0], 0)
        elif op == "Tanh":
            r = np.tanh(i[0])
        elif op == "Sigmoid":
            r = 1.0 / (1.0 + np.exp(-i[0]))
        elif op == "Softmax":
            ax = attr(n, "axis", -1)
            e = np.exp(i[0] - i[0].max(axis=ax, keepdims=True))
            r = e / e.sum(axis=ax, keepdims=True)
        elif op in ("Identity", "Dropout"):
            r = i[0]
        elif op == "Reshape":
            shape = [int(s) for s in i[1]]
            shape = [i[0].shape[k] if s == 0 else s for k, s in enumerate(shape)]
            r = i[0].reshape(shape)
        elif op == "Flatten":
            ax = attr(n, "axis", 1)
            r = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif op == "Transpose":
            r = np.transpose(i[0], attr(n, "perm"))
        elif op == "BatchNormalization":
            x_, s, b, mean, var = i[:5]
            r = (x_ - mean) / np.sqrt(var + attr(n, "epsilon", 1e-5)) * s + b
        elif op == "ReduceMean":
            axes = attr(n, "axes")
            if axes is None and len(i) > 1:
                axes = [int(a) for a in i[1]]
            r = i[0].mean(axis=tuple(axes), keepdims=bool(attr(n, "keepdims", 1)))
        else:
            raise NotImplementedError("numpy_forward: op %s (%s)" % (op, n.name))
        env[n.output[0]] = r
    return env[g.output[0].name]


def onnx_io(model_path):
    """(input name, input dims, output name) with symbolic dims as None."""
    import onnx
    m = onnx.load(model_path)
    inits = {t.name for t in m.graph.initializer}
    inp = [i for i in m.graph.input if i.name not in inits][0]
    dims = [d.dim_value if d.HasField("dim_value") else None for d in inp.type.tensor_type.shape.dim]
    return inp.name, dims, m.graph.output[0].name


def batched_input_shape(dims, frames):
    """Shape of `frames` frames: the leading (batch) dimension times frames."""
    d = [1 if v is None else v for v in dims]
    d[0] = d[0] * frames
    return d


# --- ONNX Runtime, the independent oracle (tools/oracle, installed by tools/setup.sh) --
ORACLE = os.path.join("tools", "oracle", "ort_run.js")
NP_OF_ONNX = {1: np.float32, 2: np.uint8, 3: np.int8, 5: np.int16, 6: np.int32, 7: np.int64,
              11: np.float64}


def onnx_output_names(model_path):
    """The graph outputs' names, in order."""
    import onnx
    return [o.name for o in onnx.load(model_path).graph.output]


def onnx_inputs(model_path):
    """[(name, dims with symbolic dims as None, numpy dtype)] of the graph inputs."""
    import onnx
    m = onnx.load(model_path)
    inits = {t.name for t in m.graph.initializer}
    res = []
    for i in m.graph.input:
        if i.name in inits:
            continue
        t = i.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
        res.append((i.name, dims, NP_OF_ONNX.get(t.elem_type, np.float32)))
    return res


def frame_dims(dims):
    """A frame of an input: its shape without a leading batch dimension of 1."""
    d = [1 if v is None else v for v in dims]
    return d[1:] if len(d) > 1 and d[0] == 1 else d


def model_opset(model_path):
    import onnx
    m = onnx.load(model_path)
    return max([o.version for o in m.opset_import if o.domain in ("", "ai.onnx")] or [0])


def ort_run(src, model, inputs, work):
    """ONNX Runtime on {input name: [N, ...frame] array}, frame by frame.

    Returns the graph outputs in order, each [N, ...]. Raises RuntimeError when
    ONNX Runtime is missing or fails: a test that needs the oracle fails, it
    never skips."""
    os.makedirs(work, exist_ok=True)
    args = []
    for k, (name, a) in enumerate(inputs.items()):
        path = os.path.join(work, "ort_in%d.npy" % k)
        np.save(path, a)
        args.append("%s=%s" % (name, path))
    out = os.path.join(work, "ort_out")
    try:
        p = subprocess.run(["node", os.path.join(src, ORACLE), model, out] + args,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=600)
    except OSError as e:
        raise RuntimeError("ONNX Runtime oracle: cannot run node (%s); run tools/setup.sh" % e)
    if p.returncode != 0:
        raise RuntimeError("ONNX Runtime oracle failed: " + (p.stderr.strip() or p.stdout.strip()))
    names = read_json(os.path.join(out, "outputs.json"))
    return [np.load(os.path.join(out, "%d.npy" % k)) for k in range(len(names))]


def random_frames(model, frames, seed):
    """{input name: [frames, ...]}: random-normal floats, or integers uniform
    over an integer input's type range."""
    rng = np.random.RandomState(seed)
    res = {}
    for name, dims, dtype in onnx_inputs(model):
        shape = [frames] + frame_dims(dims)
        if np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            res[name] = rng.randint(max(info.min, -128), min(info.max, 255) + 1,
                                    size=shape).astype(dtype)
        else:
            res[name] = rng.randn(*shape).astype(np.float32)
    return res


def compare_with_ort(loom, src, model, out_dir, frames=16, seed=7, hw_range_frac=None,
                     label=None, step=None):
    """Simulates the design compiled in out_dir on random-normal frames and
    compares with ONNX Runtime (the independent oracle) on the same frames:
    - Loom's float reference interpreter (Y.npz '<output>.reference') must agree
      with ONNX Runtime to 1e-4 of the output's range, so a semantic bug in the
      interpreter cannot hide behind bit-exactness;
    - the hardware's dequantized outputs are reported as max error / output
      range, and checked against hw_range_frac when given.
    With `step` (a quantized model's output quantization step) both must be
    within one step instead: ONNX Runtime requantizes in f32, Loom exactly.
    Returns the list of problems (empty: agrees)."""
    label = label or os.path.basename(model)
    inputs = random_frames(model, frames, seed)
    # One input: X.npy; several: X.npz with an array per input name.
    if len(inputs) == 1:
        x_path = os.path.join(out_dir, "ort_x.npy")
        np.save(x_path, list(inputs.values())[0])
    else:
        x_path = os.path.join(out_dir, "ort_x.npz")
        np.savez(x_path, **inputs)
    y_path = os.path.join(out_dir, "ort_y.npz")
    r = run(loom, "sim", out_dir, "--inputs", x_path, "--out", y_path)
    if r.rc != 0:
        return ["%s: loom sim on the oracle's frames: %s" % (label, r.describe())]
    out_names = onnx_output_names(model)
    if model_opset(model) < 7:
        # ONNX Runtime has no kernels for opsets below 7 (e.g. Add-6): the
        # numpy forward pass of the same graph is the oracle there.
        wants = [numpy_forward(model, list(inputs.values())[0].reshape(
            batched_input_shape(onnx_io(model)[1], frames)))]
    else:
        try:
            wants = ort_run(src, model, inputs, os.path.join(out_dir, "ort"))
        except RuntimeError as e:
            return ["%s: %s" % (label, e)]
    y = np.load(y_path)
    problems = []
    worst = {"float reference": 0.0, "hardware": 0.0}
    for out_name, want in zip(out_names, wants):
        what = label if len(out_names) == 1 else "%s '%s'" % (label, out_name)
        want = want.astype(np.float64).reshape(frames, -1)
        ref = y[out_name + ".reference"].astype(np.float64).reshape(frames, -1)
        hw = y[out_name].astype(np.float64).reshape(frames, -1)
        span = max(float(want.max() - want.min()), 1e-6)
        errs = {k: float(np.abs(got - want).max()) if np.isfinite(got).all() else float("inf")
                for k, got in (("float reference", ref), ("hardware", hw))}
        for k in worst:
            worst[k] = max(worst[k], errs[k] / span)
        if step is not None:
            for k, err in errs.items():
                if not err <= step * (1 + 1e-4):
                    problems.append("%s: %s vs ONNX Runtime: max error %.3g steps (limit 1 step "
                                    "of %.4g)" % (what, k, err / step, step))
        else:
            if not errs["float reference"] <= 1e-4 * span:
                problems.append("%s: float reference vs ONNX Runtime: max error %.3g of the "
                                "output range %.4g (limit 1e-4)"
                                % (what, errs["float reference"] / span, span))
            if hw_range_frac is not None and not errs["hardware"] <= hw_range_frac * span:
                problems.append("%s: hardware vs ONNX Runtime: max error %.4f of the output "
                                "range %.4g (limit %.4f)"
                                % (what, errs["hardware"] / span, span, hw_range_frac))
    print("  %s: vs ONNX Runtime on %d random-normal frames: reference %.2e, hardware %.4f of "
          "the output range (worst output)" % (label, frames, worst["float reference"],
                                               worst["hardware"]), flush=True)
    return problems
