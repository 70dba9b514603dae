//===- DFOps.h - df dialect declarations ------------------------*- C++ -*-===//
#ifndef LOOM_DIALECTS_DF_DFOPS_H
#define LOOM_DIALECTS_DF_DFOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/df/DFOpsDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/df/DFOpsTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/df/DFOps.h.inc"

#endif
