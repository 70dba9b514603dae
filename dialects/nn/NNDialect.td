//===- NNDialect.td - the nn dialect definition -------------*- tablegen -*-===//
//
// Shared by the ops (NNOps.td) and the attributes (NNAttrs.td).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_NN_DIALECT
#define LOOM_NN_DIALECT

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::loom::nn";
  let summary = "Tensor-level neural network graph";
  // #nn.fixed<W, I> (NNAttrs.td).
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Adds the attributes of NNAttrs.td (NNAttrs.cpp).
    void registerAttributes();
  }];
}

#endif // LOOM_NN_DIALECT
