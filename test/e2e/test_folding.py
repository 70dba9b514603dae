#!/usr/bin/python3
"""e2e.folding: --max-mults / --target-ii on two >=3-dense-layer models.

For each model (written by e2e_common.gen_deep_models: the generator's nets
have at most two dense layers), compile+sim with --max-mults 8, 32, 128 and
no budget: total_multipliers <= budget, predicted II non-increasing as the
budget grows, 0 mismatches and measured latency/II == predicted every time.
Then --target-ii T for T = the II of the 32-multiplier design (must reach
II <= T) and a looser T (2x): II <= T, bit-exact, timing equal.
Lane groups: the generated residual conv net (test/models/gen_conv_models.py)
with --target-ii 128: its bottleneck is the residual join and the convs
whose pe the join narrows (1 lane: II 512 at any budget before lane groups),
so II <= 128 is reachable only by widening the join's producers together.
CNNs: depthwise_separable at --target-ii 90 (II 86: the depthwise and pointwise
units fold flat across their 64 windows), keras_cnn at 70 (II 70, its conv folded
across vectors), torch_cnn at 16 (II 16: its conv takes 4 windows a step, mmv 4,
and its pool reads 4 positions a beat) and at 8 (out of reach: II 16, the lowest
the search finds, not the greedy steps' 64).
Every run: the predicted II equals the slowest actor's cycles per frame
(the FIFOs never stall the bottleneck). With a budget B the II lies between the
multiplier bound ceil(MACs / B) and the search's gap bound ceil(MACs / (B - U))
for U dense layers (docs/folding.md): the budgets fold the layers flat (simd
not dividing K, e.g. 3, 9, 11), so these runs also prove flat units bit-exact.
"""
import os
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

BUDGETS = [8, 32, 128, None]
FRAMES = 20


def main():
    loom, src, work = E.parse_args()
    mdir = os.path.join(work, "models")
    os.makedirs(mdir)
    models = E.gen_deep_models(mdir)
    sys.path.insert(0, os.path.join(src, "test", "models"))
    import gen_conv_models  # noqa: E402
    gen_conv_models.residual(mdir)
    c = E.Checker("e2e.folding")

    def one(job):
        name, flag, value = job
        tag = "%s_%s%s" % (name, flag.strip("-").replace("-", "_") if flag else "default", value or "")
        out = os.path.join(work, "out", tag)
        args = ["run", os.path.join(mdir, name + ".onnx"), "-o", out, "--random", FRAMES,
                "--backpressure", "0.3", "--seed", 7]
        if flag:
            args += [flag, value]
        r = E.run(loom, *args)
        res = {"rc": r.rc, "r": r, "job": job}
        if r.rc == 0 or os.path.exists(os.path.join(out, "report.json")):
            res["rep"] = E.read_json(os.path.join(out, "report.json"))
        if os.path.exists(os.path.join(out, "sim.json")):
            res["sim"] = E.read_json(os.path.join(out, "sim.json"))
        return res

    def verify(res, label):
        r = res["r"]
        if not c.check(r.rc == 0 and "sim" in res, "%s: loom run failed: %s" % (label, r.describe())):
            return False
        s = res["sim"]
        ok = c.check(s["mismatches"] == 0, "%s: %s mismatches" % (label, s["mismatches"]))
        ok &= c.check(s["latency_cycles"] == s["predicted_latency_cycles"],
                      "%s: latency measured %s != predicted %s"
                      % (label, s["latency_cycles"], s["predicted_latency_cycles"]))
        ok &= c.check(s["ii_cycles"] == s["predicted_ii_cycles"],
                      "%s: II measured %s != predicted %s"
                      % (label, s["ii_cycles"], s["predicted_ii_cycles"]))
        rep = res.get("rep")
        if rep:
            slowest = max(a["predicted_cycles_per_frame"] for a in rep["actors"])
            ok &= c.check(rep["predicted_ii_cycles"] == slowest,
                          "%s: predicted II %s != slowest actor's %s cycles (a FIFO stalls it)"
                          % (label, rep["predicted_ii_cycles"], slowest))
        return ok

    rows = []
    jobs = [(m, "--max-mults" if b else None, b) for m in models for b in BUDGETS]
    with ThreadPoolExecutor(E.jobs()) as pool:
        results = list(pool.map(one, jobs))
    by_model = {}
    for res in results:
        name, _, b = res["job"]
        label = "%s --max-mults %s" % (name, b) if b else "%s (no budget)" % name
        ok = verify(res, label)
        rep = res.get("rep")
        if rep and b:
            ok &= c.check(rep["total_multipliers"] <= b, "%s: total_multipliers %d > budget %d"
                          % (label, rep["total_multipliers"], b))
            # docs/folding.md "Gap bound": a dense chain of U layers (each narrow enough
            # for one PE row) reaches II <= ceil(MACs / (B - U)), and never beats the
            # multiplier bound ceil(MACs / B).
            units = sum(1 for a in rep["actors"] if a["kind"] == "mvu")
            macs, ii = rep["total_macs"], rep["predicted_ii_cycles"]
            lo, hi = -(-macs // b), -(-macs // (b - units))
            ok &= c.check(lo <= ii <= hi, "%s: II %d outside [ceil(MACs/B), ceil(MACs/(B-%d))]"
                          " = [%d, %d]" % (label, ii, units, lo, hi))
        if rep:
            by_model.setdefault(name, []).append((b, rep["predicted_ii_cycles"], rep["total_multipliers"]))
            rows.append((name, "mults<=%s" % (b or "-"), rep["total_multipliers"], rep["predicted_ii_cycles"],
                         res.get("sim", {}).get("ii_cycles"), rep["predicted_latency_cycles"],
                         "ok" if ok else "FAIL"))
    for name, seq in by_model.items():
        iis = [ii for _, ii, _ in seq]
        c.check(all(a >= b for a, b in zip(iis, iis[1:])),
                "%s: II not non-increasing as the budget grows: %s" % (name, seq))

    # --target-ii: tight (the 32-mult II) and loose (2x that).
    tjobs = []
    for name, seq in by_model.items():
        ii32 = [ii for b, ii, _ in seq if b == 32]
        if ii32:
            tjobs += [(name, "--target-ii", ii32[0]), (name, "--target-ii", 2 * ii32[0])]
    tjobs.append(("residual", "--target-ii", 128))
    with ThreadPoolExecutor(E.jobs()) as pool:
        tresults = list(pool.map(one, tjobs))
    for res in tresults:
        name, _, t = res["job"]
        label = "%s --target-ii %s" % (name, t)
        ok = verify(res, label)
        rep = res.get("rep")
        if rep:
            ok &= c.check(rep["predicted_ii_cycles"] <= t, "%s: predicted II %d > target %d"
                          % (label, rep["predicted_ii_cycles"], t))
            if name in by_model and t == [ii for b, ii, _ in by_model[name] if b == 32][0]:
                mults32 = [m for b, _, m in by_model[name] if b == 32][0]
                # Reaching the 32-mult design's II should not need more than
                # the smallest design found by the budget search at that II.
                c.check(rep["total_multipliers"] <= mults32,
                        "%s: %d multipliers, but --max-mults 32 reached the same II with %d"
                        % (label, rep["total_multipliers"], mults32))
            rows.append((name, "ii<=%s" % t, rep["total_multipliers"], rep["predicted_ii_cycles"],
                         res.get("sim", {}).get("ii_cycles"), rep["predicted_latency_cycles"],
                         "ok" if ok else "FAIL"))

    # CNNs below the one-vector-a-step forms (docs/folding.md): units folded flat across
    # their frame's vectors (loom_mvu_stream: pe every output, simd not dividing K),
    # several vectors a step (mmv, loom_mvu_mmv; the pool then reads several window
    # positions a beat), and a target out of reach (torch_cnn cannot go below one
    # window position a cycle for its pool, 16 cycles): the lowest II the search
    # reaches, not the greedy steps' 64. (model, target, expected II, what must appear)
    cnn = [("depthwise_separable", 90, 86, "across_vectors"), ("keras_cnn", 70, 70, "across_vectors"),
           ("torch_cnn", 16, 16, "mmv"), ("torch_cnn", 8, 16, "mmv")]
    for m in sorted({m for m, _, _, _ in cnn}):
        gen_conv_models.__dict__[m](mdir)
    with ThreadPoolExecutor(E.jobs()) as pool:
        cresults = list(pool.map(one, [(m, "--target-ii", t) for m, t, _, _ in cnn]))
    for (name, t, want_ii, form), res in zip(cnn, cresults):
        label = "%s --target-ii %s" % (name, t)
        ok = verify(res, label)
        rep = res.get("rep")
        if not rep:
            continue
        ok &= c.check(rep["predicted_ii_cycles"] == want_ii, "%s: predicted II %d, expected %d"
                      % (label, rep["predicted_ii_cycles"], want_ii))
        folds = [a["folding"] for a in rep["actors"] if "folding" in a]
        if form == "mmv":
            ok &= c.check(any(f["mmv"] > 1 for f in folds), "%s: no unit takes several vectors a "
                          "step: %s" % (label, folds))
        else:
            ok &= c.check(any(f["across_vectors"] for f in folds), "%s: no unit folds across "
                          "vectors: %s" % (label, folds))
        rows.append((name, "ii<=%s" % t, rep["total_multipliers"], rep["predicted_ii_cycles"],
                     res.get("sim", {}).get("ii_cycles"), rep["predicted_latency_cycles"],
                     "ok" if ok else "FAIL"))

    print()
    print("%-30s %10s %6s %8s %8s %8s" % ("model", "constraint", "mults", "pred II", "meas II", "latency"))
    for row in rows:
        print("%-30s %10s %6s %8s %8s %8s %s" % row)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
