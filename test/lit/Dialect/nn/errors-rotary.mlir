// RUN: loom-opt %s -split-input-file -verify-diagnostics

// The verifiers of nn.rotary and nn.qrotary (dialects/nn/NNOps.cpp,
// dialects/RotaryAttrs.h), one broken case each, and a round trip of valid ones.

func.func @odd_head(%x: tensor<2x6xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{'nn.rotary' op head_dim 3 must be even and divide the 6 channels}}
  %y = nn.rotary %x {head_dim = 3 : i64, cos = dense<1.0> : tensor<12xf32>,
                     sin = dense<0.0> : tensor<12xf32>} : tensor<2x6xf32>
  return %y : tensor<2x6xf32>
}

// -----

func.func @table_size(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'nn.rotary' op cos and sin need 8 values (rows x channels)}}
  %y = nn.rotary %x {head_dim = 2 : i64, cos = dense<1.0> : tensor<4xf32>,
                     sin = dense<0.0> : tensor<8xf32>} : tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @code_range(%x: tensor<1x2xi8>) -> tensor<1x2xi8> {
  // expected-error @+1 {{'nn.qrotary' op table codes must be within +-2^14}}
  %y = nn.qrotary %x {head_dim = 2 : i64, cos = dense<16385> : tensor<1x2xi16>,
                      sin = dense<0> : tensor<1x2xi16>, mult = 1 : i64, shift = 14 : i64,
                      lo = -128 : i64, hi = 127 : i64} : tensor<1x2xi8> -> tensor<1x2xi8>
  return %y : tensor<1x2xi8>
}

// -----

func.func @mult_range(%x: tensor<1x2xi8>) -> tensor<1x2xi8> {
  // expected-error @+1 {{'nn.qrotary' op mult must be in [1, 2^24) and shift in [0, 62]}}
  %y = nn.qrotary %x {head_dim = 2 : i64, cos = dense<16384> : tensor<1x2xi16>,
                      sin = dense<0> : tensor<1x2xi16>, mult = 0 : i64, shift = 14 : i64,
                      lo = -128 : i64, hi = 127 : i64} : tensor<1x2xi8> -> tensor<1x2xi8>
  return %y : tensor<1x2xi8>
}

// -----

func.func @valid(%x: tensor<1x4xf32>, %c: tensor<1x4xi8>) -> (tensor<1x4xf32>, tensor<1x4xi8>) {
  %y = nn.rotary %x {head_dim = 4 : i64, cos = dense<1.0> : tensor<1x4xf32>,
                     sin = dense<0.0> : tensor<1x4xf32>} : tensor<1x4xf32>
  %z = nn.qrotary %c {head_dim = 2 : i64, cos = dense<16384> : tensor<1x4xi16>,
                      sin = dense<-8192> : tensor<1x4xi16>, mult = 1 : i64, shift = 14 : i64,
                      lo = -128 : i64, hi = 127 : i64} : tensor<1x4xi8> -> tensor<1x4xi8>
  return %y, %z : tensor<1x4xf32>, tensor<1x4xi8>
}
