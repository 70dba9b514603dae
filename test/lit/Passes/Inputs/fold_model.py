#!/usr/bin/env python3
"""Independent model of df-fold's greedy search as documented in
passes/DFFold.cpp's header and docs/folding.md (used to derive the expected
simd/pe in Passes/df-fold*.mlir; not run by lit). Dense graphs only (no
sliding windows, whose timing hw_model simulates).

Nodes, in op order (a node's inputs name earlier nodes by index; a fork's two
outputs are I.0 and I.1):
  in:E          graph input of E elements
  mvu:K:N[:A[:V]]  dense layer reading A (default: the previous node), V vectors a
                frame (default 1: its input has V*K elements, its output V*N)
  softmax[:A]   softmax (N = its input's elements)
  fork:A  fifo:A  join:A:B  concat:A:B
Without an `in:` node the graph starts with an input of the first mvu's K, so
the old chain form `mvu:8:4 mvu:4:2 softmax` still works.

Cycles per frame (hw_model/Cost.cpp): mvu max(steps, V*K/in), steps =
V * ceil((N/pe) * K / simd) (simd need not divide K: the mvu then folds flat), or
ceil(V*K / simd) when it folds flat across vectors (pe = N, V > 1, simd not
dividing K: loom_mvu_stream),
softmax N/in + 2N (pipelined with D dividers: max(N/in, N/D)), fork/fifo/join
E/lanes, concat (C1+C2)/lanes.
Stream widths: an mvu's output has its pe lanes, a softmax's 1 (pipelined: D),
a fork/fifo/
join/concat its (first) input's; the graph input is as wide as its consumer
reads (an mvu's simd, or for a flat mvu the smallest divisor d of K with
V*K/d <= its steps; looking through forks and fifos at the first consumer),
capped by the joins. The two inputs of a join/concat must have
equal widths (dividing both channel counts at a concat): when they differ,
both sides are narrowed to the common divisor, an mvu behind them (through
forks/fifos) by lowering its pe, the input by a cap; repeated until stable.

Greedy: every mvu at simd = pe = 1. Repeat: the bottleneck (most cycles,
first in op order) if an mvu gets its (simd, pe), pe | N and simd a divisor of
K or, per pe, the fewest lanes whose steps are below its cycles, with
the fewest simd*pe (ties: fewer cycles) that makes it faster and that no join
narrows; if there is none, or the bottleneck is not an mvu, a lane group is
widened: the mvus whose pe sets the width of one of the bottleneck's streams
(its inputs, its output; streams connected through fork/fifo/join/concat
share one width) all get pe L, the smallest multiple of the current width
above it that divides all their N and makes the bottleneck faster, each with
the smallest simd (not above its current one) that keeps it no slower than
before (the bottleneck itself: faster than now), no actor ending up slower
than the current II; of the groups, the one needing the fewest multipliers. Stop at the
target II, when the step exceeds the budget, or when nothing helps.

Search (docs/folding.md): the greedy result, then the exact start for a target
T: every mvu at the fewest simd*pe whose steps are <= T (ties: fewer
steps; pe ascending, first such simd per pe), followed by greedy steps towards
T within the budget; feasible if the II is then <= T. With a target II: the
exact result if feasible and it has fewer multipliers or the greedy missed the
target. With a budget: binary search for the smallest feasible T in
[ceil(MACs / budget), greedy II - 1]; the greedy result if none.

  python3 Inputs/fold_model.py BUDGET TARGET_II NODE...
prints the folds (simd, pe) of every mvu (by node index), the multipliers,
each node's cycles and every stream's lanes.
"""
import math
import sys

PASS = ("fork", "fifo", "join", "concat")


def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def ceil_div(a, b):
    return -(-a // b)


def across(k, n, v, simd, pe):
    """Folded flat across the frame's vectors (loom_mvu_stream)."""
    return pe == n and v > 1 and simd < k and k % simd != 0


def steps_of(nd, simd, pe):
    k, n, v = nd["k"], nd["n"], nd["v"]
    if across(k, n, v, simd, pe):
        return ceil_div(v * k, simd)
    return v * ceil_div((n // pe) * k, simd)


def simd_candidates(k, n, pe, max_steps, v=1):
    """max_steps: steps a frame."""
    c = divisors(k)
    simd = 0
    if pe == n and v > 1 and max_steps >= 1:
        simd = ceil_div(v * k, max_steps)
    elif max_steps >= v:
        simd = ceil_div((n // pe) * k, max_steps // v)
    if 1 <= simd < k and k % simd:
        c = sorted(c + [simd])
    return c


class Graph:
    def __init__(self, specs):
        self.nodes = []  # dicts: kind, srcs [(node, port)], k, n, elems
        if not specs[0].startswith("in:"):
            specs = ["in:" + specs[0].split(":")[1]] + specs
        for i, spec in enumerate(specs):
            p = spec.split(":")
            kind = p[0]
            nd = {"kind": kind, "srcs": []}
            if kind == "in":
                nd["elems"] = int(p[1])
            elif kind == "mvu":
                nd["k"], nd["n"] = int(p[1]), int(p[2])
                nd["srcs"] = [self.ref(p[3] if len(p) > 3 else str(i - 1))]
                nd["v"] = int(p[4]) if len(p) > 4 else 1
                nd["elems"] = nd["n"] * nd["v"]
            elif kind == "softmax":
                nd["srcs"] = [self.ref(p[1] if len(p) > 1 else str(i - 1))]
                nd["elems"] = self.elems(nd["srcs"][0])
            elif kind in ("fork", "fifo"):
                nd["srcs"] = [self.ref(p[1])]
                nd["elems"] = self.elems(nd["srcs"][0])
            elif kind in ("join", "concat"):
                nd["srcs"] = [self.ref(p[1]), self.ref(p[2])]
                a, b = (self.elems(s) for s in nd["srcs"])
                nd["elems"] = a + b if kind == "concat" else a
            self.nodes.append(nd)
        self.consumers = {}
        for i, nd in enumerate(self.nodes):
            for s in nd["srcs"]:
                self.consumers[s] = i

    def ref(self, s):
        if "." in s:
            a, b = s.split(".")
            return (int(a), int(b))
        return (int(s), 0)

    def elems(self, stream):
        return self.nodes[stream[0]]["elems"]


def lane_source(g, stream):
    """The node deciding a stream's width, looking through forks and fifos."""
    i = stream[0]
    while g.nodes[i]["kind"] in ("fork", "fifo"):
        i = g.nodes[i]["srcs"][0][0]
    return i


def wanted(g, folds, stream):
    """Width the consumer of a free producer's stream reads."""
    c = g.consumers.get(stream)
    if c is None:
        return 1
    kind = g.nodes[c]["kind"]
    if kind == "mvu":
        simd, pe = folds[c]
        k, v = g.nodes[c]["k"], g.nodes[c]["v"]
        if k % simd == 0:
            return simd
        steps = steps_of(g.nodes[c], simd, pe)
        return next(d for d in divisors(k) if v * (k // d) <= steps)
    if kind in ("fork", "fifo"):
        return wanted(g, folds, (c, 0))
    return 1


def lanes_of(g, folds, caps):
    """Widths of every stream; narrows folds/caps in place (as df-fold does)."""
    for _ in range(16):
        lanes = {}
        for i, nd in enumerate(g.nodes):
            kind = nd["kind"]
            if kind == "in":
                w = math.gcd(wanted(g, folds, (i, 0)), nd["elems"])
                lanes[(i, 0)] = math.gcd(w, caps[i]) if i in caps else w
            elif kind == "mvu":
                lanes[(i, 0)] = folds[i][1]
            elif kind == "softmax":
                lanes[(i, 0)] = g.piped.get(i, 1)
            else:
                l = lanes[nd["srcs"][0]]
                lanes[(i, 0)] = l
                if kind == "fork":
                    lanes[(i, 1)] = l
        changed = False
        for i, nd in enumerate(g.nodes):
            if nd["kind"] not in ("join", "concat"):
                continue
            a, b = (lanes[s] for s in nd["srcs"])
            l = math.gcd(a, b)
            if nd["kind"] == "concat":
                l = math.gcd(l, math.gcd(*(g.elems(s) for s in nd["srcs"])))
            if a == l and b == l:
                continue
            for s in nd["srcs"]:
                src = lane_source(g, s)
                if g.nodes[src]["kind"] == "mvu":
                    simd, pe = folds[src]
                    if math.gcd(pe, l) != pe:
                        folds[src] = (simd, math.gcd(pe, l))
                        changed = True
                elif g.nodes[src]["kind"] == "in":
                    cap = math.gcd(caps.get(src, l), l)
                    if caps.get(src) != cap:
                        caps[src] = cap
                        changed = True
        if not changed:
            return lanes
    return lanes


def cycles(g, folds, lanes, i):
    nd = g.nodes[i]
    kind = nd["kind"]
    if kind == "in":
        return -1
    inl = lanes[nd["srcs"][0]]
    if kind == "mvu":
        simd, pe = folds[i]
        return max(steps_of(nd, simd, pe), nd["v"] * nd["k"] // inl)
    if kind == "softmax":
        if i in g.piped:
            return max(nd["elems"] // inl, nd["elems"] // g.piped[i])
        return nd["elems"] // inl + 2 * nd["elems"]
    return nd["elems"] // inl


def mults(g, folds):
    return sum(folds[i][0] * folds[i][1] for i in folds)


def group_of(g, stream):
    """mvus whose pe decides the width of `stream` (through fork/fifo/join/concat)."""
    seen, work, members = set(), [stream], []
    users = {}
    for i, nd in enumerate(g.nodes):
        for s in nd["srcs"]:
            users.setdefault(s, []).append(i)

    def across(i):
        work.extend(g.nodes[i]["srcs"])
        work.append((i, 0))
        if g.nodes[i]["kind"] == "fork":
            work.append((i, 1))

    while work:
        s = work.pop()
        if s in seen:
            continue
        seen.add(s)
        p = s[0]
        if g.nodes[p]["kind"] in PASS:
            across(p)
        elif g.nodes[p]["kind"] == "mvu" and p not in members:
            members.append(p)
        for u in users.get(s, []):
            if g.nodes[u]["kind"] in PASS:
                across(u)
    return sorted(members)


def fold(g, max_mults=0, target_ii=0):
    mvus = [i for i, nd in enumerate(g.nodes) if nd["kind"] == "mvu"]
    macs = sum(g.nodes[i]["k"] * g.nodes[i]["n"] * g.nodes[i]["v"] for i in mvus)
    budget = max_mults
    if not budget and not target_ii:
        budget = max(macs if macs <= 8192 else 1024, len(mvus))
    if budget and budget < len(mvus):
        raise SystemExit("budget below minimum")
    g.piped = {}  # pipelined softmax -> its dividers (output lanes)
    actors = [i for i, nd in enumerate(g.nodes) if nd["kind"] != "in"]

    def ii(folds, caps):
        lanes = lanes_of(g, folds, caps)
        return max((cycles(g, folds, lanes, i) for i in actors), default=0)

    folds, caps = {i: (1, 1) for i in mvus}, {}
    greedy(g, actors, folds, caps, budget, target_ii)
    g_ii, g_m = ii(folds, caps), mults(g, folds)
    g_piped = dict(g.piped)

    def try_target(t):
        f, c = {}, {}
        g.piped = {}
        for i in mvus:
            n, k, v = g.nodes[i]["n"], g.nodes[i]["k"], g.nodes[i]["v"]
            best = None
            for pe in divisors(n):
                for simd in simd_candidates(k, n, pe, t, v):
                    steps = steps_of(g.nodes[i], simd, pe)
                    if steps > t:
                        continue
                    if best is None or (simd * pe, steps) < best[:2]:
                        best = (simd * pe, steps, (simd, pe))
                    break
            if best is None:
                return None
            f[i] = best[2]
        lanes_of(g, f, c)
        if budget and mults(g, f) > budget:
            return None
        greedy(g, actors, f, c, budget, t)
        return (f, c, dict(g.piped)) if ii(f, c) <= t else None

    exact = None
    if target_ii:
        r = try_target(target_ii)
        if r and (g_ii > target_ii or mults(g, r[0]) < g_m):
            exact = r
    elif budget and macs:
        lo, hi = max(1, ceil_div(macs, budget)), g_ii - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            r = try_target(mid)
            if r:
                exact, hi = r, mid - 1
            else:
                lo = mid + 1
    if exact:
        folds, caps, g.piped = exact
    else:
        g.piped = g_piped
    lanes = lanes_of(g, folds, caps)
    cs = {i: cycles(g, folds, lanes, i) for i in actors}
    return folds, mults(g, folds), cs, lanes


def greedy(g, actors, folds, caps, budget, target_ii):
    while True:
        lanes = lanes_of(g, folds, caps)
        cs = {i: cycles(g, folds, lanes, i) for i in actors}
        if not actors:
            break
        worst = max(actors, key=lambda i: (cs[i], -i))
        wc = cs[worst]
        if target_ii and wc <= target_ii:
            break
        start = (dict(folds), dict(caps))
        step = None
        # a softmax read by nothing (the graph output): pipelined with the
        # fewest dividers D that make it faster; then more dividers if they
        # limit it, a wider input (below) if that does, both if both do
        revert_piped = None
        if (g.nodes[worst]["kind"] == "softmax"
                and not any((worst, 0) in nd["srcs"] for nd in g.nodes)):
            n = g.nodes[worst]["elems"]
            ib = n // lanes[g.nodes[worst]["srcs"][0]]
            out = g.piped.get(worst, 0)
            divs = next((d for d in divisors(n) if d > out and n // d < wc), 0)
            if worst not in g.piped or ib < wc:
                if not divs:
                    break
                g.piped[worst] = divs
                continue
            if n // out >= wc:
                if not divs:
                    break
                g.piped[worst] = divs
                revert_piped = out
        if g.nodes[worst]["kind"] == "mvu":
            best = None
            nw, kw = g.nodes[worst]["n"], g.nodes[worst]["k"]
            for pe in divisors(nw):
                for simd in simd_candidates(kw, nw, pe, wc - 1, g.nodes[worst]["v"]):
                    folds[worst] = (simd, pe)
                    l = lanes_of(g, folds, caps)
                    kept = folds[worst][1] == pe
                    c = cycles(g, folds, l, worst)
                    folds.clear(), folds.update(start[0]), caps.clear(), caps.update(start[1])
                    if not kept or c >= wc:
                        continue
                    m = simd * pe
                    if best is None or m < best[0] or (m == best[0] and c < best[1]):
                        best = (m, c, (simd, pe))
            if best:
                folds[worst] = best[2]
                lanes_of(g, folds, caps)
                step = True
        if step is None:
            streams = list(g.nodes[worst]["srcs"]) + [(worst, 0)]
            if g.nodes[worst]["kind"] == "fork":
                streams.append((worst, 1))
            tried, best = [], None
            for s in streams:
                grp = group_of(g, s)
                if not grp or grp in tried:
                    continue
                tried.append(grp)
                cur = lanes[s]
                before = {m: wc - 1 if m == worst else cs[m] for m in grp}
                l = 2 * cur
                while l <= min(g.nodes[m]["n"] for m in grp):
                    if all(g.nodes[m]["n"] % l == 0 for m in grp):
                        for m in grp:
                            folds[m] = (folds[m][0], l)
                        for m in grp:
                            keep = folds[m][0]
                            for simd in simd_candidates(g.nodes[m]["k"], g.nodes[m]["n"],
                                                        l, before[m], g.nodes[m]["v"]):
                                if simd > keep:
                                    break
                                folds[m] = (simd, folds[m][1])
                                ll = lanes_of(g, folds, caps)
                                if cycles(g, folds, ll, m) <= before[m]:
                                    keep = simd
                                    break
                            folds[m] = (keep, folds[m][1])
                        ll = lanes_of(g, folds, caps)
                        widened = all(folds[m][1] == l for m in grp)
                        widened &= all(cycles(g, folds, ll, a) <= wc for a in actors)
                        c = cycles(g, folds, ll, worst)
                        cand = (mults(g, folds), c, dict(folds), dict(caps))
                        folds.clear(), folds.update(start[0]), caps.clear(), caps.update(start[1])
                        if widened and c < wc:
                            if best is None or cand[:2] < best[:2]:
                                best = cand
                            break
                    l += cur
            if best is None:
                if revert_piped is not None:
                    g.piped[worst] = revert_piped
                break
            folds.clear(), folds.update(best[2]), caps.clear(), caps.update(best[3])
            lanes_of(g, folds, caps)
        if budget and mults(g, folds) > budget:
            folds.clear(), folds.update(start[0]), caps.clear(), caps.update(start[1])
            break


if __name__ == "__main__":
    budget, target = int(sys.argv[1]), int(sys.argv[2])
    folds, used, cs, lanes = fold(Graph(sys.argv[3:]), budget, target)
    print("folds (simd, pe):", folds)
    print("multipliers:", used, " II:", max(cs.values()) if cs else 0)
    print("cycles:", cs)
    print("lanes:", lanes)
