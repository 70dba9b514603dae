//===- ImportWidenKVTest.cpp - grouped-query K / V widened before import --===//
//
// widenGroupedKV (compiler/nnimport/WidenGroupedKV.cpp) on hand-built graphs:
// a K projection of 2 heads of D = 2, repeated to 4 heads by HF's repeat_kv
// (Unsqueeze -> Expand -> Reshape: head h reads kv head h / 2) or by Tile
// (h % 2). The widened weight's columns, the quantizer's per-column scale and
// zero point, the bias, the split's shape and the shapes in between are
// checked against the kv head each query head reads; a graph whose K heads
// before the repeat are an output is left as it is, with the reason.
// (The e2e test test_generate.py runs whole GQA models against ONNX Runtime.)
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/ImportToNN.h"
#include "compiler/onnx/OnnxModel.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace loom;
using onnx::OnnxModel;
using onnx::OnnxNode;
using onnx::OnnxTensor;
using onnx::OnnxValueInfo;

namespace {

constexpr int64_t kK = 3, kHkv = 2, kD = 2, kT = 4, kH = 4; // x is [1, T, K]

OnnxTensor tensor(const std::string &name, std::vector<int64_t> dims, int elemType,
                  std::vector<double> values) {
  OnnxTensor t;
  t.name = name, t.dims = std::move(dims), t.elemType = elemType, t.values = values;
  if (onnx::isIntegerElemType(elemType))
    for (double v : values)
      t.intValues.push_back(int64_t(v));
  return t;
}

OnnxTensor ints(const std::string &name, std::vector<int64_t> v) {
  return tensor(name, {int64_t(v.size())}, onnx::kInt64, std::vector<double>(v.begin(), v.end()));
}

OnnxValueInfo info(const std::string &name, std::vector<int64_t> dims) {
  OnnxValueInfo vi;
  vi.name = name, vi.elemType = onnx::kFloat, vi.hasShape = true, vi.dims = dims;
  vi.dimParams.assign(dims.size(), "");
  return vi;
}

OnnxNode node(const std::string &op, std::vector<std::string> in, std::vector<std::string> out) {
  OnnxNode n;
  n.name = "/" + op + "_" + out[0], n.opType = op, n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

void setInts(OnnxNode &n, const std::string &attr, std::vector<int64_t> v) {
  onnx::OnnxAttr a;
  a.name = attr, a.kind = onnx::OnnxAttr::Kind::Ints, a.ints = std::move(v);
  n.attrs[attr] = a;
}

/// x [1, T, K] -> MatMul(W) (W = DequantizeLinear(Wq) when `quantized`) ->
/// Add(bias) -> Reshape [1, T, 2, D] -> Transpose -> Neg -> repeat ->
/// Identity -> graph output "y" [1, 4, T, D]; with `kOut`, the Neg's result
/// is a graph output too.
OnnxModel model(bool tile, bool quantized, bool kOut = false) {
  OnnxModel m;
  m.path = "gqa.onnx", m.opset = 13, m.opsetImports[""] = 13;
  m.inputs.push_back(info("x", {1, kT, kK}));
  std::vector<double> w, b;
  for (int64_t i = 0; i < kK * kHkv * kD; ++i)
    w.push_back(double(i % 7 - 3));
  for (int64_t i = 0; i < kHkv * kD; ++i)
    b.push_back(0.25 * double(i));
  std::string wName = "W";
  if (quantized) {
    m.initializers["Wq"] = tensor("Wq", {kK, kHkv * kD}, onnx::kInt8, w);
    m.initializers["s"] = tensor("s", {kHkv * kD}, onnx::kFloat, {0.5, 0.25, 0.125, 1.0});
    m.initializers["zp"] = tensor("zp", {kHkv * kD}, onnx::kInt8, {0, 1, 2, 3});
    m.nodes.push_back(node("DequantizeLinear", {"Wq", "s", "zp"}, {"Wf"}));
    m.valueInfos.push_back(info("Wf", {kK, kHkv * kD}));
    wName = "Wf";
  } else {
    m.initializers["W"] = tensor("W", {kK, kHkv * kD}, onnx::kFloat, w);
  }
  m.initializers["b"] = tensor("b", {kHkv * kD}, onnx::kFloat, b);
  m.initializers["split"] = ints("split", {1, kT, kHkv, kD});
  m.nodes.push_back(node("MatMul", {"x", wName}, {"mm"}));
  m.nodes.push_back(node("Add", {"mm", "b"}, {"proj"}));
  m.nodes.push_back(node("Reshape", {"proj", "split"}, {"heads"}));
  m.nodes.push_back(node("Transpose", {"heads"}, {"kt"}));
  setInts(m.nodes.back(), "perm", {0, 2, 1, 3});
  m.nodes.push_back(node("Neg", {"kt"}, {"k"}));
  for (auto [v, dims] :
       std::vector<std::pair<std::string, std::vector<int64_t>>>{{"mm", {1, kT, kHkv * kD}},
                                                                 {"proj", {1, kT, kHkv * kD}},
                                                                 {"heads", {1, kT, kHkv, kD}},
                                                                 {"kt", {1, kHkv, kT, kD}},
                                                                 {"k", {1, kHkv, kT, kD}}})
    m.valueInfos.push_back(info(v, dims));
  if (tile) {
    m.initializers["reps"] = ints("reps", {1, kH / kHkv, 1, 1});
    m.nodes.push_back(node("Tile", {"k", "reps"}, {"rep"}));
  } else {
    m.initializers["ax"] = ints("ax", {2});
    m.initializers["eshape"] = ints("eshape", {1, kHkv, kH / kHkv, kT, kD});
    m.initializers["rshape"] = ints("rshape", {1, kH, kT, kD});
    m.nodes.push_back(node("Unsqueeze", {"k", "ax"}, {"u"}));
    m.nodes.push_back(node("Expand", {"u", "eshape"}, {"e"}));
    m.nodes.push_back(node("Reshape", {"e", "rshape"}, {"rep"}));
    m.valueInfos.push_back(info("u", {1, kHkv, 1, kT, kD}));
    m.valueInfos.push_back(info("e", {1, kHkv, kH / kHkv, kT, kD}));
  }
  m.valueInfos.push_back(info("rep", {1, kH, kT, kD}));
  m.nodes.push_back(node("Identity", {"rep"}, {"y"}));
  m.outputs.push_back(info("y", {1, kH, kT, kD}));
  if (kOut)
    m.outputs.push_back(info("k", {1, kHkv, kT, kD}));
  return m;
}

const OnnxNode *byOp(const OnnxModel &m, const std::string &op) {
  for (const OnnxNode &n : m.nodes)
    if (n.opType == op)
      return &n;
  return nullptr;
}

/// Every [.., H * D] tensor's column h * D + d equals the original's column
/// kv(h) * D + d.
void expectWidened(const OnnxTensor &orig, const OnnxTensor &wide, bool tile) {
  ASSERT_EQ(wide.dims.back(), kH * kD);
  ASSERT_EQ(wide.elemType, orig.elemType);
  const int64_t rows = orig.numElements() / (kHkv * kD);
  ASSERT_EQ(wide.numElements(), rows * kH * kD);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t h = 0; h < kH; ++h)
      for (int64_t d = 0; d < kD; ++d) {
        int64_t kv = tile ? h % kHkv : h / (kH / kHkv);
        EXPECT_EQ(wide.values[size_t((r * kH + h) * kD + d)],
                  orig.values[size_t((r * kHkv + kv) * kD + d)])
            << "row " << r << " head " << h << " dim " << d;
        if (!orig.intValues.empty()) {
          EXPECT_EQ(wide.intValues[size_t((r * kH + h) * kD + d)],
                    orig.intValues[size_t((r * kHkv + kv) * kD + d)]);
        }
      }
}

void expectRewritten(const OnnxModel &before, const OnnxModel &m, bool tile) {
  EXPECT_FALSE(byOp(m, "Tile") || byOp(m, "Expand") || byOp(m, "Unsqueeze"));
  ASSERT_TRUE(byOp(m, "Identity"));
  EXPECT_EQ(byOp(m, "Identity")->inputs[0], "k"); // reads the widened heads
  const OnnxNode *split = byOp(m, "Reshape");
  ASSERT_TRUE(split && split->outputs[0] == "heads");
  EXPECT_EQ(m.findInitializer(split->inputs[1])->asInt64(), (std::vector<int64_t>{1, kT, kH, kD}));
  EXPECT_EQ(m.findInitializer("split")->asInt64(), (std::vector<int64_t>{1, kT, kHkv, kD}));
  EXPECT_EQ(m.findValueInfo("proj")->dims, (std::vector<int64_t>{1, kT, kH * kD}));
  EXPECT_EQ(m.findValueInfo("heads")->dims, (std::vector<int64_t>{1, kT, kH, kD}));
  EXPECT_EQ(m.findValueInfo("k")->dims, (std::vector<int64_t>{1, kH, kT, kD}));
  const OnnxNode *add = byOp(m, "Add");
  expectWidened(*before.findInitializer("b"), *m.findInitializer(add->inputs[1]), tile);
}

TEST(WidenGroupedKV, RepeatKvByExpandWidensFloatWeight) {
  OnnxModel before = model(false, false), m = before;
  std::vector<std::string> warnings;
  EXPECT_TRUE(widenGroupedKV(m, warnings).empty());
  expectRewritten(before, m, false);
  expectWidened(*before.findInitializer("W"), *m.findInitializer(byOp(m, "MatMul")->inputs[1]),
                false);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("from 2 to 4 heads"), std::string::npos) << warnings[0];
}

TEST(WidenGroupedKV, TileWidensQuantizedWeightPerColumn) {
  OnnxModel before = model(true, true), m = before;
  std::vector<std::string> warnings;
  EXPECT_TRUE(widenGroupedKV(m, warnings).empty());
  expectRewritten(before, m, true);
  const OnnxNode *dq = byOp(m, "DequantizeLinear");
  ASSERT_TRUE(dq);
  for (int i = 0; i < 3; ++i)
    expectWidened(*before.findInitializer(std::vector<std::string>{"Wq", "s", "zp"}[size_t(i)]),
                  *m.findInitializer(dq->inputs[size_t(i)]), true);
  EXPECT_EQ(m.findValueInfo("Wf")->dims, (std::vector<int64_t>{kK, kH * kD}));
}

TEST(WidenGroupedKV, HeadsBeforeTheRepeatAsOutputAreLeftWithAReason) {
  OnnxModel before = model(false, false, /*kOut=*/true), m = before;
  std::vector<std::string> warnings;
  std::map<std::string, std::string> why = widenGroupedKV(m, warnings);
  ASSERT_EQ(why.size(), 1u);
  EXPECT_EQ(why.begin()->first, byOp(before, "Expand")->name);
  EXPECT_NE(why.begin()->second.find("graph output 'k'"), std::string::npos) << why.begin()->second;
  EXPECT_EQ(m.nodes.size(), before.nodes.size());
  EXPECT_EQ(byOp(m, "MatMul")->inputs[1], "W");
  EXPECT_TRUE(warnings.empty());
}

} // namespace
