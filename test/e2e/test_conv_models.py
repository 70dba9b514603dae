#!/usr/bin/python3
"""e2e.conv_models: the generated conv models (test/models/gen_conv_models.py)
and the shared conv models through `loom run` and `loom sim`
(LOOM_CONV_MODELS=a,b: only those generated models; LOOM_SHARED_MODELS=/none: no shared ones).

For each generated model M (seed N = its index):
  1. loom run M.onnx -o OUT --random 20 --backpressure 0.3 --seed N
     exit 0, sim.json mismatches == 0, frames == 20, no deadlock,
     ii_cycles == predicted_ii_cycles, latency within 1% of predicted
     (exact equality expected: a difference inside 1% prints a NOTE),
     sim.json predictions == report.json predictions.
  2. loom sim OUT --onnx-test-dir M/   (reuses the Verilator build of 1)
     exit 0, mismatches == 0, and float_reference_vs_onnx_max_abs_error
     (the float interpreter against the numpy outputs of the generator, if
     sim.json has it) < 1e-4; then on random-normal frames the float
     interpreter against ONNX Runtime (the independent oracle, e2e_common.
     compare_with_ort) within 1e-4 of the output range.
  3. for B in 16, 64: loom compile M.onnx -o OUT_mB --max-mults B: exit 0,
     total_multipliers <= B; unless its rtl/ is byte-identical to the
     default design's (the budget does not bind; then 1 covers it):
     loom sim OUT_mB --random 20 --backpressure 0.3 --seed N: exit 0,
     mismatches == 0, II and latency as in 1.
Shared models (if /work/shared/models exists, or LOOM_SHARED_MODELS):
  conv2d_small_keras, mnist_conv_modelzoo, mlperf_tiny_kws_dscnn with
  --random 20 --backpressure 0.3: as 1. A model the compiler refuses with a
  one-line `loom: error:` naming the node and its op is a FINDING (printed,
  not a failure); any other failure is a failure. Build seconds and
  simulated cycles/s are printed (KWS in particular).
Plain RTL: for the models in PLAIN_MODELS and the shared KWS and MNIST models, also
  loom sim OUT --random 5 --seed N --plain-rtl (the library's synthesised forms, which
  simulation otherwise replaces by faster forms of the same bits): exit 0, mismatches == 0,
  II and latency equal to the predictions.
Prints one table.
"""
import hashlib
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

FRAMES = 20
BUDGETS = (16, 64)
ONNX_TOL = 1e-4
SHARED = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")
SHARED_MODELS = ["conv2d_small_keras", "mnist_conv_modelzoo", "mlperf_tiny_kws_dscnn"]

# Also simulated in the synthesised forms (--plain-rtl): a depthwise-separable CNN (the
# window generator's banked buffer, loom_dwu, loom_mvu_stream) and a residual one; KWS, and
# MNIST (its 5x5 window a beat: 100 read ports, a buffer copy per port).
PLAIN_MODELS = ("depthwise_separable", "residual")
PLAIN_SHARED = ("mlperf_tiny_kws_dscnn", "mnist_conv_modelzoo")

# Models failing because of a known compiler bug: name -> "BUG: description".
# Checked as a whole: XFAIL while broken, XPASS once fixed (then remove).
KNOWN_BUGS = {}


def gen_conv_models(src, out_dir):
    gen = os.path.join(src, "test", "models", "gen_conv_models.py")
    sys.path.insert(0, os.path.dirname(gen))
    import gen_conv_models  # noqa: E402  (only for its MODELS list)
    E.subprocess.run([sys.executable, gen, out_dir], check=True, stdout=E.subprocess.DEVNULL)
    return list(gen_conv_models.MODELS)


def check_run(r, out, problems, budget=None):
    """Checks one `loom run` OUT; returns (sim.json, report.json) or (None, None)."""
    if r.rc != 0:
        problems.append("exit %d: %s" % (r.rc, first_error(r)))
    sim_path = os.path.join(out, "sim.json")
    if not os.path.exists(sim_path):
        if r.rc == 0:
            problems.append("no sim.json")
        return None, None
    s = E.read_json(sim_path)
    rep = E.read_json(os.path.join(out, "report.json"))
    if s.get("frames") != FRAMES:
        problems.append("frames %s != %d" % (s.get("frames"), FRAMES))
    if s.get("mismatches") != 0:
        problems.append("%s mismatching words" % s.get("mismatches"))
    if s.get("deadlock"):
        problems.append("deadlock")
    if s["ii_cycles"] != s["predicted_ii_cycles"]:
        problems.append("II measured %s != predicted %s" % (s["ii_cycles"], s["predicted_ii_cycles"]))
    lat, plat = s["latency_cycles"], s["predicted_latency_cycles"]
    if abs(lat - plat) > 0.01 * max(plat, 1):
        problems.append("latency measured %s vs predicted %s (more than 1%% apart)" % (lat, plat))
    elif lat != plat:
        print("NOTE: %s: latency measured %s, predicted %s (within 1%%, not equal)" % (out, lat, plat))
    if (rep["predicted_ii_cycles"] != s["predicted_ii_cycles"] or
            rep["predicted_latency_cycles"] != s["predicted_latency_cycles"]):
        problems.append("sim.json predictions differ from report.json")
    if budget is not None and rep["total_multipliers"] > budget:
        problems.append("%d multipliers > budget %d" % (rep["total_multipliers"], budget))
    return s, rep


def plain_check(loom, out, seed, problems):
    """`loom sim --plain-rtl`: the synthesised forms, bit-exact and as predicted."""
    r = E.run(loom, "sim", out, "--random", 5, "--seed", seed, "--plain-rtl", timeout=900)
    if r.rc != 0:
        problems.append("`loom sim --plain-rtl` exit %d: %s" % (r.rc, first_error(r)))
        return
    s = E.read_json(os.path.join(out, "sim.json"))
    if s.get("mismatches") != 0:
        problems.append("--plain-rtl: %s mismatching words" % s.get("mismatches"))
    for k in ("ii_cycles", "latency_cycles"):
        if s.get(k) != s.get("predicted_" + k):
            problems.append("--plain-rtl: %s %s != predicted %s" % (k, s.get(k), s.get("predicted_" + k)))


def first_error(r):
    lines = [l for l in r.err.splitlines() if l.strip()]
    for l in lines:
        if l.startswith("loom: error:"):
            return l
    return lines[0] if lines else "(no stderr)"


def refusal(r):
    """(node, op) if r is a one-line `loom: error:` naming a node and its op."""
    lines = [l for l in r.err.splitlines() if l.strip()]
    if r.rc == 0 or len(lines) != 1 or not lines[0].startswith("loom: error: "):
        return None
    m = re.search(r"node '([^']*)' \(([^)]*)\)", lines[0])
    return (m.group(1), m.group(2)) if m else None


def main():
    loom, src, work = E.parse_args()
    models_dir = os.path.join(work, "models")
    models = gen_conv_models(src, models_dir)
    # LOOM_CONV_MODELS=a,b runs only those generated models (seeds unchanged).
    only = [m for m in os.environ.get("LOOM_CONV_MODELS", "").split(",") if m]
    seeds = {m: i for i, m in enumerate(models, start=1)}
    c = E.Checker("e2e.conv_models")
    c.check(len(models) >= 9, "expected >= 9 generated conv models, found %d" % len(models))
    if only:
        c.check(all(m in seeds for m in only), "LOOM_CONV_MODELS names unknown models: %s" % only)
        models = [m for m in models if m in only]

    # Tasks: (kind, name, seed, budget). "main" = run + sim --onnx-test-dir.
    tasks = []
    for name in models:
        seed = seeds[name]
        tasks.append(("main", name, seed, None))
        for b in BUDGETS:
            tasks.append(("budget", name, seed, b))
    shared = os.path.isdir(SHARED)
    if shared:
        for name in SHARED_MODELS:
            tasks.append(("shared", name, 3, None))
    else:
        print("note: %s is absent: shared conv models skipped" % SHARED)

    def rtl_digest(out):
        h = hashlib.sha256()
        for f in sorted(os.listdir(os.path.join(out, "rtl"))):
            h.update(f.encode() + b"\0")
            with open(os.path.join(out, "rtl", f), "rb") as fh:
                h.update(fh.read())
        return h.hexdigest()

    def one(task):
        kind, name, seed, budget = task
        if kind == "shared":
            model = os.path.join(SHARED, name + ".onnx")
            if not os.path.exists(model):
                return task, None, (None, None, None), [], False
            out = os.path.join(work, "out", "shared", name)
        else:
            model = os.path.join(models_dir, name + ".onnx")
            out = os.path.join(work, "out", name + ("" if budget is None else "_m%d" % budget))
        sim_args = ["--random", FRAMES, "--backpressure", "0.3", "--seed", seed]
        problems = []
        if kind == "budget":
            # Compile first; a design byte-identical to the default one (the
            # budget does not bind) reuses the default run's simulation.
            r = E.run(loom, "compile", model, "-o", out, "--max-mults", budget, timeout=900)
            if r.rc != 0:
                problems.append("`loom compile --max-mults %d` exit %d: %s" % (budget, r.rc, first_error(r)))
                return task, r, (None, None, None), problems, False
            rep = E.read_json(os.path.join(out, "report.json"))
            if rep["total_multipliers"] > budget:
                problems.append("%d multipliers > budget %d" % (rep["total_multipliers"], budget))
            probe = os.path.join(work, "probe", "%s_m%d" % (name, budget))  # the default design
            E.run(loom, "compile", model, "-o", probe, timeout=900)
            if os.path.isdir(os.path.join(probe, "rtl")) and rtl_digest(probe) == rtl_digest(out):
                return task, r, (None, rep, None), problems, True
            r = E.run(loom, "sim", out, *sim_args, timeout=900)
            s, rep = check_run(r, out, problems, budget)
            return task, r, (s, rep, None), problems, False
        r = E.run(loom, "run", model, "-o", out, *sim_args, timeout=900)
        s2 = None
        s, rep = check_run(r, out, problems, budget)
        if kind == "main" and s is not None and r.rc == 0:
            # Keep the run's sim.json; `loom sim` rewrites it.
            r2 = E.run(loom, "sim", out, "--onnx-test-dir", os.path.join(models_dir, name), timeout=900)
            if r2.rc != 0:
                problems.append("`loom sim --onnx-test-dir` exit %d: %s" % (r2.rc, first_error(r2)))
            if os.path.exists(os.path.join(out, "sim.json")):
                s2 = E.read_json(os.path.join(out, "sim.json"))
                if s2.get("mismatches") != 0:
                    problems.append("onnx test data: %s mismatching words" % s2.get("mismatches"))
                err = s2.get("float_reference_vs_onnx_max_abs_error")
                if err is not None and not err < ONNX_TOL:
                    problems.append("float reference vs numpy ONNX outputs: max abs error %.3g >= %g"
                                    % (err, ONNX_TOL))
            # The independent oracle: ONNX Runtime on random-normal frames.
            problems += E.compare_with_ort(loom, src, model, out, label=name)
            if name in PLAIN_MODELS:
                plain_check(loom, out, seed, problems)
        if kind == "shared" and s is not None and r.rc == 0 and name in PLAIN_SHARED:
            plain_check(loom, out, seed, problems)
        return task, r, (s, rep, s2), problems, False

    results = {}
    with ThreadPoolExecutor(E.jobs()) as pool:
        for task, r, sims, problems, reused in pool.map(one, tasks):
            results[task] = (r, sims, problems, reused)

    rows, findings = [], []
    for name in models:
        seed = seeds[name]
        bug = KNOWN_BUGS.get(name)
        r, (s, rep, s2), problems, _ = results[("main", name, seed, None)]
        all_problems = ["run: " + p for p in problems]
        mults = {}
        for b in BUDGETS:
            rb, (sb, repb, _), pb, reused = results[("budget", name, seed, b)]
            all_problems += ["--max-mults %d: %s" % (b, p) for p in pb]
            if reused:  # same RTL as the default design: its run covers it
                mults[b] = "%d=dflt" % repb["total_multipliers"]
            else:
                mults[b] = ("%d/%d" % (repb["total_multipliers"], sb["ii_cycles"])) if sb else \
                    ("%d/-" % repb["total_multipliers"] if repb else "-")
        ok = c.check(not all_problems, "%s: %s" % (name, "; ".join(all_problems) if all_problems else "passes"),
                     bug)
        status = ("ok" if ok else "FAIL") if not bug else ("XPASS" if ok else "XFAIL")
        err = "-" if s2 is None or "float_reference_vs_onnx_max_abs_error" not in s2 else \
            "%.1e" % s2["float_reference_vs_onnx_max_abs_error"]
        if s is None:
            rows.append((name, "-", "-", "-", mults[16], mults[64], err, "-", "-", "%.1f" % r.seconds, status))
        else:
            rows.append((name, "%d/%d" % (s["ii_cycles"], s["predicted_ii_cycles"]),
                         "%d/%d" % (s["latency_cycles"], s["predicted_latency_cycles"]),
                         rep["total_multipliers"], mults[16], mults[64], err,
                         "%.1f" % s.get("build_seconds", 0),
                         "%.0f" % s.get("cycles_per_second", 0), "%.1f" % r.seconds, status))

    if shared:
        for name in SHARED_MODELS:
            r, (s, rep, _), problems, _ = results[("shared", name, 3, None)]
            if r is None:
                c.check(False, "shared: %s.onnx missing from %s" % (name, SHARED))
                continue
            ref = refusal(r)
            if ref is not None:
                findings.append("%s: refused: %s" % (name, r.err.strip()))
                print("FINDING: %s refused (node '%s', op %s): %s" % (name, ref[0], ref[1], r.err.strip()))
                rows.append((name, "-", "-", "-", "", "", "", "-", "-", "%.1f" % r.seconds, "refused"))
                continue
            ok = c.check(not problems, "shared %s: %s" % (name, "; ".join(problems) if problems else "passes"))
            if s is None:
                rows.append((name, "-", "-", "-", "", "", "", "-", "-", "%.1f" % r.seconds, "ok" if ok else "FAIL"))
            else:
                rows.append((name, "%d/%d" % (s["ii_cycles"], s["predicted_ii_cycles"]),
                             "%d/%d" % (s["latency_cycles"], s["predicted_latency_cycles"]),
                             rep["total_multipliers"], "", "", "",
                             "%.1f" % s.get("build_seconds", 0), "%.0f" % s.get("cycles_per_second", 0),
                             "%.1f" % r.seconds, "ok" if ok else "FAIL"))
                if name == "mlperf_tiny_kws_dscnn":
                    print("KWS: Verilator build %.1f s, %.0f simulated cycles/s"
                          % (s.get("build_seconds", 0), s.get("cycles_per_second", 0)))

    hdr = ("model", "II m/p", "latency m/p", "mults", "m16 mu/II", "m64 mu/II", "onnx err",
           "build s", "cycles/s", "total s", "")
    fmt = "%-24s %9s %13s %6s %10s %10s %8s %8s %9s %8s %s"
    print()
    print(fmt % hdr)
    for row in rows:
        print(fmt % row)
    for f in findings:
        print("FINDING " + f)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
