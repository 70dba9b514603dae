// Shared helpers for the Loom RTL Verilator testbenches: bit vectors, port access,
// memory-file writing, golden numerics (docs/CONTRACTS.md) and a generic stream driver
// with random valid gaps / backpressure that also measures latency and II.
#ifndef LOOM_RTL_TEST_TB_COMMON_H
#define LOOM_RTL_TEST_TB_COMMON_H

#include "verilated.h"

#include "compiler/numerics/FixedPoint.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace tb {

struct Bits {
  int width = 0;
  std::vector<uint32_t> w;
  explicit Bits(int width = 0) : width(width), w((width + 31) / 32 + 1, 0) {}
  void set(int lo, int n, int64_t v) {
    for (int i = 0; i < n; ++i) {
      int b = lo + i;
      uint32_t bit = (uint64_t(v) >> (i < 64 ? i : 63)) & 1u;
      w[b / 32] = (w[b / 32] & ~(1u << (b % 32))) | (bit << (b % 32));
    }
  }
  uint64_t getU(int lo, int n) const {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      int b = lo + i;
      v |= uint64_t((w[b / 32] >> (b % 32)) & 1u) << i;
    }
    return v;
  }
  int64_t getS(int lo, int n) const {
    uint64_t v = getU(lo, n);
    if (n < 64 && (v >> (n - 1)) & 1)
      v |= ~uint64_t(0) << n;
    return int64_t(v);
  }
  std::string hex() const {
    int digits = (width + 3) / 4;
    std::string s(digits, '0');
    for (int d = 0; d < digits; ++d) {
      int n = std::min(4, width - 4 * d);
      s[digits - 1 - d] = "0123456789abcdef"[getU(4 * d, n)];
    }
    return s;
  }
  bool operator==(const Bits &o) const {
    for (int i = 0; i < width; ++i)
      if (getU(i, 1) != o.getU(i, 1))
        return false;
    return true;
  }
};

template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
void toPort(T &p, const Bits &b) {
  p = T(b.getU(0, std::min<int>(b.width, 8 * sizeof(T))));
}
template <std::size_t N> void toPort(VlWide<N> &p, const Bits &b) {
  for (std::size_t i = 0; i < N; ++i)
    p[i] = i < b.w.size() ? b.w[i] : 0;
}
template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
Bits fromPort(const T &p, int width) {
  Bits b(width);
  b.set(0, width, int64_t(uint64_t(p)));
  return b;
}
template <std::size_t N> Bits fromPort(const VlWide<N> &p, int width) {
  Bits b(width);
  for (std::size_t i = 0; i < N && i < b.w.size(); ++i)
    b.w[i] = p[i];
  for (int i = width; i < int(b.w.size()) * 32; ++i)
    b.w[i / 32] &= ~(1u << (i % 32));
  return b;
}

inline void writeMem(const std::string &path, const std::vector<Bits> &lines) {
  std::ofstream f(path);
  for (const Bits &b : lines)
    f << b.hex() << "\n";
}

// ---- numerics (CONTRACTS.md): the reference's own library, not a copy
using loom::numerics::saturate;
using loom::numerics::shiftRoundEven;

// ---- generic single-stream driver
struct RunResult {
  std::vector<Bits> out;          // output beats in order
  std::vector<int64_t> inCycles;  // edge index of each input beat
  std::vector<int64_t> outCycles; // edge index of each output beat
  std::vector<int> outLast;       // out_last per beat (if the design has it)
  bool timeout = false;
};

template <class V> void tick(V *top) {
  top->clk = 1;
  top->eval();
  top->clk = 0;
  top->eval();
}

template <class V> void reset(V *top) {
  top->clk = 0;
  top->rst = 1;
  top->in_valid = 0;
  top->out_ready = 0;
  top->eval();
  for (int i = 0; i < 4; ++i)
    tick(top);
  top->rst = 0;
  top->eval();
}

struct NoLast {
  template <class V> static int get(V *) { return 0; }
};
struct HasLast {
  template <class V> static int get(V *t) { return t->out_last; }
};

/// Drives `in` beats (inW bits each) and collects `nOut` output beats (outW bits).
/// pValid / pReady: probability that in_valid / out_ready is offered in a cycle
/// (1.0 = clean pass). Cycle 0 = first rising edge after reset release.
template <class V, class Last = NoLast>
RunResult run(V *top, const std::vector<Bits> &in, int outW, size_t nOut, double pValid,
              double pReady, uint64_t seed, int64_t maxCycles = 2000000) {
  RunResult r;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  reset(top);
  size_t sent = 0;
  bool offering = false;
  for (int64_t t = 0; r.out.size() < nOut; ++t) {
    if (t > maxCycles) {
      r.timeout = true;
      return r;
    }
    // Once offered, a beat stays valid until taken (AXI rule).
    if (!offering && sent < in.size())
      offering = pValid >= 1.0 || u(rng) < pValid;
    top->in_valid = offering;
    if (sent < in.size())
      toPort(top->in_data, in[sent]);
    top->out_ready = pReady >= 1.0 || u(rng) < pReady;
    top->eval();
    if (top->in_valid && top->in_ready) {
      r.inCycles.push_back(t);
      ++sent;
      offering = false;
    }
    if (top->out_valid && top->out_ready) {
      r.out.push_back(fromPort(top->out_data, outW));
      r.outCycles.push_back(t);
      r.outLast.push_back(Last::get(top));
    }
    tick(top);
  }
  return r;
}

struct Timing {
  int64_t latency = 0, ii = 0;
};
inline Timing measure(const RunResult &r, size_t inBeats, size_t outBeats, size_t frames) {
  Timing t;
  (void)inBeats;
  int64_t end0 = r.outCycles[outBeats - 1];
  t.latency = end0 - r.inCycles[0] + 1;
  t.ii = r.outCycles[frames * outBeats - 1] - r.outCycles[(frames - 1) * outBeats - 1];
  return t;
}

inline int compareBeats(const std::vector<Bits> &got, const std::vector<Bits> &exp,
                        const char *what) {
  int bad = 0;
  if (got.size() != exp.size()) {
    std::printf("%s: got %zu beats, expected %zu\n", what, got.size(), exp.size());
    return 1;
  }
  for (size_t i = 0; i < exp.size(); ++i) {
    if (!(got[i] == exp[i])) {
      if (bad < 10)
        std::printf("%s: beat %zu mismatch: got %s expected %s\n", what, i, got[i].hex().c_str(),
                    exp[i].hex().c_str());
      ++bad;
    }
  }
  return bad;
}

} // namespace tb

#endif // LOOM_RTL_TEST_TB_COMMON_H
