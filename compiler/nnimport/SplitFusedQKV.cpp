//===- SplitFusedQKV.cpp - a fused QKV projection as separate projections -===//
//
// GPT-NeoX / Pythia, BLOOM and Phi-3 compute q, k and v with one Linear and
// take it apart on activations:
//   NeoX   view [1, T, H, 3D], Slice(.., jD:(j+1)D, last axis) (or, HF >= 4.45,
//          Transpose then Split in three on the last axis)
//   BLOOM  view [1, T, H, 3, D], Gather(index j, axis 3)
//   Phi-3  [1, T, 3C], Slice on the last axis
// Loom's attention matcher wants each of q, k, v to be a head split of its
// own projection. Every such part is a fixed subset of the projection's
// output columns in a fixed layout, so before import each part becomes its
// own MatMul with those columns of W (and of the bias), followed by the same
// view (Reshape / Transpose) with the part's shape: the float values are the
// same products and sums as before (the same columns, the same order of
// summation), so nothing downstream changes, and the total MACs are equal.
// A fused projection read any other way is left alone (and refused later,
// by the op that reads it), and so is a head whose parts are concatenated
// again (a partial rotary, PermutePartialRotary.cpp).
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/GraphRewrite.h"
#include "compiler/nnimport/ImportToNN.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <numeric>

using namespace loom;
using namespace loom::rewrite;

namespace {

/// An index array: the projection column at each element of a view.
struct Index {
  std::vector<int64_t> dims, cols;
};

std::vector<int64_t> stridesOf(const std::vector<int64_t> &dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int64_t i = int64_t(dims.size()) - 2; i >= 0; --i)
    s[size_t(i)] = s[size_t(i + 1)] * dims[size_t(i + 1)];
  return s;
}

/// out[i_0..] = in[i_perm...]: out axis k is in axis perm[k].
Index transpose(const Index &in, const std::vector<int64_t> &perm) {
  Index out;
  for (int64_t p : perm)
    out.dims.push_back(in.dims[size_t(p)]);
  std::vector<int64_t> is = stridesOf(in.dims), os = stridesOf(out.dims);
  out.cols.resize(in.cols.size());
  for (size_t e = 0; e < out.cols.size(); ++e) {
    int64_t src = 0;
    for (size_t k = 0; k < perm.size(); ++k)
      src += (int64_t(e) / os[k] % out.dims[k]) * is[size_t(perm[k])];
    out.cols[e] = in.cols[size_t(src)];
  }
  return out;
}

/// The elements of `in` whose index on `axis` is in `keep`, in that order.
Index select(const Index &in, int64_t axis, const std::vector<int64_t> &keep) {
  Index out = in;
  out.dims[size_t(axis)] = int64_t(keep.size());
  out.cols.clear();
  std::vector<int64_t> is = stridesOf(in.dims), os = stridesOf(out.dims);
  const int64_t total = std::accumulate(out.dims.begin(), out.dims.end(), int64_t(1),
                                        std::multiplies<int64_t>());
  for (int64_t e = 0; e < total; ++e) {
    int64_t src = 0;
    for (size_t k = 0; k < out.dims.size(); ++k) {
      int64_t i = e / os[k] % out.dims[k];
      src += (int64_t(k) == axis ? keep[size_t(i)] : i) * is[k];
    }
    out.cols.push_back(in.cols[size_t(src)]);
  }
  return out;
}

std::vector<int64_t> range(int64_t lo, int64_t hi, int64_t step = 1) {
  std::vector<int64_t> r;
  for (int64_t i = lo; step > 0 ? i < hi : i > hi; i += step)
    r.push_back(i);
  return r;
}

/// The parts one selector node (Slice / Gather / Split) takes of `view`,
/// one Index per output; nullopt if it is not one Loom can split off, or it
/// selects on an axis that is not `selectable` (batch, positions).
std::optional<std::vector<Index>> partsOf(const OnnxModel &m, const OnnxNode &u, const Index &view,
                                          const std::vector<bool> &selectable) {
  const int64_t rank = int64_t(view.dims.size());
  auto dimOk = [&](int64_t a) { return a >= 0 && a < rank && selectable[size_t(a)]; };
  if (!isDefault(u) || u.inputs.empty())
    return std::nullopt;
  if (u.opType == "Slice") {
    auto starts = intsOf(m, u, 1, "starts"), ends = intsOf(m, u, 2, "ends");
    auto axes = intsOf(m, u, 3, "axes"), steps = intsOf(m, u, 4, nullptr);
    if (!starts || !ends || !axes || !steps || starts->size() != ends->size())
      return std::nullopt;
    if (axes->empty())
      *axes = range(0, int64_t(starts->size()));
    Index r = view;
    for (size_t i = 0; i < starts->size(); ++i) {
      int64_t a = normAxis((*axes)[i], rank), step = steps->empty() ? 1 : (*steps)[i];
      if (!dimOk(a) || step <= 0)
        return std::nullopt;
      const int64_t n = r.dims[size_t(a)];
      auto clampIdx = [&](int64_t v) { return std::clamp(v < 0 ? v + n : v, int64_t(0), n); };
      r = select(r, a, range(clampIdx((*starts)[i]), clampIdx((*ends)[i]), step));
    }
    return std::vector<Index>{r};
  }
  if (u.opType == "Gather") {
    const OnnxTensor *idx = u.inputs.size() == 2 ? m.findInitializer(u.inputs[1]) : nullptr;
    int64_t a = normAxis(u.getInt("axis", 0), rank);
    if (!idx || idx->numElements() != 1 || idx->dims.size() > 1 || !dimOk(a))
      return std::nullopt;
    int64_t i = idx->asInt64()[0];
    return std::vector<Index>{select(view, a, {i < 0 ? i + view.dims[size_t(a)] : i})};
  }
  if (u.opType == "Split") {
    int64_t a = normAxis(u.getInt("axis", 0), rank);
    auto sizes = intsOf(m, u, 1, "split");
    if (!sizes || !dimOk(a))
      return std::nullopt;
    const int64_t n = view.dims[size_t(a)], parts = int64_t(u.outputs.size());
    if (sizes->empty()) {
      if (n % parts)
        return std::nullopt;
      sizes->assign(size_t(parts), n / parts);
    }
    if (int64_t(sizes->size()) != parts)
      return std::nullopt;
    std::vector<Index> out;
    int64_t at = 0;
    for (int64_t s : *sizes) {
      out.push_back(select(view, a, range(at, at + s)));
      at += s;
    }
    return at == n ? std::optional<std::vector<Index>>(out) : std::nullopt;
  }
  return std::nullopt;
}

/// Splits the fused projection `lin` if its readers take it apart; true if
/// the model changed.
bool splitOne(OnnxModel &m, const Linear &lin) {
  const std::vector<int64_t> outDims = dimsOf(m, lin.out);
  if (outDims.size() < 2)
    return false;
  const int64_t lead = int64_t(outDims.size()) - 1, n = outDims.back();
  // The view: [Reshape of the columns] [Transpose].
  std::string cur = lin.out;
  const OnnxNode *reshape = nullptr, *tr = nullptr;
  std::vector<int64_t> trailing{n};
  if (const OnnxNode *u = soleUser(m, cur); u && isDefault(*u) && u->opType == "Reshape") {
    std::vector<int64_t> rd = dimsOf(m, u->outputs[0]);
    if (rd.size() < outDims.size() || !std::equal(outDims.begin(), outDims.end() - 1, rd.begin()))
      return false;
    trailing.assign(rd.begin() + lead, rd.end());
    reshape = u, cur = u->outputs[0];
  }
  std::vector<int64_t> perm;
  if (const OnnxNode *u = soleUser(m, cur); u && isDefault(*u) && u->opType == "Transpose") {
    perm = permOf(*u, lead + int64_t(trailing.size()));
    tr = u, cur = u->outputs[0];
  }
  auto users = m.findConsumers(cur);
  if (users.empty() || isGraphOutput(m, cur))
    return false;
  // A Split straight on the projection is imported as it is.
  if (!reshape && !tr && llvm::all_of(users, [](const OnnxNode *u) { return u->opType == "Split"; }))
    return false;

  Index base;
  base.dims.assign(size_t(lead), 1);
  base.dims.insert(base.dims.end(), trailing.begin(), trailing.end());
  base.cols = range(0, n);
  Index view = tr ? transpose(base, perm) : base;
  // Leading axes (batch, positions) may not be selected: after the transpose
  // they are where perm puts them.
  std::vector<bool> selectable(view.dims.size(), true);
  for (size_t k = 0; k < view.dims.size(); ++k)
    selectable[k] = (tr ? perm[k] : int64_t(k)) >= lead;
  struct Part {
    std::string out;
    Index idx;
  };
  std::vector<Part> parts;
  std::set<std::string> gone{lin.matmul->name};
  for (const OnnxNode *u : users) {
    auto ps = partsOf(m, *u, view, selectable);
    if (!ps)
      return false;
    for (size_t i = 0; i < ps->size(); ++i)
      parts.push_back({u->outputs[i], (*ps)[i]});
    gone.insert(u->name);
  }
  for (const OnnxNode *g : {lin.bias, reshape, tr})
    if (g)
      gone.insert(g->name);

  // A part read by a Concat is a head taken apart to be put back together
  // (a partial rotary's rotated and passed-through dims), not q / k / v.
  for (const Part &p : parts) {
    if (dimsOf(m, p.out).empty())
      return false;
    for (const OnnxNode *u : m.findConsumers(p.out))
      if (u->opType == "Concat")
        return false;
  }

  // One projection per part, with the part's view.
  std::vector<OnnxNode> fresh;
  std::set<std::string> taken;
  auto name = [&](const std::string &tag) {
    std::string s = freshName(m, lin.matmul->name, tag, taken);
    taken.insert(s);
    return s;
  };
  for (size_t j = 0; j < parts.size(); ++j) {
    const Part &p = parts[j];
    const std::vector<int64_t> partDims = dimsOf(m, p.out);
    Index pre = tr ? transpose(p.idx, [&] {
      std::vector<int64_t> inv(perm.size());
      for (size_t k = 0; k < perm.size(); ++k)
        inv[size_t(perm[k])] = int64_t(k);
      return inv;
    }())
                   : p.idx;
    const std::string tag = "/qkv_part" + std::to_string(j);
    std::vector<int64_t> linDims = outDims;
    linDims.back() = int64_t(pre.cols.size());
    std::string w = name(tag + "/W");
    m.initializers[w] = pickColumns(*m.findInitializer(lin.weight), pre.cols, w);
    std::string v = name(tag + "/MatMul_out");
    fresh.push_back(makeNode(name(tag + "/MatMul"), "MatMul", {lin.x, w}, v));
    setShape(m, v, linDims);
    if (lin.bias) {
      std::string b = name(tag + "/bias");
      m.initializers[b] = pickColumns(*m.findInitializer(lin.biasName), pre.cols, b);
      std::string s = name(tag + "/Add_out");
      fresh.push_back(makeNode(name(tag + "/Add"), "Add", {v, b}, s));
      setShape(m, s, linDims);
      v = s;
    }
    std::vector<int64_t> dims = linDims;
    auto addView = [&](const char *op, std::vector<int64_t> to, const std::vector<int64_t> *permPtr) {
      std::string s = name(tag + "/" + op + "_out");
      std::vector<std::string> ins{v};
      if (!permPtr)
        ins.push_back(addShape(m, name(tag + "/shape"), to));
      OnnxNode nd = makeNode(name(tag + "/" + op), op, ins, s);
      if (permPtr)
        setInts(nd, "perm", *permPtr);
      fresh.push_back(nd);
      setShape(m, s, to);
      v = s, dims = to;
    };
    std::vector<int64_t> preDims(outDims.begin(), outDims.end() - 1);
    preDims.insert(preDims.end(), pre.dims.begin() + lead, pre.dims.end());
    if (tr && preDims != dims) // else one Reshape to the part's shape does
      addView("Reshape", preDims, nullptr);
    if (tr) {
      std::vector<int64_t> td;
      for (int64_t a : perm)
        td.push_back(dims[size_t(a)]);
      addView("Transpose", td, &perm);
    }
    if (dims != partDims)
      addView("Reshape", partDims, nullptr);
    // The last node writes the part's value under its old name.
    fresh.back().outputs[0] = p.out;
  }
  std::vector<OnnxNode> nodes;
  for (OnnxNode &u : m.nodes) {
    if (&u == lin.matmul)
      nodes.insert(nodes.end(), fresh.begin(), fresh.end());
    if (!gone.count(u.name))
      nodes.push_back(std::move(u));
  }
  m.nodes = std::move(nodes);
  return true;
}

} // namespace

void loom::splitFusedQKV(onnx::OnnxModel &model) {
  std::set<std::string> tried;
  // Each split edits the node list: look for the next projection from the top.
  for (bool changed = true; changed;) {
    changed = false;
    for (const OnnxNode &u : model.nodes) {
      if (!isDefault(u) || u.opType != "MatMul" || !tried.insert(u.name).second)
        continue;
      std::string out = u.outputs[0];
      if (const OnnxNode *a = soleUser(model, out); a && a->opType == "Add")
        out = a->outputs[0];
      std::optional<Linear> lin = linearOf(model, out);
      if (lin && splitOne(model, *lin)) {
        changed = true;
        break;
      }
    }
  }
}
