//===- ReportHtml.cpp - `loom report --html`: OUT/report.html -------------===//
//
// A self-contained page (inline SVG and CSS, a few lines of script, nothing
// fetched) drawn only from what the other flows wrote: report.json (actors,
// their streams' sources, cycles and resources), sim.json (measured timing)
// and synth.json (synthesis). Like the text report it computes nothing a flow
// did not already decide, apart from the drawing's layout.
//
//===----------------------------------------------------------------------===//
#include "flows/Report.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <map>
#include <vector>

using namespace loom;
using llvm::json::Object;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string esc(llvm::StringRef s) {
  std::string out;
  for (char c : s)
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    default: out += c;
    }
  return out;
}

/// One box of the graph: a graph input, an actor or a graph output.
struct Box {
  std::string name, kind, detail, tip;
  int layer = 0, row = 0;
  bool bottleneck = false;
  std::string cls; // input | actor | output
  std::vector<int> from; // box indices
};

struct Actor {
  std::string name, kind;
  int64_t cycles = 0, mults = 0, memBits = 0, luts = 0, ffs = 0, fifo = 0, simd = 1, pe = 1;
};

constexpr int kBoxW = 224, kBoxH = 58, kColW = 270, kRowH = 76, kPad = 20;
/// Long pipelines wrap: layers fill bands of kBandCols columns, one band below the other.
constexpr int kBandCols = 5, kBandGap = 36;

/// Longest-path layers, boxes of a layer in index order.
void layout(std::vector<Box> &boxes) {
  for (size_t i = 0; i < boxes.size(); ++i) // producers come first (topological order)
    for (int f : boxes[i].from)
      boxes[i].layer = std::max(boxes[i].layer, boxes[f].layer + 1);
  std::map<int, int> rows;
  for (Box &b : boxes)
    b.row = rows[b.layer]++;
}

void drawGraph(llvm::raw_ostream &os, const std::vector<Box> &boxes) {
  int layers = 0, rows = 0;
  for (const Box &b : boxes)
    layers = std::max(layers, b.layer + 1), rows = std::max(rows, b.row + 1);
  int cols = std::min(layers, kBandCols), bands = (layers + kBandCols - 1) / kBandCols;
  int bandH = rows * kRowH + kBandGap;
  int width = 2 * kPad + (cols - 1) * kColW + kBoxW, height = 2 * kPad + bands * bandH;
  os << "<div class=\"scroll\">";
  os << llvm::formatv("<svg class=\"graph\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                      "xmlns=\"http://www.w3.org/2000/svg\">\n",
                      width, height);
  os << "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
        "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" "
        "fill=\"#667\"/></marker></defs>\n";
  auto x = [](const Box &b) { return kPad + (b.layer % kBandCols) * kColW; };
  auto y = [&](const Box &b) { return kPad + (b.layer / kBandCols) * bandH + b.row * kRowH; };
  for (const Box &b : boxes)
    for (int f : b.from) {
      const Box &a = boxes[f];
      int x0 = x(a) + kBoxW, y0 = y(a) + kBoxH / 2, x1 = x(b), y1 = y(b) + kBoxH / 2;
      if (a.layer / kBandCols != b.layer / kBandCols) {
        // Into the next band: leave below the producer, arrive above the consumer.
        x0 = x(a) + kBoxW / 2, y0 = y(a) + kBoxH, x1 = x(b) + kBoxW / 2, y1 = y(b);
        os << llvm::formatv("<path class=\"edge\" d=\"M{0},{1} C{0},{2} {3},{4} {3},{5}\" "
                            "marker-end=\"url(#arrow)\"/>\n",
                            x0, y0, y0 + kBandGap, x1, y1 - kBandGap, y1);
        continue;
      }
      os << llvm::formatv("<path class=\"edge\" d=\"M{0},{1} C{2},{1} {3},{4} {5},{4}\" "
                          "marker-end=\"url(#arrow)\"/>\n",
                          x0, y0, (x0 + x1) / 2, (x0 + x1) / 2, y1, x1);
    }
  for (size_t i = 0; i < boxes.size(); ++i) {
    const Box &b = boxes[i];
    os << llvm::formatv("<g class=\"{0}{1}\" data-index=\"{2}\" data-name=\"{3}\" "
                        "data-kind=\"{4}\">\n",
                        b.cls, b.bottleneck ? " bottleneck" : "", i, esc(b.name), esc(b.kind));
    os << "<title>" << esc(b.tip) << "</title>\n";
    os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"{2}\" height=\"{3}\" rx=\"6\"/>\n",
                        x(b), y(b), kBoxW, kBoxH);
    std::string name = b.name.size() > 28 ? "..." + b.name.substr(b.name.size() - 25) : b.name;
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" class=\"name\">{2}</text>\n", x(b) + 8,
                        y(b) + 17, esc(name));
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\">{2}</text>\n", x(b) + 8, y(b) + 33,
                        esc(b.kind));
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\">{2}</text>\n</g>\n", x(b) + 8, y(b) + 49,
                        esc(b.detail));
  }
  os << "</svg></div>\n";
}

/// Horizontal bars, one per actor, of one quantity.
void drawBars(llvm::raw_ostream &os, llvm::StringRef title, llvm::StringRef unit,
              const std::vector<Actor> &actors, int64_t Actor::*field) {
  int64_t most = 1;
  for (const Actor &a : actors)
    most = std::max(most, a.*field);
  const int label = 230, bar = 420, rowH = 16;
  int height = int(actors.size()) * rowH + 10;
  os << "<div class=\"chart\"><h3>" << esc(title) << "</h3>\n";
  os << llvm::formatv("<svg class=\"bars\" width=\"{0}\" height=\"{1}\" "
                      "xmlns=\"http://www.w3.org/2000/svg\">\n",
                      label + bar + 150, height);
  for (size_t i = 0; i < actors.size(); ++i) {
    const Actor &a = actors[i];
    int w = int(double(bar) * double(a.*field) / double(most));
    int yy = int(i) * rowH + 4;
    std::string name = a.name.size() > 32 ? "..." + a.name.substr(a.name.size() - 29) : a.name;
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\">{2}</text>"
                        "<rect x=\"{3}\" y=\"{4}\" width=\"{5}\" height=\"{6}\"/>"
                        "<text x=\"{7}\" y=\"{1}\">{8} {9}</text>\n",
                        label - 6, yy + 11, esc(name), label, yy, std::max(w, 1), rowH - 4,
                        label + w + 6, a.*field, esc(unit));
  }
  os << "</svg></div>\n";
}

const char *kStyle = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #223; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 28px; } h3 { font-size: 14px; }
table { border-collapse: collapse; } td, th { padding: 3px 10px; border-bottom: 1px solid #dde; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.graph text, .bars text { font: 11px system-ui, sans-serif; fill: #223; }
.graph text.name { font-weight: 600; }
.graph .actor rect { fill: #eef3ff; stroke: #5a74c2; }
.graph .input rect, .graph .output rect { fill: #eef8ee; stroke: #4a9a4a; }
.graph .bottleneck rect { fill: #ffe3e0; stroke: #c0392b; stroke-width: 2.5; }
.graph path.edge { fill: none; stroke: #667; stroke-width: 1.3; }
.bars rect { fill: #5a74c2; }
.scroll { overflow-x: auto; }
.chart { display: inline-block; vertical-align: top; margin-right: 24px; }
.ok { color: #1a7f37; } .bad { color: #c0392b; font-weight: 600; }
)";

void row(llvm::raw_ostream &os, llvm::StringRef what, const std::string &value) {
  os << "<tr><th>" << esc(what) << "</th><td class=\"num\">" << value << "</td></tr>\n";
}

std::string num(const Object &o, llvm::StringRef key) {
  if (auto i = o.getInteger(key))
    return std::to_string(*i);
  if (auto d = o.getNumber(key))
    return llvm::formatv("{0:F1}", *d).str();
  return "-";
}

} // namespace

llvm::Error loom::writeHtmlReport(const std::string &outDir) {
  auto reportJson = readJson(outDir + "/report.json");
  if (!reportJson)
    return reportJson.takeError();
  const Object *r = reportJson->getAsObject();
  if (!r || !r->getArray("actors"))
    return error(outDir + "/report.json: no actors; run `loom compile` again");

  std::vector<Actor> actors;
  std::vector<Box> boxes;
  const llvm::json::Array *ins = r->getArray("inputs"), *outs = r->getArray("outputs");
  size_t nIn = ins ? ins->size() : 0;
  for (size_t k = 0; k < nIn; ++k) {
    const Object *in = (*ins)[k].getAsObject();
    Box b;
    b.cls = "input";
    b.name = in ? in->getString("name").value_or("input").str() : "input";
    b.kind = "input " + (in ? in->getString("port").value_or("").str() : "");
    b.detail = in ? llvm::formatv("{0} lanes x {1} bits", num(*in, "lanes"), num(*in, "bits"))
                        .str()
                  : "";
    b.tip = b.name;
    boxes.push_back(b);
  }
  int64_t slowest = 0;
  for (const llvm::json::Value &v : *r->getArray("actors")) {
    const Object *o = v.getAsObject();
    if (!o)
      return error(outDir + "/report.json: an actor is not an object; run `loom compile` again");
    Actor a;
    a.name = o->getString("name").value_or("").str();
    a.kind = o->getString("kind").value_or("").str();
    a.cycles = o->getInteger("predicted_cycles_per_frame").value_or(0);
    a.mults = o->getInteger("multipliers").value_or(0);
    a.memBits = o->getInteger("memory_bits").value_or(0);
    a.luts = int64_t(o->getNumber("luts_estimate").value_or(0));
    a.ffs = int64_t(o->getNumber("ffs_estimate").value_or(0));
    a.fifo = o->getInteger("fifo_depth").value_or(0);
    if (const Object *f = o->getObject("folding"))
      a.simd = f->getInteger("simd").value_or(1), a.pe = f->getInteger("pe").value_or(1);
    slowest = std::max(slowest, a.cycles);
    Box b;
    b.cls = "actor";
    b.name = a.name;
    b.kind = a.kind + (o->getObject("folding")
                           ? llvm::formatv("  simd {0} x pe {1}", a.simd, a.pe).str()
                           : std::string()) +
             (a.fifo ? llvm::formatv("  depth {0}", a.fifo).str() : std::string());
    b.detail = llvm::formatv("{0} cycles, {1} mults, {2} LUTs", a.cycles, a.mults, a.luts);
    b.tip = llvm::formatv("{0} ({1}, ONNX {2}): {3} cycles/frame, latency {4}, {5} multipliers, "
                          "{6} memory bits, ~{7} LUTs, ~{8} FFs",
                          a.name, a.kind, o->getString("onnx_op").value_or(""), a.cycles,
                          o->getInteger("predicted_latency_cycles").value_or(0), a.mults,
                          a.memBits, a.luts, a.ffs);
    if (const llvm::json::Array *from = o->getArray("from"))
      for (const llvm::json::Value &f : *from)
        if (const Object *fo = f.getAsObject()) {
          if (auto i = fo->getInteger("actor"))
            b.from.push_back(int(nIn + *i));
          else if (auto g = fo->getInteger("graph_input"))
            b.from.push_back(int(*g));
        }
    actors.push_back(a);
    boxes.push_back(b);
  }
  for (size_t i = 0; i < actors.size(); ++i)
    boxes[nIn + i].bottleneck = actors[i].cycles == slowest && slowest > 0;
  if (outs)
    for (const llvm::json::Value &v : *outs) {
      const Object *o = v.getAsObject();
      Box b;
      b.cls = "output";
      b.name = o ? o->getString("name").value_or("output").str() : "output";
      b.kind = "output " + (o ? o->getString("port").value_or("").str() : "");
      b.detail = o ? llvm::formatv("{0} lanes x {1} bits", num(*o, "lanes"), num(*o, "bits")).str()
                   : "";
      b.tip = b.name;
      if (o)
        if (auto f = o->getInteger("from_actor"))
          b.from.push_back(int(nIn + *f));
      boxes.push_back(b);
    }
  layout(boxes);

  std::string page;
  llvm::raw_string_ostream os(page);
  std::string top = r->getString("top").value_or("").str();
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Loom report: "
     << esc(top) << "</title>\n<style>" << kStyle << "</style></head>\n<body>\n";
  os << "<h1>Loom design <code>" << esc(top) << "</code></h1>\n<table class=\"summary\">\n";
  row(os, "model", esc(r->getString("model").value_or("")));
  row(os, "precision", esc(r->getString("precision").value_or("")));
  row(os, "predicted II (cycles)", num(*r, "predicted_ii_cycles"));
  row(os, "predicted latency (cycles)", num(*r, "predicted_latency_cycles"));
  row(os, "multipliers", num(*r, "total_multipliers"));
  row(os, "memory bits", num(*r, "total_memory_bits"));
  row(os, "LUT / FF estimate", num(*r, "luts_estimate") + " / " + num(*r, "ffs_estimate"));
  row(os, "actors", std::to_string(actors.size()));
  os << "</table>\n";

  os << "<h2>Dataflow graph</h2>\n<p>One box per actor; the slowest actor (the bottleneck that "
        "sets the II) is red. Hover a box for its numbers.</p>\n";
  drawGraph(os, boxes);

  os << "<h2>Per actor</h2>\n";
  drawBars(os, "cycles per frame", "", actors, &Actor::cycles);
  drawBars(os, "multipliers", "", actors, &Actor::mults);
  drawBars(os, "memory", "bits", actors, &Actor::memBits);
  drawBars(os, "LUT estimate", "", actors, &Actor::luts);

  if (llvm::sys::fs::exists(outDir + "/sim.json")) {
    auto sim = readJson(outDir + "/sim.json");
    if (!sim)
      return sim.takeError();
    if (const Object *s = sim->getAsObject()) {
      auto cmp = [&](llvm::StringRef what, llvm::StringRef measured, llvm::StringRef predicted) {
        bool same = s->getInteger(measured) == s->getInteger(predicted);
        row(os, what, num(*s, measured) + " measured, " + num(*s, predicted) + " predicted " +
                          (same ? "<span class=\"ok\">equal</span>"
                                : "<span class=\"bad\">different</span>"));
      };
      os << "<h2>Simulation (sim.json): predicted against measured</h2>\n<table class=\"sim\">\n";
      row(os, "frames", num(*s, "frames"));
      int64_t mm = s->getInteger("mismatches").value_or(-1);
      row(os, "mismatching words", mm == 0 ? "<span class=\"ok\">0</span>"
                                           : "<span class=\"bad\">" + std::to_string(mm) + "</span>");
      cmp("latency (cycles)", "latency_cycles", "predicted_latency_cycles");
      cmp("II (cycles)", "ii_cycles", "predicted_ii_cycles");
      row(os, "simulated cycles / s", num(*s, "cycles_per_second"));
      os << "</table>\n";
    }
  }
  if (llvm::sys::fs::exists(outDir + "/synth.json")) {
    auto syn = readJson(outDir + "/synth.json");
    if (!syn)
      return syn.takeError();
    if (const Object *s = syn->getAsObject()) {
      os << "<h2>Synthesis (synth.json)</h2>\n<table class=\"synth\">\n";
      row(os, "target", esc(s->getString("target").value_or("")) + " " +
                            esc(s->getString("part").value_or("")));
      row(os, "LUTs (estimate)", num(*s, "luts") + " (" + num(*r, "luts_estimate") + ")");
      row(os, "FFs (estimate)", num(*s, "ffs") + " (" + num(*r, "ffs_estimate") + ")");
      row(os, "BRAM / DSP", num(*s, "brams") + " / " + num(*s, "dsps"));
      if (auto fits = s->getBoolean("fits"))
        row(os, "fits", *fits ? "<span class=\"ok\">yes</span>" : "<span class=\"bad\">no</span>");
      if (s->getNumber("fmax_mhz"))
        row(os, "Fmax (MHz)", num(*s, "fmax_mhz") + " (target " + num(*s, "clock_mhz") + ")");
      if (s->getNumber("logic_levels"))
        row(os, "logic levels", num(*s, "logic_levels"));
      os << "</table>\n";
    }
  }
  if (llvm::sys::fs::exists(outDir + "/sim/trace.fst"))
    os << "<p>Waveforms of the clean simulation pass: <a href=\"sim/trace.fst\">sim/trace.fst</a> "
          "(open with GTKWave).</p>\n";
  // The count lets a headless browser confirm the page rendered every actor.
  os << "<script>document.body.dataset.actorsDrawn = "
        "document.querySelectorAll('svg.graph g.actor').length;</script>\n</body></html>\n";
  os.flush();

  // Written next to its final name, then renamed: never a half-written page.
  std::string path = outDir + "/report.html";
  std::string tmp = path + ".tmp-" + std::to_string(llvm::sys::Process::getProcessId());
  {
    std::error_code ec;
    llvm::raw_fd_ostream f(tmp, ec);
    if (ec)
      return error(path + ": cannot write: " + ec.message());
    f << page;
    f.close();
    if (f.has_error())
      return error(path + ": cannot write: " + f.error().message());
  }
  if (auto ec = llvm::sys::fs::rename(tmp, path))
    return error(path + ": cannot write: " + ec.message());
  return llvm::Error::success();
}
