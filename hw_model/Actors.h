// Transaction-level cycle models of the RTL library actors: the same registers and
// state machines as rtl/compute/*.sv and rtl/stream/*.sv, without data.
//
// Protocol per cycle (edge t): query inReady()/outValid() (functions of the registered
// state only, as in the RTL: no comb path ready -> valid), decide the transfers, then
// step(inFire, outFire) to advance to the state after edge t.
#ifndef LOOM_HW_MODEL_ACTORS_H
#define LOOM_HW_MODEL_ACTORS_H

#include "hw_model/Configs.h"
#include "hw_model/MvuStream.h"

#include <memory>

namespace loom::hw {

class ActorModel {
public:
  virtual ~ActorModel() = default;
  virtual bool inReady() const = 0;
  virtual bool outValid() const = 0;
  virtual void step(bool inFire, bool outFire) = 0;
  virtual int inBeatsPerFrame() const = 0;
  virtual int outBeatsPerFrame() const = 0;
  /// Short description of the internal state (for deadlock reports).
  virtual std::string describe() const = 0;

  // Multi-port actors (fork: 2 outputs; add, concat: 2 inputs). Single-port actors use
  // the defaults, which forward to the single-port functions above.
  virtual int numIn() const { return 1; }
  virtual int numOut() const { return 1; }
  virtual bool inReadyAt(int /*port*/) const { return inReady(); }
  virtual bool outValidAt(int /*port*/) const { return outValid(); }
  virtual void stepPorts(const bool *inFire, const bool *outFire) { step(inFire[0], outFire[0]); }
  virtual int inBeatsPerFrameAt(int /*port*/) const { return inBeatsPerFrame(); }
  virtual int outBeatsPerFrameAt(int /*port*/) const { return outBeatsPerFrame(); }
};

/// Mirrors rtl/compute/loom_mvu.sv.
class MvuModel : public ActorModel {
public:
  static constexpr int kOutDepth = 8; // loom_pkg::MVU_OUT_DEPTH (OUT_DEPTH at PIPE = 0)
  explicit MvuModel(const MvuConfig &c);
  /// loom_dwu has the same control with K = KK*C, NF = C/PE, SF = KK/SIMD.
  explicit MvuModel(const DwuConfig &c);
  bool inReady() const override;
  bool outValid() const override;
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return ib_ * vectors_; }
  int outBeatsPerFrame() const override { return nf_ * vectors_; }
  std::string describe() const override;

private:
  // A group is K products per PE row, SIMD a step; the steps_ = MvuConfig::steps() of a
  // vector run through the groups flat (a step may end one group and start the next).
  int k_, simd_, steps_, nf_, ib_, vectors_ = 1;
  int pipe_ = 0, rqPipe_ = 0;          // PIPE, RQ_PIPE
  int outDepth_ = kOutDepth;           // OUT_DEPTH = MVU_OUT_DEPTH + PIPE + RQ_PIPE
  bool full_[2] = {false, false};
  int wrBank_ = 0, rdBank_ = 0, inCnt_ = 0, credit_ = 0;
  int off_ = 0, stepCnt_ = 0; // off_q (offset of lane 0 in its group), waddr_q
  bool split_ = false;        // split_q: the previous step started the next group
  bool s1Last_ = false;   // S1 holds the last step of an output group
  unsigned pipeLast_ = 0; // bit i: MAC stage P(i+1) holds the last sf step (PIPE > 0)
  bool accValid_ = false; // acc_q holds a finished group
  bool prValid_ = false;  // loom_requant pr_valid_q (RQ_PIPE = 1)
  bool yValid_ = false;   // y_q valid -> FIFO push at the next edge
  int fifoCnt_ = 0;
};

/// Mirrors rtl/compute/loom_mvu_stream.sv (PE = N, flat across vectors; geometry from
/// hw_model/MvuStream.h): a gearbox of cap() elements in front of loom_mvu's pipeline.
class MvuStreamModel : public ActorModel {
public:
  explicit MvuStreamModel(const MvuConfig &c);
  explicit MvuStreamModel(const DwuConfig &c); // K = KK*C, N = C
  bool inReady() const override { return cnt_ <= cap_ - inBeat_; } // cnt_q <= CAP - IN_BEAT
  bool outValid() const override { return fifoCnt_ > 0; }          // u_out_fifo
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return frameBeats_; }
  int outBeatsPerFrame() const override { return vectors_; }
  std::string describe() const override;

private:
  MvuStreamModel(const MvuStreamGeometry &g, int pipe, int rqPipe);
  int kr_, simd_, steps_, el_, elast_, inBeat_, cap_, vectors_, frameBeats_;
  int pipe_ = 0, rqPipe_ = 0, outDepth_ = MvuModel::kOutDepth;
  int cnt_ = 0;           // cnt_q: elements in the gearbox
  int step_ = 0, off_ = 0; // step_q (step of the frame), off_q (item offset in its vector)
  bool split_ = false;    // split_q
  int credit_ = 0;        // credit_q
  bool s1Last_ = false;   // s1_valid_q && s1_last_q
  unsigned pipeLast_ = 0; // bit i: MAC stage P(i+1) holds a vector's last step (PIPE > 0)
  bool accValid_ = false, prValid_ = false, yValid_ = false; // acc_valid_q, pr_valid_q, y_valid_q
  int fifoCnt_ = 0;
};

/// Mirrors rtl/compute/loom_softmax.sv.
class SoftmaxModel : public ActorModel {
public:
  explicit SoftmaxModel(const SoftmaxConfig &c);
  bool inReady() const override { return state_ == kLoad; }
  bool outValid() const override { return outValid_; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return ib_; }
  int outBeatsPerFrame() const override { return n_; }
  std::string describe() const override;

private:
  enum State { kLoad, kExp, kOut };
  int n_, ib_;
  State state_ = kLoad;
  int inCnt_ = 0, idx_ = 0;
  bool outValid_ = false;
};

/// Mirrors rtl/compute/loom_softmax_pipe.sv: stage A fills y bank yWr (IB beats), stage B
/// runs IB cycles on y bank yRd into e bank eWr whenever the first is full and the second
/// free, stage C loads one output beat per cycle (OB per frame) from the full e bank eRd
/// into the output register whenever it is empty or being read.
class SoftmaxPipeModel : public ActorModel {
public:
  explicit SoftmaxPipeModel(const SoftmaxConfig &c) : ib_(c.inBeats()), ob_(c.outBeats()) {}
  bool inReady() const override { return !yFull_[yWr_]; }
  bool outValid() const override { return outValid_; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return ib_; }
  int outBeatsPerFrame() const override { return ob_; }
  std::string describe() const override;

private:
  int ib_, ob_;
  bool yFull_[2] = {false, false}, eFull_[2] = {false, false};
  int yWr_ = 0, yRd_ = 0, eWr_ = 0, eRd_ = 0;
  int aCnt_ = 0, bCnt_ = 0, cCnt_ = 0;
  bool outValid_ = false;
};

/// Mirrors rtl/compute/loom_layernorm.sv: two row banks; the input side fills bank
/// wr (C / IN_BEAT beats) while the compute side runs IDLE -> CALC (calcCycles) -> OUT
/// (one element per cycle into the output register) on bank rd.
class LayerNormModel : public ActorModel {
public:
  explicit LayerNormModel(const LayerNormConfig &c);
  bool inReady() const override { return !full_[wr_]; }
  bool outValid() const override { return outValid_; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return ib_ * rows_; }
  int outBeatsPerFrame() const override { return c_ * rows_; }
  std::string describe() const override;

private:
  enum State { kIdle, kCalc, kOut };
  int c_, ib_, calc_, rows_;
  State state_ = kIdle;
  bool full_[2] = {false, false};
  int wr_ = 0, rd_ = 0;
  int inCnt_ = 0, step_ = 0, idx_ = 0;
  bool outValid_ = false;
};

/// Mirrors rtl/compute/loom_rotary.sv: LOAD takes a row's C / IN_BEAT beats into the
/// row buffer, EMIT reads one code per cycle into the output register (when it is free
/// or being read) and returns to LOAD with the row's last code.
class RotaryModel : public ActorModel {
public:
  explicit RotaryModel(const RotaryConfig &c) : c_(c.C), ib_(c.inBeatsPerRow()), t_(c.T) {}
  bool inReady() const override { return !emit_; }
  bool outValid() const override { return outValid_; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return ib_ * t_; }
  int outBeatsPerFrame() const override { return c_ * t_; }
  std::string describe() const override;

private:
  int c_, ib_, t_;
  bool emit_ = false, outValid_ = false;
  int inCnt_ = 0, idx_ = 0;
};

/// Mirrors rtl/compute/loom_embed.sv: a one-id skid buffer in front of the
/// lookup stage (so in_ready is a register), the lookup stage holding the
/// current id and its beat counter, and the output register. The lookup
/// stage advances when the output register is free or being read; it takes
/// the next id (buffered first) when it is empty or on its last beat.
class EmbedModel : public ActorModel {
public:
  explicit EmbedModel(const EmbedConfig &c) : nb_(c.beatsPerRow()), t_(c.T) {}
  bool inReady() const override { return !bufValid_; }
  bool outValid() const override { return outValid_; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return t_; }
  int outBeatsPerFrame() const override { return t_ * nb_; }
  std::string describe() const override;

private:
  int nb_, t_;
  bool bufValid_ = false, aValid_ = false, outValid_ = false;
  int beat_ = 0;
};

/// Mirrors rtl/compute/loom_attention.sv: LOAD (each input takes its row's beats, then
/// one cycle to start) -> per head SCORE (n * D/SIMD) -> EXP (n * D/SIMD) -> DIV
/// (DIV_STEPS) -> OUT (D codes into the output register); with PQ: SCORE -> SUM (n) ->
/// DIV -> EXP -> OUT. CAUSAL computes a row right after loading it, otherwise all T rows
/// are loaded first. Inputs q, k, v are ports 0, 1, 2.
class AttentionModel : public ActorModel {
public:
  explicit AttentionModel(const AttentionConfig &c) : c_(c) {}
  bool inReady() const override { return inReadyAt(0); }
  bool outValid() const override { return outValid_; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return c_.inBeats(0); }
  int outBeatsPerFrame() const override { return c_.outBeats(); }
  std::string describe() const override;
  int numIn() const override { return 3; }
  bool inReadyAt(int port) const override { return state_ == kLoad && !done_[port]; }
  void stepPorts(const bool *inFire, const bool *outFire) override;
  int inBeatsPerFrameAt(int port) const override { return c_.inBeats(port); }

private:
  enum State { kLoad, kScore, kSum, kExp, kDiv, kOut };
  AttentionConfig c_;
  State state_ = kLoad;
  bool done_[3] = {false, false, false};
  int inCnt_[3] = {0, 0, 0};
  int ldRow_ = 0, oRow_ = 0, h_ = 0, j_ = 0, dc_ = 0, step_ = 0, idx_ = 0;
  bool outValid_ = false;
};

/// Mirrors rtl/stream/loom_fifo.sv.
class FifoModel : public ActorModel {
public:
  explicit FifoModel(const FifoConfig &c) : depth_(c.DEPTH), beats_(c.beatsPerFrame) {}
  bool inReady() const override { return cnt_ < depth_; }
  bool outValid() const override { return cnt_ > 0; }
  void step(bool inFire, bool outFire) override { cnt_ += int(inFire) - int(outFire); }
  int inBeatsPerFrame() const override { return beats_; }
  int outBeatsPerFrame() const override { return beats_; }
  std::string describe() const override;

private:
  int depth_, beats_, cnt_ = 0;
};

/// Mirrors rtl/stream/loom_skid.sv.
class SkidModel : public ActorModel {
public:
  explicit SkidModel(const SkidConfig &c) : beats_(c.beatsPerFrame) {}
  bool inReady() const override { return !skidValid_; }
  bool outValid() const override { return outValid_; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return beats_; }
  int outBeatsPerFrame() const override { return beats_; }
  std::string describe() const override;

private:
  int beats_;
  bool outValid_ = false, skidValid_ = false;
};

/// Mirrors rtl/compute/loom_swg.sv (writer / reader counters, output register).
class SwgModel : public ActorModel {
public:
  explicit SwgModel(const SwgConfig &c) : c_(c) {}
  bool inReady() const override;
  bool outValid() const override { return outValid_; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return c_.inBeats(); }
  int outBeatsPerFrame() const override { return c_.outBeats(); }
  std::string describe() const override;

private:
  bool avail() const;
  SwgConfig c_;
  int wh_ = 0, wrow_ = 0, fdiff_ = 0; // writer: row, elements written in the row
  int oh_ = 0, ow_ = 0, bw_ = 0;      // reader
  bool outValid_ = false;
};

/// Mirrors rtl/compute/loom_pool.sv.
class PoolModel : public ActorModel {
public:
  explicit PoolModel(const PoolConfig &c) : c_(c) {}
  bool inReady() const override {
    return !(inCnt_ == c_.pixInBeats() - 1 && holdCnt_ == c_.HOLD);
  }
  bool outValid() const override { return outValid_; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return c_.inBeats(); }
  int outBeatsPerFrame() const override { return c_.outBeats(); }
  std::string describe() const override;

private:
  PoolConfig c_;
  int inCnt_ = 0, ob_ = 0, holdCnt_ = 0; // hcnt_q: full hold banks
  bool outValid_ = false;
};

/// Mirrors rtl/compute/loom_upsample.sv: two row banks (ping-pong), a reader that
/// emits a full bank SH*SW*W*C/LANES beats long, an output register.
class UpsampleModel : public ActorModel {
public:
  explicit UpsampleModel(const UpsampleConfig &c) : c_(c) {}
  bool inReady() const override { return !full_[wrBank_]; }
  bool outValid() const override { return outValid_; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return c_.inBeats(); }
  int outBeatsPerFrame() const override { return c_.outBeats(); }
  std::string describe() const override;

private:
  UpsampleConfig c_;
  bool full_[2] = {false, false};
  int wrBank_ = 0, rdBank_ = 0, inCnt_ = 0, rdCnt_ = 0;
  bool outValid_ = false;
};

/// Mirrors rtl/stream/loom_fork.sv: two 2-entry FIFOs written together.
class ForkModel : public ActorModel {
public:
  explicit ForkModel(const ForkConfig &c) : beats_(c.beatsPerFrame) {}
  bool inReady() const override { return cnt_[0] < 2 && cnt_[1] < 2; }
  bool outValid() const override { return cnt_[0] > 0; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return beats_; }
  int outBeatsPerFrame() const override { return beats_; }
  std::string describe() const override;
  int numOut() const override { return 2; }
  bool outValidAt(int port) const override { return cnt_[port] > 0; }
  void stepPorts(const bool *inFire, const bool *outFire) override;

private:
  int beats_, cnt_[2] = {0, 0};
};

/// Mirrors rtl/compute/loom_add.sv and rtl/compute/loom_concat.sv: two 2-entry input
/// FIFOs and an output register. Add pops both inputs per beat; concat pops a for
/// `segA` beats, then b for `segB` beats (per pixel).
class JoinModel : public ActorModel {
public:
  JoinModel(int segA, int segB, int framesBeatsOut, bool concat)
      : segA_(segA), segB_(segB), outBeats_(framesBeatsOut), concat_(concat) {}
  bool inReady() const override { return cnt_[0] < 2; }
  bool outValid() const override { return outValid_; }
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return inBeatsPerFrameAt(0); }
  int outBeatsPerFrame() const override { return outBeats_; }
  std::string describe() const override;
  int numIn() const override { return 2; }
  bool inReadyAt(int port) const override { return cnt_[port] < 2; }
  void stepPorts(const bool *inFire, const bool *outFire) override;
  int inBeatsPerFrameAt(int port) const override;

private:
  int segA_, segB_, outBeats_;
  bool concat_;
  int cnt_[2] = {0, 0}, seg_ = 0;
  bool sel_ = false, outValid_ = false;
};

std::unique_ptr<ActorModel> makeActorModel(const ActorConfig &c);

} // namespace loom::hw

#endif // LOOM_HW_MODEL_ACTORS_H
