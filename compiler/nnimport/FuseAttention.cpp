//===- FuseAttention.cpp - exporters' attention chains -> nn.attention ----===//
//
// Exporters write scaled-dot-product attention as
//   MatMul(Qh, Kt) -> [Div / Mul by a constant] -> [causal mask] ->
//   Softmax(last axis) -> MatMul(P, Vh)
// where Qh, Kt, Vh are [.., T, D] / [.., D, T] / [.., T, D] views of [.., T, C]
// activations reached through pure layout ops (Reshape, Transpose, Squeeze,
// Unsqueeze, Flatten) and optional constant scalings (PyTorch >= 2 scales q,
// its SDPA export both q and k by sqrt(scale)). Like the LayerNorm chain
// (ImportNorm.cpp) the chain is matched before import: its nodes are skipped
// and its last node builds one nn.attention on [T, C] row-layout operands.
//
// The layout is checked, not pattern-matched: the chain of layout ops from a
// candidate source to the MatMul operand is applied to an index tensor (iota)
// and the result must be the head split [T, C] -> [H, T, D] (k: [H, D, T]);
// on the output side, [H, T, D] -> [T, C] likewise. So any spelling of the
// head split (Reshape + Transpose, 4-D with a batch of 1, ...) is accepted.
// Masks: Where(const lower-triangular bool, scores, const <= -1e4) or
// Add(scores, const 0 on/below the diagonal and <= -1e4 above) mean causal
// (-1e4 is GPT-2's old masked_bias; exp(-1e4) is 0 in float32, so such a
// position gets probability 0 exactly as -inf or float32's minimum would);
// the same with only the last W positions kept (t - W < j <= t: Mistral's and
// GPT-Neo's local layers) is a sliding window of W; any other constant mask
// is a one-line error naming the node.
// A QDQ export (ONNX Runtime's static quantization of MatMul) puts per-tensor
// QuantizeLinear -> DequantizeLinear pairs on both MatMuls' inputs and outputs:
// those on q, k, v move to the [T, C] operands and the one on the output to the
// result (element-wise, so layout does not matter), the ones on the scores
// (right after Q x K^T) and on P stay inside nn.attention (score_quant,
// prob_quant): the integer recipe applies them (docs/CONTRACTS.md "Attention").
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/Importer.h"

#include <cmath>

using namespace mlir;
using namespace loom;
using namespace loom::nnimport;

namespace {

/// A mask value at or below this is a masked position (see above).
constexpr double kMaskedScore = -1e4;

/// The refusal of a grouped-query attention whose repeat_kv WidenGroupedKV.cpp
/// could not remove (`why`).
std::string groupedQuery(const std::string &why) {
  return "its K / V heads are repeated (Expand or Tile: grouped-query attention's repeat_kv) "
         "and Loom cannot widen the K / V projection instead: " +
         Importer::oneLine(why) + "; export with as many K / V heads as query heads";
}

bool isLayoutOp(const OnnxNode &n) {
  return n.domain.empty() && !n.inputs.empty() && n.outputs.size() == 1 &&
         (n.opType == "Reshape" || n.opType == "Transpose" || n.opType == "Squeeze" ||
          n.opType == "Unsqueeze" || n.opType == "Flatten" || n.opType == "Identity");
}

const OnnxNode *soleUser(const OnnxModel &m, const std::string &v) {
  auto users = m.findConsumers(v);
  return users.size() == 1 ? users[0] : nullptr;
}

/// Element i of `idx` (shape `shape`) after Transpose(perm).
std::vector<int64_t> transposeIdx(const std::vector<int64_t> &idx, std::vector<int64_t> &shape,
                                  std::vector<int64_t> perm) {
  size_t rank = shape.size();
  if (perm.empty())
    for (int64_t d = int64_t(rank) - 1; d >= 0; --d)
      perm.push_back(d);
  std::vector<int64_t> stride(rank, 1), out(idx.size()), oshape(rank), pos(rank, 0);
  for (int64_t d = int64_t(rank) - 2; d >= 0; --d)
    stride[d] = stride[d + 1] * shape[d + 1];
  for (size_t d = 0; d < rank; ++d)
    oshape[d] = shape[size_t(perm[d])];
  for (size_t i = 0; i < idx.size(); ++i) {
    int64_t src = 0;
    for (size_t d = 0; d < rank; ++d)
      src += pos[d] * stride[size_t(perm[d])];
    out[i] = idx[size_t(src)];
    for (int64_t d = int64_t(rank) - 1; d >= 0; --d)
      if (++pos[size_t(d)] < oshape[size_t(d)])
        break;
      else
        pos[size_t(d)] = 0;
  }
  shape = oshape;
  return out;
}

} // namespace

/// Applies the layout nodes `path` (in order) to `idx` of shape `shape`;
/// false if a node's shape is unknown or its perm invalid.
bool Importer::applyLayout(const std::vector<const OnnxNode *> &path, std::vector<int64_t> &idx,
                           std::vector<int64_t> &shape) {
  for (const OnnxNode *n : path) {
    if (n->opType == "Transpose") {
      std::vector<int64_t> perm = n->getInts("perm");
      if (!perm.empty() && perm.size() != shape.size())
        return false;
      idx = transposeIdx(idx, shape, perm);
    } else if (isLayoutOp(*n)) {
      std::vector<int64_t> s = staticShape(n->outputs[0]);
      if (s.empty() ? idx.size() != 1 : product(s) != int64_t(idx.size()))
        return false;
      shape = s;
    } // a constant scaling keeps the elements where they are
  }
  return true;
}

/// Walks back from the MatMul operand `from` through layout ops and constant
/// scalar Mul / Div to the furthest tensor whose [T, C] rows give `from` as
/// the head split (kT: [H, D, T], else [H, T, D]). Returns false if none.
bool Importer::traceHeads(const std::string &from, int64_t T, int64_t H, int64_t D, bool kT,
                          AttentionOperand &out) {
  std::vector<const OnnxNode *> back; // nearest first
  std::vector<std::string> names{from};
  std::vector<double> factor{1.0};
  std::string cur = from;
  double f = 1.0;
  RotaryMatch rot;
  // A QDQ export's quantizer on the operand (DequantizeLinear(QuantizeLinear)):
  // element-wise, so it moves to the source; qdqAt indexes `names` beyond it.
  std::optional<InnerQDQ> qdq;
  size_t qdqAt = 0, rotAt = 0;
  double qdqF = 1.0;
  for (const OnnxNode *p = model.findProducer(cur); p; p = model.findProducer(cur)) {
    std::optional<InnerQDQ> pair;
    if (!qdq && p->domain.empty() && p->opType == "DequantizeLinear" && !p->inputs.empty())
      pair = qdqPairFrom(model.findProducer(p->inputs[0]));
    if (pair && pair->dq == p) {
      qdq = pair, qdqF = f;
      cur = p->inputs[0];
    } else if (qdq && qdq->q == p) {
      cur = p->inputs[0];
      qdqAt = names.size() + 1;
    } else if (isLayoutOp(*p)) {
      cur = p->inputs[0];
    } else if (!rot.add && matchRotary(*p, rot)) {
      cur = rot.x; // a rotary embedding (FuseRotary.cpp): rows stay rows
      rotAt = names.size() + 1;
    } else if (p->domain.empty() && (p->opType == "Mul" || p->opType == "Div") &&
               p->inputs.size() == 2) {
      const OnnxTensor *c1 = constant(p->inputs[1]);
      const OnnxTensor *c0 = p->opType == "Mul" ? constant(p->inputs[0]) : nullptr;
      const OnnxTensor *c = c1 ? c1 : c0;
      if (!c || c->numElements() != 1 || (c1 && c0) || !(c->values[0] > 0))
        break;
      f = p->opType == "Mul" ? f * c->values[0] : f / c->values[0];
      cur = c1 ? p->inputs[0] : p->inputs[1];
    } else {
      break;
    }
    if (constant(cur))
      break;
    back.push_back(p);
    names.push_back(cur);
    factor.push_back(f);
  }
  const int64_t C = H * D;
  for (size_t s = names.size(); s-- > 0;) {
    std::vector<int64_t> shape = staticShape(names[s]);
    if (shape.empty() || product(shape) != T * C)
      continue;
    std::vector<const OnnxNode *> path(back.rbegin() + long(back.size() - s), back.rend());
    std::vector<int64_t> idx(size_t(T * C));
    for (int64_t i = 0; i < T * C; ++i)
      idx[size_t(i)] = i;
    if (!applyLayout(path, idx, shape))
      continue;
    bool ok = true;
    for (int64_t h = 0; h < H && ok; ++h)
      for (int64_t t = 0; t < T && ok; ++t)
        for (int64_t d = 0; d < D && ok; ++d) {
          int64_t at = kT ? (h * D + d) * T + t : (h * T + t) * D + d;
          ok = idx[size_t(at)] == t * C + h * D + d;
        }
    if (!ok)
      continue;
    out.source = names[s];
    out.scale = factor[s];
    out.path = path;
    out.rotary = llvm::is_contained(path, rot.add) ? rot : RotaryMatch();
    out.quant.reset();
    if (qdq && qdqAt && s >= qdqAt) {
      // The fused op quantizes after the rotary embedding: the pair must be nearer.
      if (out.rotary.add && rotAt < qdqAt)
        return false;
      // QDQ(c x; s) = c QDQ(x; s / c): the scaling between source and pair stays outside.
      out.quant = qdq;
      out.quant->params.scale[0] /= factor[s] / qdqF;
    }
    return true;
  }
  return false;
}

/// An Expand or Tile among the layout ops that produce `operand` (GQA's
/// repeat_kv that widenGroupedKV left in place), for a precise refusal: why
/// it was left, or nullopt if there is none.
std::optional<std::string> Importer::repeatsHeads(const std::string &operand) {
  std::string v = operand;
  for (int steps = 0; steps < 8; ++steps) {
    const OnnxNode *p = model.findProducer(v);
    if (!p || p->inputs.empty())
      return std::nullopt;
    if (p->domain.empty() && (p->opType == "Expand" || p->opType == "Tile")) {
      auto it = unwidened.find(p->name);
      return it != unwidened.end() ? it->second : "node '" + p->name + "' is not recognised";
    }
    if (!isLayoutOp(*p))
      return std::nullopt;
    v = p->inputs[0];
  }
  return std::nullopt;
}

std::optional<Importer::InnerQDQ> Importer::qdqPairFrom(const OnnxNode *q) {
  if (!q || !q->domain.empty() || q->opType != "QuantizeLinear" || q->inputs.empty() ||
      q->outputs.size() != 1)
    return std::nullopt;
  const OnnxNode *dq = soleUser(model, q->outputs[0]);
  if (!dq || !dq->domain.empty() || dq->opType != "DequantizeLinear" || dq->inputs.empty() ||
      dq->inputs[0] != q->outputs[0])
    return std::nullopt;
  size_t rank = staticShape(q->inputs[0]).size();
  auto get = [&](const std::string &n) { return constant(n); };
  auto a = readQuantParams(*q, rank, get, 16);
  auto d = readQuantParams(*dq, rank, get, 16);
  if (!a || !d) {
    if (!a)
      llvm::consumeError(a.takeError());
    if (!d)
      llvm::consumeError(d.takeError());
    return std::nullopt;
  }
  if (a->scale.size() != 1 || d->scale.size() != 1 || a->scale != d->scale ||
      a->zeroPoint != d->zeroPoint || a->bipolar)
    return std::nullopt;
  InnerQDQ r;
  r.q = q, r.dq = dq, r.params = *a;
  return r;
}

/// A constant per-head bias over the key positions ([H, 1, T], possibly with a
/// leading 1: ALiBi as BLOOM and MPT add it to the scores).
bool Importer::isKeyBias(const std::string &name, int64_t H, int64_t T) {
  const OnnxTensor *m = constant(name);
  if (!m || m->dims.size() < 2 || m->dims.back() != T || m->dims[m->dims.size() - 2] != 1 ||
      m->numElements() != H * T || H < 1)
    return false;
  for (size_t d = 0; d + 2 < m->dims.size(); ++d)
    if (m->dims[d] != 1 && m->dims[d] != H)
      return false;
  return llvm::all_of(m->values, [](double v) { return std::isfinite(v); });
}

/// W if `keep` ([T, T], row = query) keeps exactly the keys t - W < j <= t
/// with 0 < W < T (a sliding-window mask, GPT-Neo's local layers, Mistral),
/// else 0.
static int64_t slidingWindow(const std::vector<bool> &keep, int64_t T) {
  int64_t w = 0;
  for (int64_t j = 0; j < T; ++j)
    w += keep[size_t((T - 1) * T + j)];
  if (w <= 0 || w >= T)
    return 0;
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < T; ++j)
      if (keep[size_t(t * T + j)] != (j <= t && j > t - w))
        return 0;
  return w;
}

/// The causal (0) or sliding-window (W) mask of a Where or Add node on the
/// scores, or an error.
llvm::Expected<int64_t> Importer::causalMask(const OnnxNode &n, const std::string &scores,
                                             int64_t T) {
  auto bad = [&](const std::string &why) {
    return nodeError(n, "masks attention scores with " + why +
                            "; Loom supports no mask or a causal one (a lower-triangular "
                            "Where or an additive 0 / -inf mask)");
  };
  // The mask's last two dimensions must be [T, T] and the others 1.
  auto square = [&](const OnnxTensor &m) {
    return m.dims.size() >= 2 && m.dims[m.dims.size() - 1] == T && m.dims[m.dims.size() - 2] == T &&
           m.numElements() == T * T;
  };
  if (n.opType == "Where") {
    const OnnxTensor *cond = constant(n.inputs[0]);
    bool keepX = n.inputs[1] == scores;
    const OnnxTensor *fill = constant(n.inputs[keepX ? 2 : 1]);
    if (!cond || !square(*cond))
      return bad("a condition that is not a constant [T, T] tensor");
    if (!fill || fill->numElements() != 1 || !(fill->values[0] <= kMaskedScore))
      return bad("a fill value that is not one constant <= -1e4");
    std::vector<bool> keep;
    for (double c : cond->values)
      keep.push_back((c != 0) == keepX);
    if (int64_t w = slidingWindow(keep, T))
      return w;
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < T; ++j)
        if (keep[size_t(t * T + j)] != (j <= t))
          return bad("a condition that is not lower-triangular (causal)");
    return 0;
  }
  const OnnxTensor *m = constant(n.inputs[n.inputs[0] == scores ? 1 : 0]);
  // ALiBi (BLOOM, MPT): a per-head bias over the key positions, [H, 1, T].
  if (m && m->dims.size() >= 2 && m->dims.back() == T && m->dims[m->dims.size() - 2] == 1 &&
      m->numElements() > T)
    return nodeError(n, "adds a per-head position bias to the attention scores (ALiBi, a [H, 1, "
                        "T] constant), which Loom does not support; use a model with learned "
                        "or rotary positions");
  if (!m || !square(*m))
    return bad("an added tensor that is not a constant [T, T] mask");
  std::vector<bool> keep;
  for (double x : m->values)
    keep.push_back(!(x <= kMaskedScore));
  if (int64_t w = slidingWindow(keep, T)) {
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < T; ++j)
        if (keep[size_t(t * T + j)] && m->values[size_t(t * T + j)] != 0)
          return bad("an added sliding-window mask that is not 0 inside the window");
    return w;
  }
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < T; ++j) {
      double x = m->values[size_t(t * T + j)];
      if (j <= t ? x != 0 : !(x <= kMaskedScore))
        return bad("an added mask that is not 0 on and below the diagonal and <= -1e4 above");
    }
  return 0;
}

llvm::Error Importer::matchAttentionChains() {
  for (const OnnxNode &mm : model.nodes) {
    if (mm.opType != "MatMul" || !mm.domain.empty() || mm.inputs.size() != 2 ||
        constant(mm.inputs[0]) || constant(mm.inputs[1]) || foldedNodes.count(&mm))
      continue;
    auto bad = [&](const OnnxNode &at, const std::string &why) {
      return nodeError(at, "looks like attention (MatMul '" + oneLine(mm.name) +
                               "' of two activations -> Softmax -> MatMul) but " + why);
    };
    std::vector<int64_t> qs = staticShape(mm.inputs[0]), ks = staticShape(mm.inputs[1]);
    if (qs.size() < 2 || ks.size() != qs.size())
      continue;
    AttentionChain chain;
    chain.first = &mm;
    std::vector<const OnnxNode *> nodes{&mm};
    // Scores -> [scale] -> [mask] -> Softmax.
    std::string cur = mm.outputs[0];
    const OnnxNode *sm = nullptr;
    double scale = 1.0, scaleAtBias = 1.0;
    const int64_t rankQ = int64_t(qs.size());
    int64_t heads = 1;
    for (int64_t d = 0; d < rankQ - 2; ++d)
      heads *= qs[size_t(d)];
    for (const OnnxNode *u = soleUser(model, cur); u; u = soleUser(model, cur)) {
      if (u->opType == "Softmax") {
        sm = u;
        break;
      }
      if (u->opType == "QuantizeLinear" && u->domain.empty()) {
        // A QDQ export quantizes Q x K^T as a MatMul output: right after it.
        std::optional<InnerQDQ> pair = qdqPairFrom(u);
        if (!pair || nodes.size() != 1)
          return bad(*u, "quantizes the scores " +
                             std::string(pair ? "after their scale or mask" : "with other than "
                                         "one per-tensor QuantizeLinear -> DequantizeLinear "
                                         "pair") +
                             "; Loom keeps a QDQ export's score quantizer only right after Q x "
                             "K^T");
        chain.scoreQ = pair;
        nodes.push_back(pair->q);
        nodes.push_back(pair->dq);
        cur = pair->dq->outputs[0];
        continue;
      }
      if ((u->opType == "Mul" || u->opType == "Div") && u->inputs.size() == 2) {
        const OnnxTensor *c = constant(u->inputs[u->inputs[0] == cur ? 1 : 0]);
        if (!c || c->numElements() != 1 || !(c->values[0] > 0) ||
            (u->opType == "Div" && u->inputs[0] != cur))
          break; // not a scaling: no attention here
        scale = u->opType == "Mul" ? scale * c->values[0] : scale / c->values[0];
      } else if (u->opType == "Add" && u->inputs.size() == 2 && chain.keyBias.empty() &&
                 isKeyBias(u->inputs[u->inputs[0] == cur ? 1 : 0], heads,
                           qs[size_t(rankQ - 2)])) {
        // ALiBi (BLOOM, MPT): a per-head bias over the key positions, [H, 1, T].
        const OnnxTensor *kb = constant(u->inputs[u->inputs[0] == cur ? 1 : 0]);
        chain.keyBias = kb->values;
        scaleAtBias = scale;
      } else if ((u->opType == "Where" && u->inputs.size() == 3) ||
                 (u->opType == "Add" && u->inputs.size() == 2)) {
        auto window = causalMask(*u, cur, qs[qs.size() - 2]);
        if (!window)
          return window.takeError();
        chain.causal = true, chain.window = *window;
      } else {
        break;
      }
      nodes.push_back(u);
      cur = u->outputs[0];
    }
    if (!sm)
      continue; // not attention: importDense reports the product of two activations
    int64_t rank = int64_t(qs.size()), axis = sm->getInt("axis", opsetOf(*sm) >= 13 ? -1 : 1);
    if (axis != -1 && axis != rank - 1)
      return bad(*sm, "its Softmax is not over the last axis");
    nodes.push_back(sm);
    std::string probs = sm->outputs[0];
    const OnnxNode *mm2 = soleUser(model, probs);
    if (mm2 && mm2->opType == "QuantizeLinear" && mm2->domain.empty()) {
      // A QDQ export quantizes P as the input of MatMul(P, V).
      chain.probQ = qdqPairFrom(mm2);
      if (!chain.probQ)
        return bad(*mm2, "quantizes the probabilities with other than one per-tensor "
                         "QuantizeLinear -> DequantizeLinear pair");
      nodes.push_back(chain.probQ->q);
      nodes.push_back(chain.probQ->dq);
      probs = chain.probQ->dq->outputs[0];
      mm2 = soleUser(model, probs);
    }
    if (!mm2 || mm2->opType != "MatMul" || mm2->inputs[0] != probs)
      return bad(*sm, "the probabilities do not feed one MatMul(P, V)");
    nodes.push_back(mm2);
    const int64_t T = qs[size_t(rank - 2)], D = qs[size_t(rank - 1)];
    int64_t H = 1;
    for (int64_t d = 0; d < rank - 2; ++d)
      H *= qs[size_t(d)];
    if (ks[size_t(rank - 2)] != D || ks[size_t(rank - 1)] != T)
      return bad(mm, "its operands are not [.., T, D] x [.., D, T] (self-attention, one "
                     "sequence length)");
    AttentionOperand q, k, v;
    if (!traceHeads(mm.inputs[0], T, H, D, false, q))
      return bad(mm, "its first operand is not the head split [T, C] -> [H, T, D] of an "
                     "activation through Reshape / Transpose");
    if (!traceHeads(mm.inputs[1], T, H, D, true, k)) {
      std::optional<std::string> why = repeatsHeads(mm.inputs[1]);
      return bad(mm, why ? groupedQuery(*why)
                         : "its second operand is not the head split [T, C] -> [H, D, T] of an "
                           "activation through Reshape / Transpose");
    }
    if (!traceHeads(mm2->inputs[1], T, H, D, false, v) || v.scale != 1.0) {
      std::optional<std::string> why = repeatsHeads(mm2->inputs[1]);
      return bad(*mm2, why ? groupedQuery(*why)
                           : "its V operand is not the head split [T, C] -> [H, T, D] of an "
                             "activation through Reshape / Transpose");
    }
    // Output side: the furthest layout op after MatMul(P, V) that gives [T, C] rows.
    const int64_t C = H * D;
    std::vector<int64_t> idx(size_t(T * C)), shape = staticShape(mm2->outputs[0]);
    for (int64_t i = 0; i < T * C; ++i)
      idx[size_t(i)] = i;
    auto rowLayout = [&] {
      for (int64_t t = 0; t < T; ++t)
        for (int64_t c = 0; c < C; ++c)
          if (idx[size_t(t * C + c)] != ((c / D) * T + t) * D + c % D)
            return false;
      return true;
    };
    const OnnxNode *last = rowLayout() ? mm2 : nullptr;
    std::vector<const OnnxNode *> after;
    size_t lastAt = 0, outQAt = 0; // positions in `after` + 1
    for (const OnnxNode *u = soleUser(model, mm2->outputs[0]); u;) {
      if (!chain.outQ && u->opType == "QuantizeLinear" && u->domain.empty()) {
        // A QDQ export's quantizer on MatMul(P, V)'s output (element-wise).
        chain.outQ = qdqPairFrom(u);
        if (!chain.outQ)
          break;
        after.push_back(chain.outQ->q);
        after.push_back(chain.outQ->dq);
        outQAt = after.size();
        u = soleUser(model, chain.outQ->dq->outputs[0]);
        continue;
      }
      if (!isLayoutOp(*u) || !applyLayout({u}, idx, shape))
        break;
      after.push_back(u);
      if (rowLayout())
        last = u, lastAt = after.size();
      u = soleUser(model, u->outputs[0]);
    }
    if (!last)
      return bad(*mm2, "its result is not brought back to [T, C] rows by Reshape / Transpose");
    if (outQAt > lastAt) // after the [T, C] result: it stays a node of the graph
      chain.outQ.reset();
    for (const OnnxNode *u : after) {
      nodes.push_back(u);
      if (u == last)
        break;
    }
    // Rotary embeddings on q / k: tables on the [T, C] source; the pattern's
    // nodes go with the chain.
    for (AttentionOperand *o : {&q, &k}) {
      if (!o->rotary.add)
        continue;
      auto at = llvm::find(o->path, o->rotary.add);
      std::vector<const OnnxNode *> layout(o->path.begin(), at);
      if (auto err = rotaryTables(o->rotary, layout, o->source, T, H * D, *o))
        return err;
      nodes.insert(nodes.end(), o->rotary.nodes.begin(), o->rotary.nodes.end());
      chain.rotated.push_back(*o);
    }
    if (v.rotary.add)
      return bad(*v.rotary.add, "its V operand has a rotary embedding (only q and k may)");
    chain.q = q.source, chain.k = k.source, chain.v = v.source;
    chain.operandQ[0] = q.quant, chain.operandQ[1] = k.quant, chain.operandQ[2] = v.quant;
    chain.output = last->outputs[0];
    chain.outShape = staticShape(chain.output);
    chain.T = T, chain.C = C, chain.H = H;
    chain.scale = scale * q.scale * k.scale;
    for (double &b : chain.keyBias) // scalings after the bias scale it too
      b *= scale / scaleAtBias;
    // The input-side layout and scaling nodes go too when nothing else reads them.
    for (AttentionOperand *o : {&q, &k, &v})
      for (auto it = o->path.rbegin(); it != o->path.rend(); ++it) {
        bool only = true;
        for (const OnnxNode *u : model.findConsumers((*it)->outputs[0]))
          only = only && llvm::is_contained(nodes, u);
        if (!only)
          break;
        nodes.push_back(*it);
      }
    for (const OnnxNode *n : nodes)
      if (n != last)
        foldedNodes.insert(n);
    attentionChains[last] = chain;
  }
  return llvm::Error::success();
}

llvm::Error Importer::importAttention(const AttentionChain &chain) {
  const OnnxNode &first = *chain.first;
  SmallVector<Value, 3> ops;
  int port = 0;
  for (const std::string *src : {&chain.q, &chain.k, &chain.v}) {
    const std::optional<InnerQDQ> &quant = chain.operandQ[port++];
    Value v = lookup(*src);
    if (!v)
      return nodeError(first, "attention operand '" + oneLine(*src) +
                                  "' is a constant or unknown; Loom streams activations only");
    if (shapeOf(v) != ArrayRef<int64_t>{chain.T, chain.C}) {
      auto r = b.create<nn::ReshapeOp>(loc(first), f32({chain.T, chain.C}), v);
      name(r, first);
      v = r;
    }
    for (const AttentionOperand &o : chain.rotated)
      if (o.source == *src && src != &chain.v)
        v = importRotary(v, o, chain.T, chain.C);
    if (quant) // the model's quantizer, moved to the [T, C] operand
      v = dequantizeLinear(*quant->dq, quantizeLinear(*quant->q, v, quant->params), quant->params);
    ops.push_back(v);
  }
  auto inner = [&](const std::optional<InnerQDQ> &x) {
    return x ? nn::QuantizerAttr::get(b.getContext(), b.getF64FloatAttr(x->params.scale[0]),
                                      x->params.zeroPoint[0], x->params.qmin, x->params.qmax)
             : nn::QuantizerAttr();
  };
  auto att = b.create<nn::AttentionOp>(loc(first), f32({chain.T, chain.C}), ops[0], ops[1], ops[2],
                                       b.getI64IntegerAttr(chain.H), b.getF64FloatAttr(chain.scale),
                                       b.getBoolAttr(chain.causal), inner(chain.scoreQ),
                                       inner(chain.probQ),
                                       chain.window ? b.getI64IntegerAttr(chain.window)
                                                    : IntegerAttr(),
                                       chain.keyBias.empty()
                                           ? ElementsAttr()
                                           : ElementsAttr(f32Attr(
                                                 {chain.H, chain.T},
                                                 std::vector<float>(chain.keyBias.begin(),
                                                                    chain.keyBias.end()))));
  name(att, first);
  Value out = att;
  if (chain.outQ)
    out = dequantizeLinear(*chain.outQ->dq, quantizeLinear(*chain.outQ->q, out, chain.outQ->params),
                           chain.outQ->params);
  if (!chain.outShape.empty() &&
      ArrayRef<int64_t>(chain.outShape) != ArrayRef<int64_t>{chain.T, chain.C}) {
    auto r = b.create<nn::ReshapeOp>(loc(first), f32(chain.outShape), out);
    name(r, first);
    out = r;
  }
  values[chain.output] = out;
  return llvm::Error::success();
}
