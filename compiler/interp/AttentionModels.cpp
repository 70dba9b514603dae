//===- AttentionModels.cpp - reference evaluation of attention ------------===//
//
// nn.attention (float, [T, C] row layout, per-head softmax(scale q k^T) v)
// and nn.qattention (the integer recipe of docs/CONTRACTS.md "Attention",
// computed once in compiler/numerics/Attention); nn.rotary / nn.qrotary, the
// rotary embedding of q and k (docs/CONTRACTS.md "Rotary",
// compiler/numerics/Rotary).
//
//===----------------------------------------------------------------------===//
#include "compiler/interp/EvalSupport.h"
#include "compiler/numerics/Affine.h"
#include "compiler/numerics/Attention.h"
#include "compiler/numerics/Rotary.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace loom::interp {
namespace {

/// ONNX QuantizeLinear then DequantizeLinear of one f32 value.
double qdq(nn::QuantizerAttr qa, float x) {
  int64_t q = numerics::quantizeLinear(double(x), qa.getScaleValue(), qa.getZeroPoint(), qa.getQmin(),
                                       qa.getQmax(), numerics::Rounding::HalfEven);
  return numerics::dequantizeLinear(q, qa.getScaleValue(), qa.getZeroPoint());
}

llvm::Expected<RefTensor> evalAttention(nn::AttentionOp op, Operands in) {
  auto type = op.getResult().getType();
  const int64_t T = type.getDimSize(0), C = type.getDimSize(1);
  const int64_t H = int64_t(op.getHeads()), D = C / H;
  const double scale = op.getScale().convertToDouble();
  const std::vector<double> &q = in[0]->f, &k = in[1]->f, &v = in[2]->f;
  if (q.size() != size_t(T * C) || k.size() != q.size() || v.size() != q.size())
    return opError(op, "operands are not [T, C] frames");
  std::optional<nn::QuantizerAttr> sq, pq;
  std::vector<double> kb; // ALiBi: [H, T] added to the scaled scores
  if (auto a = op.getKeyBiasAttr())
    for (float x : a.getValues<float>())
      kb.push_back(double(x));
  if (auto a = op.getScoreQuantAttr())
    sq = a;
  if (auto a = op.getProbQuantAttr())
    pq = a;
  RefTensor out;
  out.f.assign(size_t(T * C), 0.0);
  std::vector<double> s(static_cast<size_t>(T));
  for (int64_t h = 0; h < H; ++h)
    for (int64_t t = 0; t < T; ++t) {
      int64_t n = op.getCausal() ? t + 1 : T;
      // a sliding window: rows t - W < j <= t
      int64_t j0 = op.getWindow() && int64_t(*op.getWindow()) < n ? n - int64_t(*op.getWindow()) : 0;
      double m = -INFINITY;
      for (int64_t j = j0; j < n; ++j) {
        double a = 0;
        for (int64_t d = 0; d < D; ++d)
          a += q[size_t(t * C + h * D + d)] * k[size_t(j * C + h * D + d)];
        if (sq) // the model's QuantizeLinear -> DequantizeLinear on f32(q k^T)
          a = qdq(*sq, float(a));
        s[size_t(j)] = a * scale + (kb.empty() ? 0.0 : kb[size_t(h * T + j)]);
        m = std::max(m, s[size_t(j)]);
      }
      double sum = 0;
      for (int64_t j = j0; j < n; ++j)
        sum += (s[size_t(j)] = std::exp(s[size_t(j)] - m));
      if (pq) // the model's quantizer on f32(p)
        for (int64_t j = j0; j < n; ++j)
          s[size_t(j)] = qdq(*pq, float(s[size_t(j)] / sum));
      for (int64_t d = 0; d < D; ++d) {
        double acc = 0;
        for (int64_t j = j0; j < n; ++j)
          acc += s[size_t(j)] * v[size_t(j * C + h * D + d)];
        out.f[size_t(t * C + h * D + d)] = double(float(pq ? acc : acc / sum));
      }
    }
  return out;
}

llvm::Expected<RefTensor> evalQAttention(nn::QAttentionOp op, Operands in) {
  numerics::AttentionParams p = op.getParams();
  if (in[0]->q.size() != size_t(p.T * p.C) || in[1]->q.size() != in[0]->q.size() ||
      in[2]->q.size() != in[0]->q.size())
    return opError(op, "operands are not [T, C] frames of codes");
  RefTensor out;
  out.q = numerics::attentionFrame(p, in[0]->q, in[1]->q, in[2]->q);
  return out;
}

/// ONNX's f32 arithmetic: x * cos + rotate_half(x) * sin, each step rounded to f32.
llvm::Expected<RefTensor> evalRotary(nn::RotaryOp op, Operands in) {
  auto type = op.getResult().getType();
  const int64_t T = type.getDimSize(0), C = type.getDimSize(1), D = int64_t(op.getHeadDim());
  const std::vector<double> &x = in[0]->f;
  if (x.size() != size_t(T * C))
    return opError(op, "operand is not a [T, C] frame");
  std::vector<float> cos, sin;
  for (const llvm::APFloat &v : op.getCos().getValues<llvm::APFloat>())
    cos.push_back(v.convertToFloat());
  for (const llvm::APFloat &v : op.getSin().getValues<llvm::APFloat>())
    sin.push_back(v.convertToFloat());
  RefTensor out;
  out.f.resize(x.size());
  for (int64_t i = 0; i < T * C; ++i) {
    int64_t c = i % C;
    float a = float(x[size_t(i)]) * cos[size_t(i)];
    float b = float(x[size_t(i - c + numerics::rotaryPartner(c, D))]) * sin[size_t(i)];
    out.f[size_t(i)] = double(a + b);
  }
  return out;
}

llvm::Expected<RefTensor> evalQRotary(nn::QRotaryOp op, Operands in) {
  numerics::RotaryParams p = op.getParams();
  if (in[0]->q.size() != size_t(p.T * p.C))
    return opError(op, "operand is not a [T, C] frame of codes");
  RefTensor out;
  out.q = numerics::rotaryFrame(p, in[0]->q);
  return out;
}

} // namespace

void attachAttentionModels(MLIRContext *ctx) {
  attachModel<nn::AttentionOp, evalAttention>(ctx);
  attachModel<nn::QAttentionOp, evalQAttention>(ctx);
  attachModel<nn::RotaryOp, evalRotary>(ctx);
  attachModel<nn::QRotaryOp, evalQRotary>(ctx);
}

} // namespace loom::interp
