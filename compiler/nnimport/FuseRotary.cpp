//===- FuseRotary.cpp - HF rotary position embeddings -> nn.rotary --------===//
//
// Hugging Face's apply_rotary_pos_emb exports, on the [.., T, D] heads of q
// and k,
//   x * cos + Concat(Neg(Slice(x, D/2:)), Slice(x, :D/2), last axis) * sin
// with cos / sin constants [.., T, D] (Unsqueezed [1, T, D] tables, folded to
// constants before the attention chains are matched). traceHeads
// (FuseAttention.cpp) walks back through such an Add to x; the tables are
// then mapped onto the [T, C] source through the same head-split layout
// (an index tensor), and importAttention puts one nn.rotary on the source
// (docs/CONTRACTS.md "Rotary"). The hardware pairs channel c with
// c' = h*D + (d + D/2) mod D of the same row, so the layout must keep each
// rotated pair in one head of one row: anything else is a one-line error.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"
#include "compiler/numerics/Rotary.h"

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

namespace {

/// The sole consumer of `v`, or null.
const OnnxNode *onlyUser(const OnnxModel &m, const std::string &v) {
  auto users = m.findConsumers(v);
  return users.size() == 1 ? users[0] : nullptr;
}

} // namespace

/// A constant, or a constant seen through Unsqueeze / Reshape / Identity (the
/// table's view nodes are added to `views`): same values, same order.
const OnnxTensor *Importer::constantView(const std::string &name,
                                         std::vector<const OnnxNode *> &views) {
  if (const OnnxTensor *c = constant(name))
    return c;
  const OnnxNode *p = model.findProducer(name);
  if (!p || !p->domain.empty() || p->inputs.empty() ||
      (p->opType != "Unsqueeze" && p->opType != "Reshape" && p->opType != "Identity"))
    return nullptr;
  const OnnxTensor *c = constantView(p->inputs[0], views);
  if (c)
    views.push_back(p);
  return c;
}

/// Slice(x, [start], [end], [last axis], [1]) with constant operands.
bool Importer::rotarySlice(const OnnxNode &n, int64_t rank, int64_t &start, int64_t &end) {
  if (n.opType != "Slice" || !n.domain.empty() || n.inputs.size() < 3)
    return false;
  auto one = [&](size_t i, int64_t dflt, int64_t &v) {
    if (i >= n.inputs.size() || n.inputs[i].empty()) {
      v = dflt;
      return true;
    }
    const OnnxTensor *c = constant(n.inputs[i]);
    if (!c || c->numElements() != 1)
      return false;
    v = c->asInt64()[0];
    return true;
  };
  int64_t axis = 0, step = 0;
  if (!one(1, 0, start) || !one(2, 0, end) || !one(3, rank - 1, axis) || !one(4, 1, step))
    return false;
  return (axis == rank - 1 || axis == -1) && step == 1;
}

/// Split(x, last axis) into two halves of D/2 (sizes given or equal parts).
bool Importer::isHalvesSplit(const OnnxNode &n, int64_t rank, int64_t D) {
  if (n.opType != "Split" || !n.domain.empty() || n.outputs.size() != 2)
    return false;
  int64_t axis = n.getInt("axis", 0);
  if (axis != -1 && axis != rank - 1)
    return false;
  std::vector<int64_t> sizes = n.getInts("split");
  if (n.inputs.size() > 1 && !n.inputs[1].empty()) {
    const OnnxTensor *c = constant(n.inputs[1]);
    if (!c)
      return false;
    sizes = c->asInt64();
  }
  return sizes.empty() || (sizes.size() == 2 && sizes[0] == D / 2 && sizes[1] == D / 2);
}

/// Matches Add(Mul(x, cos), Mul(Concat(Neg(x2), x1), sin)) where x1, x2 are the
/// halves of x's last axis (Slice(x, :D/2), Slice(x, D/2:), or one Split in two);
/// Add and Mul operands in either order.
bool Importer::matchRotary(const OnnxNode &add, RotaryMatch &out) {
  if (add.opType != "Add" || !add.domain.empty() || add.inputs.size() != 2)
    return false;
  for (int swap = 0; swap < 2; ++swap) {
    const OnnxNode *m0 = model.findProducer(add.inputs[size_t(swap)]);
    const OnnxNode *m1 = model.findProducer(add.inputs[size_t(1 - swap)]);
    if (!m0 || !m1 || m0->opType != "Mul" || m1->opType != "Mul" || m0->inputs.size() != 2 ||
        m1->inputs.size() != 2)
      continue;
    for (int a = 0; a < 2; ++a)
      for (int bb = 0; bb < 2; ++bb) {
        std::vector<const OnnxNode *> views;
        const OnnxTensor *cos = constantView(m0->inputs[size_t(1 - a)], views);
        const OnnxTensor *sin = constantView(m1->inputs[size_t(1 - bb)], views);
        const std::string &x = m0->inputs[size_t(a)];
        const OnnxNode *cat = model.findProducer(m1->inputs[size_t(bb)]);
        if (!cos || !sin || constant(x) || !cat || cat->opType != "Concat" ||
            cat->inputs.size() != 2)
          continue;
        std::vector<int64_t> xs = staticShape(x);
        int64_t rank = int64_t(xs.size());
        if (rank < 2 || xs.back() % 2)
          continue;
        int64_t D = xs.back(), axis = cat->getInt("axis", 0);
        if (axis != -1 && axis != rank - 1)
          continue;
        const OnnxNode *neg = model.findProducer(cat->inputs[0]);
        const OnnxNode *s1 = model.findProducer(cat->inputs[1]);
        const OnnxNode *s2 = neg && neg->opType == "Neg" ? model.findProducer(neg->inputs[0])
                                                         : nullptr;
        // The halves: two Slices, or one Split in two (torch.chunk(x, 2, -1)).
        bool split = s1 && s1 == s2 && isHalvesSplit(*s1, rank, D) && s1->inputs[0] == x &&
                     s1->outputs[0] == cat->inputs[1] && s1->outputs[1] == neg->inputs[0];
        int64_t b1 = 0, e1 = 0, b2 = 0, e2 = 0;
        if (!split && (!s1 || !s2 || s1->inputs[0] != x || s2->inputs[0] != x ||
                       !rotarySlice(*s1, rank, b1, e1) || !rotarySlice(*s2, rank, b2, e2) ||
                       b1 != 0 || e1 != D / 2 || b2 != D / 2 || e2 < D))
          continue;
        // Every intermediate is read by the pattern only.
        bool sole = onlyUser(model, s1->outputs[0]) == cat &&
                    onlyUser(model, s2->outputs[split ? 1 : 0]) == neg &&
                    onlyUser(model, neg->outputs[0]) == cat && onlyUser(model, cat->outputs[0]) == m1 &&
                    onlyUser(model, m0->outputs[0]) == &add && onlyUser(model, m1->outputs[0]) == &add &&
                    model.findConsumers(x).size() == (split ? 2u : 3u);
        if (!sole)
          continue;
        out.add = &add;
        out.x = x;
        out.D = D;
        out.cos = cos, out.sin = sin;
        out.nodes = {s1, neg, cat, m0, m1, &add};
        if (!split)
          out.nodes.push_back(s2);
        out.nodes.insert(out.nodes.end(), views.begin(), views.end());
        return true;
      }
  }
  return false;
}

/// The [T, C] tables of a rotary match seen from `source` through `layout`
/// (source first, ending at the rotary's x), checked for the hardware's pairs.
llvm::Error Importer::rotaryTables(const RotaryMatch &m, const std::vector<const OnnxNode *> &layout,
                                   const std::string &source, int64_t T, int64_t C,
                                   AttentionOperand &out) {
  const int64_t D = m.D;
  auto bad = [&](const std::string &why) {
    return nodeError(*m.add, "is a rotary embedding (x * cos + rotate_half(x) * sin) but " + why);
  };
  std::vector<int64_t> shape = staticShape(source), xs = staticShape(m.x);
  std::vector<int64_t> idx(size_t(T * C));
  for (int64_t i = 0; i < T * C; ++i)
    idx[size_t(i)] = i;
  if (!applyLayout(layout, idx, shape) || shape != xs || xs.size() < 2 || xs[xs.size() - 2] != T)
    return bad("its input is not a [.., T, D] view of the [T, C] projection (Loom rotates "
               "the [1, H, T, D] heads, after the head split's transpose)");
  for (const OnnxTensor *t : {m.cos, m.sin}) {
    bool ok = t->numElements() == T * D && t->dims.size() >= 2 && t->dims.back() == D &&
              t->dims[t->dims.size() - 2] == T;
    if (!ok)
      return bad("its cos / sin constants are not [.., T, D] tables (T " + std::to_string(T) +
                 ", D " + std::to_string(D) + ")");
  }
  if (C % D)
    return bad("its head dim " + std::to_string(D) + " does not divide the " + std::to_string(C) +
               " channels");
  out.rotaryD = D;
  out.cos.assign(size_t(T * C), 0.0);
  out.sin.assign(size_t(T * C), 0.0);
  for (int64_t e = 0; e < T * C; ++e) {
    int64_t d = e % D, t = (e / D) % T;
    int64_t s = idx[size_t(e)], c = s % C;
    int64_t sp = idx[size_t(e - d + (d + D / 2) % D)];
    if (s / C != t || sp != s - c + numerics::rotaryPartner(c, D))
      return bad("channels " + std::to_string(c) + " and " + std::to_string(sp % C) +
                 " it pairs are not partners c, c +- D/2 in one head of one row of the "
                 "projection; Loom's rotary hardware needs the head split [T, C] -> [H, T, D]");
    out.cos[size_t(s)] = m.cos->values[size_t(t * D + d)];
    out.sin[size_t(s)] = (d < D / 2 ? -1.0 : 1.0) * m.sin->values[size_t(t * D + d)];
  }
  out.rotary = m;
  return llvm::Error::success();
}

/// nn.rotary on the [T, C] operand `v` with the tables of `o`.
Value Importer::importRotary(Value v, const AttentionOperand &o, int64_t T, int64_t C) {
  std::vector<float> cos(o.cos.begin(), o.cos.end()), sin(o.sin.begin(), o.sin.end());
  auto op = b.create<nn::RotaryOp>(loc(*o.rotary.add), f32({T, C}), v,
                                   b.getI64IntegerAttr(o.rotaryD), f32Attr({T, C}, cos),
                                   f32Attr({T, C}, sin));
  name(op, *o.rotary.add);
  return op;
}
