// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// Every nn op parses, prints and re-parses to the same thing. Luts with a
// negative t_min: lut-signed-range.mlir. The second RUN goes through the
// generic form, so the custom printers and parsers agree.

// CHECK-LABEL: func.func @float_graph
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x2xf32>)
func.func @float_graph(%x: tensor<1x2x2xf32>) -> tensor<1x2xf32> {
  // CHECK: %[[C:.*]] = nn.constant dense<[5.000000e-01, -2.500000e-01]> : tensor<2xf32>
  %c = nn.constant dense<[0.5, -0.25]> : tensor<2xf32>
  // CHECK: %[[ID:.*]] = nn.identity %[[X]] {onnx.node = "drop", onnx.op = "Dropout"} : tensor<1x2x2xf32>
  %id = nn.identity %x {onnx.node = "drop", onnx.op = "Dropout"} : tensor<1x2x2xf32>
  // CHECK: %[[R:.*]] = nn.reshape %[[ID]] : tensor<1x2x2xf32> -> tensor<1x4xf32>
  %r = nn.reshape %id : tensor<1x2x2xf32> -> tensor<1x4xf32>
  // CHECK: %[[D:.*]] = nn.dense %[[R]] {bias = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>, weight = dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00], [-1.000000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00]]> : tensor<2x4xf32>} : tensor<1x4xf32> -> tensor<1x2xf32>
  %d = nn.dense %r {weight = dense<[[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, -3.0, -4.0]]> : tensor<2x4xf32>,
                    bias = dense<[1.0, 2.0]> : tensor<2xf32>} : tensor<1x4xf32> -> tensor<1x2xf32>
  // CHECK: %[[A:.*]] = nn.add %[[D]], %[[C]] : tensor<1x2xf32>, tensor<2xf32> -> tensor<1x2xf32>
  %a = nn.add %d, %c : tensor<1x2xf32>, tensor<2xf32> -> tensor<1x2xf32>
  // CHECK: %[[BN:.*]] = nn.batch_norm %[[A]] {bias = dense<0.000000e+00> : tensor<2xf32>, epsilon = 9.99999974E-6 : f32, mean = dense<0.000000e+00> : tensor<2xf32>, scale = dense<1.000000e+00> : tensor<2xf32>, variance = dense<1.000000e+00> : tensor<2xf32>} : tensor<1x2xf32>
  %bn = nn.batch_norm %a {scale = dense<1.0> : tensor<2xf32>, bias = dense<0.0> : tensor<2xf32>,
                          mean = dense<0.0> : tensor<2xf32>, variance = dense<1.0> : tensor<2xf32>,
                          epsilon = 1.0e-5 : f32} : tensor<1x2xf32>
  // CHECK: %[[RELU:.*]] = nn.relu %[[BN]] : tensor<1x2xf32>
  %relu = nn.relu %bn : tensor<1x2xf32>
  // CHECK: %[[SIG:.*]] = nn.sigmoid %[[RELU]] : tensor<1x2xf32>
  %sig = nn.sigmoid %relu : tensor<1x2xf32>
  // CHECK: %[[TANH:.*]] = nn.tanh %[[SIG]] : tensor<1x2xf32>
  %tanh = nn.tanh %sig : tensor<1x2xf32>
  // CHECK: %[[SM:.*]] = nn.softmax %[[TANH]] : tensor<1x2xf32>
  %sm = nn.softmax %tanh : tensor<1x2xf32>
  // CHECK: return %[[SM]] : tensor<1x2xf32>
  return %sm : tensor<1x2xf32>
}

// CHECK-LABEL: func.func @quantized_graph
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xf32>)
func.func @quantized_graph(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  // CHECK: %[[Q:.*]] = nn.quantize %[[X]] {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  %q = nn.quantize %x {frac = 10 : i64} : tensor<1x4xf32> -> tensor<1x4xi16>
  // CHECK: %[[QD:.*]] = nn.qdense %[[Q]] {acc_width = 28 : i64, bias = dense<[1048576, -1048576]> : tensor<2xi64>, shift = 10 : i64, weight = dense<{{\[}}[1024, 2048, 3072, 4096], [-1024, -2048, -3072, -4096]]> : tensor<2x4xi16>} : tensor<1x4xi16> -> tensor<1x2xi16>
  %qd = nn.qdense %q {weight = dense<[[1024, 2048, 3072, 4096], [-1024, -2048, -3072, -4096]]> : tensor<2x4xi16>,
                      bias = dense<[1048576, -1048576]> : tensor<2xi64>,
                      shift = 10 : i64, acc_width = 28 : i64} : tensor<1x4xi16> -> tensor<1x2xi16>
  // CHECK: %[[RELU:.*]] = nn.relu %[[QD]] : tensor<1x2xi16>
  %relu = nn.relu %qd : tensor<1x2xi16>
  // CHECK: %[[LUT:.*]] = nn.lut %[[RELU]] {function = "sigmoid", t_max = 7 : i64, t_min = 0 : i64, t_shift = 1 : i64, table = dense<[1, 2, 3, 4]> : tensor<4xi16>} : tensor<1x2xi16>
  %lut = nn.lut %relu {function = "sigmoid", t_min = 0 : i64, t_max = 7 : i64, t_shift = 1 : i64,
                       table = dense<[1, 2, 3, 4]> : tensor<4xi16>} : tensor<1x2xi16>
  // CHECK: %[[TLUT:.*]] = nn.lut %[[LUT]] {function = "tanh", t_max = 0 : i64, t_min = 0 : i64, t_shift = 0 : i64, table = dense<7> : tensor<1xi16>} : tensor<1x2xi16>
  %tlut = nn.lut %lut {function = "tanh", t_min = 0 : i64, t_max = 0 : i64, t_shift = 0 : i64,
                       table = dense<7> : tensor<1xi16>} : tensor<1x2xi16>
  // CHECK: %[[R:.*]] = nn.reshape %[[TLUT]] : tensor<1x2xi16> -> tensor<2xi16>
  %r = nn.reshape %tlut : tensor<1x2xi16> -> tensor<2xi16>
  // CHECK: %[[ID:.*]] = nn.identity %[[R]] : tensor<2xi16>
  %id = nn.identity %r : tensor<2xi16>
  // CHECK: %[[R2:.*]] = nn.reshape %[[ID]] : tensor<2xi16> -> tensor<1x2xi16>
  %r2 = nn.reshape %id : tensor<2xi16> -> tensor<1x2xi16>
  // CHECK: %[[SM:.*]] = nn.qsoftmax %[[R2]] {exp_frac = 15 : i64, exp_shift = 4 : i64, exp_table = dense<[32768, 16384]> : tensor<2xi17>, frac = 10 : i64} : tensor<1x2xi16>
  %sm = nn.qsoftmax %r2 {frac = 10 : i64, exp_shift = 4 : i64, exp_frac = 15 : i64,
                         exp_table = dense<[32768, 16384]> : tensor<2xi17>} : tensor<1x2xi16>
  // CHECK: %[[DQ:.*]] = nn.dequantize %[[SM]] {frac = 10 : i64} : tensor<1x2xi16> -> tensor<1x2xf32>
  %dq = nn.dequantize %sm {frac = 10 : i64} : tensor<1x2xi16> -> tensor<1x2xf32>
  // CHECK: return %[[DQ]] : tensor<1x2xf32>
  return %dq : tensor<1x2xf32>
}
