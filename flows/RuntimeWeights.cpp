//===- RuntimeWeights.cpp - weight-load images (--runtime-weights) --------===//
#include "flows/RuntimeWeights.h"

#include "compiler/emit/VerilogEmitter.h"
#include "dialects/rtl/RTLOps.h"
#include "flows/Compile.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace mlir;
using namespace loom;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Error writeBytes(const std::string &path, llvm::StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return error(path + ": cannot write: " + ec.message());
  os << bytes;
  return llvm::Error::success();
}

/// The .bin form of an image: 32-bit little-endian words.
std::string bytesOf(const std::vector<uint32_t> &words) {
  std::string bytes;
  for (uint32_t w : words)
    for (int i = 0; i < 4; ++i)
      bytes.push_back(char((w >> (8 * i)) & 0xff));
  return bytes;
}

std::vector<std::string> filesIn(const std::string &dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    if (it->type() == llvm::sys::fs::file_type::regular_file)
      names.push_back(llvm::sys::path::filename(it->path()).str());
  std::sort(names.begin(), names.end());
  return names;
}

/// The first line where `a` and `b` differ (1-based) and both lines.
std::tuple<size_t, std::string, std::string> firstDifference(llvm::StringRef a,
                                                             llvm::StringRef b) {
  for (size_t line = 1;; ++line) {
    auto [la, ra] = a.split('\n');
    auto [lb, rb] = b.split('\n');
    if (la != lb || (ra.empty() != rb.empty()))
      return {line, la.trim().str(), lb.trim().str()};
    a = ra, b = rb;
  }
}

} // namespace

WeightImage loom::packWeightImage(ModuleOp rtlModule) {
  std::vector<rtl::MemFileOp> mems;
  for (auto mem : rtlModule.getOps<rtl::MemFileOp>())
    if (mem.getLoadOffset())
      mems.push_back(mem);
  std::stable_sort(mems.begin(), mems.end(), [](rtl::MemFileOp a, rtl::MemFileOp b) {
    return *a.getLoadOffset() < *b.getLoadOffset();
  });
  WeightImage image;
  for (rtl::MemFileOp mem : mems) {
    int64_t bits = int64_t(mem.getLaneBits() * mem.getLanes()), perLine = (bits + 31) / 32;
    std::vector<llvm::APInt> lines = memFileLines(mem);
    // The offsets are the packing order itself (NetlistBuilder::loadableMemfile).
    assert(int64_t(image.words.size()) == int64_t(*mem.getLoadOffset()));
    image.memories.push_back(llvm::json::Object{{"name", mem.getFileName().str()},
                                                {"offset", int64_t(image.words.size())},
                                                {"lines", int64_t(lines.size())},
                                                {"line_bits", bits},
                                                {"lanes", int64_t(mem.getLanes())},
                                                {"lane_bits", int64_t(mem.getLaneBits())},
                                                {"words_per_line", perLine}});
    for (const llvm::APInt &line : lines) {
      llvm::APInt wide = line.zext(unsigned(perLine * 32));
      for (int64_t w = 0; w < perLine; ++w)
        image.words.push_back(uint32_t(wide.extractBitsAsZExtValue(32, unsigned(w * 32))));
    }
  }
  return image;
}

llvm::Error loom::writeWeightFiles(const std::string &weightsDir, const std::string &stem,
                                   const WeightImage &image, const CompileOptions &o,
                                   const std::string &top, const llvm::json::Object *int8) {
  if (auto ec = llvm::sys::fs::create_directories(weightsDir))
    return error(weightsDir + ": cannot create: " + ec.message());
  if (auto err = writeBytes(weightsDir + "/" + stem + ".bin", bytesOf(image.words)))
    return err;
  llvm::json::Object layout{
      {"format", "loom weight-load image 1"},
      {"port", "s_axis_wt"},
      {"word_bits", 32},
      {"words", int64_t(image.words.size())},
      {"model", o.model},
      {"image", stem + ".bin"},
      {"memories", llvm::json::Array(image.memories)},
      // What fixes the architecture: another model compiled with these options
      // (flows/RuntimeWeights.cpp compileSameArchitecture) must give the same RTL.
      {"compile",
       llvm::json::Object{{"precision", o.precision},
                          {"max_mults", o.maxMults},
                          {"target_ii", o.targetII},
                          {"max_luts", o.maxLuts},
                          {"max_dsps", o.maxDsps},
                          {"part", o.part},
                          {"clock_mhz", o.clockMhz},
                          {"clock_family", o.clockFamily},
                          {"aresetn", o.aresetn},
                          {"top", top}}}};
  if (int8)
    (*layout.getObject("compile"))["int8"] = llvm::json::Object(*int8);
  return writeBytes(weightsDir + "/layout.json",
                    llvm::formatv("{0:2}", llvm::json::Value(std::move(layout))).str() + "\n");
}

llvm::Expected<std::vector<uint32_t>> loom::readWeightImage(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buf)
    return error(path + ": cannot read: " + buf.getError().message());
  llvm::StringRef bytes = (*buf)->getBuffer();
  if (bytes.size() % 4)
    return error(path + ": not a weight-load image (its size is not a multiple of 4 bytes)");
  std::vector<uint32_t> words(bytes.size() / 4);
  for (size_t i = 0; i < words.size(); ++i)
    for (int b = 0; b < 4; ++b)
      words[i] |= uint32_t(uint8_t(bytes[4 * i + b])) << (8 * b);
  return words;
}

llvm::Expected<std::optional<OwnWeights>> loom::readOwnWeights(const std::string &outDir) {
  std::string layoutPath = outDir + "/weights/layout.json";
  if (!llvm::sys::fs::exists(layoutPath))
    return std::nullopt;
  auto buf = llvm::MemoryBuffer::getFile(layoutPath);
  if (!buf)
    return error(layoutPath + ": cannot read");
  auto layout = llvm::json::parse((*buf)->getBuffer());
  if (!layout)
    return error(layoutPath + ": " + llvm::toString(layout.takeError()));
  const llvm::json::Object *lo = layout->getAsObject();
  OwnWeights w;
  w.model = lo ? lo->getString("model").value_or("").str() : "";
  auto image = readWeightImage(outDir + "/weights/" +
                               (lo ? lo->getString("image").value_or("").str() : ""));
  if (!image)
    return image.takeError();
  w.image = std::move(*image);
  return w;
}

llvm::Expected<std::string> loom::compileSameArchitecture(const std::string &outDir,
                                                          const std::string &model,
                                                          std::vector<std::string> &warnings) {
  std::string layoutPath = outDir + "/weights/layout.json";
  auto buf = llvm::MemoryBuffer::getFile(layoutPath);
  if (!buf)
    return error(outDir + " was not compiled with --runtime-weights (no weights/layout.json): "
                          "its weights are ROMs; recompile with --runtime-weights");
  auto json = llvm::json::parse((*buf)->getBuffer());
  if (!json)
    return error(layoutPath + ": " + llvm::toString(json.takeError()));
  const llvm::json::Object *c = json->getAsObject() ? json->getAsObject()->getObject("compile")
                                                    : nullptr;
  if (!c)
    return error(layoutPath + ": no \"compile\" options; recompile " + outDir);
  CompileOptions o;
  o.model = model;
  o.precision = c->getString("precision").value_or("").str();
  o.maxMults = c->getInteger("max_mults").value_or(0);
  o.targetII = c->getInteger("target_ii").value_or(0);
  o.maxLuts = c->getInteger("max_luts").value_or(0);
  o.maxDsps = c->getInteger("max_dsps").value_or(0);
  o.part = c->getString("part").value_or("").str();
  o.top = c->getString("top").value_or("").str();
  o.clockMhz = c->getNumber("clock_mhz").value_or(0);
  o.clockFamily = c->getString("clock_family").value_or("").str();
  o.aresetn = c->getBoolean("aresetn").value_or(false);
  if (const llvm::json::Object *int8 = c->getObject("int8"))
    o.int8Arch = llvm::formatv("{0}", llvm::json::Value(llvm::json::Object(*int8))).str();
  o.runtimeWeights = true;
  o.quiet = true;
  std::string stem = llvm::sys::path::stem(model).str();
  std::string scratch = outDir + "/weights/.compile-" + stem;
  llvm::sys::fs::remove_directories(scratch);
  o.outDir = scratch;
  if (auto err = compileModel(o, warnings))
    return std::move(err);
  auto cleanup = llvm::make_scope_exit([&] { llvm::sys::fs::remove_directories(scratch); });

  // Same architecture = the same RTL, every file (the top, the library, the
  // tables that stay ROMs); the first difference names what differs.
  std::vector<std::string> ours = filesIn(outDir + "/rtl"), theirs = filesIn(scratch + "/rtl");
  for (const std::string &name : ours)
    if (!llvm::is_contained(theirs, name))
      return error(model + ": not the architecture of " + outDir + ": its design has no rtl/" +
                   name + " (a layer or its memories differ)");
  for (const std::string &name : theirs)
    if (!llvm::is_contained(ours, name))
      return error(model + ": not the architecture of " + outDir + ": its design has rtl/" +
                   name + ", which " + outDir + " has not (a layer or its memories differ)");
  for (const std::string &name : ours) {
    auto a = llvm::MemoryBuffer::getFile(outDir + "/rtl/" + name);
    auto b = llvm::MemoryBuffer::getFile(scratch + "/rtl/" + name);
    if (!a || !b)
      return error(outDir + "/rtl/" + name + ": cannot read");
    if ((*a)->getBuffer() == (*b)->getBuffer())
      continue;
    auto [line, x, y] = firstDifference((*a)->getBuffer(), (*b)->getBuffer());
    return error(llvm::formatv("{0}: not the architecture of {1}: rtl/{2} line {3} is `{4}` "
                               "there and `{5}` for this model (layer shapes, formats or "
                               "folding differ)",
                               model, outDir, name, line, x, y)
                     .str());
  }
  cleanup.release();
  return scratch;
}

llvm::Expected<std::string> loom::packWeights(const std::string &outDir, const std::string &model,
                                              std::string outFile,
                                              std::vector<std::string> &warnings) {
  auto scratch = compileSameArchitecture(outDir, model, warnings);
  if (!scratch)
    return scratch.takeError();
  auto cleanup = llvm::make_scope_exit([&] { llvm::sys::fs::remove_directories(*scratch); });
  std::string stem = llvm::sys::path::stem(model).str();
  if (outFile.empty())
    outFile = outDir + "/weights/" + stem + ".bin";
  auto words = readWeightImage(*scratch + "/weights/" + stem + ".bin");
  if (!words)
    return words.takeError();
  if (auto err = writeBytes(outFile, bytesOf(*words)))
    return std::move(err);
  return outFile;
}
