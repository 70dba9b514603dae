// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Affine integer graphs (docs/CONTRACTS.md): the verifier's checks of `mult`,
// `binary`, the sign activation and the scaled join.

func.func @mult_count(%in: !df.stream<i8, 1, [4]>) {
  // expected-error @+1 {{mult must have 1 or 2 elements}}
  %0 = df.mvu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 0 : i64,
                   acc_width = 12 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>,
                   mult = dense<[1, 2, 3]> : tensor<3xi64>} : !df.stream<i8, 1, [4]> -> !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @mult_range(%in: !df.stream<i8, 1, [4]>) {
  // expected-error @+1 {{mult values must be in [1, 2^24], got 16777217}}
  %0 = df.mvu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 0 : i64,
                   acc_width = 12 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>,
                   mult = dense<16777217> : tensor<1xi64>} : !df.stream<i8, 1, [4]> -> !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @binary_weights(%in: !df.stream<i8, 1, [4]>) {
  // expected-error @+1 {{binary weights must all be +1 or -1, got 2}}
  %0 = df.mvu %in {weight = dense<[[1, -1, 2, 1], [1, 1, 1, 1]]> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>,
                   shift = 0 : i64, acc_width = 12 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>,
                   binary} : !df.stream<i8, 1, [4]> -> !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @sign_width(%in: !df.stream<i8, 1, [4]>) {
  // expected-error @+1 {{sign needs outputs of at least 2 bits (codes +1 and -1)}}
  %0 = df.mvu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 0 : i64,
                   acc_width = 12 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<sign>}
       : !df.stream<i8, 1, [4]> -> !df.stream<i1, 1, [2]>
  return
}

// -----

func.func @dwu_mult(%in: !df.stream<i8, 1, [18]>) {
  // expected-error @+1 {{mult values must be in [1, 2^24], got 0}}
  %0 = df.dwu %in {weight = dense<1> : tensor<2x9xi8>, bias = dense<0> : tensor<2xi64>, shift = 0 : i64,
                   acc_width = 12 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>,
                   mult = dense<[0, 5]> : tensor<2xi64>} : !df.stream<i8, 1, [18]> -> !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @join_scaled_mul(%a: !df.stream<i8, 1, [4]>, %b: !df.stream<i8, 1, [4]>) {
  // expected-error @+1 {{mult_lhs, mult_rhs and shift go together, on mode add only}}
  %0 = df.join %a, %b {mode = "mul", frac = 0 : i64, mult_lhs = 1 : i64, mult_rhs = 1 : i64,
                       shift = 0 : i64} : !df.stream<i8, 1, [4]>
  return
}

// -----

func.func @join_scaled_partial(%a: !df.stream<i8, 1, [4]>, %b: !df.stream<i8, 1, [4]>) {
  // expected-error @+1 {{mult_lhs, mult_rhs and shift go together, on mode add only}}
  %0 = df.join %a, %b {mode = "add", frac = 0 : i64, mult_lhs = 1 : i64} : !df.stream<i8, 1, [4]>
  return
}

// -----

func.func @join_shift(%a: !df.stream<i8, 1, [4]>, %b: !df.stream<i8, 1, [4]>) {
  // expected-error @+1 {{needs 0 <= mult_lhs, mult_rhs <= 2^24 and 0 <= shift <= 62}}
  %0 = df.join %a, %b {mode = "add", frac = 0 : i64, mult_lhs = 1 : i64, mult_rhs = 1 : i64,
                       shift = 63 : i64} : !df.stream<i8, 1, [4]>
  return
}

// -----

func.func @join_clip(%a: !df.stream<i8, 1, [4]>, %b: !df.stream<i8, 1, [4]>) {
  // expected-error @+1 {{clip needs both t_min and t_max, and no relu}}
  %0 = df.join %a, %b {mode = "add", frac = 0 : i64, t_min = 0 : i64, relu} : !df.stream<i8, 1, [4]>
  return
}
