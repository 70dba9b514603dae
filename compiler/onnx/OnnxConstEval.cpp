//===- OnnxConstEval.cpp - Nodes of constants, evaluated at load ---------===//
//
// Exporters build attention masks, position ids and rotary tables at run time
// from the input's static shape: Hugging Face writes ConstantOfShape, Range,
// CumSum, Expand, Trilu, Less / Equal / Where, Max, Cos / Sin, MatMul of
// inv_freq by the positions, Cast, Slice of a [1, 1, Tmax, Tmax] buffer. Once
// T is static all of it is constant, but ONNX shape inference does not
// propagate through it (a Slice with computed bounds has an unknown shape, and
// so has everything after it). evaluateNode computes such a node with ONNX's
// semantics (numpy broadcasting, float32 rounding of float results, int64
// arithmetic of integer ones); the loader folds every such node and infers
// shapes again, and the importer folds what its own passes make constant.
// Quantizers and contrib-domain ops are never evaluated: their import keeps
// the scales.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/OnnxConstEval.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <set>

using namespace loom;
using namespace loom::onnx;
namespace {

bool isInt(int t) { return !isFloatElemType(t); }

/// Row-major strides of `dims`.
std::vector<int64_t> stridesOf(const std::vector<int64_t> &dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int64_t i = int64_t(dims.size()) - 2; i >= 0; --i)
    s[size_t(i)] = s[size_t(i) + 1] * dims[size_t(i) + 1];
  return s;
}

int64_t count(const std::vector<int64_t> &dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

/// A tensor's elements as doubles (exact int64 for integer tensors).
struct Vals {
  std::vector<int64_t> dims;
  int type = kFloat;
  std::vector<double> f;
  std::vector<int64_t> i;
  double at(int64_t k) const { return isInt(type) ? double(i[size_t(k)]) : f[size_t(k)]; }
  int64_t atInt(int64_t k) const { return isInt(type) ? i[size_t(k)] : int64_t(f[size_t(k)]); }
};

Vals valsOf(const OnnxTensor &t) {
  Vals v;
  v.dims = t.dims, v.type = t.elemType;
  if (isInt(t.elemType))
    v.i = t.asInt64();
  else
    v.f = t.values;
  return v;
}

/// Stores `v` as `name`: float results rounded as the element type holds
/// them, integer (and bool) results exact.
OnnxTensor tensorOf(const std::string &name, Vals v) {
  OnnxTensor t;
  t.name = name, t.dims = v.dims, t.elemType = v.type;
  if (isInt(v.type)) {
    if (v.type == kBool)
      for (int64_t &x : v.i)
        x = x != 0;
    t.intValues = v.i;
    t.values.assign(v.i.begin(), v.i.end());
  } else {
    t.values = std::move(v.f);
    if (v.type == kFloat || v.type == kFloat16)
      for (double &x : t.values)
        x = double(float(x));
  }
  return t;
}

/// The next row-major multi-index of `dims` after `idx` (wraps to all zeros).
void nextIndex(std::vector<int64_t> &idx, const std::vector<int64_t> &dims) {
  for (int64_t d = int64_t(dims.size()) - 1; d >= 0; --d) {
    if (++idx[size_t(d)] < dims[size_t(d)])
      return;
    idx[size_t(d)] = 0;
  }
}

/// Folding makes a constant of every result: a shape built from a bad
/// model's values must not allocate without bound.
constexpr int64_t kMaxElements = int64_t(1) << 24;
bool tooLarge(const std::vector<int64_t> &dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || (d > 0 && n > kMaxElements / d))
      return true;
    n *= d;
  }
  return false;
}

/// numpy broadcasting of several shapes; nullopt if they do not broadcast.
std::optional<std::vector<int64_t>> broadcast(const std::vector<const Vals *> &ins) {
  size_t rank = 0;
  for (const Vals *v : ins)
    rank = std::max(rank, v->dims.size());
  std::vector<int64_t> out(rank, 1);
  for (const Vals *v : ins)
    for (size_t k = 0; k < v->dims.size(); ++k) {
      int64_t d = v->dims[v->dims.size() - 1 - k], &o = out[rank - 1 - k];
      if (d == o || d == 1)
        continue;
      if (o != 1)
        return std::nullopt;
      o = d;
    }
  return out;
}

/// Flat index into `v` of the element at output multi-index `idx` (broadcast).
int64_t sourceIndex(const Vals &v, const std::vector<int64_t> &idx) {
  int64_t k = 0, stride = 1;
  for (size_t d = 0; d < v.dims.size(); ++d) {
    size_t vd = v.dims.size() - 1 - d, od = idx.size() - 1 - d;
    if (v.dims[vd] != 1)
      k += idx[od] * stride;
    stride *= v.dims[vd];
  }
  return k;
}

/// Calls fn(outFlat, srcFlat per input) over the broadcast shape.
bool forEachBroadcast(const std::vector<const Vals *> &ins, std::vector<int64_t> &dims,
                      const std::function<void(int64_t, const std::vector<int64_t> &)> &fn) {
  auto shape = broadcast(ins);
  if (!shape || tooLarge(*shape))
    return false;
  dims = *shape;
  int64_t n = count(dims);
  std::vector<int64_t> idx(dims.size(), 0), src(ins.size());
  for (int64_t k = 0; k < n; ++k) {
    for (size_t j = 0; j < ins.size(); ++j)
      src[j] = sourceIndex(*ins[j], idx);
    fn(k, src);
    nextIndex(idx, dims);
  }
  return true;
}

std::optional<double> unary(const std::string &op, double x) {
  if (op == "Neg") return -x;
  if (op == "Abs") return std::fabs(x);
  if (op == "Sqrt") return std::sqrt(x);
  if (op == "Exp") return std::exp(x);
  if (op == "Log") return std::log(x);
  if (op == "Sin") return std::sin(x);
  if (op == "Cos") return std::cos(x);
  if (op == "Tanh") return std::tanh(x);
  if (op == "Erf") return std::erf(x);
  if (op == "Sigmoid") return 1.0 / (1.0 + std::exp(-x));
  if (op == "Reciprocal") return 1.0 / x;
  if (op == "Floor") return std::floor(x);
  if (op == "Ceil") return std::ceil(x);
  if (op == "Not") return double(x == 0);
  if (op == "Identity") return x;
  return std::nullopt;
}

bool isCompare(const std::string &op) {
  return op == "Equal" || op == "Less" || op == "LessOrEqual" || op == "Greater" ||
         op == "GreaterOrEqual" || op == "And" || op == "Or" || op == "Xor";
}

std::optional<double> binary(const std::string &op, double a, double b, bool ints) {
  if (op == "Add") return a + b;
  if (op == "Sub") return a - b;
  if (op == "Mul") return a * b;
  if (op == "Div") {
    if (!ints) return a / b;
    if (b == 0) return std::nullopt;
    return std::trunc(a / b);
  }
  if (op == "Pow") return std::pow(a, b);
  if (op == "Max") return std::max(a, b);
  if (op == "Min") return std::min(a, b);
  if (op == "Equal") return double(a == b);
  if (op == "Less") return double(a < b);
  if (op == "LessOrEqual") return double(a <= b);
  if (op == "Greater") return double(a > b);
  if (op == "GreaterOrEqual") return double(a >= b);
  if (op == "And") return double(a != 0 && b != 0);
  if (op == "Or") return double(a != 0 || b != 0);
  if (op == "Xor") return double((a != 0) != (b != 0));
  return std::nullopt;
}

int64_t normAxis(int64_t axis, size_t rank) { return axis < 0 ? axis + int64_t(rank) : axis; }

/// Elementwise ops (unary, binary, variadic Max / Min / Sum, Where, Cast).
std::optional<Vals> elementwise(const OnnxNode &node, const std::vector<Vals> &ins) {
  const std::string &op = node.opType;
  std::vector<const Vals *> ptrs;
  for (const Vals &v : ins)
    ptrs.push_back(&v);
  Vals out;
  if (op == "Cast" || op == "CastLike") {
    out.type = op == "Cast" ? int(node.getInt("to", kFloat)) : ins[1].type;
    out.dims = ins[0].dims;
    int64_t n = count(out.dims);
    for (int64_t k = 0; k < n; ++k)
      if (isInt(out.type))
        out.i.push_back(isInt(ins[0].type) ? ins[0].i[size_t(k)]
                                            : int64_t(std::trunc(ins[0].f[size_t(k)])));
      else
        out.f.push_back(ins[0].at(k));
    return out;
  }
  if (op == "Where") {
    if (ins.size() != 3)
      return std::nullopt;
    out.type = ins[1].type;
    bool ok = forEachBroadcast(ptrs, out.dims, [&](int64_t, const std::vector<int64_t> &s) {
      const Vals &pick = ins[0].atInt(s[0]) ? ins[1] : ins[2];
      int64_t k = ins[0].atInt(s[0]) ? s[1] : s[2];
      if (isInt(out.type))
        out.i.push_back(pick.atInt(k));
      else
        out.f.push_back(pick.at(k));
    });
    return ok ? std::optional<Vals>(out) : std::nullopt;
  }
  if (ins.size() == 1) {
    if (!unary(op, 0.0))
      return std::nullopt;
    out.type = ins[0].type, out.dims = ins[0].dims;
    for (int64_t k = 0, n = count(out.dims); k < n; ++k) {
      double r = *unary(op, ins[0].at(k));
      if (isInt(out.type))
        out.i.push_back(int64_t(r));
      else
        out.f.push_back(r);
    }
    return out;
  }
  if (!binary(op, 1.0, 1.0, false))
    return std::nullopt;
  if (ins.size() != 2 && op != "Max" && op != "Min")
    return std::nullopt;
  // Variadic Max / Min: fold pairwise.
  Vals acc = ins[0];
  for (size_t j = 1; j < ins.size(); ++j) {
    Vals next;
    bool ints = isInt(acc.type) && isInt(ins[j].type);
    next.type = isCompare(op) ? int(kBool) : acc.type;
    bool failed = false;
    bool ok = forEachBroadcast({&acc, &ins[j]}, next.dims,
                               [&](int64_t, const std::vector<int64_t> &s) {
                                 auto r = binary(op, acc.at(s[0]), ins[j].at(s[1]), ints);
                                 if (!r)
                                   failed = true;
                                 double x = r.value_or(0);
                                 if (isInt(next.type))
                                   next.i.push_back(int64_t(x));
                                 else
                                   next.f.push_back(x);
                               });
    if (!ok || failed)
      return std::nullopt;
    acc = std::move(next);
  }
  return acc;
}

/// Copies the elements of `in` at the multi-indices `srcOf` gives for each
/// output position of `dims`.
Vals gatherBy(const Vals &in, std::vector<int64_t> dims,
              const std::function<int64_t(const std::vector<int64_t> &)> &srcOf) {
  Vals out;
  out.type = in.type, out.dims = dims;
  int64_t n = count(dims);
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t s = srcOf(idx);
    if (isInt(in.type))
      out.i.push_back(in.i[size_t(s)]);
    else
      out.f.push_back(in.f[size_t(s)]);
    nextIndex(idx, dims);
  }
  return out;
}

/// Shape-producing and data-movement ops of constants.
std::optional<Vals> structural(const OnnxNode &node, const std::vector<Vals> &ins) {
  const std::string &op = node.opType;
  const Vals &x = ins[0];
  if (op == "ConstantOfShape") {
    Vals out;
    out.dims = x.i;
    if (tooLarge(out.dims))
      return std::nullopt;
    const OnnxAttr *a = node.getAttr("value");
    out.type = a && a->kind == OnnxAttr::Kind::Tensor ? a->t.elemType : int(kFloat);
    double v = a && a->kind == OnnxAttr::Kind::Tensor && !a->t.values.empty() ? a->t.values[0] : 0;
    int64_t n = count(out.dims);
    if (isInt(out.type))
      out.i.assign(size_t(n), int64_t(v));
    else
      out.f.assign(size_t(n), v);
    return out;
  }
  if (op == "Range" && ins.size() == 3) {
    Vals out;
    out.type = x.type;
    double start = x.at(0), limit = ins[1].at(0), delta = ins[2].at(0);
    if (delta == 0)
      return std::nullopt;
    int64_t n = std::max<int64_t>(0, int64_t(std::ceil((limit - start) / delta)));
    out.dims = {n};
    if (tooLarge(out.dims))
      return std::nullopt;
    for (int64_t k = 0; k < n; ++k)
      if (isInt(out.type))
        out.i.push_back(int64_t(start) + k * int64_t(delta));
      else
        out.f.push_back(start + double(k) * delta);
    return out;
  }
  if (op == "Expand" && ins.size() == 2) {
    Vals shape;
    shape.dims = ins[1].i;
    auto target = broadcast({&x, &shape});
    if (!target || tooLarge(*target))
      return std::nullopt;
    return gatherBy(x, *target, [&](const std::vector<int64_t> &idx) { return sourceIndex(x, idx); });
  }
  if (op == "Tile" && ins.size() == 2) {
    std::vector<int64_t> dims = x.dims, st = stridesOf(x.dims);
    if (ins[1].i.size() != dims.size())
      return std::nullopt;
    for (size_t d = 0; d < dims.size(); ++d)
      dims[d] *= ins[1].i[d];
    if (tooLarge(dims))
      return std::nullopt;
    return gatherBy(x, dims, [&](const std::vector<int64_t> &idx) {
      int64_t k = 0;
      for (size_t d = 0; d < idx.size(); ++d)
        k += (idx[d] % x.dims[d]) * st[d];
      return k;
    });
  }
  if (op == "Transpose") {
    std::vector<int64_t> perm = node.getInts("perm");
    if (perm.empty())
      for (int64_t d = int64_t(x.dims.size()) - 1; d >= 0; --d)
        perm.push_back(d);
    if (perm.size() != x.dims.size())
      return std::nullopt;
    std::vector<int64_t> dims, st = stridesOf(x.dims);
    for (int64_t p : perm)
      dims.push_back(x.dims[size_t(p)]);
    return gatherBy(x, dims, [&](const std::vector<int64_t> &idx) {
      int64_t k = 0;
      for (size_t d = 0; d < idx.size(); ++d)
        k += idx[d] * st[size_t(perm[d])];
      return k;
    });
  }
  if (op == "Unsqueeze" || op == "Squeeze" || op == "Flatten" || op == "Reshape") {
    // Views: the elements stay, the shape changes.
    std::vector<int64_t> axes = ins.size() > 1 ? ins[1].i : node.getInts("axes");
    std::vector<int64_t> dims;
    if (op == "Reshape") {
      int64_t known = 1, infer = -1;
      dims = axes;
      for (size_t d = 0; d < dims.size(); ++d) {
        if (dims[d] == 0 && d < x.dims.size())
          dims[d] = x.dims[d];
        if (dims[d] == -1)
          infer = int64_t(d);
        else
          known *= dims[d];
      }
      if (infer >= 0 && known > 0)
        dims[size_t(infer)] = count(x.dims) / known;
    } else if (op == "Flatten") {
      int64_t axis = normAxis(node.getInt("axis", 1), x.dims.size()), lead = 1;
      for (int64_t d = 0; d < axis; ++d)
        lead *= x.dims[size_t(d)];
      dims = {lead, count(x.dims) / std::max<int64_t>(lead, 1)};
    } else if (op == "Squeeze") {
      for (size_t d = 0; d < x.dims.size(); ++d) {
        bool listed = axes.empty() ? x.dims[d] == 1 : false;
        for (int64_t a : axes)
          listed |= normAxis(a, x.dims.size()) == int64_t(d);
        if (!listed)
          dims.push_back(x.dims[d]);
      }
    } else {
      size_t rank = x.dims.size() + axes.size();
      std::vector<bool> isNew(rank, false);
      for (int64_t a : axes)
        if (normAxis(a, rank) >= 0 && normAxis(a, rank) < int64_t(rank))
          isNew[size_t(normAxis(a, rank))] = true;
      size_t src = 0;
      for (size_t d = 0; d < rank; ++d)
        dims.push_back(isNew[d] ? 1 : (src < x.dims.size() ? x.dims[src++] : 1));
    }
    if (count(dims) != count(x.dims))
      return std::nullopt;
    Vals out = x;
    out.dims = dims;
    return out;
  }
  if (op == "Slice" && ins.size() >= 3) {
    size_t rank = x.dims.size();
    std::vector<int64_t> start(rank, 0), step(rank, 1), dims = x.dims;
    for (size_t j = 0; j < ins[1].i.size(); ++j) {
      int64_t axis = ins.size() > 3 && !ins[3].i.empty() ? normAxis(ins[3].i[j], rank)
                                                          : int64_t(j);
      int64_t st = ins.size() > 4 && !ins[4].i.empty() ? ins[4].i[j] : 1;
      if (axis < 0 || axis >= int64_t(rank) || st == 0)
        return std::nullopt;
      int64_t len = x.dims[size_t(axis)], b = ins[1].i[j], e = ins[2].i[j];
      b = b < 0 ? b + len : b, e = e < 0 ? e + len : e;
      if (st > 0)
        b = std::clamp<int64_t>(b, 0, len), e = std::clamp<int64_t>(e, 0, len);
      else
        b = std::clamp<int64_t>(b, 0, len - 1), e = std::clamp<int64_t>(e, -1, len - 1);
      int64_t n = st > 0 ? (e - b + st - 1) / st : (b - e - st - 1) / -st;
      start[size_t(axis)] = b, step[size_t(axis)] = st, dims[size_t(axis)] = std::max<int64_t>(n, 0);
    }
    std::vector<int64_t> st = stridesOf(x.dims);
    return gatherBy(x, dims, [&](const std::vector<int64_t> &idx) {
      int64_t k = 0;
      for (size_t d = 0; d < rank; ++d)
        k += (start[d] + idx[d] * step[d]) * st[d];
      return k;
    });
  }
  if (op == "Gather" && ins.size() == 2) {
    int64_t axis = normAxis(node.getInt("axis", 0), x.dims.size());
    if (axis < 0 || axis >= int64_t(x.dims.size()))
      return std::nullopt;
    const Vals &ids = ins[1];
    std::vector<int64_t> dims(x.dims.begin(), x.dims.begin() + axis);
    dims.insert(dims.end(), ids.dims.begin(), ids.dims.end());
    dims.insert(dims.end(), x.dims.begin() + axis + 1, x.dims.end());
    std::vector<int64_t> st = stridesOf(x.dims);
    int64_t len = x.dims[size_t(axis)];
    for (int64_t id : ids.i)
      if (id < -len || id >= len)
        return std::nullopt;
    size_t idRank = ids.dims.size();
    return gatherBy(x, dims, [&](const std::vector<int64_t> &idx) {
      int64_t k = 0, flat = 0;
      for (size_t d = 0; d < idRank; ++d)
        flat = flat * ids.dims[d] + idx[size_t(axis) + d];
      int64_t id = ids.i[size_t(flat)];
      id = id < 0 ? id + len : id;
      for (int64_t d = 0; d < axis; ++d)
        k += idx[size_t(d)] * st[size_t(d)];
      k += id * st[size_t(axis)];
      for (size_t d = size_t(axis) + 1; d < x.dims.size(); ++d)
        k += idx[d - 1 + idRank] * st[d];
      return k;
    });
  }
  if (op == "Trilu") {
    if (x.dims.size() < 2)
      return std::nullopt;
    int64_t kOff = ins.size() > 1 && !ins[1].i.empty() ? ins[1].i[0] : 0;
    bool upper = node.getInt("upper", 1) != 0;
    Vals out = x;
    int64_t rows = x.dims[x.dims.size() - 2], cols = x.dims.back();
    for (int64_t k = 0, n = count(x.dims); k < n; ++k) {
      int64_t r = (k / cols) % rows, c = k % cols;
      bool keep = upper ? c - r >= kOff : c - r <= kOff;
      if (!keep) {
        if (isInt(out.type))
          out.i[size_t(k)] = 0;
        else
          out.f[size_t(k)] = 0;
      }
    }
    return out;
  }
  if (op == "CumSum" && ins.size() == 2) {
    int64_t axis = normAxis(ins[1].atInt(0), x.dims.size());
    if (axis < 0 || axis >= int64_t(x.dims.size()))
      return std::nullopt;
    bool exclusive = node.getInt("exclusive", 0), reverse = node.getInt("reverse", 0);
    Vals out = x;
    std::vector<int64_t> st = stridesOf(x.dims);
    int64_t len = x.dims[size_t(axis)], step = st[size_t(axis)];
    for (int64_t k = 0, n = count(x.dims); k < n; ++k) {
      if ((k / step) % len != 0)
        continue; // k is the start of one line along the axis
      double sum = 0;
      for (int64_t j = 0; j < len; ++j) {
        int64_t pos = reverse ? len - 1 - j : j, at = k + pos * step;
        double v = x.at(at);
        double r = exclusive ? sum : sum + v;
        sum += v;
        if (isInt(out.type))
          out.i[size_t(at)] = int64_t(r);
        else
          out.f[size_t(at)] = r;
      }
    }
    return out;
  }
  if (op == "MatMul" && ins.size() == 2) {
    const Vals &a = x, &b = ins[1];
    if (a.dims.size() < 2 || b.dims.size() < 2)
      return std::nullopt; // vectors: not an exporter's constant pattern
    int64_t m = a.dims[a.dims.size() - 2], kk = a.dims.back(), n = b.dims.back();
    if (b.dims[b.dims.size() - 2] != kk)
      return std::nullopt;
    Vals ab, bb; // the batch dimensions alone, to broadcast
    ab.dims.assign(a.dims.begin(), a.dims.end() - 2);
    bb.dims.assign(b.dims.begin(), b.dims.end() - 2);
    auto batch = broadcast({&ab, &bb});
    if (!batch)
      return std::nullopt;
    Vals out;
    out.type = a.type, out.dims = *batch;
    out.dims.push_back(m), out.dims.push_back(n);
    int64_t batches = count(*batch);
    std::vector<int64_t> idx(batch->size(), 0);
    for (int64_t t = 0; t < batches; ++t) {
      int64_t ao = sourceIndex(ab, idx) * m * kk, bo = sourceIndex(bb, idx) * kk * n;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double s = 0;
          for (int64_t q = 0; q < kk; ++q)
            s += a.at(ao + i * kk + q) * b.at(bo + q * n + j);
          if (isInt(out.type))
            out.i.push_back(int64_t(s));
          else
            out.f.push_back(double(float(s)));
        }
      nextIndex(idx, *batch);
    }
    return out;
  }
  if (op == "Concat") {
    int64_t axis = normAxis(node.getInt("axis", 0), x.dims.size());
    std::vector<const Vals *> parts;
    for (const Vals &v : ins)
      if (count(v.dims) > 0 || v.dims.size() == x.dims.size())
        parts.push_back(&v);
    std::vector<int64_t> dims = x.dims;
    dims[size_t(axis)] = 0;
    for (const Vals *v : parts) {
      if (v->dims.size() != dims.size())
        return std::nullopt;
      dims[size_t(axis)] += v->dims[size_t(axis)];
    }
    Vals out;
    out.type = x.type, out.dims = dims;
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= dims[size_t(d)];
    for (int64_t o = 0; o < outer; ++o)
      for (const Vals *v : parts) {
        int64_t chunk = count(v->dims) / std::max<int64_t>(outer, 1);
        for (int64_t k = 0; k < chunk; ++k) {
          if (isInt(out.type))
            out.i.push_back(v->atInt(o * chunk + k));
          else
            out.f.push_back(v->at(o * chunk + k));
        }
      }
    return out;
  }
  return std::nullopt;
}

} // namespace

std::optional<OnnxTensor> loom::onnx::evaluateNode(const OnnxNode &node,
                                                  const std::vector<const OnnxTensor *> &inputs) {
  if (!node.domain.empty() || node.outputs.size() != 1 || node.inputs.empty())
    return std::nullopt;
  static const std::set<std::string> never = {"QuantizeLinear", "DequantizeLinear",
                                              "DynamicQuantizeLinear"};
  if (never.count(node.opType))
    return std::nullopt;
  std::vector<Vals> ins;
  for (const OnnxTensor *t : inputs) {
    if (!t) {
      ins.emplace_back(); // an omitted optional input (Trilu's k)
      continue;
    }
    if (t->elemType == kString || t->elemType == kFloat16 || t->elemType == kBFloat16 ||
        t->elemType == kUndefined)
      return std::nullopt;
    ins.push_back(valsOf(*t));
  }
  if (ins.empty())
    return std::nullopt;
  std::optional<Vals> out = structural(node, ins);
  if (!out)
    out = elementwise(node, ins);
  if (!out || out->type == kFloat16 || out->type == kBFloat16 ||
      out->type == kString)
    return std::nullopt;
  return tensorOf(node.outputs[0], std::move(*out));
}

OnnxTensor loom::onnx::evaluateShape(const OnnxNode &node, const std::vector<int64_t> &dims) {
  int64_t rank = int64_t(dims.size()), start = node.getInt("start", 0),
          end = node.getInt("end", rank);
  start = std::clamp(start < 0 ? start + rank : start, int64_t(0), rank);
  end = std::clamp(end < 0 ? end + rank : end, int64_t(0), rank);
  OnnxTensor t;
  t.name = node.outputs[0], t.elemType = kInt64;
  t.intValues.assign(dims.begin() + start, dims.begin() + std::max(start, end));
  t.values.assign(t.intValues.begin(), t.intValues.end());
  t.dims = {int64_t(t.intValues.size())};
  return t;
}

std::map<std::string, OnnxTensor> loom::onnx::foldConstantNodes(const OnnxModel &model) {
  std::map<std::string, OnnxTensor> folded;
  std::set<std::string> graphOutputs;
  for (const auto &o : model.outputs)
    graphOutputs.insert(o.name);
  auto constantOf = [&](const std::string &name) -> const OnnxTensor * {
    auto it = folded.find(name);
    return it != folded.end() ? &it->second : model.findInitializer(name);
  };
  for (const OnnxNode &node : model.nodes) {
    if (node.outputs.size() != 1 || graphOutputs.count(node.outputs[0]))
      continue;
    std::optional<OnnxTensor> r;
    if (node.opType == "Shape" && node.domain.empty() && node.inputs.size() == 1) {
      // The shape of a value inference gave a static shape.
      const OnnxValueInfo *vi = model.findValueInfo(node.inputs[0]);
      const OnnxTensor *c = constantOf(node.inputs[0]);
      std::vector<int64_t> dims = c ? c->dims : vi && vi->hasShape ? vi->dims : std::vector<int64_t>{};
      if ((!c && (!vi || !vi->hasShape)) || llvm::any_of(dims, [](int64_t d) { return d <= 0; }))
        continue;
      r = evaluateShape(node, dims);
    } else {
      std::vector<const OnnxTensor *> ins;
      bool all = true;
      for (const std::string &name : node.inputs) {
        const OnnxTensor *t = name.empty() ? nullptr : constantOf(name);
        all &= name.empty() || t;
        ins.push_back(t);
      }
      if (all)
        r = evaluateNode(node, ins);
    }
    if (r)
      folded[node.outputs[0]] = std::move(*r);
  }
  return folded;
}
