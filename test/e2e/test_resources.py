#!/usr/bin/python3
"""e2e.resources: device budgets in folding and the resource estimates.

Compiles only (no simulation), on the generated 4-layer MLP
(e2e_common.gen_deep_models) and, when present, the shared two_layer_keras:

1. Budgets are respected: with --max-dsps D, --max-luts L or --part P the
   report.json estimates are within the limit; a tighter DSP limit gives fewer
   or equal multipliers, and a limit below the default design's use binds.
2. Conflicts are one-line errors with exit 1 naming what to change: a LUT limit
   below the fully folded design, a --target-ii the budget cannot reach, a part
   Loom has no resource model for.
3. The estimate of a tiny shared design (two_layer_keras at --max-mults 8) is
   within 20% of `loom synth --target xilinx-7` for LUTs and FFs, and equal for
   DSPs (skipped without yosys or the shared models).
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

SHARED = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")


def compile_ok(c, loom, model, out, *args):
    r = E.run(loom, "compile", model, "-o", out, *args)
    if not c.check(r.rc == 0, "compile %s: %s" % (" ".join(map(str, args)), r.describe())):
        return None
    return E.read_json(os.path.join(out, "report.json"))


def one_line_error(c, loom, model, out, args, words):
    r = E.run(loom, "compile", model, "-o", out, *args)
    lines = [l for l in r.err.splitlines() if l.strip()]
    c.check(r.rc == 1 and len(lines) == 1 and all(w in lines[0] for w in words)
            and not os.path.exists(os.path.join(out, "report.json")),
            "%s: want exit 1 and one line naming %s: %s" % (" ".join(args), words, r.describe()))


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.resources")
    models = os.path.join(work, "models")
    os.makedirs(models, exist_ok=True)
    mlp = os.path.join(models, E.gen_deep_models(models)[0] + ".onnx")

    base = compile_ok(c, loom, mlp, os.path.join(work, "default"))
    if not base:
        return c.finish()
    c.check(base["part"] == "xc7z020" and all(
        k in base for k in ("luts_estimate", "ffs_estimate", "brams_estimate", "dsps_estimate")),
        "report.json lacks the part or an estimate")
    c.check(sum(a["luts_estimate"] for a in base["actors"]) == base["luts_estimate"],
            "actor LUT estimates do not add up to the total")
    print("default: %d multipliers, %d LUTs, %d DSPs" % (
        base["total_multipliers"], base["luts_estimate"], base["dsps_estimate"]), flush=True)

    # 1. Budgets: DSPs, LUTs, a part.
    prev = None
    for d in (base["dsps_estimate"] // 2, base["dsps_estimate"] // 4, 4):
        r = compile_ok(c, loom, mlp, os.path.join(work, "dsp%d" % d), "--max-dsps", d)
        if r:
            c.check(r["dsps_estimate"] <= d and r["max_dsps"] == d,
                    "--max-dsps %d: estimate %d" % (d, r["dsps_estimate"]))
            c.check(r["total_multipliers"] < base["total_multipliers"],
                    "--max-dsps %d does not bind (%d multipliers)" % (d, r["total_multipliers"]))
            c.check(prev is None or r["total_multipliers"] <= prev,
                    "--max-dsps %d: more multipliers than a looser limit" % d)
            prev = r["total_multipliers"]
    # LUT limits between the fully folded design (one multiplier per layer) and the default.
    low = compile_ok(c, loom, mlp, os.path.join(work, "folded"), "--max-mults", 4)
    if not low:
        return c.finish()
    for frac in (0.6, 0.3):
        lim = int(low["luts_estimate"] + frac * (base["luts_estimate"] - low["luts_estimate"]))
        r = compile_ok(c, loom, mlp, os.path.join(work, "lut%d" % lim), "--max-luts", lim)
        if r:
            c.check(r["luts_estimate"] <= lim, "--max-luts %d: estimate %d" % (lim, r["luts_estimate"]))
            # The limit binds (the design is slower than the unconstrained default). A
            # tighter LUT limit may find more multipliers and even a lower II than a looser
            # one: the search is exact in multipliers, not in LUTs (flat units cost LUTs
            # that divisor foldings do not; docs/folding.md, docs/NOTES.md).
            c.check(r["predicted_ii_cycles"] > base["predicted_ii_cycles"],
                    "--max-luts %d does not bind (II %d)" % (lim, r["predicted_ii_cycles"]))
            print("--max-luts %d: %d multipliers, II %d, %d LUTs" % (
                lim, r["total_multipliers"], r["predicted_ii_cycles"], r["luts_estimate"]))
    r = compile_ok(c, loom, mlp, os.path.join(work, "z010"), "--part", "xc7z010")
    if r:
        c.check(r["part"] == "xc7z010" and r["dsps_estimate"] <= 80 and r["luts_estimate"] <= 17600,
                "--part xc7z010: %s DSPs, %s LUTs" % (r["dsps_estimate"], r["luts_estimate"]))
    # Limits combine: the tightest wins.
    r = compile_ok(c, loom, mlp, os.path.join(work, "combo"), "--part", "xc7z010", "--max-mults",
                   base["total_multipliers"], "--max-dsps", 6)
    if r:
        c.check(r["dsps_estimate"] <= 6, "--max-dsps 6 with a part: %d DSPs" % r["dsps_estimate"])

    # 2. Conflicts.
    bad = os.path.join(work, "bad")
    one_line_error(c, loom, mlp, bad, ["--max-luts", "50"], ["--max-luts 50", "fully folded"])
    one_line_error(c, loom, mlp, bad, ["--target-ii", "1", "--max-dsps", "4"],
                   ["--target-ii 1", "--max-dsps 4"])
    one_line_error(c, loom, mlp, bad, ["--part", "ice40-up5k"], ["--part ice40-up5k", "xc7z020"])

    # 3. Estimate against Yosys synth_xilinx on a tiny shared design.
    keras = os.path.join(SHARED, "two_layer_keras.onnx")
    if not shutil.which("yosys") or not os.path.exists(keras):
        print("no yosys or shared models: estimate vs synthesis skipped")
        return c.finish()
    out = os.path.join(work, "keras8")
    rep = compile_ok(c, loom, keras, out, "--max-mults", 8)
    if rep:
        r = E.run(loom, "synth", out, "--target", "xilinx-7", timeout=1200)
        if c.check(r.rc == 0, "loom synth: " + r.describe()):
            s = E.read_json(os.path.join(out, "synth.json"))
            for k in ("luts", "ffs"):
                est, real = rep[k + "_estimate"], s[k]
                print("two_layer_keras@8 %s: estimate %d, synth_xilinx %d (%+.0f%%)"
                      % (k, est, real, 100.0 * (est - real) / real), flush=True)
                c.check(abs(est - real) <= 0.2 * real, "%s estimate %d vs synth %d" % (k, est, real))
            c.check(rep["dsps_estimate"] == s["dsps"],
                    "DSP estimate %d vs synth %d" % (rep["dsps_estimate"], s["dsps"]))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
