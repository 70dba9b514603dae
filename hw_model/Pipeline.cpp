// predictTiming: runs the actor cycle models of hw_model/Actors.cpp as a chain.
#include "hw_model/Pipeline.h"

#include "hw_model/Actors.h"
#include "hw_model/Cost.h"

#include <memory>
#include <sstream>

namespace loom::hw {

PipelineTiming predictTiming(const std::vector<ActorSpec> &chain, int frames) {
  return predictTiming(chain, frames, nullptr, nullptr);
}

PipelineTiming predictTiming(const std::vector<ActorSpec> &chain, int frames,
                             std::vector<int64_t> *outBeatCycles,
                             std::vector<int64_t> *inBeatCycles) {
  PipelineTiming r;
  if (chain.empty()) {
    r.ok = false;
    r.error = "hw_model: empty actor chain";
    return r;
  }
  if (frames < 2) {
    r.ok = false;
    r.error = "hw_model: predictTiming needs at least 2 frames";
    return r;
  }
  std::vector<std::unique_ptr<ActorModel>> actors;
  int64_t budget = 1000;
  for (size_t i = 0; i < chain.size(); ++i) {
    std::string err = validate(chain[i].config);
    if (!err.empty()) {
      r.ok = false;
      r.error = "hw_model: actor " + std::to_string(i) + " '" + chain[i].name + "': " + err;
      return r;
    }
    actors.push_back(makeActorModel(chain[i].config));
    ActorCost c = estimateCost(chain[i].config);
    budget += 4 * (c.latencyCycles + c.cyclesPerFrame) * (frames + 1);
  }
  const size_t n = actors.size();
  const int64_t inBeats = actors.front()->inBeatsPerFrame();
  const int64_t outBeats = actors.back()->outBeatsPerFrame();
  const int64_t totalIn = inBeats * frames;

  int64_t sentBeats = 0, gotBeats = 0, firstIn = -1;
  std::vector<int64_t> frameEnd;
  std::vector<bool> inFire(n), outFire(n);
  for (int64_t t = 0; frameEnd.size() < size_t(frames); ++t) {
    if (t > budget) {
      std::ostringstream os;
      os << "hw_model: chain did not finish " << frames << " frames in " << budget
         << " cycles (deadlock?):";
      for (size_t i = 0; i < n; ++i) os << " [" << i << "] " << actors[i]->describe();
      r.ok = false;
      r.error = os.str();
      return r;
    }
    for (size_t i = 0; i < n; ++i) {
      bool upValid = i == 0 ? sentBeats < totalIn : actors[i - 1]->outValid();
      inFire[i] = upValid && actors[i]->inReady();
      bool downReady = i + 1 == n ? true : actors[i + 1]->inReady();
      outFire[i] = actors[i]->outValid() && downReady;
    }
    if (inFire[0]) {
      if (sentBeats == 0) firstIn = t;
      if (inBeatCycles) inBeatCycles->push_back(t);
      ++sentBeats;
    }
    if (outFire[n - 1]) {
      if (outBeatCycles) outBeatCycles->push_back(t);
      if (++gotBeats % outBeats == 0) frameEnd.push_back(t);
    }
    for (size_t i = 0; i < n; ++i) actors[i]->step(inFire[i], outFire[i]);
  }
  r.latency_cycles = frameEnd[0] - firstIn + 1;
  r.ii_cycles = frameEnd[frames - 1] - frameEnd[frames - 2];
  return r;
}

}  // namespace loom::hw
