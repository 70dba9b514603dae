#!/usr/bin/python3
"""e2e.lint_determinism: reproducible output and lint-clean RTL.

1. Compile the same model (same command line except -o) into two OUT dirs:
   every file in rtl/ and every IR dump must be byte-identical, and
   report.json identical (no field may depend on the OUT path or the time).
2. `verilator --lint-only -Wall --top-module TOP <sv_files in order>` run in
   OUT/rtl must exit 0 with empty stderr, for a default and a folded design
   of several models.
"""
import filecmp
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402


def lint(c, out, label):
    rep = E.read_json(os.path.join(out, "report.json"))
    argv = ["verilator", "--lint-only", "-Wall", "--top-module", rep["top"]] + rep["sv_files"]
    p = subprocess.run(argv, cwd=os.path.join(out, "rtl"), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    msg = (p.stderr + p.stdout).strip()
    ok = c.check(p.returncode == 0 and not p.stderr.strip(),
                 "%s: verilator lint exit %d, output:\n%s" % (label, p.returncode, msg[:3000]))
    print("lint %-45s %s" % (label, "clean" if ok else "WARNINGS"))


def main():
    loom, src, work = E.parse_args()
    if not shutil.which("verilator"):
        print("verilator not on PATH: skipped")
        return E.SKIP
    mdir = E.gen_models(src, os.path.join(work, "models"))
    deep = E.gen_deep_models(mdir)
    c = E.Checker("e2e.lint_determinism")

    # --- determinism ---------------------------------------------------------
    for name, extra in (("keras_mlp_relu_softmax", []), (deep[0], ["--max-mults", "32"])):
        model = os.path.join(mdir, name + ".onnx")
        outs = [os.path.join(work, "det", "%s_%s" % (name, k)) for k in "ab"]
        for o in outs:
            r = E.run(loom, "compile", model, "-o", o, *extra)
            c.check(r.rc == 0, "%s: compile failed: %s" % (name, r.describe()))
        if not all(os.path.exists(os.path.join(o, "report.json")) for o in outs):
            continue
        a, b = outs
        files_a = sorted(os.listdir(os.path.join(a, "rtl")))
        files_b = sorted(os.listdir(os.path.join(b, "rtl")))
        c.check(files_a == files_b, "%s: rtl/ file lists differ: %s vs %s" % (name, files_a, files_b))
        diff = [f for f in files_a if f in files_b and
                not filecmp.cmp(os.path.join(a, "rtl", f), os.path.join(b, "rtl", f), shallow=False)]
        c.check(not diff, "%s: rtl/ files differ between two compiles: %s" % (name, diff))
        for f in sorted(os.listdir(a)):
            pa, pb = os.path.join(a, f), os.path.join(b, f)
            if os.path.isfile(pa):
                same = os.path.isfile(pb) and filecmp.cmp(pa, pb, shallow=False)
                if not same and f == "report.json":
                    ja, jb = E.read_json(pa), E.read_json(pb)
                    fields = sorted(k for k in set(ja) | set(jb) if ja.get(k) != jb.get(k))
                    c.check(False, "%s: report.json differs in fields %s (%s)"
                            % (name, fields, {k: (ja.get(k), jb.get(k)) for k in fields}))
                else:
                    c.check(same, "%s: %s differs between two compiles" % (name, f))
        rep = E.read_json(os.path.join(a, "report.json"))
        c.check(os.path.abspath(a) not in open(os.path.join(a, "report.json")).read(),
                "%s: report.json contains the OUT path" % name)
        c.check(rep["sv_files"][-1] == rep["top"] + ".sv" and
                all(os.path.exists(os.path.join(a, "rtl", f)) for f in rep["sv_files"]),
                "%s: sv_files %s do not all exist in rtl/ or do not end with the top" % (name, rep["sv_files"]))
        print("determinism %-40s %d rtl files, %s" % (name + " " + " ".join(extra), len(files_a),
                                                     "identical" if not diff else "DIFFERENT"))
        lint(c, a, name + (" " + " ".join(extra) if extra else ""))

    # --- lint over more designs ---------------------------------------------
    for name, extra in (("keras_reshape_tanh_sigmoid", []), ("torch_mlp_gemm_dropout", ["--max-mults", "8"]),
                        ("dense_batchnorm_relu", []), (deep[1], []), (deep[1], ["--max-mults", "8"])):
        o = os.path.join(work, "lint", name + "_".join([""] + extra).replace("--", ""))
        r = E.run(loom, "compile", os.path.join(mdir, name + ".onnx"), "-o", o, *extra)
        if c.check(r.rc == 0, "%s: compile failed: %s" % (name, r.describe())):
            lint(c, o, name + (" " + " ".join(extra) if extra else ""))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
