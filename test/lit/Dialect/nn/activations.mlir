// nn.leaky_relu: on floats only alpha; on integers mult and shift (nn-quantize);
// nn.lut accepts the elu / selu tables. Round trip plus verifier errors.
// RUN: loom-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @ok
// CHECK: nn.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f64} : tensor<1x4xf32>
// CHECK: nn.elu %{{.*}} {alpha = 1.000000e+00 : f64} : tensor<1x4xf32>
// CHECK: nn.selu %{{.*}} {alpha = 1.500000e+00 : f64, gamma = 2.000000e+00 : f64} : tensor<1x4xf32>
// CHECK: nn.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f64, mult = 3277 : i64, shift = 15 : i64} : tensor<1x4xi8>
// CHECK: nn.lut %{{.*}} {function = "selu"
func.func @ok(%x: tensor<1x4xf32>, %q: tensor<1x4xi8>) {
  %a = nn.leaky_relu %x {alpha = 0.1 : f64} : tensor<1x4xf32>
  %b = nn.elu %x {alpha = 1.0 : f64} : tensor<1x4xf32>
  %c = nn.selu %x {alpha = 1.5 : f64, gamma = 2.0 : f64} : tensor<1x4xf32>
  %d = nn.leaky_relu %q {alpha = 0.1 : f64, mult = 3277 : i64, shift = 15 : i64} : tensor<1x4xi8>
  %e = nn.lut %q {function = "selu", t_min = 0 : i64, t_max = 1 : i64, t_shift = 0 : i64,
                  table = dense<[1, 2]> : tensor<2xi8>} : tensor<1x4xi8>
  return
}

// -----

func.func @int_without_mult(%q: tensor<1x4xi8>) {
  // expected-error @+1 {{'nn.leaky_relu' op on integers needs mult and shift}}
  %d = nn.leaky_relu %q {alpha = 0.1 : f64} : tensor<1x4xi8>
  return
}

// -----

func.func @float_with_mult(%x: tensor<1x4xf32>) {
  // expected-error @+1 {{'nn.leaky_relu' op on floats must not carry mult or shift}}
  %d = nn.leaky_relu %x {alpha = 0.1 : f64, mult = 3277 : i64, shift = 15 : i64} : tensor<1x4xf32>
  return
}

// -----

func.func @elu_on_ints(%q: tensor<1x4xi8>) {
  // expected-error @+1 {{'nn.elu' op operand #0 must be ranked tensor of 32-bit float values}}
  %d = nn.elu %q {alpha = 1.0 : f64} : tensor<1x4xi8>
  return
}

// -----

// PRelu with one slope per channel (axis 1): alphas on floats, mults + shift on
// integers (mult is then absent).
// CHECK-LABEL: func.func @per_channel
// CHECK: nn.leaky_relu %{{.*}} {alpha = 0.000000e+00 : f64, alphas = array<f64: 2.500000e-01, -5.000000e-01>} : tensor<1x2x3x3xf32>
// CHECK: nn.leaky_relu %{{.*}} {alpha = 0.000000e+00 : f64, alphas = array<f64: 2.500000e-01, -5.000000e-01>, mults = array<i64: 8192, -16384>, shift = 15 : i64} : tensor<1x2xi8>
func.func @per_channel(%x: tensor<1x2x3x3xf32>, %q: tensor<1x2xi8>) {
  %a = nn.leaky_relu %x {alpha = 0.0 : f64, alphas = array<f64: 0.25, -0.5>} : tensor<1x2x3x3xf32>
  %b = nn.leaky_relu %q {alpha = 0.0 : f64, alphas = array<f64: 0.25, -0.5>, mults = array<i64: 8192, -16384>, shift = 15 : i64} : tensor<1x2xi8>
  return
}

// -----

func.func @alphas_count(%x: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{'nn.leaky_relu' op alphas must hold one slope per channel (axis 1), got 2 for 'tensor<1x3x2x2xf32>'}}
  %a = nn.leaky_relu %x {alpha = 0.0 : f64, alphas = array<f64: 0.25, -0.5>} : tensor<1x3x2x2xf32>
  return
}

// -----

func.func @alphas_int_without_mults(%q: tensor<1x2xi8>) {
  // expected-error @+1 {{'nn.leaky_relu' op on integers needs mults and shift}}
  %b = nn.leaky_relu %q {alpha = 0.0 : f64, alphas = array<f64: 0.25, -0.5>, shift = 15 : i64} : tensor<1x2xi8>
  return
}

// -----

func.func @alphas_with_mult(%q: tensor<1x2xi8>) {
  // expected-error @+1 {{'nn.leaky_relu' op with alphas, the integer form carries mults, not mult}}
  %b = nn.leaky_relu %q {alpha = 0.0 : f64, alphas = array<f64: 0.25, -0.5>, mult = 3 : i64, mults = array<i64: 8192, -16384>, shift = 15 : i64} : tensor<1x2xi8>
  return
}

// -----

func.func @mults_count(%q: tensor<1x2xi8>) {
  // expected-error @+1 {{'nn.leaky_relu' op mults must have one entry per slope}}
  %b = nn.leaky_relu %q {alpha = 0.0 : f64, alphas = array<f64: 0.25, -0.5>, mults = array<i64: 8192>, shift = 15 : i64} : tensor<1x2xi8>
  return
}

// -----

func.func @mults_without_alphas(%q: tensor<1x2xi8>) {
  // expected-error @+1 {{'nn.leaky_relu' op mults needs alphas}}
  %b = nn.leaky_relu %q {alpha = 0.1 : f64, mult = 3277 : i64, mults = array<i64: 8192, -16384>, shift = 15 : i64} : tensor<1x2xi8>
  return
}
