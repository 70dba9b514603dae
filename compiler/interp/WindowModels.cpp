//===- WindowModels.cpp - reference evaluation of windowed ops ------------===//
//
// Convolution, pooling, padding and nearest resize: float on the imported
// graph, bit-exact integer (channels-last kernels) after nn-quantize.
//
//===----------------------------------------------------------------------===//
#include "compiler/interp/EvalSupport.h"
#include "dialects/nn/IntAttrs.h"

using namespace mlir;

namespace loom::interp {
namespace {

llvm::Expected<RefTensor> evalConv(nn::ConvOp op, Operands in) {
  RefTensor out;
  auto w = llvm::cast<ShapedType>(op.getWeight().getType());
  reference::WindowParams p =
      window({w.getDimSize(2), w.getDimSize(3)}, op.getStrides(), op.getDilations(), op.getPads());
  p.group = op.getGroupAttr().getInt();
  reference::Shape yShape;
  if (!reference::conv(in[0]->f, shapeOf(op.getInput()), floats(op.getWeight()),
                       reference::Shape(w.getShape().begin(), w.getShape().end()),
                       floats(op.getBias()), p, out.f, yShape))
    return opError(op, "invalid convolution");
  return out;
}

llvm::Expected<RefTensor> evalQConv(nn::QConvOp op, Operands in) {
  auto w = llvm::cast<ShapedType>(op.getWeight().getType());
  std::vector<int64_t> x = toNhwc(in[0]->q, op.getInput());
  reference::QWindow win =
      qwindow({w.getDimSize(2), w.getDimSize(3)}, op.getStrides(), op.getDilations(), op.getPads());
  int64_t group = op.getGroupAttr().getInt();
  int shift = int(op.getShiftAttr().getInt()), width = int(widthOf(op.getResult()));
  std::vector<int64_t> y =
      op.getMult() || op.getPostBias()
          ? reference::qconvMult(x, fmapOf(op.getInput()), ints(op.getWeight()), ints(op.getBias()),
                                 w.getDimSize(0), win, group, multOf(op.getMult()), shift, width,
                                 multOf(op.getPostBias()))
          : reference::qconv(x, fmapOf(op.getInput()), ints(op.getWeight()), ints(op.getBias()),
                             w.getDimSize(0), win, group, shift, width);
  RefTensor out;
  out.q = toNchw(y, op.getResult());
  return out;
}

llvm::Expected<RefTensor> evalMaxPool(nn::MaxPoolOp op, Operands in) {
  const RefTensor &x = *in[0];
  RefTensor out;
  if (x.q.empty()) {
    reference::Shape yShape;
    if (!reference::maxPool(
            x.f, shapeOf(op.getInput()),
            window(op.getKernel(), op.getStrides(), op.getDilations(), op.getPads()), out.f,
            yShape))
      return opError(op, "invalid pooling");
  } else {
    out.q = toNchw(reference::qmaxpool(
                       toNhwc(x.q, op.getInput()), fmapOf(op.getInput()),
                       qwindow(op.getKernel(), op.getStrides(), op.getDilations(), op.getPads())),
                   op.getResult());
  }
  return out;
}

llvm::Expected<RefTensor> evalAvgPool(nn::AvgPoolOp op, Operands in) {
  const RefTensor &x = *in[0];
  RefTensor out;
  int64_t dil[2] = {1, 1};
  if (x.q.empty()) {
    reference::WindowParams p = window(op.getKernel(), op.getStrides(), dil, op.getPads());
    p.countIncludePad = op.getCountIncludePad();
    reference::Shape yShape;
    if (!reference::averagePool(x.f, shapeOf(op.getInput()), p, out.f, yShape))
      return opError(op, "invalid pooling");
    return out;
  }
  auto mode = numerics::parseRounding(op.getRounding());
  if (!mode)
    return opError(op, "unknown rounding mode");
  reference::QWindow win = qwindow(op.getKernel(), op.getStrides(), dil, op.getPads());
  std::vector<int64_t> xq = toNhwc(x.q, op.getInput());
  int width = int(widthOf(op.getResult()));
  if (op.getDivisor() || *mode != numerics::Rounding::HalfEven)
    // Sum and shift (a QONNX Trunc after the pool, nn-quantize).
    out.q = reference::qsumpool(
        xq, fmapOf(op.getInput()), win,
        op.getDivisor().value_or(int64_t(op.getKernel()[0] * op.getKernel()[1])), *mode, width);
  else
    out.q = reference::qavgpool(xq, fmapOf(op.getInput()), win, op.getCountIncludePad(), width);
  out.q = toNchw(out.q, op.getResult());
  return out;
}

llvm::Expected<RefTensor> evalPad(nn::PadOp op, Operands in) {
  const RefTensor &x = *in[0];
  RefTensor out;
  auto p = op.getPads();
  if (x.q.empty()) {
    reference::Shape yShape;
    if (!reference::pad(x.f, shapeOf(op.getInput()), {0, 0, p[0], p[1], 0, 0, p[2], p[3]},
                        reference::PadMode::Constant, 0.0, out.f, yShape))
      return opError(op, "invalid padding");
  } else {
    out.q = toNchw(
        reference::qpad(toNhwc(x.q, op.getInput()), fmapOf(op.getInput()), p[0], p[1], p[2], p[3]),
        op.getResult());
  }
  return out;
}

llvm::Expected<RefTensor> evalResize(nn::ResizeOp op, Operands in) {
  const RefTensor &x = *in[0];
  RefTensor out;
  // Nearest, integer factors: y[n][c][h][w] = x[n][c][h / sh][w / sw].
  reference::Shape xs = shapeOf(op.getInput());
  int64_t sh = op.getScales()[0], sw = op.getScales()[1];
  int64_t nc = xs[0] * xs[1], h = xs[2], w = xs[3], oh = h * sh, ow = w * sw;
  auto run = [&](const auto &src, auto &dst) {
    dst.resize(size_t(nc * oh * ow));
    for (int64_t p = 0; p < nc; ++p)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j)
          dst[size_t((p * oh + i) * ow + j)] = src[size_t((p * h + i / sh) * w + j / sw)];
  };
  if (x.q.empty())
    run(x.f, out.f);
  else
    run(x.q, out.q);
  return out;
}

} // namespace

void attachWindowModels(MLIRContext *ctx) {
  attachModel<nn::ConvOp, evalConv>(ctx);
  attachModel<nn::QConvOp, evalQConv>(ctx);
  attachModel<nn::MaxPoolOp, evalMaxPool>(ctx);
  attachModel<nn::AvgPoolOp, evalAvgPool>(ctx);
  attachModel<nn::PadOp, evalPad>(ctx);
  attachModel<nn::ResizeOp, evalResize>(ctx);
}

} // namespace loom::interp
