//===- StreamOrder.cpp - element order of nn tensors on df streams --------===//
//
// See StreamOrder.h.
//
//===----------------------------------------------------------------------===//
#include "passes/StreamOrder.h"

#include <numeric>

using namespace mlir;

namespace loom::streamorder {

static ArrayRef<int64_t> shapeOf(Value v) { return llvm::cast<ShapedType>(v.getType()).getShape(); }

/// Stream order of an NCHW tensor streamed channels-last.
Perm nhwcPerm(ArrayRef<int64_t> nchw) {
  int64_t c = nchw[1], h = nchw[2], w = nchw[3];
  Perm p;
  p.reserve(c * h * w);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t ch = 0; ch < c; ++ch)
        p.push_back((ch * h + y) * w + x);
  return p;
}

bool isIdentity(const Perm &p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != int64_t(i))
      return false;
  return true;
}

bool samePerm(const Perm &a, const Perm &b) {
  if (a.empty() || b.empty())
    return (a.empty() || isIdentity(a)) && (b.empty() || isIdentity(b));
  return a == b;
}

/// Whether a value's stream must be channels-last for `user`.
static bool wantsChannelsLast(Operation *user) { return user->hasTrait<nn::OpTrait::SpatialWindow>(); }

/// g of a transpose: out[j] = in[g[j]] (flat, row-major).
std::vector<int64_t> transposeSource(nn::TransposeOp tr) {
  ArrayRef<int64_t> in = shapeOf(tr.getInput()), out = shapeOf(tr.getResult());
  ArrayRef<int64_t> p = tr.getPerm();
  int64_t n = std::accumulate(in.begin(), in.end(), int64_t(1), std::multiplies<int64_t>());
  std::vector<int64_t> inStride(in.size(), 1), g(n);
  for (int64_t d = int64_t(in.size()) - 2; d >= 0; --d)
    inStride[d] = inStride[d + 1] * in[d + 1];
  for (int64_t j = 0; j < n; ++j) {
    int64_t rem = j, src = 0;
    for (int64_t d = int64_t(out.size()) - 1; d >= 0; --d) {
      src += (rem % out[d]) * inStride[p[d]];
      rem /= out[d];
    }
    g[j] = src;
  }
  return g;
}

/// The stream order in which `v` must arrive so that the first op needing
/// channels-last order reads its input channels-last, looking through
/// reshapes (a 1-D feature map viewed as H = 1) and transposes (an NHWC
/// graph input transposed to NCHW, or an NCHW one transposed back and
/// forth); std::nullopt if no such op reads it.
std::optional<Perm> channelsLastOrder(Value v) {
  for (Operation *user : v.getUsers()) {
    if (wantsChannelsLast(user) && shapeOf(v).size() == 4)
      return nhwcPerm(shapeOf(v));
    if (user->hasTrait<nn::OpTrait::LayoutOnly>())
      if (auto order = channelsLastOrder(user->getResult(0)))
        return order;
    if (auto tr = llvm::dyn_cast<nn::TransposeOp>(user))
      if (auto order = channelsLastOrder(tr.getResult())) {
        // The transpose's stream order is perm' = g^-1 o perm (lower()), so
        // perm = g o perm'.
        std::vector<int64_t> g = transposeSource(tr);
        Perm perm(order->size());
        for (size_t i = 0; i < perm.size(); ++i)
          perm[i] = g[(*order)[i]];
        return perm;
      }
  }
  return std::nullopt;
}

} // namespace loom::streamorder
