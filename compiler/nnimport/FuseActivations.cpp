//===- FuseActivations.cpp - decomposed GELU and SiLU as one ONNX node -----===//
//
// PyTorch and Hugging Face exports below opset 20 write GELU and SiLU as
// several element-wise nodes (Erf, Tanh, Pow, Mul by constants). Loom computes
// an element-wise activation with one table, so before import each such chain
// becomes the fused node onnxruntime's transformer optimizer writes for it:
//
//   exact GELU  x * 0.5 * (1 + Erf(x / sqrt 2))                -> com.microsoft Gelu
//   tanh GELU   0.5 x (1 + Tanh(sqrt(2/pi) (x + 0.044715 x^3))) -> com.microsoft FastGelu
//               (BLOOM: 0.5 x (1 + Tanh(0.79788456 x (1 + 0.044715 x x))))
//   SiLU        x * Sigmoid(x)                                  -> com.microsoft QuickGelu(1)
//
// (the division by sqrt 2 may be a Mul by 1/sqrt 2, the cube a Pow(x, 3) or
// x * x * x, the halving before or after the product, operands in either
// order). A chain fuses only when its inner tensors feed nothing else and are
// not graph outputs; the fused node takes the name of the chain's last node,
// so errors and report.json name what the exporter named. Matching ONNX nodes
// (not nn ops) keeps Erf, Pow and friends out of the nn dialect: alone, they
// stay unsupported and are refused by name.
//
//===----------------------------------------------------------------------===//
#include "compiler/nnimport/ImportToNN.h"

#include <cmath>
#include <map>
#include <optional>
#include <set>

using namespace loom;
using onnx::OnnxModel;
using onnx::OnnxNode;

namespace {

class Fuser {
public:
  explicit Fuser(OnnxModel &m) : model(m) {
    for (size_t i = 0; i < m.nodes.size(); ++i) {
      for (const std::string &o : m.nodes[i].outputs)
        producer[o] = i;
      for (const std::string &in : m.nodes[i].inputs)
        ++uses[in];
    }
    for (const auto &o : m.outputs)
      ++uses[o.name]; // a graph output is a use no fusion may hide
  }

  void run() {
    for (size_t i = 0; i < model.nodes.size(); ++i) {
      const OnnxNode &n = model.nodes[i];
      if (!n.domain.empty() || removed.count(i))
        continue;
      if (n.opType == "Erf")
        matchGelu(i, /*tanh=*/false);
      else if (n.opType == "Tanh")
        matchGelu(i, /*tanh=*/true);
      else if (n.opType == "Sigmoid")
        matchSilu(i);
    }
    if (fused.empty())
      return;
    std::vector<OnnxNode> nodes;
    for (size_t i = 0; i < model.nodes.size(); ++i) {
      if (auto it = fused.find(i); it != fused.end())
        nodes.push_back(it->second);
      else if (!removed.count(i))
        nodes.push_back(model.nodes[i]);
    }
    model.nodes = std::move(nodes);
    model.opsetImports.try_emplace("com.microsoft", 1);
  }

private:
  OnnxModel &model;
  std::map<std::string, size_t> producer, uses;
  std::set<size_t> removed;
  std::map<size_t, OnnxNode> fused; // by the index of the chain's last node

  const OnnxNode *node(const std::string &value, const char *opType) const {
    auto it = producer.find(value);
    if (it == producer.end() || removed.count(it->second))
      return nullptr;
    const OnnxNode &n = model.nodes[it->second];
    return n.domain.empty() && n.opType == opType ? &n : nullptr;
  }
  std::optional<size_t> indexOf(const OnnxNode *n) const {
    if (!n)
      return std::nullopt;
    return size_t(n - model.nodes.data());
  }
  /// The only node reading `value`, if it is an `opType` and `value` is not a graph output.
  const OnnxNode *soleUser(const std::string &value, const char *opType) const {
    auto u = uses.find(value);
    if (u == uses.end() || u->second != 1)
      return nullptr;
    for (const OnnxNode &n : model.nodes)
      for (const std::string &in : n.inputs)
        if (in == value)
          return n.domain.empty() && n.opType == opType && !removed.count(*indexOf(&n)) ? &n
                                                                                         : nullptr;
    return nullptr;
  }
  std::optional<double> scalar(const std::string &value) const {
    const onnx::OnnxTensor *t = model.findInitializer(value);
    if (!t || t->values.size() != 1)
      return std::nullopt;
    return t->values[0];
  }
  static bool near(std::optional<double> v, double want) {
    return v && std::fabs(*v - want) <= 1e-3 * std::fabs(want);
  }
  /// For a binary node with a scalar constant of value `c` on one side: the
  /// other operand.
  std::optional<std::string> withConstant(const OnnxNode *n, double c) const {
    if (!n || n->inputs.size() != 2)
      return std::nullopt;
    if (near(scalar(n->inputs[1]), c))
      return n->inputs[0];
    if (near(scalar(n->inputs[0]), c))
      return n->inputs[1];
    return std::nullopt;
  }
  /// The operand of binary node `n` other than `v` (nullopt if `v` is not one).
  static std::optional<std::string> other(const OnnxNode *n, const std::string &v) {
    if (!n || n->inputs.size() != 2)
      return std::nullopt;
    if (n->inputs[0] == v)
      return n->inputs[1];
    if (n->inputs[1] == v)
      return n->inputs[0];
    return std::nullopt;
  }

  /// (1 + act) times x and times 0.5, in either association. Returns the last
  /// node and the nodes used, or nothing.
  bool matchTail(const OnnxNode *act, const std::string &x, std::vector<const OnnxNode *> &chain,
                 const OnnxNode *&last) {
    const OnnxNode *add = soleUser(act->outputs[0], "Add");
    auto one = withConstant(add, 1.0);
    if (!one || *one != act->outputs[0])
      return false;
    const OnnxNode *mul = soleUser(add->outputs[0], "Mul");
    auto o = other(mul, add->outputs[0]);
    if (!o)
      return false;
    chain.insert(chain.end(), {add, mul});
    if (*o == x) { // (x * (1 + act)) * 0.5
      const OnnxNode *half = soleUser(mul->outputs[0], "Mul");
      auto h = withConstant(half, 0.5);
      if (!h || *h != mul->outputs[0])
        return false;
      chain.push_back(half);
      last = half;
      return true;
    }
    const OnnxNode *half = node(*o, "Mul"); // (0.5 * x) * (1 + act)
    auto h = withConstant(half, 0.5);
    if (!h || *h != x || uses[*o] != 1)
      return false;
    chain.push_back(half);
    last = mul;
    return true;
  }

  void commit(const std::vector<const OnnxNode *> &chain, const OnnxNode *last,
              const std::string &x, const char *opType, std::optional<double> alpha = {}) {
    for (const OnnxNode *n : chain)
      removed.insert(*indexOf(n));
    OnnxNode f;
    f.name = last->name;
    f.opType = opType;
    f.domain = "com.microsoft";
    f.inputs = {x};
    f.outputs = {last->outputs[0]};
    if (alpha) {
      onnx::OnnxAttr a;
      a.name = "alpha";
      a.kind = onnx::OnnxAttr::Kind::Float;
      a.f = *alpha;
      f.attrs["alpha"] = a;
    }
    fused[*indexOf(last)] = f;
  }

  void matchGelu(size_t i, bool tanh) {
    const OnnxNode *act = &model.nodes[i];
    std::vector<const OnnxNode *> chain = {act};
    std::string x;
    if (!tanh) { // Erf(x / sqrt 2) or Erf(x * (1 / sqrt 2))
      const OnnxNode *div = node(act->inputs[0], "Div");
      const OnnxNode *mul = node(act->inputs[0], "Mul");
      std::optional<std::string> in;
      if (div && near(scalar(div->inputs[1]), std::sqrt(2.0)))
        in = div->inputs[0];
      else if (mul)
        in = withConstant(mul, 1.0 / std::sqrt(2.0));
      if (!in || uses[act->inputs[0]] != 1)
        return;
      x = *in;
      chain.push_back(div && in ? div : mul);
    } else { // Tanh(sqrt(2/pi) * (x + 0.044715 * x^3))
      const OnnxNode *scale = node(act->inputs[0], "Mul");
      auto sum = withConstant(scale, std::sqrt(2.0 / M_PI));
      const OnnxNode *add = sum ? node(*sum, "Add") : nullptr;
      const bool plain = add && uses[act->inputs[0]] == 1 && uses[*sum] == 1;
      for (int k = 0; plain && k < 2 && x.empty(); ++k) {
        const OnnxNode *cubic = node(add->inputs[1 - k], "Mul");
        auto cube = withConstant(cubic, 0.044715);
        if (!cube || uses[add->inputs[1 - k]] != 1)
          continue;
        const std::string &cand = add->inputs[k];
        const OnnxNode *pow = node(*cube, "Pow");
        const OnnxNode *x3 = node(*cube, "Mul");
        if (pow && pow->inputs[0] == cand && near(scalar(pow->inputs[1]), 3.0) &&
            uses[*cube] == 1) {
          chain.insert(chain.end(), {scale, add, cubic, pow});
          x = cand;
        } else if (x3 && uses[*cube] == 1) { // (x * x) * x
          auto sq = other(x3, cand);
          const OnnxNode *x2 = sq ? node(*sq, "Mul") : nullptr;
          if (x2 && x2->inputs[0] == cand && x2->inputs[1] == cand && uses[*sq] == 1) {
            chain.insert(chain.end(), {scale, add, cubic, x3, x2});
            x = cand;
          }
        }
      }
      if (x.empty())
        matchBloomInner(act, chain, x);
      if (x.empty())
        return;
    }
    const OnnxNode *last = nullptr;
    if (matchTail(act, x, chain, last))
      commit(chain, last, x, tanh ? "FastGelu" : "Gelu");
  }

  /// BLOOM's spelling of the tanh argument, sqrt(2/pi) x (1 + 0.044715 x x):
  /// Mul(Mul(0.79788456, x), Add(1, 0.044715 * x * x)), the square term as
  /// Mul(0.044715, Mul(x, x)) or, as torch traces `0.044715 * x * x`,
  /// Mul(Mul(x, 0.044715), x). Sets `x` and extends `chain` on a match.
  void matchBloomInner(const OnnxNode *act, std::vector<const OnnxNode *> &chain,
                       std::string &x) {
    const OnnxNode *prod = node(act->inputs[0], "Mul");
    if (!prod || prod->inputs.size() != 2 || uses[act->inputs[0]] != 1)
      return;
    for (int k = 0; k < 2; ++k) {
      const OnnxNode *sx = node(prod->inputs[size_t(k)], "Mul");
      auto cand = withConstant(sx, std::sqrt(2.0 / M_PI));
      const OnnxNode *inner = node(prod->inputs[size_t(1 - k)], "Add");
      auto poly = withConstant(inner, 1.0);
      const OnnxNode *pm = poly ? node(*poly, "Mul") : nullptr;
      if (!cand || !pm || uses[prod->inputs[0]] != 1 || uses[prod->inputs[1]] != 1 ||
          uses[*poly] != 1)
        continue;
      const OnnxNode *sq = nullptr;
      if (auto xx = withConstant(pm, 0.044715)) { // 0.044715 * (x * x)
        sq = node(*xx, "Mul");
        if (!sq || sq->inputs[0] != *cand || sq->inputs[1] != *cand || uses[*xx] != 1)
          continue;
      } else if (auto t = other(pm, *cand)) { // (x * 0.044715) * x
        sq = node(*t, "Mul");
        auto c = withConstant(sq, 0.044715);
        if (!c || *c != *cand || uses[*t] != 1)
          continue;
      } else {
        continue;
      }
      chain.insert(chain.end(), {prod, sx, inner, pm, sq});
      x = *cand;
      return;
    }
  }

  void matchSilu(size_t i) {
    const OnnxNode *sig = &model.nodes[i];
    const std::string &x = sig->inputs[0];
    const OnnxNode *mul = soleUser(sig->outputs[0], "Mul");
    auto o = other(mul, sig->outputs[0]);
    if (o && *o == x)
      commit({sig, mul}, mul, x, "QuickGelu", 1.0);
  }
};

} // namespace

void loom::fuseActivationChains(OnnxModel &model) { Fuser(model).run(); }
