//===- NNInsertQuant.cpp - post-training int8 quantization ----------------===//
//
// See the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

namespace loom {
#define GEN_PASS_DEF_NNINSERTQUANT
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
struct NNInsertQuantPass : loom::impl::NNInsertQuantBase<NNInsertQuantPass> {
  void runOnOperation() override {
    getOperation().emitError("nn-insert-quant is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
