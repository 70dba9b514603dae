// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Every error path of the convolutional df verifiers (dialects/df/DFOps.cpp:
// SwgOp, DwuOp, PoolOp, JoinOp, ConcatOp, and the clip activation shared by
// mvu and dwu). Sizes worked out by hand in the comments.

func.func @swg_counts() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.swg' op expects 2 kernel sizes, strides, dilations and 4 pads}}
  %w = df.swg %in {channels = 2 : i64, height = 2 : i64, width = 2 : i64, kernel = array<i64: 2, 2>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0>,
                   pad_value = 0 : i64} : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [8]>
  df.output %w, "y" : !df.stream<i8, 1, [8]>
  return
}

// -----

func.func @swg_input_frame() {
  %in = df.input "x" : !df.stream<i8, 1, [6]>
  // expected-error @+1 {{'df.swg' op input frame must hold H*W*C = 8 elements}}
  %w = df.swg %in {channels = 2 : i64, height = 2 : i64, width = 2 : i64, kernel = array<i64: 2, 2>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                   pad_value = 0 : i64} : !df.stream<i8, 1, [6]> -> !df.stream<i8, 1, [8]>
  df.output %w, "y" : !df.stream<i8, 1, [8]>
  return
}

// -----

func.func @swg_no_fit() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.swg' op the window does not fit the padded input}}
  %w = df.swg %in {channels = 2 : i64, height = 2 : i64, width = 2 : i64, kernel = array<i64: 3, 3>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                   pad_value = 0 : i64} : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [8]>
  df.output %w, "y" : !df.stream<i8, 1, [8]>
  return
}

// -----

// 2x2 map padded to 3x3, 2x2 kernel: 2x2 windows of 2*2*2 = 8 elements.
func.func @swg_output_frame() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.swg' op output frame must hold OH*OW*KH*KW*C = 32 elements}}
  %w = df.swg %in {channels = 2 : i64, height = 2 : i64, width = 2 : i64, kernel = array<i64: 2, 2>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>,
                   pad_value = 0 : i64} : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [8]>
  df.output %w, "y" : !df.stream<i8, 1, [8]>
  return
}

// -----

// A beat may not straddle two pixels, nor (whole pixels) two rows.
func.func @swg_lanes() {
  %in = df.input "x" : !df.stream<i8, 4, [12]>
  // expected-error @+1 {{'df.swg' op input lanes must divide the channels, or be whole pixels dividing a row}}
  %w = df.swg %in {channels = 2 : i64, height = 2 : i64, width = 3 : i64, kernel = array<i64: 2, 2>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                   pad_value = 0 : i64} : !df.stream<i8, 4, [12]> -> !df.stream<i8, 1, [16]>
  df.output %w, "y" : !df.stream<i8, 1, [16]>
  return
}

// -----

// Whole windows a beat (MMV) must divide an output row: 3 windows of 2 in a row of 2.
func.func @swg_out_lanes() {
  %in = df.input "x" : !df.stream<i8, 1, [9]>
  // expected-error @+1 {{'df.swg' op output lanes must divide the window, or be whole windows dividing an output row}}
  %w = df.swg %in {channels = 1 : i64, height = 3 : i64, width = 3 : i64, kernel = array<i64: 1, 2>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                   pad_value = 0 : i64} : !df.stream<i8, 1, [9]> -> !df.stream<i8, 6, [12]>
  df.output %w, "y" : !df.stream<i8, 6, [12]>
  return
}

// -----

// Several vectors a step (mmv 2) need every output in each copy (pe = N).
func.func @mvu_mmv_pe() {
  %in = df.input "x" : !df.stream<i8, 8, [16]>
  // expected-error @+1 {{'df.mvu' op mmv 2 needs pe = 2 and 8 input lanes (whole vectors)}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>,
                   shift = 1 : i64, acc_width = 20 : i64, folding = #df.folding<simd = 4, pe = 1, mmv = 2>,
                   act = #df.act<none>} : !df.stream<i8, 8, [16]> -> !df.stream<i8, 2, [8]>
  df.output %m, "y" : !df.stream<i8, 2, [8]>
  return
}

// -----

// A pool reads several window positions a beat (simd > 1) only with every channel.
func.func @pool_simd_pe() {
  %in = df.input "x" : !df.stream<i8, 4, [8]>
  // expected-error @+1 {{'df.pool' op simd (window positions a beat) must divide the taps, and with simd > 1 pe must be every channel}}
  %p = df.pool %in {mode = "max", channels = 2 : i64, taps = 4 : i64, folding = #df.folding<simd = 2, pe = 1>}
       : !df.stream<i8, 4, [8]> -> !df.stream<i8, 1, [2]>
  df.output %p, "y" : !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @dwu_bias() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.dwu' op bias must have one value per channel}}
  %u = df.dwu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<3xi64>, shift = 5 : i64, acc_width = 16 : i64,
                   folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [2]>
  df.output %u, "y" : !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @dwu_partial_window() {
  %in = df.input "x" : !df.stream<i8, 1, [12]>
  // expected-error @+1 {{'df.dwu' op frames must hold whole windows of KK*C elements}}
  %u = df.dwu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 5 : i64, acc_width = 16 : i64,
                   folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i8, 1, [12]> -> !df.stream<i8, 1, [3]>
  df.output %u, "y" : !df.stream<i8, 1, [3]>
  return
}

// -----

// Two windows give 2 * C = 4 outputs, not 2.
func.func @dwu_output_frame() {
  %in = df.input "x" : !df.stream<i8, 1, [16]>
  // expected-error @+1 {{'df.dwu' op frames must hold whole windows of KK*C elements}}
  %u = df.dwu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 5 : i64, acc_width = 16 : i64,
                   folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i8, 1, [16]> -> !df.stream<i8, 1, [2]>
  df.output %u, "y" : !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @dwu_simd() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.dwu' op simd must divide the taps (or, with pe = every channel and several windows a frame, be below them) and pe the channels}}
  %u = df.dwu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 5 : i64, acc_width = 16 : i64,
                   folding = #df.folding<simd = 3, pe = 1>, act = #df.act<none>}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [2]>
  df.output %u, "y" : !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @dwu_pe() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.dwu' op simd must divide the taps (or, with pe = every channel and several windows a frame, be below them) and pe the channels}}
  %u = df.dwu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 5 : i64, acc_width = 16 : i64,
                   folding = #df.folding<simd = 1, pe = 0>, act = #df.act<none>}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [2]>
  df.output %u, "y" : !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @dwu_lanes() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.dwu' op output stream must carry pe * mmv = 1 lanes, got 2}}
  %u = df.dwu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 5 : i64, acc_width = 16 : i64,
                   folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 2, [2]>
  df.output %u, "y" : !df.stream<i8, 2, [2]>
  return
}

// -----

func.func @dwu_activation() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // An activation outside the df.act enum does not even parse.
  // expected-error @+3 {{expected ::loom::df::Activation to be one of: none, relu, clip, leaky, sign, table}}
  // expected-error @+2 {{failed to parse DF_ActivationAttr parameter 'value'}}
  %u = df.dwu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 5 : i64, acc_width = 16 : i64,
                   folding = #df.folding<simd = 1, pe = 1>, act = #df.act<gelu>}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [2]>
  df.output %u, "y" : !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @dwu_clip_bounds() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.dwu' op clip needs t_min and t_max (and only they)}}
  %u = df.dwu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 5 : i64,
                   acc_width = 16 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<clip>, t_min = 0 : i64}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [2]>
  df.output %u, "y" : !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @mvu_clip_with_table() {
  %in = df.input "x" : !df.stream<i8, 1, [4]>
  // expected-error @+1 {{'df.mvu' op clip needs t_min and t_max (and only they)}}
  %u = df.mvu %in {weight = dense<1> : tensor<2x4xi8>, bias = dense<0> : tensor<2xi64>, shift = 5 : i64,
                   acc_width = 16 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<clip>, t_min = 0 : i64,
                   t_max = 96 : i64, t_shift = 0 : i64}
       : !df.stream<i8, 1, [4]> -> !df.stream<i8, 1, [2]>
  df.output %u, "y" : !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @pool_mode() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.pool' op mode must be max or avg}}
  %p = df.pool %in {mode = "min", channels = 2 : i64, taps = 4 : i64, folding = #df.folding<simd = 1, pe = 1>}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [2]>
  df.output %p, "y" : !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @pool_frames() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.pool' op frames must hold whole windows of KK*C elements}}
  %p = df.pool %in {mode = "max", channels = 2 : i64, taps = 4 : i64, folding = #df.folding<simd = 1, pe = 1>}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [4]>
  df.output %p, "y" : !df.stream<i8, 1, [4]>
  return
}

// -----

func.func @pool_partial() {
  %in = df.input "x" : !df.stream<i8, 1, [10]>
  // expected-error @+1 {{'df.pool' op frames must hold whole windows of KK*C elements}}
  %p = df.pool %in {mode = "max", channels = 2 : i64, taps = 4 : i64, folding = #df.folding<simd = 1, pe = 1>}
       : !df.stream<i8, 1, [10]> -> !df.stream<i8, 1, [2]>
  df.output %p, "y" : !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @pool_pe() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.pool' op pe must divide the channels and be the output lanes}}
  %p = df.pool %in {mode = "max", channels = 2 : i64, taps = 4 : i64, folding = #df.folding<simd = 1, pe = 3>}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [2]>
  df.output %p, "y" : !df.stream<i8, 1, [2]>
  return
}

// -----

func.func @pool_lanes() {
  %in = df.input "x" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.pool' op pe must divide the channels and be the output lanes}}
  %p = df.pool %in {mode = "max", channels = 2 : i64, taps = 4 : i64, folding = #df.folding<simd = 1, pe = 1>}
       : !df.stream<i8, 1, [8]> -> !df.stream<i8, 2, [2]>
  df.output %p, "y" : !df.stream<i8, 2, [2]>
  return
}

// -----

// Two output pixels, three divisors.
func.func @pool_divisors() {
  %in = df.input "x" : !df.stream<i8, 1, [16]>
  // expected-error @+1 {{'df.pool' op divisors must have one entry per output pixel}}
  %p = df.pool %in {mode = "avg", channels = 2 : i64, taps = 4 : i64, folding = #df.folding<simd = 1, pe = 1>, divisors = dense<4> : tensor<3xi64>}
       : !df.stream<i8, 1, [16]> -> !df.stream<i8, 1, [4]>
  df.output %p, "y" : !df.stream<i8, 1, [4]>
  return
}

// -----

func.func @join_mode() {
  %in = df.input "x" : !df.stream<i8, 1, [4]>
  %a, %b = df.fork %in : !df.stream<i8, 1, [4]>
  // expected-error @+1 {{'df.join' op mode must be add or mul}}
  %j = df.join %a, %b {mode = "sub", frac = 0 : i64} : !df.stream<i8, 1, [4]>
  df.output %j, "y" : !df.stream<i8, 1, [4]>
  return
}

// -----

// Same-type rules of fork and join come from AllTypesMatch (generic form).
func.func @join_types() {
  %a = df.input "a" : !df.stream<i8, 1, [4]>
  %b = df.input "b" : !df.stream<i8, 2, [4]>
  // expected-error @+1 {{'df.join' op failed to verify that all of {lhs, rhs, output} have same type}}
  %j = "df.join"(%a, %b) {mode = "add", frac = 0 : i64} : (!df.stream<i8, 1, [4]>, !df.stream<i8, 2, [4]>) -> !df.stream<i8, 1, [4]>
  df.output %j, "y" : !df.stream<i8, 1, [4]>
  return
}

// -----

func.func @fork_types() {
  %a = df.input "a" : !df.stream<i8, 1, [4]>
  // expected-error @+1 {{'df.fork' op failed to verify that all of {input, first, second} have same type}}
  %f:2 = "df.fork"(%a) : (!df.stream<i8, 1, [4]>) -> (!df.stream<i8, 1, [4]>, !df.stream<i8, 2, [4]>)
  df.output %f#0, "y" : !df.stream<i8, 1, [4]>
  df.output %f#1, "z" : !df.stream<i8, 2, [4]>
  return
}

// -----

func.func @concat_lanes() {
  %a = df.input "a" : !df.stream<i8, 2, [4]>
  %b = df.input "b" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.concat' op both inputs and the output must have the same lanes}}
  %c = df.concat %a, %b {lhs_channels = 2 : i64, rhs_channels = 4 : i64}
       : !df.stream<i8, 2, [4]>, !df.stream<i8, 1, [8]> -> !df.stream<i8, 2, [12]>
  df.output %c, "y" : !df.stream<i8, 2, [12]>
  return
}

// -----

// 4 lanes do not divide lhs_channels = 2.
func.func @concat_divide() {
  %a = df.input "a" : !df.stream<i8, 4, [4]>
  %b = df.input "b" : !df.stream<i8, 4, [8]>
  // expected-error @+1 {{'df.concat' op lanes must divide both channel counts}}
  %c = df.concat %a, %b {lhs_channels = 2 : i64, rhs_channels = 4 : i64}
       : !df.stream<i8, 4, [4]>, !df.stream<i8, 4, [8]> -> !df.stream<i8, 4, [12]>
  df.output %c, "y" : !df.stream<i8, 4, [12]>
  return
}

// -----

// lhs: 2 pixels of 2 channels, rhs: 1 pixel of 4.
func.func @concat_pixels() {
  %a = df.input "a" : !df.stream<i8, 1, [4]>
  %b = df.input "b" : !df.stream<i8, 1, [4]>
  // expected-error @+1 {{'df.concat' op inputs must have the same number of pixels}}
  %c = df.concat %a, %b {lhs_channels = 2 : i64, rhs_channels = 4 : i64}
       : !df.stream<i8, 1, [4]>, !df.stream<i8, 1, [4]> -> !df.stream<i8, 1, [8]>
  df.output %c, "y" : !df.stream<i8, 1, [8]>
  return
}

// -----

func.func @concat_output() {
  %a = df.input "a" : !df.stream<i8, 1, [4]>
  %b = df.input "b" : !df.stream<i8, 1, [8]>
  // expected-error @+1 {{'df.concat' op inputs must have the same number of pixels}}
  %c = df.concat %a, %b {lhs_channels = 2 : i64, rhs_channels = 4 : i64}
       : !df.stream<i8, 1, [4]>, !df.stream<i8, 1, [8]> -> !df.stream<i8, 1, [10]>
  df.output %c, "y" : !df.stream<i8, 1, [10]>
  return
}
