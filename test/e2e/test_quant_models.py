#!/usr/bin/python3
"""e2e.quant_models: already-quantized models (QDQ, QOperator, QONNX) end to end.

Models: test/models/gen_quant_models.py (each with ONNX-semantics expected
outputs computed there in numpy) and, if present, the shared QONNX binary
net ../shared/models/qonnx_bnn_fc_1layer.onnx.

For each generated model M (seed N = its index):
  1. loom run M.onnx -o OUT --random 20 --backpressure 0.3 --seed N:
     exit 0, 20 frames, 0 mismatching words (Verilator against the
     reference interpreter, every word), no deadlock, measured II and
     latency equal to the hw_model prediction.
  2. loom sim OUT --onnx-test-dir M/ --out Y.npz: exit 0, 0 mismatches, and
     the Verilator output (Y.npz, dequantized) within one output
     quantization step (metadata `output_scale`) of the ONNX-semantics
     output computed by the generator; the number of words that differ at
     all is printed (and must be 0 for the generator's EXACT_MODELS); for
     QDQ/QOperator models, on random frames the float reference interpreter
     and the hardware against ONNX Runtime (the independent oracle), each
     within one output step (ONNX Runtime cannot run QONNX's custom domains).
     QONNX models instead: on 200 random-normal frames, every output word
     equals the generator's numpy QONNX semantics (BatchNorm folding exact).
  3. loom compile M.onnx --max-mults 8 and sim --random 20: bit-exact,
     multipliers <= 8 (folding works on integer layers too), unless the
     budget does not bind.
Shared: qonnx_bnn_fc_1layer.onnx with --random 100 --backpressure 0.3:
bit-exact, timing exact, and the float outputs of the reference (+-1 per
output, BipolarQuant) checked against a numpy forward pass of the model's
own initializers.
"""
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

FRAMES = 20
QONNX_FRAMES = 200  # QONNX models: every word against the numpy QONNX semantics
BUDGET = 8
SHARED = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")
EXACT = set()  # gen_quant_models.EXACT_MODELS: Verilator == generator, every word


def check_sim(out, problems, frames=FRAMES):
    p = os.path.join(out, "sim.json")
    if not os.path.exists(p):
        problems.append("no sim.json in " + out)
        return None
    s = E.read_json(p)
    if s.get("frames") != frames:
        problems.append("frames %s != %d" % (s.get("frames"), frames))
    if s.get("mismatches") != 0:
        problems.append("%s mismatching words" % s.get("mismatches"))
    if s.get("deadlock"):
        problems.append("deadlock")
    if s.get("ii_cycles") != s.get("predicted_ii_cycles"):
        problems.append("II %s != predicted %s" % (s.get("ii_cycles"), s.get("predicted_ii_cycles")))
    if s.get("latency_cycles") != s.get("predicted_latency_cycles"):
        problems.append("latency %s != predicted %s" % (s.get("latency_cycles"),
                                                       s.get("predicted_latency_cycles")))
    return s


def load_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def exact_on_many_frames(loom, model, out, work, name, seed, notes, frames=QONNX_FRAMES):
    """QONNX models: every output word of the hardware on random-normal frames
    equals the generator's numpy QONNX semantics (float BatchNorm folding
    included: docs/CONTRACTS.md, post-multiply bias)."""
    import gen_quant_models as G
    m = onnx.load(model)
    dims = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim][1:]
    x = np.random.RandomState(100 + seed).normal(0, 0.6, [frames] + dims).astype(np.float32)
    xs = os.path.join(work, name + "_many.npy")
    ys = os.path.join(work, name + "_many_y.npz")
    np.save(xs, x)
    r = E.run(loom, "sim", out, "--inputs", xs, "--out", ys)
    if r.rc != 0:
        return ["sim --inputs (many frames): " + r.describe()]
    expected = np.concatenate([np.asarray(G.eval_graph(m, x[i:i + 1]), np.float64)
                               for i in range(frames)])
    with np.load(ys) as z:
        keys = [k for k in z.files if not k.endswith(".raw")]
        got = z[keys[0]].reshape(expected.shape).astype(np.float64)
    differ = int((got != expected).sum())
    notes.append("%d frames: %d of %d words differ from QONNX" % (frames, differ, got.size))
    return ["%d of %d words differ from the QONNX semantics on %d frames (must be 0)"
            % (differ, got.size, frames)] if differ else []


def run_model(loom, src, models_dir, work, name, seed):
    problems, notes = [], []
    model = os.path.join(models_dir, name + ".onnx")
    out = os.path.join(work, name)
    r = E.run(loom, "run", model, "-o", out, "--random", FRAMES, "--backpressure", 0.3,
              "--seed", seed)
    if r.rc != 0:
        return problems + ["run: " + r.describe()], notes
    s = check_sim(out, problems)
    if s:
        notes.append("II %s lat %s" % (s["ii_cycles"], s["latency_cycles"]))
    # 2. Against the ONNX semantics of the generator, within one step.
    y_npz = os.path.join(work, name + "_y.npz")
    r = E.run(loom, "sim", out, "--onnx-test-dir", os.path.join(models_dir, name), "--out", y_npz)
    if r.rc != 0:
        problems.append("sim --onnx-test-dir: " + r.describe())
    else:
        s2 = E.read_json(os.path.join(out, "sim.json"))
        if s2.get("mismatches") != 0:
            problems.append("onnx-test-dir input: %s mismatching words" % s2.get("mismatches"))
        m = onnx.load(model)
        step = float({p.key: p.value for p in m.metadata_props}["output_scale"])
        expected = load_pb(os.path.join(models_dir, name, "test_data_set_0", "output_0.pb"))
        with np.load(y_npz) as z:
            keys = [k for k in z.files if not k.endswith(".raw")]
            got = z[keys[0]].reshape(expected.shape).astype(np.float64)
        diff = np.abs(got - expected.astype(np.float64))
        differ = int((diff > 1e-6 * max(1.0, step)).sum())
        notes.append("vs ONNX semantics: %d of %d words differ, max %.3g steps"
                     % (differ, diff.size, diff.max() / step))
        if diff.max() > step * (1 + 1e-4):
            problems.append("output differs from the ONNX semantics by %.3g steps (> 1)"
                            % (diff.max() / step))
        if name in EXACT and differ:
            problems.append("%d words differ from the QONNX semantics (must be exact)" % differ)
        # The independent oracle: ONNX Runtime (it cannot run the QONNX
        # custom domains; those are checked against the generator's numpy
        # QONNX semantics above).
        if not name.startswith("qonnx"):
            problems += E.compare_with_ort(loom, src, model, out, step=step, label=name)
        else:
            problems += exact_on_many_frames(loom, model, out, work, name, seed, notes)
    # 3. A multiplier budget.
    outb = out + "_b%d" % BUDGET
    r = E.run(loom, "compile", model, "-o", outb, "--max-mults", BUDGET)
    if r.rc != 0:
        problems.append("compile --max-mults: " + r.describe())
    else:
        rep = E.read_json(os.path.join(outb, "report.json"))
        if rep["total_multipliers"] > BUDGET:
            problems.append("%d multipliers > %d" % (rep["total_multipliers"], BUDGET))
        r = E.run(loom, "sim", outb, "--random", FRAMES, "--backpressure", 0.3, "--seed", seed)
        if r.rc != 0:
            problems.append("sim (budget): " + r.describe())
        else:
            check_sim(outb, problems)
            notes.append("budget %d: %d mults" % (BUDGET, rep["total_multipliers"]))
    return problems, notes


def bnn_reference(model_path, frames):
    """numpy forward pass of qonnx_bnn_fc_1layer from its own initializers."""
    m = onnx.load(model_path)
    init = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    w = [v for k, v in init.items() if v.ndim == 2][0]          # [4, 3] (Gemm transB)
    b = init["linear.bias"]
    xb = np.where(frames >= 0, 1.0, -1.0)
    wb = np.where(w >= 0, 1.0, -1.0)
    return np.where(xb @ wb.T + np.rint(b) >= 0, 1.0, -1.0)


def main():
    loom, src, work = E.parse_args()
    models_dir = os.path.join(work, "models")
    gen = os.path.join(src, "test", "models", "gen_quant_models.py")
    E.subprocess.run([sys.executable, gen, models_dir], check=True, stdout=E.subprocess.DEVNULL)
    sys.path.insert(0, os.path.dirname(gen))
    import gen_quant_models  # noqa: E402
    c = E.Checker("e2e.quant_models")
    models = list(gen_quant_models.MODELS)
    EXACT.update(getattr(gen_quant_models, "EXACT_MODELS", []))
    with ThreadPoolExecutor(E.jobs()) as ex:
        futs = {name: ex.submit(run_model, loom, src, models_dir, work, name, seed)
                for seed, name in enumerate(models, start=1)}
        for name in models:
            problems, notes = futs[name].result()
            print("%-14s %s" % (name, "; ".join(notes)), flush=True)
            c.check(not problems, "%s: %s" % (name, " | ".join(problems)))

    bnn = os.path.join(SHARED, "qonnx_bnn_fc_1layer.onnx")
    if os.path.exists(bnn):
        out = os.path.join(work, "bnn")
        frames = np.random.RandomState(5).uniform(-2, 2, (100, 1, 3)).astype(np.float32)
        np.save(os.path.join(work, "bnn_in.npy"), frames)
        r = E.run(loom, "run", bnn, "-o", out, "--random", 100, "--backpressure", 0.3)
        problems = []
        if r.rc != 0:
            problems.append(r.describe())
        else:
            check_sim(out, problems, frames=100)
            y = os.path.join(work, "bnn_y.npz")
            r = E.run(loom, "sim", out, "--inputs", os.path.join(work, "bnn_in.npy"), "--out", y)
            if r.rc != 0:
                problems.append(r.describe())
            else:
                with np.load(y) as z:
                    k = [k for k in z.files if not k.endswith(".raw")][0]
                    got = z[k].reshape(100, 4)
                exp = bnn_reference(bnn, frames.reshape(100, 3))
                bad = int((got != exp).sum())
                print("qonnx_bnn_fc_1layer: %d of %d outputs differ from numpy" % (bad, exp.size))
                if bad:
                    problems.append("%d outputs differ from the numpy forward pass" % bad)
        c.check(not problems, "qonnx_bnn_fc_1layer: " + " | ".join(problems))
    else:
        print("SKIP shared model %s (not present)" % bnn)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
