//===- HostFiles.cpp - OUT/host: how frames pack into AXI4-Stream beats ---===//
//
// The hardware's ends are described once, in report.json; the host files
// restate them for a driver: JSON for scripts (and loom_host.py, the numpy
// packer FINN's driver is the model for), a C header for firmware. They add
// only what packing needs: bytes per beat (tdata padded to whole bytes).
//
//===----------------------------------------------------------------------===//
#include "flows/HostFiles.h"

#include "compiler/emit/Identifiers.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace loom;
using llvm::json::Object;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Error write(const std::string &path, const std::string &text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return error(path + ": cannot write: " + ec.message());
  os << text;
  os.close();
  if (os.has_error())
    return error(path + ": cannot write: " + os.error().message());
  return llvm::Error::success();
}

int64_t bytesPerBeat(const Object &end) {
  return (end.getInteger("lanes").value_or(1) * end.getInteger("bits").value_or(8) + 7) / 8;
}

/// One end as C macros (PREFIX_LANES, ...) and its stream-order table.
void header(llvm::raw_ostream &os, const std::string &prefix, const std::string &table,
            const Object &end, const char *what, size_t k) {
  int64_t elements = 1;
  std::string shape;
  if (const auto *s = end.getArray("shape"))
    for (const auto &d : *s) {
      elements *= d.getAsInteger().value_or(1);
      shape += (shape.empty() ? "" : ", ") + std::to_string(d.getAsInteger().value_or(1));
    }
  os << llvm::formatv("\n/* {0} {1} '{2}' on {3}_t*: shape [{4}] */\n", what, k,
                      end.getString("name").value_or(""), end.getString("port").value_or(""),
                      shape);
  auto def = [&](llvm::StringRef name, const std::string &value) {
    os << "#define " << prefix << "_" << name << " " << value << "\n";
  };
  def("ELEMENTS", std::to_string(elements));
  def("LANES", std::to_string(end.getInteger("lanes").value_or(1)));
  def("BITS", std::to_string(end.getInteger("bits").value_or(8)));
  def("BEATS_PER_FRAME", std::to_string(end.getInteger("beats_per_frame").value_or(1)));
  def("BYTES_PER_BEAT", std::to_string(bytesPerBeat(end)));
  if (const auto *scale = end.getArray("scale")) {
    // Per-axis parameters: the first here; io.json has them all.
    def("SCALE", llvm::formatv("{0:e}", (*scale)[0].getAsNumber().value_or(1.0)).str());
    const auto *zp = end.getArray("zero_point");
    def("ZERO_POINT",
        std::to_string(zp && !zp->empty() ? (*zp)[0].getAsInteger().value_or(0) : 0));
    def("PER_AXIS", scale->size() > 1 ? "1" : "0");
    if (end.getBoolean("index").value_or(false))
      def("INDEX", "1"); // token ids: unsigned, in [0, V - 1] (CONTRACTS "Embedding")
  } else {
    def("FRAC", std::to_string(end.getInteger("frac").value_or(0)));
  }
  if (const auto *perm = end.getArray("perm")) {
    os << "/* stream element i is tensor element " << table << "[i] */\n";
    os << "static const uint32_t " << table << "[" << perm->size() << "] = {";
    for (size_t i = 0; i < perm->size(); ++i)
      os << (i % 16 ? " " : "\n  ") << (*perm)[i].getAsInteger().value_or(0)
         << (i + 1 < perm->size() ? "," : "");
    os << "\n};\n";
  }
}

const char *kLaneFunctions = R"(
#ifndef LOOM_LANE_FUNCTIONS
#define LOOM_LANE_FUNCTIONS
/* Lane e of a beat is bits [e * bits, (e + 1) * bits) of tdata, two's
   complement, little endian; the beat is padded with zeros to whole bytes. */
static inline void loom_pack_lane(uint8_t *beat, int lane, int bits, int64_t code) {
  for (int i = 0; i < bits; ++i) {
    int pos = lane * bits + i;
    if ((code >> i) & 1) beat[pos >> 3] |= (uint8_t)(1u << (pos & 7));
    else beat[pos >> 3] &= (uint8_t)~(1u << (pos & 7));
  }
}
static inline int64_t loom_unpack_lane(const uint8_t *beat, int lane, int bits) {
  uint64_t v = 0;
  for (int i = 0; i < bits; ++i) {
    int pos = lane * bits + i;
    v |= (uint64_t)((beat[pos >> 3] >> (pos & 7)) & 1u) << i;
  }
  if (bits < 64 && (v >> (bits - 1)) & 1) v |= ~0ull << bits; /* sign-extend */
  return (int64_t)v;
}
#endif
)";

} // namespace

llvm::Error loom::writeHostFiles(const Object &report, const std::string &dir) {
  if (auto ec = llvm::sys::fs::create_directories(dir))
    return error(dir + ": cannot create: " + ec.message());
  std::string top = report.getString("top").value_or("top").str();
  const auto *ins = report.getArray("inputs"), *outs = report.getArray("outputs");
  if (!ins || !outs)
    return error("report has no inputs/outputs");

  // io.json: the ends as report.json has them, plus bytes_per_beat.
  auto withBytes = [](const llvm::json::Array &ends) {
    llvm::json::Array a;
    for (const auto &v : ends)
      if (const Object *o = v.getAsObject()) {
        Object e = *o;
        e["bytes_per_beat"] = bytesPerBeat(*o);
        a.push_back(std::move(e));
      }
    return a;
  };
  Object io{{"top", top},
            {"predicted_ii_cycles", report.getInteger("predicted_ii_cycles").value_or(0)},
            {"inputs", withBytes(*ins)},
            {"outputs", withBytes(*outs)}};
  std::string json;
  llvm::raw_string_ostream js(json);
  js << llvm::formatv("{0:2}", llvm::json::Value(std::move(io))) << "\n";
  js.flush();
  if (auto e = write(dir + "/io.json", json))
    return e;

  std::string guard = "LOOM_" + llvm::StringRef(legalName(top)).upper() + "_IO_H";
  std::string macro = "LOOM_" + llvm::StringRef(legalName(top)).upper();
  std::string h;
  llvm::raw_string_ostream os(h);
  os << "/* Generated by loom compile: how frames of " << top
     << " pack into AXI4-Stream beats (docs/CONTRACTS.md, \"Host interface\"). */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n#include <stdint.h>\n\n"
     << "#define " << macro << "_INPUTS " << ins->size() << "\n"
     << "#define " << macro << "_OUTPUTS " << outs->size() << "\n";
  for (size_t k = 0; k < ins->size(); ++k)
    if (const Object *o = (*ins)[k].getAsObject())
      header(os, macro + "_IN" + std::to_string(k),
             "loom_" + legalName(top) + "_in" + std::to_string(k) + "_perm", *o, "input", k);
  for (size_t k = 0; k < outs->size(); ++k)
    if (const Object *o = (*outs)[k].getAsObject())
      header(os, macro + "_OUT" + std::to_string(k),
             "loom_" + legalName(top) + "_out" + std::to_string(k) + "_perm", *o, "output", k);
  os << kLaneFunctions << "\n#endif\n";
  os.flush();
  if (auto e = write(dir + "/" + legalName(top) + "_io.h", h))
    return e;

  std::string py = std::string(LOOM_HOST_DIR) + "/loom_host.py";
  if (auto ec = llvm::sys::fs::copy_file(py, dir + "/loom_host.py"))
    return error("cannot copy " + py + ": " + ec.message());
  return llvm::Error::success();
}
