//===- NNTraits.h - op categories of the nn dialect -------------*- C++ -*-===//
//
// The C++ side of the category traits declared in NNCategories.td; what each
// category means is documented there. They carry no methods: a pass asks
// `op->hasTrait<nn::OpTrait::FormatPreserving>()` instead of listing ops.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECTS_NN_NNTRAITS_H
#define LOOM_DIALECTS_NN_NNTRAITS_H

#include "mlir/IR/OpDefinition.h"

namespace loom::nn::OpTrait {

#define LOOM_NN_CATEGORY(Name)                                                                     \
  template <typename ConcreteType>                                                                 \
  class Name : public mlir::OpTrait::TraitBase<ConcreteType, Name> {};

LOOM_NN_CATEGORY(ElementwiseActivation)
LOOM_NN_CATEGORY(LayoutOnly)
LOOM_NN_CATEGORY(FormatPreserving)
LOOM_NN_CATEGORY(ActivationJoin)
LOOM_NN_CATEGORY(ElementwiseJoin)
LOOM_NN_CATEGORY(FusableActivation)
LOOM_NN_CATEGORY(SpatialWindow)

#undef LOOM_NN_CATEGORY

} // namespace loom::nn::OpTrait

#endif
