#!/usr/bin/env python3
"""Independent model of df-fold's greedy search as documented in
passes/DFFold.cpp's header and docs (used to derive the expected simd/pe in
Passes/df-fold.mlir; not run by lit).

Cycles per frame (hw_model/Cost.cpp): mvu = max((N/PE) * (K/SIMD), K/IN_BEAT),
softmax = K/IN_BEAT + 2N; IN_BEAT is the producer's output lanes (the graph
input's lanes are the first actor's simd).

  python3 Inputs/fold_model.py BUDGET TARGET_II mvu:K:N [softmax:N] ...
"""
import sys


def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def cycles(chain, folds, i):
    kind, k, n = chain[i]
    in_lanes = folds[0][0] if i == 0 else folds[i - 1][1]
    if kind == "mvu":
        simd, pe = folds[i]
        return max((n // pe) * (k // simd), k // in_lanes)
    return k // in_lanes + 2 * n


def fold(chain, max_mults=0, target_ii=0):
    macs = sum(k * n for kind, k, n in chain if kind == "mvu")
    min_mults = sum(1 for c in chain if c[0] == "mvu")
    budget = max_mults
    if not budget and not target_ii:
        budget = macs if macs <= 8192 else 1024
    if budget and budget < min_mults:
        raise SystemExit("budget below minimum")
    folds = [(1, 1)] * len(chain)
    used = min_mults
    while True:
        cs = [cycles(chain, folds, i) for i in range(len(chain))]
        worst = max(range(len(chain)), key=lambda i: (cs[i], -i))
        if target_ii and cs[worst] <= target_ii:
            break
        kind, k, n = chain[worst]
        if kind != "mvu":
            break
        cur = folds[worst]
        best = None
        for pe in divisors(n):
            for simd in divisors(k):
                folds[worst] = (simd, pe)
                c = cycles(chain, folds, worst)
                if c >= cs[worst]:
                    continue
                m = simd * pe
                if best is None or m < best[0] or (m == best[0] and c < best[1]):
                    best = (m, c, (simd, pe))
        folds[worst] = cur
        if best is None:
            break
        nxt = used - cur[0] * cur[1] + best[0]
        if budget and nxt > budget:
            break
        folds[worst] = best[2]
        used = nxt
    cs = [cycles(chain, folds, i) for i in range(len(chain))]
    return folds, used, cs


if __name__ == "__main__":
    budget, target = int(sys.argv[1]), int(sys.argv[2])
    chain = []
    for a in sys.argv[3:]:
        p = a.split(":")
        chain.append(("mvu", int(p[1]), int(p[2])) if p[0] == "mvu" else ("softmax", int(p[1]), int(p[1])))
    print(fold(chain, budget, target))
