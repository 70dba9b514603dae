#!/usr/bin/env python3
"""Builds every RTL library module across the parameter ranges real models reach
(issue 10.6): channels 1 to 1024, kernels 1 to 7 (and global windows), strides,
dilations, pools over 1 to 4096 pixels, widths 1 to 32 bits.

Each corner set is checked twice, as `loom compile` output is used:
  verilator --lint-only -Wall          (the e2e lint test's flags)
  verilator --cc --assert              (the translation a Verilator build runs; it
                                        reports what lint does not, e.g. BLKLOOPINIT)
The C++ is not compiled: the rtl.tb.* benches simulate the modules.
Usage: param_sweep.py VERILATOR RTL_DIR WORK_DIR [JOBS]"""
import concurrent.futures
import os
import subprocess
import sys

# (module, {parameter: value}); file-name parameters are quoted strings.
CASES = [
    # ---- streams: widths 1 .. 32 lanes of 32 bits, depths 1 .. 4096
    ("loom_fifo", dict(W=1, DEPTH=1)),
    ("loom_fifo", dict(W=1024, DEPTH=2)),
    ("loom_fifo", dict(W=32, DEPTH=4096)),
    ("loom_skid", dict(W=1)),
    ("loom_skid", dict(W=1024)),
    ("loom_tlast_gen", dict(W=1, BEATS=1)),
    ("loom_tlast_gen", dict(W=256, BEATS=4096)),
    ("loom_fork", dict(W=1)),
    ("loom_fork", dict(W=8192)),
    # ---- dense: 1 .. 1024 inputs and outputs, PE beyond Verilator's unroll limit (64)
    ("loom_mvu", dict(K=1, N=1, SIMD=1, PE=1, IN_BEAT=1, W_IN=1, W_W=1, W_ACC=2, W_OUT=1)),
    ("loom_mvu", dict(K=1024, N=1024, SIMD=32, PE=32, IN_BEAT=32, ACT=1, SHIFT=7)),
    ("loom_mvu", dict(K=128, N=128, SIMD=16, PE=128, IN_BEAT=16, ACT=2, T_MIN=-128, T_MAX=127,
                      T_SHIFT=0, T_DEPTH=256, T_FILE='"t.mem"', W_FILE='"w.mem"',
                      B_FILE='"b.mem"')),
    ("loom_mvu", dict(K=4608, N=512, SIMD=64, PE=8, IN_BEAT=64, W_IN=32, W_W=32, W_ACC=64,
                      W_OUT=32, W_M=25, SHIFT=62, ACT=3, T_MIN=-1000, T_MAX=1000,
                      M_FILE='"m.mem"')),
    ("loom_mvu", dict(K=256, N=96, SIMD=256, PE=96, IN_BEAT=256, W_IN=2, W_W=1, BIPOLAR_W=1,
                      W_ACC=10, W_OUT=2, ACT=5)),
    ("loom_mvu", dict(K=64, N=80, SIMD=8, PE=80, IN_BEAT=8, W_OUT=16, ACT=4, W_LA=18,
                      LA_FILE='"la.mem"')),
    ("loom_mvu", dict(K=1024, N=64, SIMD=32, PE=64, IN_BEAT=32, W_IN=3, W_W=3, W_ACC=16,
                      W_OUT=3, W_M=24, W_PB=26, SHIFT=40, ACT=3, T_MIN=-4, T_MAX=3,
                      M_FILE='"m.mem"', PB_FILE='"pb.mem"')),
    # ---- depthwise: 1 .. 1024 channels, 1x1 .. 7x7 kernels
    ("loom_dwu", dict(C=1, KK=1, SIMD=1, PE=1, IN_BEAT=1, W_IN=1, W_W=1, BIPOLAR_W=1,
                      W_ACC=2, W_OUT=2, ACT=5)),
    ("loom_dwu", dict(C=1024, KK=9, SIMD=9, PE=128, IN_BEAT=128, ACT=3, T_MIN=0, T_MAX=6)),
    ("loom_dwu", dict(C=96, KK=49, SIMD=7, PE=96, IN_BEAT=96, W_IN=16, W_W=16, W_ACC=40,
                      W_OUT=16, W_M=20, SHIFT=30, ACT=4, LEAKY_A=3277)),
    ("loom_dwu", dict(C=512, KK=25, SIMD=1, PE=1, IN_BEAT=1, W_OUT=32, W_ACC=32)),
    ("loom_dwu", dict(C=1024, KK=9, SIMD=9, PE=1024, IN_BEAT=1024, W_PB=48, SHIFT=62,
                      W_ACC=32, W_OUT=32)),
    # ---- gearbox units (pe = N, folded across a frame's vectors): a 1-bit unit, the
    # widest gearbox, a dense unit that does not divide K
    ("loom_mvu_stream", dict(K=1, N=1, SIMD=1, PE=1, IN_BEAT=1, VECTORS=1, W_IN=1, W_W=1,
                             W_ACC=2, W_OUT=1)),
    # a whole 3x3 window over 32 channels a beat: an 11,232-bit gearbox
    ("loom_mvu_stream", dict(K=288, N=32, SIMD=9, PE=32, IN_BEAT=288, VECTORS=125, DW_KK=9,
                             W_IN=13, W_W=12, W_ACC=29, W_OUT=13, ACT=1, SHIFT=9)),
    ("loom_mvu_stream", dict(K=1024, N=64, SIMD=100, PE=64, IN_BEAT=64, VECTORS=49,
                             W_IN=16, W_W=16, W_ACC=40, W_OUT=16)),
    # ---- sliding windows: kernels 1 .. 7, strides, dilations, global windows
    ("loom_swg", dict(C=1, H=1, W=1, KH=1, KW=1, PT=0, PL=0, PB=0, PR=0, IN_BEAT=1,
                      OUT_BEAT=1, WB=1)),
    ("loom_swg", dict(C=3, H=224, W=224, KH=7, KW=7, SH=2, SW=2, PT=3, PL=3, PB=3, PR=3,
                      IN_BEAT=3, OUT_BEAT=21)),
    ("loom_swg", dict(C=64, H=32, W=32, KH=3, KW=3, DH=2, DW=2, PT=2, PL=2, PB=2, PR=2,
                      IN_BEAT=16, OUT_BEAT=64)),
    ("loom_swg", dict(C=1024, H=7, W=7, KH=7, KW=7, PT=0, PL=0, PB=0, PR=0, IN_BEAT=32,
                      OUT_BEAT=32, WB=32)),
    ("loom_swg", dict(C=1024, H=2, W=2, KH=1, KW=1, SH=2, SW=2, PT=0, PL=0, PB=0, PR=0,
                      IN_BEAT=1024, OUT_BEAT=1024)),
    ("loom_swg", dict(C=16, H=1, W=4096, KH=1, KW=7, SW=3, PT=0, PB=0, PL=3, PR=3,
                      IN_BEAT=16, OUT_BEAT=112)),
    # ---- pooling: windows of 1 .. 4096 pixels, 1 .. 1024 channels
    ("loom_pool", dict(MODE=0, C=1, KK=1, IN_BEAT=1, PE=1, WB=1)),
    ("loom_pool", dict(MODE=1, C=1024, KK=49, IN_BEAT=32, PE=32, NPIX=1, DIV=49)),
    ("loom_pool", dict(MODE=1, C=512, KK=4096, IN_BEAT=512, PE=512, NPIX=1, DIV=4096, WB=32)),
    ("loom_pool", dict(MODE=0, C=1024, KK=9, IN_BEAT=1024, PE=1024, NPIX=3136, WB=16)),
    ("loom_pool", dict(MODE=1, C=256, KK=9, IN_BEAT=16, PE=16, NPIX=4096, RND=3,
                       D_FILE='"d.mem"')),
    ("loom_pool", dict(MODE=1, C=8, KK=4, IN_BEAT=2, PE=2, NPIX=4, DIV=1073741824, RND=5)),
    # ---- elementwise and shape
    ("loom_add", dict(LANES=1, WB=1)),
    ("loom_add", dict(LANES=1024, WB=32, MODE=2, MA=16777215, MB=1, S=62, CLIP=1, LO=0,
                      HI=6)),
    ("loom_add", dict(LANES=64, WB=16, MODE=1, F=15, RELU=1)),
    ("loom_concat", dict(C1=1, C2=1, LANES=1, WB=1)),
    ("loom_concat", dict(C1=1024, C2=512, LANES=512, WB=32, RELU=1)),
    ("loom_upsample", dict(C=1, H=1, W=1, SH=1, SW=1, LANES=1, WB=1)),
    ("loom_upsample", dict(C=1024, H=7, W=7, SH=7, SW=7, LANES=32, WB=32)),
    ("loom_upsample", dict(C=64, H=64, W=64, SH=2, SW=2, LANES=64)),
    ("loom_layernorm", dict(C=1, IN_BEAT=1)),
    ("loom_layernorm", dict(C=64, IN_BEAT=4, W_V=27, W_T=16, W_U=22, W_Z=45, R=42, SH1=18, RMS=1)),
    ("loom_layernorm", dict(C=1024, IN_BEAT=8, W_IN=16, W_OUT=16, W_V=51, W_T=29, W_U=24,
                            W_G=16, W_B=48, W_Z=64, R=54, SH1=30, SH2=30, E=100000, ES=4,
                            G_FILE='"g.mem"', B_FILE='"b.mem"')),
    ("loom_layernorm", dict(C=768, IN_BEAT=32, W_IN=8, W_OUT=8, W_V=35, W_T=19, W_U=24,
                            R=46, SH1=22, SH2=0, LO=0)),
    ("loom_embed", dict(V=1, C=1, T=1, W_ID=1)),
    ("loom_embed", dict(V=4096, C=1024, T=64, OUT_BEAT=16, W_ID=12, W_OUT=16, POS=1,
                        LO=-32768, HI=32767, E_FILE='"e.mem"', P_FILE='"p.mem"')),
    ("loom_embed", dict(V=50, C=768, T=3, OUT_BEAT=768, W_ID=6, W_OUT=8, LO=0)),
    ("loom_rotary", dict(T=1, C=2, D=2)),
    ("loom_rotary", dict(T=64, C=1024, D=128, IN_BEAT=32, W_IN=16, W_OUT=16, W_ACC=32, W_M=25,
                         M=8388608, SH=37, LO=-32768, HI=32767, COS_FILE='"cos.mem"',
                         SIN_FILE='"sin.mem"')),
    ("loom_rotary", dict(T=3, C=768, D=6, IN_BEAT=768, W_IN=8, W_OUT=8, W_ACC=24, SH=0, LO=0)),
    ("loom_attention", dict(T=1, C=1, H=1)),
    ("loom_attention", dict(T=64, C=256, H=8, SIMD=32, CAUSAL=1, IN_BEAT_Q=256, IN_BEAT_K=8,
                            W_IN=16, W_OUT=16, W_A=37, W_S=21, W_U=37, W_R=26, EXP_SHIFT=15,
                            EXP_DEPTH=2897, EXP_FILE='"exp.mem"')),
    ("loom_attention", dict(T=64, C=256, H=8, SIMD=1, CAUSAL=0, W_A=21, W_S=21, W_U=29,
                            W_R=26, EXP_SHIFT=3, EXP_DEPTH=2897, SH=0, M=3, W_M=3)),
    ("loom_softmax", dict(N=1, IN_BEAT=1, EXP_DEPTH=1)),
    ("loom_softmax", dict(N=1000, IN_BEAT=8, W=32, F=20, EXP_SHIFT=8, EXP_DEPTH=1024,
                          EXP_FILE='"exp.mem"')),
    ("loom_softmax_pipe", dict(N=1, IN_BEAT=1, EXP_DEPTH=1)),
    ("loom_softmax_pipe", dict(N=1000, IN_BEAT=8, OUT_BEAT=1, W=32, F=20, EXP_SHIFT=8,
                               EXP_DEPTH=1024, EXP_FILE='"exp.mem"')),
    ("loom_softmax_pipe", dict(N=64, IN_BEAT=64, OUT_BEAT=64, W=16, F=10, EXP_DEPTH=256)),
]


def sources(rtl):
    files = [os.path.join(rtl, "pkg", "loom_pkg.sv")]  # the package first
    for sub in ("stream", "compute"):
        d = os.path.join(rtl, sub)
        files += sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".sv"))
    return files


def check(verilator, files, work, idx, module, params):
    gargs = ["-G%s=%s" % kv for kv in params.items()]
    base = [verilator, "--top-module", module] + gargs
    mdir = os.path.join(work, "c%02d" % idx)
    # the plain forms, the SystemVerilog simulation forms, and those `loom sim` runs (DPI)
    runs = [base + ["--lint-only", "-Wall"] + files,
            base + ["--lint-only", "-Wall", "+define+LOOM_PLAIN_RTL"] + files,
            base + ["--lint-only", "-Wall", "+define+LOOM_SIM_DPI"] + files,
            base + ["--cc", "--assert", "-Mdir", mdir] + files]
    for argv in runs:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            how = " ".join(argv[3 + len(gargs):-len(files)])
            return "%s %s: `%s` failed:\n%s" % (module, " ".join(gargs), how,
                                               "\n".join(p.stdout.splitlines()[:8]))
    return None


def main():
    verilator, rtl, work = sys.argv[1:4]
    jobs = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    os.makedirs(work, exist_ok=True)
    files = sources(rtl)
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        futs = [ex.submit(check, verilator, files, work, i, m, p)
                for i, (m, p) in enumerate(CASES)]
        fails = [f.result() for f in futs if f.result()]
    for f in fails:
        print(f)
    print("%d of %d parameter sets build" % (len(CASES) - len(fails), len(CASES)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
