// predictTiming: runs the actor cycle models of hw_model/Actors.cpp as a chain.
#include "hw_model/Pipeline.h"

#include "hw_model/Actors.h"
#include "hw_model/Cost.h"

#include <algorithm>
#include <array>
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
    if (err.empty() && (numInputs(chain[i].config) != 1 || numOutputs(chain[i].config) != 1))
      err = "2-port actors (fork, add, concat) need predictGraphTiming";
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
      for (size_t i = 0; i < n; ++i)
        os << " [" << i << "] " << actors[i]->describe();
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
      if (sentBeats == 0)
        firstIn = t;
      if (inBeatCycles)
        inBeatCycles->push_back(t);
      ++sentBeats;
    }
    if (outFire[n - 1]) {
      if (outBeatCycles)
        outBeatCycles->push_back(t);
      if (++gotBeats % outBeats == 0)
        frameEnd.push_back(t);
    }
    for (size_t i = 0; i < n; ++i)
      actors[i]->step(inFire[i], outFire[i]);
  }
  r.latency_cycles = frameEnd[0] - firstIn + 1;
  r.ii_cycles = frameEnd[frames - 1] - frameEnd[frames - 2];
  for (int64_t e : frameEnd)
    r.frame_end_cycles.push_back(e - firstIn);
  return r;
}

// ---------------------------------------------------------------- DAG
std::vector<Edge> graphEdges(const std::vector<Node> &graph, std::string *error) {
  auto fail = [&](const std::string &msg) {
    if (error)
      *error = "hw_model: " + msg;
    return std::vector<Edge>{};
  };
  const int n = int(graph.size());
  if (n == 0)
    return fail("empty actor graph");
  std::vector<int> used(n, 0);
  std::vector<Edge> edges, inner;
  std::vector<int> inputRefs;
  for (int i = 0; i < n; ++i) {
    const Node &nd = graph[i];
    std::string err = validate(nd.spec.config);
    if (!err.empty())
      return fail("node " + std::to_string(i) + " '" + nd.spec.name + "': " + err);
    if (int(nd.inputs.size()) != numInputs(nd.spec.config))
      return fail("node " + std::to_string(i) + " '" + nd.spec.name + "' needs " +
                  std::to_string(numInputs(nd.spec.config)) + " inputs");
    for (int k = 0; k < int(nd.inputs.size()); ++k) {
      int p = nd.inputs[k];
      if (p < 0) {
        int in = graphInputIndex(p);
        if (in >= int(inputRefs.size()))
          inputRefs.resize(in + 1, 0);
        ++inputRefs[in];
        edges.push_back({-1, in, i, k});
        continue;
      }
      if (p >= n || p == i)
        return fail("node " + std::to_string(i) + " has a bad input " + std::to_string(p));
      if (used[p] >= numOutputs(graph[p].spec.config))
        return fail("output of node " + std::to_string(p) + " '" + graph[p].spec.name +
                    "' consumed more than once (insert a fork)");
      inner.push_back({p, used[p]++, i, k});
    }
  }
  if (inputRefs.empty())
    return fail("no node reads a graph input");
  for (size_t k = 0; k < inputRefs.size(); ++k)
    if (inputRefs[k] != 1)
      return fail("graph input " + std::to_string(k) + " must feed exactly one node port (has " +
                  std::to_string(inputRefs[k]) + ")");
  std::stable_sort(edges.begin(), edges.end(),
                   [](const Edge &a, const Edge &b) { return a.fromPort < b.fromPort; });
  std::vector<Edge> outs;
  for (int i = 0; i < n; ++i)
    for (int p = used[i]; p < numOutputs(graph[i].spec.config); ++p)
      outs.push_back({i, p, -1, int(outs.size())});
  if (outs.empty())
    return fail("the graph has no unconsumed output");
  edges.insert(edges.end(), inner.begin(), inner.end());
  edges.insert(edges.end(), outs.begin(), outs.end());
  return edges;
}

namespace {
struct GraphRun {
  PipelineTiming t;
  std::vector<int64_t> maxOcc; // per edge
  RowTiming rows;              // with a RowSchedule
};

/// depth per edge: 0 = direct connection, < 0 = unbounded FIFO, > 0 = loom_fifo(DEPTH).
/// With `sched`, graph inputs are gated row by row (predictRowSchedule) and the run
/// ends when row sched->rowsFed - 1 has left every output (frames is then 1).
GraphRun simulateGraph(const std::vector<Node> &graph, int frames,
                       const std::vector<int64_t> &depth, std::vector<int64_t> *outBeatCycles,
                       std::vector<int64_t> *inBeatCycles, const RowSchedule *sched = nullptr) {
  GraphRun g;
  PipelineTiming &r = g.t;
  std::string err;
  std::vector<Edge> edges = graphEdges(graph, &err);
  if (edges.empty()) {
    r.ok = false;
    r.error = err;
    return g;
  }
  if (frames < 2 && !sched) {
    r.ok = false;
    r.error = "hw_model: predictTiming needs at least 2 frames";
    return g;
  }
  const int n = int(graph.size()), ne = int(edges.size());
  std::vector<std::unique_ptr<ActorModel>> actors;
  int64_t budget = 1000;
  for (const Node &nd : graph) {
    actors.push_back(makeActorModel(nd.spec.config));
    ActorCost c = estimateCost(nd.spec.config);
    budget += 4 * (c.latencyCycles + c.cyclesPerFrame) * (frames + 1);
  }
  // Graph inputs are offered independently (each its next beat every cycle); frame f
  // ends when every graph output has given its last beat of frame f.
  std::vector<int> inEdge, outEdge;
  for (int e = 0; e < ne; ++e)
    if (edges[e].from < 0)
      inEdge.push_back(e);
    else if (edges[e].to < 0)
      outEdge.push_back(e);
  std::vector<int64_t> totalIn, outBeats;
  for (int e : inEdge)
    totalIn.push_back(int64_t(frames) * actors[edges[e].to]->inBeatsPerFrameAt(edges[e].toPort));
  for (int e : outEdge)
    outBeats.push_back(actors[edges[e].from]->outBeatsPerFrameAt(edges[e].fromPort));
  // Row gating: beats per row of every graph input and output.
  std::vector<int64_t> inRow, outRow, rowOuts;
  RowTiming &rt = g.rows;
  if (sched) {
    auto perRow = [&](int64_t beats, const char *what) -> int64_t {
      if (sched->rows < 1 || beats % sched->rows != 0) {
        r.ok = false;
        r.error = std::string("hw_model: a graph ") + what + " has " + std::to_string(beats) +
                  " beats per frame, not a multiple of the " + std::to_string(sched->rows) +
                  " rows of a sequence";
        return 0;
      }
      return beats / sched->rows;
    };
    for (int64_t b : totalIn)
      inRow.push_back(perRow(b, "input"));
    for (int64_t b : outBeats)
      outRow.push_back(perRow(b, "output"));
    if (!r.ok)
      return g;
    if (sched->prompt < 1 || sched->rowsFed < sched->prompt || sched->rowsFed > sched->rows) {
      r.ok = false;
      r.error = "hw_model: row schedule needs 1 <= prompt <= rows fed <= rows";
      return g;
    }
    rt.firstIn.assign(size_t(sched->rowsFed), -1);
    rt.lastOut.assign(size_t(sched->rowsFed), -1);
    rowOuts.assign(size_t(sched->rowsFed), 0);
  }
  std::vector<int64_t> cnt(ne, 0);
  g.maxOcc.assign(ne, 0);
  // per node port fire flags
  // Up to 3 ports (loom_attention's q, k, v inputs).
  std::vector<std::array<bool, 3>> inF(n), outF(n);
  std::vector<bool> pushE(ne), popE(ne);
  std::vector<int64_t> sent(inEdge.size(), 0), got(outEdge.size(), 0);
  // May graph input k offer its next beat at cycle t?
  auto gateOpen = [&](size_t k, int64_t t) {
    if (!sched)
      return true;
    int64_t row = sent[k] / inRow[k];
    if (row >= sched->rowsFed)
      return false;
    return row < sched->prompt || (rt.lastOut[size_t(row - 1)] >= 0 && t > rt.lastOut[size_t(row - 1)]);
  };
  int64_t firstIn = -1;
  // frameOuts[f]: outputs that have ended frame f; frameEnd[f] = the cycle the last did.
  std::vector<int> frameOuts;
  std::vector<int64_t> frameEnd;
  // Each output ends its frames in order, so frames complete in order too.
  int done = 0;
  for (int64_t t = 0; done < frames; ++t) {
    if (t > budget) {
      std::ostringstream os;
      os << "hw_model: graph did not finish " << frames << " frames in " << budget
         << " cycles (deadlock?):";
      for (int i = 0; i < n; ++i)
        os << " [" << i << "] " << actors[i]->describe();
      for (int e = 0; e < ne; ++e)
        if (depth[e] != 0)
          os << " fifo" << e << "=" << cnt[e];
      r.ok = false;
      r.error = os.str();
      return g;
    }
    for (int i = 0; i < n; ++i)
      inF[i] = outF[i] = {false, false, false};
    for (int e = 0; e < ne; ++e) {
      const Edge &ed = edges[e];
      bool upValid = ed.from < 0 ? sent[ed.fromPort] < totalIn[ed.fromPort] &&
                                       gateOpen(size_t(ed.fromPort), t)
                                 : actors[ed.from]->outValidAt(ed.fromPort);
      bool downReady = ed.to < 0 ? true : actors[ed.to]->inReadyAt(ed.toPort);
      if (depth[e] == 0) {
        bool f = upValid && downReady;
        pushE[e] = popE[e] = f;
      } else {
        pushE[e] = upValid && (depth[e] < 0 || cnt[e] < depth[e]);
        popE[e] = cnt[e] > 0 && downReady;
      }
      if (ed.from >= 0)
        outF[ed.from][ed.fromPort] = pushE[e];
      if (ed.to >= 0)
        inF[ed.to][ed.toPort] = popE[e];
    }
    bool anyIn = false;
    for (size_t k = 0; k < inEdge.size(); ++k)
      if (pushE[inEdge[k]]) {
        anyIn = true;
        if (sched && rt.firstIn[size_t(sent[k] / inRow[k])] < 0)
          rt.firstIn[size_t(sent[k] / inRow[k])] = t;
        ++sent[k];
      }
    if (anyIn) {
      if (firstIn < 0)
        firstIn = t;
      if (inBeatCycles)
        inBeatCycles->push_back(t);
    }
    for (size_t k = 0; k < outEdge.size(); ++k) {
      if (!popE[outEdge[k]])
        continue;
      if (outBeatCycles)
        outBeatCycles->push_back(t);
      ++got[k];
      if (sched && got[k] % outRow[k] == 0) {
        size_t row = size_t(got[k] / outRow[k] - 1);
        if (row < rowOuts.size() && ++rowOuts[row] == int64_t(outEdge.size())) {
          rt.lastOut[row] = t;
          if (row + 1 == rowOuts.size())
            done = frames; // the last row fed has left every output
        }
      }
      if (got[k] % outBeats[k] != 0)
        continue;
      size_t f = size_t(got[k] / outBeats[k] - 1);
      if (f >= frameOuts.size()) {
        frameOuts.resize(f + 1, 0);
        frameEnd.resize(f + 1, -1);
      }
      if (++frameOuts[f] == int(outEdge.size())) {
        frameEnd[f] = t;
        ++done;
      }
    }
    // maxOcc = the depth a loom_fifo needs to take every push this run took: a full
    // loom_fifo refuses a push even in a cycle it is popped (in_ready = !full), so a push
    // at occupancy k needs k + 1 entries. (The peak occupancy after the edge is one
    // short whenever a push and a pop meet at the peak: side_gmp, 133 -> II 64/65.)
    for (int e = 0; e < ne; ++e)
      if (depth[e] != 0) {
        if (pushE[e])
          g.maxOcc[e] = std::max(g.maxOcc[e], cnt[e] + 1);
        cnt[e] += int(pushE[e]) - int(popE[e]);
      }
    for (int i = 0; i < n; ++i) {
      bool in[3] = {inF[i][0], inF[i][1], inF[i][2]};
      bool out[3] = {outF[i][0], outF[i][1], outF[i][2]};
      actors[i]->stepPorts(in, out);
    }
  }
  if (sched) {
    rt.ok = true;
    return g;
  }
  frameEnd.resize(frames);
  r.latency_cycles = frameEnd[0] - firstIn + 1;
  r.ii_cycles = frameEnd[frames - 1] - frameEnd[frames - 2];
  for (int64_t e : frameEnd)
    r.frame_end_cycles.push_back(e - firstIn);
  return g;
}
} // namespace

PipelineTiming predictGraphTiming(const std::vector<Node> &graph, int frames,
                                  std::vector<int64_t> *outBeatCycles,
                                  std::vector<int64_t> *inBeatCycles) {
  std::string err;
  std::vector<Edge> edges = graphEdges(graph, &err);
  std::vector<int64_t> depth(edges.size(), 0);
  return simulateGraph(graph, frames, depth, outBeatCycles, inBeatCycles).t;
}

RowTiming predictRowSchedule(const std::vector<Node> &graph, const RowSchedule &sched) {
  std::string err;
  std::vector<Edge> edges = graphEdges(graph, &err);
  RowTiming rt;
  if (edges.empty()) {
    rt.error = err;
    return rt;
  }
  std::vector<int64_t> depth(edges.size(), 0);
  GraphRun g = simulateGraph(graph, 1, depth, nullptr, nullptr, &sched);
  if (!g.t.ok) {
    rt.ok = false;
    rt.error = g.t.error;
    return rt;
  }
  return g.rows;
}

FifoSizing sizeFifos(const std::vector<Node> &graph, int frames, const std::vector<bool> &onEdge) {
  FifoSizing s;
  s.edges = graphEdges(graph, &s.error);
  if (s.edges.empty()) {
    s.ok = false;
    return s;
  }
  const size_t ne = s.edges.size();
  std::vector<int64_t> depth(ne, 0);
  for (size_t e = 0; e < ne; ++e) {
    bool internal = s.edges[e].from >= 0 && s.edges[e].to >= 0;
    bool want = onEdge.empty() ? true : (e < onEdge.size() && onEdge[e]);
    if (internal && want)
      depth[e] = -1;
  }
  GraphRun u = simulateGraph(graph, frames, depth, nullptr, nullptr);
  if (!u.t.ok) {
    s.ok = false;
    s.error = u.t.error;
    return s;
  }
  s.ii_unbounded = u.t.ii_cycles;
  s.frame_end_unbounded = u.t.frame_end_cycles;
  s.latency_unbounded = u.t.latency_cycles;
  s.depth.assign(ne, 0);
  for (size_t e = 0; e < ne; ++e)
    if (depth[e] != 0) {
      s.depth[e] = int(std::max<int64_t>(2, u.maxOcc[e]));
      depth[e] = s.depth[e];
    }
  GraphRun b = simulateGraph(graph, frames, depth, nullptr, nullptr);
  if (!b.t.ok) {
    s.ok = false;
    s.error = b.t.error;
    return s;
  }
  s.ii_sized = b.t.ii_cycles;
  s.latency_sized = b.t.latency_cycles;
  if (b.t.frame_end_cycles != u.t.frame_end_cycles) {
    s.ok = false;
    s.error = "hw_model: sized FIFOs give II " + std::to_string(s.ii_sized) +
              " / other frame ends than unbounded FIFOs (II " + std::to_string(s.ii_unbounded) +
              ")";
  }
  return s;
}

PipelineTiming predictActorAlone(const ActorConfig &actor, int frames,
                                 std::vector<std::vector<int64_t>> *inCycles,
                                 std::vector<std::vector<int64_t>> *outCycles) {
  PipelineTiming r;
  std::string err = validate(actor);
  if (!err.empty() || frames < 2) {
    r.ok = false;
    r.error = "hw_model: " + (err.empty() ? std::string("needs at least 2 frames") : err);
    return r;
  }
  std::unique_ptr<ActorModel> m = makeActorModel(actor);
  const int nin = m->numIn(), nout = m->numOut();
  if (inCycles)
    inCycles->assign(nin, {});
  if (outCycles)
    outCycles->assign(nout, {});
  std::vector<int64_t> sent(nin, 0), got(nout, 0), frameEnd;
  int64_t first = -1;
  ActorCost c = estimateCost(actor);
  const int64_t budget = 1000 + 4 * (c.latencyCycles + c.cyclesPerFrame) * (frames + 1);
  bool inF[3] = {false, false, false}, outF[3] = {false, false, false};
  for (int64_t t = 0; frameEnd.size() < size_t(frames); ++t) {
    if (t > budget) {
      r.ok = false;
      r.error = "hw_model: actor alone did not finish: " + m->describe();
      return r;
    }
    for (int p = 0; p < nin; ++p) {
      inF[p] = sent[p] < int64_t(frames) * m->inBeatsPerFrameAt(p) && m->inReadyAt(p);
      if (!inF[p])
        continue;
      if (p == 0 && sent[0] == 0)
        first = t;
      ++sent[p];
      if (inCycles)
        (*inCycles)[p].push_back(t);
    }
    for (int p = 0; p < nout; ++p) {
      outF[p] = m->outValidAt(p);
      if (!outF[p])
        continue;
      if (outCycles)
        (*outCycles)[p].push_back(t);
      if (++got[p] % m->outBeatsPerFrameAt(p) == 0 && p == 0)
        frameEnd.push_back(t);
    }
    m->stepPorts(inF, outF);
  }
  r.latency_cycles = frameEnd[0] - first + 1;
  r.ii_cycles = frameEnd[frames - 1] - frameEnd[frames - 2];
  return r;
}

std::vector<Node> withFifos(const std::vector<Node> &graph, const FifoSizing &s) {
  std::vector<Node> g = graph;
  for (size_t e = 0; e < s.edges.size(); ++e) {
    if (e >= s.depth.size() || s.depth[e] == 0)
      continue;
    const Edge &ed = s.edges[e];
    int beats = makeActorModel(graph[ed.from].spec.config)->outBeatsPerFrameAt(ed.fromPort);
    Node f{ActorSpec{FifoConfig{0, s.depth[e], beats}, "fifo_e" + std::to_string(e)}, {ed.from}};
    int id = int(g.size());
    g.push_back(f);
    g[ed.to].inputs[ed.toPort] = id;
  }
  return g;
}

} // namespace loom::hw
