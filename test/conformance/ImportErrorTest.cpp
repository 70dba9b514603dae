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

OnnxNode makeNode(const std::string &name, const std::string &op,
                  std::vector<std::string> ins, std::vector<std::string> outs) {
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
TEST(ImportError, ConvTranspose) { checkUnsupportedNodeTest("test_convtranspose", "ConvTranspose"); }
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
  OnnxValueInfo x = floatValue("x", {1, 4});
  x.elemType = onnx::kInt8;
  m.inputs = {x};
  m.outputs = {floatValue("y", {1, 4})};
  m.nodes = {makeNode("r", "Relu", {"x"}, {"y"})};
  std::string msg = importError(m);
  expectOneLine(msg);
  EXPECT_NE(msg.find("int8"), std::string::npos) << msg;
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
