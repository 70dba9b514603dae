// RUN: loom-opt %s | loom-opt | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// nn.resize (nearest, integer factors of H and W) parses, prints and
// re-parses on floats and integer codes; df.upsample likewise.

// CHECK-LABEL: func.func @resize
// CHECK-NEXT: %0 = nn.resize %arg0 {scales = array<i64: 2, 2>} : tensor<1x3x4x5xf32> -> tensor<1x3x8x10xf32>
// CHECK-NEXT: %1 = nn.resize %arg1 {scales = array<i64: 1, 3>} : tensor<1x2x2x2xi8> -> tensor<1x2x2x6xi8>
func.func @resize(%x: tensor<1x3x4x5xf32>, %q: tensor<1x2x2x2xi8>) -> (tensor<1x3x8x10xf32>, tensor<1x2x2x6xi8>) {
  %a = nn.resize %x {scales = array<i64: 2, 2>} : tensor<1x3x4x5xf32> -> tensor<1x3x8x10xf32>
  %b = nn.resize %q {scales = array<i64: 1, 3>} : tensor<1x2x2x2xi8> -> tensor<1x2x2x6xi8>
  return %a, %b : tensor<1x3x8x10xf32>, tensor<1x2x2x6xi8>
}

// CHECK-LABEL: func.func @upsample
// CHECK-NEXT: %0 = df.input "x" : <i8, 2, [24]>
// CHECK-NEXT: %1 = df.upsample %0 {channels = 4 : i64, height = 2 : i64, sh = 2 : i64, sw = 2 : i64, width = 3 : i64} : <i8, 2, [24]> -> <i8, 2, [96]>
func.func @upsample() {
  %in = df.input "x" : <i8, 2, [24]>
  %u = df.upsample %in {channels = 4 : i64, height = 2 : i64, width = 3 : i64, sh = 2 : i64, sw = 2 : i64} : <i8, 2, [24]> -> <i8, 2, [96]>
  df.output %u, "y" : <i8, 2, [96]>
  return
}
