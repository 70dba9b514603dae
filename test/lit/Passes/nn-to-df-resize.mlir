// RUN: loom-opt %s --split-input-file --nn-to-df | FileCheck %s

// nn.resize (nearest, integer factors) lowers to a df.upsample reading the
// channels-last stream: df.input gets loom.perm[i] = (c*H + y)*W + x for stream
// order (y, x, c), H = 2, W = 3, and the output (4 x 9 x 2) likewise with
// c*36: [0, 36, 1, 37, ...].

// CHECK-LABEL: func.func @up()
// CHECK-NEXT: %[[IN:.*]] = df.input "input" {loom.frac = 5 : i64, loom.perm = array<i64: 0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11>} : <i8, 1, [12]>
// CHECK-NEXT: %[[U:.*]] = df.upsample %[[IN]] {channels = 2 : i64, height = 2 : i64, onnx.node = "up", onnx.op = "Resize", sh = 2 : i64, sw = 3 : i64, width = 3 : i64} : <i8, 1, [12]> -> <i8, 1, [72]>
// CHECK-NEXT: df.output %[[U]], "output" {loom.frac = 5 : i64, loom.perm = array<i64: 0, 36, 1, 37, 2, 38, 3, 39
func.func @up(%x: tensor<1x2x2x3xf32>) -> tensor<1x2x4x9xf32> {
  %q = nn.quantize %x {frac = 5 : i64} : tensor<1x2x2x3xf32> -> tensor<1x2x2x3xi8>
  %u = nn.resize %q {scales = array<i64: 2, 3>, onnx.node = "up", onnx.op = "Resize"} : tensor<1x2x2x3xi8> -> tensor<1x2x4x9xi8>
  %y = nn.dequantize %u {frac = 5 : i64} : tensor<1x2x4x9xi8> -> tensor<1x2x4x9xf32>
  return %y : tensor<1x2x4x9xf32>
}
