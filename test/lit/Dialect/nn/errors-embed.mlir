// RUN: loom-opt %s -split-input-file -verify-diagnostics

// The verifiers of nn.embed and nn.qembed (dialects/nn/NNOps.cpp), one broken
// case each, and a round trip of valid ones.

func.func @table_rank(%ids: tensor<1x2xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+1 {{'nn.embed' op table must be [V, C], got rank 1}}
  %y = nn.embed %ids {table = dense<1.0> : tensor<4xf32>} : tensor<1x2xf32> -> tensor<1x2x4xf32>
  return %y : tensor<1x2x4xf32>
}

// -----

func.func @result_shape(%ids: tensor<1x2xf32>) -> tensor<1x2x3xf32> {
  // expected-error @+1 {{'nn.embed' op result must be the ids' shape + [4]}}
  %y = nn.embed %ids {table = dense<1.0> : tensor<5x4xf32>} : tensor<1x2xf32> -> tensor<1x2x3xf32>
  return %y : tensor<1x2x3xf32>
}

// -----

func.func @pos_rows(%ids: tensor<1x2xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+1 {{'nn.embed' op pos must be [2, 4] (one row per position)}}
  %y = nn.embed %ids {table = dense<1.0> : tensor<5x4xf32>, pos = dense<0.0> : tensor<3x4xf32>}
       : tensor<1x2xf32> -> tensor<1x2x4xf32>
  return %y : tensor<1x2x4xf32>
}

// -----

func.func @q_id_bits(%ids: tensor<1x2xi2>) -> tensor<1x2x4xi8> {
  // expected-error @+1 {{'nn.qembed' op ids of 2 bits cannot address 5 rows}}
  %y = nn.qembed %ids {table = dense<1> : tensor<5x4xi8>, lo = -128 : i64, hi = 127 : i64}
       : tensor<1x2xi2> -> tensor<1x2x4xi8>
  return %y : tensor<1x2x4xi8>
}

// -----

func.func @q_float_table(%ids: tensor<1x2xi3>) -> tensor<1x2x4xi8> {
  // expected-error @+1 {{'nn.qembed' op table and pos must hold integer codes}}
  %y = nn.qembed %ids {table = dense<1.0> : tensor<5x4xf32>, lo = -128 : i64, hi = 127 : i64}
       : tensor<1x2xi3> -> tensor<1x2x4xi8>
  return %y : tensor<1x2x4xi8>
}

// -----

func.func @q_clamp(%ids: tensor<1x2xi3>) -> tensor<1x2x4xi8> {
  // expected-error @+1 {{'nn.qembed' op lo 5 exceeds hi 4}}
  %y = nn.qembed %ids {table = dense<1> : tensor<5x4xi8>, lo = 5 : i64, hi = 4 : i64}
       : tensor<1x2xi3> -> tensor<1x2x4xi8>
  return %y : tensor<1x2x4xi8>
}

// -----

func.func @valid(%ids: tensor<1x2xf32>, %q: tensor<1x2xi3>) -> (tensor<1x2x4xf32>, tensor<1x2x4xi8>) {
  %y = nn.embed %ids {table = dense<1.0> : tensor<5x4xf32>, pos = dense<0.5> : tensor<2x4xf32>}
       : tensor<1x2xf32> -> tensor<1x2x4xf32>
  %z = nn.qembed %q {table = dense<1> : tensor<5x4xi8>, pos = dense<2> : tensor<2x4xi8>, lo = -128 : i64,
                     hi = 127 : i64} : tensor<1x2xi3> -> tensor<1x2x4xi8>
  %n = nn.layernorm %y {gamma = dense<1.0> : tensor<4xf32>, beta = dense<0.0> : tensor<4xf32>,
                        epsilon = 1.0e-6 : f32, rms} : tensor<1x2x4xf32>
  return %n, %z : tensor<1x2x4xf32>, tensor<1x2x4xi8>
}
