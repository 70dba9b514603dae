//===- IntegerCase.cpp - one ONNX integer node test through the whole flow -===//
//
// Bound model -> compileModel -> simulateDesign (Verilator, every word
// compared with the reference interpreter) -> the simulated output, read back
// from the .npz, compared value by value with output_0.pb. Integer outputs
// come back as integers (c + zero_point); float outputs (DequantizeLinear) as
// scale * c, which must equal ONNX's f32 (x - zp) * scale exactly.
//
//===----------------------------------------------------------------------===//
#include "IntegerCase.h"

#include "compiler/io/Npy.h"
#include "compiler/io/Npz.h"
#include "compiler/nnimport/ImportToNN.h"
#include "compiler/onnx/OnnxModel.h"
#include "flows/Compile.h"
#include "flows/Simulate.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <map>
#include <set>

using namespace llvm;

namespace loom {
namespace conformance {

const std::vector<std::string> &integerNodeTests() {
  static const std::vector<std::string> tests = {"test_qlinearconv",
                                                 "test_qlinearmatmul_2D",
                                                 "test_qlinearmatmul_3D",
                                                 "test_convinteger_with_padding",
                                                 "test_convinteger_without_padding",
                                                 "test_basic_convinteger",
                                                 "test_matmulinteger",
                                                 "test_maxpool_2d_uint8",
                                                 "test_quantizelinear",
                                                 "test_quantizelinear_axis",
                                                 "test_dequantizelinear",
                                                 "test_dequantizelinear_axis"};
  return tests;
}

namespace {

CaseResult pass(std::string d = "") { return {CaseResult::Pass, std::move(d)}; }
CaseResult skip(std::string d) { return {CaseResult::Skip, std::move(d)}; }
CaseResult fail(std::string d) { return {CaseResult::Fail, std::move(d)}; }

std::string firstLine(std::string s) {
  size_t nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl) + " [...]";
}

/// Drops "<path>: " prefixes the loader, importer and driver put in front.
std::string stripPath(std::string msg, StringRef path) {
  std::string prefix = path.str() + ": ";
  size_t at = msg.find(prefix);
  if (at != std::string::npos)
    msg.erase(at, prefix.size());
  return firstLine(msg);
}

std::string file(StringRef dir, const Twine &name) {
  SmallString<256> p(dir);
  sys::path::append(p, name);
  return std::string(p);
}

CaseResult runDataSet(const onnx::OnnxModel &loaded, StringRef dir, StringRef set, StringRef work) {
  std::string setName = sys::path::filename(set).str();
  // The data input is the graph input some node reads as its first operand;
  // every other input (weights, scales, zero points) becomes a constant.
  std::set<std::string> firstOperands;
  for (const auto &node : loaded.nodes)
    if (!node.inputs.empty())
      firstOperands.insert(node.inputs[0]);
  std::map<std::string, std::string> bound;
  std::string dataPb, dataName;
  for (size_t i = 0; i < loaded.inputs.size(); ++i) {
    std::string pb = file(set, "input_" + std::to_string(i) + ".pb");
    if (!sys::fs::exists(pb))
      return fail(setName + ": missing input_" + std::to_string(i) + ".pb");
    if (firstOperands.count(loaded.inputs[i].name) && dataPb.empty()) {
      dataPb = pb;
      dataName = loaded.inputs[i].name;
    } else {
      bound[loaded.inputs[i].name] = pb;
    }
  }
  if (dataPb.empty())
    return skip("no graph input is a node's data operand");

  std::string bmodel = file(work, "model.onnx"), outDir = file(work, "out");
  if (auto err = onnx::writeModelWithConstantInputs(file(dir, "model.onnx"), bound, bmodel))
    return fail(firstLine(toString(std::move(err))));

  // The importer's refusal is a SKIP (the case cannot be expressed); any
  // later failure is a FAIL.
  {
    auto m = onnx::loadOnnxModel(bmodel);
    if (!m)
      return skip("loader: " + stripPath(toString(m.takeError()), bmodel));
    mlir::MLIRContext ctx;
    std::vector<std::string> warnings;
    auto module = importToNN(*m, ctx, warnings);
    if (!module)
      return skip(stripPath(toString(module.takeError()), bmodel));
  }

  CompileOptions co;
  co.model = bmodel;
  co.outDir = outDir;
  co.quiet = true;
  std::vector<std::string> warnings;
  if (auto err = compileModel(co, warnings))
    return fail("compile: " + stripPath(toString(std::move(err)), bmodel));

  auto x = onnx::loadTensorProtoFile(dataPb);
  if (!x)
    return fail(setName + ": " + firstLine(toString(x.takeError())));
  std::vector<int64_t> shape = x->dims.empty() ? std::vector<int64_t>{1} : x->dims;
  std::string npy = file(work, "input.npy"), npz = file(work, "output.npz");
  llvm::Error werr =
      onnx::isIntegerElemType(x->elemType)
          ? io::writeNpyInt64(npy, shape, x->asInt64())
          : io::writeNpyFloat32(npy, shape, std::vector<float>(x->values.begin(), x->values.end()));
  if (werr)
    return fail(firstLine(toString(std::move(werr))));

  SimulateOptions so;
  so.outDir = outDir;
  so.inputsNpy = npy;
  so.outNpz = npz;
  auto mismatches = simulateDesign(so);
  if (!mismatches)
    return fail("sim: " + firstLine(toString(mismatches.takeError())));
  if (*mismatches)
    return fail(formatv("Verilator differs from the reference interpreter in {0} words (see "
                        "{1})",
                        *mismatches, work)
                    .str());

  auto entries = io::readNpz(npz);
  if (!entries)
    return fail(firstLine(toString(entries.takeError())));
  const io::NpyArray *got = nullptr;
  for (const auto &[name, arr] : *entries)
    if (!StringRef(name).ends_with(".raw") && !got)
      got = &arr;
  auto exp = onnx::loadTensorProtoFile(file(set, "output_0.pb"));
  if (!exp)
    return fail(setName + ": " + firstLine(toString(exp.takeError())));
  if (!got || int64_t(got->values.size()) != exp->numElements())
    return fail(formatv("{0}: the simulation returned {1} values, expected {2}", setName,
                        got ? got->values.size() : 0, exp->numElements())
                    .str());
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < got->values.size(); ++i)
    // f32 outputs compare as f32; integers are exact in f32 and double.
    if (float(got->values[i]) != float(exp->values[i]) && !bad++)
      first = i;
  if (bad)
    return fail(formatv("{0}: {1} of {2} output values differ (first at [{3}]: got {4}, "
                        "expected {5})",
                        setName, bad, got->values.size(), first, got->values[first],
                        exp->values[first])
                    .str());
  return pass();
}

} // namespace

CaseResult runIntegerCase(StringRef dir, StringRef workDir) {
  std::string modelPath = file(dir, "model.onnx");
  auto model = onnx::loadOnnxModel(modelPath);
  if (!model)
    return skip("loader: " + stripPath(toString(model.takeError()), modelPath));
  std::vector<std::string> sets;
  std::error_code ec;
  for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    if (StringRef(sys::path::filename(it->path())).starts_with("test_data_set_"))
      sets.push_back(it->path());
  llvm::sort(sets);
  if (sets.empty())
    return skip("no test_data_set_* directory");
  for (const std::string &set : sets) {
    std::string work = file(workDir, sys::path::filename(set));
    if (auto e = sys::fs::create_directories(work))
      return fail(work + ": cannot create (" + e.message() + ")");
    CaseResult r = runDataSet(*model, dir, set, work);
    if (r.kind != CaseResult::Pass)
      return r;
  }
  return pass(std::to_string(sets.size()) + " data set(s), every value exact");
}

} // namespace conformance
} // namespace loom
