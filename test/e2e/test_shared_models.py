#!/usr/bin/python3
"""e2e.shared_models: real exported models from /work/shared/models.

Skipped (exit 77) when the directory is absent (CI may not have it). Set
LOOM_SHARED_MODELS to use another directory.
  jet_tagger_16_64_32_32_5, two_layer_keras: --random 200 --backpressure 0.3
  jet_tagger_16_64_32_32_5:                  --max-mults 1024 --random 100 --backpressure 0.3
  mlperf_tiny_ad_autoencoder:                --max-mults 256 --random 20
  mlperf_tiny_ad_autoencoder, mlperf_tiny_kws_dscnn: --precision int8
                                             --max-mults 256 --random 20
  jet_tagger_16_64_32_32_5 at --max-mults 64: flat-folded units (simd 15, 30)
Each: exit 0, 0 mismatches, measured latency/II == predicted. The int8 runs
also: report.json's int8_accuracy gives max/mean abs error and top-1
agreement on the calibration and on held-out frames (printed).
Folding to the bound (issue grid, compile only): the jet tagger at 64, 256,
1024 multipliers, the AD, KWS and MNIST models at 256, 1024, 4096: II within
10% of ceil(MACs / budget), whatever actor is slowest (named in the output).
The jet tagger's 5-class softmax is the pipelined one (loom_softmax_pipe:
max(N / in_lanes, N / out_lanes) cycles per frame, out_lanes its dividers); at
--max-mults 1024 it is no longer the bottleneck (the store-and-forward softmax
held it at II 11).
"""
import os
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

SHARED = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")
INT8 = ["--precision", "int8", "--max-mults", "256", "--random", "20", "--backpressure", "0.3"]
# (label, model, args)
CASES = [
    ("mlperf_tiny_ad_autoencoder", "mlperf_tiny_ad_autoencoder",
     ["--max-mults", "256", "--random", "20", "--backpressure", "0.3"]),
    ("jet_tagger_16_64_32_32_5", "jet_tagger_16_64_32_32_5", ["--random", "200", "--backpressure", "0.3"]),
    ("jet_tagger_1024", "jet_tagger_16_64_32_32_5",
     ["--max-mults", "1024", "--random", "100", "--backpressure", "0.3"]),
    ("two_layer_keras", "two_layer_keras", ["--random", "200", "--backpressure", "0.3"]),
    ("autoencoder_int8", "mlperf_tiny_ad_autoencoder", INT8),
    ("kws_dscnn_int8", "mlperf_tiny_kws_dscnn", INT8),
    ("jet_tagger_64", "jet_tagger_16_64_32_32_5",
     ["--max-mults", "64", "--random", "50", "--backpressure", "0.3"]),
]
BOUND_GRID = [("jet_tagger_16_64_32_32_5", (64, 256, 1024))] + [
    (m, (256, 1024, 4096))
    for m in ("mlperf_tiny_ad_autoencoder", "mlperf_tiny_kws_dscnn", "mnist_conv_modelzoo")]


def bound_rows(loom, work, c):
    """Compile the issue grid; II <= 1.10 x ceil(MACs/B), whichever actor sets the II."""
    print("%-28s %6s %6s %6s %6s %6s  %s" % ("model", "budget", "mults", "II", "bound", "ratio",
                                             "slowest actor"))
    for model_name, budgets in BOUND_GRID:
        model = os.path.join(SHARED, model_name + ".onnx")
        for b in budgets:
            out = os.path.join(work, "bound", "%s_%d" % (model_name, b))
            r = E.run(loom, "compile", model, "-o", out, "--max-mults", b)
            if not c.check(r.rc == 0, "%s at %d: compile failed: %s" % (model_name, b, r.describe())):
                continue
            rep = E.read_json(os.path.join(out, "report.json"))
            ii, bound = rep["predicted_ii_cycles"], -(-rep["total_macs"] // b)
            slow = max(rep["actors"], key=lambda a: a["predicted_cycles_per_frame"])
            print("%-28s %6d %6d %6d %6d %6.2f  %s %s" % (model_name, b, rep["total_multipliers"], ii,
                                                          bound, ii / bound, slow["kind"], slow["name"]))
            c.check(rep["total_multipliers"] <= b, "%s at %d: %d multipliers"
                    % (model_name, b, rep["total_multipliers"]))
            # Every row, whatever actor is slowest: a window generator or pool that limits
            # the II is as much a miss of the bound as a unit is.
            c.check(ii <= 1.10 * bound,
                    "%s at %d: II %d is %.2f x the multiplier bound %d (slowest: %s)"
                    % (model_name, b, ii, ii / bound, bound, slow["name"]))


def main():
    loom, src, work = E.parse_args()
    if not os.path.isdir(SHARED):
        print("SKIPPED: %s is absent (set LOOM_SHARED_MODELS to run this test)" % SHARED)
        return E.SKIP
    c = E.Checker("e2e.shared_models")

    def one(case):
        name, model_name, args = case
        model = os.path.join(SHARED, model_name + ".onnx")
        if not os.path.exists(model):
            return name, None, None
        out = os.path.join(work, "out", name)
        return name, out, E.run(loom, "run", model, "-o", out, "--seed", 3, *args, timeout=900)

    bound_rows(loom, work, c)
    rows = []
    with ThreadPoolExecutor(E.jobs()) as pool:
        for name, out, r in pool.map(one, CASES):
            if r is None:
                c.check(False, "%s.onnx missing from %s" % (name, SHARED))
                continue
            ok = c.check(r.rc == 0, "%s: loom run failed: %s" % (name, r.describe()))
            if not os.path.exists(os.path.join(out, "sim.json")):
                continue
            s = E.read_json(os.path.join(out, "sim.json"))
            rep = E.read_json(os.path.join(out, "report.json"))
            ok &= c.check(s["mismatches"] == 0, "%s: %s mismatches" % (name, s["mismatches"]))
            ok &= c.check(s["latency_cycles"] == s["predicted_latency_cycles"],
                          "%s: latency measured %s != predicted %s"
                          % (name, s["latency_cycles"], s["predicted_latency_cycles"]))
            ok &= c.check(s["ii_cycles"] == s["predicted_ii_cycles"], "%s: II measured %s != predicted %s"
                          % (name, s["ii_cycles"], s["predicted_ii_cycles"]))
            if rep.get("max_mults", 0) > 0:
                ok &= c.check(rep["total_multipliers"] <= rep["max_mults"], "%s: %d multipliers > budget %d"
                              % (name, rep["total_multipliers"], rep["max_mults"]))
            if name in ("jet_tagger_16_64_32_32_5", "jet_tagger_1024"):
                # The softmax is the pipelined one and no slower than the slowest mvu
                # (at 1024 both take 5 cycles: the bound ceil(4256 / 1024)).
                sm = [a for a in rep["actors"] if a["kind"] == "softmax"]
                mvu = max(a["predicted_cycles_per_frame"] for a in rep["actors"] if a["kind"] == "mvu")
                ok &= c.check(len(sm) == 1 and sm[0]["predicted_cycles_per_frame"] ==
                              max(5 // sm[0]["input_lanes"], 5 // sm[0]["output_lanes"]),
                              "%s: the softmax is not the pipelined one: %s" % (name, sm))
                ok &= c.check(not sm or s["predicted_ii_cycles"] < 11 and
                              sm[0]["predicted_cycles_per_frame"] <= mvu,
                              "%s: II %s, the softmax still the bottleneck" % (name, s["predicted_ii_cycles"]))
            acc = rep.get("int8_accuracy")
            if name.endswith("_int8"):
                ok &= c.check(acc is not None and "calibration" in acc and "held_out" in acc,
                              "%s: report.json has no int8_accuracy with calibration and held_out" % name)
                if acc:
                    for part in ("calibration", "held_out"):
                        a = acc.get(part, {})
                        ok &= c.check(all(k in a for k in ("max_abs_error", "mean_abs_error",
                                                           "top1_agreement")),
                                      "%s: int8_accuracy.%s lacks an accuracy number" % (name, part))
                        print("%s int8 %s: %s" % (name, part, a))
            rows.append((name, s["frames"], rep["total_multipliers"], s["ii_cycles"], s["latency_cycles"],
                         "%.4f" % s["float_max_abs_error"], "%.1f" % s["build_seconds"],
                         "%.1f" % r.seconds, "ok" if ok else "FAIL"))
    print()
    print("%-30s %6s %6s %6s %8s %9s %8s %8s" % ("model", "frames", "mults", "II", "latency",
                                                 "float err", "build s", "total s"))
    for row in rows:
        print("%-30s %6s %6s %6s %8s %9s %8s %8s %s" % row)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
