//===- ImportEmbedTest.cpp - token embeddings at import -------------------===//
//
// Gather(table, input_ids) as a language model's first layer (ImportEmbed.cpp):
// the ids input becomes an index input, a position Add right after the lookup
// is fused into nn.embed, ids pass through Cast / Reshape; everything else is
// one line naming the node (docs/CONTRACTS.md "Embedding").
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/ImportToNN.h"
#include "compiler/onnx/OnnxModel.h"
#include "dialects/nn/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace loom;
using loom::onnx::OnnxModel;
using loom::onnx::OnnxNode;
using loom::onnx::OnnxValueInfo;

namespace {

OnnxValueInfo value(const std::string &name, std::vector<int64_t> dims, int type = onnx::kFloat) {
  OnnxValueInfo v;
  v.name = name;
  v.elemType = type;
  v.hasShape = true;
  v.dims = std::move(dims);
  v.dimParams.assign(v.dims.size(), "");
  return v;
}

OnnxNode node(const std::string &name, const std::string &op, std::vector<std::string> ins,
              std::vector<std::string> outs) {
  OnnxNode n;
  n.name = name, n.opType = op, n.inputs = std::move(ins), n.outputs = std::move(outs);
  return n;
}

onnx::OnnxTensor tensor(const std::string &name, std::vector<int64_t> dims) {
  onnx::OnnxTensor t;
  t.name = name, t.dims = std::move(dims), t.elemType = onnx::kFloat;
  for (int64_t i = 0; i < t.numElements(); ++i)
    t.values.push_back(0.25 * double(i));
  return t;
}

/// input_ids int64 [1, 3] -> Gather(wte [5, 2]) [-> Add(pos [1, 3, 2])] -> y.
OnnxModel lookup(bool positions) {
  OnnxModel m;
  m.path = "mem.onnx";
  m.opset = 13;
  m.inputs = {value("input_ids", {1, 3}, onnx::kInt64)};
  m.outputs = {value("y", {1, 3, 2})};
  m.initializers["wte"] = tensor("wte", {5, 2});
  m.nodes = {node("/wte/Gather", "Gather", {"wte", "input_ids"}, {positions ? "tok" : "y"})};
  if (positions) {
    m.initializers["pos"] = tensor("pos", {1, 3, 2});
    m.nodes.push_back(node("/Add", "Add", {"pos", "tok"}, {"y"}));
  }
  return m;
}

std::string importError(const OnnxModel &model) {
  mlir::MLIRContext ctx;
  std::vector<std::string> warnings;
  auto module = importToNN(model, ctx, warnings);
  if (module) {
    ADD_FAILURE() << "import unexpectedly succeeded";
    return "";
  }
  std::string msg = llvm::toString(module.takeError());
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  return msg;
}

} // namespace

TEST(ImportEmbed, GatherWithPositionsIsOneEmbed) {
  for (bool positions : {false, true}) {
    mlir::MLIRContext ctx;
    std::vector<std::string> warnings;
    auto module = importToNN(lookup(positions), ctx, warnings);
    ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
    auto func = *(*module)->getOps<mlir::func::FuncOp>().begin();
    auto range = func.getArgAttrOfType<mlir::DenseI64ArrayAttr>(0, "loom.index_range");
    ASSERT_TRUE(range);
    EXPECT_EQ(range.asArrayRef(), llvm::ArrayRef<int64_t>({0, 4}));
    EXPECT_FALSE(func.getArgAttr(0, "loom.int_range"));
    int embeds = 0, adds = 0;
    func.walk([&](nn::EmbedOp e) {
      ++embeds;
      EXPECT_EQ(bool(e.getPos()), positions);
      EXPECT_EQ(e.getResult().getType().getShape(), llvm::ArrayRef<int64_t>({1, 3, 2}));
    });
    func.walk([&](nn::AddOp) { ++adds; });
    EXPECT_EQ(embeds, 1);
    EXPECT_EQ(adds, 0);
  }
}

TEST(ImportEmbed, IdsThroughCast) {
  OnnxModel m = lookup(false);
  OnnxNode cast = node("/Cast", "Cast", {"input_ids"}, {"ids"});
  onnx::OnnxAttr to;
  to.name = "to", to.kind = onnx::OnnxAttr::Kind::Int, to.i = onnx::kInt64;
  cast.attrs["to"] = to;
  m.nodes[0].inputs[1] = "ids";
  m.nodes.insert(m.nodes.begin(), cast);
  mlir::MLIRContext ctx;
  std::vector<std::string> warnings;
  auto module = importToNN(m, ctx, warnings);
  ASSERT_TRUE(bool(module)) << llvm::toString(module.takeError());
}

TEST(ImportEmbed, GatherAlongAxis1IsOneLine) {
  OnnxModel m = lookup(false);
  onnx::OnnxAttr axis;
  axis.name = "axis", axis.kind = onnx::OnnxAttr::Kind::Int, axis.i = 1;
  m.nodes[0].attrs["axis"] = axis;
  m.initializers["wte"] = tensor("wte", {2, 5});
  std::string msg = importError(m);
  EXPECT_NE(msg.find("node '/wte/Gather' (Gather): gathers along axis 1"), std::string::npos) << msg;
}

TEST(ImportEmbed, TableNotConstantIsOneLine) {
  OnnxModel m = lookup(false);
  m.initializers.erase("wte");
  m.inputs.push_back(value("wte", {5, 2}));
  std::string msg = importError(m);
  EXPECT_NE(msg.find("node '/wte/Gather' (Gather): its table 'wte' is not a constant"),
            std::string::npos)
      << msg;
}

TEST(ImportEmbed, PerPositionAddElsewhereIsOneLine) {
  OnnxModel m = lookup(true);
  m.nodes.insert(m.nodes.begin() + 1, node("/Relu", "Relu", {"tok"}, {"r"}));
  m.nodes.back().inputs = {"r", "pos"};
  std::string msg = importError(m);
  EXPECT_NE(msg.find("node '/Add' (Add): adds a different constant at each of the 3 positions"),
            std::string::npos)
      << msg;
}
