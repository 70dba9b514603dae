//===- FoldEmbedScale.cpp - an embedding scale folded into the table ------===//
//
// Gemma (and OPT-350m's project_in style exports) scale the token embeddings
// before anything else: Mul(Gather(table, ids), sqrt(C)). Loom's embedding
// actor reads rows of a constant table, and a position embedding is fused
// only when it is added right after the Gather, so before import the scale
// (a scalar or one value per channel) is multiplied into a copy of the table
// and the Mul goes. Each row the Gather reads is then the float product the
// Mul computed (one rounding of the same two float32 factors). The original
// table stays for its other readers (a tied lm_head).
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/GraphRewrite.h"
#include "compiler/nnimport/ImportToNN.h"

using namespace loom;
using namespace loom::rewrite;

void loom::foldEmbedScale(onnx::OnnxModel &m) {
  std::set<std::string> gone;
  for (OnnxNode &g : m.nodes) {
    if (!isDefault(g) || g.opType != "Gather" || g.inputs.size() != 2 || g.getInt("axis", 0) != 0)
      continue;
    const OnnxTensor *table = m.findInitializer(g.inputs[0]);
    if (!table || table->dims.size() != 2 || m.findInitializer(g.inputs[1]))
      continue;
    const OnnxNode *mul = soleUser(m, g.outputs[0]);
    if (!mul || !isDefault(*mul) || mul->opType != "Mul" || mul->inputs.size() != 2)
      continue;
    const std::string &other = mul->inputs[mul->inputs[0] == g.outputs[0] ? 1 : 0];
    const OnnxTensor *s = m.findInitializer(other);
    const int64_t c = table->dims[1];
    std::vector<int64_t> gd = dimsOf(m, g.outputs[0]);
    if (!s || (s->numElements() != 1 && (s->numElements() != c || s->dims.back() != c)) ||
        s->dims.size() > gd.size() || gd.empty() || dimsOf(m, mul->outputs[0]) != gd)
      continue;
    std::vector<double> v = table->values;
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = double(float(v[i]) * float(s->values[s->numElements() == 1 ? 0 : i % size_t(c)]));
    std::string name = freshName(m, g.inputs[0], "/scaled");
    addConstant(m, name, table->dims, v);
    g.inputs[0] = name;
    gone.insert(mul->name);
    // The Gather now writes the Mul's value.
    const_cast<OnnxNode &>(*mul).inputs.clear();
    std::string out = mul->outputs[0];
    g.outputs[0] = out;
  }
  if (!gone.empty())
    dropNodes(m, gone, {});
}
