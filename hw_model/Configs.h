// Actor configurations for the hardware model. Field names are the RTL module
// parameter names (docs/CONTRACTS.md, "Library modules") so mapping is 1:1.
#ifndef LOOM_HW_MODEL_CONFIGS_H
#define LOOM_HW_MODEL_CONFIGS_H

#include <cstdint>
#include <numeric>
#include <string>
#include <variant>
#include <vector>

namespace loom::hw {

/// Number of frames the cycle-level model runs (CONTRACTS.md, timing definitions).
constexpr int kPredictFrames = 8;

/// The ACT parameter of loom_mvu / loom_dwu: the one C++ copy of the codes of
/// rtl/loom_pkg.sv (ACT_NONE ... ACT_SIGN). Every table activation (sigmoid,
/// tanh, elu, selu, any nn.lut) is Table.
enum class ActCode : int { None = 0, Relu = 1, Table = 2, Clip = 3, Leaky = 4, Sign = 5 };

/// loom_mvu. Requires SIMD <= K, K % IN_BEAT == 0, N % PE == 0. SIMD need not divide K:
/// then the unit folds flat (steps() = ceil(NF*K/SIMD) a vector, rtl/compute/loom_mvu.sv).
/// VECTORS (model only, not an RTL parameter): vectors per frame, e.g. OH*OW when the
/// mvu follows a loom_swg (one K = KH*KW*C window per output pixel). Default 1.
/// MMV > 1 (loom_mvu_mmv): MMV lockstep copies take MMV vectors a step, one whole vector
/// a beat each (IN_BEAT = K, PE = N, MMV | VECTORS); the stream carries MMV beats side by
/// side, and the model is one copy over groups() = VECTORS / MMV vectors.
struct MvuConfig {
  int K = 1, N = 1, SIMD = 1, PE = 1, IN_BEAT = 1, MMV = 1;
  int W_IN = 8, W_W = 8, W_ACC = 24, W_OUT = 8;
  ActCode ACT = ActCode::None;
  int T_DEPTH = 1;   // table entries (ACT Table)
  int VECTORS = 1;   // vectors per frame
  int W_M = 0;       // requantization multiplier bits (0: none); same cycles either way
  int BIPOLAR_W = 0; // 1: +-1 weights stored as one bit (W_W = 1), no multipliers
  int W_LA = 0;      // ACT Leaky per-channel slope bits (PRelu table; 0: one constant slope)
  int W_PB = 0;      // post-multiply bias bits (signed; 0: none); same cycles either way
  int PIPE = 0;      // extra MAC register stages for a clock target (0..2, hw_model/Timing.h)
  int RQ_PIPE = 0;   // 1: a register after the requantisation multiply (clock target)
  // 1: loom_mvu_stream (needs PE = N, MMV = 1): the frame's VECTORS*K inputs are one flat
  // sequence, SIMD a step, ceil(VECTORS*K/SIMD) steps a frame (hw_model/MvuStream.h);
  // steps() and the weight ROM are then streamGeometry()'s, not the fields below.
  int STREAM = 0;

  bool flat() const { return K % SIMD != 0; }
  int nf() const { return N / PE; }
  /// MAC steps (weight lines) per vector: NF*K/SIMD, rounded up when folded flat.
  int steps() const { return (nf() * K + SIMD - 1) / SIMD; }
  int groups() const { return VECTORS / MMV; }            // vector groups (steps) a frame
  int vecInBeats() const { return K / IN_BEAT; }          // input beats per vector
  int inBeats() const { return groups() * (K / IN_BEAT); } // input beats per frame
  int outBeats() const { return groups() * (N / PE); }     // output beats per frame
};

/// loom_swg (sliding window generator). IN_BEAT | C, or whole pixels of a row
/// (C | IN_BEAT | W*C); OUT_BEAT | KH*KW*C, or windowsPerBeat() whole windows
/// dividing OW (a unit taking that many vectors a step: MMV).
/// PAD_VAL: value of padded positions (0; the most negative value for max pooling).
struct SwgConfig {
  int C = 1, H = 1, W = 1, KH = 1, KW = 1, SH = 1, SW = 1, DH = 1, DW = 1;
  int PT = 0, PL = 0, PB = 0, PR = 0, IN_BEAT = 1, OUT_BEAT = 1, WB = 8;
  int PAD_VAL = 0;
  int ROWS = 0; // line buffer rows (0 = spanH() + SH)

  int spanH() const { return DH * (KH - 1) + 1; }
  int spanW() const { return DW * (KW - 1) + 1; }
  int OH() const { return (H + PT + PB - spanH()) / SH + 1; }
  int OW() const { return (W + PL + PR - spanW()) / SW + 1; }
  int rows() const { return ROWS > 0 ? ROWS : spanH() + SH; } // line buffer rows (R)
  int window() const { return KH * KW * C; }
  int windowsPerBeat() const { return OUT_BEAT > window() ? OUT_BEAT / window() : 1; }
  int windowBeats() const { return OUT_BEAT > window() ? 1 : window() / OUT_BEAT; }
  int inBeats() const { return H * W * C / IN_BEAT; }
  int outBeats() const { return OH() * OW() / windowsPerBeat() * windowBeats(); }
  /// Channels a line-buffer word holds, gcd(C, IN_BEAT, OUT_BEAT): a write is
  /// IN_BEAT / chunk() words, a read OUT_BEAT / chunk() (read ports).
  int chunk() const { return std::gcd(std::gcd(C, IN_BEAT), OUT_BEAT); }
};

/// loom_pool: MODE 0 max, 1 average over KK window positions per channel (input in the
/// swg's (k, c) order, IN_BEAT | C or IN_BEAT/C whole positions dividing KK), PE
/// channels per output beat (PE | C), HOLD hold banks (1, or 2: ping-pong), NPIX output
/// pixels per frame. Average divisor: DIV (constant) or, with a D_FILE, one entry per
/// output pixel (count_include_pad = 0); the model needs only `divRom`.
struct PoolConfig {
  int MODE = 0, C = 1, KK = 1, IN_BEAT = 1, PE = 1, WB = 8, NPIX = 1, DIV = 1, HOLD = 1;
  int RND = 0;         // MODE 1 rounding of sum / DIV (numerics::Rounding order); same timing
  bool divRom = false; // D_FILE given (per-pixel divisors)
  int D_BITS = 16;

  int pixInBeats() const { return KK * C / IN_BEAT; }
  int pixOutBeats() const { return C / PE; }
  int inBeats() const { return NPIX * pixInBeats(); }
  int outBeats() const { return NPIX * pixOutBeats(); }
};

/// loom_dwu: depthwise convolution, per window (from a loom_swg, (k, c) order)
/// acc[c] = b[c] + sum_j x[j*C + c] * w[c][j], j < KK. PE channels x SIMD taps per cycle.
/// Requires C % PE == 0, KK % SIMD == 0, (KK*C) % IN_BEAT == 0. VECTORS = windows/frame.
/// Same control (and cycle model) as loom_mvu with K = KK*C, NF = C/PE, SF = KK/SIMD.
/// MMV as MvuConfig (IN_BEAT = KK*C, PE = C).
struct DwuConfig {
  int C = 1, KK = 1, SIMD = 1, PE = 1, IN_BEAT = 1, MMV = 1;
  int W_IN = 8, W_W = 8, W_ACC = 24, W_OUT = 8;
  ActCode ACT = ActCode::None;
  int T_DEPTH = 1;
  int VECTORS = 1;
  int W_M = 0, BIPOLAR_W = 0; // as MvuConfig
  int W_LA = 0;               // as MvuConfig
  int W_PB = 0;               // as MvuConfig
  int PIPE = 0;               // as MvuConfig
  int RQ_PIPE = 0;            // as MvuConfig
  int STREAM = 0;             // as MvuConfig (PE = C; SIMD need not divide KK)

  int sf() const { return KK / SIMD; }
  int steps() const { return nf() * sf(); } // MAC steps (weight lines) per window
  int nf() const { return C / PE; }
  int groups() const { return VECTORS / MMV; }
  int vecInBeats() const { return KK * C / IN_BEAT; }
  int inBeats() const { return groups() * vecInBeats(); }
  int outBeats() const { return groups() * nf(); }
};

/// loom_fork: 1 input, 2 outputs (each a 2-entry FIFO, W bits per beat).
struct ForkConfig {
  int W = 8;
  int beatsPerFrame = 1;
};

/// loom_add: join of two streams with LANES elements of WB bits per beat.
/// MODE 0: y = sat(a + b); MODE 1: y = sat(shift_round_even(a * b, F));
/// MODE 2: y = sat(shift_round_even(a * MA + b * MB, S)). Same cycles in every mode.
struct AddConfig {
  int LANES = 1, WB = 8, MODE = 0, F = 0;
  int beatsPerFrame = 1;
  int MA = 1, MB = 1, S = 0; // MODE 2 (after beatsPerFrame: aggregate inits stay valid)
};

/// loom_concat: per pixel C1 elements of input a then C2 of input b, LANES elements per
/// beat on all ports (LANES | C1, LANES | C2), NPIX pixels per frame.
struct ConcatConfig {
  int C1 = 1, C2 = 1, LANES = 1, WB = 8, NPIX = 1;

  int inBeatsA() const { return NPIX * (C1 / LANES); }
  int inBeatsB() const { return NPIX * (C2 / LANES); }
  int outBeats() const { return NPIX * ((C1 + C2) / LANES); }
};

/// loom_upsample: nearest upsampling of an H x W x C channels-last map by SH x SW,
/// LANES elements per beat on both ports (LANES | C).
struct UpsampleConfig {
  int C = 1, H = 1, W = 1, SH = 1, SW = 1, LANES = 1, WB = 8;

  int rowInBeats() const { return W * (C / LANES); }
  int rowOutBeats() const { return SH * SW * rowInBeats(); }
  int inBeats() const { return H * rowInBeats(); }
  int outBeats() const { return H * rowOutBeats(); }
};

/// loom_softmax (PIPELINED = 0: store-and-forward, output beats of 1 element) or
/// loom_softmax_pipe (PIPELINED = 1: a frame every max(N / IN_BEAT, N / OUT_BEAT) cycles,
/// output beats of OUT_BEAT elements, one divider each). Requires N % IN_BEAT == 0 (and
/// N % OUT_BEAT == 0 when pipelined).
struct SoftmaxConfig {
  int N = 1, IN_BEAT = 1, W = 8, EXP_DEPTH = 1, EXP_BITS = 16;
  int F = 8; // output fraction bits: the divider's width (resources only)
  int PIPELINED = 0;
  int OUT_BEAT = 1; // loom_softmax_pipe only

  int inBeats() const { return N / IN_BEAT; }
  int outBeat() const { return PIPELINED ? OUT_BEAT : 1; }
  int outBeats() const { return N / outBeat(); }
};

/// loom_layernorm (docs/CONTRACTS.md "LayerNorm"). Requires C % IN_BEAT == 0. Output
/// beats carry 1 element. ROWS (not an RTL parameter) is the rows of C elements per frame.
/// The widths W_V (D + E), W_T, W_U, W_G, W_B, W_Z and the shifts P, R come from
/// numerics::LayerNormParams.
struct LayerNormConfig {
  int C = 1, IN_BEAT = 1, W_IN = 8, W_OUT = 8, W_V = 2, W_T = 2, W_U = 2, W_G = 2, W_B = 2,
      W_Z = 2, P = 8, R = 9;
  int ROWS = 1;

  int inBeatsPerRow() const { return C / IN_BEAT; }
  /// isqrt steps (two radicand bits each), reciprocal steps, one cycle for D.
  int sqrtSteps() const { return (W_V + 2 * P + 1) / 2; }
  int divSteps() const { return R - P + 1; }
  int calcCycles() const { return 1 + sqrtSteps() + divSteps(); }
  int inBeats() const { return ROWS * inBeatsPerRow(); }
  int outBeats() const { return ROWS * C; }
};

/// loom_rotary (docs/CONTRACTS.md "Rotary"): a frame is T rows of C codes; a row
/// loads (C / IN_BEAT beats) into the row buffer, then leaves one code per cycle.
/// Requires C % IN_BEAT == 0, D even dividing C. Widths from numerics::RotaryParams.
struct RotaryConfig {
  int T = 1, C = 2, D = 2, IN_BEAT = 1, W_IN = 8, W_OUT = 8, W_ACC = 24, W_M = 2;

  int inBeatsPerRow() const { return C / IN_BEAT; }
  int inBeats() const { return T * inBeatsPerRow(); }
  int outBeats() const { return T * C; }
};

/// loom_embed (docs/CONTRACTS.md "Embedding"): one token id per input beat,
/// C / OUT_BEAT output beats per id read from the table ROM (and the position
/// ROM when POS = 1); a frame is T ids. Requires C % OUT_BEAT == 0.
struct EmbedConfig {
  int V = 2, C = 1, T = 1, OUT_BEAT = 1, W_ID = 2, W_OUT = 8, POS = 0;

  int beatsPerRow() const { return C / OUT_BEAT; }
  int inBeats() const { return T; }
  int outBeats() const { return T * beatsPerRow(); }
};

/// loom_attention (docs/CONTRACTS.md "Attention"): three input streams q, k, v of T rows
/// of C = H*D codes (IN_BEAT_Q / _K / _V codes a beat, each dividing C), output beats of
/// 1 code; D % SIMD == 0. The widths W_A (scores), W_S (sum of exps), W_U (exp-weighted
/// sums), W_R (reciprocal), W_M (multiplier) and R, G come from numerics::AttentionParams.
/// SQ = 1: the scores are requantized to the model's codes (W_SM-bit multiplier);
/// PQ = 1: the model's probability codes (W_PC bits) are formed after the division, so a
/// SUM pass (one cycle per row j) precedes DIV and the exp pass accumulates pc * v.
/// DIV_STEPS is the numerator's bit count (R + 1 for 2^R).
struct AttentionConfig {
  int T = 1, C = 1, H = 1, IN_BEAT_Q = 1, IN_BEAT_K = 1, IN_BEAT_V = 1, SIMD = 1, CAUSAL = 0;
  int W_IN = 8, W_OUT = 8, W_A = 16, W_S = 20, W_U = 28, W_R = 27, W_M = 2, R = 40, G = 8;
  int EXP_BITS = 16, EXP_DEPTH = 1;
  int SQ = 0, W_SM = 2, PQ = 0, W_PC = 2, DIV_STEPS = 41;
  int WINDOW = 0; // CAUSAL and > 0: a sliding window of WINDOW rows
  int KB = 0;     // 1: an ALiBi key bias ROM of H * T scores

  int D() const { return C / H; }
  int inBeat(int port) const { return port == 0 ? IN_BEAT_Q : port == 1 ? IN_BEAT_K : IN_BEAT_V; }
  int inBeatsPerRow(int port) const { return C / inBeat(port); }
  /// Rows row t attends to.
  int rowsFor(int t) const {
    return !CAUSAL ? T : WINDOW > 0 && WINDOW < t + 1 ? WINDOW : t + 1;
  }
  /// Cycles of one (row, head) once started, without output backpressure:
  /// scores, [PQ: the sum pass], exps, the division steps, D outputs.
  int headCycles(int t) const {
    return 2 * rowsFor(t) * (D() / SIMD) + (PQ ? rowsFor(t) : 0) + DIV_STEPS + D();
  }
  int inBeats(int port) const { return T * inBeatsPerRow(port); }
  int outBeats() const { return T * C; }
};

/// loom_fifo. `beatsPerFrame` is the frame length (in beats) of the stream it buffers
/// (needed only to express its cost per frame and when it starts a chain).
struct FifoConfig {
  int W = 8, DEPTH = 2;
  int beatsPerFrame = 1;
};

/// loom_skid (2-entry register slice).
struct SkidConfig {
  int W = 8;
  int beatsPerFrame = 1;
};

// New alternatives are appended (index() of the original four is unchanged).
using ActorConfig =
    std::variant<MvuConfig, SoftmaxConfig, FifoConfig, SkidConfig, SwgConfig, PoolConfig, DwuConfig,
                 ForkConfig, AddConfig, ConcatConfig, UpsampleConfig, LayerNormConfig,
                 EmbedConfig, AttentionConfig, RotaryConfig>;

/// Number of input / output ports of an actor (fork: 2 outputs; add, concat: 2 inputs;
/// attention: 3 inputs).
int numInputs(const ActorConfig &c);
int numOutputs(const ActorConfig &c);

struct ActorSpec {
  ActorConfig config;
  std::string name; // optional, for diagnostics
};

/// Validity of a configuration ("" if valid, else a one-line reason).
std::string validate(const ActorConfig &config);

} // namespace loom::hw

#endif // LOOM_HW_MODEL_CONFIGS_H
