//===- NNDialect.cpp - nn dialect registration ----------------------------===//
#include "dialects/nn/NNOps.h"

using namespace mlir;
using namespace loom::nn;

#include "dialects/nn/NNCategories.cpp.inc"
#include "dialects/nn/NNOpsDialect.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/nn/NNOps.cpp.inc"
      >();
  registerAttributes();
}
