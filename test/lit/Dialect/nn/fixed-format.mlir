// RUN: loom-opt %s --split-input-file | loom-opt --split-input-file | FileCheck %s
// RUN: loom-opt %s --split-input-file --mlir-print-op-generic | loom-opt --split-input-file | FileCheck %s

// #nn.fixed<W, I>: the typed fixed-point format (dialects/nn/NNAttrs.td).
// Signed by default; `unsigned` as a third parameter. The rules it breaks are
// in fixed-format-errors.mlir.

// CHECK-LABEL: func.func @formats
// CHECK: format = #nn.fixed<16, 6>
// CHECK: format = #nn.fixed<8, 0>
// CHECK: format = #nn.fixed<8, -2>
// CHECK: format = #nn.fixed<8, 1, unsigned>
func.func @formats(%x: tensor<1x2xi16>) -> tensor<1x2xi16> {
  %a = nn.relu %x {format = #nn.fixed<16, 6>} : tensor<1x2xi16>
  %b = nn.relu %a {format = #nn.fixed<8,0>} : tensor<1x2xi16>
  %c = nn.relu %b {format = #nn.fixed< 8 , -2 >} : tensor<1x2xi16>
  %d = nn.relu %c {format = #nn.fixed<8, 1, unsigned>} : tensor<1x2xi16>
  return %d : tensor<1x2xi16>
}
