//===- StreamOrder.h - element order of nn tensors on df streams -*- C++ -*-===//
//
// nn keeps ONNX's NCHW layout; streams are channels-last. nn-to-df carries the
// difference as a permutation of each tensor's flat elements (stream element i
// is tensor element perm[i]; empty = identity). These are the permutation
// helpers it uses: the channels-last order of a feature map, a transpose's
// source map, and the order in which a value must arrive so that the first op
// needing channels-last order reads it so.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PASSES_STREAMORDER_H
#define LOOM_PASSES_STREAMORDER_H

#include "dialects/nn/NNOps.h"

#include <optional>
#include <vector>

namespace loom::streamorder {

using Perm = std::vector<int64_t>; // empty = identity

/// Stream order of an NCHW tensor streamed channels-last.
Perm nhwcPerm(llvm::ArrayRef<int64_t> nchw);
bool isIdentity(const Perm &p);
/// Equal orders (an empty one is the identity).
bool samePerm(const Perm &a, const Perm &b);
/// g of a transpose: out[j] = in[g[j]] (flat, row-major).
std::vector<int64_t> transposeSource(nn::TransposeOp tr);
/// The stream order in which `v` must arrive so that the first op needing
/// channels-last order reads its input channels-last, looking through
/// reshapes and transposes; std::nullopt if no such op reads it.
std::optional<Perm> channelsLastOrder(mlir::Value v);

} // namespace loom::streamorder

#endif
