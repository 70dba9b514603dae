//===- RTLOps.cpp - rtl verifiers -----------------------------------------===//
//
// A netlist is only printable if every port has a name and a legal width; the
// verifiers guarantee both, so the emitter can print without checking.
//
//===----------------------------------------------------------------------===//
#include "dialects/rtl/RTLOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace loom::rtl;

OutputOp ModuleOp::getOutputOp() { return llvm::cast<OutputOp>(getBodyBlock()->getTerminator()); }

static bool isIdentifier(StringRef name) {
  if (name.empty() || !(llvm::isAlpha(name[0]) || name[0] == '_'))
    return false;
  return llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

LogicalResult ModuleOp::verify() {
  Block *body = getBodyBlock();
  if (body->getNumArguments() != getInputNames().size())
    return emitOpError("has ") << body->getNumArguments() << " input ports but "
                               << getInputNames().size() << " input names";
  if (getOutputOp().getNumOperands() != getOutputNames().size())
    return emitOpError("drives ") << getOutputOp().getNumOperands() << " outputs but has "
                                  << getOutputNames().size() << " output names";
  for (Attribute name : llvm::concat<const Attribute>(getInputNames(), getOutputNames()))
    if (!isIdentifier(llvm::cast<StringAttr>(name).getValue()))
      return emitOpError("port name '")
             << llvm::cast<StringAttr>(name).getValue() << "' is not a legal identifier";
  for (BlockArgument arg : body->getArguments())
    if (!arg.getType().isSignlessInteger())
      return emitOpError("input ports must be signless integers");
  return success();
}

LogicalResult InstanceOp::verify() {
  if (getInputs().size() != getInputNames().size())
    return emitOpError("has ") << getInputs().size() << " inputs but " << getInputNames().size()
                               << " input port names";
  if (getOutputs().size() != getOutputNames().size())
    return emitOpError("has ") << getOutputs().size() << " outputs but " << getOutputNames().size()
                               << " output port names";
  if (!isIdentifier(getInstanceName()))
    return emitOpError("instance name '") << getInstanceName() << "' is not a legal identifier";
  for (NamedAttribute param : getParameters())
    if (!llvm::isa<IntegerAttr, StringAttr>(param.getValue()))
      return emitOpError("parameter '")
             << param.getName().getValue() << "' must be an integer or a string";
  return success();
}

LogicalResult MemFileOp::verify() {
  // I64Attr getters return uint64_t: compare the signed attribute values (a
  // negative lanes used to be printed as 2^64 - x).
  int64_t laneBits = getLaneBitsAttr().getInt(), lanes = getLanesAttr().getInt();
  if (laneBits < 1 || laneBits > 64)
    return emitOpError("lane_bits must be in [1, 64]");
  if (lanes < 1 || getData().getNumElements() % lanes != 0)
    return emitOpError("data size ")
           << getData().getNumElements() << " is not a multiple of lanes " << lanes;
  if (getFileName().empty() || getFileName().contains('/'))
    return emitOpError("file_name must be a plain file name");
  return success();
}

#define GET_OP_CLASSES
#include "dialects/rtl/RTLOps.cpp.inc"
