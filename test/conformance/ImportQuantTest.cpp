//===- ImportQuantTest.cpp - importing quantized ONNX models --------------===//
//
// What the importer makes of QDQ, QOperator and QONNX graphs
// (docs/CONTRACTS.md "Affine integer graphs", float level): the ops, their
// scales / zero points / ranges, folded weights and weight_scale. Expected
// values are the ONNX test data or the model's own constants, read here,
// never copied from the importer's output.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/ImportToNN.h"
#include "compiler/onnx/OnnxModel.h"
#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

using namespace loom;
using namespace mlir;

namespace {

std::string nodeTest(const std::string &name) {
  return std::string(LOOM_ONNX_NODE_TESTS) + "/" + name;
}

/// Loads a node test with every graph input but the first bound to its
/// test_data_set_0 value (as the conformance runner does), and imports it.
OwningOpRef<ModuleOp> importNodeTest(MLIRContext &ctx, const std::string &test) {
  std::string dir = nodeTest(test);
  auto model = onnx::loadOnnxModel(dir + "/model.onnx");
  EXPECT_TRUE(bool(model)) << llvm::toString(model.takeError());
  if (!model)
    return {};
  std::map<std::string, std::string> pbs;
  for (size_t i = 1; i < model->inputs.size(); ++i)
    pbs[model->inputs[i].name] = dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb";
  llvm::SmallString<128> tmp;
  llvm::sys::fs::createTemporaryFile("loom-import-quant", "onnx", tmp);
  auto err = onnx::writeModelWithConstantInputs(dir + "/model.onnx", pbs, tmp);
  EXPECT_FALSE(bool(err)) << llvm::toString(std::move(err));
  auto frozen = onnx::loadOnnxModel(tmp);
  llvm::sys::fs::remove(tmp);
  EXPECT_TRUE(bool(frozen)) << llvm::toString(frozen.takeError());
  if (!frozen)
    return {};
  std::vector<std::string> warnings;
  auto module = importToNN(*frozen, ctx, warnings);
  EXPECT_TRUE(bool(module)) << llvm::toString(module.takeError());
  if (!module)
    return {};
  EXPECT_TRUE(succeeded(verify(**module)));
  if (getenv("LOOM_IMPORT_QUANT_DUMP")) // debugging aid: print what was imported
    (*module)->print(llvm::errs());
  return std::move(*module);
}

template <typename Op> SmallVector<Op> opsOf(ModuleOp m) {
  SmallVector<Op> ops;
  m.walk([&](Op op) { ops.push_back(op); });
  return ops;
}

double scalarOf(const std::string &pb) {
  auto t = onnx::loadTensorProtoFile(pb);
  EXPECT_TRUE(bool(t)) << llvm::toString(t.takeError());
  return t ? t->values.at(0) : 0;
}

#define REQUIRE_NODE_TEST(name)                                                                    \
  if (!llvm::sys::fs::exists(nodeTest(name)))                                                      \
  GTEST_SKIP() << "missing " << nodeTest(name)

} // namespace

TEST(ImportQuant, QLinearConv) {
  REQUIRE_NODE_TEST("test_qlinearconv");
  MLIRContext ctx;
  auto m = importNodeTest(ctx, "test_qlinearconv");
  ASSERT_TRUE(m);
  auto func = *m->getOps<func::FuncOp>().begin();
  auto range = func.getArgAttrOfType<DenseI64ArrayAttr>(0, "loom.int_range");
  ASSERT_TRUE(range);
  EXPECT_EQ(range.asArrayRef(), ArrayRef<int64_t>({0, 255})); // uint8 x
  std::string set = nodeTest("test_qlinearconv") + "/test_data_set_0/";
  auto dq = opsOf<nn::DequantizeLinearOp>(*m);
  auto q = opsOf<nn::QuantizeLinearOp>(*m);
  auto conv = opsOf<nn::ConvOp>(*m);
  ASSERT_EQ(dq.size(), 1u);
  ASSERT_EQ(q.size(), 1u);
  ASSERT_EQ(conv.size(), 1u);
  EXPECT_EQ(dq[0].getScale()[0], scalarOf(set + "input_1.pb"));
  EXPECT_EQ(dq[0].getZeroPoint()[0], int64_t(scalarOf(set + "input_2.pb")));
  EXPECT_EQ(q[0].getScale()[0], scalarOf(set + "input_6.pb"));
  EXPECT_EQ(q[0].getZeroPoint()[0], int64_t(scalarOf(set + "input_7.pb")));
  EXPECT_EQ(q[0].getQminAttr().getInt(), 0);
  EXPECT_EQ(q[0].getQmaxAttr().getInt(), 255);
  // w = w_scale * (w_q - w_zp); weight_scale = w_scale.
  double ws = scalarOf(set + "input_4.pb");
  double wq = scalarOf(set + "input_3.pb"), wzp = scalarOf(set + "input_5.pb");
  ASSERT_TRUE(conv[0].getWeightScale());
  EXPECT_EQ((*conv[0].getWeightScale())[0], ws);
  float w = *conv[0].getWeight().getValues<float>().begin();
  EXPECT_EQ(std::lround(w / ws), std::lround(wq - wzp));
}

TEST(ImportQuant, QLinearMatMulKeepsRows) {
  REQUIRE_NODE_TEST("test_qlinearmatmul_2D");
  MLIRContext ctx;
  auto m = importNodeTest(ctx, "test_qlinearmatmul_2D");
  ASSERT_TRUE(m);
  auto dense = opsOf<nn::DenseOp>(*m);
  ASSERT_EQ(dense.size(), 1u);
  // a is [2, 4]: two rows of one frame, not a batch pinned to 1.
  EXPECT_EQ(dense[0].getType().getShape(), ArrayRef<int64_t>({2, 3}));
  EXPECT_TRUE(dense[0].getWeightScale());
}

TEST(ImportQuant, MatMulIntegerIsAccumulator) {
  REQUIRE_NODE_TEST("test_matmulinteger");
  MLIRContext ctx;
  auto m = importNodeTest(ctx, "test_matmulinteger");
  ASSERT_TRUE(m);
  EXPECT_EQ(opsOf<nn::QuantizeLinearOp>(*m).size(), 0u);
  auto dq = opsOf<nn::DequantizeLinearOp>(*m);
  ASSERT_EQ(dq.size(), 1u);
  EXPECT_EQ(dq[0].getScale()[0], 1.0);
  std::string set = nodeTest("test_matmulinteger") + "/test_data_set_0/";
  EXPECT_EQ(dq[0].getZeroPoint()[0], int64_t(scalarOf(set + "input_2.pb")));
  auto dense = opsOf<nn::DenseOp>(*m);
  ASSERT_EQ(dense.size(), 1u);
  EXPECT_EQ(dense[0].getType().getShape(), ArrayRef<int64_t>({4, 2}));
  // Weights are B - b_zp, transposed to [N, K].
  auto b = onnx::loadTensorProtoFile(set + "input_1.pb");
  ASSERT_TRUE(bool(b));
  double bzp = scalarOf(set + "input_3.pb");
  auto w = dense[0].getWeight().getValues<float>();
  int64_t k = b->dims[0], n = b->dims[1];
  for (int64_t o = 0; o < n; ++o)
    for (int64_t i = 0; i < k; ++i)
      EXPECT_EQ(double(w[o * k + i]), b->values[i * n + o] - bzp);
}

TEST(ImportQuant, QuantizeLinearPerAxis) {
  REQUIRE_NODE_TEST("test_quantizelinear_axis");
  MLIRContext ctx;
  auto m = importNodeTest(ctx, "test_quantizelinear_axis");
  ASSERT_TRUE(m);
  auto q = opsOf<nn::QuantizeLinearOp>(*m);
  ASSERT_EQ(q.size(), 1u);
  auto s = onnx::loadTensorProtoFile(nodeTest("test_quantizelinear_axis") +
                                     "/test_data_set_0/input_1.pb");
  ASSERT_TRUE(bool(s));
  EXPECT_EQ(q[0].getScale().vec(), s->values);
  EXPECT_EQ(q[0].getAxisAttr().getInt(), 1);
}

TEST(ImportQuant, DequantizeLinearRankOneKeepsItsLength) {
  REQUIRE_NODE_TEST("test_dequantizelinear");
  MLIRContext ctx;
  auto m = importNodeTest(ctx, "test_dequantizelinear");
  ASSERT_TRUE(m);
  auto func = *m->getOps<func::FuncOp>().begin();
  EXPECT_EQ(llvm::cast<ShapedType>(func.getArgument(0).getType()).getNumElements(), 4);
}

// The QONNX binary network: BipolarQuant on the input, the weights and the
// output, a 4-bit Quant on the bias, one Gemm.
TEST(ImportQuant, QonnxBnn) {
  std::string path = LOOM_SHARED_MODELS "/qonnx_bnn_fc_1layer.onnx";
  if (const char *env = getenv("LOOM_QONNX_BNN"))
    path = env;
  if (!llvm::sys::fs::exists(path))
    GTEST_SKIP() << "missing " << path;
  auto model = onnx::loadOnnxModel(path);
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  MLIRContext ctx;
  std::vector<std::string> warnings;
  auto module = importToNN(*model, ctx, warnings);
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  ASSERT_TRUE(succeeded(verify(**module)));
  if (getenv("LOOM_IMPORT_QUANT_DUMP"))
    (*module)->print(llvm::errs());
  auto q = opsOf<nn::QuantizeLinearOp>(**module);
  ASSERT_EQ(q.size(), 2u); // input and output; the weights are folded
  for (auto op : q) {
    EXPECT_TRUE(op.getBipolar());
    EXPECT_EQ(op.getQminAttr().getInt(), -1);
    EXPECT_EQ(op.getQmaxAttr().getInt(), 1);
  }
  auto dense = opsOf<nn::DenseOp>(**module);
  ASSERT_EQ(dense.size(), 1u);
  ASSERT_TRUE(dense[0].getWeightScale());
  // Weights: sign of the float weights times the scale; bias: 4-bit Quant of
  // the float bias (values within range stay as they are after rounding).
  const onnx::OnnxTensor *wf = nullptr, *bf = model->findInitializer("linear.bias");
  for (const auto &[name, t] : model->initializers)
    if (llvm::StringRef(name).contains("weight_quant") && t.dims.size() == 2)
      wf = &t;
  ASSERT_TRUE(wf && bf);
  double ws = (*dense[0].getWeightScale())[0];
  auto w = dense[0].getWeight().getValues<float>();
  for (size_t i = 0; i < wf->values.size(); ++i)
    EXPECT_EQ(double(w[i]), (wf->values[i] >= 0 ? 1 : -1) * ws) << i;
  // QONNX Quant (signed, not narrow): clamp(round(b / s + z), -2^(n-1), 2^(n-1) - 1).
  const onnx::OnnxNode *quant = nullptr;
  for (const auto &node : model->nodes)
    if (node.opType == "Quant")
      quant = &node;
  ASSERT_TRUE(quant);
  double s = model->findInitializer(quant->inputs[1])->values[0];
  double z = model->findInitializer(quant->inputs[2])->values[0];
  double bits = model->findInitializer(quant->inputs[3])->values[0];
  double lo = -std::pow(2.0, bits - 1), hi = std::pow(2.0, bits - 1) - 1;
  auto bias = dense[0].getBias().getValues<float>();
  for (size_t i = 0; i < bf->values.size(); ++i)
    EXPECT_EQ(double(bias[i]), (std::clamp(std::nearbyint(bf->values[i] / s + z), lo, hi) - z) * s)
        << i;
}

//===----------------------------------------------------------------------===//
// In-memory QDQ graphs: per-channel weight scales reach weight_scale on the
// right axis.
//===----------------------------------------------------------------------===//

namespace {
onnx::OnnxTensor tensor(const std::string &name, std::vector<int64_t> dims,
                        std::vector<double> values, int elemType = onnx::kFloat) {
  onnx::OnnxTensor t;
  t.name = name;
  t.dims = std::move(dims);
  t.elemType = elemType;
  t.values = std::move(values);
  if (onnx::isIntegerElemType(elemType))
    for (double v : t.values)
      t.intValues.push_back(int64_t(v));
  return t;
}

onnx::OnnxValueInfo value(const std::string &name, std::vector<int64_t> dims) {
  onnx::OnnxValueInfo v;
  v.name = name;
  v.elemType = onnx::kFloat;
  v.hasShape = true;
  v.dims = std::move(dims);
  v.dimParams.assign(v.dims.size(), "");
  return v;
}

onnx::OnnxNode node(const std::string &name, const std::string &op, std::vector<std::string> ins,
                    std::vector<std::string> outs, std::map<std::string, int64_t> ints = {}) {
  onnx::OnnxNode n;
  n.name = name;
  n.opType = op;
  n.inputs = std::move(ins);
  n.outputs = std::move(outs);
  for (auto &[k, v] : ints) {
    onnx::OnnxAttr a;
    a.name = k;
    a.kind = onnx::OnnxAttr::Kind::Int;
    a.i = v;
    n.attrs[k] = a;
  }
  return n;
}

/// Int8 weights q [N, K] (row n = output n) with one scale per row and zero
/// points zp[n], dequantized along axis 0; `layout` decides how they reach
/// the layer: "gemm" (Gemm transB = 1), "transpose" (Transpose -> MatMul).
OwningOpRef<ModuleOp> importPerChannel(MLIRContext &ctx, const std::string &layout,
                                       const std::vector<double> &q, const std::vector<double> &s,
                                       const std::vector<double> &zp) {
  int64_t n = s.size(), k = q.size() / n;
  onnx::OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {value("x", {1, k})};
  m.outputs = {value("y", {1, n})};
  m.initializers["wq"] = tensor("wq", {n, k}, q, onnx::kInt8);
  m.initializers["ws"] = tensor("ws", {n}, s);
  m.initializers["wz"] = tensor("wz", {n}, zp, onnx::kInt8);
  m.nodes.push_back(node("dq", "DequantizeLinear", {"wq", "ws", "wz"}, {"w"}, {{"axis", 0}}));
  if (layout == "gemm") {
    m.nodes.push_back(node("fc", "Gemm", {"x", "w"}, {"y"}, {{"transB", 1}}));
  } else {
    m.nodes.push_back(node("t", "Transpose", {"w"}, {"wt"}));
    m.nodes.push_back(node("fc", "MatMul", {"x", "wt"}, {"y"}));
  }
  std::vector<std::string> warnings;
  auto module = importToNN(m, ctx, warnings);
  EXPECT_TRUE(bool(module)) << llvm::toString(module.takeError());
  if (!module)
    return {};
  EXPECT_TRUE(succeeded(verify(**module)));
  return std::move(*module);
}

void checkPerChannel(const std::string &layout) {
  std::vector<double> q = {1, -2, 3, 4, -5, 6, 7, 8, -128}, s = {0.5, 0.25, 0.125}, zp = {0, 1, -3};
  MLIRContext ctx;
  auto m = importPerChannel(ctx, layout, q, s, zp);
  ASSERT_TRUE(m);
  auto dense = opsOf<nn::DenseOp>(*m);
  ASSERT_EQ(dense.size(), 1u);
  ASSERT_TRUE(dense[0].getWeightScale());
  EXPECT_EQ(dense[0].getWeightScale()->vec(), s);
  auto w = dense[0].getWeight().getValues<float>();
  for (size_t n = 0; n < 3; ++n)
    for (size_t k = 0; k < 3; ++k)
      EXPECT_EQ(double(w[n * 3 + k]), (q[n * 3 + k] - zp[n]) * s[n]) << n << "," << k;
}
} // namespace

TEST(ImportQuant, GemmTransBPerChannel) { checkPerChannel("gemm"); }
TEST(ImportQuant, TransposedPerChannelWeightsFollowTheirAxis) { checkPerChannel("transpose"); }

// com.microsoft QLinearAdd / QLinearConcat / QLinearGlobalAveragePool expand
// into dequantize_linear -> float op -> quantize_linear with their own scales.
TEST(ImportQuant, MicrosoftQLinearOps) {
  onnx::OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {value("x", {1, 2, 3, 3})};
  m.outputs = {value("y", {1, 4, 1, 1})};
  m.initializers["s"] = tensor("s", {}, {0.5});
  m.initializers["s2"] = tensor("s2", {}, {0.25});
  m.initializers["s3"] = tensor("s3", {}, {0.125});
  m.initializers["z"] = tensor("z", {}, {3}, onnx::kUInt8);
  auto ms = [](onnx::OnnxNode n) {
    n.domain = "com.microsoft";
    return n;
  };
  m.nodes = {node("q", "QuantizeLinear", {"x", "s", "z"}, {"xq"}),
             ms(node("add", "QLinearAdd", {"xq", "s", "z", "xq", "s", "z", "s2", "z"}, {"a"})),
             ms(node("cat", "QLinearConcat", {"s2", "z", "a", "s2", "z", "xq", "s", "z"}, {"c"},
                     {{"axis", 1}})),
             ms(node("gap", "QLinearGlobalAveragePool", {"c", "s2", "z", "s3", "z"}, {"g"})),
             node("dq", "DequantizeLinear", {"g", "s3", "z"}, {"y"})};
  MLIRContext ctx;
  std::vector<std::string> warnings;
  auto module = importToNN(m, ctx, warnings);
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
  ASSERT_TRUE(succeeded(verify(**module)));
  auto q = opsOf<nn::QuantizeLinearOp>(**module);
  ASSERT_EQ(q.size(), 4u); // q, add, cat, gap
  EXPECT_EQ(q[1].getScale()[0], 0.25);
  EXPECT_EQ(q[3].getScale()[0], 0.125);
  EXPECT_EQ(opsOf<nn::DequantizeLinearOp>(**module).size(), 6u); // 2 + 2 + 1 + 1
  EXPECT_EQ(opsOf<nn::AddActOp>(**module).size(), 1u);
  EXPECT_EQ(opsOf<nn::ConcatOp>(**module).size(), 1u);
  auto pool = opsOf<nn::AvgPoolOp>(**module);
  ASSERT_EQ(pool.size(), 1u);
  EXPECT_EQ(pool[0].getType().getShape(), ArrayRef<int64_t>({1, 4, 1, 1}));
}

//===----------------------------------------------------------------------===//
// QONNX Trunc (docs/CONTRACTS.md "Affine integer graphs": nn.trunc). The
// expected shifts and ranges follow the qonnx spec: v1 shifts by
// in_bit_width - out_bit_width and does not clamp; v2 shifts by
// log2(out_scale / scale) and clamps to the output bit width's range.
//===----------------------------------------------------------------------===//
namespace {
/// x [1, 2, 4, 4] -> Trunc(x, scale 0.25, zp, ibw 6, [out_scale 4, out_zp 0,] obw 4).
llvm::Expected<OwningOpRef<ModuleOp>> importTrunc(MLIRContext &ctx, bool v2,
                                                  const std::string &mode, double zp = 0,
                                                  std::map<std::string, int64_t> ints = {}) {
  onnx::OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {value("x", {1, 2, 4, 4})};
  m.outputs = {value("y", {1, 2, 4, 4})};
  for (auto [n, v] : std::map<std::string, double>{
           {"s", 0.25}, {"z", zp}, {"ib", 6}, {"os", 4.0}, {"oz", 0}, {"ob", 4}})
    m.initializers[n] = tensor(n, {}, {v});
  std::vector<std::string> ins = {"x", "s", "z", "ib", "ob"};
  if (v2)
    ins = {"x", "s", "z", "ib", "os", "oz", "ob"};
  onnx::OnnxNode t = node("t", "Trunc", ins, {"y"}, ints);
  t.domain = "qonnx.custom_op.general";
  onnx::OnnxAttr a;
  a.name = "rounding_mode";
  a.kind = onnx::OnnxAttr::Kind::String;
  a.s = mode;
  t.attrs[a.name] = a;
  m.nodes = {t};
  std::vector<std::string> warnings;
  return importToNN(m, ctx, warnings);
}
} // namespace

TEST(ImportQuant, QonnxTruncV1) {
  MLIRContext ctx;
  auto m = importTrunc(ctx, false, "floor"); // qonnx upper-cases the mode
  ASSERT_TRUE(bool(m)) << llvm::toString(m.takeError());
  auto t = opsOf<nn::TruncOp>(**m);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].getShiftAttr().getInt(), 6 - 4);
  EXPECT_EQ(t[0].getScale().convertToDouble(), 0.25);
  EXPECT_EQ(t[0].getOutScale().convertToDouble(), 0.25); // v1 rescales by the input scale
  EXPECT_EQ(t[0].getRounding(), "floor");
  EXPECT_LE(t[0].getQminAttr().getInt(), -(int64_t(1) << 40)); // no clamp
  EXPECT_GE(t[0].getQmaxAttr().getInt(), int64_t(1) << 40);
}

TEST(ImportQuant, QonnxTruncV2UnsignedNarrow) {
  MLIRContext ctx;
  auto m = importTrunc(ctx, true, "HALF_UP", 0, {{"signed", 0}, {"narrow", 1}});
  ASSERT_TRUE(bool(m)) << llvm::toString(m.takeError());
  auto t = opsOf<nn::TruncOp>(**m);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].getShiftAttr().getInt(), int64_t(std::log2(4.0 / 0.25)));
  EXPECT_EQ(t[0].getOutScale().convertToDouble(), 4.0);
  EXPECT_EQ(t[0].getRounding(), "half_up");
  EXPECT_EQ(t[0].getQminAttr().getInt(), 0);
  EXPECT_EQ(t[0].getQmaxAttr().getInt(), (1 << 4) - 2); // unsigned narrow 4-bit
}

TEST(ImportQuant, QonnxTruncErrorsNameTheNode) {
  MLIRContext ctx;
  for (auto [mode, zp, what] :
       {std::tuple<const char *, double, const char *>{"FLOOR", 1.0, "zero point"},
        {"UP", 0.0, "rounding_mode 'UP'"}}) {
    auto m = importTrunc(ctx, false, mode, zp);
    ASSERT_FALSE(bool(m));
    std::string msg = llvm::toString(m.takeError());
    EXPECT_NE(msg.find("node 't' (Trunc)"), std::string::npos) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}
