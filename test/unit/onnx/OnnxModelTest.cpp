//===- OnnxModelTest.cpp - tests for compiler/onnx (LoomOnnx) -------------===//
//
// Models come from test/models/gen_dense_models.py (generated at build time
// into LOOM_ONNX_TEST_MODELS), from Debian's libonnx-testdata and, when
// present, from /work/shared/models. Every test skips when its input is
// absent, so the suite never depends on files outside the build tree.
//===----------------------------------------------------------------------===//
#include "compiler/onnx/OnnxModel.h"

#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>

using namespace loom::onnx;

namespace {

std::string genPath(const std::string &name) {
  return std::string(LOOM_ONNX_TEST_MODELS) + "/" + name;
}

bool exists(const std::string &p) { return llvm::sys::fs::exists(p); }

#define REQUIRE_FILE(p)                                                                            \
  do {                                                                                             \
    if (!exists(p))                                                                                \
      GTEST_SKIP() << "missing " << (p);                                                           \
  } while (0)

/// Loads a model that must load; fails the test with the error otherwise.
OnnxModel mustLoad(const std::string &path) {
  auto m = loadOnnxModel(path);
  if (!m) {
    ADD_FAILURE() << "load failed: " << llvm::toString(m.takeError());
    return OnnxModel();
  }
  return std::move(*m);
}

/// Loads a model that must fail; returns the error text.
std::string mustFail(const std::string &path) {
  auto m = loadOnnxModel(path);
  if (m) {
    ADD_FAILURE() << path << " loaded but should have failed";
    return "";
  }
  std::string msg = llvm::toString(m.takeError());
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "not one line: " << msg;
  EXPECT_NE(msg.find(path), std::string::npos) << "file not named: " << msg;
  return msg;
}

bool contains(const std::string &hay, const std::string &needle) {
  return hay.find(needle) != std::string::npos;
}

bool anyWarningContains(const OnnxModel &m, const std::string &needle) {
  return std::any_of(m.warnings.begin(), m.warnings.end(),
                     [&](const std::string &w) { return contains(w, needle); });
}

const OnnxNode *findNode(const OnnxModel &m, const std::string &name) {
  for (const auto &n : m.nodes)
    if (n.name == name)
      return &n;
  return nullptr;
}

size_t countOp(const OnnxModel &m, const std::string &op) {
  return std::count_if(m.nodes.begin(), m.nodes.end(),
                       [&](const OnnxNode &n) { return n.opType == op; });
}

/// Tiny float evaluator for the ops in the dense test models, so that
/// initializer values (and the .pb test data) are checked end to end.
std::map<std::string, OnnxTensor> evalDense(const OnnxModel &m, const OnnxTensor &input) {
  std::map<std::string, OnnxTensor> env = m.initializers;
  OnnxTensor in = input;
  env[m.inputs.at(0).name] = in;
  auto get = [&](const std::string &n) -> const OnnxTensor & {
    auto it = env.find(n);
    if (it == env.end())
      throw std::runtime_error("no value " + n);
    return it->second;
  };
  auto mat = [](const OnnxTensor &t, bool trans, int64_t &rows, int64_t &cols) {
    rows = t.dims.size() == 2 ? t.dims[0] : 1;
    cols = t.dims.back();
    std::vector<double> v = t.values;
    if (trans) {
      std::vector<double> tv(v.size());
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          tv[c * rows + r] = v[r * cols + c];
      std::swap(rows, cols);
      v = tv;
    }
    return v;
  };
  for (const auto &n : m.nodes) {
    OnnxTensor out;
    out.elemType = kFloat;
    const std::string &op = n.opType;
    if (op == "MatMul" || op == "Gemm") {
      bool ta = op == "Gemm" && n.getInt("transA", 0);
      bool tb = op == "Gemm" && n.getInt("transB", 0);
      double alpha = op == "Gemm" ? n.getFloat("alpha", 1.0) : 1.0;
      double beta = op == "Gemm" ? n.getFloat("beta", 1.0) : 1.0;
      int64_t ar, ac, br, bc;
      auto a = mat(get(n.inputs[0]), ta, ar, ac);
      auto b = mat(get(n.inputs[1]), tb, br, bc);
      EXPECT_EQ(ac, br) << n.describe();
      out.dims = {ar, bc};
      out.values.assign(ar * bc, 0.0);
      for (int64_t i = 0; i < ar; ++i)
        for (int64_t j = 0; j < bc; ++j) {
          double s = 0;
          for (int64_t k = 0; k < ac; ++k)
            s += a[i * ac + k] * b[k * bc + j];
          out.values[i * bc + j] = alpha * s;
        }
      if (op == "Gemm" && n.inputs.size() > 2) {
        const auto &c = get(n.inputs[2]);
        for (int64_t i = 0; i < ar; ++i)
          for (int64_t j = 0; j < bc; ++j)
            out.values[i * bc + j] +=
                beta *
                c.values[c.values.size() == (size_t)bc ? j
                                                       : (c.values.size() == 1 ? 0 : i * bc + j)];
      }
    } else if (op == "Add") {
      const auto &a = get(n.inputs[0]);
      const auto &b = get(n.inputs[1]);
      out = a;
      for (size_t k = 0; k < out.values.size(); ++k)
        out.values[k] += b.values[k % b.values.size()];
    } else if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "Identity" ||
               op == "Dropout" || op == "Flatten" || op == "Reshape" || op == "Transpose") {
      // Reshape/Flatten/unit-dim Transpose keep the row-major order here.
      out = get(n.inputs[0]);
      for (double &v : out.values) {
        if (op == "Relu")
          v = std::max(v, 0.0);
        if (op == "Sigmoid")
          v = 1.0 / (1.0 + std::exp(-v));
        if (op == "Tanh")
          v = std::tanh(v);
      }
      if (op == "Flatten" || op == "Reshape")
        out.dims = {1, (int64_t)out.values.size()};
    } else if (op == "Softmax") {
      out = get(n.inputs[0]);
      double mx = *std::max_element(out.values.begin(), out.values.end());
      double s = 0;
      for (double &v : out.values)
        s += (v = std::exp(v - mx));
      for (double &v : out.values)
        v /= s;
    } else if (op == "BatchNormalization") {
      out = get(n.inputs[0]);
      const auto &sc = get(n.inputs[1]), &bi = get(n.inputs[2]), &me = get(n.inputs[3]),
                 &va = get(n.inputs[4]);
      double eps = n.getFloat("epsilon", 1e-5);
      size_t c = sc.values.size();
      for (size_t k = 0; k < out.values.size(); ++k) {
        size_t ch = k % c;
        out.values[k] =
            (out.values[k] - me.values[ch]) / std::sqrt(va.values[ch] + eps) * sc.values[ch] +
            bi.values[ch];
      }
    } else {
      throw std::runtime_error("evalDense: no " + op);
    }
    env[n.outputs[0]] = out;
  }
  return env;
}

/// Loads NAME.onnx and NAME/test_data_set_0, runs evalDense, compares.
void checkAgainstTestData(const std::string &name, double tol = 1e-4) {
  std::string model = genPath(name + ".onnx");
  std::string dir = genPath(name + "/test_data_set_0/");
  if (!exists(model) || !exists(dir + "input_0.pb"))
    GTEST_SKIP() << "missing " << model;
  OnnxModel m = mustLoad(model);
  ASSERT_EQ(m.inputs.size(), 1u) << name;
  auto in = loadTensorProtoFile(dir + "input_0.pb");
  auto ref = loadTensorProtoFile(dir + "output_0.pb");
  ASSERT_TRUE((bool)in) << llvm::toString(in.takeError());
  ASSERT_TRUE((bool)ref) << llvm::toString(ref.takeError());
  EXPECT_EQ(in->name, m.inputs[0].name);
  EXPECT_EQ(ref->name, m.outputs[0].name);
  std::map<std::string, OnnxTensor> env;
  try {
    env = evalDense(m, *in);
  } catch (const std::exception &e) {
    FAIL() << name << ": " << e.what();
  }
  const OnnxTensor &got = env.at(m.outputs[0].name);
  ASSERT_EQ(got.values.size(), ref->values.size()) << name;
  for (size_t k = 0; k < got.values.size(); ++k)
    EXPECT_NEAR(got.values[k], ref->values[k], tol) << name << " [" << k << "]";
}

// --- generated dense models ---------------------------------------------------

TEST(OnnxModel, KerasMlpSymbolicBatch) {
  std::string p = genPath("keras_mlp_relu_softmax.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  EXPECT_EQ(m.path, p);
  EXPECT_EQ(m.opset, 13);
  EXPECT_EQ(m.producer, "tf2onnx");
  EXPECT_TRUE(m.warnings.empty());
  ASSERT_EQ(m.inputs.size(), 1u);
  EXPECT_EQ(m.inputs[0].name, "input_1");
  EXPECT_EQ(m.inputs[0].elemType, kFloat);
  EXPECT_EQ(m.inputs[0].dims, (std::vector<int64_t>{-1, 16}));
  EXPECT_EQ(m.inputs[0].dimParams[0], "N");
  EXPECT_FALSE(m.inputs[0].isFullyStatic());
  ASSERT_EQ(m.outputs.size(), 1u);
  EXPECT_EQ(m.outputs[0].name, "output_0");
  EXPECT_EQ(m.outputs[0].dims, (std::vector<int64_t>{-1, 5}));
  // Shape inference filled the intermediate values, symbol kept.
  const OnnxValueInfo *relu = m.findValueInfo("dense/Relu:0");
  ASSERT_NE(relu, nullptr);
  EXPECT_EQ(relu->dims, (std::vector<int64_t>{-1, 32}));
  EXPECT_EQ(relu->dimParams[0], "N");
  EXPECT_EQ(relu->describe(), "dense/Relu:0: float[N x 32]");
  // Initializers.
  const OnnxTensor *w = m.findInitializer("dense/kernel:0");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->dims, (std::vector<int64_t>{16, 32}));
  EXPECT_EQ(w->values.size(), 512u);
  for (double v : w->values) {
    EXPECT_GE(v, -0.5);
    EXPECT_LE(v, 0.5);
  }
  // Nodes and attributes.
  EXPECT_EQ(m.nodes.size(), 7u);
  const OnnxNode *sm = findNode(m, "dense_1/Softmax");
  ASSERT_NE(sm, nullptr);
  EXPECT_EQ(sm->getInt("axis", 1), -1);
  EXPECT_EQ(sm->getAttr("axis")->kind, OnnxAttr::Kind::Int);
  EXPECT_EQ(m.findProducer("dense/Relu:0")->opType, "Relu");
  ASSERT_EQ(m.findConsumers("dense/Relu:0").size(), 1u);
  EXPECT_EQ(m.findConsumers("dense/Relu:0")[0]->name, "dense_1/MatMul");
  EXPECT_EQ(m.findProducer("input_1"), nullptr);
  checkAgainstTestData("keras_mlp_relu_softmax");
}

TEST(OnnxModel, KerasReshapeUnkBatch) {
  std::string p = genPath("keras_reshape_tanh_sigmoid.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  EXPECT_EQ(m.opset, 11);
  EXPECT_EQ(m.inputs[0].dimParams[0], "unk__7");
  const OnnxTensor *shape = m.findInitializer("flatten/Const:0");
  ASSERT_NE(shape, nullptr);
  EXPECT_EQ(shape->elemType, kInt64);
  EXPECT_EQ(shape->intValues, (std::vector<int64_t>{-1, 16}));
  const OnnxValueInfo *r = m.findValueInfo("flatten/Reshape:0");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->rank(), 2u);
  EXPECT_EQ(r->dims[1], 16);
  EXPECT_EQ(m.outputs[0].dims[1], 3);
  checkAgainstTestData("keras_reshape_tanh_sigmoid");
}

TEST(OnnxModel, TorchGemmDropout) {
  std::string p = genPath("torch_mlp_gemm_dropout.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  const OnnxNode *g = findNode(m, "/fc1/Gemm");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->getInt("transB", 0), 1);
  EXPECT_EQ(g->getInt("transA", 0), 0);
  EXPECT_DOUBLE_EQ(g->getFloat("alpha", 0.0), 1.0);
  EXPECT_EQ(g->getAttr("alpha")->kind, OnnxAttr::Kind::Float);
  EXPECT_EQ(countOp(m, "Dropout"), 1u);
  EXPECT_EQ(m.findValueInfo("onnx::Gemm_5")->dims, (std::vector<int64_t>{1, 16}));
  EXPECT_EQ(m.findValueInfo("/fc1/Gemm_output_0")->dims, (std::vector<int64_t>{1, 24}));
  EXPECT_TRUE(m.outputs[0].isFullyStatic());
  checkAgainstTestData("torch_mlp_gemm_dropout");
}

TEST(OnnxModel, GemmAllAttributes) {
  std::string p = genPath("gemm_all_attrs.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  ASSERT_EQ(m.nodes.size(), 1u);
  const OnnxNode &g = m.nodes[0];
  EXPECT_EQ(g.getInt("transA", 0), 1);
  EXPECT_EQ(g.getInt("transB", 0), 1);
  EXPECT_FLOAT_EQ(g.getFloat("alpha", 1), 0.5);
  EXPECT_FLOAT_EQ(g.getFloat("beta", 1), 2.0);
  EXPECT_EQ(m.inputs[0].dims, (std::vector<int64_t>{8, 1}));
  EXPECT_EQ(m.outputs[0].dims, (std::vector<int64_t>{1, 6}));
  EXPECT_EQ(m.findInitializer("C")->dims, (std::vector<int64_t>{6}));
  checkAgainstTestData("gemm_all_attrs");
  checkAgainstTestData("gemm_row_bias_opset9");
}

TEST(OnnxModel, BatchNormAndTransposeAndConstants) {
  checkAgainstTestData("dense_batchnorm_relu");
  checkAgainstTestData("transpose_unit_dims");
  std::string p = genPath("transpose_unit_dims.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  EXPECT_EQ(findNode(m, "nchw_to_nhwc")->getInts("perm"), (std::vector<int64_t>{0, 2, 3, 1}));
  EXPECT_EQ(m.findValueInfo("x_nhwc")->dims, (std::vector<int64_t>{1, 1, 1, 16}));

  std::string pc = genPath("constant_node_weights.onnx");
  REQUIRE_FILE(pc);
  OnnxModel c = mustLoad(pc);
  EXPECT_EQ(countOp(c, "Constant"), 0u);
  EXPECT_EQ(c.nodes.size(), 3u);
  ASSERT_NE(c.findInitializer("W"), nullptr);
  EXPECT_EQ(c.findInitializer("W")->dims, (std::vector<int64_t>{6, 4}));
  ASSERT_NE(c.findInitializer("shape"), nullptr);
  EXPECT_EQ(c.findInitializer("shape")->intValues, (std::vector<int64_t>{1, 6}));
  EXPECT_EQ(c.findValueInfo("xr")->dims, (std::vector<int64_t>{1, 6}));
  auto wt = c.typeOf("W");
  ASSERT_TRUE(wt.has_value());
  EXPECT_EQ(wt->dims, (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(wt->elemType, kFloat);
  EXPECT_EQ(c.typeOf("mm")->dims, (std::vector<int64_t>{1, 4}));
  EXPECT_FALSE(c.typeOf("no_such_value").has_value());
  checkAgainstTestData("constant_node_weights");
}

TEST(OnnxModel, OpsetVariety) {
  for (int opset : {6, 9, 11, 13, 17, 18, 19}) {
    std::string name = "mlp_opset" + std::to_string(opset);
    std::string p = genPath(name + ".onnx");
    if (!exists(p))
      GTEST_SKIP() << "missing " << p;
    SCOPED_TRACE(name);
    OnnxModel m = mustLoad(p);
    EXPECT_EQ(m.opset, opset);
    // IR 3 models list initializers as inputs too: excluded here.
    ASSERT_EQ(m.inputs.size(), 1u);
    EXPECT_EQ(m.inputs[0].name, "x");
    EXPECT_EQ(m.initializers.size(), 4u);
    EXPECT_EQ(m.findValueInfo("h")->dims, (std::vector<int64_t>{1, 8}));
    EXPECT_EQ(m.outputs[0].dims, (std::vector<int64_t>{1, 4}));
    if (opset == 6) {
      EXPECT_EQ(findNode(m, "fc1_bias")->getInt("broadcast", 0), 1);
    }
    if (opset >= 18) {
      EXPECT_TRUE(
          anyWarningContains(m, "opset " + std::to_string(opset) +
                                    " is newer than this libonnx (17); importing anyway: ops "
                                    "used keep their opset-17 semantics"));
    } else {
      EXPECT_TRUE(m.warnings.empty());
    }
    if (opset == 19) {
      EXPECT_EQ(m.irVersion, 9);
      EXPECT_TRUE(anyWarningContains(m, "IR version 9 is newer"));
    }
    checkAgainstTestData(name);
  }
}

TEST(OnnxModel, Opset18ReduceAxesInputRewritten) {
  std::string p = genPath("opset18_reducemean_axes_input.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  EXPECT_EQ(m.opset, 18);
  const OnnxNode *r = findNode(m, "mean_over_time");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->inputs.size(), 1u);
  EXPECT_EQ(r->getInts("axes"), (std::vector<int64_t>{1}));
  EXPECT_FALSE(r->hasAttr("noop_with_empty_axes"));
  EXPECT_EQ(m.findInitializer("axes"), nullptr);
  EXPECT_EQ(m.findValueInfo("m")->dims, (std::vector<int64_t>{1, 8}));
  EXPECT_EQ(m.outputs[0].dims, (std::vector<int64_t>{1, 3}));
}

TEST(OnnxModel, Opset18SemanticsChangeRefused) {
  std::string p = genPath("bad_opset18_split_num_outputs.onnx");
  REQUIRE_FILE(p);
  std::string e = mustFail(p);
  EXPECT_TRUE(contains(e, "node 'split2' (Split)")) << e;
  EXPECT_TRUE(contains(e, "num_outputs")) << e;
  std::string p2 = genPath("edge_opset18_mish.onnx");
  REQUIRE_FILE(p2);
  e = mustFail(p2);
  EXPECT_TRUE(contains(e, "node 'mish' (Mish)")) << e;
  EXPECT_TRUE(contains(e, "was added after opset 17")) << e;
}

TEST(OnnxModel, Opset18NewFormsRefused) {
  std::string p = genPath("edge_opset18_reduce_computed_axes.onnx");
  REQUIRE_FILE(p);
  std::string e = mustFail(p);
  EXPECT_TRUE(contains(e, "node 'rmax' (ReduceMax)")) << e;
  EXPECT_TRUE(contains(e, "computed input")) << e;
  std::string p2 = genPath("edge_opset18_pad_axes.onnx");
  REQUIRE_FILE(p2);
  e = mustFail(p2);
  EXPECT_TRUE(contains(e, "node 'pad' (Pad)")) << e;
  EXPECT_TRUE(contains(e, "'axes'")) << e;
}

TEST(OnnxModel, UnsupportedOpsStillLoad) {
  // These are valid ONNX; refusing them is the importer's job.
  std::string p = genPath("bad_unsupported_cos_atan.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  EXPECT_EQ(countOp(m, "Cos"), 1u);
  EXPECT_EQ(countOp(m, "Atan"), 1u);
  EXPECT_EQ(findNode(m, "weird_cos")->describe(), "node 'weird_cos' (Cos)");

  std::string pl = genPath("bad_unsupported_lstm.onnx");
  REQUIRE_FILE(pl);
  OnnxModel l = mustLoad(pl);
  const OnnxNode *lstm = findNode(l, "lstm");
  ASSERT_NE(lstm, nullptr);
  EXPECT_EQ(lstm->outputs[0], "");
  EXPECT_EQ(lstm->getInt("hidden_size", 0), 8);
  EXPECT_EQ(l.findValueInfo("Y_h")->dims, (std::vector<int64_t>{1, 1, 8}));

  std::string pc = genPath("bad_conv_in_dense.onnx");
  REQUIRE_FILE(pc);
  OnnxModel c = mustLoad(pc);
  EXPECT_EQ(c.findValueInfo("c")->dims, (std::vector<int64_t>{1, 2, 6, 6}));
  EXPECT_EQ(findNode(c, "conv")->getInts("kernel_shape"), (std::vector<int64_t>{3, 3}));
}

// --- loader edge cases ----------------------------------------------------------

TEST(OnnxModel, BadShapesNameTheNode) {
  std::string p = genPath("bad_matmul_shapes.onnx");
  REQUIRE_FILE(p);
  std::string e = mustFail(p);
  EXPECT_TRUE(contains(e, "node 'fc_wrong' (MatMul)")) << e;
  EXPECT_TRUE(contains(e, "Incompatible dimensions")) << e;
}

TEST(OnnxModel, UnknownOpNamesTheNode) {
  std::string p = genPath("edge_unknown_op.onnx");
  REQUIRE_FILE(p);
  std::string e = mustFail(p);
  EXPECT_TRUE(contains(e, "node 'foo' (FooBar)")) << e;
  EXPECT_TRUE(contains(e, "No Op registered for FooBar")) << e;
}

TEST(OnnxModel, OpsetRange) {
  std::string p5 = genPath("edge_opset5.onnx");
  REQUIRE_FILE(p5);
  std::string e = mustFail(p5);
  EXPECT_TRUE(contains(e, "opset 5 is too old")) << e;
  std::string p20 = genPath("edge_opset20.onnx");
  REQUIRE_FILE(p20);
  e = mustFail(p20);
  EXPECT_TRUE(contains(e, "opset 20 is newer than Loom supports")) << e;
}

TEST(OnnxModel, InitializerTypes) {
  std::string p = genPath("edge_initializer_types.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  auto vals = [&](const char *n) {
    const OnnxTensor *t = m.findInitializer(n);
    EXPECT_NE(t, nullptr) << n;
    return t ? t->values : std::vector<double>{};
  };
  auto ints = [&](const char *n) {
    const OnnxTensor *t = m.findInitializer(n);
    EXPECT_NE(t, nullptr) << n;
    return t ? t->intValues : std::vector<int64_t>{};
  };
  using VD = std::vector<double>;
  using VI = std::vector<int64_t>;
  EXPECT_EQ(vals("f32_raw"), (VD{1.5, -2.25, 3.0}));
  EXPECT_EQ(m.findInitializer("f32_raw")->dims, (VI{1, 3}));
  EXPECT_EQ(vals("f32_typed"), (VD{0.5, -0.125}));
  EXPECT_EQ(vals("f64_raw"), (VD{1e-3, -7.0}));
  EXPECT_EQ(vals("f16_raw"), (VD{1.0, -0.5, 65504.0}));
  EXPECT_EQ(vals("f16_typed"), (VD{2.0, -3.0}));
  EXPECT_EQ(ints("i8_raw"), (VI{-128, 0, 127}));
  EXPECT_EQ(ints("i8_typed"), (VI{-5, 6, -7}));
  EXPECT_EQ(vals("i8_typed"), (VD{-5, 6, -7}));
  EXPECT_EQ(ints("u8_raw"), (VI{0, 200, 255}));
  EXPECT_EQ(ints("i16_raw"), (VI{-30000, 42}));
  EXPECT_EQ(ints("i32_raw"), (VI{-70000, 7}));
  EXPECT_EQ(ints("i32_typed"), (VI{-1, 123456}));
  EXPECT_EQ(ints("i64_raw"), (VI{std::numeric_limits<int64_t>::max(), -3}));
  EXPECT_EQ(ints("i64_typed"), (VI{9, -9}));
  EXPECT_EQ(ints("bool_raw"), (VI{1, 0, 1}));
  EXPECT_EQ(ints("bool_typed"), (VI{0, 1}));
  EXPECT_EQ(m.findInitializer("bool_raw")->elemType, kBool);
  EXPECT_TRUE(m.findInitializer("scalar")->isScalar());
  EXPECT_EQ(vals("scalar"), (VD{4.0}));
  EXPECT_EQ(m.findInitializer("empty")->numElements(), 0);
  EXPECT_EQ(m.findInitializer("empty")->dims, (VI{0, 3}));
  EXPECT_EQ(m.findInitializer("i8_raw")->describe(), "i8_raw: int8[3]");
}

TEST(OnnxModel, ExternalDataRefused) {
  std::string p = genPath("edge_external_data.onnx");
  REQUIRE_FILE(p);
  std::string e = mustFail(p);
  EXPECT_TRUE(contains(e, "'W_ext'")) << e;
  EXPECT_TRUE(contains(e, "external")) << e;
}

TEST(OnnxModel, UnnamedNodesAndShapelessOutput) {
  std::string p = genPath("edge_unnamed_shapeless_output.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  ASSERT_EQ(m.nodes.size(), 2u);
  EXPECT_EQ(m.nodes[0].name, "Relu_0");
  EXPECT_EQ(m.nodes[1].name, "Sigmoid_1");
  ASSERT_TRUE(m.outputs[0].hasShape);
  EXPECT_EQ(m.outputs[0].dims, (std::vector<int64_t>{1, 4}));
}

TEST(OnnxModel, CustomDomainOp) {
  std::string p = genPath("edge_custom_domain.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  const OnnxNode *c = findNode(m, "custom");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->domain, "com.example");
  EXPECT_EQ(c->describe(), "node 'custom' (com.example.MyOp)");
  EXPECT_EQ(c->getInt("alpha", 0), 3);
  EXPECT_EQ(m.opsetImports.at("com.example"), 1);
  EXPECT_TRUE(anyWarningContains(m, "custom domain 'com.example'"));
}

TEST(OnnxModel, QonnxQuantWithoutDomain) {
  std::string p = genPath("edge_quant_no_domain.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  const OnnxNode *q = findNode(m, "quant");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->domain, "qonnx.custom_op.general");
  EXPECT_EQ(m.opsetImports.at("qonnx.custom_op.general"), 1);
  EXPECT_TRUE(anyWarningContains(m, "1 Quant node(s) without a domain"));
}

TEST(OnnxModel, QonnxDomainWithoutOpsetImport) {
  std::string p = genPath("edge_qonnx_no_import.onnx");
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  EXPECT_EQ(m.opsetImports.at("qonnx.custom_op.general"), 1);
  EXPECT_TRUE(anyWarningContains(m, "domain 'qonnx.custom_op.general' is used by nodes but has "
                                    "no opset import"));
}

// --- files that are not models --------------------------------------------------

std::string writeTmp(const std::string &name, const std::string &bytes) {
  std::string dir = LOOM_ONNX_TEST_TMP;
  llvm::sys::fs::create_directories(dir);
  std::string p = dir + "/" + name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

TEST(OnnxModel, MissingFile) {
  std::string p = "/nonexistent/dir/model.onnx";
  std::string e = mustFail(p);
  EXPECT_TRUE(contains(e, "no such file")) << e;
  auto t = loadTensorProtoFile("/nonexistent/input_0.pb");
  ASSERT_FALSE((bool)t);
  EXPECT_TRUE(contains(llvm::toString(t.takeError()), "/nonexistent/input_0.pb"));
}

TEST(OnnxModel, GarbageFiles) {
  std::mt19937 gen(1234);
  std::string bytes(4096, '\0');
  for (char &c : bytes)
    c = (char)(gen() & 0xff);
  std::string e = mustFail(writeTmp("garbage.onnx", bytes));
  EXPECT_TRUE(contains(e, "not an ONNX model")) << e;

  e = mustFail(writeTmp("text.onnx", "hello, I am not a neural network\n"));
  EXPECT_TRUE(contains(e, "not an ONNX model")) << e;

  e = mustFail(writeTmp("empty.onnx", ""));
  EXPECT_TRUE(contains(e, "empty")) << e;

  std::string dir = LOOM_ONNX_TEST_TMP;
  llvm::sys::fs::create_directories(dir);
  e = mustFail(dir);
  EXPECT_TRUE(contains(e, "directory")) << e;

  auto t = loadTensorProtoFile(writeTmp("garbage.pb", bytes));
  EXPECT_FALSE((bool)t);
  llvm::consumeError(t.takeError());
}

TEST(OnnxModel, FromBytes) {
  auto m = loadOnnxModelFromBytes("junk", "<memory>");
  ASSERT_FALSE((bool)m);
  std::string e = llvm::toString(m.takeError());
  EXPECT_TRUE(contains(e, "<memory>: not an ONNX model")) << e;
}

// --- libonnx-testdata -------------------------------------------------------------

TEST(OnnxModel, LibOnnxTestDataGemm) {
  std::string dir = "/usr/share/libonnx-testdata/data/node/"
                    "test_gemm_default_single_elem_vector_bias/";
  REQUIRE_FILE(dir + "model.onnx");
  OnnxModel m = mustLoad(dir + "model.onnx");
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].opType, "Gemm");
  ASSERT_EQ(m.inputs.size(), 3u);
  EXPECT_EQ(m.inputs[0].dims, (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(m.inputs[1].dims, (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(m.inputs[2].dims, (std::vector<int64_t>{1}));
  EXPECT_EQ(m.outputs[0].dims, (std::vector<int64_t>{3, 3}));
  std::vector<OnnxTensor> ins;
  for (int k = 0; k < 3; ++k) {
    auto t = loadTensorProtoFile(dir + "test_data_set_0/input_" + std::to_string(k) + ".pb");
    ASSERT_TRUE((bool)t) << llvm::toString(t.takeError());
    EXPECT_EQ(t->dims, m.inputs[k].dims);
    ins.push_back(*t);
  }
  auto out = loadTensorProtoFile(dir + "test_data_set_0/output_0.pb");
  ASSERT_TRUE((bool)out) << llvm::toString(out.takeError());
  ASSERT_EQ(out->values.size(), 9u);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double s = ins[2].values[0];
      for (int k = 0; k < 7; ++k)
        s += ins[0].values[i * 7 + k] * ins[1].values[k * 3 + j];
      EXPECT_NEAR(s, out->values[i * 3 + j], 1e-5);
    }
}

// --- shared real-world models (optional) --------------------------------------------

const std::string kShared = "/work/shared/models/";

TEST(OnnxModel, SharedJetTagger) {
  std::string p = kShared + "jet_tagger_16_64_32_32_5.onnx";
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  EXPECT_EQ(m.opset, 9);
  EXPECT_EQ(m.irVersion, 3);
  ASSERT_EQ(m.inputs.size(), 1u); // W/B initializers are not inputs
  EXPECT_EQ(m.inputs[0].dims, (std::vector<int64_t>{1, 16}));
  EXPECT_EQ(m.outputs[0].dims, (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(countOp(m, "MatMul"), 4u);
  EXPECT_EQ(countOp(m, "Softmax"), 1u);
  EXPECT_EQ(m.findInitializer("W")->dims, (std::vector<int64_t>{16, 64}));
  for (const auto &n : m.nodes)
    for (const auto &o : n.outputs) {
      const OnnxValueInfo *vi = m.findValueInfo(o);
      ASSERT_NE(vi, nullptr) << o;
      EXPECT_TRUE(vi->isFullyStatic()) << vi->describe();
    }
}

TEST(OnnxModel, SharedTwoLayerKeras) {
  std::string p = kShared + "two_layer_keras.onnx";
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  EXPECT_EQ(m.inputs.size(), 1u);
  EXPECT_EQ(m.outputs[0].dims, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(countOp(m, "Sigmoid"), 1u);
}

TEST(OnnxModel, SharedAutoencoder) {
  std::string p = kShared + "mlperf_tiny_ad_autoencoder.onnx";
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  EXPECT_EQ(m.opset, 11);
  EXPECT_EQ(m.producer, "pytorch");
  EXPECT_EQ(m.inputs[0].dims, (std::vector<int64_t>{1, 640}));
  EXPECT_EQ(m.outputs[0].dims, (std::vector<int64_t>{1, 640}));
  EXPECT_EQ(countOp(m, "Gemm"), 6u);
  EXPECT_EQ(countOp(m, "BatchNormalization"), 5u);
  for (const auto &n : m.nodes) {
    if (n.opType == "BatchNormalization") {
      EXPECT_GT(n.getFloat("epsilon", 0.0), 0.0);
    }
  }
}

TEST(OnnxModel, SharedQonnxCustomDomain) {
  std::string p = kShared + "qonnx_bnn_fc_1layer.onnx";
  REQUIRE_FILE(p);
  OnnxModel m = mustLoad(p);
  EXPECT_EQ(m.opset, 17);
  EXPECT_EQ(countOp(m, "BipolarQuant"), 3u);
}

} // namespace
