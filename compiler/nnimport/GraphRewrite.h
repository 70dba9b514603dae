//===- GraphRewrite.h - helpers for ONNX rewrites before import -*- C++ -*-===//
//
// The rewrites that run on the plain ONNX model before import
// (SplitFusedQKV, LiftBatchedMatMul, PermutePartialRotary, FoldEmbedScale)
// look at the same things: static shapes, constant int operands, single
// readers, graph outputs, constant projections, and add constants and value
// shapes of their own (libonnx does not infer shapes again after them).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_NNIMPORT_GRAPHREWRITE_H
#define LOOM_COMPILER_NNIMPORT_GRAPHREWRITE_H

#include "compiler/onnx/OnnxModel.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace loom::rewrite {

using onnx::OnnxModel;
using onnx::OnnxNode;
using onnx::OnnxTensor;
using onnx::OnnxValueInfo;

inline bool isDefault(const OnnxNode &n) { return n.domain.empty(); }

/// `axis` counted from the front of a rank-`rank` tensor.
inline int64_t normAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

/// The static shape of `v`, or {} when it is not known.
inline std::vector<int64_t> dimsOf(const OnnxModel &m, const std::string &v) {
  std::optional<OnnxValueInfo> t = m.typeOf(v);
  if (!t || !t->hasShape || !t->isFullyStatic())
    return {};
  return t->dims;
}

/// The ints of constant input `input`, or of attribute `attr` for opsets
/// that had one; {} when the input is omitted, nullopt if not a constant.
inline std::optional<std::vector<int64_t>> intsOf(const OnnxModel &m, const OnnxNode &n,
                                                  size_t input, const char *attr) {
  if (attr && n.hasAttr(attr))
    return n.getInts(attr);
  if (n.inputs.size() <= input || n.inputs[input].empty())
    return std::vector<int64_t>{};
  if (const OnnxTensor *t = m.findInitializer(n.inputs[input]))
    return t->asInt64();
  return std::nullopt;
}

inline bool isGraphOutput(const OnnxModel &m, const std::string &v) {
  for (const auto &o : m.outputs)
    if (o.name == v)
      return true;
  return false;
}

/// The one node reading `v` (and `v` no graph output), or null.
inline const OnnxNode *soleUser(const OnnxModel &m, const std::string &v) {
  auto users = m.findConsumers(v);
  return users.size() == 1 && !isGraphOutput(m, v) ? users[0] : nullptr;
}

/// A name no value or initializer of `m` has yet: `base` + `tag` [+ _k].
inline std::string freshName(const OnnxModel &m, const std::string &base, const std::string &tag,
                             const std::set<std::string> &taken = {}) {
  std::string name = base + tag;
  for (int k = 1; m.findInitializer(name) || m.findProducer(name) || m.findValueInfo(name) ||
                  taken.count(name);
       ++k)
    name = base + tag + "_" + std::to_string(k);
  return name;
}

/// Adds a constant (float, or int64 of values exact in a double) and returns
/// its name.
inline std::string addConstant(OnnxModel &m, const std::string &name, std::vector<int64_t> dims,
                               const std::vector<double> &values, bool int64 = false) {
  OnnxTensor t;
  t.name = name;
  t.dims = std::move(dims);
  t.elemType = int64 ? onnx::kInt64 : onnx::kFloat;
  t.values = values;
  if (int64)
    for (double v : values)
      t.intValues.push_back(int64_t(v));
  m.initializers[name] = std::move(t);
  return name;
}

/// Adds a 1-D int64 constant (exact: INT64_MAX ends are not doubles).
inline std::string addShape(OnnxModel &m, const std::string &name,
                            const std::vector<int64_t> &shape) {
  addConstant(m, name, {int64_t(shape.size())}, std::vector<double>(shape.begin(), shape.end()),
              /*int64=*/true);
  m.initializers[name].intValues = shape;
  return name;
}

/// Records (or replaces) the float shape of value `v`.
inline void setShape(OnnxModel &m, const std::string &v, const std::vector<int64_t> &dims) {
  for (auto *list : {&m.outputs, &m.valueInfos})
    for (OnnxValueInfo &vi : *list)
      if (vi.name == v) {
        vi.hasShape = true;
        vi.dims = dims;
        vi.dimParams.assign(dims.size(), "");
        return;
      }
  OnnxValueInfo vi;
  vi.name = v;
  vi.elemType = onnx::kFloat;
  vi.hasShape = true;
  vi.dims = dims;
  vi.dimParams.assign(dims.size(), "");
  m.valueInfos.push_back(vi);
}

inline OnnxNode makeNode(const std::string &name, const std::string &opType,
                         std::vector<std::string> inputs, std::string output) {
  OnnxNode n;
  n.name = name;
  n.opType = opType;
  n.inputs = std::move(inputs);
  n.outputs = {std::move(output)};
  return n;
}

inline void setInts(OnnxNode &n, const std::string &attr, const std::vector<int64_t> &v) {
  onnx::OnnxAttr a;
  a.name = attr;
  a.kind = onnx::OnnxAttr::Kind::Ints;
  a.ints = v;
  n.attrs[attr] = a;
}

inline void setInt(OnnxNode &n, const std::string &attr, int64_t v) {
  onnx::OnnxAttr a;
  a.name = attr;
  a.kind = onnx::OnnxAttr::Kind::Int;
  a.i = v;
  n.attrs[attr] = a;
}

/// A float projection y = MatMul(x, W) [+ b]: W a constant [K, N], b a
/// constant [N] (Add in either order), the MatMul read only by the Add.
struct Linear {
  const OnnxNode *matmul = nullptr, *bias = nullptr;
  std::string x, weight, biasName, out;
};

inline std::optional<Linear> linearOf(const OnnxModel &m, const std::string &v) {
  const OnnxNode *p = m.findProducer(v);
  if (!p || !isDefault(*p))
    return std::nullopt;
  Linear l;
  l.out = v;
  if (p->opType == "Add" && p->inputs.size() == 2) {
    for (int k = 0; k < 2 && !l.bias; ++k) {
      const OnnxNode *mm = m.findProducer(p->inputs[size_t(k)]);
      if (mm && isDefault(*mm) && mm->opType == "MatMul" &&
          m.findInitializer(p->inputs[size_t(1 - k)]) && soleUser(m, mm->outputs[0]) == p)
        l.bias = p, l.matmul = mm, l.biasName = p->inputs[size_t(1 - k)];
    }
  } else if (p->opType == "MatMul") {
    l.matmul = p;
  }
  if (!l.matmul || l.matmul->inputs.size() != 2)
    return std::nullopt;
  l.x = l.matmul->inputs[0];
  l.weight = l.matmul->inputs[1];
  const OnnxTensor *w = m.findInitializer(l.weight);
  if (!w || w->dims.size() != 2 || m.findInitializer(l.x))
    return std::nullopt;
  if (l.bias) {
    const OnnxTensor *b = m.findInitializer(l.biasName);
    if (b->numElements() != w->dims[1] || b->dims.empty() || b->dims.back() != w->dims[1])
      return std::nullopt;
  }
  return l;
}

/// `t` (a [K, N] weight or an [N] bias) with its columns `cols`, in order.
inline OnnxTensor pickColumns(const OnnxTensor &t, const std::vector<int64_t> &cols,
                              const std::string &name) {
  OnnxTensor r;
  r.name = name;
  r.elemType = t.elemType;
  const int64_t n = t.dims.back(), rows = t.numElements() / n;
  r.dims = t.dims;
  r.dims.back() = int64_t(cols.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t c : cols)
      r.values.push_back(t.values[size_t(i * n + c)]);
  return r;
}

/// A transpose's permutation of a rank-`rank` tensor (the default reverses).
inline std::vector<int64_t> permOf(const OnnxNode &n, int64_t rank) {
  std::vector<int64_t> p = n.getInts("perm");
  if (p.empty())
    for (int64_t d = rank - 1; d >= 0; --d)
      p.push_back(d);
  for (int64_t &a : p)
    a = normAxis(a, rank);
  return p;
}

/// Keeps the nodes not in `gone`, renaming inputs by `renamed` (a removed
/// node's output -> the value its readers read instead).
inline void dropNodes(OnnxModel &m, const std::set<std::string> &gone,
                      const std::map<std::string, std::string> &renamed) {
  std::vector<OnnxNode> kept;
  for (OnnxNode &n : m.nodes) {
    if (gone.count(n.name))
      continue;
    for (std::string &in : n.inputs)
      for (auto it = renamed.find(in); it != renamed.end(); it = renamed.find(in))
        in = it->second;
    kept.push_back(std::move(n));
  }
  m.nodes = std::move(kept);
}

} // namespace loom::rewrite

#endif
