#!/usr/bin/python3
"""e2e.synth: `loom synth` places and routes for iCE40 and synthesizes for
7-series, and writes synth.json (docs/CONTRACTS.md "synth.json").

1. The generated QONNX binary MLP (test/models/gen_quant_models.py qonnx_bnn)
   compiled and synthesized with --target ice40-up5k --clock-mhz 30: exit 0,
   synth.json has every contract key, fits is true, fmax_mhz from nextpnr after
   routing and meets_clock consistent with it, the LUT total matches nextpnr's logic-cell count within the
   carries and shell registers it packs in, a PCF is written, and `loom
   report` prints the synthesis line.
2. The same design with --target xilinx-7 --part xc7a35t: luts > 0,
   logic_levels >= 1, capacity of the xc7a35t, a clock XDC.
3. The shared binary net (../shared/models/qonnx_bnn_fc_1layer.onnx) at
   --clock-mhz 30 on the UP5K, and the shared two_layer_keras MLP at
   --max-mults 8: fits (when the shared models are present).
4. Bad options: one-line errors, exit != 0, no synth.json: an unknown target,
   an unknown part, --part with an iCE40 target, a bad --clock-mhz, and a
   --timeout that the run exceeds.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

SHARED = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")
KEYS = ["target", "part", "luts", "ffs", "brams", "dsps", "fits", "seconds", "modules"]


def synth(c, loom, out, label, *args):
    r = E.run(loom, "synth", out, *args, timeout=1200)
    if not c.check(r.rc == 0, "%s: loom synth %s: %s" % (label, " ".join(map(str, args)),
                                                        r.describe())):
        return None
    s = E.read_json(os.path.join(out, "synth.json"))
    print("%-22s %s: %s LUTs, %s FFs, %s BRAM, %s DSP, fits %s, fmax %s, levels %s, %.1f s"
          % (label, s.get("target"), s.get("luts"), s.get("ffs"), s.get("brams"), s.get("dsps"),
             s.get("fits"), s.get("fmax_mhz"), s.get("logic_levels"), s.get("seconds", 0)),
          flush=True)
    missing = [k for k in KEYS if k not in s]
    c.check(not missing, "%s: synth.json lacks %s" % (label, missing))
    return s


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.synth")
    models = os.path.join(work, "models")
    gen = os.path.join(src, "test", "models", "gen_quant_models.py")
    E.subprocess.run([sys.executable, gen, models], check=True, stdout=E.subprocess.DEVNULL)
    out = os.path.join(work, "bnn")
    r = E.run(loom, "compile", os.path.join(models, "qonnx_bnn.onnx"), "-o", out)
    if not c.check(r.rc == 0, "compile qonnx_bnn: " + r.describe()):
        return c.finish()

    # 1. iCE40 UP5K, placed and routed at 30 MHz.
    s = synth(c, loom, out, "qonnx_bnn", "--target", "ice40-up5k", "--clock-mhz", 30)
    if s:
        c.check(s["fits"] is True, "qonnx_bnn: does not fit the UP5K")
        # This 16-input binary layer adds its popcount in one cycle (about 16 MHz);
        # pipelining to a clock target is not done yet: only the report is checked.
        c.check(s.get("fmax_mhz", 0) > 0 and s.get("meets_clock") == (s["fmax_mhz"] >= 30),
                "qonnx_bnn: fmax %s, meets_clock %s" % (s.get("fmax_mhz"), s.get("meets_clock")))
        c.check(s["part"] == "ice40-up5k" and s["capacity"]["luts"] == 5280,
                "qonnx_bnn: part / capacity %s %s" % (s["part"], s.get("capacity")))
        lc = s.get("pnr_utilisation", {}).get("ICESTORM_LC", [0, 0])
        # nextpnr packs each LUT4 with a flip-flop and a carry into one logic
        # cell: LCs hold every LUT, and at most LUTs + FFs + carries.
        c.check(s["luts"] > 0 and s["luts"] <= lc[0] <= s["luts"] + s["ffs"] + s["carries"],
                "qonnx_bnn: %s LUTs against %s nextpnr logic cells" % (s["luts"], lc[0]))
        c.check(lc[1] == 5280, "qonnx_bnn: nextpnr device has %s logic cells" % lc[1])
        c.check(os.path.exists(os.path.join(out, "synth", "board.pcf")), "qonnx_bnn: no PCF")
        rows = s["modules"]
        c.check(rows and max(m["luts"] for m in rows) <= s["luts"],
                "qonnx_bnn: a module row has more LUTs than the design")
        rep = E.run(loom, "report", out)
        c.check(rep.rc == 0 and "synthesis (ice40-up5k" in rep.out and "Fmax" in rep.out,
                "qonnx_bnn: loom report has no synthesis line:\n" + rep.out)

    # 2. 7-series: logic levels for timing.
    s = synth(c, loom, out, "qonnx_bnn", "--target", "xilinx-7", "--part", "xc7a35t")
    if s:
        c.check(s["luts"] > 0 and s.get("logic_levels", 0) >= 1,
                "qonnx_bnn: xilinx-7 %s LUTs, %s logic levels" % (s["luts"], s.get("logic_levels")))
        c.check(s["capacity"]["luts"] == 20800 and s["fits"] is True,
                "qonnx_bnn: xc7a35t capacity %s fits %s" % (s["capacity"], s["fits"]))
        c.check(os.path.exists(os.path.join(out, "synth", "clock.xdc")), "qonnx_bnn: no XDC")

    # 3. The shared models the issue names.
    bnn = os.path.join(SHARED, "qonnx_bnn_fc_1layer.onnx")
    mlp = os.path.join(SHARED, "two_layer_keras.onnx")
    for model, label, extra in ((bnn, "shared bnn", []), (mlp, "two_layer_keras@8", ["--max-mults", 8])):
        if not os.path.exists(model):
            print("SKIP %s (not present)" % model)
            continue
        o = os.path.join(work, label.replace(" ", "_").replace("@", "_"))
        r = E.run(loom, "compile", model, "-o", o, *extra)
        if not c.check(r.rc == 0, "%s: compile: %s" % (label, r.describe())):
            continue
        s = synth(c, loom, o, label, "--target", "ice40-up5k", "--clock-mhz", 30)
        if s:
            c.check(s["fits"] is True, "%s: does not fit the UP5K" % label)
            if label == "shared bnn":
                c.check(s.get("fmax_mhz", 0) >= 30, "%s: fmax %s < 30" % (label, s.get("fmax_mhz")))

    # 4. Bad options.
    os.remove(os.path.join(out, "synth.json"))
    for args, want in ((["--target", "ice40-lp1k"], "--target"),
                       (["--target", "xilinx-7", "--part", "xc7k999"], "--part"),
                       (["--target", "ice40-up5k", "--part", "xc7z020"], "--part"),
                       (["--target", "ice40-up5k", "--clock-mhz", "fast"], "--clock-mhz"),
                       (["--target", "xilinx-7", "--timeout", 1], "timed out")):
        r = E.run(loom, "synth", out, *args)
        lines = r.err.strip().splitlines()
        c.check(r.rc != 0 and lines and want in lines[-1] and len(lines[-1]) < 400
                and not os.path.exists(os.path.join(out, "synth.json")),
                "synth %s: want a one-line error naming %s: %s" % (args, want, r.describe()))
    # A Yosys that dies of a signal (the kernel's OOM killer in real life; here a stand-in
    # on PATH that kills itself) is reported as killed, naming its last step, not as a
    # timeout.
    fake = os.path.join(work, "fakebin")
    os.makedirs(fake, exist_ok=True)
    with open(os.path.join(fake, "yosys"), "w") as f:
        f.write("#!/bin/sh\necho '4.28. Executing MEMORY_LIBMAP pass'\nkill -9 $$\n")
    os.chmod(os.path.join(fake, "yosys"), 0o755)
    env = dict(os.environ, PATH=fake + os.pathsep + os.environ.get("PATH", ""))
    p = subprocess.run([loom, "synth", out, "--target", "xilinx-7"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    lines = p.stderr.strip().splitlines()
    c.check(p.returncode != 0 and lines and "was killed" in lines[-1] and
            "MEMORY_LIBMAP" in lines[-1] and "timed out" not in lines[-1] and
            not os.path.exists(os.path.join(out, "synth.json")),
            "synth with a killed yosys: want a one-line 'was killed' error: %s" % p.stderr)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
