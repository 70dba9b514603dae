//===- RTLDialect.cpp - rtl dialect registration --------------------------===//
#include "dialects/rtl/RTLOps.h"

using namespace mlir;
using namespace loom::rtl;

#include "dialects/rtl/RTLOpsDialect.cpp.inc"

void RTLDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/rtl/RTLOps.cpp.inc"
      >();
}
