#!/usr/bin/python3
"""Simulation speed: Verilator build time and simulated cycles per second.

    /usr/bin/python3 bench/sim_speed.py [--loom BIN] [--frames 200] [--work DIR] [MODEL.onnx ...]

Without MODEL arguments: every model in /work/shared/models (the KWS DS-CNN first, the
model the simulation-speed goal is stated for). Each model is compiled at its default
folding into a fresh directory, so the Verilator build is never reused from an earlier
run (its C++ objects may still come from ccache: that is the build a user sees), then
`loom sim OUT --random FRAMES` runs. Sequential, so builds do not share the two cores.

Prints per model: frames, Verilator build seconds, simulated cycles (all passes),
cycles/s (sim.json cycles_per_second), the model's eval() seconds and the harness's own
seconds (sim.json model_eval_seconds / harness_seconds: the eval share is sampled on one
cycle in 16). On a shared machine cycles/s varies by tens of percent between runs; the
best of --repeat runs of the same built simulator is printed too. Exit status 1 if a run
failed or mismatched.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

SHARED = "/work/shared/models"
FIRST = "mlperf_tiny_kws_dscnn.onnx"


def default_models():
    if not os.path.isdir(SHARED):
        return []
    names = sorted(f for f in os.listdir(SHARED) if f.endswith(".onnx"))
    names.sort(key=lambda f: f != FIRST)
    return [os.path.join(SHARED, f) for f in names]


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loom", default="build/bin/loom")
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3,
                    help="simulation runs per model on the same build (best is printed)")
    ap.add_argument("--work", default=None)
    ap.add_argument("models", nargs="*")
    a = ap.parse_args()
    models = a.models or default_models()
    if not models:
        sys.exit("sim_speed: no models given and " + SHARED + " does not exist")
    work = a.work or tempfile.mkdtemp(prefix="loom_sim_speed_")
    hdr = ("model", "frames", "build s", "cycles", "cycles/s", "best cycles/s", "model s",
           "harness s")
    fmt = "{:<34} {:>6} {:>8} {:>9} {:>10} {:>13} {:>8} {:>9}"
    print(fmt.format(*hdr))
    failed = False
    for model in models:
        name = os.path.splitext(os.path.basename(model))[0]
        out = os.path.join(work, name)
        c = run([a.loom, "compile", model, "-o", out])
        if c.returncode != 0:
            print(fmt.format(name[:34], "-", "-", "-", "compile failed", "", "", ""))
            failed = True
            continue
        build = None
        best = 0.0
        first = None
        for i in range(max(1, a.repeat)):
            s = run([a.loom, "sim", out, "--random", str(a.frames)])
            try:
                with open(os.path.join(out, "sim.json")) as f:
                    js = json.load(f)
            except (OSError, ValueError):
                js = None
            if s.returncode != 0 or js is None or js.get("mismatches") != 0:
                failed = True
                js = None
                break
            if build is None:
                build = js["build_seconds"]
            first = first or js
            best = max(best, js["cycles_per_second"])
        if js is None or first is None:
            print(fmt.format(name[:34], a.frames, "-", "-", "sim failed", "", "", ""))
            continue
        print(fmt.format(name[:34], a.frames, "%.1f" % build, first["cycles"],
                         "%.0f" % first["cycles_per_second"], "%.0f" % best,
                         "%.2f" % first["model_eval_seconds"],
                         "%.2f" % first["harness_seconds"]))
        sys.stdout.flush()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
