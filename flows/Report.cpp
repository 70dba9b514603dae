//===- Report.cpp - `loom report`: OUT/report.json as text ----------------===//
//
// Only reads what `compile` (report.json), `sim` (sim.json) and `synth`
// (synth.json) wrote; it computes nothing, so the text always agrees with
// the files.
//
//===----------------------------------------------------------------------===//
#include "flows/Report.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

#include <algorithm>

using namespace loom;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

} // namespace

llvm::Expected<llvm::json::Value> loom::readJson(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return error(path + ": cannot read (" + buf.getError().message() +
                 "); run `loom compile` first");
  auto json = llvm::json::parse((*buf)->getBuffer());
  if (!json)
    return error(path + ": invalid JSON: " + llvm::toString(json.takeError()));
  return json;
}

llvm::Error loom::printReport(const std::string &outDir) {
  auto reportJson = readJson(outDir + "/report.json");
  if (!reportJson)
    return reportJson.takeError();
  const llvm::json::Object *r = reportJson->getAsObject();
  if (!r)
    return error(outDir + "/report.json: not an object");
  llvm::outs() << llvm::formatv("design {0} ({1}, {2})\n", r->getString("top").value_or(""),
                                r->getString("model").value_or(""),
                                r->getString("precision").value_or(""));
  llvm::outs() << llvm::formatv(
      "  predicted II {0} cycles, latency {1} cycles, {2} multipliers, {3} memory bits\n",
      r->getInteger("predicted_ii_cycles").value_or(-1),
      r->getInteger("predicted_latency_cycles").value_or(-1),
      r->getInteger("total_multipliers").value_or(0),
      r->getInteger("total_memory_bits").value_or(0));
  // Resource estimates for the part's family (hw_model/Resources.h: Yosys synth_xilinx).
  if (r->get("luts_estimate"))
    llvm::outs() << llvm::formatv(
        "  estimated for {0} (synth_xilinx): {1} LUTs, {2} FFs, {3:F1} BRAM, {4} DSP\n",
        r->getString("part").value_or("xc7z020"), r->getInteger("luts_estimate").value_or(0),
        r->getInteger("ffs_estimate").value_or(0), r->getNumber("brams_estimate").value_or(0),
        r->getInteger("dsps_estimate").value_or(0));
  // --precision int8: the quantized graph against the float one (Calibrate.h).
  if (const auto *acc = r->getObject("int8_accuracy")) {
    llvm::outs() << llvm::formatv("  int8 vs float model (calibration: {0}):\n",
                                  acc->getString("calibration_source").value_or(""));
    for (const char *part : {"calibration", "held_out"}) {
      const auto *p = acc->getObject(part);
      if (!p)
        continue;
      int64_t frames = p->getInteger("frames").value_or(0);
      if (!frames) {
        llvm::outs() << llvm::formatv("    {0,-12} no frames\n", part);
        continue;
      }
      llvm::outs() << llvm::formatv(
          "    {0,-12} {1,4} frames: max abs error {2:F5}, mean {3:F5}, top-1 agreement {4:P}\n",
          part, frames, p->getNumber("max_abs_error").value_or(0),
          p->getNumber("mean_abs_error").value_or(0), p->getNumber("top1_agreement").value_or(0));
    }
  }
  // --precision auto: the chosen widths and how they did (AutoPrecision.h).
  if (const auto *ap = r->getObject("auto_precision")) {
    llvm::StringRef formats = ap->getString("formats").value_or("");
    if (formats == "per tensor")
      llvm::outs() << llvm::formatv("  auto formats: activations {0} bits, weights {1} bits",
                                    ap->getInteger("activation_bits").value_or(0),
                                    ap->getInteger("weight_bits").value_or(0));
    else
      llvm::outs() << llvm::formatv("  auto format: one {0} for every tensor", formats);
    llvm::outs() << llvm::formatv(" (calibration: {0})\n",
                                  ap->getString("calibration_source").value_or(""));
    if (const auto *h = ap->getObject("held_out"))
      llvm::outs() << llvm::formatv(
          "    held out {0,4} frames: max abs error {1:F5} ({2:P} of the output range), "
          "top-1 agreement {3:P}\n",
          h->getInteger("frames").value_or(0), h->getNumber("max_abs_error").value_or(0),
          h->getNumber("max_abs_error").value_or(0) /
              std::max(1e-30, ap->getNumber("output_range").value_or(1)),
          h->getNumber("top1_agreement").value_or(0));
  }
  // pe, and "x mmv" for a unit taking several vectors a step (its lockstep copies)
  auto peColumn = [](const llvm::json::Object *fold) {
    int64_t pe = fold ? fold->getInteger("pe").value_or(1) : 1;
    int64_t mmv = fold ? fold->getInteger("mmv").value_or(1) : 1;
    return mmv > 1 ? std::to_string(pe) + "x" + std::to_string(mmv) : std::to_string(pe);
  };
  llvm::outs() << llvm::formatv(
      "  {0,-24} {1,-8} {2,6} {3,6} {4,5} {5,5} {6,8} {7,6} {8,10} {9,6} {10,4}  {11}\n", "actor",
      "kind", "in", "out", "simd", "pe", "cycles", "mults", "mem bits", "LUTs", "DSP",
      "format (out / weights)");
  if (auto *actors = r->getArray("actors"))
    for (const auto &a : *actors) {
      const auto *o = a.getAsObject();
      const auto *fold = o->getObject("folding");
      std::string format;
      if (const auto *f = o->getObject("format")) {
        format = f->getString("output").value_or("").str();
        if (auto w = f->getString("weights"))
          format += " / " + w->str();
      }
      llvm::outs() << llvm::formatv(
          "  {0,-24} {1,-8} {2,6} {3,6} {4,5} {5,5} {6,8} {7,6} {8,10} {9,6} {10,4}  {11}\n",
          o->getString("name").value_or(""), o->getString("kind").value_or(""),
          o->getInteger("input_elements").value_or(0), o->getInteger("output_elements").value_or(0),
          fold ? fold->getInteger("simd").value_or(1) : 1,
          peColumn(fold), o->getInteger("predicted_cycles_per_frame").value_or(0),
          o->getInteger("multipliers").value_or(0), o->getInteger("memory_bits").value_or(0),
          o->getInteger("luts_estimate").value_or(0), o->getInteger("dsps_estimate").value_or(0),
          format);
    }
  if (llvm::sys::fs::exists(outDir + "/sim.json")) {
    auto simJson = readJson(outDir + "/sim.json");
    if (simJson)
      if (const auto *s = simJson->getAsObject())
        llvm::outs() << llvm::formatv(
            "  last sim: {0} frames, {1} mismatches, latency {2} (predicted {3}), II {4} "
            "(predicted {5}), float max abs error {6:F5}\n",
            s->getInteger("frames").value_or(0), s->getInteger("mismatches").value_or(-1),
            s->getInteger("latency_cycles").value_or(-1),
            s->getInteger("predicted_latency_cycles").value_or(-1),
            s->getInteger("ii_cycles").value_or(-1),
            s->getInteger("predicted_ii_cycles").value_or(-1),
            s->getNumber("float_max_abs_error").value_or(0));
  }
  // Token by token (loom generate): tokens/s at the placed-and-routed Fmax when
  // synth.json has one, else at report.json's stated clock.
  std::optional<double> fmax;
  if (llvm::sys::fs::exists(outDir + "/synth.json"))
    if (auto sj = readJson(outDir + "/synth.json"))
      if (const auto *s = sj->getAsObject())
        fmax = s->getNumber("fmax_mhz");
  if (const auto *seq = r->getObject("sequence")) {
    double mean = seq->getNumber("predicted_mean_token_cycles").value_or(0);
    double clock = fmax.value_or(seq->getNumber("clock_mhz").value_or(200));
    llvm::outs() << llvm::formatv(
        "  per token ({0} positions): {1} MACs, multiplier bound {2} cycles; predicted {3} cycles "
        "(first), {4:F1} (mean), {5} (last); {6:F0} tokens/s at {7:F1} MHz{8}\n",
        seq->getInteger("rows").value_or(0), seq->getInteger("macs_per_token").value_or(0),
        seq->getInteger("multiplier_bound_per_token").value_or(0),
        seq->getInteger("predicted_first_token_cycles").value_or(0), mean,
        seq->getInteger("predicted_last_token_cycles").value_or(0),
        mean > 0 ? clock * 1e6 / mean : 0.0, clock, fmax ? " (placed-and-routed Fmax)" : "");
  }
  if (llvm::sys::fs::exists(outDir + "/synth.json")) {
    auto synthJson = readJson(outDir + "/synth.json");
    if (synthJson)
      if (const auto *s = synthJson->getAsObject()) {
        std::string part = s->getString("part").value_or("").str();
        double b = s->getNumber("brams").value_or(0); // 7-series: RAMB18 = 0.5
        std::string brams = llvm::formatv(b == double(int64_t(b)) ? "{0:F0}" : "{0:F1}", b).str();
        llvm::outs() << llvm::formatv(
            "  synthesis ({0}{1}): {2:F0} LUTs (estimate {3:F0}), {4:F0} FFs (estimate {5:F0}), "
            "{6} BRAM (estimate {7:F1}), {8:F0} DSP (estimate {9:F0})",
            s->getString("target").value_or(""), part.empty() ? "" : ", " + part,
            s->getNumber("luts").value_or(0), r->getNumber("luts_estimate").value_or(0),
            s->getNumber("ffs").value_or(0), r->getNumber("ffs_estimate").value_or(0),
            brams, r->getNumber("brams_estimate").value_or(0), s->getNumber("dsps").value_or(0),
            r->getNumber("dsps_estimate").value_or(0));
        if (auto fits = s->getBoolean("fits"))
          llvm::outs() << (*fits ? ", fits" : ", does not fit");
        if (auto f = s->getNumber("fmax_mhz"))
          llvm::outs() << llvm::formatv(", Fmax {0:F1} MHz", *f);
        if (auto c = s->getNumber("clock_mhz"))
          llvm::outs() << llvm::formatv(" (target {0:F1} MHz)", *c);
        if (auto l = s->getNumber("logic_levels"))
          llvm::outs() << llvm::formatv(", {0:F0} logic levels", *l);
        llvm::outs() << "\n";
      }
  }
  return llvm::Error::success();
}
