// RUN: loom-opt %s --nn-normalize --nn-quantize="precision=fixed<8,3>" --nn-to-df --df-fold --df-to-rtl="top=mlp" --rtl-export-verilog | FileCheck %s

// The whole flow on a Flatten + MatMul + Add + Softmax graph. fixed<8,3>: F = 5, so
// W = [[1, -0.5], [0.25, 2]] -> [[32, -16], [8, 64]], b = [0.5, -1] + [0.5, 0.5]
// folded = [1, -0.5] -> rne(b * 2^10) = [1024, -512];
// acc = max(48 * 128 + 1024, 72 * 128 + 512) = 9728 -> 15 bits.
// df-fold: the softmax (2 beats + 2 * 2 = 6 cycles) is the bottleneck from the
// start (the mvu needs 2 * 2 = 4). Its input width is the mvu's pe, so the
// mvu gets PE = 2 with SIMD = 1 (2 multipliers, still no slower than 4
// cycles): the softmax reads one beat (1 + 4 = 5 cycles). Weights: NF*SF = 2
// lines of PE*SIMD = 2 lanes, line sf holds w[0][sf] (low byte) and w[1][sf]:
// 0x08|0x20, 0x40|0xf0; bias: one line of 2 x 15 bits, (-512 & 0x7fff) << 15
// | 1024 = 0x3f000400.
// CHECK-LABEL: // ----- fc_w.mem
// CHECK-NEXT:  0820
// CHECK-NEXT:  40f0
// CHECK-NEXT:  // ----- fc_b.mem
// CHECK-NEXT:  3f000400
// CHECK-NEXT:  // ----- sm_exp.mem
// CHECK-NEXT:  8000
// CHECK:       // ----- mlp.sv
// CHECK:       module mlp (
// CHECK:         input  logic [7:0] s_axis_tdata,
// CHECK:         output logic [7:0] m_axis_tdata,
// CHECK:       loom_mvu #(
// CHECK:         .PE(2),
// CHECK:         .SHIFT(5),
// CHECK:         .SIMD(1),
// CHECK:         .W_ACC(15),
// CHECK:       ) fc (
// CHECK:       loom_softmax #(
// CHECK:         .EXP_DEPTH(256),
// CHECK:       ) sm (
// CHECK:       loom_tlast_gen #(
// CHECK-NEXT:    .BEATS(2),
// CHECK-NEXT:    .W(8)
// CHECK:       endmodule
func.func @mlp(%x: tensor<1x1x2xf32> {onnx.name = "x"}) -> (tensor<1x2xf32> {onnx.name = "y"}) {
  %f = nn.reshape %x {onnx.node = "flat"} : tensor<1x1x2xf32> -> tensor<1x2xf32>
  %d = nn.dense %f {weight = dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf32>,
                    bias = dense<[0.5, -1.0]> : tensor<2xf32>, onnx.node = "fc"} : tensor<1x2xf32> -> tensor<1x2xf32>
  %c = nn.constant dense<0.5> : tensor<2xf32>
  %a = nn.add %d, %c : tensor<1x2xf32>, tensor<2xf32> -> tensor<1x2xf32>
  %s = nn.softmax %a {onnx.node = "sm"} : tensor<1x2xf32>
  return %s : tensor<1x2xf32>
}
