//===- DFOps.cpp - df type and op verifiers -------------------------------===//
//
// The invariants every later stage relies on: a stream's lanes divide its frame,
// an mvu's folding divides its matrix, and each actor's output beat width is
// the one its hardware produces (pe for mvu, 1 for softmax).
//
//===----------------------------------------------------------------------===//
#include "dialects/df/DFOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace loom::df;

int64_t StreamType::getFrameElements() const {
  int64_t n = 1;
  for (int64_t d : getShape())
    n *= d;
  return n;
}

LogicalResult StreamType::verify(llvm::function_ref<InFlightDiagnostic()> emitError,
                                 Type elementType, int64_t lanes, ArrayRef<int64_t> shape) {
  if (!elementType.isSignlessInteger())
    return emitError() << "stream elements must be signless integers, got " << elementType;
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d <= 0)
      return emitError() << "frame dimensions must be positive";
    n *= d;
  }
  if (lanes <= 0 || n % lanes != 0)
    return emitError() << "lanes (" << lanes << ") must divide the frame size (" << n << ")";
  return success();
}

LogicalResult MvuOp::verify() {
  int64_t k = getK(), n = getN();
  auto wType = llvm::cast<ShapedType>(getWeight().getType());
  if (wType.getRank() != 2 || wType.getDimSize(0) != n || wType.getDimSize(1) != k)
    return emitOpError("weight must be [") << n << ", " << k << "], got " << wType;
  if (getBias().getNumElements() != n)
    return emitOpError("bias must have ") << n << " elements";
  // I64Attr getters return uint64_t: `getSimd() <= 0` only caught 0, and a
  // negative value was printed as 2^64 - x. Read the signed values.
  int64_t simd = getSimdAttr().getInt(), pe = getPeAttr().getInt();
  if (simd <= 0 || k % simd != 0)
    return emitOpError("simd ") << simd << " must divide K = " << k;
  if (pe <= 0 || n % pe != 0)
    return emitOpError("pe ") << pe << " must divide N = " << n;
  if (getOutput().getType().getLanes() != pe)
    return emitOpError("output stream must carry pe = ") << pe << " lanes, got "
                                                          << getOutput().getType().getLanes();
  StringRef act = getAct();
  bool table = act == "sigmoid" || act == "tanh";
  if (!table && act != "none" && act != "relu")
    return emitOpError("unknown activation '") << act << "'";
  // A table activation needs all four table attributes; any other activation
  // must carry none of them (a partial set on "none"/"relu" used to verify).
  bool all = getTableAttr() && getTMinAttr() && getTMaxAttr() && getTShiftAttr();
  bool any = getTableAttr() || getTMinAttr() || getTMaxAttr() || getTShiftAttr();
  if (table ? !all : any)
    return emitOpError("table activations need t_min, t_max, t_shift and table (and only they)");
  // I64Attr getters return uint64_t: compare the signed attribute values.
  if (getShiftAttr().getInt() < 0)
    return emitOpError("shift must be >= 0, got ") << getShiftAttr().getInt();
  return success();
}

LogicalResult SoftmaxOp::verify() {
  if (getOutput().getType().getLanes() != 1)
    return emitOpError("output stream must carry 1 lane");
  if (getInput().getType().getFrameElements() != getOutput().getType().getFrameElements())
    return emitOpError("input and output frames differ in size");
  return success();
}

LogicalResult FifoOp::verify() {
  if (getInput().getType() != getOutput().getType())
    return emitOpError("input and output stream types differ");
  // I64Attr getters return uint64_t: depth = -1 wrapped to 2^64-1 and passed.
  if (getDepthAttr().getInt() < 2)
    return emitOpError("depth must be at least 2, got ") << getDepthAttr().getInt();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/df/DFOps.cpp.inc"
