//===- AffineInterpTest.cpp - float QDQ graph vs its integer lowering ------===//
//
// The reference interpreter runs each float QDQ graph twice: as written (ONNX
// QuantizeLinear / DequantizeLinear semantics, float layers) and after
// lowerAffineQuantization (integer codes, requantization by M, S). Graphs
// without a rescaling layer must agree exactly; a requantizing layer may
// differ by one output step where f32 rounding of the real product and the
// integer M / 2^S land on opposite sides of a tie.
//
//===----------------------------------------------------------------------===//
#include "compiler/interp/Interpreter.h"
#include "dialects/nn/NNOps.h"
#include "passes/NNQuantizeAffine.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mlir;

namespace {

struct Case {
  const char *name; // biases below are on the accumulator grid (s_in * ws),
                    // as in real QDQ models (int32 biases)
  const char *src;
  double lo, hi; // float input range (integers for loom.int_range inputs)
  double step;   // one output step (for the tolerance)
  bool exact;    // no rescaling layer: must match exactly
};

#define QL(s, zp, lo, hi)                                                                          \
  "{scale = array<f64: " s ">, zero_point = array<i64: " zp ">, axis = 1 : i64, qmin = " lo        \
  " : i64, qmax = " hi " : i64}"
#define DQL(s, zp) "{scale = array<f64: " s ">, zero_point = array<i64: " zp ">, axis = 1 : i64}"

const Case kCases[] = {
    {"quantize_axis",
     "func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {\n"
     "  %q = nn.quantize_linear %x " QL("0.5, 0.25, 2.0", "0, 10, -5", "-128",
                                        "127") " : tensor<2x3xf32>\n"
                                               "  return %q : tensor<2x3xf32>\n}",
     -300, 300, 1, true},
    {"dequantize_axis",
     "func.func @f(%x: tensor<2x3xf32> {loom.int_range = array<i64: 0, 255>}) -> tensor<2x3xf32> "
     "{\n"
     "  %d = nn.dequantize_linear %x " DQL("0.5, 0.25, 2.0",
                                           "0, 10, 200") " : tensor<2x3xf32>\n"
                                                         "  return %d : tensor<2x3xf32>\n}",
     0, 255, 0.25, true},
    {"moves",
     "func.func @f(%x: tensor<1x2x4x4xf32>) -> tensor<1x8xf32> {\n"
     "  %q = nn.quantize_linear %x " QL(
         "0.0625", "3", "-128",
         "127") " : tensor<1x2x4x4xf32>\n"
                "  %d = nn.dequantize_linear %q " DQL(
                    "0.0625",
                    "3") " : tensor<1x2x4x4xf32>\n"
                         "  %p = nn.max_pool %d {kernel = array<i64: 2, 2>, strides = array<i64: "
                         "2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : "
                         "tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>\n"
                         "  %r = nn.relu %p : tensor<1x2x2x2xf32>\n"
                         "  %t = nn.reshape %r : tensor<1x2x2x2xf32> -> tensor<1x8xf32>\n"
                         "  %q1 = nn.quantize_linear %t " QL(
                             "0.0625", "0", "0", "100") " : tensor<1x8xf32>\n"
                                                        "  return %q1 : tensor<1x8xf32>\n}",
     -10, 10, 1, true},
    {"dense_relu",
     "func.func @f(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {\n"
     "  %q = nn.quantize_linear %x " QL(
         "0.03", "-7", "-128",
         "127") " : tensor<1x4xf32>\n"
                "  %d = nn.dequantize_linear %q " DQL(
                    "0.03", "-7") " : tensor<1x4xf32>\n"
                                  "  %y = nn.dense %d {weight = dense<[[0.25, -0.5, 0.75, 1.0], "
                                  "[0.1, 0.2, -0.3, 0.0]]> : tensor<2x4xf32>, bias = "
                                  "dense<[0.3225, -0.051]> : tensor<2xf32>, weight_scale = "
                                  "array<f64: 0.25, 0.1>} : tensor<1x4xf32> -> tensor<1x2xf32>\n"
                                  "  %r = nn.relu %y : tensor<1x2xf32>\n"
                                  "  %q2 = nn.quantize_linear %r " QL(
                                      "0.037", "-20", "-128",
                                      "127") " : tensor<1x2xf32>\n"
                                             "  %d2 = nn.dequantize_linear %q2 " DQL(
                                                 "0.037",
                                                 "-20") " : tensor<1x2xf32>\n"
                                                        "  return %d2 : tensor<1x2xf32>\n}",
     -4, 4, 0.037, false},
    {"conv_clip_add",
     "func.func @f(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {\n"
     "  %q = nn.quantize_linear %x " QL(
         "0.02", "0", "-128",
         "127") " : tensor<1x1x3x3xf32>\n"
                "  %d = nn.dequantize_linear %q " DQL(
                    "0.02",
                    "0") " : tensor<1x1x3x3xf32>\n"
                         "  %c = nn.conv %d {weight = dense<[[[[0.5, -0.25, 0.1], [0.75, 1.0, "
                         "-0.6], [0.2, 0.3, -0.1]]]]> : tensor<1x1x3x3xf32>, bias = dense<[0.018]> "
                         ": tensor<1xf32>, strides = array<i64: 1, 1>, dilations = array<i64: 1, "
                         "1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, weight_scale = "
                         "array<f64: 0.05>} : tensor<1x1x3x3xf32> -> tensor<1x1x3x3xf32>\n"
                         "  %k = nn.clip %c {min = -0.5 : f64, max = 1.5 : f64} : "
                         "tensor<1x1x3x3xf32>\n"
                         "  %q1 = nn.quantize_linear %k " QL(
                             "0.013", "5", "-128",
                             "127") " : tensor<1x1x3x3xf32>\n"
                                    "  %d1 = nn.dequantize_linear %q1 " DQL(
                                        "0.013",
                                        "5") " : tensor<1x1x3x3xf32>\n"
                                             "  %s = nn.add_act %d, %d1 : tensor<1x1x3x3xf32>\n"
                                             "  %q2 = nn.quantize_linear %s " QL(
                                                 "0.021", "0", "0",
                                                 "255") " : tensor<1x1x3x3xf32>\n"
                                                        "  return %q2 : tensor<1x1x3x3xf32>\n}",
     -3, 3, 1, false},
    {"bnn_int_out",
     "func.func @f(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {\n"
     "  %q = nn.quantize_linear %x {scale = array<f64: 1.0>, zero_point = array<i64: 0>, axis = 1 "
     ": i64, qmin = -1 : i64, qmax = 1 : i64, bipolar} : tensor<1x4xf32>\n"
     "  %d = nn.dequantize_linear %q " DQL(
         "1.0",
         "0") " : tensor<1x4xf32>\n"
              "  %y = nn.dense %d {weight = dense<[[1.0, -1.0, 1.0, 1.0], [-1.0, -1.0, 1.0, "
              "-1.0]]> : tensor<2x4xf32>, bias = dense<[0.5, -1.0]> : tensor<2xf32>, weight_scale "
              "= array<f64: 1.0>} : tensor<1x4xf32> -> tensor<1x2xf32>\n"
              "  %q1 = nn.quantize_linear %y {scale = array<f64: 1.0>, zero_point = array<i64: 0>, "
              "axis = 1 : i64, qmin = -1 : i64, qmax = 1 : i64, bipolar} : tensor<1x2xf32>\n"
              "  %d1 = nn.dequantize_linear %q1 " DQL(
                  "1.0",
                  "0") " : tensor<1x2xf32>\n"
                       "  %z = nn.dense %d1 {weight = dense<[[1.0, -1.0], [1.0, 1.0]]> : "
                       "tensor<2x2xf32>, bias = dense<[0.0, 0.0]> : tensor<2xf32>, weight_scale = "
                       "array<f64: 1.0>} : tensor<1x2xf32> -> tensor<1x2xf32>\n"
                       "  return %z : tensor<1x2xf32>\n}",
     -1, 1, 1, true},
    {"matmul_integer",
     "func.func @f(%x: tensor<1x4xf32> {loom.int_range = array<i64: -128, 127>}) -> "
     "tensor<1x2xf32> {\n"
     "  %d = nn.dequantize_linear %x " DQL(
         "1.0", "3") " : tensor<1x4xf32>\n"
                     "  %y = nn.dense %d {weight = dense<[[2.0, -1.0, 0.0, 3.0], [1.0, 1.0, 1.0, "
                     "1.0]]> : tensor<2x4xf32>, bias = dense<[0.0, 0.0]> : tensor<2xf32>, "
                     "weight_scale = array<f64: 1.0>} : tensor<1x4xf32> -> tensor<1x2xf32>\n"
                     "  return %y : tensor<1x2xf32>\n}",
     -128, 127, 1, true},
    // Identity requantization (DQ -> Q to a new scale), after a reshape.
    {"requant_no_layer",
     "func.func @f(%x: tensor<1x2x2x2xf32>) -> tensor<1x8xf32> {\n"
     "  %q = nn.quantize_linear %x " QL(
         "0.03", "128", "0",
         "255") " : tensor<1x2x2x2xf32>\n"
                "  %d = nn.dequantize_linear %q " DQL(
                    "0.03", "128") " : tensor<1x2x2x2xf32>\n"
                                   "  %r = nn.reshape %d : tensor<1x2x2x2xf32> -> tensor<1x8xf32>\n"
                                   "  %q1 = nn.quantize_linear %r " QL(
                                       "0.05", "-3", "-128",
                                       "127") " : tensor<1x8xf32>\n"
                                              "  %d1 = nn.dequantize_linear %q1 " DQL(
                                                  "0.05", "-3") " : tensor<1x8xf32>\n"
                                                                "  return %d1 : tensor<1x8xf32>\n}",
     -4.5, 4.5, 0.05, false},
    // Concat of two quantizers into a third (both sides requantized). Two
    // requantizations in a row: a near-tie in the layer's may move the
    // concat's result by up to two output steps (tolerance 0.04).
    {"concat_requant",
     "func.func @f(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {\n"
     "  %q = nn.quantize_linear %x " QL(
         "0.02", "0", "-128",
         "127") " : tensor<1x4xf32>\n"
                "  %d = nn.dequantize_linear %q " DQL(
                    "0.02",
                    "0") " : tensor<1x4xf32>\n"
                         "  %a = nn.dense %d {weight = dense<[[1.0, 0.5, 0.0, -0.5], [0.25, 1.0, "
                         "-1.0, 0.0]]> : tensor<2x4xf32>, bias = dense<[0.0, 0.0]> : "
                         "tensor<2xf32>, weight_scale = array<f64: 0.25>} : tensor<1x4xf32> -> "
                         "tensor<1x2xf32>\n"
                         "  %qa = nn.quantize_linear %a " QL(
                             "0.0237", "10",
                             "-128",
                             "127") " : tensor<1x2xf32>\n"
                                    "  %da = nn.dequantize_linear %qa " DQL(
                                        "0.0237",
                                        "10") " : tensor<1x2xf32>\n"
                                              "  %b = nn.dense %d {weight = dense<[[0.5, 0.5, 0.5, "
                                              "0.5], [-1.0, 0.25, 0.0, 1.0]]> : tensor<2x4xf32>, "
                                              "bias = dense<[0.0, 0.0]> : tensor<2xf32>, "
                                              "weight_scale = array<f64: 0.25>} : tensor<1x4xf32> "
                                              "-> tensor<1x2xf32>\n"
                                              "  %qb = nn.quantize_linear %b " QL(
                                                  "0.0113", "0", "0",
                                                  "255") " : tensor<1x2xf32>\n"
                                                         "  %db = nn.dequantize_linear %qb " DQL(
                                                             "0.0113",
                                                             "0") " : tensor<1x2xf32>\n"
                                                                  "  %c = nn.concat %da, %db {axis "
                                                                  "= 1 : i64} : tensor<1x2xf32>, "
                                                                  "tensor<1x2xf32> -> "
                                                                  "tensor<1x4xf32>\n"
                                                                  "  %qc = nn.quantize_linear "
                                                                  "%c " QL(
                                                                      "0.02", "128", "0",
                                                                      "255") " : tensor<1x4xf32>\n"
                                                                             "  %dc = "
                                                                             "nn.dequantize_linear "
                                                                             "%qc " DQL(
                                                                                 "0.02",
                                                                                 "128") " : "
                                                                                        "tensor<"
                                                                                        "1x4xf32>\n"
                                                                                        "  return "
                                                                                        "%dc : "
                                                                                        "tensor<"
                                                                                        "1x4xf32>"
                                                                                        "\n}",
     -2.5, 2.5, 0.04, false},
    // Tables: sigmoid on a layer's codes, tanh + Relu on the input's codes.
    {"tables",
     "func.func @f(%x: tensor<1x4xf32>) -> tensor<1x3xf32> {\n"
     "  %q = nn.quantize_linear %x " QL(
         "0.05", "0", "-128",
         "127") " : tensor<1x4xf32>\n"
                "  %d = nn.dequantize_linear %q " DQL(
                    "0.05",
                    "0") " : tensor<1x4xf32>\n"
                         "  %t = nn.tanh %d : tensor<1x4xf32>\n"
                         "  %r = nn.relu %t : tensor<1x4xf32>\n"
                         "  %qt = nn.quantize_linear %r " QL(
                             "0.0078125", "0", "-128",
                             "127") " : tensor<1x4xf32>\n"
                                    "  %dt = nn.dequantize_linear %qt " DQL(
                                        "0.0078125",
                                        "0") " : tensor<1x4xf32>\n"
                                             "  %a = nn.dense %dt {weight = dense<[[1.0, 0.5, 0.0, "
                                             "-0.5], [0.25, 1.0, -1.0, 0.0], [1.0, 1.0, 1.0, "
                                             "1.0]]> : tensor<3x4xf32>, bias = dense<[0.0, 0.0, "
                                             "0.0]> : tensor<3xf32>, weight_scale = array<f64: "
                                             "0.25>} : tensor<1x4xf32> -> tensor<1x3xf32>\n"
                                             "  %qa = nn.quantize_linear %a " QL(
                                                 "0.03", "10", "-128",
                                                 "127") " : tensor<1x3xf32>\n"
                                                        "  %da = nn.dequantize_linear %qa " DQL(
                                                            "0.03",
                                                            "10") " : tensor<1x3xf32>\n"
                                                                  "  %s = nn.sigmoid %da : "
                                                                  "tensor<1x3xf32>\n"
                                                                  "  %qs = nn.quantize_linear "
                                                                  "%s " QL(
                                                                      "0.00390625", "0", "0",
                                                                      "255") " : tensor<1x3xf32>\n"
                                                                             "  %ds = "
                                                                             "nn.dequantize_linear "
                                                                             "%qs " DQL(
                                                                                 "0.00390625",
                                                                                 "0") " : "
                                                                                      "tensor<"
                                                                                      "1x3xf32>\n"
                                                                                      "  return "
                                                                                      "%ds : "
                                                                                      "tensor<"
                                                                                      "1x3xf32>\n}",
     -7, 7, 0.00390625, false},
};

TEST(AffineInterp, FloatQdqGraphMatchesItsIntegerLowering) {
  DialectRegistry registry;
  registry.insert<loom::nn::NNDialect, func::FuncDialect>();
  loom::registerReferenceModels(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  for (const Case &c : kCases) {
    SCOPED_TRACE(c.name);
    OwningOpRef<ModuleOp> floatMod = parseSourceString<ModuleOp>(c.src, &ctx);
    ASSERT_TRUE(floatMod);
    OwningOpRef<ModuleOp> intMod = floatMod->clone();
    auto ff = *floatMod->getOps<func::FuncOp>().begin();
    auto fi = *intMod->getOps<func::FuncOp>().begin();
    ASSERT_TRUE(succeeded(loom::lowerAffineQuantization(fi)));
    bool integerInput = bool(fi.getArgAttr(0, "loom.int_range"));
    int64_t n = llvm::cast<ShapedType>(ff.getArgument(0).getType()).getNumElements();
    std::mt19937_64 gen(17);
    std::uniform_real_distribution<double> dist(c.lo, c.hi);
    int total = 0, exact = 0;
    for (int frame = 0; frame < 300; ++frame) {
      std::vector<double> x(static_cast<size_t>(n));
      for (double &v : x) {
        v = dist(gen);
        // Integer inputs hold integers; some float frames land on exact ties.
        if (integerInput || frame % 4 == 0)
          v = integerInput ? std::round(v) : std::round(v * 8) / 8;
      }
      auto yf = loom::interpretFrame(ff, {x});
      auto yi = loom::interpretFrame(fi, {x});
      ASSERT_TRUE(bool(yf)) << llvm::toString(yf.takeError());
      ASSERT_TRUE(bool(yi)) << llvm::toString(yi.takeError());
      ASSERT_EQ(yf->outputs[0].size(), yi->outputs[0].size());
      ASSERT_EQ(yi->rawOutputs.size(), 1u);
      for (size_t i = 0; i < yf->outputs[0].size(); ++i) {
        double d = std::fabs(yf->outputs[0][i] - yi->outputs[0][i]);
        ++total;
        exact += d <= 1e-6 * c.step;
        if (c.exact)
          ASSERT_LE(d, 1e-6 * c.step) << "frame " << frame << " element " << i;
        else
          ASSERT_LE(d, c.step * 1.0001) << "frame " << frame << " element " << i;
      }
    }
    // Off-by-one only at near-ties: nearly every value must be exact.
    EXPECT_GE(exact, total * 97 / 100) << exact << " of " << total;
  }
}

} // namespace
