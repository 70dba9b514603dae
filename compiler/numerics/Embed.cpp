//===- Embed.cpp - integer token + position embedding ---------------------===//
//
// docs/CONTRACTS.md "Embedding".
//
//===----------------------------------------------------------------------===//
#include "compiler/numerics/Embed.h"

#include <cmath>
#include <string>

namespace loom::numerics {

std::vector<int64_t> embedTableCodes(const std::vector<double> &values, double scale, int width) {
  const int64_t hi = (int64_t(1) << (width - 1)) - 1, lo = -hi - 1;
  std::vector<int64_t> codes;
  codes.reserve(values.size());
  for (double v : values) {
    double r = std::nearbyint(v / scale); // round half to even (default FP rounding mode)
    codes.push_back(r < double(lo) ? lo : r > double(hi) ? hi : int64_t(r));
  }
  return codes;
}

int embedIdBits(int64_t V) {
  int bits = 0;
  while ((int64_t(1) << bits) < V)
    ++bits;
  return bits < 2 ? 2 : bits;
}

llvm::Expected<std::vector<int64_t>> embedFrame(const std::vector<int64_t> &ids,
                                                const std::vector<int64_t> &table,
                                                const std::vector<int64_t> &pos, int64_t V,
                                                int64_t C, int64_t lo, int64_t hi) {
  int64_t T = int64_t(ids.size());
  std::vector<int64_t> out;
  out.reserve(size_t(T * C));
  for (int64_t t = 0; t < T; ++t) {
    int64_t id = ids[t];
    if (id < 0 || id >= V)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "token id " + std::to_string(id) + " at position " +
                                         std::to_string(t) + " is outside [0, " +
                                         std::to_string(V) + ")");
    for (int64_t c = 0; c < C; ++c)
      out.push_back(embedCode(table[id * C + c], pos.empty() ? 0 : pos[t * C + c], lo, hi));
  }
  return out;
}

} // namespace loom::numerics
