//===- NNNormalize.cpp - canonical float nn graph -------------------------===//
//
// Exporters spell one dense layer many ways (Gemm; MatMul + Add; Gemm +
// BatchNormalization; with Identity/Dropout/Flatten around). The importer maps
// each ONNX op one to one; this pass folds them into one nn.dense so the
// quantizer and the lowering see a single form.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace loom {
#define GEN_PASS_DEF_NNNORMALIZE
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

std::vector<float> floats(ElementsAttr attr) {
  std::vector<float> out;
  for (APFloat v : attr.getValues<APFloat>())
    out.push_back(v.convertToFloat());
  return out;
}

DenseElementsAttr floatAttr(ShapedType type, ArrayRef<float> values) {
  return DenseElementsAttr::get(RankedTensorType::get(type.getShape(), type.getElementType()),
                                values);
}

/// dense(x) + c  ->  dense(x) with bias + c, when c holds one value per output
/// feature ([N], [1, N]) or a single value.
struct FoldBiasAdd : OpRewritePattern<nn::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AddOp add, PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      Value denseVal = add->getOperand(side), constVal = add->getOperand(1 - side);
      auto dense = denseVal.getDefiningOp<nn::DenseOp>();
      auto cst = constVal.getDefiningOp<nn::ConstantOp>();
      if (!dense || !cst || !dense->hasOneUse())
        continue;
      if (add.getType() != dense.getType())
        continue; // the constant would broadcast the result to a new shape
      // Only a per-feature constant is a bias: every dimension but the last
      // must be 1 ([N], [1, N], [1], [1, 1]). The element count alone is not
      // enough: with a batch of N rows a [N, 1] constant is one value per row.
      auto cstShape = llvm::cast<ShapedType>(cst.getType()).getShape();
      if (!cstShape.empty() && llvm::any_of(cstShape.drop_back(), [](int64_t d) { return d != 1; }))
        continue;
      std::vector<float> bias = floats(dense.getBias());
      std::vector<float> c = floats(cst.getValue());
      int64_t n = bias.size();
      if (c.size() != 1 && int64_t(c.size()) != n)
        continue;
      for (int64_t i = 0; i < n; ++i)
        bias[i] += c.size() == 1 ? c[0] : c[i];
      rewriter.modifyOpInPlace(dense, [&] {
        dense.setBiasAttr(floatAttr(llvm::cast<ShapedType>(dense.getBias().getType()), bias));
      });
      rewriter.replaceOp(add, dense.getResult());
      return success();
    }
    return failure();
  }
};

/// dense(x) * c  ->  dense(x) with rows of weight and bias scaled by c, when
/// c holds one value per output feature or a single value (exporters spell a
/// Keras BatchNormalization as Mul + Add; Div by a constant arrives as Mul).
struct FoldScaleMul : OpRewritePattern<nn::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MulOp mul, PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      auto dense = mul->getOperand(side).getDefiningOp<nn::DenseOp>();
      auto cst = mul->getOperand(1 - side).getDefiningOp<nn::ConstantOp>();
      if (!dense || !cst || !dense->hasOneUse() || mul.getType() != dense.getType())
        continue;
      auto cType = llvm::cast<ShapedType>(cst.getType());
      if (llvm::any_of(cType.getShape().drop_back(), [](int64_t d) { return d != 1; }))
        continue;
      std::vector<float> w = floats(dense.getWeight()), bias = floats(dense.getBias());
      std::vector<float> c = floats(cst.getValue());
      int64_t n = bias.size(), k = n ? int64_t(w.size()) / n : 0;
      if (c.size() != 1 && int64_t(c.size()) != n)
        continue;
      for (int64_t o = 0; o < n; ++o) {
        float g = c.size() == 1 ? c[0] : c[o];
        for (int64_t i = 0; i < k; ++i)
          w[o * k + i] *= g;
        bias[o] *= g;
      }
      rewriter.modifyOpInPlace(dense, [&] {
        dense.setWeightAttr(floatAttr(llvm::cast<ShapedType>(dense.getWeight().getType()), w));
        dense.setBiasAttr(floatAttr(llvm::cast<ShapedType>(dense.getBias().getType()), bias));
      });
      rewriter.replaceOp(mul, dense.getResult());
      return success();
    }
    return failure();
  }
};

/// batch_norm(dense(x)) -> dense(x) with scaled weights and shifted bias:
/// y = (W x + b - mean) * s / sqrt(var + eps) + beta.
struct FoldBatchNorm : OpRewritePattern<nn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchNormOp bn, PatternRewriter &rewriter) const override {
    auto dense = bn.getInput().getDefiningOp<nn::DenseOp>();
    if (!dense || !dense->hasOneUse())
      return failure();
    std::vector<float> w = floats(dense.getWeight()), b = floats(dense.getBias());
    std::vector<float> s = floats(bn.getScale()), beta = floats(bn.getBias());
    std::vector<float> mean = floats(bn.getMean()), var = floats(bn.getVariance());
    int64_t n = b.size(), k = n ? int64_t(w.size()) / n : 0;
    double eps = bn.getEpsilon().convertToDouble();
    for (int64_t o = 0; o < n; ++o) {
      double g = s[o] / std::sqrt(double(var[o]) + eps);
      for (int64_t i = 0; i < k; ++i)
        w[o * k + i] = float(w[o * k + i] * g);
      b[o] = float((b[o] - mean[o]) * g + beta[o]);
    }
    rewriter.modifyOpInPlace(dense, [&] {
      dense.setWeightAttr(floatAttr(llvm::cast<ShapedType>(dense.getWeight().getType()), w));
      dense.setBiasAttr(floatAttr(llvm::cast<ShapedType>(dense.getBias().getType()), b));
    });
    rewriter.replaceOp(bn, dense.getResult());
    return success();
  }
};

struct NNNormalizePass : loom::impl::NNNormalizeBase<NNNormalizePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBiasAdd, FoldScaleMul, FoldBatchNorm>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
