// RUN: loom-opt %s -split-input-file -verify-diagnostics

// The verifiers of nn.layernorm and nn.qlayernorm (dialects/nn/NNOps.cpp,
// dialects/LayerNormAttrs.h), one broken case each.

func.func @gamma_size(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'nn.layernorm' op gamma and beta need 4 elements (the last axis)}}
  %y = nn.layernorm %x {gamma = dense<1.0> : tensor<3xf32>, beta = dense<0.0> : tensor<4xf32>,
                        epsilon = 1.0e-5 : f32} : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @negative_eps(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'nn.layernorm' op epsilon must be >= 0}}
  %y = nn.layernorm %x {gamma = dense<1.0> : tensor<4xf32>, beta = dense<0.0> : tensor<4xf32>,
                        epsilon = -1.0 : f32} : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @q_shape(%x: tensor<1x4xi8>) -> tensor<1x8xi8> {
  // expected-error @+1 {{'nn.qlayernorm' op input and result must have the same shape (rank >= 1)}}
  %y = nn.qlayernorm %x {epsilon_codes = 1 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64, recip_bits = 38 : i64,
                         norm_shift = 14 : i64, out_shift = 25 : i64, gamma = dense<1> : tensor<4xi64>,
                         beta = dense<0> : tensor<4xi64>, lo = -128 : i64, hi = 127 : i64}
       : tensor<1x4xi8> -> tensor<1x8xi8>
  return %y : tensor<1x8xi8>
}

// -----

func.func @q_beta(%x: tensor<1x4xi8>) -> tensor<1x4xi8> {
  // expected-error @+1 {{'nn.qlayernorm' op gamma and beta need 4 elements (one per channel)}}
  %y = nn.qlayernorm %x {epsilon_codes = 1 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64, recip_bits = 38 : i64,
                         norm_shift = 14 : i64, out_shift = 25 : i64, gamma = dense<1> : tensor<4xi64>,
                         beta = dense<0> : tensor<2xi64>, lo = -128 : i64, hi = 127 : i64}
       : tensor<1x4xi8> -> tensor<1x4xi8>
  return %y : tensor<1x4xi8>
}

// -----

func.func @q_eps(%x: tensor<1x4xi8>) -> tensor<1x4xi8> {
  // expected-error @+1 {{'nn.qlayernorm' op epsilon_codes must be in [1, 2^30), got 0}}
  %y = nn.qlayernorm %x {epsilon_codes = 0 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64, recip_bits = 38 : i64,
                         norm_shift = 14 : i64, out_shift = 25 : i64, gamma = dense<1> : tensor<4xi64>,
                         beta = dense<0> : tensor<4xi64>, lo = -128 : i64, hi = 127 : i64}
       : tensor<1x4xi8> -> tensor<1x4xi8>
  return %y : tensor<1x4xi8>
}

// -----

func.func @q_shifts(%x: tensor<1x4xi8>) -> tensor<1x4xi8> {
  // expected-error @+1 {{'nn.qlayernorm' op shifts out of range}}
  %y = nn.qlayernorm %x {epsilon_codes = 1 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64, recip_bits = 80 : i64,
                         norm_shift = 14 : i64, out_shift = 25 : i64, gamma = dense<1> : tensor<4xi64>,
                         beta = dense<0> : tensor<4xi64>, lo = -128 : i64, hi = 127 : i64}
       : tensor<1x4xi8> -> tensor<1x4xi8>
  return %y : tensor<1x4xi8>
}

// -----

func.func @q_range(%x: tensor<1x4xi8>) -> tensor<1x4xi8> {
  // expected-error @+1 {{'nn.qlayernorm' op lo 5 exceeds hi 4}}
  %y = nn.qlayernorm %x {epsilon_codes = 1 : i64, epsilon_shift = 16 : i64, pre_shift = 8 : i64, recip_bits = 38 : i64,
                         norm_shift = 14 : i64, out_shift = 25 : i64, gamma = dense<1> : tensor<4xi64>,
                         beta = dense<0> : tensor<4xi64>, lo = 5 : i64, hi = 4 : i64}
       : tensor<1x4xi8> -> tensor<1x4xi8>
  return %y : tensor<1x4xi8>
}
