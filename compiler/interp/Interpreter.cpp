//===- Interpreter.cpp - reference forward pass of an nn graph ------------===//
#include "compiler/interp/Interpreter.h"
#include "dialects/nn/IntAttrs.h"

#include "compiler/numerics/FixedPoint.h"
#include "compiler/numerics/Tables.h"
#include "compiler/reference/AffineKernels.h"
#include "compiler/reference/ConvKernels.h"
#include "compiler/reference/FloatKernels.h"
#include "compiler/reference/QuantConvKernels.h"
#include "compiler/reference/QuantKernels.h"
#include "dialects/nn/NNOps.h"

#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <cmath>
#include <optional>

using namespace mlir;
using namespace loom;

namespace {

struct Tensor {
  std::vector<double> f;  // float tensors
  std::vector<int64_t> q; // integer tensors
};

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

llvm::Error opError(Operation *op, const llvm::Twine &what) {
  auto node = op->getAttrOfType<StringAttr>(nn::kNodeNameAttr);
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "interpreter: node '" + (node ? node.getValue() : "?") + "' (" +
                                     op->getName().getStringRef() + "): " + what);
}

/// out[i] = a[i] * b[broadcast(i)], where b broadcasts (numpy rules) to a's
/// shape, which the importer guarantees is the result shape.
std::vector<double> mulBroadcast(const std::vector<double> &a, ArrayRef<int64_t> aShape,
                                 const std::vector<double> &b, ArrayRef<int64_t> bShape) {
  std::vector<double> out(a.size());
  size_t rank = aShape.size(), off = rank - bShape.size();
  for (size_t i = 0; i < a.size(); ++i) {
    int64_t rem = int64_t(i), bIndex = 0, bStride = 1;
    for (size_t d = rank; d-- > 0;) {
      int64_t coord = rem % aShape[d];
      rem /= aShape[d];
      if (d >= off) {
        int64_t bd = bShape[d - off];
        bIndex += (bd == 1 ? 0 : coord) * bStride;
        bStride *= bd;
      }
    }
    out[i] = a[i] * b[bIndex];
  }
  return out;
}

reference::Shape shapeOf(Value v) {
  auto s = llvm::cast<ShapedType>(v.getType()).getShape();
  return reference::Shape(s.begin(), s.end());
}

/// Window attributes of an nn op as the float kernels take them.
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

/// The integer kernels work channels-last (the hardware order); nn is NCHW.
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

/// Host-side nn.quantize, affine form (CONTRACTS "Affine integer graphs"): the
/// centered codes c = q - zp the hardware receives.
std::vector<int64_t> quantizeAffine(nn::QuantizeOp qz, const std::vector<double> &x) {
  auto p = affine(*qz.getScale(), qz.getZeroPoint().value_or(ArrayRef<int64_t>{0}),
                  qz.getAxis().value_or(0));
  if (p.zeroPoint.size() < p.scale.size())
    p.zeroPoint.resize(p.scale.size(), p.zeroPoint.empty() ? 0 : p.zeroPoint[0]);
  int64_t qmin = qz.getQminAttr() ? qz.getQminAttr().getInt() : INT64_MIN / 4;
  int64_t qmax = qz.getQmaxAttr() ? qz.getQmaxAttr().getInt() : INT64_MAX / 4;
  auto mode = numerics::parseRounding(qz.getRounding().value_or("half_even"))
                  .value_or(numerics::Rounding::HalfEven);
  reference::Shape shape = shapeOf(qz.getInput());
  std::vector<int64_t> c(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    size_t k = p.indexOf(i, shape);
    int64_t zp = p.zeroPoint[k];
    int64_t q;
    if (qz.getBipolar())
      q = x[i] >= 0 ? 1 : -1, zp = 0;
    else if (qz.getIntegerInput())
      q = std::clamp(numerics::roundToInt64(x[i]), qmin, qmax);
    else
      q = numerics::quantizeLinear(x[i], p.scale[k], zp, qmin, qmax, mode);
    c[i] = q - zp;
  }
  return c;
}

/// Host-side nn.dequantize, affine form: c * scale, or c + zp (integer_output).
std::vector<double> dequantizeAffine(nn::DequantizeOp dq, const std::vector<int64_t> &c) {
  auto p = affine(*dq.getScale(), dq.getZeroPoint().value_or(ArrayRef<int64_t>{0}),
                  dq.getAxis().value_or(0));
  if (p.zeroPoint.size() < p.scale.size())
    p.zeroPoint.resize(p.scale.size(), p.zeroPoint.empty() ? 0 : p.zeroPoint[0]);
  reference::Shape shape = shapeOf(dq.getInput());
  std::vector<double> y(c.size());
  for (size_t i = 0; i < c.size(); ++i) {
    size_t k = p.indexOf(i, shape);
    y[i] = dq.getIntegerOutput() ? double(c[i] + p.zeroPoint[k])
                                 : numerics::dequantizeLinear(c[i], p.scale[k], 0);
  }
  return y;
}

} // namespace

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
  llvm::DenseMap<Value, Tensor> env;
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
  for (Operation &op : func.getBody().front()) {
    Tensor out;
    if (auto ret = llvm::dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands()) {
        result.outputs.push_back(env[v].f);
        if (auto deq = v.getDefiningOp<nn::DequantizeOp>())
          result.rawOutputs.push_back(env[deq.getInput()].q);
      }
      break;
    }
    const Tensor *in = op.getNumOperands() ? &env[op.getOperand(0)] : nullptr;
    if (auto c = llvm::dyn_cast<nn::ConstantOp>(op)) {
      out.f = floats(c.getValue());
    } else if (auto d = llvm::dyn_cast<nn::DenseOp>(op)) {
      auto w = llvm::cast<ShapedType>(d.getWeight().getType());
      // [M, K] input: M rows of one frame (MatMul A with M > 1), one at a time.
      int64_t n = w.getDimSize(0), k = w.getDimSize(1);
      std::vector<double> wf = floats(d.getWeight()), bf = floats(d.getBias());
      for (size_t r = 0; r + k <= in->f.size(); r += k) {
        std::vector<double> row(in->f.begin() + r, in->f.begin() + r + k);
        std::vector<double> y = reference::dense(row, wf, bf, n, k);
        out.f.insert(out.f.end(), y.begin(), y.end());
      }
    } else if (auto add = llvm::dyn_cast<nn::AddOp>(op)) {
      reference::Shape shape;
      auto sa = llvm::cast<ShapedType>(add.getLhs().getType()).getShape();
      auto sb = llvm::cast<ShapedType>(add.getRhs().getType()).getShape();
      if (!reference::addBroadcast(in->f, reference::Shape(sa.begin(), sa.end()),
                                   env[add.getRhs()].f, reference::Shape(sb.begin(), sb.end()),
                                   out.f, shape))
        return opError(&op, "shapes do not broadcast");
    } else if (auto conv = llvm::dyn_cast<nn::ConvOp>(op)) {
      auto w = llvm::cast<ShapedType>(conv.getWeight().getType());
      reference::WindowParams p = window({w.getDimSize(2), w.getDimSize(3)}, conv.getStrides(),
                                         conv.getDilations(), conv.getPads());
      p.group = conv.getGroupAttr().getInt();
      reference::Shape yShape;
      if (!reference::conv(in->f, shapeOf(conv.getInput()), floats(conv.getWeight()),
                           reference::Shape(w.getShape().begin(), w.getShape().end()),
                           floats(conv.getBias()), p, out.f, yShape))
        return opError(&op, "invalid convolution");
    } else if (auto qc = llvm::dyn_cast<nn::QConvOp>(op)) {
      auto w = llvm::cast<ShapedType>(qc.getWeight().getType());
      auto y = reference::qconv(toNhwc(in->q, qc.getInput()), fmapOf(qc.getInput()),
                                ints(qc.getWeight()), ints(qc.getBias()), w.getDimSize(0),
                                qwindow({w.getDimSize(2), w.getDimSize(3)}, qc.getStrides(),
                                        qc.getDilations(), qc.getPads()),
                                qc.getGroupAttr().getInt(), int(qc.getShiftAttr().getInt()),
                                int(widthOf(qc.getResult())));
      if (qc.getMult())
        y = reference::qconvMult(toNhwc(in->q, qc.getInput()), fmapOf(qc.getInput()),
                                 ints(qc.getWeight()), ints(qc.getBias()), w.getDimSize(0),
                                 qwindow({w.getDimSize(2), w.getDimSize(3)}, qc.getStrides(),
                                         qc.getDilations(), qc.getPads()),
                                 qc.getGroupAttr().getInt(), multOf(qc.getMult()),
                                 int(qc.getShiftAttr().getInt()), int(widthOf(qc.getResult())));
      out.q = toNchw(y, qc.getResult());
    } else if (auto mp = llvm::dyn_cast<nn::MaxPoolOp>(op)) {
      if (in->q.empty()) {
        reference::Shape yShape;
        if (!reference::maxPool(in->f, shapeOf(mp.getInput()),
                                window(mp.getKernel(), mp.getStrides(), mp.getDilations(),
                                       mp.getPads()),
                                out.f, yShape))
          return opError(&op, "invalid pooling");
      } else {
        out.q = toNchw(reference::qmaxpool(toNhwc(in->q, mp.getInput()), fmapOf(mp.getInput()),
                                           qwindow(mp.getKernel(), mp.getStrides(),
                                                   mp.getDilations(), mp.getPads())),
                       mp.getResult());
      }
    } else if (auto ap = llvm::dyn_cast<nn::AvgPoolOp>(op)) {
      int64_t dil[2] = {1, 1};
      if (in->q.empty()) {
        reference::WindowParams p = window(ap.getKernel(), ap.getStrides(), dil, ap.getPads());
        p.countIncludePad = ap.getCountIncludePad();
        reference::Shape yShape;
        if (!reference::averagePool(in->f, shapeOf(ap.getInput()), p, out.f, yShape))
          return opError(&op, "invalid pooling");
      } else {
        auto mode = numerics::parseRounding(ap.getRounding());
        if (!mode)
          return opError(&op, "unknown rounding mode");
        reference::QWindow win = qwindow(ap.getKernel(), ap.getStrides(), dil, ap.getPads());
        if (ap.getDivisor() || *mode != numerics::Rounding::HalfEven)
          // Sum and shift (a QONNX Trunc after the pool, nn-quantize).
          out.q = toNchw(reference::qsumpool(toNhwc(in->q, ap.getInput()),
                                             fmapOf(ap.getInput()), win,
                                             ap.getDivisor().value_or(int64_t(
                                                 ap.getKernel()[0] * ap.getKernel()[1])),
                                             *mode, int(widthOf(ap.getResult()))),
                         ap.getResult());
        else
          out.q = toNchw(reference::qavgpool(toNhwc(in->q, ap.getInput()),
                                             fmapOf(ap.getInput()), win,
                                             ap.getCountIncludePad(),
                                             int(widthOf(ap.getResult()))),
                         ap.getResult());
      }
    } else if (auto pad = llvm::dyn_cast<nn::PadOp>(op)) {
      auto p = pad.getPads();
      if (in->q.empty()) {
        reference::Shape yShape;
        if (!reference::pad(in->f, shapeOf(pad.getInput()), {0, 0, p[0], p[1], 0, 0, p[2], p[3]},
                            reference::PadMode::Constant, 0.0, out.f, yShape))
          return opError(&op, "invalid padding");
      } else {
        out.q = toNchw(reference::qpad(toNhwc(in->q, pad.getInput()), fmapOf(pad.getInput()),
                                       p[0], p[1], p[2], p[3]),
                       pad.getResult());
      }
    } else if (auto rs = llvm::dyn_cast<nn::ResizeOp>(op)) {
      // Nearest, integer factors: y[n][c][h][w] = x[n][c][h / sh][w / sw].
      reference::Shape xs = shapeOf(rs.getInput());
      int64_t sh = rs.getScales()[0], sw = rs.getScales()[1];
      int64_t nc = xs[0] * xs[1], h = xs[2], w = xs[3], oh = h * sh, ow = w * sw;
      auto run = [&](const auto &x, auto &y) {
        y.resize(size_t(nc * oh * ow));
        for (int64_t p = 0; p < nc; ++p)
          for (int64_t i = 0; i < oh; ++i)
            for (int64_t j = 0; j < ow; ++j)
              y[size_t((p * oh + i) * ow + j)] = x[size_t((p * h + i / sh) * w + j / sw)];
      };
      if (in->q.empty())
        run(in->f, out.f);
      else
        run(in->q, out.q);
    } else if (auto clip = llvm::dyn_cast<nn::ClipOp>(op)) {
      double lo = clip.getMin().convertToDouble(), hi = clip.getMax().convertToDouble();
      if (in->q.empty())
        out.f = reference::clip(in->f, lo, hi);
      else
        out.q = reference::qclip(in->q, int64_t(lo), int64_t(hi));
    } else if (auto tr = llvm::dyn_cast<nn::TransposeOp>(op)) {
      auto perm = tr.getPerm();
      std::vector<int64_t> pv(perm.begin(), perm.end());
      reference::Shape yShape;
      if (in->q.empty()) {
        if (!reference::transpose(in->f, shapeOf(tr.getInput()), pv, out.f, yShape))
          return opError(&op, "invalid permutation");
      } else if (!reference::transpose(in->q, shapeOf(tr.getInput()), pv, out.q, yShape)) {
        return opError(&op, "invalid permutation");
      }
    } else if (auto cat = llvm::dyn_cast<nn::ConcatOp>(op)) {
      reference::Shape yShape;
      const Tensor &rhs = env[cat.getRhs()];
      std::vector<reference::Shape> shapes = {shapeOf(cat.getLhs()), shapeOf(cat.getRhs())};
      bool ok = in->q.empty()
                    ? reference::concat<double>({in->f, rhs.f}, shapes, cat.getAxisAttr().getInt(),
                                                out.f, yShape)
                    : reference::concat<int64_t>({in->q, rhs.q}, shapes,
                                                 cat.getAxisAttr().getInt(), out.q, yShape);
      if (!ok)
        return opError(&op, "invalid concatenation");
    } else if (auto mulAct = llvm::dyn_cast<nn::MulActOp>(op)) {
      const Tensor &rhs = env[mulAct.getRhs()];
      if (in->q.empty()) {
        out.f.resize(in->f.size());
        for (size_t i = 0; i < in->f.size(); ++i)
          out.f[i] = in->f[i] * rhs.f[i];
      } else {
        out.q = reference::qmul(in->q, rhs.q, int(mulAct.getFracAttr().getInt()),
                                int(widthOf(mulAct.getResult())));
      }
    } else if (auto addAct = llvm::dyn_cast<nn::AddActOp>(op)) {
      const Tensor &rhs = env[addAct.getRhs()];
      if (in->q.empty())
        out.f = reference::add(in->f, rhs.f);
      else if (addAct.getMultLhs())
        out.q = reference::qaddScaled(in->q, rhs.q, addAct.getMultLhsAttr().getInt(),
                                      addAct.getMultRhsAttr().getInt(),
                                      int(addAct.getShiftAttr().getInt()),
                                      int(widthOf(addAct.getResult())));
      else
        out.q = reference::qadd(in->q, rhs.q, int(widthOf(addAct.getResult())));
    } else if (auto mul = llvm::dyn_cast<nn::MulOp>(op)) {
      out.f = mulBroadcast(in->f, llvm::cast<ShapedType>(mul.getLhs().getType()).getShape(),
                           env[mul.getRhs()].f,
                           llvm::cast<ShapedType>(mul.getRhs().getType()).getShape());
    } else if (auto bn = llvm::dyn_cast<nn::BatchNormOp>(op)) {
      auto shape = bn.getType().getShape();
      int64_t c = shape[1], inner = bn.getType().getNumElements() / shape[0] / c;
      auto s = floats(bn.getScale()), bb = floats(bn.getBias()), m = floats(bn.getMean()),
           v = floats(bn.getVariance());
      double eps = bn.getEpsilon().convertToDouble();
      out.f = in->f;
      for (size_t i = 0; i < out.f.size(); ++i) {
        int64_t ch = (int64_t(i) / inner) % c;
        out.f[i] = (in->f[i] - m[ch]) / std::sqrt(v[ch] + eps) * s[ch] + bb[ch];
      }
    } else if (llvm::isa<nn::IdentityOp, nn::ReshapeOp>(op)) {
      out = *in;
    } else if (llvm::isa<nn::ReluOp>(op)) {
      if (in->q.empty())
        out.f = reference::relu(in->f);
      else
        out.q = reference::qrelu(in->q);
    } else if (auto leaky = llvm::dyn_cast<nn::LeakyReluOp>(op); leaky && leaky.getAlphasAttr()) {
      // PRelu, one slope per channel (axis 1): element i is in channel (i / inner) % C.
      reference::Shape s = shapeOf(leaky.getInput());
      const size_t C = size_t(s[1]);
      size_t inner = 1;
      for (size_t d = 2; d < s.size(); ++d) inner *= size_t(s[d]);
      ArrayRef<double> alphas = leaky.getAlphasAttr().asArrayRef();
      if (in->q.empty()) {
        out.f.resize(in->f.size());
        for (size_t i = 0; i < in->f.size(); ++i)
          out.f[i] = reference::leakyRelu(std::vector<double>{in->f[i]},
                                          alphas[(i / inner) % C])[0];
      } else {
        out.q.resize(in->q.size());
        const int w = int(widthOf(leaky.getResult()));
        for (size_t i = 0; i < in->q.size(); ++i) {
          numerics::LeakyReluParams p;
          p.A = leaky.getMultsAttr()[(i / inner) % C];
          p.S = int(leaky.getShiftAttr().getInt());
          out.q[i] = numerics::leakyReluCode(in->q[i], p, w);
        }
      }
    } else if (auto leaky = llvm::dyn_cast<nn::LeakyReluOp>(op)) {
      if (in->q.empty()) {
        out.f = reference::leakyRelu(in->f, leaky.getAlpha().convertToDouble());
      } else {
        numerics::LeakyReluParams p;
        p.A = leaky.getMultAttr().getInt();
        p.S = int(leaky.getShiftAttr().getInt());
        out.q = reference::qleakyRelu(in->q, p, int(widthOf(leaky.getResult())));
      }
    } else if (auto elu = llvm::dyn_cast<nn::EluOp>(op)) {
      out.f = reference::elu(in->f, elu.getAlpha().convertToDouble());
    } else if (auto selu = llvm::dyn_cast<nn::SeluOp>(op)) {
      out.f = reference::selu(in->f, selu.getAlpha().convertToDouble(),
                              selu.getGamma().convertToDouble());
    } else if (llvm::isa<nn::SigmoidOp>(op)) {
      out.f = reference::sigmoid(in->f);
    } else if (llvm::isa<nn::TanhOp>(op)) {
      out.f = reference::tanhT(in->f);
    } else if (llvm::isa<nn::SoftmaxOp>(op)) {
      out.f = reference::softmax(in->f, lastDim(op.getResult(0)));
    } else if (llvm::isa<nn::SignOp>(op)) {
      out.q = reference::qsign(in->q);
    } else if (auto ql = llvm::dyn_cast<nn::QuantizeLinearOp>(op)) {
      auto mode = numerics::parseRounding(ql.getRounding());
      if (!mode)
        return opError(&op, "unknown rounding mode");
      for (int64_t q : reference::quantizeLinear(
               in->f, shapeOf(ql.getInput()),
               affine(ql.getScale(), ql.getZeroPoint(), ql.getAxisAttr().getInt()),
               ql.getQminAttr().getInt(), ql.getQmaxAttr().getInt(), *mode, ql.getBipolar()))
        out.f.push_back(double(q));
    } else if (auto tr = llvm::dyn_cast<nn::TruncOp>(op)) {
      // QONNX Trunc (zero point 0): the input codes round(x / scale), shifted
      // right with the op's rounding, clamped, at the output scale (f32 as QONNX).
      auto mode = numerics::parseRounding(tr.getRounding());
      if (!mode)
        return opError(&op, "unknown rounding mode");
      float scale = float(tr.getScale().convertToDouble());
      float outScale = float(tr.getOutScale().convertToDouble());
      double div = std::ldexp(1.0, int(tr.getShiftAttr().getInt()));
      for (double x : in->f) {
        double q = numerics::roundWith(double(float(x) / scale), numerics::Rounding::HalfEven);
        double y = numerics::roundWith(q / div, *mode);
        y = std::clamp(y, double(tr.getQminAttr().getInt()), double(tr.getQmaxAttr().getInt()));
        out.f.push_back(double(float(y) * outScale));
      }
    } else if (auto dl = llvm::dyn_cast<nn::DequantizeLinearOp>(op)) {
      out.f = reference::dequantizeLinear(
          in->f, shapeOf(dl.getInput()),
          affine(dl.getScale(), dl.getZeroPoint(), dl.getAxisAttr().getInt()));
    } else if (auto qz = llvm::dyn_cast<nn::QuantizeOp>(op)) {
      numerics::FixedFormat fmt = formatOf(qz.getResult(), qz.getFrac());
      if (qz.getScale())
        out.q = quantizeAffine(qz, in->f);
      else
        for (double x : in->f)
          out.q.push_back(numerics::quantize(x, fmt));
      if (llvm::isa<BlockArgument>(qz.getInput()))
        result.rawInputs.push_back(out.q);
    } else if (auto dq = llvm::dyn_cast<nn::DequantizeOp>(op)) {
      if (dq.getScale())
        out.f = dequantizeAffine(dq, in->q);
      else
        for (int64_t q : in->q)
        out.f.push_back(std::ldexp(double(q), -int(dq.getFrac())));
    } else if (auto qd = llvm::dyn_cast<nn::QDenseOp>(op)) {
      auto w = llvm::cast<ShapedType>(qd.getWeight().getType());
      int64_t k = w.getDimSize(1); // [M, K] input: M rows, one at a time
      std::vector<int64_t> wq = ints(qd.getWeight()), bq = ints(qd.getBias());
      for (size_t r = 0; r + k <= in->q.size(); r += k) {
        std::vector<int64_t> row(in->q.begin() + r, in->q.begin() + r + k);
        auto y = reference::qdenseMult(row, wq, bq, w.getDimSize(0), k, multOf(qd.getMult()),
                                       int(qd.getShiftAttr().getInt()),
                                       int(widthOf(qd.getResult())));
        out.q.insert(out.q.end(), y.begin(), y.end());
      }
    } else if (auto lut = llvm::dyn_cast<nn::LutOp>(op)) {
      numerics::ActTable t;
      t.tMin = lut.getTMinAttr().getInt();
      t.tMax = lut.getTMaxAttr().getInt();
      t.shift = int(lut.getTShift());
      t.values = ints(lut.getTable());
      out.q = reference::qtable(in->q, t);
    } else if (auto sm = llvm::dyn_cast<nn::QSoftmaxOp>(op)) {
      numerics::ExpTable t;
      t.shift = int(sm.getExpShift());
      t.values = ints(sm.getExpTable());
      out.q = reference::qsoftmax(in->q, lastDim(sm.getResult()), formatOf(sm.getResult(), sm.getFrac()), t);
    } else if (auto act = llvm::dyn_cast<nn::TableActivationOpInterface>(op)) {
      // Any other table activation: the op's own float function.
      for (double x : in->f)
        out.f.push_back(act.evaluate(x));
    } else {
      return opError(&op, "the interpreter does not know this op");
    }
    if (!out.f.empty())
      observe(op.getResult(0), out.f);
    env[op.getResult(0)] = std::move(out);
  }
  return result;
}
