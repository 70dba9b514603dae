// Regression test (was XFAIL), fixed. The bug (passes/DFFold.cpp, DFFoldPass::cycles and the write-back loop): only
// mvus get their output lanes updated; a df.fifo keeps its original stream
// type, so when the mvu feeding it is given pe > 1 the fifo's input becomes
// <i16, 4, [4]> while its output stays <i16, 1, [4]>, and the module fails
// AllTypesMatch ("'df.fifo' op failed to verify that all of {input, output}
// have same type"). The cost model has the same blind spot: `cycles` takes
// the consumer's in-lanes from `folds[i - 1].pe`, i.e. 1 for a fifo, not the
// lanes the fifo really passes through. Fix (applied): track the lanes of each
// stream while walking the chain (mvu: its pe; softmax: 1; fifo and other
// pass-through actors: their input's lanes), use them for IN_BEAT, and retype
// pass-through results in the write-back.
//
// RUN: loom-opt %s --df-fold | FileCheck %s

// Fully parallel (40 MACs): fc0 simd 8 pe 4, fc1 simd 4 pe 2, and the fifo
// carries fc0's 4 lanes through.
// CHECK-LABEL: func.func @with_fifo()
// CHECK-SAME:    attributes {loom.multipliers = 40 : i64}
// CHECK-NEXT:    df.input "x" : <i16, 8, [8]>
// CHECK-NEXT:    %[[M0:.*]] = df.mvu {{.*}}folding = #df.folding<simd = 8, pe = 4>{{.*}} : <i16, 8, [8]> -> <i16, 4, [4]>
// CHECK-NEXT:    %[[F:.*]] = df.fifo %[[M0]] {depth = 2 : i64} : <i16, 4, [4]>
// CHECK-NEXT:    df.mvu %[[F]] {{.*}}folding = #df.folding<simd = 4, pe = 2>{{.*}} : <i16, 4, [4]> -> <i16, 2, [2]>
func.func @with_fifo() {
  %in = df.input "x" : !df.stream<i16, 1, [8]>
  %m0 = df.mvu %in {weight = dense<1> : tensor<4x8xi16>, bias = dense<0> : tensor<4xi64>, shift = 10 : i64,
                    acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
        : !df.stream<i16, 1, [8]> -> !df.stream<i16, 1, [4]>
  %f = df.fifo %m0 {depth = 2 : i64} : !df.stream<i16, 1, [4]>
  %m1 = df.mvu %f {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>, shift = 10 : i64,
                   acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
        : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m1, "y" : !df.stream<i16, 1, [2]>
  return
}

// A fifo right after the input carries the first mvu's simd lanes.
// CHECK-LABEL: func.func @fifo_first()
// CHECK-NEXT:    df.input "x" : <i16, 8, [8]>
// CHECK-NEXT:    %[[F:.*]] = df.fifo %{{.*}} {depth = 2 : i64} : <i16, 8, [8]>
// CHECK-NEXT:    df.mvu %[[F]] {{.*}}folding = #df.folding<simd = 8, pe = 4>{{.*}} : <i16, 8, [8]> -> <i16, 4, [4]>
func.func @fifo_first() {
  %in = df.input "x" : !df.stream<i16, 1, [8]>
  %f = df.fifo %in {depth = 2 : i64} : !df.stream<i16, 1, [8]>
  %m = df.mvu %f {weight = dense<1> : tensor<4x8xi16>, bias = dense<0> : tensor<4xi64>, shift = 10 : i64,
                  acc_width = 24 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [8]> -> !df.stream<i16, 1, [4]>
  df.output %m, "y" : !df.stream<i16, 1, [4]>
  return
}
