//===- RTLOps.h - rtl dialect declarations ----------------------*- C++ -*-===//
#ifndef LOOM_DIALECTS_RTL_RTLOPS_H
#define LOOM_DIALECTS_RTL_RTLOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/IR/SymbolTable.h"

#include "dialects/rtl/RTLOpsDialect.h.inc"

namespace loom::rtl {
class OutputOp;
}

#define GET_OP_CLASSES
#include "dialects/rtl/RTLOps.h.inc"

#endif
