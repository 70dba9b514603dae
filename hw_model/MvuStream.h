// Geometry and weight image of loom_mvu_stream (rtl/compute/loom_mvu_stream.sv): a
// matrix-vector (or depthwise) unit with PE = N that folds "flat across vectors". The
// RTL, its cycle model (MvuStreamModel), the cost estimates and the testbenches all
// derive their sizes from streamGeometry(), and the weight ROM from streamWeightImage().
#ifndef LOOM_HW_MODEL_MVUSTREAM_H
#define LOOM_HW_MODEL_MVUSTREAM_H

#include "hw_model/Configs.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

namespace loom::hw {

/// A frame is VECTORS vectors of KR items, one flat sequence of VECTORS*KR items per
/// output lane; an item is G stream elements (dense: G = 1, item k of a vector is element
/// k; depthwise: G = N channels, item = tap). A step takes SIMD items (EL elements); the
/// frame's last step takes the rest (ELAST elements); frames do not share a step.
struct MvuStreamGeometry {
  int kr = 1, g = 1, simd = 1, vectors = 1, inBeat = 1;

  int el() const { return g * simd; }
  int64_t items() const { return int64_t(vectors) * kr; }
  int64_t steps() const { return (items() + simd - 1) / simd; } // STEPS a frame
  int elast() const { return g * int(items() - (steps() - 1) * simd); }
  /// The step's offset (t*SIMD) mod KR repeats every period() steps.
  int period() const { return kr / std::gcd(kr, simd); }
  /// Weight ROM lines: step t of a frame reads line t mod lines() (a frame shorter than a
  /// period never reads the lines past its steps).
  int lines() const { return int(std::min<int64_t>(period(), steps())); }
  /// Gearbox capacity in elements: room for a beat on top of two steps' worth of data
  /// (one step a cycle when IN_BEAT >= EL) and for two beats on top of a step's worth
  /// (a beat a cycle when IN_BEAT < EL, a frame's short last step included).
  int cap() const { return el() + inBeat + std::max(el(), inBeat); }
  /// Every gearbox count is a multiple of unit() elements (the RTL's cnt_q counts units).
  int unit() const { return std::gcd(std::gcd(el(), elast()), inBeat); }
  int64_t frameBeats() const { return items() * g / inBeat; }
};

/// The cycle at which a clean pass (inputs always valid from cycle 0, outputs always
/// ready) issues the first frame's last step (hw_model/Cost.cpp).
int64_t streamLastIssue(const MvuStreamGeometry &g);

inline MvuStreamGeometry streamGeometry(const MvuConfig &c) {
  return {c.K, 1, c.SIMD, c.VECTORS, c.IN_BEAT};
}
inline MvuStreamGeometry streamGeometry(const DwuConfig &c) {
  return {c.KK, c.C, c.SIMD, c.VECTORS, c.IN_BEAT};
}

/// The weight ROM image (W_FILE, or the run-time weight image's lines) from w[n][j],
/// n < N output lanes (channels), j < KR (dense: input k; depthwise: tap kh*KW + kw):
/// line p (p < lines()), lane n*SIMD + s = w[n][(p*SIMD + s) mod KR]. Each line is
/// returned as its N*SIMD lane values (lane i at bits [i*W_W +: W_W] of the ROM word).
inline std::vector<std::vector<int64_t>>
streamWeightImage(const MvuStreamGeometry &g, const std::vector<std::vector<int64_t>> &w) {
  std::vector<std::vector<int64_t>> lines(g.lines());
  for (int p = 0; p < g.lines(); ++p)
    for (size_t n = 0; n < w.size(); ++n)
      for (int s = 0; s < g.simd; ++s)
        lines[p].push_back(w[n][(int64_t(p) * g.simd + s) % g.kr]);
  return lines;
}

} // namespace loom::hw

#endif // LOOM_HW_MODEL_MVUSTREAM_H
