#!/usr/bin/python3
"""e2e.report_html: `loom report OUT --html` rendered in headless Chromium.

1. The shared KWS CNN (mlperf_tiny_kws_dscnn, compiled with defaults): the
   page draws one box per actor of report.json (counted by the page's own
   script after rendering, read back with chromium --dump-dom), names each
   actor, marks the slowest actor as the bottleneck, draws one edge per
   actor input, and fetches nothing (no http(s) URL outside the SVG
   namespace). A screenshot renders.
2. A two-input model after `loom sim` and `loom synth --target generic`: the
   page shows predicted against measured (both equal) and the synthesis
   numbers of synth.json.
3. `loom report` on a directory without report.json fails in one line and
   writes no page.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402


def chromium():
    for name in ("chromium", "chromium-browser"):
        p = shutil.which(name)
        if p:
            return p
    return None


def render(browser, page, work, screenshot=None):
    """The DOM after the page's script ran (and optionally a screenshot)."""
    args = [browser, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--user-data-dir=" + os.path.join(work, "chromium-profile")]
    if screenshot:
        subprocess.run(args + ["--window-size=1400,1000", "--screenshot=" + screenshot,
                               "file://" + page], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
    p = subprocess.run(args + ["--dump-dom", "file://" + page], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, universal_newlines=True, timeout=120)
    return p.stdout


def main():
    loom, src, work = E.parse_args()
    c = E.Checker("e2e.report_html")
    browser = chromium()
    if not c.check(browser is not None, "chromium not found; run tools/setup.sh"):
        return c.finish()
    mdir = os.path.join(work, "models")
    subprocess.run([sys.executable, os.path.join(src, "test", "models", "gen_multi_io_models.py"),
                    mdir], check=True, stdout=subprocess.DEVNULL)
    shared = os.environ.get("LOOM_SHARED_MODELS", "/work/shared/models")
    kws = os.path.join(shared, "mlperf_tiny_kws_dscnn.onnx")
    if not os.path.exists(kws):  # without the shared models: a generated CNN
        print("note: %s is absent; drawing a generated CNN instead" % kws)
        kws = os.path.join(mdir, "image_and_vector.onnx")
    out = os.path.join(work, "kws")
    r = E.run(loom, "compile", kws, "-o", out)
    if c.check(r.rc == 0, "compile kws: %s" % r.describe()):
        r = E.run(loom, "report", out, "--html")
        page = os.path.join(out, "report.html")
        c.check(r.rc == 0 and os.path.exists(page), "report --html kws: %s" % r.describe())
        rep = E.read_json(os.path.join(out, "report.json"))
        html = open(page).read()
        urls = [u for u in re.findall(r"https?://[^\"' )]+", html)
                if u != "http://www.w3.org/2000/svg"]
        c.check(not urls, "the page refers to the network: %s" % urls[:3])
        shot = os.path.join(work, "kws.png")
        dom = render(browser, page, work, shot)
        m = re.search(r'data-actors-drawn="(\d+)"', dom)
        n = len(rep["actors"])
        c.check(m is not None and int(m.group(1)) == n,
                "rendered actor boxes %s, report.json has %d actors" % (m and m.group(1), n))
        names = re.findall(r'<g class="actor[^"]*" data-index="\d+" data-name="([^"]*)"', dom)
        want = [a["name"] for a in rep["actors"]]
        c.check(names == [a.replace("&", "&amp;") for a in want],
                "actor boxes %s != report actors %s" % (names[:4], want[:4]))
        slowest = max(a["predicted_cycles_per_frame"] for a in rep["actors"])
        marked = re.findall(r'<g class="actor bottleneck" data-index="\d+" data-name="([^"]*)"', dom)
        want_marked = [a["name"] for a in rep["actors"] if a["predicted_cycles_per_frame"] == slowest]
        c.check(marked == want_marked, "bottleneck %s, want %s" % (marked, want_marked))
        edges = len(re.findall(r'<path class="edge"', dom))
        want_edges = sum(len(a["from"]) for a in rep["actors"]) + len(rep["outputs"])
        c.check(edges == want_edges, "%d edges drawn, want %d" % (edges, want_edges))
        c.check(os.path.exists(shot) and os.path.getsize(shot) > 10000,
                "no screenshot of the page")
        print("  kws: %d actors drawn, %d edges, bottleneck %d actors at %d cycles" % (
            n, edges, len(marked), slowest), flush=True)

    # Simulation and synthesis sections, on a small two-input model.
    out = os.path.join(work, "two_heads")
    r = E.run(loom, "run", os.path.join(mdir, "add_inputs_two_heads.onnx"), "-o", out,
              "--random", "8", "--max-mults", "16")
    if c.check(r.rc == 0, "run two_heads: %s" % r.describe()):
        r = E.run(loom, "synth", out, "--target", "generic")
        c.check(r.rc == 0, "synth two_heads: %s" % r.describe())
        r = E.run(loom, "report", out, "--html")
        c.check(r.rc == 0, "report --html two_heads: %s" % r.describe())
        dom = render(browser, os.path.join(out, "report.html"), work)
        sj = E.read_json(os.path.join(out, "sim.json"))
        syn = E.read_json(os.path.join(out, "synth.json"))
        sim_table = dom[dom.find('class="sim"'):]
        c.check("%d measured, %d predicted" % (sj["latency_cycles"], sj["predicted_latency_cycles"])
                in sim_table and "equal" in sim_table,
                "the page does not show latency %d measured / %d predicted" % (
                    sj["latency_cycles"], sj["predicted_latency_cycles"]))
        c.check('class="synth"' in dom and ">%d (" % syn["luts"] in dom,
                "the page does not show synth.json's %d LUTs" % syn["luts"])
        boxes = re.findall(r'<g class="(input|output)" ', dom)
        c.check(boxes.count("input") == 2 and boxes.count("output") == 2,
                "graph ends drawn: %s" % boxes)

    empty = os.path.join(work, "empty")
    os.makedirs(empty)
    r = E.run(loom, "report", empty, "--html")
    c.check(r.rc == 1 and len(r.err.strip().splitlines()) == 1 and "report.json" in r.err
            and not os.path.exists(os.path.join(empty, "report.html")),
            "report --html on an empty directory: %s" % r.describe())
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
