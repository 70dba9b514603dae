// Copyright Loom contributors. SPDX-License-Identifier: Apache-2.0
//
// loom_sim_dpi: the multiply-accumulate datapath of loom_mvu / loom_dwu and
// loom_mvu_stream as C++, for Verilator simulation only (`loom sim` defines
// LOOM_SIM_DPI and compiles this file with the model).
//
// Why: Verilator turns the units' simulation forms into one scalar statement per lane
// (sign extension, a bounds mask, a delayed-assignment record for every element written
// to an unpacked array), which made the MAC units three quarters of a CNN's simulation
// time. Here each unit's input store, operand gather, products and accumulators are
// plain int arrays in loops the C++ compiler vectorises; the unit's control (issue,
// credits, flags, requantisation, FIFO) stays in SystemVerilog, which calls in at its
// edges: a beat written (mvu) or pushed (stream), a step issued.
//
// Exactness: the same 32-bit sums as the units' FAST forms (equal to the WA-bit sums
// modulo 2^WA), the same lanes, the same bias / carry rules; the accumulators leave as
// WA-bit lanes. Every e2e simulation compares them bit for bit with the reference, and
// `loom sim --plain-rtl` simulates the synthesised forms without this file.
//
// Timing: a step's products are formed at its issue edge, when its operands are
// stable (a loom_mvu bank being read is full, so no beat writes it at that edge; a
// stream's step takes the oldest elements while a beat is appended behind them), and the
// finished accumulators are handed back to the unit, which holds them for the cycle its
// accumulator would have held them. The SystemVerilog side documents that alignment.
#pragma GCC optimize("O3")
#include <svdpi.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

struct MacUnit {
  // geometry
  int k = 0, n = 0, simd = 0, pe = 0, inBeat = 0, wIn = 0, dwKK = 0, wa = 0;
  bool flat = false, stream = false;
  // weights: w[line][p*SIMD + s] (a dot product per PE) and wt[line][s*PE + p] (lanes
  // over p, for depthwise units and dense ones with PE >= 8)
  std::vector<int32_t> w, wt, bias; // bias[group*PE + p]
  int lanes = 0;
  // loom_mvu: two banks of K elements (FLAT: 2K, the second half a copy, so a
  // rotated read never wraps)
  std::vector<int32_t> bank[2];
  // loom_mvu_stream: the element queue, oldest at head
  std::vector<int32_t> q;
  size_t head = 0, tail = 0;
  std::vector<int32_t> acc, carry, hi;
};

// n W-bit two's complement fields packed from bit 0 of d, sign-extended into out: one
// pass over the words (aligned loads of words just stored), reading none past the last
// field's
void unpackAny(const uint32_t *d, int n, int w, int32_t *out) {
  uint64_t buf = 0;
  int have = 0;
  const int up = 64 - w;
  for (int e = 0; e < n; ++e) {
    if (have < w) {
      buf |= (uint64_t)*d++ << have;
      have += 32;
    }
    out[e] = (int32_t)((int64_t)(buf << up) >> up);
    buf >>= w;
    have -= w;
  }
}

// The same for a width known at compile time: 32 fields are W whole words, so within a
// group every field's byte and shift are constants, and a whole group unrolls into a
// 4-byte load and two shifts a field (the group's last fields, whose 4 bytes would reach
// past it, and a last part group take the two-word form: a field never reads a word past
// its own)
template <int W> void unpackW(const uint32_t *d, int n, int32_t *out) {
  constexpr int up = 64 - W;
  auto twoWord = [&](int j) {
    const int bit = j * W, wi = bit >> 5, sh = bit & 31;
    uint64_t v = d[wi];
    if (sh + W > 32)
      v |= (uint64_t)d[wi + 1] << 32;
    out[j] = (int32_t)((int64_t)((v >> sh) << up) >> up);
  };
  int e = 0;
  for (; e + 32 <= n; e += 32, d += W, out += 32) {
    const unsigned char *b = reinterpret_cast<const unsigned char *>(d);
#pragma GCC unroll 32
    for (int j = 0; j < 32; ++j) {
      const int bit = j * W, by = bit >> 3;
      if (by + 4 <= 4 * W) {
        uint32_t v;
        std::memcpy(&v, b + by, 4);
        out[j] = (int32_t)(v << (32 - W - (bit & 7))) >> (32 - W);
      } else {
        twoWord(j);
      }
    }
  }
  const int m = n - e;
#pragma GCC unroll 32
  for (int j = 0; j < 32; ++j) {
    if (j >= m)
      break;
    twoWord(j);
  }
}

void unpack(const uint32_t *d, int n, int w, int32_t *out) {
  switch (w) {
  case 4: return unpackW<4>(d, n, out);
  case 8: return unpackW<8>(d, n, out);
  case 9: return unpackW<9>(d, n, out);
  case 10: return unpackW<10>(d, n, out);
  case 11: return unpackW<11>(d, n, out);
  case 12: return unpackW<12>(d, n, out);
  case 13: return unpackW<13>(d, n, out);
  case 14: return unpackW<14>(d, n, out);
  case 15: return unpackW<15>(d, n, out);
  case 16: return unpackW<16>(d, n, out);
  default: return unpackAny(d, n, w, out);
  }
}

inline const uint32_t *words(const svOpenArrayHandle h) {
  return static_cast<const uint32_t *>(svGetArrayPtr(h));
}

// sum[p] = (or +=, add) the products of lanes s0..s1-1 of each PE; x lane (p, s) at
// x[s*xstride + p] (depthwise) or x[s] (dense), weights w[s*pe + p] (lanes over p: the
// loops the compiler vectorises)
inline void lanes(uint32_t *__restrict sum, const int32_t *__restrict x,
                  const int32_t *__restrict w, int pe, int s0, int s1, int xstride, bool add) {
  if (s0 >= s1) {
    if (!add)
      for (int p = 0; p < pe; ++p)
        sum[p] = 0;
    return;
  }
  for (int s = s0; s < s1; ++s) {
    const int32_t *__restrict ws = w + (size_t)s * pe;
    if (xstride > 0) {
      const int32_t *__restrict xs = x + (size_t)s * xstride;
      if (s == s0 && !add)
        for (int p = 0; p < pe; ++p)
          sum[p] = (uint32_t)xs[p] * (uint32_t)ws[p];
      else
        for (int p = 0; p < pe; ++p)
          sum[p] += (uint32_t)xs[p] * (uint32_t)ws[p];
    } else {
      const uint32_t xv = (uint32_t)x[s];
      if (s == s0 && !add)
        for (int p = 0; p < pe; ++p)
          sum[p] = xv * (uint32_t)ws[p];
      else
        for (int p = 0; p < pe; ++p)
          sum[p] += xv * (uint32_t)ws[p];
    }
  }
}

// step's lanes-over-p form for a PE known at compile time: the PE accumulators stay in
// registers across the SIMD lanes, and each lane's loop is a few whole vectors (KWS's
// units have PE 8, 16 and 32; the generic loops reload and store the accumulators per
// lane and handle a remainder)
template <int PE>
__attribute__((always_inline)) inline void stepPE(uint32_t *__restrict acc,
    uint32_t *__restrict carry, const uint32_t *__restrict b, const int32_t *__restrict x,
    const int32_t *__restrict wt, int simd, int first, int carryIn, int split, int flo,
    int xstride) {
  uint32_t a[PE];
  for (int p = 0; p < PE; ++p)
    a[p] = first ? b[p] + (carryIn ? carry[p] : 0u) : acc[p];
  auto add = [&](uint32_t *__restrict sum, int s0, int s1) {
    for (int s = s0; s < s1; ++s) {
      const int32_t *__restrict ws = wt + (size_t)s * PE;
      if (xstride > 0) {
        const int32_t *__restrict xs = x + (size_t)s * xstride;
        for (int p = 0; p < PE; ++p)
          sum[p] += (uint32_t)xs[p] * (uint32_t)ws[p];
      } else {
        const uint32_t xv = (uint32_t)x[s];
        for (int p = 0; p < PE; ++p)
          sum[p] += xv * (uint32_t)ws[p];
      }
    }
  };
  add(a, 0, flo);
  for (int p = 0; p < PE; ++p)
    acc[p] = a[p];
  if (split) {
    uint32_t h[PE] = {};
    add(h, flo, simd);
    for (int p = 0; p < PE; ++p)
      carry[p] = h[p];
  }
}

// One step: the products of lanes below flo go to the accumulators (from the group's bias,
// and the carried high lanes of a split step before, on its first step), those from flo
// on to hi, which a split step keeps in carry; then (last) the WA-bit lanes packed into
// out. (An AVX2 clone where the machine has it.)
__attribute__((target_clones("avx2", "default"))) void step(MacUnit &u, const int32_t *x,
    int line, int group, int first, int carryIn, int split, int flo, int xstride) {
  const int pe = u.pe, simd = u.simd;
  uint32_t *__restrict acc = reinterpret_cast<uint32_t *>(u.acc.data());
  uint32_t *__restrict hi = reinterpret_cast<uint32_t *>(u.hi.data());
  uint32_t *__restrict carry = reinterpret_cast<uint32_t *>(u.carry.data());
  const uint32_t *__restrict b = reinterpret_cast<const uint32_t *>(&u.bias[(size_t)group * pe]);
  if (xstride == 0 && pe < 8) {
    // dense, few PEs: a dot product per PE over s (weights w[p*SIMD + s])
    const int32_t *wl = &u.w[(size_t)line * u.lanes];
    for (int p = 0; p < pe; ++p) {
      const int32_t *ws = wl + (size_t)p * simd;
      uint32_t lo = 0, h = 0;
      for (int s = 0; s < flo; ++s)
        lo += (uint32_t)x[s] * (uint32_t)ws[s];
      for (int s = flo; s < simd; ++s)
        h += (uint32_t)x[s] * (uint32_t)ws[s];
      uint32_t base = first ? b[p] + (carryIn ? carry[p] : 0u) : acc[p];
      acc[p] = base + lo;
      if (split)
        carry[p] = h;
    }
    return;
  }
  const int32_t *wt = &u.wt[(size_t)line * u.lanes];
  switch (pe) {
  case 8: return stepPE<8>(acc, carry, b, x, wt, simd, first, carryIn, split, flo, xstride);
  case 16: return stepPE<16>(acc, carry, b, x, wt, simd, first, carryIn, split, flo, xstride);
  case 32: return stepPE<32>(acc, carry, b, x, wt, simd, first, carryIn, split, flo, xstride);
  case 64: return stepPE<64>(acc, carry, b, x, wt, simd, first, carryIn, split, flo, xstride);
  default: break;
  }
  if (first) {
    if (carryIn)
      for (int p = 0; p < pe; ++p)
        acc[p] = b[p] + carry[p];
    else
      for (int p = 0; p < pe; ++p)
        acc[p] = b[p];
  }
  lanes(acc, x, wt, pe, 0, flo, xstride, true);
  if (split) {
    lanes(hi, x, wt, pe, flo, simd, xstride, false);
    for (int p = 0; p < pe; ++p)
      carry[p] = hi[p];
  }
}

// n lanes' low W bits packed from bit 0 of o (nw words, zero past the last lane): as
// unpackW, 32 lanes are W whole words, so every lane's word and shift are constants
template <int W> void packW(const uint32_t *a, int n, uint32_t *o, int nw) {
  std::memset(o, 0, sizeof(uint32_t) * (size_t)nw);
  constexpr uint64_t mask = (1ull << W) - 1;
  for (int e = 0; e < n; e += 32, a += 32, o += W) {
    const int m = n - e;
#pragma GCC unroll 32
    for (int j = 0; j < 32; ++j) {
      if (j >= m)
        break;
      const int bit = j * W, wi = bit >> 5, sh = bit & 31;
      const uint64_t v = (a[j] & mask) << sh;
      o[wi] |= (uint32_t)v;
      if (sh + W > 32)
        o[wi + 1] |= (uint32_t)(v >> 32);
    }
  }
}

// the finished accumulators as WA-bit lanes packed into out
void finish(MacUnit &u, const svOpenArrayHandle out) {
  const int pe = u.pe;

  uint32_t *o = static_cast<uint32_t *>(svGetArrayPtr(out));
  const int nw = svSize(out, 1), wa = u.wa;
  const uint32_t *a = reinterpret_cast<const uint32_t *>(u.acc.data());
  switch (wa) {
#define LOOM_PACK(W)                                                                          \
  case W:                                                                                     \
    return packW<W>(a, pe, o, nw);
    LOOM_PACK(16) LOOM_PACK(17) LOOM_PACK(18) LOOM_PACK(19) LOOM_PACK(20) LOOM_PACK(21)
    LOOM_PACK(22) LOOM_PACK(23) LOOM_PACK(24) LOOM_PACK(25) LOOM_PACK(26) LOOM_PACK(27)
    LOOM_PACK(28) LOOM_PACK(29) LOOM_PACK(30) LOOM_PACK(31)
#undef LOOM_PACK
  default: break;
  }
  const uint64_t mask = wa >= 32 ? 0xffffffffull : ((1ull << wa) - 1);
  uint64_t buf = 0;
  int have = 0, k = 0;
  for (int p = 0; p < pe; ++p) {
    buf |= ((uint64_t)(uint32_t)u.acc[p] & mask) << have;
    have += wa;
    if (have >= 32) {
      o[k++] = (uint32_t)buf;
      buf >>= 32;
      have -= 32;
    }
  }
  for (; k < nw; ++k) {
    o[k] = (uint32_t)buf;
    buf >>= 32;
  }
}

} // namespace

extern "C" {

// kind 0: loom_mvu / loom_dwu (lines = NWORDS, groups = NF); 1: loom_mvu_stream
// (lines = LINES, groups = 1, cap = the gearbox's elements)
void *loom_mac_new(int kind, int k, int n, int simd, int pe, int inBeat, int wIn, int dwKK,
                   int flat, int lines, int groups, int wa, int cap) {
  auto *u = new MacUnit;
  u->stream = kind == 1;
  u->k = k;
  u->n = n;
  u->simd = simd;
  u->pe = pe;
  u->inBeat = inBeat;
  u->wIn = wIn;
  u->dwKK = dwKK;
  u->flat = flat != 0;
  u->wa = wa;
  u->lanes = pe * simd;
  u->w.assign((size_t)lines * u->lanes, 0);
  u->wt.assign((size_t)lines * u->lanes, 0);
  u->bias.assign((size_t)groups * pe, 0);
  if (!u->stream) {
    for (auto &b : u->bank)
      b.assign((size_t)2 * k + simd, 0);
  } else {
    // room for a gearbox's worth past the head, compacted when the tail nears the end
    u->q.assign((size_t)4 * cap + 2 * (size_t)simd * (dwKK > 0 ? n : 1) + 64, 0);
  }
  u->acc.assign(pe, 0);
  u->carry.assign(pe, 0);
  u->hi.assign(pe, 0);
  return u;
}

// weight line `line` (lane p*SIMD + s, already sign-extended or +-1)
void loom_mac_wline(void *h, int line, const svOpenArrayHandle lanes) {
  auto *u = static_cast<MacUnit *>(h);
  const int32_t *l = static_cast<const int32_t *>(svGetArrayPtr(lanes));
  for (int p = 0; p < u->pe; ++p)
    for (int s = 0; s < u->simd; ++s) {
      int32_t v = l[p * u->simd + s];
      u->w[(size_t)line * u->lanes + p * u->simd + s] = v;
      u->wt[(size_t)line * u->lanes + s * u->pe + p] = v;
    }
}

// bias of group `group`, PE lanes sign-extended
void loom_mac_bline(void *h, int group, const svOpenArrayHandle lanes) {
  auto *u = static_cast<MacUnit *>(h);
  const int32_t *l = static_cast<const int32_t *>(svGetArrayPtr(lanes));
  std::memcpy(&u->bias[(size_t)group * u->pe], l, sizeof(int32_t) * (size_t)u->pe);
}

// an input beat of IN_BEAT W_IN-bit elements: loom_mvu writes it at beat `cnt` of bank
// `bank`; loom_mvu_stream appends it to its queue
void loom_mac_beat(void *h, int bank, int cnt, const svOpenArrayHandle data) {
  auto *u = static_cast<MacUnit *>(h);
  const uint32_t *d = words(data);
  if (!u->stream) {
    int32_t *b = u->bank[bank].data() + (size_t)cnt * u->inBeat;
    unpack(d, u->inBeat, u->wIn, b);
    if (u->flat)
      std::memcpy(b + u->k, b, sizeof(int32_t) * (size_t)u->inBeat);
    return;
  }
  if (u->tail + (size_t)u->inBeat + (size_t)u->simd * u->n > u->q.size()) {
    std::memmove(u->q.data(), u->q.data() + u->head, sizeof(int32_t) * (u->tail - u->head));
    u->tail -= u->head;
    u->head = 0;
  }
  unpack(d, u->inBeat, u->wIn, u->q.data() + u->tail);
  u->tail += (size_t)u->inBeat;
}

// loom_mvu: the step issued this edge (lane 0 at bank index xbase; weight line waddr;
// channel group nf); flags as the unit's fl_step; acc receives the lanes when last
void loom_mac_step(void *h, int bank, int xbase, int waddr, int nf, int first, int carryIn,
                   int split, int flo, int last, const svOpenArrayHandle acc) {
  auto *u = static_cast<MacUnit *>(h);
  const int32_t *x = u->bank[bank].data() + xbase;
  step(*u, x, waddr, nf, first, carryIn, split, flo, u->dwKK > 0 ? u->n : 0);
  if (last)
    finish(*u, acc);
}

// loom_mvu_stream: the step issued this edge takes the `need` oldest elements
void loom_mac_stream_step(void *h, int need, int line, int first, int carryIn, int split,
                          int flo, int last, const svOpenArrayHandle acc) {
  auto *u = static_cast<MacUnit *>(h);
  // lanes past `need` (the frame's last step) are high slots, which never count; they
  // read whatever follows, never past the queue's end
  const int32_t *x = u->q.data() + u->head;
  step(*u, x, line, 0, first, carryIn, split, flo, u->dwKK > 0 ? u->n : 0);
  if (last)
    finish(*u, acc);
  u->head += (size_t)need;
}

} // extern "C"
