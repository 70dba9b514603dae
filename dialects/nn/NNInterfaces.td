//===- NNInterfaces.td - op interfaces of the nn dialect ---*- tablegen -*-===//
//
// Interfaces that layers above the dialect implement for nn ops as external
// models (MLIR's way for cross-layer interfaces, as CIRCT does): the dialect
// declares what is asked, the library that knows the answer attaches it, so
// dialects/ does not depend on compiler/.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_NN_INTERFACES
#define LOOM_NN_INTERFACES

include "mlir/IR/OpBase.td"

def NN_ReferenceEvalOpInterface : OpInterface<"ReferenceEvalOpInterface"> {
  let cppNamespace = "::loom::nn";
  let description = [{
    Reference evaluation of one op on one frame: the value of its (single)
    result from the values of its operands. On quantized graphs this is the
    bit-exact ground truth the RTL is compared with (docs/CONTRACTS.md).
    Implemented as external models by compiler/interp (one file per op family),
    attached by loom::registerReferenceModels; interpretFrame walks a function
    and calls this method on each op.
  }];
  let methods = [
    InterfaceMethod<[{
        Evaluates the op on `operands` (one per op operand, in order; float
        tensors fill `f`, integer tensors `q`). Returns the result value, or a
        one-line error naming the node.
      }],
      "::llvm::Expected<::loom::nn::RefTensor>", "evaluateReference",
      (ins "::llvm::ArrayRef<const ::loom::nn::RefTensor *>":$operands)>,
  ];
}

#endif // LOOM_NN_INTERFACES
