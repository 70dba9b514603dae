// Cycle models of the RTL actors. Each step() is the register update of one clock edge
// of the corresponding SystemVerilog module; comments name the RTL registers.
#include "hw_model/Actors.h"

#include "hw_model/MvuStream.h"

#include <algorithm>
#include <sstream>

namespace loom::hw {

// ------------------------------------------------------------------ loom_mvu
MvuModel::MvuModel(const MvuConfig &c)
    : k_(c.K), simd_(c.SIMD), steps_(c.steps()), nf_(c.nf()), ib_(c.vecInBeats()),
      vectors_(c.groups()), pipe_(c.PIPE), rqPipe_(c.RQ_PIPE),
      outDepth_(kOutDepth + c.PIPE + c.RQ_PIPE) {}
MvuModel::MvuModel(const DwuConfig &c)
    : k_(c.KK), simd_(c.SIMD), steps_(c.steps()), nf_(c.nf()), ib_(c.vecInBeats()),
      vectors_(c.groups()), pipe_(c.PIPE), rqPipe_(c.RQ_PIPE),
      outDepth_(kOutDepth + c.PIPE + c.RQ_PIPE) {}

bool MvuModel::inReady() const { return !full_[wrBank_]; } // !full_q[wr_bank_q]
bool MvuModel::outValid() const { return fifoCnt_ > 0; }   // u_out_fifo

void MvuModel::step(bool inFire, bool outFire) {
  // step_first, step_last, vec_last (loom_mvu; with SIMD | K: sf == 0, sf == SF-1, and
  // the last (sf, nf) step)
  bool wrap = off_ + simd_ >= k_, vecLast = stepCnt_ == steps_ - 1;
  bool first = off_ == 0 || split_, last = wrap || vecLast;
  bool split = off_ + simd_ > k_ && !vecLast;
  // issue = full_q[rd_bank_q] && (!step_first || credit_q != OUT_DEPTH)
  bool issue = full_[rdBank_] && (!first || credit_ != outDepth_);
  bool reserve = issue && first;

  bool fullNext[2] = {full_[0], full_[1]};
  if (inFire && inCnt_ == ib_ - 1)
    fullNext[wrBank_] = true;
  if (issue && vecLast)
    fullNext[rdBank_] = false;

  if (inFire) {
    if (inCnt_ == ib_ - 1) {
      inCnt_ = 0;
      wrBank_ ^= 1;
    } else {
      ++inCnt_;
    }
  }
  if (issue) {
    off_ = vecLast ? 0 : wrap ? off_ + simd_ - k_ : off_ + simd_;
    stepCnt_ = vecLast ? 0 : stepCnt_ + 1;
    split_ = split;
    if (vecLast)
      rdBank_ ^= 1;
  }
  full_[0] = fullNext[0];
  full_[1] = fullNext[1];
  credit_ += int(reserve) - int(outFire);
  // Pipeline: FIFO push from y_valid_q, y_valid_q <= acc_valid_q,
  // acc_valid_q <= mac_valid && mac_last (S1, or the last of the PIPE MAC stages P1, P2),
  // P1 <= S1, P2 <= P1, S1 <= issue.
  fifoCnt_ += int(yValid_) - int(outFire);
  if (rqPipe_) { // y_valid_q <= pr_valid_q <= acc_valid_q
    yValid_ = prValid_;
    prValid_ = accValid_;
  } else {
    yValid_ = accValid_;
  }
  if (pipe_ == 0) {
    accValid_ = s1Last_;
  } else {
    accValid_ = (pipeLast_ >> (pipe_ - 1)) & 1u;
    pipeLast_ = ((pipeLast_ << 1) | unsigned(s1Last_)) & ((1u << pipe_) - 1u);
  }
  s1Last_ = issue && last;
}

std::string MvuModel::describe() const {
  std::ostringstream os;
  os << "mvu{full=" << full_[0] << full_[1] << " wr=" << wrBank_ << " rd=" << rdBank_
     << " in_cnt=" << inCnt_ << " off=" << off_ << " step=" << stepCnt_ << " credit=" << credit_
     << " fifo=" << fifoCnt_ << "}";
  return os.str();
}

// ------------------------------------------------------------------ loom_mvu_stream
MvuStreamModel::MvuStreamModel(const MvuStreamGeometry &g, int pipe, int rqPipe)
    : kr_(g.kr), simd_(g.simd), steps_(int(g.steps())), el_(g.el()), elast_(g.elast()),
      inBeat_(g.inBeat), cap_(g.cap()), vectors_(g.vectors), frameBeats_(int(g.frameBeats())),
      pipe_(pipe), rqPipe_(rqPipe), outDepth_(MvuModel::kOutDepth + pipe + rqPipe) {}
MvuStreamModel::MvuStreamModel(const MvuConfig &c)
    : MvuStreamModel(streamGeometry(c), c.PIPE, c.RQ_PIPE) {}
MvuStreamModel::MvuStreamModel(const DwuConfig &c)
    : MvuStreamModel(streamGeometry(c), c.PIPE, c.RQ_PIPE) {}

void MvuStreamModel::step(bool inFire, bool outFire) {
  // frame_last, wrap, split, step_first, step_last, need, issue (loom_mvu_stream)
  bool frameLast = step_ == steps_ - 1, wrap = off_ + simd_ >= kr_;
  bool split = off_ + simd_ > kr_ && !frameLast, first = off_ == 0 || split_;
  int need = frameLast ? elast_ : el_;
  bool issue = cnt_ >= need && (!first || credit_ != outDepth_);
  bool reserve = issue && first;

  cnt_ += (issue ? -need : 0) + (inFire ? inBeat_ : 0);
  if (issue) {
    off_ = frameLast ? 0 : wrap ? off_ + simd_ - kr_ : off_ + simd_;
    step_ = frameLast ? 0 : step_ + 1;
    split_ = split;
  }
  credit_ += int(reserve) - int(outFire);
  // The pipeline after S1 as loom_mvu's (MvuModel::step): FIFO push from y_valid_q,
  // y_valid_q <= (pr_valid_q <=) acc_valid_q <= the last MAC stage's last-step flag.
  fifoCnt_ += int(yValid_) - int(outFire);
  if (rqPipe_) {
    yValid_ = prValid_;
    prValid_ = accValid_;
  } else {
    yValid_ = accValid_;
  }
  if (pipe_ == 0) {
    accValid_ = s1Last_;
  } else {
    accValid_ = (pipeLast_ >> (pipe_ - 1)) & 1u;
    pipeLast_ = ((pipeLast_ << 1) | unsigned(s1Last_)) & ((1u << pipe_) - 1u);
  }
  s1Last_ = issue && wrap; // step_last = wrap (the frame's last step always wraps)
}

std::string MvuStreamModel::describe() const {
  std::ostringstream os;
  os << "mvu_stream{cnt=" << cnt_ << " step=" << step_ << " off=" << off_
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

// ------------------------------------------------------------------ loom_softmax_pipe
void SoftmaxPipeModel::step(bool inFire, bool outFire) {
  // b_go = y_full_q[y_rd_q] && !e_full_q[e_wr_q];
  // c_go = e_full_q[e_rd_q] && (!out_valid_q || out_ready)
  const bool bGo = yFull_[yRd_] && !eFull_[eWr_];
  const bool cGo = eFull_[eRd_] && (!outValid_ || outFire);
  const int last = ib_ - 1;
  if (inFire) {
    if (aCnt_ == last) {
      aCnt_ = 0;
      yFull_[yWr_] = true;
      yWr_ ^= 1;
    } else {
      ++aCnt_;
    }
  }
  if (bGo) {
    if (bCnt_ == last) {
      bCnt_ = 0;
      yFull_[yRd_] = false;
      yRd_ ^= 1;
      eFull_[eWr_] = true;
      eWr_ ^= 1;
    } else {
      ++bCnt_;
    }
  }
  if (cGo) {
    if (cCnt_ == ob_ - 1) {
      cCnt_ = 0;
      eFull_[eRd_] = false;
      eRd_ ^= 1;
    } else {
      ++cCnt_;
    }
  }
  outValid_ = cGo || (outValid_ && !outFire);
}

std::string SoftmaxPipeModel::describe() const {
  std::ostringstream os;
  os << "softmax_pipe{y_full=" << yFull_[0] << yFull_[1] << " e_full=" << eFull_[0]
     << eFull_[1] << " a=" << aCnt_ << " b=" << bCnt_ << " c=" << cCnt_
     << " out_valid=" << outValid_ << "}";
  return os.str();
}

// ------------------------------------------------------------------ loom_rotary
void RotaryModel::step(bool inFire, bool outFire) {
  bool fetch = emit_ && (!outValid_ || outFire);
  bool nextValid = fetch || (outValid_ && !outFire);
  if (!emit_ && inFire) {
    if (inCnt_ == ib_ - 1) {
      inCnt_ = 0;
      emit_ = true;
    } else {
      ++inCnt_;
    }
  } else if (fetch) {
    if (idx_ == c_ - 1) {
      idx_ = 0;
      emit_ = false;
    } else {
      ++idx_;
    }
  }
  outValid_ = nextValid;
}

std::string RotaryModel::describe() const {
  std::ostringstream os;
  os << "rotary{emit=" << emit_ << " in_cnt=" << inCnt_ << " idx=" << idx_
     << " out_valid=" << outValid_ << "}";
  return os.str();
}

// ------------------------------------------------------------------ loom_layernorm
LayerNormModel::LayerNormModel(const LayerNormConfig &c)
    : c_(c.C), ib_(c.inBeatsPerRow()), calc_(c.calcCycles()), rows_(c.ROWS) {}

void LayerNormModel::step(bool inFire, bool outFire) {
  // out_load = state == OUT && (!out_valid_q || out_ready), as loom_softmax
  bool outLoad = state_ == kOut && (!outValid_ || outFire);
  bool nextValid = outLoad || (outValid_ && !outFire);
  const bool rdFull = full_[rd_]; // the compute side sees the registered flags
  if (inFire) {
    if (inCnt_ == ib_ - 1) {
      inCnt_ = 0;
      full_[wr_] = true;
      wr_ ^= 1;
    } else {
      ++inCnt_;
    }
  }
  switch (state_) {
  case kIdle:
    if (rdFull)
      state_ = kCalc;
    break;
  case kCalc:
    if (step_ == calc_ - 1) {
      step_ = 0;
      state_ = kOut;
    } else {
      ++step_;
    }
    break;
  case kOut:
    if (outLoad) {
      if (idx_ == c_ - 1) {
        idx_ = 0;
        state_ = kIdle;
        full_[rd_] = false;
        rd_ ^= 1;
      } else {
        ++idx_;
      }
    }
    break;
  }
  outValid_ = nextValid;
}

std::string LayerNormModel::describe() const {
  std::ostringstream os;
  os << "layernorm{state=" << int(state_) << " full=" << full_[0] << full_[1] << " wr=" << wr_
     << " rd=" << rd_ << " in_cnt=" << inCnt_ << " step=" << step_
     << " idx=" << idx_ << " out_valid=" << outValid_ << "}";
  return os.str();
}

// ------------------------------------------------------------------ loom_embed
void EmbedModel::step(bool inFire, bool outFire) {
  const bool adv = aValid_ && (!outValid_ || outFire);
  const bool last = beat_ == nb_ - 1;
  const bool aFree = !aValid_ || (adv && last);
  outValid_ = adv || (outValid_ && !outFire);
  if (adv)
    beat_ = last ? 0 : beat_ + 1;
  if (aFree) {
    if (bufValid_) {
      aValid_ = true;
      bufValid_ = inFire; // the buffered id moves on, a new one takes its place
    } else {
      aValid_ = inFire; // straight into the lookup stage
    }
  } else if (inFire) {
    bufValid_ = true;
  }
}

std::string EmbedModel::describe() const {
  std::ostringstream os;
  os << "embed{buf=" << bufValid_ << " a=" << aValid_ << " beat=" << beat_
     << " out_valid=" << outValid_ << "}";
  return os.str();
}

// ------------------------------------------------------------------ loom_attention
void AttentionModel::step(bool inFire, bool outFire) {
  bool in[3] = {inFire, false, false}, out[1] = {outFire};
  stepPorts(in, out);
}

void AttentionModel::stepPorts(const bool *inFire, const bool *outFire) {
  // out_load = state == OUT && (!out_valid_q || out_ready), as loom_layernorm
  const bool outLoad = state_ == kOut && (!outValid_ || outFire[0]);
  const bool nextValid = outLoad || (outValid_ && !outFire[0]);
  const bool allDone = done_[0] && done_[1] && done_[2]; // registered flags
  const int ds = c_.D() / c_.SIMD, n = c_.rowsFor(oRow_);
  for (int p = 0; p < 3; ++p)
    if (inFire[p]) {
      if (inCnt_[p] == c_.inBeatsPerRow(p) - 1) {
        inCnt_[p] = 0;
        done_[p] = true;
      } else {
        ++inCnt_[p];
      }
    }
  auto startHead = [&] { j_ = 0, dc_ = 0, state_ = kScore; };
  // The score and exp loops: D/SIMD cycles per row j, over the n rows attended.
  auto loop = [&](State next) {
    if (dc_ == ds - 1) {
      dc_ = 0;
      if (j_ == n - 1) {
        j_ = 0;
        step_ = 0;
        state_ = next;
      } else {
        ++j_;
      }
    } else {
      ++dc_;
    }
  };
  switch (state_) {
  case kLoad:
    if (allDone) {
      done_[0] = done_[1] = done_[2] = false;
      if (c_.CAUSAL) {
        oRow_ = ldRow_, h_ = 0;
        startHead();
      } else if (ldRow_ == c_.T - 1) {
        ldRow_ = 0, oRow_ = 0, h_ = 0;
        startHead();
      } else {
        ++ldRow_;
      }
    }
    break;
  case kScore:
    loop(c_.PQ ? kSum : kExp);
    break;
  case kSum: // PQ: one cycle per row j
    if (j_ == n - 1) {
      j_ = 0, step_ = 0;
      state_ = kDiv;
    } else {
      ++j_;
    }
    break;
  case kExp:
    loop(c_.PQ ? kOut : kDiv);
    if (state_ == kOut)
      idx_ = 0;
    break;
  case kDiv:
    if (step_ == c_.DIV_STEPS - 1) {
      step_ = 0, idx_ = 0, j_ = 0, dc_ = 0;
      state_ = c_.PQ ? kExp : kOut;
    } else {
      ++step_;
    }
    break;
  case kOut:
    if (outLoad) {
      if (idx_ == c_.D() - 1) {
        idx_ = 0;
        if (h_ < c_.H - 1) {
          ++h_;
          startHead();
        } else if (c_.CAUSAL) {
          h_ = 0;
          ldRow_ = ldRow_ == c_.T - 1 ? 0 : ldRow_ + 1;
          state_ = kLoad;
        } else if (oRow_ == c_.T - 1) {
          h_ = 0, oRow_ = 0;
          state_ = kLoad;
        } else {
          h_ = 0;
          ++oRow_;
          startHead();
        }
      } else {
        ++idx_;
      }
    }
    break;
  }
  outValid_ = nextValid;
}

std::string AttentionModel::describe() const {
  std::ostringstream os;
  os << "attention{state=" << int(state_) << " done=" << done_[0] << done_[1] << done_[2]
     << " ld_row=" << ldRow_ << " o_row=" << oRow_ << " h=" << h_ << " j=" << j_
     << " dc=" << dc_ << " step=" << step_ << " idx=" << idx_ << " out_valid=" << outValid_
     << "}";
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

// ------------------------------------------------------------------ loom_swg
// Same expressions as the always_comb block of loom_swg.sv.
bool SwgModel::inReady() const {
  int rlow = std::max(oh_ * c_.SH - c_.PT, 0);
  return fdiff_ * c_.H + wh_ - rlow < c_.rows();
}

bool SwgModel::avail() const {
  if (fdiff_ > 0)
    return true;
  if (fdiff_ < 0)
    return false;
  int ihmax = std::min(oh_ * c_.SH - c_.PT + c_.spanH() - 1, c_.H - 1);
  int iwmax = std::min((ow_ + c_.windowsPerBeat() - 1) * c_.SW - c_.PL + c_.spanW() - 1,
                       c_.W - 1); // the beat's last window
  return wh_ > ihmax || (wh_ == ihmax && wrow_ >= (iwmax + 1) * c_.C);
}

void SwgModel::step(bool inFire, bool outFire) {
  bool issue = avail() && (!outValid_ || outFire);
  bool wdone = false, rdone = false;
  if (inFire) {
    wrow_ += c_.IN_BEAT;
    if (wrow_ == c_.W * c_.C) {
      wrow_ = 0;
      if (++wh_ == c_.H) {
        wh_ = 0;
        wdone = true;
      }
    }
  }
  if (issue) {
    outValid_ = true;
    if (++bw_ == c_.windowBeats()) {
      bw_ = 0;
      if ((ow_ += c_.windowsPerBeat()) == c_.OW()) {
        ow_ = 0;
        if (++oh_ == c_.OH()) {
          oh_ = 0;
          rdone = true;
        }
      }
    }
  } else if (outFire) {
    outValid_ = false;
  }
  fdiff_ += int(wdone) - int(rdone);
}

std::string SwgModel::describe() const {
  std::ostringstream os;
  os << "swg{wh=" << wh_ << " wrow=" << wrow_ << " fdiff=" << fdiff_ << " oh=" << oh_
     << " ow=" << ow_ << " bw=" << bw_ << " out_valid=" << outValid_ << "}";
  return os.str();
}

// ------------------------------------------------------------------ loom_pool
void PoolModel::step(bool inFire, bool outFire) {
  // issue = hcnt_q != 0 && (!out_valid_q || out_ready); xfer = last input beat of a pixel
  bool issue = holdCnt_ > 0 && (!outValid_ || outFire);
  bool obLast = ob_ == c_.pixOutBeats() - 1;
  bool xfer = inFire && inCnt_ == c_.pixInBeats() - 1;
  if (inFire)
    inCnt_ = xfer ? 0 : inCnt_ + 1;
  if (issue) {
    outValid_ = true;
    ob_ = obLast ? 0 : ob_ + 1;
  } else if (outFire) {
    outValid_ = false;
  }
  holdCnt_ += int(xfer) - int(issue && obLast);
}

std::string PoolModel::describe() const {
  std::ostringstream os;
  os << "pool{in_cnt=" << inCnt_ << " hold_cnt=" << holdCnt_ << " ob=" << ob_
     << " out_valid=" << outValid_ << "}";
  return os.str();
}

// ------------------------------------------------------------------ loom_upsample
void UpsampleModel::step(bool inFire, bool outFire) {
  // issue = full_q[rd_bank_q] && (!out_valid_q || out_ready)
  bool issue = full_[rdBank_] && (!outValid_ || outFire);
  bool inLast = inFire && inCnt_ == c_.rowInBeats() - 1;
  bool rowDone = issue && rdCnt_ == c_.rowOutBeats() - 1;
  if (inFire)
    inCnt_ = inLast ? 0 : inCnt_ + 1;
  for (int b = 0; b < 2; ++b)
    full_[b] = (full_[b] && !(rowDone && rdBank_ == b)) || (inLast && wrBank_ == b);
  if (inLast)
    wrBank_ ^= 1;
  if (issue) {
    outValid_ = true;
    rdCnt_ = rowDone ? 0 : rdCnt_ + 1;
    if (rowDone)
      rdBank_ ^= 1;
  } else if (outFire) {
    outValid_ = false;
  }
}

std::string UpsampleModel::describe() const {
  std::ostringstream os;
  os << "upsample{full=" << full_[0] << full_[1] << " wr_bank=" << wrBank_ << " rd_bank=" << rdBank_
     << " in_cnt=" << inCnt_ << " rd_cnt=" << rdCnt_ << " out_valid=" << outValid_ << "}";
  return os.str();
}

// ------------------------------------------------------------------ loom_fork
void ForkModel::step(bool inFire, bool outFire) {
  bool in[1] = {inFire}, out[2] = {outFire, false};
  stepPorts(in, out);
}

void ForkModel::stepPorts(const bool *inFire, const bool *outFire) {
  for (int p = 0; p < 2; ++p)
    cnt_[p] += int(inFire[0]) - int(outFire[p]);
}

std::string ForkModel::describe() const {
  std::ostringstream os;
  os << "fork{count0=" << cnt_[0] << " count1=" << cnt_[1] << "}";
  return os.str();
}

// ------------------------------------------------------------------ loom_add / loom_concat
int JoinModel::inBeatsPerFrameAt(int port) const {
  if (!concat_)
    return outBeats_;
  int segs = outBeats_ / (segA_ + segB_);
  return segs * (port == 0 ? segA_ : segB_);
}

void JoinModel::step(bool inFire, bool outFire) {
  bool in[2] = {inFire, false}, out[1] = {outFire};
  stepPorts(in, out);
}

void JoinModel::stepPorts(const bool *inFire, const bool *outFire) {
  // add:    issue = fa.valid && fb.valid && (!out_valid_q || out_ready)
  // concat: issue = (sel ? fb.valid : fa.valid) && (!out_valid_q || out_ready)
  bool canLoad = !outValid_ || outFire[0];
  bool issue, popA, popB;
  if (concat_) {
    issue = (sel_ ? cnt_[1] > 0 : cnt_[0] > 0) && canLoad;
    popA = issue && !sel_;
    popB = issue && sel_;
  } else {
    issue = cnt_[0] > 0 && cnt_[1] > 0 && canLoad;
    popA = popB = issue;
  }
  cnt_[0] += int(inFire[0]) - int(popA);
  cnt_[1] += int(inFire[1]) - int(popB);
  if (issue) {
    outValid_ = true;
    if (concat_) {
      int len = sel_ ? segB_ : segA_;
      if (++seg_ == len) {
        seg_ = 0;
        sel_ = !sel_;
      }
    }
  } else if (outFire[0]) {
    outValid_ = false;
  }
}

std::string JoinModel::describe() const {
  std::ostringstream os;
  os << (concat_ ? "concat" : "add") << "{count_a=" << cnt_[0] << " count_b=" << cnt_[1]
     << " sel=" << sel_ << " seg=" << seg_ << " out_valid=" << outValid_ << "}";
  return os.str();
}

std::unique_ptr<ActorModel> makeActorModel(const ActorConfig &c) {
  return std::visit(
      [](const auto &cfg) -> std::unique_ptr<ActorModel> {
        using T = std::decay_t<decltype(cfg)>;
        if constexpr (std::is_same_v<T, MvuConfig> || std::is_same_v<T, DwuConfig>)
          return cfg.STREAM ? std::unique_ptr<ActorModel>(std::make_unique<MvuStreamModel>(cfg))
                            : std::make_unique<MvuModel>(cfg);
        else if constexpr (std::is_same_v<T, SwgConfig>)
          return std::make_unique<SwgModel>(cfg);
        else if constexpr (std::is_same_v<T, PoolConfig>)
          return std::make_unique<PoolModel>(cfg);
        else if constexpr (std::is_same_v<T, ForkConfig>)
          return std::make_unique<ForkModel>(cfg);
        else if constexpr (std::is_same_v<T, AddConfig>)
          return std::make_unique<JoinModel>(1, 1, cfg.beatsPerFrame, false);
        else if constexpr (std::is_same_v<T, ConcatConfig>)
          return std::make_unique<JoinModel>(cfg.C1 / cfg.LANES, cfg.C2 / cfg.LANES, cfg.outBeats(),
                                             true);
        else if constexpr (std::is_same_v<T, UpsampleConfig>)
          return std::make_unique<UpsampleModel>(cfg);
        else if constexpr (std::is_same_v<T, SoftmaxConfig>)
          return cfg.PIPELINED ? std::unique_ptr<ActorModel>(std::make_unique<SoftmaxPipeModel>(cfg))
                               : std::make_unique<SoftmaxModel>(cfg);
        else if constexpr (std::is_same_v<T, LayerNormConfig>)
          return std::make_unique<LayerNormModel>(cfg);
        else if constexpr (std::is_same_v<T, EmbedConfig>)
          return std::make_unique<EmbedModel>(cfg);
        else if constexpr (std::is_same_v<T, RotaryConfig>)
          return std::make_unique<RotaryModel>(cfg);
        else if constexpr (std::is_same_v<T, AttentionConfig>)
          return std::make_unique<AttentionModel>(cfg);
        else if constexpr (std::is_same_v<T, FifoConfig>)
          return std::make_unique<FifoModel>(cfg);
        else if constexpr (std::is_same_v<T, SkidConfig>)
          return std::make_unique<SkidModel>(cfg);
      },
      c);
}

} // namespace loom::hw
