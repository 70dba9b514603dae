//===- DFOps.h - df dialect declarations ------------------------*- C++ -*-===//
#ifndef LOOM_DIALECTS_DF_DFOPS_H
#define LOOM_DIALECTS_DF_DFOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "compiler/numerics/Attention.h"
#include "compiler/numerics/LayerNorm.h"
#include "compiler/numerics/Rotary.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <optional>

#include "dialects/df/DFOpsDialect.h.inc"
#include "dialects/df/DFOpsEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/df/DFOpsAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/df/DFOpsTypes.h.inc"

namespace loom::df {

/// Whether an activation is applied by table (t_min, t_max, t_shift, table).
inline bool isTableActivation(Activation act) { return act == Activation::table; }

/// The attributes of a df.mvu / df.dwu (DFOps.td), named, for their builder:
/// `b.create<df::MvuOp>(loc, type, input, params)`. Unset optionals are left
/// out of the op; a new unit is fully folded unless `simd` / `pe` say otherwise.
struct ComputeParams {
  mlir::ElementsAttr weight, bias;
  int64_t shift = 0, accWidth = 0;
  int64_t simd = 1, pe = 1;
  Activation act = Activation::none;
  std::optional<int64_t> tMin, tMax, tShift; // clip bounds / table domain (codes)
  mlir::ElementsAttr table;                  // table activations
  mlir::StringAttr tableFunction;            // the table's function (nn op name)
  std::optional<int64_t> leakyMult;          // LeakyRelu A (shift 15)
  mlir::DenseI64ArrayAttr leakyMults;        // PRelu: one A per output channel
  mlir::ElementsAttr mult;                   // requantization multipliers
  mlir::ElementsAttr postBias;               // added after the multiply (one per output)
  bool binary = false;                       // +-1 weights stored as one bit
};

/// The builder both compute units share (DF_ComputeOp in DFOps.td).
void buildCompute(mlir::OpBuilder &builder, mlir::OperationState &state, mlir::Type output,
                  mlir::Value input, const ComputeParams &params);

} // namespace loom::df

#include "dialects/df/DFOpsInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/df/DFOps.h.inc"

namespace loom::df {
/// What the report calls a compute unit's activation: a table's function
/// (sigmoid, hard_swish, ...), else its `act`.
template <typename ComputeOp> llvm::StringRef activationName(ComputeOp op) {
  if (auto fn = op.getTableFunctionAttr())
    return fn.getValue();
  return stringifyActivation(op.getAct());
}
} // namespace loom::df

#endif
