// Regression test (was XFAIL), fixed: a graph without actors no longer crashes df-fold.
// BUG (passes/DFFold.cpp, Folder::run): a graph with no actors (df.input wired
// straight to df.output) crashes df-fold. The bottleneck search leaves
// `worst` null and `llvm::isa<df::SwgOp>(worst)` dereferences it (segfault /
// assertion). Fix: `if (!worst) break;` right after the search loop (or use
// isa_and_nonnull). Expected behaviour: the graph passes through with no
// multipliers spent.
//
// RUN: loom-opt %s --df-fold | FileCheck %s

// CHECK-LABEL: func.func @passthrough
// CHECK-SAME: loom.multipliers = 0 : i64
// CHECK: df.input "x" : <i16, 1, [4]>
func.func @passthrough() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  df.output %in, "y" : !df.stream<i16, 1, [4]>
  return
}
