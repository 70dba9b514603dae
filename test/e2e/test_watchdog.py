#!/usr/bin/python3
"""e2e.watchdog: a deadlocked design names the stuck actor.

Compiles the generated residual conv model (test/models/gen_conv_models.py),
then starves its skip branch by editing the emitted top: the FIFO in front of
the join's second input gets DEPTH 2 instead of the size hw_model chose. The
fork then cannot hand the skip copy over, the conv branch runs dry and the
join waits forever. `loom sim` must fail with one `loom: error:` line that
says "deadlock" and names the join (a loom_add instance) as the stuck actor.
The unmodified design must simulate cleanly (the fault is the edit).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.watchdog")
    models = os.path.join(work, "models")
    gen = os.path.join(src, "test", "models", "gen_conv_models.py")
    E.subprocess.run([sys.executable, gen, models], check=True, stdout=E.subprocess.DEVNULL)
    out = os.path.join(work, "residual")
    r = E.run(loom, "run", os.path.join(models, "residual.onnx"), "-o", out, "--random", 2)
    if not c.check(r.rc == 0, "unmodified residual design simulates: " + r.describe()):
        return c.finish()
    rep = E.read_json(os.path.join(out, "report.json"))
    top = os.path.join(out, "rtl", rep["top"] + ".sv")
    text = open(top).read()
    # The FIFO feeding the join's second input (the skip edge).
    m = re.search(r"loom_fifo #\(\s*\.DEPTH\((\d+)\),([^;]*?)\) (\w+_in1_fifo) \(", text)
    if not c.check(m is not None, "found the skip FIFO (…_in1_fifo) in " + top):
        return c.finish()
    c.check(int(m.group(1)) > 2, "hw_model sized the skip FIFO deeper than 2 (got %s)" % m.group(1))
    text = text[:m.start(1)] + "2" + text[m.end(1):]
    with open(top, "w") as f:
        f.write(text)
    r = E.run(loom, "sim", out, "--random", 2)
    lines = [l for l in r.err.splitlines() if l.strip()]
    c.check(r.rc != 0, "starved design fails: " + r.describe())
    c.check(len(lines) == 1 and lines[0].startswith("loom: error:") and "deadlock" in lines[0],
            "one-line deadlock error: " + r.describe())
    named = re.search(r"stuck actor: '([^']+)' \(loom_add\)", r.err)
    c.check(named is not None, "the error names the join as the stuck actor: " + r.err.strip())
    if named:
        print("named: " + named.group(0))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
