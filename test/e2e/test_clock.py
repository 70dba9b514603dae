#!/usr/bin/python3
"""e2e.clock: `loom compile --clock-mhz F` (docs/CONTRACTS.md "Clock target").

1. Generated models (a deep MLP, a depthwise-separable CNN, a residual CNN with a
   join, the QONNX binary MLP) compiled without --clock-mhz and at clock targets of
   both timing families: without it report.json has clock_mhz 0, no actor has stages
   and no instance has a PIPE parameter; with it, every actor's pipeline_stages is the
   PIPE + RQ_PIPE of its instance in OUT/rtl, a high enough target adds stages, the II is
   unchanged and the latency grows by at most the stages added. Every design is
   simulated with backpressure: 0 mismatches against the reference interpreter and
   measured latency / II == predicted.
2. The shared binary net (../shared/models/qonnx_bnn_fc_1layer.onnx) compiled with
   --clock-mhz 30 --clock-family ice40 places and routes on the UP5K with
   `loom synth --target ice40-up5k` (the clock taken from the compile): fits, fmax_mhz
   >= 30, clock_mhz 30 in synth.json (a few seconds; skipped without nextpnr-ice40 or
   the shared model).
3. Bad options: one-line errors naming the option.
"""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

SHARED = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")
FRAMES = 6
# (label, extra compile options): none, then targets that need stages.
NONE = ("none", [])
X7_400 = ("x7_400", ["--clock-mhz", 400])
ICE40_60 = ("ice40_60", ["--clock-mhz", 60, "--clock-family", "ice40"])
ICE40_30 = ("ice40_30", ["--clock-mhz", 30, "--clock-family", "ice40"])
# float models get one fixed format: the automatic search would only cost time here
FIXED = ["--precision", "fixed<12,4>"]


def pipe_params(out, top):
    """The PIPE + RQ_PIPE of every instance in the emitted top module that has one."""
    text = open(os.path.join(out, "rtl", top + ".sv")).read()
    stages = []
    # one instance: "loom_mvu #( ... ) name (": its parameter list (every compute unit:
    # loom_mvu, loom_dwu, the several-vector loom_mvu_mmv and the streaming loom_mvu_stream)
    for params in re.findall(r"loom_(?:mvu|dwu|mvu_mmv|mvu_stream) #\((.*?)\)\s*\w+\s*\(",
                             text, re.S):
        n = sum(int(v) for v in re.findall(r"\.(?:RQ_)?PIPE\((\d+)\)", params))
        if n:
            stages.append(n)
    return sorted(stages)


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.clock")
    mdir = os.path.join(work, "models")
    os.makedirs(mdir)
    models = [os.path.join(mdir, n + ".onnx") for n in E.gen_deep_models(mdir)]
    sys.path.insert(0, os.path.join(src, "test", "models"))
    import gen_conv_models  # noqa: E402
    import gen_quant_models  # noqa: E402
    gen_conv_models.depthwise_separable(mdir)
    gen_conv_models.residual(mdir)
    gen_quant_models.qonnx_bnn(mdir)
    # (model, clocks, extra options): every float model in one fixed format
    runs = [(models[0], [NONE, X7_400, ICE40_30], FIXED),
            (os.path.join(mdir, "depthwise_separable.onnx"), [NONE, ICE40_60], FIXED),
            (os.path.join(mdir, "residual.onnx"), [NONE, X7_400], FIXED),
            (os.path.join(mdir, "qonnx_bnn.onnx"), [NONE, ICE40_60], [])]

    staged_any = False
    for model, clocks, opts in runs:
        name = os.path.basename(model)[:-5]
        base = None
        for label, extra in clocks:
            tag = "%s_%s" % (name, label)
            out = os.path.join(work, "out", tag)
            r = E.run(loom, "run", model, "-o", out, "--random", FRAMES, "--backpressure", 0.3,
                      "--seed", 5, *(opts + extra))
            if not c.check(r.rc == 0, "%s: loom run: %s" % (tag, r.describe())):
                continue
            rep = E.read_json(os.path.join(out, "report.json"))
            sim = E.read_json(os.path.join(out, "sim.json"))
            c.check(sim["mismatches"] == 0, "%s: %s mismatches" % (tag, sim["mismatches"]))
            c.check(sim["latency_cycles"] == sim["predicted_latency_cycles"]
                    and sim["ii_cycles"] == sim["predicted_ii_cycles"],
                    "%s: measured latency %s / II %s != predicted %s / %s"
                    % (tag, sim["latency_cycles"], sim["ii_cycles"],
                       sim["predicted_latency_cycles"], sim["predicted_ii_cycles"]))
            stages = [a["pipeline_stages"] for a in rep["actors"]]
            pipes = pipe_params(out, rep["top"])
            c.check(sorted(s for s in stages if s > 0) == pipes,
                    "%s: report stages %s but RTL PIPE parameters %s" % (tag, stages, pipes))
            want_mhz = extra[1] if extra else 0
            c.check(rep["clock_mhz"] == want_mhz, "%s: clock_mhz %s" % (tag, rep["clock_mhz"]))
            print("%-28s stages %-16s II %5d latency %5d" % (tag, stages, rep["predicted_ii_cycles"],
                                                             rep["predicted_latency_cycles"]),
                  flush=True)
            if label == "none":
                c.check(not any(stages) and not pipes, "%s: stages without --clock-mhz" % tag)
                base = rep
                continue
            staged_any |= any(stages)
            if base:
                c.check(rep["predicted_ii_cycles"] == base["predicted_ii_cycles"],
                        "%s: II %s != %s without a clock target"
                        % (tag, rep["predicted_ii_cycles"], base["predicted_ii_cycles"]))
                lat, lat0 = rep["predicted_latency_cycles"], base["predicted_latency_cycles"]
                c.check(lat0 <= lat <= lat0 + sum(stages) + 2 * len(stages),
                        "%s: latency %s against %s without a clock target, %s stages"
                        % (tag, lat, lat0, sum(stages)))
    c.check(staged_any, "no clock target added a register stage to any model")

    # 2. The shared binary net on the UP5K at 30 MHz.
    bnn = os.path.join(SHARED, "qonnx_bnn_fc_1layer.onnx")
    if not os.path.exists(bnn) or not shutil.which("nextpnr-ice40") or not shutil.which("yosys"):
        print("SKIP UP5K check (no shared model, yosys or nextpnr-ice40)")
    else:
        out = os.path.join(work, "shared_bnn_30")
        r = E.run(loom, "compile", bnn, "-o", out, "--clock-mhz", 30, "--clock-family", "ice40")
        if c.check(r.rc == 0, "shared bnn: compile: " + r.describe()):
            r = E.run(loom, "synth", out, "--target", "ice40-up5k", timeout=600)
            if c.check(r.rc == 0, "shared bnn: synth: " + r.describe()):
                s = E.read_json(os.path.join(out, "synth.json"))
                print("shared bnn @30 MHz: %s LUTs, fits %s, fmax %s MHz"
                      % (s.get("luts"), s.get("fits"), s.get("fmax_mhz")))
                c.check(s.get("fits") is True and s.get("fmax_mhz", 0) >= 30
                        and s.get("clock_mhz") == 30,
                        "shared bnn: fits %s fmax %s clock %s"
                        % (s.get("fits"), s.get("fmax_mhz"), s.get("clock_mhz")))

    # 3. Bad options.
    model = models[0]
    for args, want in ((["--clock-mhz", "fast"], "--clock-mhz"),
                       (["--clock-mhz", 0], "--clock-mhz"),
                       (["--clock-mhz", 100, "--clock-family", "ecp5"], "--clock-family"),
                       (["--clock-family", "ice40"], "--clock-family")):
        out = os.path.join(work, "bad")
        r = E.run(loom, "compile", model, "-o", out, *args)
        lines = r.err.strip().splitlines()
        c.check(r.rc != 0 and len(lines) == 1 and want in lines[0]
                and not os.path.exists(os.path.join(out, "report.json")),
                "compile %s: want a one-line error naming %s: %s" % (args, want, r.describe()))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
