#!/usr/bin/python3
"""e2e.generate: `loom generate`, greedy decoding token by token in Verilator (issue 12,
points 3, 4 and 6).

Causal LMs with attention from test/models/gen_lm_models.py (gpt2_lm: decomposed LayerNorm,
Conv1D c_attn + Split, Where mask, tanh GELU, tied head; ln17_lm: LayerNormalization-17,
two layers, erf GELU; llama_lm: RMSNorm, rotary position embeddings on q and k, additive
mask, SiLU-gated MLP, no biases; mistral_lm: llama_lm with a sliding-window mask of 6
positions, which Loom's attention computes over the last 6 rows of its KV cache), and
the same families as torch.onnx writes them with shape arithmetic, masks and rotary tables
computed in the graph, from test/models/gen_lm_export_models.py (hf_gpt2_export: Shape
chains, Range positions, a Sliced bias buffer, -1e4 fill; sdpa_gpt2: torch's SDPA
decomposition with a -inf mask, MatMul + bias + Split; llama_export: rotary and mask built
from Range / ConstantOfShape / Trilu, a Max clamp, Cast after Softmax; llama_gqa /
llama_gqa_tile: llama_export with grouped-query attention, 4 query heads reading 2 K / V
heads repeated by Unsqueeze / Expand / Reshape or by Tile, which Loom compiles by widening
the K / V projections to 4 heads; neox_export: GPT-NeoX's fused QKV taken apart by Slice
and partial rotary on half of each head (the Transpose + Split form, neox_chunk, is
checked by LoomImportRewritesTests and was run by hand: see docs/NOTES.md); opt_export:
OPT's 3-D bmm attention; bloom_export: BLOOM's QKV Gather, 3-D bmm and GELU spelling,
without ALiBi; bloom_alibi: the same with ALiBi, a per-head bias over the key positions
added to the scores, which loom_attention adds from a ROM; gemma_export: llama_export with
Gemma's embedding scale), and
models written here (input_ids int64 [1, T] -> logits float [1, T, V]):
  gpt_mlp_lm   Gather(wte) + learned position embeddings (Add of a [1, T, C] constant),
               LayerNormalization-17, MLP with erf GELU, residual Add, LayerNorm, tied
               lm_head (MatMul with Transpose(wte))
  mixing_lm    not causal: Gather, then a Linear over the whole flattened sequence
Per model and precision (RUNS):
  1. report.json has a 'sequence' section (rows T, MACs and cycles per token);
  2. loom generate --prompt (4 ids) --tokens T-4 --out Y.npz: 0 mismatching logit words,
     cycles_per_token == predicted_cycles_per_token, the first entry is
     first_token_cycles, the last token costs at most 2x the first;
  3. tokens[i] is the argmax of Y.npz 'logits' row i (ties: the lowest id), and those rows
     agree with ONNX Runtime's logits of the same full sequence within TOL of the logit
     range, with the same argmax on at least 90% of the steps;
And one-line errors: prompt + tokens longer than T, an id outside the vocabulary, a
malformed --prompt, the non-causal model, a rotary embedding applied before the head
transpose (bad_rotary_lm), grouped-query attention whose K / V heads before repeat_kv are
graph outputs (llama_gqa_present: not widened) and `loom generate` on a
use_cache export (sdpa_present, whose whole-sequence simulation matches ONNX Runtime on
every output).
"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

T, V, C, HID = 16, 64, 32, 64
TOL = {"auto": 0.05, "int8": 0.10, "fixed<16,6>": 0.05}
# Same argmax as ONNX Runtime: the goal is 90%; random-weight int8 logits have near ties
# (llama_lm int8: 2.8% of the logit range off, 10 of 12 steps agree); issue 12 accepts 80%.
ARGMAX = {"auto": 0.9, "int8": 0.8, "fixed<16,6>": 0.9}
RUNS = [("gpt_mlp_lm", "auto"), ("gpt_mlp_lm", "int8"), ("gpt2_lm", "auto"), ("gpt2_lm", "int8"),
        ("ln17_lm", "auto"), ("llama_lm", "auto"), ("llama_lm", "int8"),
        ("llama_lm", "fixed<16,6>"), ("hf_gpt2_export", "auto"), ("sdpa_gpt2", "int8"),
        ("llama_export", "auto"), ("llama_gqa", "auto"), ("llama_gqa", "int8"),
        ("llama_gqa_tile", "auto"), ("neox_export", "auto"), ("opt_export", "int8"),
        ("bloom_export", "auto"), ("gemma_export", "auto"), ("mistral_lm", "auto"),
        ("mistral_lm", "int8"), ("bloom_alibi", "auto"), ("bloom_alibi", "int8")]


def save(path, nodes, inits, t, out_shape):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    g = helper.make_graph(nodes, os.path.basename(path)[:-5],
                          [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, t])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, out_shape)],
                          [numpy_helper.from_array(v, k) for k, v in inits.items()])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def gen_models(work):
    from onnx import helper
    rng = np.random.RandomState(5)
    f32 = np.float32
    inits = {
        "wte": (rng.randn(V, C) * 0.6).astype(f32),
        "wpe": (rng.randn(1, T, C) * 0.2).astype(f32),
        "ln1_g": (1 + 0.1 * rng.randn(C)).astype(f32), "ln1_b": (0.1 * rng.randn(C)).astype(f32),
        "fc_w": (rng.randn(C, HID) / np.sqrt(C)).astype(f32),
        "fc_b": (0.1 * rng.randn(HID)).astype(f32),
        "proj_w": (rng.randn(HID, C) / np.sqrt(HID)).astype(f32),
        "proj_b": (0.1 * rng.randn(C)).astype(f32),
        "lnf_g": (1 + 0.1 * rng.randn(C)).astype(f32), "lnf_b": (0.1 * rng.randn(C)).astype(f32),
        "sqrt2": np.array(np.sqrt(2.0), f32), "one": np.array(1.0, f32),
        "half": np.array(0.5, f32),
    }
    n = helper.make_node
    nodes = [
        n("Gather", ["wte", "input_ids"], ["tok"], name="/wte/Gather"),
        n("Add", ["tok", "wpe"], ["h0"], name="/Add_pos"),
        n("LayerNormalization", ["h0", "ln1_g", "ln1_b"], ["ln1"], axis=-1, epsilon=1e-5,
          name="/h.0/ln_1/LayerNorm"),
        n("MatMul", ["ln1", "fc_w"], ["fc0"], name="/h.0/mlp/c_fc/MatMul"),
        n("Add", ["fc0", "fc_b"], ["fc"], name="/h.0/mlp/c_fc/Add"),
        # torch F.gelu: x * 0.5 * (1 + erf(x / sqrt 2))
        n("Div", ["fc", "sqrt2"], ["g0"], name="/h.0/mlp/act/Div"),
        n("Erf", ["g0"], ["g1"], name="/h.0/mlp/act/Erf"),
        n("Add", ["g1", "one"], ["g2"], name="/h.0/mlp/act/Add"),
        n("Mul", ["fc", "g2"], ["g3"], name="/h.0/mlp/act/Mul"),
        n("Mul", ["g3", "half"], ["act"], name="/h.0/mlp/act/Mul_1"),
        n("MatMul", ["act", "proj_w"], ["pr0"], name="/h.0/mlp/c_proj/MatMul"),
        n("Add", ["pr0", "proj_b"], ["pr"], name="/h.0/mlp/c_proj/Add"),
        n("Add", ["h0", "pr"], ["h1"], name="/h.0/Add"),
        n("LayerNormalization", ["h1", "lnf_g", "lnf_b"], ["hf"], axis=-1, epsilon=1e-5,
          name="/ln_f/LayerNorm"),
        n("Transpose", ["wte"], ["wte_t"], perm=[1, 0], name="/lm_head/Transpose"),
        n("MatMul", ["hf", "wte_t"], ["logits"], name="/lm_head/MatMul"),
    ]
    models = {"gpt_mlp_lm": save(os.path.join(work, "gpt_mlp_lm.onnx"), nodes, inits, T,
                                 [1, T, V])}
    # Not causal: every logit reads every position.
    t2, c2, v2 = 8, 4, 8
    inits2 = {"wte": rng.randn(v2, c2).astype(f32),
              "shape_in": np.array([1, t2 * c2], np.int64),
              "mix": (rng.randn(t2 * c2, t2 * v2) / 4).astype(f32),
              "shape_out": np.array([1, t2, v2], np.int64)}
    nodes2 = [n("Gather", ["wte", "input_ids"], ["tok"], name="/wte/Gather"),
              n("Reshape", ["tok", "shape_in"], ["flat"], name="/Reshape"),
              n("MatMul", ["flat", "mix"], ["mixed"], name="/mix/MatMul"),
              n("Reshape", ["mixed", "shape_out"], ["logits"], name="/Reshape_1")]
    models["mixing_lm"] = save(os.path.join(work, "mixing_lm.onnx"), nodes2, inits2, t2,
                               [1, t2, v2])
    return models


def sequence_of(model):
    import onnx
    m = onnx.load(model)
    return (m.graph.input[0].type.tensor_type.shape.dim[1].dim_value,
            m.graph.output[0].type.tensor_type.shape.dim[-1].dim_value)


def one_line_error(c, r, words, label):
    lines = r.err.strip().splitlines()
    c.check(r.rc != 0 and len(lines) == 1 and all(w in r.err for w in words),
            "%s: want one error line with %s: %s" % (label, words, r.describe()))


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.generate")
    models = gen_models(work)
    lm_dir = os.path.join(work, "lms")
    subprocess.run([sys.executable, os.path.join(src, "test", "models", "gen_lm_models.py"),
                    lm_dir], check=True)
    subprocess.run([sys.executable, os.path.join(src, "test", "models",
                                                 "gen_lm_export_models.py"), lm_dir], check=True)
    for name in ("gpt2_lm", "ln17_lm", "llama_lm", "mistral_lm", "hf_gpt2_export", "sdpa_gpt2",
                 "llama_export", "llama_gqa", "llama_gqa_tile", "neox_export", "opt_export",
                 "bloom_export", "gemma_export", "bloom_alibi"):
        models[name] = os.path.join(lm_dir, name + ".onnx")
    prompt = [3, 14, 15, 9]
    for name, prec in RUNS:
        label = "%s/%s" % (name, prec)
        t_len, vocab = sequence_of(models[name])
        n_tok = t_len - len(prompt)
        calib = os.path.join(work, "calib_%s.npy" % name)
        np.save(calib, np.random.RandomState(2).randint(0, vocab, size=(64, t_len)).astype(np.int64))
        out = os.path.join(work, "out", "%s_%s" % (name, prec.split("<")[0]))
        calib_opt = [] if prec.startswith("fixed") else ["--calib", calib]
        r = E.run(loom, "compile", models[name], "-o", out, "--precision", prec, *calib_opt)
        if not c.check(r.rc == 0, "%s: compile failed: %s" % (label, r.describe())):
            continue
        rep = E.read_json(os.path.join(out, "report.json"))
        seq = rep.get("sequence") or {}
        c.check(seq.get("rows") == t_len and seq.get("macs_per_token", 0) > 0 and
                seq.get("predicted_mean_token_cycles", 0) > 0,
                "%s: report.json sequence section: %s" % (label, seq))
        # The KV cache: 2 * T * C codes per attention layer (none without attention).
        kv = rep.get("kv_cache_bits", -1)
        c.check((kv > 0) == (name != "gpt_mlp_lm") and
                kv == sum(a.get("kv_cache_bits", 0) for a in rep["actors"]),
                "%s: kv_cache_bits %s" % (label, kv))
        y_path = os.path.join(work, "Y_%s_%s.npz" % (name, prec))
        r = E.run(loom, "generate", out, "--prompt", ",".join(map(str, prompt)),
                  "--tokens", str(n_tok), "--out", y_path)
        if not c.check(r.rc == 0, "%s: loom generate failed: %s" % (label, r.describe())):
            continue
        g = E.read_json(os.path.join(out, "generate.json"))
        toks = g["tokens"]
        cyc, pred = g["cycles_per_token"], g["predicted_cycles_per_token"]
        c.check(g["prompt"] == prompt and len(toks) == n_tok and
                r.out.strip() == ",".join(map(str, toks)),
                "%s: prompt %s, tokens %s, printed %r" % (label, g["prompt"], toks, r.out))
        c.check(g["mismatches"] == 0, "%s: %d mismatching logit words" % (label, g["mismatches"]))
        c.check(cyc == pred and len(cyc) == n_tok and cyc[0] == g["first_token_cycles"] and
                cyc[-1] <= 2 * cyc[0],
                "%s: cycles per token %s, predicted %s, first %s" % (
                    label, cyc, pred, g["first_token_cycles"]))
        y = np.load(y_path)
        logits, raw = y["logits"], y["logits.raw"]
        c.check(logits.shape == (n_tok, vocab) and list(np.argmax(raw, axis=1)) == toks,
                "%s: Y.npz logits %s; argmax %s vs tokens %s" % (
                    label, logits.shape, list(np.argmax(raw, axis=1)), toks))
        seq_ids = np.zeros((1, t_len), np.int64)
        seq_ids[0, :len(prompt)] = prompt
        seq_ids[0, len(prompt):len(prompt) + n_tok - 1] = toks[:-1]
        try:
            want = E.ort_run(src, models[name], {"input_ids": seq_ids},
                             os.path.join(work, "ort_%s_%s" % (name, prec)))[0].reshape(
                                 t_len, vocab)
        except RuntimeError as e:
            c.check(False, "%s: %s" % (label, e))
            continue
        rows = want[len(prompt) - 1:len(prompt) - 1 + n_tok]
        span = float(rows.max() - rows.min())
        err = float(np.abs(logits - rows).max()) / span
        agree = float(np.mean(np.argmax(rows, axis=1) == np.array(toks)))
        print("  %s: %d tokens, logits vs ONNX Runtime %.4f of the range, argmax agreement "
              "%.0f%%, cycles/token %s" % (label, n_tok, err, 100 * agree, cyc), flush=True)
        c.check(err <= TOL[prec] and agree >= ARGMAX[prec],
                "%s: logits vs ONNX Runtime: %.4f of the range (limit %.2f), argmax agreement "
                "%.2f (limit %.2f)" % (label, err, TOL[prec], agree, ARGMAX[prec]))

    out = os.path.join(work, "out", "gpt_mlp_lm_auto")
    if os.path.exists(os.path.join(out, "report.json")):
        r = E.run(loom, "generate", out, "--prompt", "1,2,3,4", "--tokens", str(T - 3))
        one_line_error(c, r, ["positions", str(T)], "prompt + tokens > T")
        r = E.run(loom, "generate", out, "--prompt", "1,%d" % V, "--tokens", "2")
        one_line_error(c, r, ["vocabulary", str(V)], "id outside the vocabulary")
        r = E.run(loom, "generate", out, "--prompt", "1,x", "--tokens", "2")
        one_line_error(c, r, ["--prompt"], "malformed prompt")
    out = os.path.join(work, "out", "mixing_lm")
    r = E.run(loom, "compile", models["mixing_lm"], "-o", out)
    if c.check(r.rc == 0, "mixing_lm: compile failed: %s" % r.describe()):
        r = E.run(loom, "generate", out, "--prompt", "1,2", "--tokens", "3")
        one_line_error(c, r, ["not causal", "logits"], "non-causal graph")
        c.check(not os.path.exists(os.path.join(out, "generate.json")),
                "mixing_lm: a refused generate wrote generate.json")
    # A rotary embedding Loom cannot pair (rotated before the head transpose): one line
    # naming the rotary's Add.
    r = E.run(loom, "compile", os.path.join(lm_dir, "bad_rotary_lm.onnx"), "-o",
              os.path.join(work, "out", "bad_rotary_lm"))
    one_line_error(c, r, ["/layers.0/self_attn/q_rot/Add", "rotary"], "malformed rotary")
    # Grouped-query attention whose K / V heads before repeat_kv are graph outputs (widening
    # them would change those outputs): one line saying so.
    r = E.run(loom, "compile", os.path.join(lm_dir, "llama_gqa_present.onnx"), "-o",
              os.path.join(work, "out", "llama_gqa_present"))
    one_line_error(c, r, ["repeat_kv", "Expand or Tile", "present.0.key"],
                   "grouped-query attention with present outputs")
    # A use_cache export (present.0.key / value outputs beside logits): the whole sequence
    # simulates bit-exactly, every output close to ONNX Runtime; generate wants one output.
    out = os.path.join(work, "out", "sdpa_present")
    model = os.path.join(lm_dir, "sdpa_present.onnx")
    r = E.run(loom, "compile", model, "-o", out)
    if c.check(r.rc == 0, "sdpa_present: compile: " + r.describe()):
        ids = np.random.RandomState(4).randint(0, 64, size=(2, 16)).astype(np.int64)
        ids_path, y_path = os.path.join(work, "present_ids.npy"), os.path.join(work, "present.npz")
        np.save(ids_path, ids)
        r = E.run(loom, "sim", out, "--inputs", ids_path, "--out", y_path)
        sj = E.read_json(os.path.join(out, "sim.json")) if r.rc == 0 else {}
        c.check(r.rc == 0 and sj.get("mismatches") == 0 and
                sj.get("latency_cycles") == sj.get("predicted_latency_cycles"),
                "sdpa_present: sim bit-exact, latency as predicted: " + r.describe())
        if r.rc == 0:
            y = np.load(y_path)
            want = E.ort_run(src, model, {"input_ids": ids}, os.path.join(work, "ort_present"))
            for name, w in zip(("logits", "present.0.key", "present.0.value"), want):
                got = y[name].reshape(w.shape).astype(np.float64)
                span = float(w.max() - w.min())
                c.check(np.abs(got - w).max() <= 0.05 * span,
                        "sdpa_present: %s within 5%% of ONNX Runtime (%.4f of the range)"
                        % (name, np.abs(got - w).max() / span))
        one_line_error(c, E.run(loom, "generate", out, "--prompt", "1,2", "--tokens", "2"),
                       ["one output"], "generate on a design with present outputs")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
