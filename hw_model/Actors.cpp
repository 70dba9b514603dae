// Cycle models of the RTL actors. Each step() is the register update of one clock edge
// of the corresponding SystemVerilog module; comments name the RTL registers.
#include "hw_model/Actors.h"

#include <sstream>

namespace loom::hw {

// ------------------------------------------------------------------ loom_mvu
MvuModel::MvuModel(const MvuConfig &c)
    : sf_(c.sf()), nf_(c.nf()), ib_(c.inBeats()) {}

bool MvuModel::inReady() const { return !full_[wrBank_]; }          // !full_q[wr_bank_q]
bool MvuModel::outValid() const { return fifoCnt_ > 0; }            // u_out_fifo

void MvuModel::step(bool inFire, bool outFire) {
  // issue = full_q[rd_bank_q] && (sf_q != 0 || credit_q != OUT_DEPTH)
  bool issue = full_[rdBank_] && (sfCnt_ != 0 || credit_ != kOutDepth);
  bool reserve = issue && sfCnt_ == 0;
  bool sfLast = sfCnt_ == sf_ - 1, nfLast = nfCnt_ == nf_ - 1;

  bool fullNext[2] = {full_[0], full_[1]};
  if (inFire && inCnt_ == ib_ - 1) fullNext[wrBank_] = true;
  if (issue && sfLast && nfLast) fullNext[rdBank_] = false;

  if (inFire) {
    if (inCnt_ == ib_ - 1) {
      inCnt_ = 0;
      wrBank_ ^= 1;
    } else {
      ++inCnt_;
    }
  }
  if (issue) {
    sfCnt_ = sfLast ? 0 : sfCnt_ + 1;
    if (sfLast) {
      nfCnt_ = nfLast ? 0 : nfCnt_ + 1;
      if (nfLast) rdBank_ ^= 1;
    }
  }
  full_[0] = fullNext[0];
  full_[1] = fullNext[1];
  credit_ += int(reserve) - int(outFire);
  // Pipeline: FIFO push from y_valid_q, y_valid_q <= acc_valid_q,
  // acc_valid_q <= s1_valid_q && s1_last_q, S1 <= issue.
  fifoCnt_ += int(yValid_) - int(outFire);
  yValid_ = accValid_;
  accValid_ = s1Last_;
  s1Last_ = issue && sfLast;
}

std::string MvuModel::describe() const {
  std::ostringstream os;
  os << "mvu{full=" << full_[0] << full_[1] << " wr=" << wrBank_ << " rd=" << rdBank_
     << " in_cnt=" << inCnt_ << " sf=" << sfCnt_ << " nf=" << nfCnt_
     << " credit=" << credit_ << " fifo=" << fifoCnt_ << "}";
  return os.str();
}

// ------------------------------------------------------------------ loom_softmax
SoftmaxModel::SoftmaxModel(const SoftmaxConfig &c) : n_(c.N), ib_(c.inBeats()) {}

void SoftmaxModel::step(bool inFire, bool outFire) {
  // out_load = state == OUT && (!out_valid_q || out_ready)
  bool outLoad = state_ == kOut && (!outValid_ || outFire);
  bool nextValid = outLoad || (outValid_ && !outFire);
  switch (state_) {
  case kLoad:
    if (inFire) {
      if (inCnt_ == ib_ - 1) {
        inCnt_ = 0;
        state_ = kExp;
      } else {
        ++inCnt_;
      }
    }
    break;
  case kExp:
    if (idx_ == n_ - 1) {
      idx_ = 0;
      state_ = kOut;
    } else {
      ++idx_;
    }
    break;
  case kOut:
    if (outLoad) {
      if (idx_ == n_ - 1) {
        idx_ = 0;
        state_ = kLoad;
      } else {
        ++idx_;
      }
    }
    break;
  }
  outValid_ = nextValid;
}

std::string SoftmaxModel::describe() const {
  std::ostringstream os;
  os << "softmax{state=" << int(state_) << " in_cnt=" << inCnt_ << " idx=" << idx_
     << " out_valid=" << outValid_ << "}";
  return os.str();
}

// ------------------------------------------------------------------ loom_fifo / loom_skid
std::string FifoModel::describe() const {
  std::ostringstream os;
  os << "fifo{depth=" << depth_ << " count=" << cnt_ << "}";
  return os.str();
}

void SkidModel::step(bool inFire, bool outFire) {
  bool outLoad = !outValid_ || outFire;
  if (outLoad) {
    outValid_ = skidValid_ || inFire;
    skidValid_ = false;
  } else if (inFire) {
    skidValid_ = true;
  }
}

std::string SkidModel::describe() const {
  std::ostringstream os;
  os << "skid{out_valid=" << outValid_ << " skid_valid=" << skidValid_ << "}";
  return os.str();
}

std::unique_ptr<ActorModel> makeActorModel(const ActorConfig &c) {
  return std::visit(
      [](const auto &cfg) -> std::unique_ptr<ActorModel> {
        using T = std::decay_t<decltype(cfg)>;
        if constexpr (std::is_same_v<T, MvuConfig>)
          return std::make_unique<MvuModel>(cfg);
        else if constexpr (std::is_same_v<T, SoftmaxConfig>)
          return std::make_unique<SoftmaxModel>(cfg);
        else if constexpr (std::is_same_v<T, FifoConfig>)
          return std::make_unique<FifoModel>(cfg);
        else
          return std::make_unique<SkidModel>(cfg);
      },
      c);
}

}  // namespace loom::hw
