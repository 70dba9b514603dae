//===- WidenGroupedKV.cpp - grouped-query attention as full attention -----===//
//
// Grouped-query attention (GQA) computes Hkv < H heads of K and V and repeats
// each for H / Hkv query heads before the attention (Hugging Face's repeat_kv:
// Unsqueeze -> Expand -> Reshape, query head h reads kv head h / n_rep; or a
// Tile on the head axis, head h reads kv head h % Hkv). Loom's attention
// actor reads as many K / V heads as query heads, so before import the repeat
// is moved into the projection: K = MatMul(x, W) [+ bias] gets W's columns of
// kv head j copied to every query head that reads it, the head-split Reshape
// gets H heads, the ops between the split and the repeat (rotary
// embeddings: Mul / Add with tables broadcast over heads, rotate_half's
// Slice / Split / Neg / Concat, the head Transpose) work per head and simply
// see more heads, and the repeat nodes are bypassed. Every output value is
// the same float computation as before, so the import, the reference and the
// RTL see an ordinary multi-head attention. The price: the K / V projection
// and the KV cache hold H heads, H / Hkv times a grouped cache
// (docs/NOTES.md "GQA by widened K/V projections").
//
// Only a chain that is per head from the split to the repeat is rewritten;
// anything else is left as it is, and the reason is handed to the attention
// matcher, whose one-line refusal names it.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/GraphRewrite.h"
#include "compiler/nnimport/ImportToNN.h"

#include "llvm/ADT/STLExtras.h"

#include <functional>
#include <set>

using namespace loom;
using namespace loom::rewrite; // isDefault, normAxis, dimsOf, intsOf, isGraphOutput, freshName
using onnx::OnnxModel;
using onnx::OnnxNode;
using onnx::OnnxTensor;
using onnx::OnnxValueInfo;

namespace {

/// A failed precondition: the reason, or "" when there is none.
using Why = std::string;

bool isSoleUser(const OnnxModel &m, const std::string &v, const OnnxNode &user) {
  auto users = m.findConsumers(v);
  return users.size() == 1 && users[0] == &user;
}

/// A repeat of the heads: the nodes from the widened value `x` to `out`.
struct Repeat {
  std::vector<std::string> nodes; ///< names, first to last
  std::string x, out;
  int64_t n = 1;            ///< copies of each kv head
  bool interleaved = false; ///< head h reads kv head h / n (else h % Hkv)
};

/// The repeat starting at `u` (Tile, or Unsqueeze -> Expand -> Reshape) of
/// `x`, whose head axis is `ax`; nullopt if `u` does not start one.
std::optional<Repeat> repeatAt(const OnnxModel &m, const OnnxNode &u, const std::string &x,
                               int64_t ax, int64_t hkv) {
  std::vector<int64_t> xd = dimsOf(m, x);
  const int64_t rank = int64_t(xd.size());
  if (!isDefault(u) || u.inputs.empty() || u.inputs[0] != x || u.outputs.size() != 1 || !rank)
    return std::nullopt;
  Repeat r;
  r.x = x;
  if (u.opType == "Tile") {
    auto reps = intsOf(m, u, 1, "");
    if (!reps || int64_t(reps->size()) != rank)
      return std::nullopt;
    for (int64_t d = 0; d < rank; ++d)
      if (d != ax && (*reps)[size_t(d)] != 1)
        return std::nullopt;
    r.n = (*reps)[size_t(ax)];
    r.nodes = {u.name};
    r.out = u.outputs[0];
    return r.n >= 1 ? std::optional<Repeat>(r) : std::nullopt;
  }
  if (u.opType != "Unsqueeze")
    return std::nullopt;
  // Unsqueeze next to the head axis: after it, the copies of one kv head are
  // adjacent (h / n); before it, the kv heads repeat in turn (h % Hkv).
  auto axes = intsOf(m, u, 1, "axes");
  if (!axes || axes->size() != 1)
    return std::nullopt;
  int64_t a = normAxis((*axes)[0], rank + 1);
  if (a != ax && a != ax + 1)
    return std::nullopt;
  auto users = m.findConsumers(u.outputs[0]);
  if (users.size() != 1 || users[0]->opType != "Expand" || !isDefault(*users[0]))
    return std::nullopt;
  const OnnxNode &e = *users[0];
  auto eUsers = m.findConsumers(e.outputs[0]);
  if (eUsers.size() != 1 || eUsers[0]->opType != "Reshape" || !isDefault(*eUsers[0]))
    return std::nullopt;
  const OnnxNode &rs = *eUsers[0];
  std::vector<int64_t> ud = dimsOf(m, u.outputs[0]), ed = dimsOf(m, e.outputs[0]),
                       rd = dimsOf(m, rs.outputs[0]);
  if (ud.size() != size_t(rank + 1) || ed.size() != ud.size() || rd.size() != size_t(rank))
    return std::nullopt;
  r.n = ed[size_t(a)];
  for (int64_t d = 0; d <= rank; ++d)
    if (d != a && ed[size_t(d)] != ud[size_t(d)])
      return std::nullopt;
  std::vector<int64_t> want = xd;
  want[size_t(ax)] = hkv * r.n;
  if (rd != want || isGraphOutput(m, u.outputs[0]) || isGraphOutput(m, e.outputs[0]))
    return std::nullopt;
  r.nodes = {u.name, e.name, rs.name};
  r.out = rs.outputs[0];
  r.interleaved = a == ax + 1;
  return r;
}

/// The head axis of node `u`'s outputs, given the head axis of its widened
/// inputs (`axes`), or the reason it does not work head by head.
Why perHead(const OnnxModel &m, const OnnxNode &u, const std::map<std::string, int64_t> &axes,
            std::vector<int64_t> &outAxes) {
  const std::string what = u.describe();
  if (!isDefault(u))
    return what + " is not an op Loom knows to work head by head";
  const std::string &in = u.inputs[0];
  const bool firstWide = axes.count(in);
  const int64_t ax = firstWide ? axes.at(in) : -1;
  const int64_t rank = int64_t(dimsOf(m, in).size());
  const std::string &op = u.opType;
  if (op == "Neg" || op == "Identity" || op == "Cast") {
    outAxes.assign(1, ax);
    return "";
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    // Broadcasting aligns the last axes: every widened operand must put its
    // head axis on the same output axis, every other operand must be 1 there.
    const int64_t outRank = int64_t(dimsOf(m, u.outputs[0]).size());
    int64_t outAx = -1;
    for (const std::string &v : u.inputs)
      if (axes.count(v)) {
        int64_t o = axes.at(v) + outRank - int64_t(dimsOf(m, v).size());
        if (outAx >= 0 && o != outAx)
          return what + " combines heads of different axes";
        outAx = o;
      }
    for (const std::string &v : u.inputs) {
      if (axes.count(v))
        continue;
      std::optional<OnnxValueInfo> t = m.typeOf(v);
      if (!t || !t->hasShape)
        return what + " has an operand '" + v + "' of unknown shape";
      int64_t d = outAx - (outRank - int64_t(t->dims.size()));
      if (d >= 0 && t->dims[size_t(d)] != 1)
        return what + " has an operand '" + v + "' that is not broadcast over the heads";
    }
    outAxes.assign(1, outAx);
    return outRank ? "" : what + " has an output of unknown shape";
  }
  if (!firstWide)
    return what + " reads the heads in an operand other than its first";
  if (op == "Transpose") {
    std::vector<int64_t> perm = u.getInts("perm");
    if (perm.empty())
      for (int64_t d = rank - 1; d >= 0; --d)
        perm.push_back(d);
    for (size_t i = 0; i < perm.size(); ++i)
      if (normAxis(perm[i], rank) == ax)
        outAxes.assign(1, int64_t(i));
    return outAxes.empty() ? what + " has a permutation without the head axis" : "";
  }
  if (op == "Slice") {
    auto starts = intsOf(m, u, 1, "starts");
    auto sliced = intsOf(m, u, 3, "axes");
    if (!starts || !sliced)
      return what + " slices by bounds or axes that are not constants";
    if (sliced->empty())
      for (size_t i = 0; i < starts->size(); ++i)
        sliced->push_back(int64_t(i));
    for (int64_t a : *sliced)
      if (normAxis(a, rank) == ax)
        return what + " slices the head axis";
    outAxes.assign(1, ax);
    return "";
  }
  if (op == "Split" || op == "Concat") {
    if (normAxis(u.getInt("axis", 0), rank) == ax)
      return what + (op == "Split" ? " splits" : " concatenates") + " along the head axis";
    for (const std::string &v : u.inputs)
      if (op == "Concat" && (!axes.count(v) || axes.at(v) != ax))
        return what + " concatenates heads with a value that has none";
    outAxes.assign(u.outputs.size(), ax);
    return "";
  }
  return what + " is not an op Loom knows to work head by head";
}

/// The K or V projection feeding a head split, as rewritten below.
struct Projection {
  const OnnxNode *matmul = nullptr, *bias = nullptr, *dq = nullptr;
  std::string weight; ///< the float weight, or the quantized one behind `dq`
};

Why projectionOf(const OnnxModel &m, const OnnxNode &split, Projection &p) {
  const std::string &in = split.inputs[0];
  const OnnxNode *prod = m.findProducer(in);
  if (prod && prod->opType == "Add" && isDefault(*prod) && prod->inputs.size() == 2)
    for (int k = 0; k < 2 && !p.bias; ++k) {
      const OnnxNode *mm = m.findProducer(prod->inputs[size_t(k)]);
      if (mm && mm->opType == "MatMul" && m.findInitializer(prod->inputs[size_t(1 - k)]) &&
          isSoleUser(m, mm->outputs[0], *prod))
        p.bias = prod, p.matmul = mm;
    }
  if (!p.bias && prod && prod->opType == "MatMul" && isDefault(*prod))
    p.matmul = prod;
  if (!p.matmul || !isSoleUser(m, in, split) || isGraphOutput(m, in))
    return "the heads do not come from one MatMul (+ bias Add) read only by the head split";
  const std::string &w = p.matmul->inputs[1];
  if (m.findInitializer(w)) {
    p.weight = w;
  } else if (const OnnxNode *dq = m.findProducer(w);
             dq && dq->opType == "DequantizeLinear" && isDefault(*dq) &&
             m.findInitializer(dq->inputs[0]) && isSoleUser(m, w, *p.matmul)) {
    for (size_t i = 1; i < dq->inputs.size(); ++i)
      if (!dq->inputs[i].empty() && !m.findInitializer(dq->inputs[i]))
        return "the projection's DequantizeLinear has a scale or zero point that is not a "
               "constant";
    p.dq = dq, p.weight = dq->inputs[0];
  } else {
    return "the projection weight of " + p.matmul->describe() +
           " is not a constant (nor a DequantizeLinear of one)";
  }
  if (m.findInitializer(p.weight)->dims.size() != 2)
    return "the projection weight '" + p.weight + "' is not a matrix";
  return "";
}

/// The head split (Reshape [.., Hkv * D] -> [.., Hkv, D]) `v` is computed from,
/// searched back through its activation operands.
const OnnxNode *findSplit(const OnnxModel &m, const std::string &v) {
  std::vector<std::string> todo{v};
  std::set<std::string> seen;
  while (!todo.empty() && seen.size() < 64) {
    std::string cur = todo.back();
    todo.pop_back();
    if (!seen.insert(cur).second || m.findInitializer(cur))
      continue;
    const OnnxNode *p = m.findProducer(cur);
    if (!p || !isDefault(*p))
      continue;
    if (p->opType == "Reshape") {
      std::vector<int64_t> in = dimsOf(m, p->inputs[0]), out = dimsOf(m, p->outputs[0]);
      if (!in.empty() && out.size() == in.size() + 1 &&
          std::equal(in.begin(), in.end() - 1, out.begin()) &&
          out[out.size() - 2] * out.back() == in.back())
        return p;
      continue;
    }
    for (const std::string &i : p->inputs)
      if (!i.empty())
        todo.push_back(i);
  }
  return nullptr;
}

/// `t` with its last axis (Hkv blocks of `d`) rebuilt as `h` blocks, block i
/// a copy of block kv(i).
OnnxTensor widenLast(const OnnxTensor &t, int64_t d, int64_t h,
                     const std::function<int64_t(int64_t)> &kv, const std::string &name) {
  OnnxTensor w = t;
  w.name = name;
  const int64_t last = t.dims.back(), outer = t.numElements() / last;
  w.dims.back() = h * d;
  w.values.clear();
  w.intValues.clear();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < h; ++i)
      for (int64_t e = 0; e < d; ++e) {
        size_t src = size_t(o * last + kv(i) * d + e);
        w.values.push_back(t.values[src]);
        if (!t.intValues.empty())
          w.intValues.push_back(t.intValues[src]);
      }
  return w;
}

/// A node of the model being rewritten (the model's lookups return const).
OnnxNode &edit(const OnnxNode *n) { return const_cast<OnnxNode &>(*n); }

void setDim(OnnxModel &m, const std::string &v, int64_t axis, int64_t size) {
  for (auto *list : {&m.outputs, &m.valueInfos})
    for (OnnxValueInfo &vi : *list)
      if (vi.name == v && axis >= 0 && axis < int64_t(vi.dims.size()))
        vi.dims[size_t(axis)] = size;
}

/// Plans and applies the rewrite of the repeat at node `start` (Expand or
/// Tile); "" when done, else why not.
Why widenOne(OnnxModel &m, const OnnxNode &start, std::vector<std::string> &warnings) {
  // The repeated value: Tile's input, or the input of the Unsqueeze before Expand.
  std::string x = start.inputs[0];
  if (start.opType == "Expand") {
    const OnnxNode *u = m.findProducer(x);
    if (!u || u->opType != "Unsqueeze")
      return "the Expand is not Unsqueeze -> Expand -> Reshape";
    x = u->inputs[0];
  }
  const OnnxNode *split = findSplit(m, x);
  if (!split)
    return "no head split (Reshape [.., Hkv * D] -> [.., Hkv, D]) found before the repeat";
  Projection proj;
  if (Why why = projectionOf(m, *split, proj); !why.empty())
    return why;
  const std::vector<int64_t> splitDims = dimsOf(m, split->outputs[0]);
  const int64_t splitAx = int64_t(splitDims.size()) - 2, hkv = splitDims[size_t(splitAx)],
                d = splitDims.back();

  // Every reader of a widened value, in graph order: per head, or a repeat.
  std::map<std::string, int64_t> axes{{split->outputs[0], splitAx}};
  std::vector<Repeat> repeats;
  for (const OnnxNode &u : m.nodes) {
    if (&u == split || llvm::none_of(u.inputs, [&](auto &v) { return axes.count(v) > 0; }))
      continue;
    if (axes.count(u.inputs[0]))
      if (auto r = repeatAt(m, u, u.inputs[0], axes.at(u.inputs[0]), hkv)) {
        repeats.push_back(*r);
        continue;
      }
    std::vector<int64_t> outAxes;
    if (Why why = perHead(m, u, axes, outAxes); !why.empty())
      return "between the head split " + split->describe() + " and the repeat, " + why;
    for (size_t i = 0; i < u.outputs.size(); ++i) {
      if (dimsOf(m, u.outputs[i]).empty())
        return "the shape of '" + u.outputs[i] + "' (" + u.describe() + ") is not known";
      axes[u.outputs[i]] = outAxes[i];
    }
  }
  for (const auto &[v, ax] : axes)
    if (isGraphOutput(m, v))
      return "the K / V heads before the repeat are graph output '" + v + "'";
  if (llvm::none_of(repeats,
                    [&](const Repeat &r) { return llvm::is_contained(r.nodes, start.name); }))
    return "the head split " + split->describe() +
           " does not reach it as a recognised repeat "
           "(Unsqueeze -> Expand -> Reshape, or Tile, of the head axis)";
  for (const Repeat &r : repeats)
    if (r.n != repeats[0].n || r.interleaved != repeats[0].interleaved)
      return "the heads of " + split->describe() + " are repeated in two different ways";
  const int64_t n = repeats[0].n, h = hkv * n;
  const bool interleaved = repeats[0].interleaved;
  auto kv = [&](int64_t head) { return interleaved ? head / n : head % hkv; };

  // Every check before the first edit: a refusal leaves the model as it was.
  const OnnxTensor &w = *m.findInitializer(proj.weight);
  if (w.dims.back() != hkv * d)
    return "the projection weight '" + proj.weight + "' does not have Hkv * D columns";
  if (proj.bias)
    for (const std::string &in : proj.bias->inputs)
      if (const OnnxTensor *b = m.findInitializer(in);
          b && (b->dims.empty() || b->dims.back() != hkv * d))
        return "the projection bias '" + in + "' is not one value per column";
  const std::string described = proj.matmul->describe();

  // The weight (its quantizer's per-column parameters too) and the bias.
  auto widen = [&](const std::string &name) {
    std::string fresh = freshName(m, name, "/widened_kv");
    OnnxTensor t = widenLast(*m.findInitializer(name), d, h, kv, fresh);
    m.initializers[fresh] = std::move(t);
    return fresh;
  };
  OnnxNode &mm = edit(proj.matmul);
  if (proj.dq) {
    OnnxNode &dq = edit(proj.dq);
    const int64_t axis = normAxis(dq.getInt("axis", 1), 2);
    dq.inputs[0] = widen(dq.inputs[0]);
    for (size_t i = 1; i < dq.inputs.size(); ++i)
      if (!dq.inputs[i].empty() && m.findInitializer(dq.inputs[i])->numElements() > 1 && axis == 1)
        dq.inputs[i] = widen(dq.inputs[i]);
    setDim(m, dq.outputs[0], 1, h * d);
  } else {
    mm.inputs[1] = widen(proj.weight);
  }
  setDim(m, mm.outputs[0], int64_t(dimsOf(m, mm.outputs[0]).size()) - 1, h * d);
  if (proj.bias) {
    OnnxNode &add = edit(proj.bias);
    for (std::string &in : add.inputs)
      if (m.findInitializer(in))
        in = widen(in);
    setDim(m, add.outputs[0], int64_t(dimsOf(m, add.outputs[0]).size()) - 1, h * d);
  }
  // The split to H heads: a shape constant of its own (exporters share them).
  OnnxNode &sp = edit(split);
  std::vector<int64_t> shape = splitDims;
  shape[size_t(splitAx)] = h;
  OnnxTensor st;
  st.name = freshName(m, sp.inputs[1], "/widened_kv");
  st.elemType = onnx::kInt64;
  st.dims = {int64_t(shape.size())};
  st.intValues = shape;
  st.values.assign(shape.begin(), shape.end());
  sp.inputs[1] = st.name;
  m.initializers[st.name] = std::move(st);
  // Values in between only change their head dimension (each op is per head).
  for (const auto &[v, ax] : axes)
    setDim(m, v, ax, h);
  // The repeats go: their readers read the widened value (a graph output
  // keeps its name through an Identity).
  std::set<std::string> gone;
  std::map<std::string, std::string> renamed;
  for (const Repeat &r : repeats) {
    if (isGraphOutput(m, r.out)) {
      OnnxNode &last = edit(m.findProducer(r.out));
      last.opType = "Identity", last.inputs = {r.x}, last.attrs.clear();
      gone.insert(r.nodes.begin(), r.nodes.end() - 1);
      continue;
    }
    gone.insert(r.nodes.begin(), r.nodes.end());
    renamed[r.out] = r.x;
  }
  std::vector<OnnxNode> kept;
  for (OnnxNode &u : m.nodes) {
    if (gone.count(u.name))
      continue;
    for (std::string &in : u.inputs)
      if (auto it = renamed.find(in); it != renamed.end())
        in = it->second;
    kept.push_back(std::move(u));
  }
  m.nodes = std::move(kept);
  warnings.push_back("grouped-query attention: " + described + " widened from " +
                     std::to_string(hkv) + " to " + std::to_string(h) +
                     " heads (repeat_kv removed); its KV cache holds " + std::to_string(h) +
                     " heads, " + std::to_string(n) + "x a grouped-query cache");
  return "";
}

} // namespace

std::map<std::string, std::string> loom::widenGroupedKV(OnnxModel &model,
                                                        std::vector<std::string> &warnings) {
  std::map<std::string, std::string> refused;
  std::set<std::string> tried;
  // Each rewrite edits the node list: look for the next repeat from the top.
  for (;;) {
    const OnnxNode *next = nullptr;
    for (const OnnxNode &u : model.nodes)
      if (isDefault(u) && (u.opType == "Expand" || u.opType == "Tile") && !u.inputs.empty() &&
          !tried.count(u.name)) {
        next = &u;
        break;
      }
    if (!next)
      return refused;
    tried.insert(next->name);
    std::string name = next->name;
    if (Why why = widenOne(model, *next, warnings); !why.empty())
      refused[name] = why;
  }
}
