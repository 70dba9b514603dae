//===- EvalSupport.cpp - shared pieces of the reference models ------------===//
#include "compiler/interp/EvalSupport.h"
#include "dialects/nn/IntAttrs.h"

using namespace mlir;

namespace loom::interp {

llvm::Error opError(Operation *op, const llvm::Twine &what) {
  auto node = op->getAttrOfType<StringAttr>(nn::kNodeNameAttr);
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "interpreter: node '" + (node ? node.getValue() : "?") + "' (" +
                                     op->getName().getStringRef() + "): " + what);
}

std::vector<double> floats(ElementsAttr attr) {
  std::vector<double> out;
  for (APFloat v : attr.getValues<APFloat>())
    out.push_back(v.convertToDouble());
  return out;
}

unsigned widthOf(Value v) { return llvm::cast<ShapedType>(v.getType()).getElementTypeBitWidth(); }
int64_t lastDim(Value v) { return llvm::cast<ShapedType>(v.getType()).getShape().back(); }

numerics::FixedFormat formatOf(Value v, int64_t frac) {
  numerics::FixedFormat f;
  f.width = int(widthOf(v));
  f.intBits = int(f.width - frac);
  return f;
}

reference::Shape shapeOf(Value v) {
  auto s = llvm::cast<ShapedType>(v.getType()).getShape();
  return reference::Shape(s.begin(), s.end());
}

reference::WindowParams window(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
  reference::WindowParams p;
  p.kernel.assign(kernel.begin(), kernel.end());
  p.strides.assign(strides.begin(), strides.end());
  p.dilations.assign(dilations.begin(), dilations.end());
  p.pads.assign(pads.begin(), pads.end());
  return p;
}

reference::QWindow qwindow(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
  reference::QWindow w;
  w.KH = kernel[0], w.KW = kernel[1], w.SH = strides[0], w.SW = strides[1];
  w.DH = dilations[0], w.DW = dilations[1];
  w.PT = pads[0], w.PL = pads[1], w.PB = pads[2], w.PR = pads[3];
  return w;
}

reference::QFmap fmapOf(Value v) {
  auto s = llvm::cast<ShapedType>(v.getType()).getShape();
  return reference::QFmap{s[2], s[3], s[1]};
}
std::vector<int64_t> toNhwc(const std::vector<int64_t> &x, Value v) {
  auto s = llvm::cast<ShapedType>(v.getType()).getShape();
  return reference::nchwToNhwc(x, 1, s[1], s[2], s[3]);
}
std::vector<int64_t> toNchw(const std::vector<int64_t> &x, Value v) {
  auto s = llvm::cast<ShapedType>(v.getType()).getShape();
  return reference::nhwcToNchw(x, 1, s[2], s[3], s[1]);
}

reference::AffineParams affine(ArrayRef<double> scale, ArrayRef<int64_t> zp, int64_t axis) {
  reference::AffineParams p;
  p.scale.assign(scale.begin(), scale.end());
  p.zeroPoint.assign(zp.begin(), zp.end());
  p.axis = axis;
  return p;
}

std::vector<int64_t> multOf(std::optional<ElementsAttr> mult) {
  return mult ? ints(*mult) : std::vector<int64_t>{};
}

} // namespace loom::interp
