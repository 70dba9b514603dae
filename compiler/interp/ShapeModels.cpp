//===- ShapeModels.cpp - reference evaluation of joins and shape ops ------===//
//
// Constants, data movement (identity, reshape, transpose) and the ops that
// join two streams (concat, and the element-wise mul_act / add_act).
//
//===----------------------------------------------------------------------===//
#include "compiler/interp/EvalSupport.h"
#include "compiler/reference/FloatKernels.h"
#include "compiler/reference/QuantKernels.h"

using namespace mlir;

namespace loom::interp {
namespace {

llvm::Expected<RefTensor> evalConstant(nn::ConstantOp op, Operands) {
  RefTensor out;
  out.f = floats(op.getValue());
  return out;
}

/// Identity and reshape: the flat data does not change.
template <typename OpT> llvm::Expected<RefTensor> evalSameData(OpT, Operands in) { return *in[0]; }

llvm::Expected<RefTensor> evalTranspose(nn::TransposeOp op, Operands in) {
  const RefTensor &x = *in[0];
  RefTensor out;
  auto perm = op.getPerm();
  std::vector<int64_t> pv(perm.begin(), perm.end());
  reference::Shape yShape;
  bool ok = x.q.empty() ? reference::transpose(x.f, shapeOf(op.getInput()), pv, out.f, yShape)
                        : reference::transpose(x.q, shapeOf(op.getInput()), pv, out.q, yShape);
  if (!ok)
    return opError(op, "invalid permutation");
  return out;
}

llvm::Expected<RefTensor> evalConcat(nn::ConcatOp op, Operands in) {
  const RefTensor &lhs = *in[0], &rhs = *in[1];
  RefTensor out;
  reference::Shape yShape;
  std::vector<reference::Shape> shapes = {shapeOf(op.getLhs()), shapeOf(op.getRhs())};
  int64_t axis = op.getAxisAttr().getInt();
  bool ok = lhs.q.empty() ? reference::concat<double>({lhs.f, rhs.f}, shapes, axis, out.f, yShape)
                          : reference::concat<int64_t>({lhs.q, rhs.q}, shapes, axis, out.q, yShape);
  if (!ok)
    return opError(op, "invalid concatenation");
  return out;
}

llvm::Expected<RefTensor> evalMulAct(nn::MulActOp op, Operands in) {
  const RefTensor &lhs = *in[0], &rhs = *in[1];
  RefTensor out;
  if (lhs.q.empty()) {
    out.f.resize(lhs.f.size());
    for (size_t i = 0; i < lhs.f.size(); ++i)
      out.f[i] = lhs.f[i] * rhs.f[i];
  } else {
    out.q = reference::qmul(lhs.q, rhs.q, int(op.getFracAttr().getInt()),
                            int(widthOf(op.getResult())), op.getMult().value_or(1));
  }
  return out;
}

llvm::Expected<RefTensor> evalAddAct(nn::AddActOp op, Operands in) {
  const RefTensor &lhs = *in[0], &rhs = *in[1];
  RefTensor out;
  int width = int(widthOf(op.getResult()));
  if (lhs.q.empty())
    out.f = reference::add(lhs.f, rhs.f);
  else if (op.getMultLhs())
    out.q =
        reference::qaddScaled(lhs.q, rhs.q, op.getMultLhsAttr().getInt(),
                              op.getMultRhsAttr().getInt(), int(op.getShiftAttr().getInt()), width);
  else
    out.q = reference::qadd(lhs.q, rhs.q, width);
  return out;
}

} // namespace

void attachShapeModels(MLIRContext *ctx) {
  attachModel<nn::ConstantOp, evalConstant>(ctx);
  attachModel<nn::IdentityOp, evalSameData<nn::IdentityOp>>(ctx);
  attachModel<nn::ReshapeOp, evalSameData<nn::ReshapeOp>>(ctx);
  attachModel<nn::TransposeOp, evalTranspose>(ctx);
  attachModel<nn::ConcatOp, evalConcat>(ctx);
  attachModel<nn::MulActOp, evalMulAct>(ctx);
  attachModel<nn::AddActOp, evalAddAct>(ctx);
}

} // namespace loom::interp
