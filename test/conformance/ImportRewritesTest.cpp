//===- ImportRewritesTest.cpp - ONNX rewrites before import ---------------===//
//
// splitFusedQKV, liftBatchedMatMuls, permutePartialRotary and foldEmbedScale
// (compiler/nnimport) on hand-built graphs: which columns each split-off
// projection takes, the lifted shapes and axes, the permuted projection
// columns and widened tables, the scaled embedding table. (The e2e test
// test_generate.py runs whole NeoX / OPT / BLOOM / Gemma-style models against
// ONNX Runtime.)
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/ImportToNN.h"
#include "compiler/onnx/OnnxModel.h"

#include <gtest/gtest.h>

using namespace loom;
using onnx::OnnxModel;
using onnx::OnnxNode;
using onnx::OnnxTensor;
using onnx::OnnxValueInfo;

namespace {

OnnxTensor tensor(const std::string &name, std::vector<int64_t> dims, int elemType,
                  std::vector<double> values) {
  OnnxTensor t;
  t.name = name, t.dims = std::move(dims), t.elemType = elemType, t.values = values;
  if (onnx::isIntegerElemType(elemType))
    for (double v : values)
      t.intValues.push_back(int64_t(v));
  return t;
}

void ints(OnnxModel &m, const std::string &name, std::vector<int64_t> v) {
  m.initializers[name] =
      tensor(name, {int64_t(v.size())}, onnx::kInt64, std::vector<double>(v.begin(), v.end()));
}

void info(OnnxModel &m, const std::string &name, std::vector<int64_t> dims) {
  OnnxValueInfo vi;
  vi.name = name, vi.elemType = onnx::kFloat, vi.hasShape = true, vi.dims = dims;
  vi.dimParams.assign(dims.size(), "");
  m.valueInfos.push_back(vi);
}

OnnxNode &add(OnnxModel &m, const std::string &op, std::vector<std::string> in,
              std::vector<std::string> out) {
  OnnxNode n;
  n.name = "/" + op + "_" + out[0], n.opType = op, n.inputs = std::move(in);
  n.outputs = std::move(out);
  m.nodes.push_back(n);
  return m.nodes.back();
}

void attrInts(OnnxNode &n, const std::string &attr, std::vector<int64_t> v) {
  onnx::OnnxAttr a;
  a.name = attr, a.kind = onnx::OnnxAttr::Kind::Ints, a.ints = std::move(v);
  n.attrs[attr] = a;
}

void attrInt(OnnxNode &n, const std::string &attr, int64_t v) {
  onnx::OnnxAttr a;
  a.name = attr, a.kind = onnx::OnnxAttr::Kind::Int, a.i = v;
  n.attrs[attr] = a;
}

const OnnxNode *producer(const OnnxModel &m, const std::string &v) { return m.findProducer(v); }

/// The weight columns of the projection behind `v` (through layout ops), as
/// column indices of the original weight W[k][c] = c (row 0).
std::vector<int64_t> columnsBehind(const OnnxModel &m, std::string v) {
  for (const OnnxNode *p = producer(m, v); p; p = producer(m, v)) {
    if (p->opType == "MatMul") {
      const OnnxTensor *w = m.findInitializer(p->inputs[1]);
      std::vector<int64_t> cols;
      for (int64_t c = 0; c < w->dims[1]; ++c)
        cols.push_back(int64_t(w->values[size_t(c)]));
      return cols;
    }
    v = p->inputs[0];
  }
  return {};
}

constexpr int64_t kT = 2, kC = 2, kH = 2, kD = 2; // x [1, T, C]; fused 3 * H * D columns

/// x -> MatMul(W [C, 3HD], W[k][c] = c + 100 k) -> Reshape [1, T, H, 3D] -> parts.
OnnxModel fusedModel() {
  OnnxModel m;
  m.path = "qkv.onnx", m.opset = 14, m.opsetImports[""] = 14;
  OnnxValueInfo x;
  x.name = "x", x.elemType = onnx::kFloat, x.hasShape = true, x.dims = {1, kT, kC};
  x.dimParams.assign(3, "");
  m.inputs.push_back(x);
  std::vector<double> w;
  for (int64_t k = 0; k < kC; ++k)
    for (int64_t c = 0; c < 3 * kH * kD; ++c)
      w.push_back(double(c + 100 * k));
  m.initializers["W"] = tensor("W", {kC, 3 * kH * kD}, onnx::kFloat, w);
  add(m, "MatMul", {"x", "W"}, {"qkv"});
  info(m, "qkv", {1, kT, 3 * kH * kD});
  ints(m, "shape", {1, kT, kH, 3 * kD});
  add(m, "Reshape", {"qkv", "shape"}, {"view"});
  info(m, "view", {1, kT, kH, 3 * kD});
  return m;
}

TEST(ImportRewritesTest, SliceOfFusedQKVTakesEachHeadsColumns) {
  OnnxModel m = fusedModel();
  for (int64_t j = 0; j < 3; ++j) {
    std::string s = std::to_string(j);
    ints(m, "b" + s, {j * kD});
    ints(m, "e" + s, {(j + 1) * kD});
    ints(m, "ax", {3});
    add(m, "Slice", {"view", "b" + s, "e" + s, "ax"}, {"part" + s});
    info(m, "part" + s, {1, kT, kH, kD});
    add(m, "Identity", {"part" + s}, {"y" + s});
  }
  splitFusedQKV(m);
  for (int64_t j = 0; j < 3; ++j) {
    const OnnxNode *p = producer(m, "part" + std::to_string(j));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->opType, "Reshape");
    // Part j of head h: fused columns h * 3D + j * D + d.
    std::vector<int64_t> want;
    for (int64_t h = 0; h < kH; ++h)
      for (int64_t d = 0; d < kD; ++d)
        want.push_back(h * 3 * kD + j * kD + d);
    EXPECT_EQ(columnsBehind(m, "part" + std::to_string(j)), want) << "part " << j;
  }
  for (const OnnxNode &n : m.nodes)
    EXPECT_NE(n.opType, "Slice");
}

TEST(ImportRewritesTest, TransposeThenSplitKeepsTheView) {
  OnnxModel m = fusedModel();
  OnnxNode &tr = add(m, "Transpose", {"view"}, {"heads"});
  attrInts(tr, "perm", {0, 2, 1, 3});
  info(m, "heads", {1, kH, kT, 3 * kD});
  ints(m, "sizes", {kD, kD, kD});
  OnnxNode &sp = add(m, "Split", {"heads", "sizes"}, {"q", "k", "v"});
  attrInt(sp, "axis", -1);
  for (const char *v : {"q", "k", "v"}) {
    info(m, v, {1, kH, kT, kD});
    add(m, "Identity", {v}, {std::string(v) + "_out"});
  }
  splitFusedQKV(m);
  const OnnxNode *k = producer(m, "k");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->opType, "Transpose");
  EXPECT_EQ(k->getInts("perm"), (std::vector<int64_t>{0, 2, 1, 3}));
  EXPECT_EQ(columnsBehind(m, "k"), (std::vector<int64_t>{2, 3, 8, 9}));
}

TEST(ImportRewritesTest, GatherOfFusedQKVView) {
  // BLOOM: view [1, T, H, 3, D], Gather(j, axis 3).
  OnnxModel m = fusedModel();
  m.nodes.pop_back();
  m.valueInfos.pop_back();
  ints(m, "shape5", {1, kT, kH, 3, kD});
  add(m, "Reshape", {"qkv", "shape5"}, {"view5"});
  info(m, "view5", {1, kT, kH, 3, kD});
  m.initializers["j"] = tensor("j", {}, onnx::kInt64, {2});
  OnnxNode &g = add(m, "Gather", {"view5", "j"}, {"v"});
  attrInt(g, "axis", 3);
  info(m, "v", {1, kT, kH, kD});
  add(m, "Identity", {"v"}, {"v_out"});
  splitFusedQKV(m);
  EXPECT_EQ(columnsBehind(m, "v"), (std::vector<int64_t>{4, 5, 10, 11}));
}

TEST(ImportRewritesTest, PartsPutBackTogetherAreLeftAlone) {
  OnnxModel m = fusedModel();
  ints(m, "b", {0});
  ints(m, "e", {kD});
  ints(m, "e2", {3 * kD});
  ints(m, "ax", {3});
  add(m, "Slice", {"view", "b", "e", "ax"}, {"lo"});
  add(m, "Slice", {"view", "e", "e2", "ax"}, {"hi"});
  info(m, "lo", {1, kT, kH, kD});
  info(m, "hi", {1, kT, kH, 2 * kD});
  OnnxNode &cat = add(m, "Concat", {"hi", "lo"}, {"y"});
  attrInt(cat, "axis", -1);
  size_t before = m.nodes.size();
  splitFusedQKV(m);
  EXPECT_EQ(m.nodes.size(), before);
}

TEST(ImportRewritesTest, BatchedMatMulGetsItsLeadingOne) {
  // Reshape [1, H, T, D] -> [H, T, D] twice, MatMul(q, Transpose(k)), Softmax,
  // Reshape back to [1, H, T, T].
  OnnxModel m;
  m.path = "bmm.onnx", m.opset = 14, m.opsetImports[""] = 14;
  for (const char *v : {"q4", "k4"}) {
    OnnxValueInfo vi;
    vi.name = v, vi.elemType = onnx::kFloat, vi.hasShape = true, vi.dims = {1, kH, kT, kD};
    vi.dimParams.assign(4, "");
    m.inputs.push_back(vi);
  }
  ints(m, "s3", {kH, kT, kD});
  ints(m, "s4", {1, kH, kT, kT});
  add(m, "Reshape", {"q4", "s3"}, {"q3"});
  add(m, "Reshape", {"k4", "s3"}, {"k3"});
  info(m, "q3", {kH, kT, kD});
  info(m, "k3", {kH, kT, kD});
  attrInts(add(m, "Transpose", {"k3"}, {"kt"}), "perm", {0, 2, 1});
  info(m, "kt", {kH, kD, kT});
  add(m, "MatMul", {"q3", "kt"}, {"w"});
  info(m, "w", {kH, kT, kT});
  attrInt(add(m, "Softmax", {"w"}, {"p"}), "axis", 2);
  info(m, "p", {kH, kT, kT});
  add(m, "Reshape", {"p", "s4"}, {"p4"});
  info(m, "p4", {1, kH, kT, kT});
  add(m, "Identity", {"p4"}, {"out"});
  liftBatchedMatMuls(m);
  ASSERT_EQ(m.nodes.size(), 4u); // Transpose, MatMul, Softmax, Identity
  EXPECT_EQ(producer(m, "kt")->getInts("perm"), (std::vector<int64_t>{0, 1, 3, 2}));
  EXPECT_EQ(producer(m, "kt")->inputs[0], "k4");
  EXPECT_EQ(producer(m, "w")->inputs[0], "q4");
  EXPECT_EQ(producer(m, "p")->getInt("axis", 0), 3);
  EXPECT_EQ(m.findValueInfo("w")->dims, (std::vector<int64_t>{1, kH, kT, kT}));
  EXPECT_EQ(producer(m, "out")->inputs[0], "p");
}

TEST(ImportRewritesTest, EmbeddingScaleFoldsIntoTheTable) {
  OnnxModel m;
  m.path = "emb.onnx", m.opset = 14, m.opsetImports[""] = 14;
  OnnxValueInfo ids;
  ids.name = "ids", ids.elemType = onnx::kInt64, ids.hasShape = true, ids.dims = {1, kT};
  ids.dimParams.assign(2, "");
  m.inputs.push_back(ids);
  m.initializers["wte"] = tensor("wte", {3, 2}, onnx::kFloat, {1, 2, 3, 4, 5, 6});
  m.initializers["s"] = tensor("s", {}, onnx::kFloat, {0.5});
  add(m, "Gather", {"wte", "ids"}, {"e"});
  info(m, "e", {1, kT, 2});
  add(m, "Mul", {"e", "s"}, {"es"});
  info(m, "es", {1, kT, 2});
  add(m, "Identity", {"es"}, {"out"});
  foldEmbedScale(m);
  ASSERT_EQ(m.nodes.size(), 2u);
  const OnnxNode *g = producer(m, "es");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->opType, "Gather");
  EXPECT_EQ(m.findInitializer(g->inputs[0])->values,
            (std::vector<double>{0.5, 1, 1.5, 2, 2.5, 3}));
  EXPECT_EQ(m.findInitializer("wte")->values[0], 1.0); // other readers keep the table
}

} // namespace
