// RUN: loom-opt %s --nn-normalize --nn-quantize="precision=fixed<8,3>" --nn-to-df --df-fold --df-to-rtl="top=mlp" --rtl-export-verilog | FileCheck %s

// The whole flow on a Flatten + MatMul + Add + Softmax graph. fixed<8,3>: F = 5, so
// W = [[1, -0.5], [0.25, 2]] -> [[32, -16], [8, 64]], b = [0.5, -1] + [0.5, 0.5]
// folded = [1, -0.5] -> rne(b * 2^10) = [1024, -512];
// acc = max(48 * 128 + 1024, 72 * 128 + 512) = 9728 -> 15 bits.
// df-fold: the softmax (2 beats + 2 * 2 = 6 cycles) is the bottleneck from the
// start (the mvu needs 2 * 2 = 4), so it becomes loom_softmax_pipe (2 beats, 2
// cycles). The mvu then gets SIMD = 2 (2 cycles), and with the default budget
// (its 4 MACs) PE = 2 as well (1 cycle): the softmax reads and writes one beat
// of 2 lanes (1 cycle). Weights: NF*SF = 1 line of PE*SIMD = 4 lanes, lane
// pe*SIMD + simd holds w[pe][simd] (low byte first): 0x20, 0xf0, 0x08, 0x40;
// bias: one line of 2 x 15 bits, (-512 & 0x7fff) << 15 | 1024 = 0x3f000400.
// CHECK-LABEL: // ----- fc_w.mem
// CHECK-NEXT:  4008f020
// CHECK-NEXT:  // ----- fc_b.mem
// CHECK-NEXT:  3f000400
// CHECK-NEXT:  // ----- sm_exp.mem
// CHECK-NEXT:  8000
// CHECK:       // ----- mlp.sv
// CHECK:       module mlp (
// CHECK:         input  logic [15:0] s_axis_tdata,
// CHECK:         output logic [15:0] m_axis_tdata,
// CHECK:       loom_mvu #(
// CHECK:         .PE(2),
// CHECK:         .SHIFT(5),
// CHECK:         .SIMD(2),
// CHECK:         .W_ACC(15),
// CHECK:       ) fc (
// CHECK:       loom_softmax_pipe #(
// CHECK:         .EXP_DEPTH(256),
// CHECK:         .IN_BEAT(2),
// CHECK:       ) sm (
// CHECK:       loom_tlast_gen #(
// CHECK-NEXT:    .BEATS(1),
// CHECK-NEXT:    .W(16)
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
