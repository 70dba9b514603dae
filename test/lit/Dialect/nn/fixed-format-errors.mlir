// RUN: loom-opt %s -split-input-file -verify-diagnostics

// #nn.fixed<W, I> that break numerics::FixedFormat's rules (2 <= W <= 32,
// I <= W, W - I <= 62) or the attribute's syntax: one error each.

func.func @too_wide(%x: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{invalid fixed-point format 'fixed<40,6>': width W = 40 is outside [2, 32]}}
  %a = nn.relu %x {format = #nn.fixed<40, 6>} : tensor<1x2xi16>
  return %a : tensor<1x2xi16>
}

// -----

func.func @int_bits(%x: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{invalid fixed-point format 'fixed<8,9>': integer bits I = 9 exceed the width W = 8}}
  %a = nn.relu %x {format = #nn.fixed<8, 9>} : tensor<1x2xi16>
  return %a : tensor<1x2xi16>
}

// -----

func.func @frac_bits(%x: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{invalid fixed-point format 'fixed<8,-60>': too many fractional bits (W - I = 68 > 62)}}
  %a = nn.relu %x {format = #nn.fixed<8, -60>} : tensor<1x2xi16>
  return %a : tensor<1x2xi16>
}

// -----

func.func @unsigned_frac(%x: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{invalid unsigned fixed-point format fixed<8, 9, unsigned>: expected 1 <= W <= 32 and 0 <= W - I <= 62}}
  %a = nn.relu %x {format = #nn.fixed<8, 9, unsigned>} : tensor<1x2xi16>
  return %a : tensor<1x2xi16>
}

// -----

func.func @syntax(%x: tensor<1x2xi16>) -> tensor<1x2xi16> {
  // expected-error @+1 {{expected 'unsigned'}}
  %a = nn.relu %x {format = #nn.fixed<8, 1, signed>} : tensor<1x2xi16>
  return %a : tensor<1x2xi16>
}
