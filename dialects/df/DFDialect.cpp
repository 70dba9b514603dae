//===- DFDialect.cpp - df dialect registration ----------------------------===//
#include "dialects/df/DFOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace loom::df;

#include "dialects/df/DFOpsDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/df/DFOpsTypes.cpp.inc"

void DFDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/df/DFOpsTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/df/DFOps.cpp.inc"
      >();
}
