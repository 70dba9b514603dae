#!/usr/bin/python3
"""e2e.qdq_lm: QDQ-quantized causal LMs keep their own quantization (issue 12, point 5).

The models come from test/models/gen_lm_qdq_models.py: gen_lm_models.py's gpt2_lm and
llama_lm run through ONNX Runtime's static QDQ quantization steps (MatMul / Gemm inputs
and outputs quantized, uint8 activations calibrated by ONNX Runtime itself, int8
per-channel weights). So the attention scores Q x K^T are quantized to 8 bits before the
scale and the mask, and the softmax probabilities to 8 bits before P x V.

Per model, compiled with default options:
  1. report.json: automatic formats for the float parts only (auto_precision.mixed),
     and the attention actors say that they apply the model's score and probability
     quantizers;
  2. loom sim on 8 random sequences: every output word equals Loom's reference, latency
     as predicted;
  3. those logits agree with ONNX Runtime running the QDQ graph within 5% of the logit
     range, the same argmax on at least 90% of the rows;
  4. the model's quantizers are really applied: Loom is nearer to ONNX Runtime on the QDQ
     graph than to ONNX Runtime on the float model it came from, where those differ;
  5. loom generate --prompt (4 ids) --tokens T-4: 0 mismatching logit words, cycles per
     token as predicted, tokens = argmax of the logits, the rows within 5% of ONNX Runtime
     on the same full sequence.
"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

MODELS = ("gpt2_qdq", "llama_qdq")
T, V = 16, 64
TOL, ARGMAX = 0.05, 0.9


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.qdq_lm")
    lm_dir = os.path.join(work, "lms")
    gen = os.path.join(src, "test", "models")
    subprocess.run([sys.executable, os.path.join(gen, "gen_lm_qdq_models.py"), lm_dir], check=True)
    subprocess.run([sys.executable, os.path.join(gen, "gen_lm_models.py"), lm_dir], check=True)
    floats = {"gpt2_qdq": "gpt2_lm", "llama_qdq": "llama_lm"}
    ids = np.random.RandomState(9).randint(0, V, size=(8, 1, T)).astype(np.int64)
    ids_path = os.path.join(work, "ids.npy")
    np.save(ids_path, ids)
    for name in MODELS:
        model = os.path.join(lm_dir, name + ".onnx")
        out = os.path.join(work, "out", name)
        r = E.run(loom, "compile", model, "-o", out)
        if not c.check(r.rc == 0, "%s: compile failed: %s" % (name, r.describe())):
            continue
        rep = E.read_json(os.path.join(out, "report.json"))
        att = [a for a in rep["actors"] if a.get("kind") == "attention"]
        c.check(rep.get("precision") == "auto" and (rep.get("auto_precision") or {}).get("mixed"),
                "%s: precision %s, auto_precision.mixed %s" % (
                    name, rep.get("precision"), (rep.get("auto_precision") or {}).get("mixed")))
        c.check(att and all(a.get("model_quantizers") == ["scores", "probabilities"] for a in att),
                "%s: attention actors' model_quantizers: %s" % (
                    name, [a.get("model_quantizers") for a in att]))
        # 2. whole sequences, bit-exact, latency as predicted
        y_path = os.path.join(work, name + "_sim.npz")
        r = E.run(loom, "sim", out, "--inputs", ids_path, "--out", y_path)
        sj = E.read_json(os.path.join(out, "sim.json")) if r.rc == 0 else {}
        if not c.check(r.rc == 0 and sj.get("mismatches") == 0 and
                       sj.get("latency_cycles") == sj.get("predicted_latency_cycles"),
                       "%s: sim bit-exact, latency as predicted: %s %s" % (
                           name, r.describe(), {k: sj.get(k) for k in (
                               "mismatches", "latency_cycles", "predicted_latency_cycles")})):
            continue
        got = np.load(y_path)["logits"].reshape(8, T, V).astype(np.float64)
        # 3. against ONNX Runtime on the QDQ graph
        want = E.ort_run(src, model, {"input_ids": ids}, os.path.join(work, "ort_" + name))[0]
        want = want.reshape(8, T, V).astype(np.float64)
        span = float(want.max() - want.min())
        err = float(np.abs(got - want).max()) / span
        agree = float(np.mean(np.argmax(got, axis=2) == np.argmax(want, axis=2)))
        # 4. ... and not the float model's numbers
        flt = E.ort_run(src, os.path.join(lm_dir, floats[name] + ".onnx"), {"input_ids": ids},
                        os.path.join(work, "ort_float_" + name))[0].reshape(8, T, V)
        d_qdq = float(np.abs(got - want).mean())
        d_float = float(np.abs(got - flt).mean())
        d_models = float(np.abs(want - flt).mean())
        print("  %s: logits vs ONNX Runtime (QDQ graph) %.4f of the range, argmax %.0f%%; mean "
              "|loom - qdq| %.4f, |loom - float| %.4f, |qdq - float| %.4f" % (
                  name, err, 100 * agree, d_qdq, d_float, d_models), flush=True)
        c.check(err <= TOL and agree >= ARGMAX,
                "%s: logits vs ONNX Runtime: %.4f of the range (limit %.2f), argmax %.2f "
                "(limit %.2f)" % (name, err, TOL, agree, ARGMAX))
        c.check(d_qdq < 0.75 * d_float,
                "%s: Loom is not clearly nearer the QDQ graph (%.4f) than the float model (%.4f)" % (
                    name, d_qdq, d_float))
        # 5. token by token
        prompt = [3, 14, 15, 9]
        n_tok = T - len(prompt)
        g_path = os.path.join(work, name + "_gen.npz")
        r = E.run(loom, "generate", out, "--prompt", ",".join(map(str, prompt)),
                  "--tokens", str(n_tok), "--out", g_path)
        if not c.check(r.rc == 0, "%s: loom generate failed: %s" % (name, r.describe())):
            continue
        g = E.read_json(os.path.join(out, "generate.json"))
        toks = g["tokens"]
        c.check(g["mismatches"] == 0 and g["cycles_per_token"] == g["predicted_cycles_per_token"]
                and len(toks) == n_tok,
                "%s: generate mismatches %s, cycles %s, predicted %s" % (
                    name, g["mismatches"], g["cycles_per_token"], g["predicted_cycles_per_token"]))
        y = np.load(g_path)
        c.check(list(np.argmax(y["logits.raw"], axis=1)) == toks,
                "%s: tokens %s are not the argmax of the logits" % (name, toks))
        seq = np.zeros((1, 1, T), np.int64)
        seq[0, 0, :len(prompt)] = prompt
        seq[0, 0, len(prompt):len(prompt) + n_tok - 1] = toks[:-1]
        w = E.ort_run(src, model, {"input_ids": seq}, os.path.join(work, "ort_gen_" + name))[0]
        rows = w.reshape(T, V)[len(prompt) - 1:len(prompt) - 1 + n_tok]
        gerr = float(np.abs(y["logits"] - rows).max()) / float(rows.max() - rows.min())
        gagree = float(np.mean(np.argmax(rows, axis=1) == np.array(toks)))
        print("  %s: generate %d tokens, logits vs ONNX Runtime %.4f of the range, argmax "
              "%.0f%%, cycles/token %s" % (name, n_tok, gerr, 100 * gagree,
                                           g["cycles_per_token"]), flush=True)
        c.check(gerr <= TOL and gagree >= ARGMAX,
                "%s: generate logits vs ONNX Runtime %.4f (limit %.2f), argmax %.2f" % (
                    name, gerr, TOL, gagree))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
