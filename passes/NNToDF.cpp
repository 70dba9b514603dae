//===- NNToDF.cpp - quantized nn graph -> dataflow actors -----------------===//
//
// One actor per layer: nn.qdense (plus the relu or lut that follows it) is a
// df.mvu, nn.qsoftmax a df.softmax. Streams are flat (row-major) so reshapes
// cost nothing and vanish. Every stream starts with one lane per beat and
// every mvu fully folded (simd = pe = 1); df-fold widens them.
//
// The nn function `@f(tensor args) -> tensors` becomes `@f()` holding a
// df.input per argument and a df.output per result; the fixed-point scale of
// each end is kept as `loom.frac` for the host side (dequantization).
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"

namespace loom {
#define GEN_PASS_DEF_NNTODF
#include "passes/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

constexpr llvm::StringLiteral kNameAttr = "onnx.name";

df::StreamType streamOf(Value tensor, int64_t lanes) {
  auto t = llvm::cast<RankedTensorType>(tensor.getType());
  // The batch dimension (1) is not part of a frame.
  return df::StreamType::get(tensor.getContext(), t.getElementType(), lanes,
                             {t.getNumElements()});
}

/// The error every unsupported construct gets: node name, op, what to do.
InFlightDiagnostic unsupported(Operation *op, StringRef what) {
  auto node = op->getAttrOfType<StringAttr>(nn::kNodeNameAttr);
  auto type = op->getAttrOfType<StringAttr>(nn::kOpTypeAttr);
  return op->emitError() << "node '" << (node ? node.getValue() : "?") << "' ("
                         << (type ? type.getValue() : op->getName().getStringRef())
                         << "): " << what;
}

struct NNToDFPass : loom::impl::NNToDFBase<NNToDFPass> {
  void runOnOperation() override {
    for (auto func : llvm::to_vector(getOperation().getOps<func::FuncOp>()))
      if (failed(lowerFunc(func)))
        return signalPassFailure();
  }

  LogicalResult lowerFunc(func::FuncOp func) {
    OpBuilder b(&getContext());
    b.setInsertionPoint(func);
    auto graph = b.create<func::FuncOp>(func.getLoc(), func.getName(), b.getFunctionType({}, {}));
    Block *body = graph.addEntryBlock();
    b.setInsertionPointToStart(body);
    llvm::DenseMap<Value, Value> streams; // nn tensor -> df stream
    auto copyName = [](Operation *from, Operation *to) {
      for (StringRef a : {nn::kNodeNameAttr.data(), nn::kOpTypeAttr.data()})
        if (auto v = from->getAttr(a))
          to->setAttr(a, v);
    };

    for (Operation &op : func.getBody().front()) {
      if (auto quant = llvm::dyn_cast<nn::QuantizeOp>(op)) {
        auto arg = llvm::dyn_cast<BlockArgument>(quant.getInput());
        if (!arg)
          return unsupported(&op, "quantization inside the graph is not supported");
        auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kNameAttr);
        auto in = b.create<df::InputOp>(op.getLoc(), streamOf(quant.getResult(), 1),
                                        name ? name : b.getStringAttr("input"));
        in->setAttr("loom.frac", quant.getFracAttr());
        streams[quant.getResult()] = in;
        continue;
      }
      if (auto ret = llvm::dyn_cast<func::ReturnOp>(op)) {
        for (auto [i, operand] : llvm::enumerate(ret.getOperands())) {
          auto deq = operand.getDefiningOp<nn::DequantizeOp>();
          Value s = deq ? streams.lookup(deq.getInput()) : Value();
          if (!s)
            return ret.emitError("graph output ") << i << " is not produced by hardware";
          auto name = func.getResultAttrOfType<StringAttr>(i, kNameAttr);
          auto out = b.create<df::OutputOp>(op.getLoc(), s, name ? name : b.getStringAttr("output"));
          out->setAttr("loom.frac", deq.getFracAttr());
        }
        continue;
      }
      if (llvm::isa<nn::DequantizeOp, nn::ConstantOp>(op))
        continue;
      if (op.getNumResults() == 1 && streams.count(op.getResult(0)))
        continue; // an activation already absorbed into its dense layer
      if (op.getNumOperands() < 1)
        return unsupported(&op, "has no input stream");
      Value in = streams.lookup(op.getOperand(0));
      if (!in)
        return unsupported(&op, "its input is not a hardware stream");

      if (auto reshape = llvm::dyn_cast<nn::ReshapeOp>(op)) {
        streams[reshape.getResult()] = in; // flat streams: nothing to do
      } else if (auto dense = llvm::dyn_cast<nn::QDenseOp>(op)) {
        // Absorb the activation when the dense layer feeds only it.
        Operation *act = nullptr;
        if (dense->hasOneUse() && llvm::isa<nn::ReluOp, nn::LutOp>(*dense->user_begin()))
          act = *dense->user_begin();
        Value result = act ? act->getResult(0) : Value(dense.getResult());
        auto mvu = b.create<df::MvuOp>(
            op.getLoc(), streamOf(result, 1), in, dense.getWeight(), dense.getBias(),
            dense.getShiftAttr(), dense.getAccWidthAttr(), b.getI64IntegerAttr(1),
            b.getI64IntegerAttr(1), b.getStringAttr("none"), IntegerAttr(), IntegerAttr(),
            IntegerAttr(), ElementsAttr());
        copyName(&op, mvu);
        if (llvm::isa_and_nonnull<nn::ReluOp>(act)) {
          mvu.setAct("relu");
        } else if (auto lut = llvm::dyn_cast_or_null<nn::LutOp>(act)) {
          mvu.setAct(lut.getFunction());
          mvu.setTMinAttr(lut.getTMinAttr());
          mvu.setTMaxAttr(lut.getTMaxAttr());
          mvu.setTShiftAttr(lut.getTShiftAttr());
          mvu.setTableAttr(lut.getTable());
        }
        streams[result] = mvu;
      } else if (auto sm = llvm::dyn_cast<nn::QSoftmaxOp>(op)) {
        auto actor = b.create<df::SoftmaxOp>(op.getLoc(), streamOf(sm.getResult(), 1), in,
                                             sm.getFracAttr(), sm.getExpShiftAttr(),
                                             sm.getExpFracAttr(), sm.getExpTable());
        copyName(&op, actor);
        streams[sm.getResult()] = actor;
      } else if (llvm::isa<nn::ReluOp, nn::LutOp>(op)) {
        return unsupported(&op, "an activation must directly follow a dense layer (Gemm/MatMul) "
                                "whose only user it is");
      } else {
        return unsupported(&op, "has no hardware actor yet; supported after quantization: "
                                "dense, relu, sigmoid, tanh, softmax, reshape");
      }
    }
    b.create<func::ReturnOp>(func.getLoc());
    func.erase();
    return success();
  }
};

} // namespace
