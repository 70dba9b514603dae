// Regression test (was XFAIL), fixed. The bug (dialects/nn/NNOps.cpp, QDenseOp::verify): `getShift() < 0` compares a
// uint64_t (I64Attr getter) and is never true, so a negative shift verifies;
// acc_width = -1 is caught only because it wraps above 62, and the message
// then prints 18446744073709551615. Fixed: both are read as int64_t
// (getShiftAttr().getInt(), getAccWidthAttr().getInt()).
//
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @qdense_shift(%q: tensor<1x4xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.qdense' op shift must be >= 0, got -1}}
  %y = nn.qdense %q {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                     shift = -1 : i64, acc_width = 20 : i64} : tensor<1x4xi16> -> tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

func.func @qdense_acc_width_negative(%q: tensor<1x4xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.qdense' op acc_width must be in [2, 62], got -1}}
  %y = nn.qdense %q {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                     shift = 10 : i64, acc_width = -1 : i64} : tensor<1x4xi16> -> tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}
