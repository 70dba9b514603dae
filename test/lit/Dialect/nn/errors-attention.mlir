// RUN: loom-opt %s -split-input-file -verify-diagnostics

// The verifiers of nn.attention and nn.qattention (dialects/nn/NNOps.cpp,
// dialects/AttentionAttrs.h), one broken case each.

func.func @heads(%q: tensor<4x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+1 {{'nn.attention' op heads 4 must divide the 6 channels}}
  %y = nn.attention %q, %q, %q {heads = 4 : i64, scale = 0.5 : f64, causal = false} : tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}

// -----

func.func @scale(%q: tensor<4x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+1 {{'nn.attention' op scale must be positive and finite}}
  %y = nn.attention %q, %q, %q {heads = 2 : i64, scale = -1.0 : f64, causal = true} : tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}

// -----

func.func @rank(%q: tensor<1x4x6xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+1 {{'nn.attention' op expects [T, C] operands (row layout), got rank 3}}
  %y = nn.attention %q, %q, %q {heads = 2 : i64, scale = 1.0 : f64, causal = true} : tensor<1x4x6xf32>
  return %y : tensor<1x4x6xf32>
}

// -----

func.func @q_exp0(%q: tensor<4x6xi8>) -> tensor<4x6xi8> {
  // expected-error @+1 {{'nn.qattention' op exp_table[0] must be >= 2^14 (so S >= 2^14)}}
  %y = nn.qattention %q, %q, %q {heads = 2 : i64, causal = false, exp_shift = 0 : i64,
                                exp_table = dense<[100, 50]> : tensor<2xi17>, mult = 1 : i64,
                                shift = 8 : i64, zp = 0 : i64, lo = -128 : i64, hi = 127 : i64}
       : tensor<4x6xi8>, tensor<4x6xi8>, tensor<4x6xi8> -> tensor<4x6xi8>
  return %y : tensor<4x6xi8>
}

// -----

func.func @q_shape(%q: tensor<4x6xi8>, %k: tensor<3x6xi8>) -> tensor<4x6xi8> {
  // expected-error @+1 {{'nn.qattention' op q, k, v and the result must all be [T, C] of one shape}}
  %y = nn.qattention %q, %k, %q {heads = 2 : i64, causal = false, exp_shift = 0 : i64,
                                exp_table = dense<[32768, 50]> : tensor<2xi17>, mult = 1 : i64,
                                shift = 8 : i64, zp = 0 : i64, lo = -128 : i64, hi = 127 : i64}
       : tensor<4x6xi8>, tensor<3x6xi8>, tensor<4x6xi8> -> tensor<4x6xi8>
  return %y : tensor<4x6xi8>
}

// -----

func.func @q_range(%q: tensor<4x6xi8>) -> tensor<4x6xi8> {
  // expected-error @+1 {{'nn.qattention' op lo 5 exceeds hi 4}}
  %y = nn.qattention %q, %q, %q {heads = 2 : i64, causal = false, exp_shift = 0 : i64,
                                exp_table = dense<[32768, 50]> : tensor<2xi17>, mult = 1 : i64,
                                shift = 8 : i64, zp = 0 : i64, lo = 5 : i64, hi = 4 : i64}
       : tensor<4x6xi8>, tensor<4x6xi8>, tensor<4x6xi8> -> tensor<4x6xi8>
  return %y : tensor<4x6xi8>
}

// -----

func.func @q_prob_quant(%q: tensor<4x6xi8>) -> tensor<4x6xi8> {
  // expected-error @+1 {{'nn.qattention' op prob_quant must be [pm in [1, 2^24), pk, lo, hi] with a numerator pm * 2^pk of at most 62 bits and at most 2^16 codes}}
  %y = nn.qattention %q, %q, %q {heads = 2 : i64, causal = false, exp_shift = 0 : i64,
                                exp_table = dense<[32768, 50]> : tensor<2xi17>, mult = 1 : i64,
                                shift = 8 : i64, zp = 0 : i64, lo = -128 : i64, hi = 127 : i64,
                                prob_quant = array<i64: 8388607, 40, 0, 255>}
       : tensor<4x6xi8>, tensor<4x6xi8>, tensor<4x6xi8> -> tensor<4x6xi8>
  return %y : tensor<4x6xi8>
}
