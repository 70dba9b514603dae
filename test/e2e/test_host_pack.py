#!/usr/bin/python3
"""e2e.host_pack: OUT/host (io.json, <top>_io.h, loom_host.py) packs frames as
the hardware takes them (issue 13, point 4).

Per compiled model (two-input auto, int8 and QDQ models, an image input that
streams channels-last):
 1. loom_host.quantize on the user's float frames gives exactly the codes
    `loom sim` fed the hardware (Y.npz '<input>.raw'), every word;
 2. pack_codes -> unpack_codes is the identity, beats are
    [N * beats_per_frame, bytes_per_beat] bytes;
 3. loom_host.dequantize of the hardware's output codes ('<output>.raw') is
    exactly the float output `loom sim` reports ('<output>');
 4. the C header compiles (gcc -Wall -Werror), its macros equal io.json and
    its lane functions pack and unpack a beat like loom_host.py.
And the bit layout on a hand-computed beat. The top's ports: every tdata is
bytes_per_beat whole bytes (AXI4-Stream), and `--aresetn` gives an active-low
aresetn port (no rst) that the simulation drives.
"""
import importlib.util
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

FRAMES = 12


def load_host(out):
    spec = importlib.util.spec_from_file_location("loom_host_" + os.path.basename(out),
                                                  os.path.join(out, "host", "loom_host.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


def check_c_header(c, out, design, work):
    """Compiles a C program against <top>_io.h; it prints its macros and packs a beat."""
    top = design.top
    macro = "LOOM_" + "".join(ch if ch.isalnum() else "_" for ch in top).upper()
    e = design.inputs[0]
    prog = os.path.join(work, top + "_io_test.c")
    with open(prog, "w") as f:
        f.write('#include <stdio.h>\n#include "%s_io.h"\n' % top)
        f.write("int main(void) {\n  uint8_t beat[%s_IN0_BYTES_PER_BEAT] = {0};\n" % macro)
        f.write("  printf(\"%%d %%d %%d %%d %%d\\n\", %s_INPUTS, %s_IN0_LANES, %s_IN0_BITS, "
                "%s_IN0_BEATS_PER_FRAME, %s_IN0_BYTES_PER_BEAT);\n" % ((macro,) * 5))
        f.write("  for (int l = 0; l < %s_IN0_LANES; ++l) loom_pack_lane(beat, l, %s_IN0_BITS, "
                "(l %% 2 ? -1 : 1) * (l + 1));\n" % (macro, macro))
        f.write("  for (int i = 0; i < %s_IN0_BYTES_PER_BEAT; ++i) printf(\"%%d \", beat[i]);\n"
                % macro)
        f.write("  printf(\"\\n\");\n  for (int l = 0; l < %s_IN0_LANES; ++l) printf(\"%%lld \", "
                "(long long)loom_unpack_lane(beat, l, %s_IN0_BITS));\n" % (macro, macro))
        f.write("  printf(\"\\n\");\n  return 0;\n}\n")
    exe = prog[:-2]
    r = subprocess.run(["gcc", "-std=c99", "-Wall", "-Werror", "-I", os.path.join(out, "host"),
                        prog, "-o", exe], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if not c.check(r.returncode == 0, "%s: the C header does not compile: %s" % (top, r.stderr)):
        return
    lines = subprocess.run([exe], stdout=subprocess.PIPE, universal_newlines=True,
                           check=True).stdout.splitlines()
    want = "%d %d %d %d %d" % (len(design.inputs), e.lanes, e.bits, e.beats, e.bytes_per_beat)
    c.check(lines[0] == want, "%s: C macros %r, io.json %r" % (top, lines[0], want))
    codes = [(-1 if l % 2 else 1) * (l + 1) for l in range(e.lanes)]
    mask, beat = (1 << e.bits) - 1, 0
    for l, v in enumerate(codes):
        beat |= (v & mask) << (l * e.bits)
    py = " ".join(str(b) for b in beat.to_bytes(e.bytes_per_beat, "little"))
    c.check(lines[1].strip() == py, "%s: C packs %s, Python %s" % (top, lines[1], py))
    c.check(lines[2].split() == [str(v) for v in codes], "%s: C unpacks %s" % (top, lines[2]))


def check_top_ports(c, out, design, label, aresetn):
    """The top module's tdata ports are bytes_per_beat * 8 bits; the reset port."""
    with open(os.path.join(out, "rtl", design.top + ".sv")) as f:
        text = f.read()
    ports = dict((m.group(2), int(m.group(1)) + 1) for m in re.finditer(
        r"^\s*(?:input|output)\s+logic\s+\[(\d+):0\]\s+(\w+_tdata)\b", text, re.M))
    for e in design.inputs + design.outputs:
        c.check(ports.get(e.port + "_tdata") == 8 * e.bytes_per_beat,
                "%s '%s': %s_tdata is %s bits, want %d whole bytes (%d x %d bits)" % (
                    label, e.name, e.port, ports.get(e.port + "_tdata"), e.bytes_per_beat,
                    e.lanes, e.bits))
    reset = re.findall(r"^\s*input\s+logic\s+(rst|aresetn)\s*,", text, re.M)
    c.check(reset == (["aresetn"] if aresetn else ["rst"]),
            "%s: reset ports %s, want %s" % (label, reset, "aresetn" if aresetn else "rst"))


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.host_pack")
    mdir = os.path.join(work, "models")
    subprocess.run([sys.executable, os.path.join(src, "test", "models", "gen_multi_io_models.py"),
                    mdir], check=True, stdout=subprocess.DEVNULL)
    runs = [("torch_two_tower", "", ()), ("torch_two_tower", "_int8", ("--precision", "int8")),
            ("qdq_two_inputs", "", ()), ("image_and_vector", "", ("--max-mults", "16")),
            ("torch_two_tower", "_aresetn", ("--precision", "fixed<10,4>", "--aresetn"))]
    host = None
    for k, (name, suffix, extra) in enumerate(runs):
        label = name + suffix
        model = os.path.join(mdir, name + ".onnx")
        out = os.path.join(work, label)
        r = E.run(loom, "compile", model, "-o", out, *extra)
        if not c.check(r.rc == 0, "%s: compile: %s" % (label, r.describe())):
            continue
        frames = E.random_frames(model, FRAMES, 20 + k)
        x = os.path.join(work, label + "_X.npz")
        np.savez(x, **frames)
        y = os.path.join(work, label + "_Y.npz")
        r = E.run(loom, "sim", out, "--inputs", x, "--out", y, "--backpressure", "0.3")
        if not c.check(r.rc == 0, "%s: sim: %s" % (label, r.describe())):
            continue
        host = load_host(out)
        d = host.Design(os.path.join(out, "host", "io.json"))
        check_top_ports(c, out, d, label, "--aresetn" in extra)
        c.check("0 mismatching words" in r.out, "%s: sim mismatches: %s" % (label, r.out[:300]))
        ys = np.load(y)
        for e in d.inputs:
            codes = e.quantize(frames[e.name])
            hw = ys[e.name + ".raw"].reshape(FRAMES, -1)
            c.check(np.array_equal(codes, hw), "%s '%s': loom_host codes differ from the "
                    "hardware's in %d of %d words" % (label, e.name, int((codes != hw).sum()),
                                                      hw.size))
            beats = e.pack_codes(codes)
            c.check(beats.shape == (FRAMES * e.beats, e.bytes_per_beat) and beats.dtype == np.uint8,
                    "%s '%s': beats %s, want [%d, %d] bytes" % (label, e.name, beats.shape,
                                                                FRAMES * e.beats, e.bytes_per_beat))
            c.check(np.array_equal(e.unpack_codes(beats), codes),
                    "%s '%s': unpack(pack(codes)) != codes" % (label, e.name))
            c.check(np.array_equal(d.pack(e.name, frames[e.name]), beats),
                    "%s '%s': Design.pack differs from quantize + pack_codes" % (label, e.name))
        for e in d.outputs:
            raw = ys[e.name + ".raw"].reshape(FRAMES, -1)
            got = e.dequantize(raw).reshape(FRAMES, -1)
            want = ys[e.name].reshape(FRAMES, -1)
            c.check(np.array_equal(got, want), "%s '%s': loom_host.dequantize differs from "
                    "loom sim's outputs (max %g)" % (label, e.name, float(np.abs(got - want).max())))
            beats = e.pack_codes(raw)
            c.check(np.array_equal(d.unpack(e.name, beats).reshape(FRAMES, -1), want),
                    "%s '%s': unpack of the output beats != loom sim's outputs" % (label, e.name))
        check_c_header(c, out, d, work)
        print("  %s: %s in, %s out: codes, beats and outputs agree" % (
            label, ", ".join("%s %dx%db" % (e.name, e.lanes, e.bits) for e in d.inputs),
            ", ".join(e.name for e in d.outputs)), flush=True)
    if host:
        # Lane 0 = -1 in 9 bits (0x1ff), lane 1 = 2: 0x5ff over 3 bytes.
        e = host.End({"name": "t", "shape": [1, 2], "lanes": 2, "bits": 9, "beats_per_frame": 1})
        b = e.pack_codes([[-1, 2]])
        c.check(b.tolist() == [[0xff, 0x05, 0x00]], "hand-computed beat: got %s" % b.tolist())
        c.check(e.unpack_codes(b).tolist() == [[-1, 2]], "hand-computed beat does not unpack")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
