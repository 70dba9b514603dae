//===- Interpreter.cpp - reference forward pass of an nn graph ------------===//
//
// The frame loop: each op is evaluated by its ReferenceEvalOpInterface model
// (the *Models.cpp files beside this one) on the values of its operands.
//
//===----------------------------------------------------------------------===//
#include "compiler/interp/Interpreter.h"
#include "compiler/interp/EvalSupport.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace loom;

namespace {
/// Float table activations (nn.sigmoid, nn.elu, nn.hard_swish, ...): the op's
/// own float function (TableActivationOpInterface::evaluate) element by
/// element, so a new table activation needs no model of its own.
struct TableActivationModel : nn::ReferenceEvalOpInterface::FallbackModel<TableActivationModel> {
  llvm::Expected<nn::RefTensor> evaluateReference(Operation *op,
                                                  ArrayRef<const nn::RefTensor *> in) const {
    auto act = llvm::cast<nn::TableActivationOpInterface>(op);
    nn::RefTensor out;
    out.f.reserve(in[0]->f.size());
    for (double x : in[0]->f)
      out.f.push_back(act.evaluate(x));
    return out;
  }
};
} // namespace

void loom::registerReferenceModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, nn::NNDialect *) {
    interp::attachLinearModels(ctx);
    interp::attachWindowModels(ctx);
    interp::attachActivationModels(ctx);
    interp::attachShapeModels(ctx);
    interp::attachQuantModels(ctx);
    interp::attachEmbedModels(ctx);
    interp::attachAttentionModels(ctx);
    for (RegisteredOperationName name : ctx->getRegisteredOperations())
      if (name.getDialectNamespace() == nn::NNDialect::getDialectNamespace() &&
          name.hasInterface<nn::TableActivationOpInterface>())
        name.attachInterface<TableActivationModel>();
  });
}

llvm::Expected<FrameResult> loom::interpretFrame(func::FuncOp func,
                                                 const std::vector<std::vector<double>> &inputs) {
  return interpretFrame(func, inputs, [](Value, const std::vector<double> &) {});
}

llvm::Expected<FrameResult> loom::interpretFrame(func::FuncOp func,
                                                 const std::vector<std::vector<double>> &inputs,
                                                 ValueObserver observe) {
  if (inputs.size() != func.getNumArguments())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "interpreter: expected " +
                                       std::to_string(func.getNumArguments()) + " inputs");
  // A context set up without registerReferenceModels would refuse every op.
  auto relu = RegisteredOperationName::lookup(nn::ReluOp::getOperationName(), func.getContext());
  if (relu && !relu->hasInterface<nn::ReferenceEvalOpInterface>())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "interpreter: this context has no reference models "
                                   "(loom::registerReferenceModels)");
  llvm::DenseMap<Value, nn::RefTensor> env;
  FrameResult result;
  for (auto [arg, in] : llvm::zip(func.getArguments(), inputs)) {
    auto type = llvm::cast<ShapedType>(arg.getType());
    if (int64_t(in.size()) != type.getNumElements())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "interpreter: input has " + std::to_string(in.size()) +
                                         " values, expected " +
                                         std::to_string(type.getNumElements()));
    env[arg].f = in;
    observe(arg, in);
  }
  llvm::SmallVector<const nn::RefTensor *, 2> operands;
  for (Operation &op : func.getBody().front()) {
    if (auto ret = llvm::dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands()) {
        result.outputs.push_back(env[v].f);
        if (auto deq = v.getDefiningOp<nn::DequantizeOp>())
          result.rawOutputs.push_back(env[deq.getInput()].q);
      }
      break;
    }
    auto model = llvm::dyn_cast<nn::ReferenceEvalOpInterface>(op);
    if (!model)
      return interp::opError(&op, "the interpreter does not know this op");
    // Insert first, then take addresses: a DenseMap insertion moves entries.
    for (Value v : op.getOperands())
      env[v];
    operands.clear();
    for (Value v : op.getOperands())
      operands.push_back(&env.find(v)->second);
    llvm::Expected<nn::RefTensor> out = model.evaluateReference(operands);
    if (!out)
      return out.takeError();
    // The integers the hardware receives: nn.quantize of a function argument,
    // kept in argument order whatever the order of the quantizers.
    if (auto qz = llvm::dyn_cast<nn::QuantizeOp>(op)) {
      if (auto arg = llvm::dyn_cast<BlockArgument>(qz.getInput())) {
        if (result.rawInputs.size() < func.getNumArguments())
          result.rawInputs.resize(func.getNumArguments());
        result.rawInputs[arg.getArgNumber()] = out->q;
      }
    }
    if (!out->f.empty())
      observe(op.getResult(0), out->f);
    env[op.getResult(0)] = std::move(*out);
  }
  return result;
}
