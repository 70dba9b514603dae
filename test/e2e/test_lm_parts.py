#!/usr/bin/python3
"""e2e.lm_parts: the parts of a decoder language model around attention.

Models from test/models/gen_lm_parts_models.py (input_ids int64 [1, T] -> logits
[1, T, V]): lm_gpt2 (token Gather + Gather(wpe) position embeddings, LayerNorm
chains, tanh-GELU MLP, residual, tied lm_head MatMul(x, Transpose(wte))),
lm_wpe_slice (the same with wpe[:T] as a Slice), lm_embed (ids through a Cast,
untied head) and lm_llama (RMSNorm in its Reciprocal and Div(1, .) forms,
SiLU-gated MLP, untied head; lm_llama13: opset 13, Div(x, .) and Reciprocal). For each (model, precision):
  1. loom compile; report.json's input is an index input (integer, index,
     bits = ceil(log2 V), qmin 0, qmax V - 1); one embed actor (and one
     layernorm actor per norm, nn.layernorm {rms} for RMSNorm); lint-clean;
  2. loom sim --inputs ids.npy with SEQS sequences [SEQS, T] and backpressure
     0.3: 0 mismatching words, measured II and latency == predicted;
  3. against ONNX Runtime (the independent oracle) on the same ids: the float
     reference within 1e-4 of the logit range, the hardware's logits within 5%
     of the logit range, the same argmax on at least 90% of the rows;
  4. lm_gpt2 auto also runs sim --onnx-test-dir (an int64 input_0.pb) and
     sim --random (ids uniform in [0, V)); lm_embed auto checks OUT/host (loom_host.py
     packs the ids as loom sim fed them, refuses ids outside [0, V); <top>_io.h INDEX).
lm_llama also runs in int8 (the gated product: one exact product requantized).
Refusals, one `loom: error:` line each: a Gather along axis 1, a Gather whose table is
not a constant, a per-position Add that does not follow the token Gather, and
ids outside [0, V) in --inputs.
"""
import math
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

SEQS = 6
SHAPES = {"lm_gpt2": (96, 16), "lm_wpe_slice": (96, 16), "lm_embed": (64, 16),
          "lm_llama": (128, 16), "lm_llama13": (128, 16)}  # V, T
NORMS = {"lm_gpt2": 2, "lm_wpe_slice": 2, "lm_embed": 0, "lm_llama": 2, "lm_llama13": 2}
TASKS = [("lm_gpt2", "auto"), ("lm_gpt2", "int8"), ("lm_gpt2", "fixed<16,6>"),
         ("lm_wpe_slice", "auto"), ("lm_embed", "auto"), ("lm_embed", "int8"),
         ("lm_llama", "auto"), ("lm_llama", "fixed<16,6>"), ("lm_llama", "int8"),
         ("lm_llama13", "auto")]
RANGE_LIMIT = 0.05
ARGMAX_LIMIT = 0.90


def first_error(r):
    lines = [l for l in r.err.splitlines() if l.strip()]
    return next((l for l in lines if l.startswith("loom: error:")), lines[0] if lines else "(no stderr)")


def one_line_error(r, *needles):
    lines = [l for l in r.err.splitlines() if l.strip() and not l.startswith("loom: warning:")]
    return r.rc != 0 and len(lines) == 1 and all(n in lines[0] for n in needles)


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.lm_parts")
    models = os.path.join(work, "models")
    subprocess.run([sys.executable, os.path.join(src, "test", "models", "gen_lm_parts_models.py"),
                    models], check=True, stdout=subprocess.DEVNULL)
    rng = np.random.RandomState(11)
    ids = {name: rng.randint(0, v, size=(SEQS, t)).astype(np.int64)
           for name, (v, t) in SHAPES.items()}
    summary = []

    def one(task):
        name, prec = task
        v, t = SHAPES[name]
        label = "%s %s" % (name, prec)
        opts = [] if prec == "auto" else ["--precision", prec]
        out = os.path.join(work, "out", name + "_" + prec.split("<")[0])
        model = os.path.join(models, name + ".onnx")
        r = E.run(loom, "compile", model, "-o", out, *opts, timeout=900)
        if r.rc != 0:
            return label, ["compile exit %d: %s" % (r.rc, first_error(r))], None
        problems = []
        rep = E.read_json(os.path.join(out, "report.json"))
        inp = rep["inputs"][0]
        want_bits = max(2, int(math.ceil(math.log2(v))))
        if not (inp.get("integer") and inp.get("index") and inp.get("bits") == want_bits and
                inp.get("qmin") == 0 and inp.get("qmax") == v - 1 and inp.get("lanes") == 1):
            problems.append("report.json input is not an index input of %d bits in [0, %d]: %s"
                            % (want_bits, v - 1, inp))
        kinds = [a.get("kind") for a in rep.get("actors", [])]
        if kinds.count("embed") != 1 or kinds.count("layernorm") != NORMS[name]:
            problems.append("actors %s: expected 1 embed and %d layernorm" % (kinds, NORMS[name]))
        with open(os.path.join(out, "nn_float.mlir")) as f:
            ir = f.read()
        if ir.count("nn.embed ") != 1 or ("pos = dense" in ir) != (name in ("lm_gpt2", "lm_wpe_slice")):
            problems.append("nn_float.mlir: expected one nn.embed (with pos for GPT-2)")
        if name.startswith("lm_llama") and ir.count("rms") < 2:
            problems.append("nn_float.mlir: expected two nn.layernorm {rms}")
        lint = subprocess.run(["verilator", "--lint-only", "-Wall", "--top-module", rep["top"]] +
                              rep["sv_files"], cwd=os.path.join(out, "rtl"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        if lint.returncode != 0 or lint.stderr.strip():
            problems.append("verilator lint: " + (lint.stderr.strip() or str(lint.returncode))[:500])
        x = os.path.join(out, "ids.npy")
        np.save(x, ids[name])
        y = os.path.join(out, "y.npz")
        r = E.run(loom, "sim", out, "--inputs", x, "--backpressure", "0.3", "--out", y,
                  timeout=900)
        if r.rc != 0:
            return label, problems + ["sim exit %d: %s" % (r.rc, first_error(r))], None
        s = E.read_json(os.path.join(out, "sim.json"))
        if s.get("frames") != SEQS or s.get("mismatches") != 0 or s.get("deadlock"):
            problems.append("frames %s mismatches %s deadlock %s" % (
                s.get("frames"), s.get("mismatches"), s.get("deadlock")))
        for key in ("ii_cycles", "latency_cycles"):
            if s[key] != s["predicted_" + key]:
                problems.append("%s measured %s != predicted %s" % (key, s[key], s["predicted_" + key]))
        try:
            want = E.ort_run(src, model, {"input_ids": ids[name][:, None, :]},
                             os.path.join(out, "ort"))[0].astype(np.float64).reshape(SEQS * t, v)
        except RuntimeError as e:
            return label, problems + [str(e)], None
        got = np.load(y)
        hw = got["logits"].astype(np.float64).reshape(SEQS * t, v)
        ref = got["logits.reference"].astype(np.float64).reshape(SEQS * t, v)
        span = float(want.max() - want.min())
        ref_err = float(np.abs(ref - want).max()) / span
        hw_err = float(np.abs(hw - want).max()) / span
        agree = float((hw.argmax(axis=1) == want.argmax(axis=1)).mean())
        if not ref_err <= 1e-4:
            problems.append("float reference vs ONNX Runtime: %.2e of the logit range" % ref_err)
        if not hw_err <= RANGE_LIMIT:
            problems.append("hardware vs ONNX Runtime: %.4f of the logit range (limit %.2f)"
                            % (hw_err, RANGE_LIMIT))
        if not agree >= ARGMAX_LIMIT:
            problems.append("argmax agrees on %.1f%% of the rows (limit %d%%)"
                            % (100 * agree, 100 * ARGMAX_LIMIT))
        if (name, prec) == ("lm_embed", "auto"):
            # OUT/host: loom_host.py packs the ids as the words loom sim fed (one
            # unsigned W_ID-bit id per beat) and refuses an id outside [0, V)
            sys.path.insert(0, os.path.join(out, "host"))
            import loom_host
            d = loom_host.Design(os.path.join(out, "host", "io.json"))
            beats = d.pack("input_ids", ids[name])
            raw = got["input_ids.raw"].reshape(-1)
            if beats.shape != (SEQS * t, 1) or list(beats[:, 0]) != [int(x) & 0xff for x in raw]:
                problems.append("loom_host.py packs the ids differently from loom sim")
            try:
                d.pack("input_ids", ids[name] + v)
                problems.append("loom_host.py packs ids outside [0, V)")
            except ValueError:
                pass
            with open(os.path.join(out, "host", rep["top"] + "_io.h")) as f:
                if "_IN0_INDEX 1" not in f.read():
                    problems.append("%s_io.h does not mark the ids as an index input" % rep["top"])
        if (name, prec) == ("lm_gpt2", "auto"):
            # --onnx-test-dir with an int64 input, and --random ids
            d = os.path.join(out, "testdir", "test_data_set_0")
            os.makedirs(d, exist_ok=True)
            from onnx import numpy_helper
            with open(os.path.join(d, "input_0.pb"), "wb") as f:
                f.write(numpy_helper.from_array(ids[name][:1], "input_ids").SerializeToString())
            with open(os.path.join(d, "output_0.pb"), "wb") as f:
                f.write(numpy_helper.from_array(want[:t].reshape(1, t, v).astype(np.float32),
                                                "logits").SerializeToString())
            r2 = E.run(loom, "sim", out, "--onnx-test-dir", os.path.join(out, "testdir"))
            s2 = E.read_json(os.path.join(out, "sim.json")) if r2.rc == 0 else {}
            err = s2.get("float_reference_vs_onnx_max_abs_error")
            if r2.rc != 0 or s2.get("mismatches") != 0 or err is None or not err < 1e-4 * span:
                problems.append("sim --onnx-test-dir: exit %d mismatches %s reference error %s"
                                % (r2.rc, s2.get("mismatches"), err))
            r3 = E.run(loom, "sim", out, "--random", "3")
            s3 = E.read_json(os.path.join(out, "sim.json")) if r3.rc == 0 else {}
            if r3.rc != 0 or s3.get("mismatches") != 0 or s3.get("frames") != 3:
                problems.append("sim --random 3: exit %d %s" % (r3.rc, first_error(r3)))
            bad_ids = ids[name].copy()
            bad_ids[1, 3] = v
            np.save(os.path.join(out, "bad_ids.npy"), bad_ids)
            r4 = E.run(loom, "sim", out, "--inputs", os.path.join(out, "bad_ids.npy"))
            if not one_line_error(r4, "bad_ids.npy", str(v), "input_ids"):
                problems.append("ids outside [0, V) not refused in one line: %s" % r4.err.strip())
        line = ("%-13s %-11s II %5s latency %5s (predicted %s / %s) mismatches %s | vs ORT: "
                "reference %.1e, hardware %.4f of the range, argmax %.1f%% %s" % (
                    name, prec, s.get("ii_cycles"), s.get("latency_cycles"),
                    s.get("predicted_ii_cycles"), s.get("predicted_latency_cycles"),
                    s.get("mismatches"), ref_err, hw_err, 100 * agree,
                    "ok" if not problems else "FAIL"))
        print(line, flush=True)
        return label, problems, line

    with ThreadPoolExecutor(E.jobs()) as pool:
        for label, problems, line in pool.map(one, TASKS):
            c.check(not problems, "%s: %s" % (label, "; ".join(problems) or "passes"))

    for bad, node, why in (
            ("bad_gather_axis1", "node '/embed/Gather' (Gather)", "axis 1"),
            ("bad_gather_table", "node '/embed/Gather' (Gather)", "not a constant"),
            ("bad_pos_add", "node '/pos/Add' (Add)", "each of the 8 positions")):
        r = E.run(loom, "compile", os.path.join(models, bad + ".onnx"), "-o",
                  os.path.join(work, "out", bad))
        c.check(one_line_error(r, node, why),
                "%s refused in one line naming the node: %s" % (bad, r.err.strip() or r.rc))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
