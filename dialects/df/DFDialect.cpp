//===- DFDialect.cpp - df dialect registration ----------------------------===//
#include "dialects/df/DFOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace loom::df;

#include "dialects/df/DFOpsDialect.cpp.inc"
#include "dialects/df/DFOpsEnums.cpp.inc"
#include "dialects/df/DFOpsInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/df/DFOpsAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/df/DFOpsTypes.cpp.inc"

void DFDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/df/DFOpsAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/df/DFOpsTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/df/DFOps.cpp.inc"
      >();
}
