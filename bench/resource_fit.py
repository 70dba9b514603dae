#!/usr/bin/python3
"""Resource model vs Yosys synth_xilinx: per actor and per design.

    /usr/bin/python3 bench/resource_fit.py --loom build/bin/loom [--work DIR]
        [--runs "MODEL[@BUDGET];..."] [--part xc7z020] [--no-actors] [--no-designs]

For every run (default: the shared jet tagger and two_layer_keras, each at the
default folding and at a small --max-mults budget, the binary net, the MNIST CNN at
its default and at 256 multipliers, the MLPerf autoencoder at --max-mults 64) it

1. compiles the model (`loom compile MODEL -o OUT [--max-mults B] --part P`);
2. synthesizes every actor instance of OUT/rtl/<top>.sv alone, with its real
   parameters and memory images (a wrapper around that one instance, Yosys
   synth_xilinx -family xc7, hierarchy kept) and records the LUT / FF / BRAM /
   DSP counts of the instance's module and its submodules (not the wrapper's
   I/O buffers). These rows are the data the per-module model
   (hw_model/Cost.cpp) was fitted to: the script prints each actor's
   parameters, its estimate from report.json and the synthesized numbers;
3. runs `loom synth OUT --target xilinx-7 --part P` on the whole design and
   prints the error table: report.json's luts/ffs/brams/dsps_estimate against
   synth.json, in percent.

Results are cached in WORK/cache.json (keyed by module, parameters and memory
contents), so a rerun only synthesizes what changed (a first run takes about an
hour on two cores: the autoencoder's 640-input layer and the CNN's sliding
window take 10+ minutes of Yosys each). `--fit` prints the least squares
coefficients of the loom_mvu LUT and FF features (hw_model/Resources.cpp; see
hw_model/README.md, "Resource model") over the actor rows.
"""
import argparse
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
SHARED = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")
# The runs the loom_mvu coefficients were fitted on (hw_model/README.md).
DEFAULT_RUNS = ("jet_tagger_16_64_32_32_5;jet_tagger_16_64_32_32_5@64;"
                "two_layer_keras;two_layer_keras@8;qonnx_bnn_fc_1layer;"
                "mnist_conv_modelzoo;mnist_conv_modelzoo@256;mlperf_tiny_ad_autoencoder@64")

# 7-series cells counted as LUTs, as flows/Synth.cpp counts them (LUTRAM and SRLs included).
LUT_CELLS = {"LUT1": 1, "LUT2": 1, "LUT3": 1, "LUT4": 1, "LUT5": 1, "LUT6": 1, "LUT6_2": 1,
             "SRL16E": 1, "SRLC32E": 1, "RAM32X1S": 1, "RAM64X1S": 1, "RAM32X1D": 2,
             "RAM64X1D": 2, "RAM128X1D": 4, "RAM128X1S": 2, "RAM256X1S": 4, "RAM32M": 4,
             "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8}


def count(cells):
    c = {"luts": 0, "ffs": 0, "brams": 0.0, "dsps": 0}
    for t, n in cells.items():
        if t in LUT_CELLS:
            c["luts"] += n * LUT_CELLS[t]
        elif t in ("FDRE", "FDSE", "FDCE", "FDPE"):
            c["ffs"] += n
        elif t == "RAMB36E1":
            c["brams"] += n
        elif t == "RAMB18E1":
            c["brams"] += 0.5 * n
        elif t.startswith("DSP48"):
            c["dsps"] += n
    return c


def module_ports(path, module):
    """(direction, width expression, name) of each port of `module` in `path`."""
    # comments out first: a "(...);" in one would end the port list early
    text = re.sub(r"//[^\n]*", "", open(path).read())
    m = re.search(r"module\s+%s\b.*?\)\s*;" % module, text, re.S)
    ports = []
    for d, w, n in re.findall(r"\b(input|output)\s+logic\s*(\[[^\]]*\])?\s*(\w+)", m.group(0)):
        ports.append((d, w, n))
    return ports


def rtl_file(module):
    for sub in ("compute", "stream"):
        p = os.path.join(SRC, "rtl", sub, module + ".sv")
        if os.path.exists(p):
            return p
    return None


def synth_instance(module, params, rtl_dir, files, work, cache):
    """Counts of one instance of `module` with `params` (name -> Verilog text)."""
    mems = [v.strip('"') for v in params.values() if v.startswith('"') and v.strip('"')]
    h = hashlib.sha1((module + json.dumps(sorted(params.items()))).encode())
    for m in mems:
        h.update(open(os.path.join(rtl_dir, m), "rb").read())
    for f in files:  # the library's source: an RTL change is a new measurement
        h.update(open(os.path.join(rtl_dir, f), "rb").read())
    key = h.hexdigest()
    if key in cache:
        return cache[key]
    ports = module_ports(rtl_file(module), module)
    plist = ", ".join("parameter %s = %s" % (k, v) for k, v in params.items())
    decl = ", ".join("%s logic %s %s" % (d, w, n) for d, w, n in ports)
    conn = ", ".join(".%s(%s)" % (n, n) for _, _, n in ports)
    wrapper = ("module bench_top #(%s) (%s);\n  %s #(%s) u (%s);\nendmodule\n"
               % (plist, decl, module, ", ".join(".%s(%s)" % (k, k) for k in params), conn))
    d = tempfile.mkdtemp(dir=work)
    open(os.path.join(d, "top.sv"), "w").write(wrapper)
    script = ("read_verilog -sv %s %s/top.sv\nsynth_xilinx -family xc7 -top bench_top\n"
              "tee -q -o %s/stat.json stat -json -top bench_top\n" % (" ".join(files), d, d))
    open(os.path.join(d, "s.ys"), "w").write(script)
    subprocess.run(["yosys", "-q", "-s", os.path.join(d, "s.ys")], cwd=rtl_dir, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lines = [l for l in open(os.path.join(d, "stat.json")) if l.strip()[:1] in '"{}[]']
    stat = json.loads("".join(lines))
    total = {"luts": 0, "ffs": 0, "brams": 0.0, "dsps": 0}
    # the design total minus the wrapper's own cells (I/O buffers)
    c = count(stat["design"]["num_cells_by_type"])
    for k in total:
        total[k] = c[k]
    cache[key] = total
    return total


INSTANCE = re.compile(r"^\s*(loom_\w+)\s*#\((.*?)\)\s*(\w+)\s*\(", re.S | re.M)


def instances(top_sv):
    """(module, params, instance name) of every library instance in the top."""
    text = open(top_sv).read()
    out = []
    for mod, ptext, name in INSTANCE.findall(text):
        params = dict(re.findall(r"\.(\w+)\s*\(\s*([^()]*?)\s*\)\s*(?:,|$)", ptext.strip()))
        out.append((mod, params, name))
    return out


def clog2(n):
    return max(0, (int(n) - 1).bit_length())


def select_muxes(bits, xw, sfn):
    """Resources.cpp selectMuxes: the 2:1 multiplexers Yosys keeps of the operand select
    rd_flat[sf * XW +: XW] (a shifter over the live bits of sf * XW, lowest stage first,
    trimmed from the output back to the bits that can reach it)."""
    if sfn < 2:
        return 0
    tz = (xw & -xw).bit_length() - 1
    need = (1 << min(xw, bits)) - 1
    full = (1 << bits) - 1
    muxes = 0
    for j in reversed(range(tz, ((sfn - 1) * xw).bit_length())):
        sh = 1 << j
        live = need & ((1 << max(0, bits - sh)) - 1)
        muxes += bin(live).count("1")
        need = (need | (live << sh)) & full
    return muxes


def select_luts(p):
    """Resources.cpp: the operand select's LUTs (not fitted here: measured on the select
    alone, 0.87 LUT a mux for a power-of-two XW, 0.66 otherwise; 0.3324 a bank bit for a
    one-stage select or a word mux)."""
    g = {k: int(v) for k, v in p.items() if not v.startswith('"')}
    K, SIMD, IB = g["K"], g["SIMD"], g["K"] // g["IN_BEAT"]
    SF, XW, bits = K // SIMD, SIMD * g["W_IN"], K * g["W_IN"]
    if K % SIMD:  # a flat unit: the rotating copy and the split sums (refitted by hand)
        return 3.28 * K * g["W_IN"] + 0.65 * g["PE"] * SIMD * g["W_ACC"] * math.log2(SIMD)
    if SF <= 1:
        return 0
    if SF == 2 or (SIMD == 1 and g["IN_BEAT"] == 1 and IB > 16):
        return 0.3324 * bits
    return (0.87 if XW & (XW - 1) == 0 else 0.66) * select_muxes(bits, XW, SF)


def mvu_features(p):
    """The loom_mvu LUT features whose coefficients are fitted (Resources.cpp kMvu*):
    per-PE requantisation, the input bank held in flip-flops, a constant."""
    g = {k: int(v) for k, v in p.items() if not v.startswith('"')}
    K, PE, IB = g["K"], g["PE"], g["K"] // g["IN_BEAT"]
    W_IN, W_W, W_ACC, W_OUT = g["W_IN"], g["W_W"], g["W_ACC"], g["W_OUT"]
    wa = max(W_ACC, W_IN + W_W)
    bank_ff = 2 * K * W_IN if IB > 16 else 0
    return [PE * (wa + W_OUT), bank_ff, 1]


def rom_luts_per_bit(d):
    if d <= 1:
        return 0
    return -(-d // 64) + ((-(-d // 256)) - 1 if d > 256 else 0)


def bram_cost(d, w):
    best = None
    for big in (0, 1):
        for bw in (1, 2, 4, 9, 18, 36, 72):
            if not big and bw == 72:
                continue
            words = (32768 if big else 16384) // (bw // 9 * 8 if bw >= 9 else bw)
            n = -(-w // bw) * -(-d // words)
            c = n * (257 if big else 129)
            if best is None or c < best[0]:
                best = (c, n if big else 0.5 * n)
    return best


def rom_luts(d, w):
    """Resources.cpp romResources: LUTs of a synchronous ROM (0 if block RAM)."""
    if d <= 1:
        return 0
    if d * w / 64.0 > bram_cost(d, w)[0]:
        return 0
    cols = min(w, 2 ** d) if d <= 16 else w
    return cols * rom_luts_per_bit(d)


def mvu_structural(p):
    """Resources.cpp: the loom_mvu LUTs that are not fitted (memories, FIFO)."""
    g = {k: int(v) for k, v in p.items() if not v.startswith('"')}
    K, N, SIMD, PE, IB = g["K"], g["N"], g["SIMD"], g["PE"], g["K"] // g["IN_BEAT"]
    W_IN, W_W, W_ACC, W_OUT = g["W_IN"], g["W_W"], g["W_ACC"], g["W_OUT"]
    NF, SF = N // PE, K // SIMD
    luts = rom_luts(NF * SF, PE * SIMD * W_W) + rom_luts(NF, PE * W_ACC) + select_luts(p)
    if IB <= 16:
        luts += IB * 4 * -(-(g["IN_BEAT"] * W_IN) // 6)
    if g.get("ACT") == 2:
        luts += int(0.4 * PE * W_OUT * rom_luts_per_bit(g.get("T_DEPTH", 1)))
    luts += 4 * -(-(PE * W_OUT) // 6) + 2 * (3 + 4) + 8  # output FIFO
    return luts


def mvu_ff_structural(p):
    """Resources.cpp: the loom_mvu FFs that are not fitted: the weight ROM's read
    register in fabric (16 lines or more, not block RAM; shallower ROMs are logic and
    the register is the DSP48s' B register) and a flat unit's rotating copy."""
    g = {k: int(v) for k, v in p.items() if not v.startswith('"')}
    K, N, SIMD, PE = g["K"], g["N"], g["SIMD"], g["PE"]
    ff = 0
    if K % SIMD:
        ff += K * g["W_IN"]
    else:
        lines, bits = (N // PE) * (K // SIMD), PE * SIMD * g["W_W"]
        if lines >= 16 and rom_luts(lines, bits) > 0:
            ff += bits
    return ff


def mvu_ff_features(p):
    """FF features: input bank in flip-flops, per-PE registers, a constant."""
    g = {k: int(v) for k, v in p.items() if not v.startswith('"')}
    K, PE, IB = g["K"], g["PE"], g["K"] // g["IN_BEAT"]
    bank = 2 * K * g["W_IN"] if IB > 16 else 0
    return [bank, PE * (g["W_ACC"] + g["W_OUT"]), 1]


def fit(rows):
    """Least squares of loom_mvu's synthesized LUTs minus the structural part
    (memories, FIFO, tables) on mvu_features, and of its FFs on
    mvu_ff_features; prints the coefficients and each row's error."""
    import numpy as np
    mv = [r for r in rows if r["module"] == "loom_mvu"]
    X = np.array([mvu_features(r["params"]) for r in mv], float)
    st = np.array([mvu_structural(r["params"]) for r in mv], float)
    y = np.array([r["synth"]["luts"] for r in mv], float)
    cl, *_ = np.linalg.lstsq(X, y - st, rcond=None)
    Xf = np.array([mvu_ff_features(r["params"]) for r in mv], float)
    sf = np.array([mvu_ff_structural(r["params"]) for r in mv], float)
    yf = np.array([r["synth"]["ffs"] for r in mv], float)
    # relative least squares: the small units' control decides their error
    wf = 1.0 / yf
    cf, *_ = np.linalg.lstsq(Xf * wf[:, None], (yf - sf) * wf, rcond=None)
    print("\nloom_mvu fit over %d instances" % len(mv))
    print("  LUTs: kRqLutsPerBit %.3f  kBankFfLutsPerBit %.3f  kMvuLuts %.1f" % tuple(cl))
    print("  FFs:  kBankFfsPerBit %.3f  kRqFfsPerBit %.3f  kMvuFfs %.1f (the output FIFO's "
          "pointers included)" % tuple(cf))
    for r, pl, pf in zip(mv, st + X @ cl, sf + Xf @ cf):
        g, s = r["params"], r["synth"]
        print("  K=%-3s N=%-3s SIMD=%-3s PE=%-3s IN_BEAT=%-3s W_IN=%-3s LUT %5d fit %5d (%+4.0f%%)"
              "  FF %5d fit %5d (%+4.0f%%)" % (g["K"], g["N"], g["SIMD"], g["PE"], g["IN_BEAT"],
                                              g["W_IN"], s["luts"], pl, pct_num(pl, s["luts"]),
                                              s["ffs"], pf, pct_num(pf, s["ffs"])))


def pct_num(est, real):
    return 100.0 * (est - real) / real if real else 0.0


def save_cache(cache, path):
    """Merges with what another run may have written meanwhile."""
    if os.path.exists(path):
        for k, v in json.load(open(path)).items():
            cache.setdefault(k, v)
    json.dump(cache, open(path + ".tmp", "w"))
    os.replace(path + ".tmp", path)


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if r.returncode:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), r.stderr.strip()))
    return r


def pct(est, real):
    if not real:
        return "  -  " if not est else " inf "
    return "%+5.0f%%" % (100.0 * (est - real) / real)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--loom", default=os.path.join(SRC, "build", "bin", "loom"))
    ap.add_argument("--work", default="/tmp/loom_resource_fit")
    ap.add_argument("--runs", default=DEFAULT_RUNS)
    ap.add_argument("--part", default="xc7z020")
    ap.add_argument("--compile-part", action="store_true",
                    help="also pass --part to loom compile (folding fits the part)")
    ap.add_argument("--no-actors", action="store_true", help="skip per-actor synthesis")
    ap.add_argument("--no-designs", action="store_true", help="skip whole-design loom synth")
    ap.add_argument("--fit", action="store_true",
                    help="also refit the loom_mvu coefficients from the actor rows")
    ap.add_argument("--fit-only", action="store_true", help="--fit without designs")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    cache_path = os.path.join(a.work, "cache.json")
    cache = json.load(open(cache_path)) if os.path.exists(cache_path) else {}
    table, rows = [], []
    for spec in a.runs.split(";"):
        model, _, budget = spec.partition("@")
        onnx = model if model.endswith(".onnx") else os.path.join(SHARED, model + ".onnx")
        label = os.path.basename(onnx)[:-5] + ("@" + budget if budget else "@default")
        out = os.path.join(a.work, label.replace("@", "_"))
        cmd = [a.loom, "compile", onnx, "-o", out] + (["--part", a.part] if a.compile_part else [])
        if budget:
            cmd += ["--max-mults", budget]
        run(cmd)
        rep = json.load(open(os.path.join(out, "report.json")))
        rtl = os.path.join(out, "rtl")
        files = [f for f in rep["sv_files"]]
        if not a.no_actors:
            print("== %s: per actor (estimate / synth_xilinx)" % label, flush=True)
            # One library instance per actor, in the order of report.json's actors.
            # (the top's port adapters are not actors).
            insts = [x for x in instances(os.path.join(rtl, rep["top"] + ".sv"))
                     if x[0] not in ("loom_tlast_gen", "loom_axis_width", "loom_reset_n",
                                     "loom_wt_bus", "loom_stream_check")]
            for (mod, params, name), act in zip(insts, rep["actors"]):
                s = synth_instance(mod, params, rtl, files, a.work, cache)
                save_cache(cache, cache_path)
                rows.append({"run": label, "module": mod, "params": params, "synth": s})
                est = {k: act.get(k + "_estimate", 0) for k in ("luts", "ffs", "brams", "dsps")}
                ps = " ".join("%s=%s" % (k, v) for k, v in params.items() if not v.startswith('"'))
                print("  %-12s %-22s LUT %6s/%-6d FF %6s/%-6d BRAM %4s/%-4s DSP %4s/%-4d  %s"
                      % (mod, name[:22], est.get("luts", "?"), s["luts"], est.get("ffs", "?"),
                         s["ffs"], est.get("brams", "?"), s["brams"], est.get("dsps", "?"),
                         s["dsps"], ps), flush=True)
        if rows:  # a --no-actors run keeps the actor rows of an earlier one
            with open(os.path.join(a.work, "rows.json"), "w") as f:
                json.dump(rows, f, indent=1)
        if a.fit_only:
            continue
        if not a.no_designs:
            # Whole designs are cached by the content of OUT/rtl, like the actors.
            h = hashlib.sha1(a.part.encode())
            for f in sorted(os.listdir(rtl)):
                h.update(f.encode() + open(os.path.join(rtl, f), "rb").read())
            key = "design-" + h.hexdigest()
            if key not in cache:
                run([a.loom, "synth", out, "--target", "xilinx-7", "--part", a.part,
                     "--timeout", "3000"])
                syn = json.load(open(os.path.join(out, "synth.json")))
                cache[key] = {k: syn[k] for k in ("luts", "ffs", "brams", "dsps")}
                save_cache(cache, cache_path)
            s = cache[key]
            row = [label, rep["total_multipliers"]]
            for k in ("luts", "ffs", "brams", "dsps"):
                row += [rep.get(k + "_estimate", 0), s[k]]
            table.append(row)
    if (a.fit or a.fit_only) and rows:
        fit(rows)
    if table:
        print("\n%-34s %5s  %-20s %-20s %-16s %-16s" % ("model@budget", "mults", "LUT est/synth",
                                                        "FF est/synth", "BRAM est/synth",
                                                        "DSP est/synth"))
        for r in table:
            cells = []
            for i in range(4):
                e, s = r[2 + 2 * i], r[3 + 2 * i]
                cells.append("%g/%g %s" % (e, s, pct(e, s)))
            print("%-34s %5d  %-20s %-20s %-16s %-16s" % (r[0], r[1], *cells))


if __name__ == "__main__":
    main()
