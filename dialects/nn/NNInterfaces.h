//===- NNInterfaces.h - op interfaces of the nn dialect ---------*- C++ -*-===//
#ifndef LOOM_DIALECTS_NN_NNINTERFACES_H
#define LOOM_DIALECTS_NN_NNINTERFACES_H

#include "mlir/IR/OpDefinition.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace loom::nn {
/// The value of one tensor in reference evaluation, as flat row-major data:
/// float tensors fill `f`, integer (quantized) tensors fill `q`.
struct RefTensor {
  std::vector<double> f;
  std::vector<int64_t> q;
};
} // namespace loom::nn

#include "dialects/nn/NNInterfaces.h.inc"

#endif
