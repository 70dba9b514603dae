//===- OnnxNodeConformanceTest.cpp - float kernels on ONNX node tests -----===//
//
// Runs the float kernels of ConvKernels.h directly (no importer) on Debian's
// ONNX node tests (LOOM_ONNX_NODE_TESTS) whose directory name starts with one
// of kPrefixes. For each test: model.onnx is loaded with loadOnnxModel (one
// node expected after Constant folding), the node's attributes select the
// kernel, every test_data_set_*/input_K.pb is bound to graph input K and the
// kernel's result is compared with output_0.pb (same shape, |got - want| <=
// 1e-4 + 1e-4 * |want|).
//
//   PASS: every data set matches.   FAIL: a data set differs (a bug).
//   SKIP: out of scope (loader refuses the model, several nodes or outputs,
//         another op such as ConvTranspose/ConvInteger, Resize linear/cubic,
//         tf_crop_and_resize, opset-18 axes / keep_aspect_ratio_policy).
// The test fails on any FAIL and when fewer than LOOM_REF_ONNX_MIN_PASS
// tests pass; the full table is printed.
//
//===----------------------------------------------------------------------===//
#include "compiler/onnx/OnnxModel.h"
#include "compiler/reference/ConvKernels.h"

#include "gtest/gtest.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

using namespace loom;
using namespace loom::reference;

namespace {

const char *kPrefixes[] = {"test_conv",
                           "test_basic_conv",
                           "test_maxpool",
                           "test_averagepool",
                           "test_globalaveragepool",
                           "test_globalmaxpool",
                           "test_pad",
                           "test_constant_pad",
                           "test_edge_pad",
                           "test_reflect_pad",
                           "test_concat",
                           "test_resize",
                           "test_upsample"};

enum class Verdict { Pass, Fail, Skip };

struct Outcome {
  Verdict v = Verdict::Skip;
  std::string why;
};

Outcome skip(const std::string &why) { return {Verdict::Skip, why}; }
Outcome fail(const std::string &why) { return {Verdict::Fail, why}; }

using TensorMap = std::map<std::string, onnx::OnnxTensor>;

const onnx::OnnxTensor *input(const onnx::OnnxNode &n, const TensorMap &t, size_t i) {
  if (i >= n.inputs.size() || n.inputs[i].empty())
    return nullptr;
  auto it = t.find(n.inputs[i]);
  return it == t.end() ? nullptr : &it->second;
}

WindowParams windowOf(const onnx::OnnxNode &n, bool &okAutoPad) {
  WindowParams p;
  p.kernel = n.getInts("kernel_shape");
  p.strides = n.getInts("strides");
  p.dilations = n.getInts("dilations");
  p.pads = n.getInts("pads");
  okAutoPad = parseAutoPad(n.getString("auto_pad", "NOTSET"), p.autoPad);
  p.group = n.getInt("group", 1);
  p.ceilMode = n.getInt("ceil_mode", 0) != 0;
  p.countIncludePad = n.getInt("count_include_pad", 0) != 0;
  return p;
}

// Evaluates the node; SKIP/FAIL outcomes returned through `o`.
bool evalNode(const onnx::OnnxModel &m, const onnx::OnnxNode &n, const TensorMap &t,
              std::vector<double> &y, Shape &ys, Outcome &o) {
  const std::string &op = n.opType;
  const onnx::OnnxTensor *X = input(n, t, 0);
  if (!X) {
    o = skip("missing input");
    return false;
  }
  bool ok = false;
  if (op == "Conv" || op == "MaxPool" || op == "AveragePool") {
    bool apOk;
    WindowParams p = windowOf(n, apOk);
    if (!apOk) {
      o = skip("auto_pad");
      return false;
    }
    if (op == "Conv") {
      const onnx::OnnxTensor *W = input(n, t, 1), *B = input(n, t, 2);
      if (!W) {
        o = skip("no W");
        return false;
      }
      ok = conv(X->values, X->dims, W->values, W->dims, B ? B->values : std::vector<double>{}, p, y,
                ys);
    } else if (op == "MaxPool") {
      ok = maxPool(X->values, X->dims, p, y, ys);
    } else {
      ok = averagePool(X->values, X->dims, p, y, ys);
    }
  } else if (op == "GlobalAveragePool") {
    ok = globalAveragePool(X->values, X->dims, y, ys);
  } else if (op == "GlobalMaxPool") {
    ok = globalMaxPool(X->values, X->dims, y, ys);
  } else if (op == "Pad") {
    PadMode mode;
    if (!parsePadMode(n.getString("mode", "constant"), mode)) {
      o = skip("pad mode");
      return false;
    }
    std::vector<int64_t> pads;
    double value = 0.0;
    if (m.opset < 11) {
      pads = n.getInts("pads");
      value = n.getFloat("value", 0.0);
    } else {
      const onnx::OnnxTensor *P = input(n, t, 1), *V = input(n, t, 2);
      if (!P || input(n, t, 3)) {
        o = skip(P ? "axes input" : "no pads");
        return false;
      }
      pads = P->asInt64();
      if (V && !V->values.empty())
        value = V->values[0];
    }
    ok = pad(X->values, X->dims, pads, mode, value, y, ys);
  } else if (op == "Concat") {
    std::vector<std::vector<double>> xs;
    std::vector<Shape> shapes;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const onnx::OnnxTensor *T = input(n, t, i);
      if (!T) {
        o = skip("missing input");
        return false;
      }
      xs.push_back(T->values);
      shapes.push_back(T->dims);
    }
    ok = concat(xs, shapes, n.getInt("axis", 0), y, ys);
  } else if (op == "Resize" || op == "Upsample") {
    if (n.getString("mode", "nearest") != "nearest") {
      o = skip("mode " + n.getString("mode"));
      return false;
    }
    std::vector<double> scales;
    if (op == "Upsample") {
      if (m.opset < 9) {
        scales = n.getFloats("scales");
      } else if (const onnx::OnnxTensor *S = input(n, t, 1)) {
        scales = S->values;
      }
      ok = upsampleNearest(X->values, X->dims, scales, y, ys);
    } else {
      if (n.hasAttr("axes") || n.hasAttr("keep_aspect_ratio_policy")) {
        o = skip("opset-18 resize attributes");
        return false;
      }
      CoordMode cm = CoordMode::Asymmetric;
      NearestMode nm = NearestMode::Floor;
      const onnx::OnnxTensor *S = nullptr, *Z = nullptr;
      if (m.opset < 11) {
        S = input(n, t, 1);
      } else {
        if (!parseCoordMode(n.getString("coordinate_transformation_mode", "half_pixel"), cm) ||
            !parseNearestMode(n.getString("nearest_mode", "round_prefer_floor"), nm)) {
          o = skip("coordinate/nearest mode");
          return false;
        }
        S = input(n, t, 2);
        Z = input(n, t, 3);
      }
      if (Z && !Z->values.empty()) {
        ys = Z->asInt64();
      } else if (S && !S->values.empty()) {
        scales = S->values;
        ys = resizeOutShape(X->dims, scales);
      } else {
        o = skip("no scales/sizes");
        return false;
      }
      ok = resizeNearest(X->values, X->dims, ys, scales, cm, nm, y);
    }
  } else {
    o = skip("op " + op);
    return false;
  }
  if (!ok) {
    o = fail("kernel refused the node");
    return false;
  }
  return true;
}

Outcome runTest(const std::string &dir) {
  auto model = onnx::loadOnnxModel(dir + "/model.onnx");
  if (!model) {
    std::string msg = llvm::toString(model.takeError());
    return skip("loader: " + msg.substr(0, 80));
  }
  if (model->nodes.size() != 1)
    return skip(std::to_string(model->nodes.size()) + " nodes");
  const onnx::OnnxNode &node = model->nodes[0];
  size_t nOut = 0;
  for (const auto &o : node.outputs)
    nOut += !o.empty();
  if (nOut != 1 || model->outputs.size() != 1)
    return skip("several outputs");

  std::vector<std::string> sets;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    if (llvm::sys::path::filename(it->path()).starts_with("test_data_set_"))
      sets.push_back(it->path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty())
    return skip("no data sets");
  for (const std::string &set : sets) {
    TensorMap tensors;
    for (const auto &[name, init] : model->initializers)
      tensors[name] = init;
    for (size_t k = 0; k < model->inputs.size(); ++k) {
      std::string f = set + "/input_" + std::to_string(k) + ".pb";
      if (!llvm::sys::fs::exists(f))
        continue;
      auto tp = onnx::loadTensorProtoFile(f);
      if (!tp) {
        return skip("input .pb: " + llvm::toString(tp.takeError()));
      }
      tensors[model->inputs[k].name] = *tp;
    }
    auto want = onnx::loadTensorProtoFile(set + "/output_0.pb");
    if (!want)
      return skip("output .pb: " + llvm::toString(want.takeError()));
    std::vector<double> y;
    Shape ys;
    Outcome o;
    if (!evalNode(*model, node, tensors, y, ys, o))
      return o;
    if (ys != want->dims)
      return fail("shape mismatch in " + llvm::sys::path::filename(set).str());
    for (size_t i = 0; i < y.size(); ++i) {
      double g = y[i], w = want->values[i];
      if (!(std::fabs(g - w) <= 1e-4 + 1e-4 * std::fabs(w)))
        return fail("element " + std::to_string(i) + ": got " + std::to_string(g) + " want " +
                    std::to_string(w));
    }
  }
  return {Verdict::Pass, ""};
}

TEST(OnnxNodeConformance, ConvPoolPadConcatResize) {
  std::string root = LOOM_ONNX_NODE_TESTS;
  std::vector<std::string> dirs;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(root, ec), end; it != end && !ec; it.increment(ec)) {
    std::string name = llvm::sys::path::filename(it->path()).str();
    for (const char *p : kPrefixes)
      if (llvm::StringRef(name).starts_with(p)) {
        dirs.push_back(name);
        break;
      }
  }
  std::sort(dirs.begin(), dirs.end());
  ASSERT_FALSE(dirs.empty()) << "no node tests under " << root;
  int pass = 0, failN = 0, skipN = 0;
  for (const std::string &d : dirs) {
    Outcome o = runTest(root + "/" + d);
    const char *tag = o.v == Verdict::Pass ? "PASS" : o.v == Verdict::Fail ? "FAIL" : "SKIP";
    std::printf("%s %s%s%s\n", tag, d.c_str(), o.why.empty() ? "" : ": ", o.why.c_str());
    pass += o.v == Verdict::Pass;
    failN += o.v == Verdict::Fail;
    skipN += o.v == Verdict::Skip;
    EXPECT_NE(o.v, Verdict::Fail) << d << ": " << o.why;
  }
  std::printf("onnx node tests: %d pass, %d fail, %d skip (of %zu)\n", pass, failN, skipN,
              dirs.size());
  EXPECT_GE(pass, LOOM_REF_ONNX_MIN_PASS) << "fewer node tests pass than the recorded floor";
}

} // namespace
