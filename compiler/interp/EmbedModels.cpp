//===- EmbedModels.cpp - reference evaluation of the token embedding ------===//
//
// nn.embed (float: a row of the table per id, plus the position row) and
// nn.qembed (codes, numerics::embedFrame: docs/CONTRACTS.md "Embedding").
// Ids arrive as integers held in f32 (float graph) or as the unsigned input
// codes (integer graph); an id outside [0, V) is a one-line error.
//
//===----------------------------------------------------------------------===//
#include "compiler/interp/EvalSupport.h"
#include "compiler/numerics/Embed.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <string>

using namespace mlir;

namespace loom::interp {
namespace {

std::vector<int64_t> ints(ElementsAttr a) {
  std::vector<int64_t> v;
  for (const APInt &x : a.getValues<APInt>())
    v.push_back(x.getSExtValue());
  return v;
}

llvm::Expected<RefTensor> evalEmbed(nn::EmbedOp op, Operands in) {
  auto t = llvm::cast<ShapedType>(op.getTable().getType());
  int64_t v = t.getDimSize(0), c = t.getDimSize(1);
  std::vector<double> table = floats(op.getTable());
  std::vector<double> pos = op.getPos() ? floats(*op.getPos()) : std::vector<double>();
  RefTensor out;
  for (size_t i = 0; i < in[0]->f.size(); ++i) {
    double id = in[0]->f[i];
    if (!(id >= 0 && id < double(v)) || id != std::floor(id))
      return opError(op, "token id " + llvm::formatv("{0}", id).str() + " at position " +
                             std::to_string(i) + " is not an integer in [0, " +
                             std::to_string(v) + ")");
    for (int64_t k = 0; k < c; ++k) {
      // f32 sum, as ONNX Runtime adds the two f32 rows
      float y = float(table[int64_t(id) * c + k]);
      if (!pos.empty())
        y += float(pos[i * c + k]);
      out.f.push_back(double(y));
    }
  }
  return out;
}

llvm::Expected<RefTensor> evalQEmbed(nn::QEmbedOp op, Operands in) {
  auto t = llvm::cast<ShapedType>(op.getTable().getType());
  // The input word is unsigned: an id code read back from a narrow signed
  // type is already non-negative here (nn.quantize gives the integer itself).
  auto y = numerics::embedFrame(in[0]->q, ints(op.getTable()),
                                op.getPos() ? ints(*op.getPos()) : std::vector<int64_t>(),
                                t.getDimSize(0), t.getDimSize(1), op.getLoAttr().getInt(),
                                op.getHiAttr().getInt());
  if (!y)
    return opError(op, llvm::toString(y.takeError()));
  RefTensor out;
  out.q = std::move(*y);
  return out;
}

} // namespace

void attachEmbedModels(MLIRContext *ctx) {
  attachModel<nn::EmbedOp, evalEmbed>(ctx);
  attachModel<nn::QEmbedOp, evalQEmbed>(ctx);
}

} // namespace loom::interp
