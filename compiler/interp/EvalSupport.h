//===- EvalSupport.h - shared pieces of the reference models ----*- C++ -*-===//
//
// What the per-family files (LinearModels.cpp, WindowModels.cpp, ...) share:
// the adapter that turns one evaluation function per op into an external model
// of nn::ReferenceEvalOpInterface, the one-line error, and the conversions from
// op attributes and types to the compiler/reference kernel arguments.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_INTERP_EVALSUPPORT_H
#define LOOM_COMPILER_INTERP_EVALSUPPORT_H

#include "compiler/numerics/FixedPoint.h"
#include "compiler/reference/AffineKernels.h"
#include "compiler/reference/ConvKernels.h"
#include "compiler/reference/QuantConvKernels.h"
#include "dialects/nn/NNInterfaces.h"
#include "dialects/nn/NNOps.h"

#include <optional>

namespace loom::interp {

using nn::RefTensor;
/// The operand values of one op, in operand order.
using Operands = llvm::ArrayRef<const RefTensor *>;
/// Reference evaluation of one op type.
template <typename OpT> using EvalFn = llvm::Expected<RefTensor> (*)(OpT, Operands);

/// External model of ReferenceEvalOpInterface that forwards to `Fn`.
template <typename OpT, EvalFn<OpT> Fn>
struct RefModel : nn::ReferenceEvalOpInterface::ExternalModel<RefModel<OpT, Fn>, OpT> {
  llvm::Expected<RefTensor> evaluateReference(mlir::Operation *op, Operands operands) const {
    return Fn(llvm::cast<OpT>(op), operands);
  }
};

/// Attaches `Fn` as the reference evaluation of OpT in `ctx`.
template <typename OpT, EvalFn<OpT> Fn> void attachModel(mlir::MLIRContext *ctx) {
  OpT::template attachInterface<RefModel<OpT, Fn>>(*ctx);
}

/// One attach function per op family (registerReferenceModels calls them all).
void attachLinearModels(mlir::MLIRContext *ctx);
void attachWindowModels(mlir::MLIRContext *ctx);
void attachActivationModels(mlir::MLIRContext *ctx);
void attachShapeModels(mlir::MLIRContext *ctx);
void attachQuantModels(mlir::MLIRContext *ctx);
void attachEmbedModels(mlir::MLIRContext *ctx);
void attachAttentionModels(mlir::MLIRContext *ctx);

/// "interpreter: node 'NAME' (nn.op): what" (one line).
llvm::Error opError(mlir::Operation *op, const llvm::Twine &what);

std::vector<double> floats(mlir::ElementsAttr attr);
unsigned widthOf(mlir::Value v);
int64_t lastDim(mlir::Value v);
numerics::FixedFormat formatOf(mlir::Value v, int64_t frac);
reference::Shape shapeOf(mlir::Value v);

/// Window attributes of an nn op as the float kernels take them.
reference::WindowParams window(llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
                               llvm::ArrayRef<int64_t> dilations, llvm::ArrayRef<int64_t> pads);
/// ... and as the integer kernels take them (2-D).
reference::QWindow qwindow(llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
                           llvm::ArrayRef<int64_t> dilations, llvm::ArrayRef<int64_t> pads);

/// The integer kernels work channels-last (the hardware order); nn is NCHW.
reference::QFmap fmapOf(mlir::Value v);
std::vector<int64_t> toNhwc(const std::vector<int64_t> &x, mlir::Value v);
std::vector<int64_t> toNchw(const std::vector<int64_t> &x, mlir::Value v);

reference::AffineParams affine(llvm::ArrayRef<double> scale, llvm::ArrayRef<int64_t> zp,
                               int64_t axis);
/// The integers of an optional per-channel attribute (mult, post_bias); empty
/// when it is absent.
std::vector<int64_t> multOf(std::optional<mlir::ElementsAttr> mult);

} // namespace loom::interp

#endif
