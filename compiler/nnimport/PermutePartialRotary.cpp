//===- PermutePartialRotary.cpp - partial rotary as a full one ------------===//
//
// GPT-NeoX / Pythia and Phi rotate only the first R of each head's D dims:
//   Concat(rotary(Slice(y, :R)), Slice(y, R:))        (last axis)
// where rotary(x) = x * cos + Concat(Neg(x[R/2:]), x[:R/2]) * sin pairs dim i
// with i + R/2. Loom's rotary hardware pairs d with d + D/2 (docs/CONTRACTS.md
// "Rotary"). The attention scores q . k do not change when the D dims of q
// and k are permuted alike, so before import the q and k projections get
// their columns permuted in each head, p -> pi(p):
//   p < R/2            -> p            (first halves of the rotated pairs)
//   D/2 <= p < D/2+R/2 -> R/2 + p-D/2  (their partners, now D/2 apart)
//   the other p        -> R, R+1, ...  (the pass-through dims, in order)
// and the chain becomes a full rotary on the D dims with cos = 1, sin = 0 on
// the pass-through dims (y * 1 + rotate_half(y) * 0 = y exactly). The rotated
// dims compute the same float products as before, so q' = q[pi], k' = k[pi]
// and the scores are equal; the table value 1 is exact in the hardware's
// tables (2^14). Only q and k that meet in one score MatMul (through scalar
// Mul / Div and K's transpose) are rewritten; anything else is left alone.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/GraphRewrite.h"
#include "compiler/nnimport/ImportToNN.h"

#include "llvm/ADT/STLExtras.h"

#include <limits>

using namespace loom;
using namespace loom::rewrite;

namespace {

/// Slice(x, start, end, last axis, step 1) with constant bounds.
bool lastAxisSlice(const OnnxModel &m, const OnnxNode *n, const std::string &x, int64_t rank,
                   int64_t &start, int64_t &end) {
  if (!n || !isDefault(*n) || n->opType != "Slice" || n->inputs.empty() || n->inputs[0] != x)
    return false;
  auto s = intsOf(m, *n, 1, "starts"), e = intsOf(m, *n, 2, "ends");
  auto a = intsOf(m, *n, 3, "axes"), st = intsOf(m, *n, 4, nullptr);
  if (!s || !e || !a || !st || s->size() != 1 || e->size() != 1 || a->size() > 1 ||
      st->size() > 1 || (!st->empty() && (*st)[0] != 1))
    return false;
  if (a->empty() ? rank != 1 : normAxis((*a)[0], rank) != rank - 1)
    return false;
  start = (*s)[0], end = (*e)[0];
  return true;
}

bool isLastAxisConcat(const OnnxNode *n, int64_t rank) {
  return n && isDefault(*n) && n->opType == "Concat" && n->inputs.size() == 2 &&
         normAxis(n->getInt("axis", 0), rank) == rank - 1;
}

/// One partial rotary: Concat(Add(Mul(yr, cos), Mul(rotate_half(yr), sin)), yp).
struct Partial {
  const OnnxNode *cat = nullptr;
  std::string y, out;
  const OnnxTensor *cos = nullptr, *sin = nullptr;
  int64_t D = 0, R = 0;
  std::vector<std::string> nodes; ///< everything from the two Slices of y to cat
};

std::optional<Partial> matchPartial(const OnnxModel &m, const OnnxNode &cat) {
  std::vector<int64_t> od = dimsOf(m, cat.outputs[0]);
  const int64_t rank = int64_t(od.size());
  if (rank < 2 || !isLastAxisConcat(&cat, rank))
    return std::nullopt;
  Partial p;
  p.cat = &cat, p.out = cat.outputs[0], p.D = od.back();
  const OnnxNode *add = m.findProducer(cat.inputs[0]), *ypS = m.findProducer(cat.inputs[1]);
  if (!add || !ypS || !isDefault(*add) || add->opType != "Add" || add->inputs.size() != 2 ||
      ypS->inputs.empty())
    return std::nullopt;
  p.y = ypS->inputs[0];
  int64_t b = 0, e = 0;
  if (!lastAxisSlice(m, ypS, p.y, rank, b, e) || e < p.D || b <= 0 || b >= p.D || b % 2)
    return std::nullopt;
  p.R = b;
  for (int swap = 0; swap < 2; ++swap) {
    const OnnxNode *m0 = m.findProducer(add->inputs[size_t(swap)]);
    const OnnxNode *m1 = m.findProducer(add->inputs[size_t(1 - swap)]);
    if (!m0 || !m1 || m0->opType != "Mul" || m1->opType != "Mul" || m0->inputs.size() != 2 ||
        m1->inputs.size() != 2)
      continue;
    for (int a = 0; a < 2; ++a)
      for (int c = 0; c < 2; ++c) {
        const std::string &yr = m0->inputs[size_t(a)];
        const OnnxTensor *cos = m.findInitializer(m0->inputs[size_t(1 - a)]);
        const OnnxTensor *sin = m.findInitializer(m1->inputs[size_t(1 - c)]);
        const OnnxNode *yrS = m.findProducer(yr), *rh = m.findProducer(m1->inputs[size_t(c)]);
        int64_t rb = 0, re = 0;
        if (!cos || !sin || !yrS || !lastAxisSlice(m, yrS, p.y, rank, rb, re) || rb != 0 ||
            re != p.R || !isLastAxisConcat(rh, rank))
          continue;
        const OnnxNode *neg = m.findProducer(rh->inputs[0]), *h1 = m.findProducer(rh->inputs[1]);
        const OnnxNode *h2 = neg && neg->opType == "Neg" ? m.findProducer(neg->inputs[0]) : nullptr;
        int64_t b1 = 0, e1 = 0, b2 = 0, e2 = 0;
        std::vector<std::string> halves;
        if (h1 && h1 == h2 && h1->opType == "Split" && h1->inputs[0] == yr &&
            h1->outputs.size() == 2 && h1->outputs[1] == neg->inputs[0] &&
            h1->outputs[0] == rh->inputs[1] && normAxis(h1->getInt("axis", 0), rank) == rank - 1) {
          auto sizes = intsOf(m, *h1, 1, "split");
          if (!sizes || !(sizes->empty() || *sizes == std::vector<int64_t>{p.R / 2, p.R / 2}))
            continue;
          halves = {h1->name};
        } else if (lastAxisSlice(m, h1, yr, rank, b1, e1) && lastAxisSlice(m, h2, yr, rank, b2, e2) &&
                   b1 == 0 && e1 == p.R / 2 && b2 == p.R / 2 && e2 >= p.R) {
          halves = {h1->name, h2->name};
        } else {
          continue;
        }
        // Every table [.., T, R]; every intermediate read by the pattern only.
        bool ok = cos->dims.size() >= 2 && cos->dims == sin->dims && cos->dims.back() == p.R &&
                  soleUser(m, add->outputs[0]) == &cat && soleUser(m, m0->outputs[0]) == add &&
                  soleUser(m, m1->outputs[0]) == add && soleUser(m, rh->outputs[0]) == m1 &&
                  soleUser(m, neg->outputs[0]) == rh && soleUser(m, ypS->outputs[0]) == &cat &&
                  m.findConsumers(p.y).size() == 2 && !isGraphOutput(m, p.y) &&
                  m.findConsumers(yr).size() == 1 + halves.size() && !isGraphOutput(m, yr);
        if (!ok)
          continue;
        p.cos = cos, p.sin = sin;
        p.nodes = {ypS->name, yrS->name, m0->name, m1->name, add->name, rh->name, neg->name,
                   cat.name};
        p.nodes.insert(p.nodes.end(), halves.begin(), halves.end());
        return p;
      }
  }
  return std::nullopt;
}

/// The score MatMul `v` feeds through scalar Mul / Div and (K only) one
/// transpose of the last two axes, and which operand it is; null if none.
const OnnxNode *scoreUse(const OnnxModel &m, std::string v, bool key, int &operand) {
  bool transposed = false;
  for (int steps = 0; steps < 8; ++steps) {
    const OnnxNode *u = soleUser(m, v);
    if (!u || !isDefault(*u))
      return nullptr;
    const int64_t rank = int64_t(dimsOf(m, v).size());
    if ((u->opType == "Mul" || u->opType == "Div") && u->inputs.size() == 2) {
      const OnnxTensor *c = m.findInitializer(u->inputs[u->inputs[0] == v ? 1 : 0]);
      if (!c || c->numElements() != 1 || (u->opType == "Div" && u->inputs[0] != v))
        return nullptr;
    } else if (u->opType == "Transpose" && key && !transposed && rank >= 2) {
      std::vector<int64_t> perm = permOf(*u, rank), swap;
      for (int64_t d = 0; d < rank - 2; ++d)
        swap.push_back(d);
      swap.insert(swap.end(), {rank - 1, rank - 2});
      if (perm != swap)
        return nullptr;
      transposed = true;
    } else if (u->opType == "MatMul" && u->inputs[0] != u->inputs[1]) {
      operand = u->inputs[0] == v ? 0 : 1;
      return key == transposed ? u : nullptr;
    } else {
      return nullptr;
    }
    v = u->outputs[0];
  }
  return nullptr;
}

/// The projection whose head view [.., T, D] (Reshape, then a Transpose that
/// keeps the last axis) is `y`, each view read only by the next.
std::optional<Linear> headProjection(const OnnxModel &m, const std::string &y, int64_t D) {
  const OnnxNode *p = m.findProducer(y);
  if (p && isDefault(*p) && p->opType == "Transpose") {
    const int64_t rank = int64_t(dimsOf(m, y).size());
    if (rank == 0 || permOf(*p, rank).back() != rank - 1 || soleUser(m, p->inputs[0]) != p)
      return std::nullopt;
    p = m.findProducer(p->inputs[0]);
  }
  if (!p || !isDefault(*p) || p->opType != "Reshape" || dimsOf(m, p->outputs[0]).back() != D)
    return std::nullopt;
  std::optional<Linear> l = linearOf(m, p->inputs[0]);
  if (!l || soleUser(m, l->out) != p || m.findInitializer(l->weight)->dims[1] % D)
    return std::nullopt;
  return l;
}

/// The full-rotary table over D dims of partial table `t` (.., R): pass-through
/// dims get `fill`.
std::vector<double> widenTable(const OnnxTensor &t, int64_t D, int64_t R, double fill) {
  std::vector<double> out;
  const int64_t rows = t.numElements() / R;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t p = 0; p < D; ++p) {
      int64_t src = p < R / 2 ? p : (p >= D / 2 && p < D / 2 + R / 2 ? R / 2 + p - D / 2 : -1);
      out.push_back(src < 0 ? fill : t.values[size_t(i * R + src)]);
    }
  return out;
}

void rewritePair(OnnxModel &m, const Partial &q, const Partial &k) {
  const int64_t D = q.D, R = q.R;
  std::vector<int64_t> pi;
  for (int64_t p = 0, pass = R; p < D; ++p)
    pi.push_back(p < R / 2 ? p : (p >= D / 2 && p < D / 2 + R / 2 ? R / 2 + p - D / 2 : pass++));
  std::set<std::string> gone, taken;
  std::map<std::string, std::vector<OnnxNode>> before; // new nodes, by the node they precede
  for (const Partial *part : {&q, &k}) {
    // The projection: columns permuted in every head.
    Linear lin = *headProjection(m, part->y, D);
    const int64_t n = m.findInitializer(lin.weight)->dims[1];
    std::vector<int64_t> cols;
    for (int64_t c = 0; c < n; ++c)
      cols.push_back(c - c % D + pi[size_t(c % D)]);
    OnnxNode &mm = const_cast<OnnxNode &>(*lin.matmul);
    std::string w = freshName(m, lin.weight, "/rotary_permuted");
    m.initializers[w] = pickColumns(*m.findInitializer(lin.weight), cols, w);
    mm.inputs[1] = w;
    if (lin.bias) {
      OnnxNode &add = const_cast<OnnxNode &>(*lin.bias);
      std::string b = freshName(m, lin.biasName, "/rotary_permuted");
      m.initializers[b] = pickColumns(*m.findInitializer(lin.biasName), cols, b);
      for (std::string &in : add.inputs)
        if (in == lin.biasName)
          in = b;
    }
    // The full rotary on y: y * cos' + Concat(Neg(y[D/2:]), y[:D/2]) * sin'.
    const std::string base = part->cat->name;
    auto name = [&](const std::string &tag) {
      std::string s = freshName(m, base, tag, taken);
      taken.insert(s);
      return s;
    };
    std::vector<int64_t> yd = dimsOf(m, part->y), half = yd, td = part->cos->dims;
    half.back() = D / 2;
    td.back() = D;
    std::string cos = addConstant(m, name("/cos_full"), td, widenTable(*part->cos, D, R, 1.0));
    std::string sin = addConstant(m, name("/sin_full"), td, widenTable(*part->sin, D, R, 0.0));
    auto ints = [&](int64_t v) { return addShape(m, name("/bound"), {v}); };
    std::vector<OnnxNode> fresh;
    auto add = [&](const std::string &op, std::vector<std::string> ins,
                   const std::vector<int64_t> &dims, const std::string &out = "") {
      std::string o = out.empty() ? name("/" + op + "_out") : out;
      fresh.push_back(makeNode(name("/" + op), op, std::move(ins), o));
      if (out.empty())
        setShape(m, o, dims);
      return o;
    };
    std::string x1 = add("Slice", {part->y, ints(0), ints(D / 2), ints(-1)}, half);
    std::string x2 = add("Slice", {part->y, ints(D / 2),
                                   ints(std::numeric_limits<int64_t>::max()), ints(-1)},
                         half);
    std::string rh = add("Concat", {add("Neg", {x2}, half), x1}, yd);
    setInt(fresh.back(), "axis", -1);
    std::string a = add("Mul", {part->y, cos}, yd), b = add("Mul", {rh, sin}, yd);
    add("Add", {a, b}, yd, part->out);
    before[part->cat->name] = std::move(fresh);
    gone.insert(part->nodes.begin(), part->nodes.end());
  }
  std::vector<OnnxNode> nodes;
  for (OnnxNode &u : m.nodes) {
    if (auto it = before.find(u.name); it != before.end())
      nodes.insert(nodes.end(), it->second.begin(), it->second.end());
    if (!gone.count(u.name))
      nodes.push_back(std::move(u));
  }
  m.nodes = std::move(nodes);
}

} // namespace

void loom::permutePartialRotary(onnx::OnnxModel &m) {
  // Each rewrite edits the node list: match again from the top.
  std::set<std::string> tried;
  auto rewriteOne = [&]() {
    std::vector<Partial> found;
    for (const OnnxNode &n : m.nodes)
      if (!tried.count(n.name))
        if (auto p = matchPartial(m, n))
          found.push_back(*p);
    for (const Partial &q : found)
      for (const Partial &k : found) {
        int oq = -1, ok = -1;
        const OnnxNode *sq = scoreUse(m, q.out, /*key=*/false, oq);
        const OnnxNode *sk = scoreUse(m, k.out, /*key=*/true, ok);

        if (!sq || sq != sk || oq != 0 || ok != 1 || q.D != k.D || q.R != k.R ||
            !headProjection(m, q.y, q.D) || !headProjection(m, k.y, k.D))
          continue;
        tried.insert(q.cat->name);
        tried.insert(k.cat->name);
        rewritePair(m, q, k);
        return true;
      }
    return false;
  };
  while (rewriteOne()) {
  }
}
