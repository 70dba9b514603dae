// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Error paths of the nn.resize and df.upsample verifiers.

func.func @bad_shape(%x: tensor<1x3x4x5xf32>) -> tensor<1x3x8x9xf32> {
  // expected-error @+1 {{'nn.resize' op result must be the NCHW input with H and W multiplied by the scales}}
  %a = nn.resize %x {scales = array<i64: 2, 2>} : tensor<1x3x4x5xf32> -> tensor<1x3x8x9xf32>
  return %a : tensor<1x3x8x9xf32>
}

// -----

func.func @bad_scales(%x: tensor<1x3x4x5xf32>) -> tensor<1x3x4x5xf32> {
  // expected-error @+1 {{'nn.resize' op scales must be two factors >= 1 (H, W)}}
  %a = nn.resize %x {scales = array<i64: 0, 1>} : tensor<1x3x4x5xf32> -> tensor<1x3x4x5xf32>
  return %a : tensor<1x3x4x5xf32>
}

// -----

func.func @bad_frames() {
  %in = df.input "x" : <i8, 2, [24]>
  // expected-error @+1 {{'df.upsample' op frames must hold H*W*C input and H*SH*W*SW*C output elements}}
  %u = df.upsample %in {channels = 4 : i64, height = 2 : i64, width = 3 : i64, sh = 2 : i64, sw = 2 : i64} : <i8, 2, [24]> -> <i8, 2, [48]>
  df.output %u, "y" : <i8, 2, [48]>
  return
}

// -----

func.func @bad_lanes() {
  %in = df.input "x" : <i8, 3, [24]>
  // expected-error @+1 {{'df.upsample' op input and output lanes must be equal and divide the channels}}
  %u = df.upsample %in {channels = 4 : i64, height = 2 : i64, width = 3 : i64, sh = 2 : i64, sw = 2 : i64} : <i8, 3, [24]> -> <i8, 3, [96]>
  df.output %u, "y" : <i8, 3, [96]>
  return
}
