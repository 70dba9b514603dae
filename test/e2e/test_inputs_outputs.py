#!/usr/bin/python3
"""e2e.inputs_outputs: user-supplied inputs and the Y.npz output.

Per model (compiled once; the three sims reuse one Verilator build):
 1. loom sim OUT --inputs X.npy --out Y.npz, X from numpy: Y.npz has keys
    <output name>, <output name>.raw and <output name>.reference (the float
    reference interpreter) of shape [frames, ...]; the float
    output equals raw * scale (--precision auto's output format); it matches
    an independent numpy float forward pass of the ONNX initializers within 0.05.
 2. loom sim OUT --onnx-test-dir D with D/test_data_set_{0,1}/{input_0,output_0}.pb
    written here with onnx.numpy_helper: same raw words as (1) for the same
    frames, and sim.json's float reference agrees with the ONNX outputs.
 3. loom sim OUT --onnx-test-dir <generator's own test data>.
"""
import os
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

MODELS = ["keras_mlp_relu_softmax", "torch_mlp_gemm_dropout", "keras_reshape_tanh_sigmoid",
          "dense_batchnorm_relu"]
FRAMES = 12
TOL = 0.05  # auto: within 1% of the output range on calibration frames


def main():
    loom, src, work = E.parse_args()
    from onnx import numpy_helper
    mdir = E.gen_models(src, os.path.join(work, "models"))
    c = E.Checker("e2e.inputs_outputs")
    rows = []

    def one(item):
        k, name = item
        onnx_err = None
        model = os.path.join(mdir, name + ".onnx")
        out = os.path.join(work, "out", name)
        r = E.run(loom, "compile", model, "-o", out)
        if not c.check(r.rc == 0, "%s: compile failed: %s" % (name, r.describe())):
            return
        rep = E.read_json(os.path.join(out, "report.json"))
        in_name, in_dims, out_name = E.onnx_io(model)
        c.check(rep["output"]["name"] == out_name, "%s: report output name %r != ONNX %r"
                % (name, rep["output"]["name"], out_name))
        frame_dims = [1 if d is None else d for d in in_dims]
        rng = np.random.RandomState(100 + k)
        X = rng.uniform(-1, 1, size=[FRAMES] + frame_dims[1:]).astype(np.float32)
        if frame_dims[0] != 1:
            X = X.reshape(E.batched_input_shape(in_dims, FRAMES))
        xpath = os.path.join(work, name + "_X.npy")
        np.save(xpath, X)
        # Independent float reference, frame by frame.
        per = X.reshape([FRAMES] + frame_dims)
        ref = np.stack([np.asarray(E.numpy_forward(model, per[f])) for f in range(FRAMES)])

        # 1. --inputs / --out
        ypath = os.path.join(work, name + "_Y.npz")
        r = E.run(loom, "sim", out, "--inputs", xpath, "--out", ypath)
        if not c.check(r.rc == 0, "%s: sim --inputs failed: %s" % (name, r.describe())):
            return
        s1 = E.read_json(os.path.join(out, "sim.json"))
        c.check(s1["frames"] == FRAMES and s1["mismatches"] == 0,
                "%s: --inputs: frames %s mismatches %s" % (name, s1["frames"], s1["mismatches"]))
        c.check(s1["latency_cycles"] == s1["predicted_latency_cycles"] and
                s1["ii_cycles"] == s1["predicted_ii_cycles"], "%s: --inputs: timing differs: %s" % (name, s1))
        with zipfile.ZipFile(ypath) as z:
            members = sorted(z.namelist())
        Y = np.load(ypath)
        keys = sorted(Y.files)
        # The output's three arrays, and the codes the hardware was given.
        c.check(keys == sorted([out_name, out_name + ".raw", out_name + ".reference",
                                in_name + ".raw"]),
                "%s: Y.npz keys %s (members %s), expected %r, %r.raw, %r.reference and the input's .raw"
                % (name, keys, members, out_name, out_name, out_name))
        if out_name not in Y.files or out_name + ".raw" not in Y.files:
            return
        yf, yr = Y[out_name], Y[out_name + ".raw"]
        # Per-frame outputs have batch 1: the frames stack along that dimension.
        ref = ref.reshape([FRAMES] + list(ref.shape[2:]))
        rshape = rep["output"]["shape"]
        oshape = [FRAMES * rshape[0]] + rshape[1:]
        c.check(list(yf.shape) == list(yr.shape) and list(ref.shape) == oshape,
                "%s: Y shapes float %s raw %s, numpy reference %s, expected %s"
                % (name, yf.shape, yr.shape, list(ref.shape), oshape))
        c.check(list(yf.shape) == oshape, "%s: Y shape %s, expected %s" % (name, list(yf.shape), oshape))
        c.check(yf.dtype == np.float32 and yr.dtype.kind == "i",
                "%s: Y dtypes %s / %s (expected float32 / integer)" % (name, yf.dtype, yr.dtype))
        # Fixed point: raw * 2^-frac; a per-tensor format (--precision auto,
        # the default) is an affine end: raw * scale (zero point 0).
        frac = rep["output"]["frac"]
        scale = rep["output"]["scale"][0] if "scale" in rep["output"] else 2.0 ** -frac
        c.check(rep["output"].get("zero_point", [0])[0] == 0,
                "%s: output zero point %s" % (name, rep["output"].get("zero_point")))
        deq = (yr.astype(np.float64) * scale).astype(np.float32)
        c.check(np.array_equal(deq, yf), "%s: float output != raw * %g (max diff %g)"
                % (name, scale, float(np.max(np.abs(deq - yf)))))
        if out_name + ".reference" in Y.files:
            yref = Y[out_name + ".reference"].reshape(-1).astype(np.float64)
            rerr = float(np.max(np.abs(yref - ref.reshape(-1))))
            c.check(rerr < 1e-4, "%s: Y.npz %s.reference vs numpy float forward: max abs error %g"
                    % (name, out_name, rerr))
        err = float(np.max(np.abs(yf.reshape(-1).astype(np.float64) - ref.reshape(-1))))
        c.check(err < TOL, "%s: max abs error vs numpy float forward %.5f >= %.2f" % (name, err, TOL))
        c.check(abs(err - s1["float_max_abs_error"]) < 2e-3,
                "%s: numpy error %.5f disagrees with sim.json float_max_abs_error %.5f"
                % (name, err, s1["float_max_abs_error"]))

        # 2. --onnx-test-dir with data written here: set 0 = the X frames, set 1 = one more frame.
        tdir = os.path.join(work, "testdata", name)
        X1 = rng.uniform(-1, 1, size=frame_dims).astype(np.float32)
        ref1 = np.asarray(E.numpy_forward(model, X1))
        for i, (xi, yi) in enumerate(((X, ref), (X1, ref1))):
            d = os.path.join(tdir, "test_data_set_%d" % i)
            os.makedirs(d)
            with open(os.path.join(d, "input_0.pb"), "wb") as f:
                f.write(numpy_helper.from_array(xi, in_name).SerializeToString())
            with open(os.path.join(d, "output_0.pb"), "wb") as f:
                f.write(numpy_helper.from_array(yi.astype(np.float32), out_name).SerializeToString())
        y2path = os.path.join(work, name + "_Y2.npz")
        r = E.run(loom, "sim", out, "--onnx-test-dir", tdir, "--out", y2path)
        if c.check(r.rc == 0, "%s: sim --onnx-test-dir failed: %s" % (name, r.describe())):
            s2 = E.read_json(os.path.join(out, "sim.json"))
            c.check(s2["frames"] == FRAMES + 1 and s2["mismatches"] == 0,
                    "%s: --onnx-test-dir: frames %s (expected %d) mismatches %s"
                    % (name, s2["frames"], FRAMES + 1, s2["mismatches"]))
            onnx_err = s2.get("float_reference_vs_onnx_max_abs_error")
            c.check(onnx_err is not None and onnx_err < 1e-4,
                    "%s: float reference vs ONNX test outputs: %s" % (name, onnx_err))
            c.check(s2["build_seconds"] == 0, "%s: second sim rebuilt the simulator (%.1f s)"
                    % (name, s2["build_seconds"]))
            Y2 = np.load(y2path)
            if out_name + ".raw" in Y2.files:
                c.check(np.array_equal(Y2[out_name + ".raw"][:FRAMES], yr),
                        "%s: --onnx-test-dir raw outputs differ from --inputs for the same frames" % name)

        # 3. the generator's own test data
        r = E.run(loom, "sim", out, "--onnx-test-dir", os.path.join(mdir, name))
        if c.check(r.rc == 0, "%s: sim --onnx-test-dir (generator data) failed: %s" % (name, r.describe())):
            s3 = E.read_json(os.path.join(out, "sim.json"))
            c.check(s3["mismatches"] == 0 and s3.get("float_reference_vs_onnx_max_abs_error", 1) < 1e-4,
                    "%s: generator test data: %s" % (name, s3))
        rows.append((name, list(yf.shape), frac, "%.5f" % err, "%.5f" % s1["float_max_abs_error"],
                     "%.1e" % (onnx_err if onnx_err is not None else float("nan"))))

    with ThreadPoolExecutor(E.jobs()) as pool:
        list(pool.map(one, enumerate(MODELS)))
    rows.sort(key=lambda r: MODELS.index(r[0]))

    print()
    print("%-28s %-10s %4s %12s %12s %12s" % ("model", "Y shape", "frac", "err vs numpy",
                                               "sim.json err", "ref vs onnx"))
    for row in rows:
        print("%-28s %-10s %4s %12s %12s %12s" % (row[0], "x".join(map(str, row[1])), *row[2:]))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
