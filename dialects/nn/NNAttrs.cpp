//===- NNAttrs.cpp - typed attributes of the nn dialect -------------------===//
#include "dialects/nn/NNOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace loom::nn;

#define GET_ATTRDEF_CLASSES
#include "dialects/nn/NNAttrs.cpp.inc"

void NNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/nn/NNAttrs.cpp.inc"
      >();
}

/// #nn.fixed<W, I> or #nn.fixed<W, I, unsigned>.
Attribute FixedFormatAttr::parse(AsmParser &parser, Type) {
  unsigned width = 0;
  int intBits = 0;
  bool isSigned = true;
  if (parser.parseLess() || parser.parseInteger(width) || parser.parseComma() ||
      parser.parseInteger(intBits))
    return {};
  if (succeeded(parser.parseOptionalComma())) {
    if (parser.parseKeyword("unsigned"))
      return {};
    isSigned = false;
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(parser.getNameLoc()); }, parser.getContext(),
                    width, intBits, isSigned);
}

void FixedFormatAttr::print(AsmPrinter &printer) const {
  printer << "<" << getWidth() << ", " << getIntBits();
  if (!getIsSigned())
    printer << ", unsigned";
  printer << ">";
}

/// Signed formats: numerics::validateFixedFormat's rules, its one-line text.
/// Unsigned: 1 <= W <= 32, F = W - I in [0, 62].
LogicalResult FixedFormatAttr::verify(llvm::function_ref<InFlightDiagnostic()> emitError,
                                      unsigned width, int intBits, bool isSigned) {
  if (isSigned) {
    loom::numerics::FixedFormat f;
    f.width = int(width);
    f.intBits = intBits;
    if (llvm::Error err = loom::numerics::validateFixedFormat(f))
      return emitError() << llvm::toString(std::move(err));
    return success();
  }
  int64_t frac = int64_t(width) - intBits;
  if (width < 1 || width > 32 || frac < 0 || frac > 62)
    return emitError() << "invalid unsigned fixed-point format fixed<" << width << ", " << intBits
                       << ", unsigned>: expected 1 <= W <= 32 and 0 <= W - I <= 62";
  return success();
}
