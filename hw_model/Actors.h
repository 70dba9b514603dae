// Transaction-level cycle models of the RTL library actors: the same registers and
// state machines as rtl/compute/*.sv and rtl/stream/*.sv, without data.
//
// Protocol per cycle (edge t): query inReady()/outValid() (functions of the registered
// state only, as in the RTL: no comb path ready -> valid), decide the transfers, then
// step(inFire, outFire) to advance to the state after edge t.
#ifndef LOOM_HW_MODEL_ACTORS_H
#define LOOM_HW_MODEL_ACTORS_H

#include "hw_model/Configs.h"

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
};

/// Mirrors rtl/compute/loom_mvu.sv.
class MvuModel : public ActorModel {
public:
  static constexpr int kOutDepth = 8;  // loom_mvu OUT_DEPTH
  explicit MvuModel(const MvuConfig &c);
  bool inReady() const override;
  bool outValid() const override;
  void step(bool inFire, bool outFire) override;
  int inBeatsPerFrame() const override { return ib_; }
  int outBeatsPerFrame() const override { return nf_; }
  std::string describe() const override;

private:
  int sf_, nf_, ib_;
  bool full_[2] = {false, false};
  int wrBank_ = 0, rdBank_ = 0, inCnt_ = 0, sfCnt_ = 0, nfCnt_ = 0, credit_ = 0;
  bool s1Last_ = false;   // S1 holds the last sf step of an output group
  bool accValid_ = false; // acc_q holds a finished group
  bool yValid_ = false;   // y_q valid -> FIFO push at the next edge
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

std::unique_ptr<ActorModel> makeActorModel(const ActorConfig &c);

}  // namespace loom::hw

#endif  // LOOM_HW_MODEL_ACTORS_H
