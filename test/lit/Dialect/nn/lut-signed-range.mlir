// Regression test (was XFAIL) for a bug fixed in the working tree:
// dialects/nn/NNOps.cpp, LutOp::verify: t_min/t_max are I64Attr, whose
// getters return uint64_t, so `getTMin() > getTMax()` and the depth
// `(getTMax() >> shift) - (getTMin() >> shift)` are computed unsigned. Any
// table with a negative t_min -- every sigmoid/tanh table nn-quantize builds --
// is rejected with "t_min 18446744073709551608 > t_max 7".
//
// RUN: loom-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// A valid table over [-8, 7] in buckets of 4: depth (7>>2) - (-8>>2) + 1 = 4.
// CHECK-LABEL: func.func @negative_range
// CHECK: nn.lut %{{.*}} {function = "sigmoid", t_max = 7 : i64, t_min = -8 : i64, t_shift = 2 : i64, table = dense<[1, 2, 3, 4]> : tensor<4xi16>} : tensor<1x2xi16>
func.func @negative_range(%q: tensor<1x2xi16>) -> tensor<1x2xi16> {
  %y = nn.lut %q {function = "sigmoid", t_min = -8 : i64, t_max = 7 : i64, t_shift = 2 : i64,
                  table = dense<[1, 2, 3, 4]> : tensor<4xi16>} : tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

func.func @lut_alignment_negative(%q: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.lut' op t_min must be a multiple of 2^t_shift}}
  %y = nn.lut %q {function = "tanh", t_min = -6 : i64, t_max = 7 : i64, t_shift = 2 : i64,
                  table = dense<0> : tensor<4xi16>} : tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

// depth = (7 >> 2) - (-8 >> 2) + 1 = 1 + 2 + 1 = 4.
func.func @lut_depth_negative(%q: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.lut' op table has 5 entries, expected 4}}
  %y = nn.lut %q {function = "tanh", t_min = -8 : i64, t_max = 7 : i64, t_shift = 2 : i64,
                  table = dense<0> : tensor<5xi16>} : tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

func.func @lut_range_negative(%q: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.lut' op t_min -4 > t_max -8}}
  %y = nn.lut %q {function = "tanh", t_min = -4 : i64, t_max = -8 : i64, t_shift = 0 : i64,
                  table = dense<0> : tensor<1xi16>} : tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}
