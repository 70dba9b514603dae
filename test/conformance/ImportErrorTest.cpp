//===- ImportErrorTest.cpp - importToNN's error path ----------------------===//
//
// The importer must refuse what Loom cannot express with ONE line of text
// that names the file, the node and its op type - never crash, never print a
// multi-line dump. Uses Debian's ONNX node tests (LSTM, GRU, ConvTranspose,
// Cos, linear Resize, ...) when installed, plus small in-memory models. Conv,
// pooling and the Add of two activations (a residual join) are supported
// since the convolutional path, so they no longer appear here.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/ImportToNN.h"
#include "compiler/onnx/OnnxModel.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

using namespace loom;
using loom::onnx::OnnxModel;
using loom::onnx::OnnxNode;
using loom::onnx::OnnxValueInfo;

namespace {

std::string nodeTest(const std::string &name) {
  return std::string(LOOM_ONNX_NODE_TESTS) + "/" + name + "/model.onnx";
}

/// Imports `model`, expects failure, returns the message.
std::string importError(const OnnxModel &model) {
  mlir::MLIRContext ctx;
  std::vector<std::string> warnings;
  auto module = importToNN(model, ctx, warnings);
  if (module) {
    ADD_FAILURE() << "import of " << model.path << " unexpectedly succeeded";
    return "";
  }
  return llvm::toString(module.takeError());
}

void expectOneLine(const std::string &msg) {
  EXPECT_FALSE(msg.empty());
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

/// Loads a Debian node test and checks the import error names the file, the
/// node (as the loader named it) and `opType`.
void checkUnsupportedNodeTest(const std::string &test, const std::string &opType) {
  std::string path = nodeTest(test);
  if (!llvm::sys::fs::exists(path))
    GTEST_SKIP() << "missing " << path;
  auto model = onnx::loadOnnxModel(path);
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  const OnnxNode *node = nullptr;
  for (const OnnxNode &n : model->nodes)
    if (n.opType == opType)
      node = &n;
  ASSERT_NE(node, nullptr) << test << " has no " << opType << " node";
  ASSERT_FALSE(node->name.empty());
  std::string msg = importError(*model);
  expectOneLine(msg);
  EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << "does not start with the file: " << msg;
  EXPECT_NE(msg.find("node '" + node->name + "' (" + opType + ")"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unsupported"), std::string::npos) << msg;
}

OnnxValueInfo floatValue(const std::string &name, std::vector<int64_t> dims) {
  OnnxValueInfo v;
  v.name = name;
  v.elemType = onnx::kFloat;
  v.hasShape = true;
  v.dims = std::move(dims);
  v.dimParams.assign(v.dims.size(), "");
  return v;
}

OnnxNode makeNode(const std::string &name, const std::string &op, std::vector<std::string> ins,
                  std::vector<std::string> outs) {
  OnnxNode n;
  n.name = name;
  n.opType = op;
  n.inputs = std::move(ins);
  n.outputs = std::move(outs);
  return n;
}

} // namespace

TEST(ImportError, LstmDefaults) { checkUnsupportedNodeTest("test_lstm_defaults", "LSTM"); }
TEST(ImportError, LstmBatchwise) { checkUnsupportedNodeTest("test_lstm_batchwise", "LSTM"); }
TEST(ImportError, LstmWithInitialBias) {
  checkUnsupportedNodeTest("test_lstm_with_initial_bias", "LSTM");
}
TEST(ImportError, LstmWithPeepholes) {
  checkUnsupportedNodeTest("test_lstm_with_peepholes", "LSTM");
}
TEST(ImportError, Gru) { checkUnsupportedNodeTest("test_gru_defaults", "GRU"); }
// Convolution is supported; its transpose (upsampling) is not.
TEST(ImportError, ConvTranspose) {
  checkUnsupportedNodeTest("test_convtranspose", "ConvTranspose");
}
TEST(ImportError, ConvTransposePads) {
  checkUnsupportedNodeTest("test_convtranspose_pads", "ConvTranspose");
}
TEST(ImportError, Cos) { checkUnsupportedNodeTest("test_cos", "Cos"); }
// Resize is supported for nearest, integer factors of H and W only (other
// forms: one line naming the node; mode 'linear' is checked by e2e.resize).
TEST(ImportError, ResizeNonIntegerScale) {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {floatValue("x", {1, 2, 2, 2})};
  m.outputs = {floatValue("y", {1, 2, 3, 3})};
  onnx::OnnxTensor scales;
  scales.name = "scales";
  scales.dims = {4};
  scales.elemType = onnx::kFloat;
  scales.values = {1.0, 1.0, 1.5, 1.5};
  m.initializers["scales"] = scales;
  m.nodes = {makeNode("up", "Resize", {"x", "", "scales"}, {"y"})};
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_NE(msg.find("node 'up' (Resize)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("only integer scale factors"), std::string::npos) << msg;
}

// Every unsupported node is listed, in one line, before anything is built.
TEST(ImportError, ListsEveryUnsupportedNode) {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {floatValue("x", {1, 4})};
  m.outputs = {floatValue("y", {1, 4})};
  m.nodes = {makeNode("rnn", "LSTM", {"x"}, {"a"}), makeNode("act", "Relu", {"a"}, {"b"}),
             makeNode("deconv", "ConvTranspose", {"b"}, {"c"})};
  OnnxNode custom = makeNode("mine", "Relu", {"c"}, {"y"});
  custom.domain = "com.example";
  m.nodes.push_back(custom);
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_NE(msg.find("mem.onnx: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("node 'rnn' (LSTM)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("node 'deconv' (ConvTranspose)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("node 'mine' (com.example.Relu)"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("node 'act'"), std::string::npos) << msg;
}

// A supported op used in a way Loom cannot express: one line naming the node
// and its op type. (An Add of two activations is a residual join and is
// supported; a Div of two activations is not.)
TEST(ImportError, DivOfTwoActivationsNamesNode) {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {floatValue("x", {1, 4})};
  m.outputs = {floatValue("y", {1, 4})};
  m.nodes = {makeNode("gate", "Div", {"x", "x"}, {"y"})};
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_EQ(msg.rfind("mem.onnx: node 'gate' (Div): ", 0), 0u) << msg;
}

TEST(ImportError, MatMulOfTwoActivationsNamesNode) {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {floatValue("x", {1, 4})};
  m.outputs = {floatValue("y", {1, 1})};
  m.nodes = {makeNode("mm", "MatMul", {"x", "x"}, {"y"})};
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_NE(msg.find("node 'mm' (MatMul)"), std::string::npos) << msg;
}

TEST(ImportError, IntegerInputIsOneLine) {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  // uint8 / int8 / int16 / int32 inputs are quantized data (loom.int_range);
  // int64 is not.
  OnnxValueInfo x = floatValue("x", {1, 4});
  x.elemType = onnx::kInt64;
  m.inputs = {x};
  m.outputs = {floatValue("y", {1, 4})};
  m.nodes = {makeNode("r", "Relu", {"x"}, {"y"})};
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_NE(msg.find("int64"), std::string::npos) << msg;
}

//===----------------------------------------------------------------------===//
// Quantized models: bad quantization parameters name the node.
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

/// x [1, 4] -> QONNX Quant(x, scale 0.5, zp 0, bit width `bits`) -> y.
OnnxModel qonnxQuant(double bits, const std::string &op = "Quant") {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {floatValue("x", {1, 4})};
  m.outputs = {floatValue("y", {1, 4})};
  m.initializers["s"] = tensor("s", {}, {0.5});
  m.initializers["z"] = tensor("z", {}, {0.0});
  m.initializers["b"] = tensor("b", {}, {bits});
  OnnxNode n = makeNode("q", op, {"x", "s", "z", "b"}, {"y"});
  n.domain = "qonnx.custom_op.general";
  m.nodes = {n};
  return m;
}
} // namespace

TEST(ImportError, QuantizeLinearScaleNotConstant) {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {floatValue("x", {1, 4})};
  m.outputs = {floatValue("y", {1, 4})};
  m.nodes = {makeNode("r", "Relu", {"x"}, {"s"}),
             makeNode("ql", "QuantizeLinear", {"x", "s"}, {"y"})};
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_NE(msg.find("node 'ql' (QuantizeLinear)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("must be a constant"), std::string::npos) << msg;
}

TEST(ImportError, QonnxBitWidthZero) {
  std::string msg = importError(qonnxQuant(0));
  expectOneLine(msg);
  EXPECT_NE(msg.find("node 'q' (Quant)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("bit width"), std::string::npos) << msg;
}

TEST(ImportError, QonnxBitWidthSeventeen) {
  std::string msg = importError(qonnxQuant(17));
  expectOneLine(msg);
  EXPECT_NE(msg.find("node 'q' (Quant)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("bit width 17"), std::string::npos) << msg;
}

TEST(ImportError, QonnxBitWidthFractional) {
  std::string msg = importError(qonnxQuant(3.5));
  expectOneLine(msg);
  EXPECT_NE(msg.find("bit width"), std::string::npos) << msg;
}

// The same parameters with a legal bit width import (the tests above fail
// for the reason they name, not for another).
TEST(ImportError, QonnxBitWidthEightImports) {
  mlir::MLIRContext ctx;
  std::vector<std::string> warnings;
  auto module = importToNN(qonnxQuant(8), ctx, warnings);
  EXPECT_TRUE(bool(module)) << llvm::toString(module.takeError());
}

// A QONNX Trunc has 5 (v1) or 7 (v2) inputs; Quant's 4 are refused.
TEST(ImportError, QonnxTruncWithQuantInputsIsRefused) {
  std::string msg = importError(qonnxQuant(8, "Trunc"));
  expectOneLine(msg);
  EXPECT_NE(msg.find("node 'q' (Trunc): has 4 inputs"), std::string::npos) << msg;
}

TEST(ImportError, QonnxRoundingModeUnknown) {
  OnnxModel m = qonnxQuant(8);
  onnx::OnnxAttr a;
  a.name = "rounding_mode";
  a.kind = onnx::OnnxAttr::Kind::String;
  a.s = "STOCHASTIC";
  m.nodes[0].attrs["rounding_mode"] = a;
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_NE(msg.find("rounding_mode 'STOCHASTIC'"), std::string::npos) << msg;
}

// MatMul B [K, N] quantized per row (axis 0, one scale per input feature):
// no per-output-channel weight_scale expresses it.
TEST(ImportError, MatMulWeightsPerInputFeature) {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {floatValue("x", {1, 2})};
  m.outputs = {floatValue("y", {1, 3})};
  m.initializers["wq"] = tensor("wq", {2, 3}, {1, 2, 3, 4, 5, 6}, onnx::kInt8);
  m.initializers["ws"] = tensor("ws", {2}, {0.5, 0.25});
  m.initializers["wz"] = tensor("wz", {2}, {0, 0}, onnx::kInt8);
  OnnxNode dq = makeNode("dq", "DequantizeLinear", {"wq", "ws", "wz"}, {"w"});
  onnx::OnnxAttr axis;
  axis.name = "axis";
  axis.kind = onnx::OnnxAttr::Kind::Int;
  axis.i = 0;
  dq.attrs["axis"] = axis;
  m.nodes = {dq, makeNode("mm", "MatMul", {"x", "w"}, {"y"})};
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_NE(msg.find("node 'mm' (MatMul)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("per output channel"), std::string::npos) << msg;
}

// A B per batch must have A's batch (3 batches of A, 2 matrices of B here).
TEST(ImportError, QLinearMatMulBatchMismatch) {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  OnnxValueInfo a = floatValue("a", {3, 2, 4});
  a.elemType = onnx::kUInt8;
  m.inputs = {a};
  m.outputs = {floatValue("y", {3, 2, 3})};
  m.initializers["s"] = tensor("s", {}, {0.5});
  m.initializers["z"] = tensor("z", {}, {0}, onnx::kUInt8);
  m.initializers["b"] = tensor("b", {2, 4, 3}, std::vector<double>(24, 1), onnx::kUInt8);
  m.nodes = {makeNode("qmm", "QLinearMatMul", {"a", "s", "z", "b", "s", "z", "s", "z"}, {"y"})};
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_NE(msg.find("node 'qmm' (QLinearMatMul)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("one [K, N] matrix per batch of a 3-D A"), std::string::npos) << msg;
}

// Regression: a node name holding a newline must not split the message.
TEST(ImportError, NodeNameWithNewlineStaysOneLine) {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {floatValue("x", {1, 4})};
  m.outputs = {floatValue("y", {1, 4})};
  m.nodes = {makeNode("two\nlines", "Div", {"x", "x"}, {"y"})};
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_NE(msg.find("mem.onnx: node 'two\\0Alines' (Div): "), std::string::npos) << msg;
}

// Regression: Softmax (opset 13) over a size-1 axis is 1.0 everywhere; it used
// to be imported as a softmax over the last axis.
TEST(ImportError, SoftmaxOverUnitAxisIsRejected) {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {floatValue("x", {1, 4})};
  m.outputs = {floatValue("y", {1, 4})};
  OnnxNode sm = makeNode("sm", "Softmax", {"x"}, {"y"});
  onnx::OnnxAttr axis;
  axis.name = "axis";
  axis.kind = onnx::OnnxAttr::Kind::Int;
  axis.i = 0;
  sm.attrs["axis"] = axis;
  m.nodes = {sm};
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_EQ(msg.rfind("mem.onnx: node 'sm' (Softmax): ", 0), 0u) << msg;
}
