#!/usr/bin/python3
"""Folding sweep: multiplier budget vs II against the MAC bound, measured in Verilator.

    /usr/bin/python3 bench/fold_sweep.py [--loom BIN] [--work DIR] [--frames N] [--seed S]
                                         [--models M1,M2,...] [--budgets 64,256,default]
                                         [--compile-only] [--markdown] [--no-anchors]
                                         [--generated] [MODEL.onnx ...]

Default grid (the shared models in /work/shared/models, $LOOM_SHARED_MODELS):
jet_tagger_16_64_32_32_5 at --max-mults 64, 256, 1024; mlperf_tiny_ad_autoencoder,
mlperf_tiny_kws_dscnn and mnist_conv_modelzoo at 256, 1024, 4096. --models (names
in the shared directory or .onnx paths, comma-separated; MODEL.onnx arguments add
to them) and --budgets (applied to every model; "default" = no --max-mults)
override it; a model outside the grid gets 64, 256, 1024 unless --budgets is given.
--generated adds the two generated >=3-layer MLPs (test/e2e/e2e_common.gen_deep_models).

Per model and budget, sequentially (one loom at a time, so neither the compile
nor the Verilator build times are skewed by parallel runs):
`loom compile MODEL -o DIR --max-mults B` (timed: compile s), then, unless
--compile-only, `loom sim DIR --random N --seed S`. One table: model, budget,
multipliers, MACs, MAC bound = ceil(MACs / budget), II predicted/measured,
efficiency = bound / II, latency predicted/measured, mismatching words,
Verilator build s, simulated cycles/s, compile s. With --compile-only the
measured columns are "-" and the efficiency uses the predicted II (hw_model's
prediction in report.json). --markdown prints the main table as a GitHub table.

Then (unless --no-anchors) the published figures of hls4ml and FINN beside
Loom's at the same number of MAC lanes (extra budgets are compiled, never
simulated: their numbers are predictions, which the main table shows to equal
the measured ones at the budgets it simulates).

Exit status 1 if any compile or simulation failed, any word mismatched, the
simulation deadlocked, or a measured II or latency differs from its prediction.
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "test", "e2e"))
import e2e_common as E  # noqa: E402

SHARED = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")
GRID = [("jet_tagger_16_64_32_32_5", [64, 256, 1024]),
        ("mlperf_tiny_ad_autoencoder", [256, 1024, 4096]),
        ("mlperf_tiny_kws_dscnn", [256, 1024, 4096]),
        ("mnist_conv_modelzoo", [256, 1024, 4096])]
OTHER_BUDGETS = [64, 256, 1024]

JET, AD, KWS = "jet_tagger_16_64_32_32_5", "mlperf_tiny_ad_autoencoder", "mlperf_tiny_kws_dscnn"


def default_loom():
    if os.environ.get("LOOM"):
        return os.environ["LOOM"]
    built = os.path.join(SRC, "build", "bin", "loom")
    return built if os.path.exists(built) else "/work/build-e2e/bin/loom"


def model_path(m):
    if m.endswith(".onnx") or os.sep in m:
        return m
    return os.path.join(SHARED, m + ".onnx")


def model_name(path):
    return os.path.splitext(os.path.basename(path))[0]


def loom_run(a, *args, timeout):
    """E.run, with a loom that cannot be started (missing, mid-rebuild) as a failed run."""
    try:
        return E.run(a.loom, *args, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return E.Result([a.loom] + [str(x) for x in args], -1, "", str(e), 0.0)


def run_one(a, work, model, budget, simulate):
    """Compiles (and simulates) one point; returns a row dict."""
    name = model_name(model)
    out = os.path.join(work, "%s_%s" % (name, budget or "default"))
    row = {"model": name, "budget": budget, "simulated": False, "error": None}
    args = ["compile", model, "-o", out]
    if budget:
        args += ["--max-mults", budget]
    r = loom_run(a, *args, timeout=1800)
    row["compile_s"] = r.seconds
    rj = os.path.join(out, "report.json")
    if r.rc != 0 or not os.path.exists(rj):
        row["error"] = "compile: " + ((r.err.strip().splitlines() or ["rc %d" % r.rc])[-1])
        return row
    rep = E.read_json(rj)
    row["mults"] = rep["total_multipliers"]
    row["macs"] = rep["total_macs"]
    row["pred_ii"] = rep["predicted_ii_cycles"]
    row["pred_lat"] = rep["predicted_latency_cycles"]
    lanes = budget or rep["total_multipliers"]
    row["bound"] = int(math.ceil(row["macs"] / float(lanes))) if lanes else None
    if not simulate:
        return row
    r = loom_run(a, "sim", out, "--random", a.frames, "--seed", a.seed, timeout=3600)
    sj = os.path.join(out, "sim.json")
    if r.rc != 0 or not os.path.exists(sj):
        row["error"] = "sim: " + ((r.err.strip().splitlines() or ["rc %d" % r.rc])[-1])
        # a mismatch also exits non-zero but still writes sim.json: show its numbers
        if not os.path.exists(sj):
            return row
    s = E.read_json(sj)
    row["simulated"] = True
    row["ii"] = s["ii_cycles"]
    row["lat"] = s["latency_cycles"]
    row["mism"] = s["mismatches"]
    row["deadlock"] = s.get("deadlock", False)
    row["build_s"] = s["build_seconds"]
    row["cps"] = s["cycles_per_second"]
    # sim.json's own predictions are the same hw_model as report.json's
    if s["predicted_ii_cycles"] != row["pred_ii"] or s["predicted_latency_cycles"] != row["pred_lat"]:
        row["error"] = "report.json and sim.json predictions differ"
    return row


def row_bad(row):
    if row["error"]:
        return True
    if row["simulated"]:
        return (row["mism"] != 0 or row["deadlock"] or row["ii"] != row["pred_ii"] or
                row["lat"] != row["pred_lat"])
    return False


def ii_of(row):
    return row["ii"] if row.get("simulated") else row.get("pred_ii")


def pair(pred, meas):
    if meas is None:
        return "%s/-" % pred
    return "%s/%s" % (pred, meas)


def cells(row):
    b = str(row["budget"] or "default")
    if "mults" not in row:
        return [row["model"], b] + ["-"] * 9 + ["%.1f" % row["compile_s"]]
    sim = row["simulated"]
    ii = ii_of(row)
    eff = "%.1f%%" % (100.0 * row["bound"] / ii) if ii and row["bound"] else "-"
    return [row["model"], b, str(row["mults"]), str(row["macs"]), str(row["bound"]),
            pair(row["pred_ii"], row["ii"] if sim else None), eff,
            pair(row["pred_lat"], row["lat"] if sim else None),
            str(row["mism"]) if sim else "-",
            "%.1f" % row["build_s"] if sim else "-",
            "%.3g" % row["cps"] if sim else "-",
            "%.1f" % row["compile_s"]]


HDR = ["model", "budget", "mults", "MACs", "bound", "II pred/meas", "eff", "latency pred/meas",
       "mism", "build s", "cycles/s", "compile s"]


def print_table(hdr, rows, markdown, notes=(), text_cols=1):
    """text_cols: the leading columns aligned left (the rest are numbers)."""
    if markdown:
        print("| " + " | ".join(hdr) + " |")
        print("|" + "|".join("---" if i < text_cols else "---:" for i in range(len(hdr))) + "|")
        for c in rows:
            print("| " + " | ".join(c) + " |")
    else:
        w = [max(len(h), *(len(c[i]) for c in rows)) if rows else len(h) for i, h in enumerate(hdr)]
        line = lambda c: "  ".join(x.ljust(w[i]) if i < text_cols else x.rjust(w[i]) for i, x in enumerate(c))
        print(line(hdr))
        for c in rows:
            print(line(c))
    for n in notes:
        print(n)


def anchors(a, work, done, names, markdown):
    """The anchors' published figures beside Loom's at equal MAC lanes."""
    def loom_row(name, budget):
        key = (name, budget)
        if key not in done:
            done[key] = run_one(a, work, model_path(name), budget, simulate=False)
        return done[key]

    hdr = ["anchor", "source", "model", "MAC lanes", "MACs", "bound", "cycles/inference (II)",
           "latency", "cycles x lanes / MACs", "MACs/cycle"]
    rows, bad = [], 0

    def loom(label, r, lanes):
        nonlocal bad
        if "mults" not in r or r["error"]:
            bad += 1
            rows.append([label, "Loom: FAILED " + (r["error"] or "")[:80], r["model"], str(lanes)] + ["-"] * 6)
            return
        ii = ii_of(r)
        src = "Loom, measured here" if r["simulated"] else "Loom, predicted here"
        rows.append([label, src, r["model"], "%d (%d used)" % (lanes, r["mults"]), str(r["macs"]),
                     str(r["bound"]), str(ii), str(r["lat"] if r["simulated"] else r["pred_lat"]),
                     "%.2f" % (ii * float(lanes) / r["macs"]), "%.1f" % (r["macs"] / float(ii))])

    if JET in names:
        rows.append(["hls4ml jet tagger", "published", "16-64-32-32-5 MLP", "4256", "4256", "1", "1",
                     "~59 (incl. softmax)", "1.00", "4256"])
        loom("hls4ml jet tagger", loom_row(JET, 4256), 4256)
    if KWS in names:
        rows.append(["FINN KWS-W3A3 (MLPerf Tiny v0.7)", "published, measured on board", "MLP", "~519",
                     "-", "-", "1746 (57268/s at 100 MHz)", "-", "3.49 of design", "-"])
        rows.append(["FINN KWS-W3A3 (MLPerf Tiny v0.7)", "published, design target", "MLP", "~519",
                     "-", "-", "~500", "-", "1 (by def.)", "-"])
        loom("FINN KWS-W3A3 (MLPerf Tiny v0.7)", loom_row(KWS, 519), 519)
    if AD in names:
        rows.append(["hls4ml AD08 autoencoder", "published", "AD08", "-", "-", "-", "1874", "-", "-", "-"])
        for b in (64, 256):
            loom("hls4ml AD08 autoencoder", loom_row(AD, b), b)
    if not rows:
        return 0
    print()
    print("Anchors: published figures beside Loom's at equal MAC lanes" + (":" if not markdown else ""))
    if markdown:
        print()
    print_table(hdr, rows, markdown, text_cols=3, notes=[
        "",
        "Conversion: MAC lanes = multipliers working in parallel (Loom: --max-mults = the anchor's "
        "lanes, the multipliers Loom actually instantiated in parentheses); bound = ceil(MACs / "
        "lanes), the fewest cycles per inference any design with that many lanes can reach; "
        "cycles x lanes / MACs ~= II / bound = 1 / efficiency at the anchor's lanes (1.00 = every "
        "lane busy every cycle); MACs/cycle = MACs / II.",
        "Published rows are quoted, not reproduced here; Loom rows come from this run "
        "(\"predicted\" = hw_model's report.json, which the main table checks against Verilator "
        "where it simulates)." +
        (" FINN's KWS model is an MLP and Loom's is the DS-CNN, so only cycles at ~519 lanes "
         "and lane utilisation compare; FINN's MAC count is not used: its ratio is measured "
         "cycles / design cycles (1746 / 500)." if KWS in names else "") +
        (" hls4ml AD08's MAC count is not quoted (it need not be the shared autoencoder), so "
         "only its cycles per inference stand beside Loom's II." if AD in names else ""),
    ])
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--loom", default=default_loom())
    ap.add_argument("--work", default=None, help="scratch dir (default: a new temp dir)")
    ap.add_argument("--frames", type=int, default=50, help="random frames per simulation")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--models", default=None, help="comma-separated shared-model names or .onnx paths")
    ap.add_argument("--budgets", default=None,
                    help="comma-separated --max-mults values for every model (\"default\": none)")
    ap.add_argument("--compile-only", action="store_true",
                    help="no simulation: predicted numbers from report.json")
    ap.add_argument("--markdown", action="store_true", help="GitHub markdown tables")
    ap.add_argument("--no-anchors", action="store_true", help="skip the anchors table")
    ap.add_argument("--generated", action="store_true", help="also the two generated deep MLPs")
    ap.add_argument("models_pos", nargs="*", metavar="MODEL.onnx")
    a = ap.parse_args()
    if os.sep in a.loom:
        a.loom = os.path.abspath(a.loom)
    work = a.work or tempfile.mkdtemp(prefix="loom-fold-sweep-")
    os.makedirs(work, exist_ok=True)

    budgets = None
    if a.budgets:
        budgets = [None if b == "default" else int(b) for b in a.budgets.split(",") if b]
    grid = dict(GRID)
    if a.models or a.models_pos:
        models = [model_path(m) for m in (a.models.split(",") if a.models else []) if m]
        models += list(a.models_pos)
    else:
        models = [model_path(m) for m, _ in GRID if os.path.exists(model_path(m))]
        if not models:
            print("note: %s absent; no shared models" % SHARED)
    if a.generated:
        gdir = os.path.join(work, "gen")
        os.makedirs(gdir, exist_ok=True)
        models += [os.path.join(gdir, n + ".onnx") for n in E.gen_deep_models(gdir)]
    if not models:
        print("no models", file=sys.stderr)
        return 2

    simulate = not a.compile_only
    print("loom %s, %s, work dir %s" % (
        a.loom, "compile only (II, latency: hw_model predictions)" if a.compile_only
        else "%d random frames per run (seed %d)" % (a.frames, a.seed), work))
    if a.markdown:
        print()
    done, table, bad, failures = {}, [], 0, []
    progress = sys.stderr  # one line per run as it finishes; the aligned table follows on stdout
    print("progress: " + " | ".join(HDR), file=progress)
    for model in models:
        name = model_name(model)
        for b in (budgets if budgets is not None else grid.get(name, OTHER_BUDGETS)):
            row = run_one(a, work, model, b, simulate)
            done[(name, b)] = row
            table.append(row)
            if row_bad(row):
                bad += 1
                failures.append("%s @ %s: %s" % (name, b or "default", row["error"] or
                                                 "mismatches, deadlock or measured != predicted"))
            print("  " + " | ".join(cells(row)), file=progress, flush=True)
    print_table(HDR, [cells(r) for r in table], a.markdown)
    print(("" if not a.markdown else "\n") +
          "bound = ceil(MACs / budget) (budget \"default\": the multipliers used); eff = bound / II "
          "(%s II); II and latency in cycles, predicted by hw_model / measured in Verilator."
          % ("predicted" if a.compile_only else "measured"))
    if not a.no_anchors:
        bad += anchors(a, work, done, set(model_name(m) for m in models), a.markdown)
    if failures:
        print()
        for f in failures:
            print("FAILED: " + f)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
