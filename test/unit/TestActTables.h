//===- TestActTables.h - the activation tables of the nn ops, for tests -*- C++ -*-===//
//
// nn-quantize builds an activation's table from the op's own evaluate() and
// getTableDomain() (TableActivationOpInterface, dialects/nn/NNCategories.td);
// the numerics tests build the same tables from the same formulas here.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TEST_UNIT_TESTACTTABLES_H
#define LOOM_TEST_UNIT_TESTACTTABLES_H

#include "compiler/numerics/Tables.h"

#include <cmath>

namespace loom::numerics {

inline ActTable makeSigmoidTable(const FixedFormat &in, const FixedFormat &out) {
  return makeActTable([](double x) { return 1.0 / (1.0 + std::exp(-x)); }, -8.0, 8.0, in, out);
}

inline ActTable makeTanhTable(const FixedFormat &in, const FixedFormat &out) {
  return makeActTable([](double x) { return std::tanh(x); }, -4.0, 4.0, in, out);
}

inline ActTable makeEluTable(double alpha, const FixedFormat &in, const FixedFormat &out) {
  return makeActTableOverFormat([=](double x) { return x >= 0 ? x : alpha * std::expm1(x); }, in,
                                out);
}

inline ActTable makeSeluTable(double alpha, double gamma, const FixedFormat &in,
                              const FixedFormat &out) {
  return makeActTableOverFormat(
      [=](double x) { return gamma * (x >= 0 ? x : alpha * std::expm1(x)); }, in, out);
}

} // namespace loom::numerics

#endif
