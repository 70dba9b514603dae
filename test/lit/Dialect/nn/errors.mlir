// RUN: loom-opt %s -split-input-file -verify-diagnostics

// One broken op per case; together they hit every error path of
// dialects/nn/NNOps.cpp (in source order).

// The custom syntax takes the result type from the value, so a mismatch can
// only be written generically; the AllTypesMatch trait rejects it before
// ConstantOp::verify (whose "value type ... does not match" is a backstop).
func.func @constant_type_mismatch() -> tensor<3xf32> {
  // expected-error @+1 {{'nn.constant' op failed to verify that all of {value, result} have same type}}
  %c = "nn.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return %c : tensor<3xf32>
}

// -----

func.func @dense_rank(%x: tensor<4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'nn.dense' op expects rank-2 [batch, features] input and result}}
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x4xf32>, bias = dense<0.0> : tensor<2xf32>} : tensor<4xf32> -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}

// -----

func.func @dense_weight_rank(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'nn.dense' op weight must be rank 2 [N, K], got rank 1}}
  %d = nn.dense %x {weight = dense<1.0> : tensor<8xf32>, bias = dense<0.0> : tensor<2xf32>} : tensor<1x4xf32> -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}

// -----

func.func @dense_input_features(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'nn.dense' op input has 3 features but weight expects 4}}
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x4xf32>, bias = dense<0.0> : tensor<2xf32>} : tensor<1x3xf32> -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}

// -----

func.func @dense_result_features(%x: tensor<1x4xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{'nn.dense' op result has 3 features but weight produces 2}}
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x4xf32>, bias = dense<0.0> : tensor<2xf32>} : tensor<1x4xf32> -> tensor<1x3xf32>
  return %d : tensor<1x3xf32>
}

// -----

func.func @dense_batch(%x: tensor<1x4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'nn.dense' op batch size changes from 1 to 2}}
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x4xf32>, bias = dense<0.0> : tensor<2xf32>} : tensor<1x4xf32> -> tensor<2x2xf32>
  return %d : tensor<2x2xf32>
}

// -----

func.func @dense_bias(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'nn.dense' op bias has 3 elements, expected 2}}
  %d = nn.dense %x {weight = dense<1.0> : tensor<2x4xf32>, bias = dense<0.0> : tensor<3xf32>} : tensor<1x4xf32> -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}

// -----

func.func @batch_norm_rank(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.batch_norm' op expects rank >= 2 (channels in dimension 1)}}
  %y = nn.batch_norm %x {scale = dense<1.0> : tensor<4xf32>, bias = dense<0.0> : tensor<4xf32>,
                         mean = dense<0.0> : tensor<4xf32>, variance = dense<1.0> : tensor<4xf32>,
                         epsilon = 1.0e-5 : f32} : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @batch_norm_param(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'nn.batch_norm' op parameter has 3 elements, expected 4}}
  %y = nn.batch_norm %x {scale = dense<1.0> : tensor<4xf32>, bias = dense<0.0> : tensor<4xf32>,
                         mean = dense<0.0> : tensor<3xf32>, variance = dense<1.0> : tensor<4xf32>,
                         epsilon = 1.0e-5 : f32} : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @reshape_element_type(%x: tensor<1x4xf32>) -> tensor<4xi16> {
  // expected-error @+1 {{'nn.reshape' op element type changes from 'f32' to 'i16'}}
  %y = nn.reshape %x : tensor<1x4xf32> -> tensor<4xi16>
  return %y : tensor<4xi16>
}

// -----

func.func @reshape_dynamic(%x: tensor<?x4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.reshape' op needs static shapes}}
  %y = nn.reshape %x : tensor<?x4xf32> -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @reshape_count(%x: tensor<1x4xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{'nn.reshape' op changes the element count from 4 to 5}}
  %y = nn.reshape %x : tensor<1x4xf32> -> tensor<5xf32>
  return %y : tensor<5xf32>
}

// -----

func.func @quantize_shape(%x: tensor<1x4xf32>) -> tensor<4xi16> {
  // expected-error @+1 {{'nn.quantize' op shape must not change}}
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<4xi16>
  return %q : tensor<4xi16>
}

// -----

func.func @quantize_frac_negative(%x: tensor<1x4xf32>) -> tensor<1x4xi16> {
  // expected-error @+1 {{'nn.quantize' op frac must be in [0, 62], got -1}}
  %q = nn.quantize %x {frac = -1 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  return %q : tensor<1x4xi16>
}

// -----

func.func @quantize_frac_large(%x: tensor<1x4xf32>) -> tensor<1x4xi16> {
  // expected-error @+1 {{'nn.quantize' op frac must be in [0, 62], got 63}}
  %q = nn.quantize %x {frac = 63 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  return %q : tensor<1x4xi16>
}

// -----

func.func @quantize_width_narrow(%x: tensor<1x4xf32>) -> tensor<1x4xi1> {
  // expected-error @+1 {{'nn.quantize' op integer width must be in [2, 32], got 1}}
  %q = nn.quantize %x {frac = 0 : i64} : tensor<1x4xf32> -> tensor<1x4xi1>
  return %q : tensor<1x4xi1>
}

// -----

func.func @quantize_width_wide(%x: tensor<1x4xf32>) -> tensor<1x4xi64> {
  // expected-error @+1 {{'nn.quantize' op integer width must be in [2, 32], got 64}}
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi64>
  return %q : tensor<1x4xi64>
}

// -----

func.func @dequantize_shape(%q: tensor<1x4xi16>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.dequantize' op shape must not change}}
  %x = nn.dequantize %q {frac = 10 : i64} : tensor<1x4xi16> -> tensor<4xf32>
  return %x : tensor<4xf32>
}

// -----

func.func @dequantize_frac(%q: tensor<1x4xi16>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'nn.dequantize' op frac must be in [0, 62], got 99}}
  %x = nn.dequantize %q {frac = 99 : i64} : tensor<1x4xi16> -> tensor<1x4xf32>
  return %x : tensor<1x4xf32>
}

// -----

func.func @dequantize_width(%q: tensor<1x4xi33>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'nn.dequantize' op integer width must be in [2, 32], got 33}}
  %x = nn.dequantize %q {frac = 10 : i64} : tensor<1x4xi33> -> tensor<1x4xf32>
  return %x : tensor<1x4xf32>
}

// -----

// qdense shares the dense shape rules.
func.func @qdense_shapes(%q: tensor<1x4xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.qdense' op input has 4 features but weight expects 3}}
  %y = nn.qdense %q {weight = dense<1> : tensor<2x3xi16>, bias = dense<0> : tensor<2xi64>,
                     shift = 10 : i64, acc_width = 20 : i64} : tensor<1x4xi16> -> tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

func.func @qdense_acc_width_narrow(%q: tensor<1x4xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.qdense' op acc_width must be in [2, 62], got 1}}
  %y = nn.qdense %q {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                     shift = 10 : i64, acc_width = 1 : i64} : tensor<1x4xi16> -> tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

func.func @qdense_acc_width_wide(%q: tensor<1x4xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.qdense' op acc_width must be in [2, 62], got 63}}
  %y = nn.qdense %q {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                     shift = 10 : i64, acc_width = 63 : i64} : tensor<1x4xi16> -> tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

func.func @lut_shift_negative(%q: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.lut' op t_shift must be in [0, 30], got -1}}
  %y = nn.lut %q {function = "sigmoid", t_min = 0 : i64, t_max = 3 : i64, t_shift = -1 : i64,
                  table = dense<0> : tensor<4xi16>} : tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

func.func @lut_shift_large(%q: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.lut' op t_shift must be in [0, 30], got 31}}
  %y = nn.lut %q {function = "sigmoid", t_min = 0 : i64, t_max = 3 : i64, t_shift = 31 : i64,
                  table = dense<0> : tensor<1xi16>} : tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

func.func @lut_range(%q: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.lut' op t_min 4 > t_max 3}}
  %y = nn.lut %q {function = "tanh", t_min = 4 : i64, t_max = 3 : i64, t_shift = 0 : i64,
                  table = dense<0> : tensor<1xi16>} : tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

func.func @lut_function(%q: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.lut' op unknown function 'mish'}}
  %y = nn.lut %q {function = "mish", t_min = 0 : i64, t_max = 3 : i64, t_shift = 0 : i64,
                  table = dense<0> : tensor<4xi16>} : tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

func.func @lut_alignment(%q: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.lut' op t_min must be a multiple of 2^t_shift}}
  %y = nn.lut %q {function = "tanh", t_min = 2 : i64, t_max = 7 : i64, t_shift = 2 : i64,
                  table = dense<0> : tensor<2xi16>} : tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// -----

// depth = (11 >> 2) - (4 >> 2) + 1 = 2 - 1 + 1 = 2.
func.func @lut_depth(%q: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{'nn.lut' op table has 5 entries, expected 2}}
  %y = nn.lut %q {function = "tanh", t_min = 4 : i64, t_max = 11 : i64, t_shift = 2 : i64,
                  table = dense<0> : tensor<5xi16>} : tensor<1x2xi16>
  return %y : tensor<1x2xi16>
}

// (Negative shift and negative acc_width cases: errors-signed.mlir.)
