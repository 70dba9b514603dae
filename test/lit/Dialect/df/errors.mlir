// RUN: loom-opt %s -split-input-file -verify-diagnostics

// One broken type or op per case; together they hit every error path of
// dialects/df/DFOps.cpp (in source order).

// expected-error @+1 {{stream elements must be signless integers, got 'f32'}}
func.func private @stream_float(!df.stream<f32, 1, [4]>)

// -----

// expected-error @+1 {{stream elements must be signless integers, got 'si16'}}
func.func private @stream_signed(!df.stream<si16, 1, [4]>)

// -----

// expected-error @+1 {{frame dimensions must be positive}}
func.func private @stream_zero_dim(!df.stream<i16, 1, [4, 0]>)

// -----

// expected-error @+1 {{lanes (3) must divide the frame size (4)}}
func.func private @stream_lanes(!df.stream<i16, 3, [4]>)

// -----

// expected-error @+1 {{lanes (0) must divide the frame size (4)}}
func.func private @stream_no_lanes(!df.stream<i16, 0, [4]>)

// -----

func.func @mvu_weight_rank() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // K and N come from the weight (dims 1 and 0): a weight of rank 3 is refused.
  // expected-error @+1 {{'df.mvu' op weight must be rank 2, got 'tensor<2x4x1xi16>'}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4x1xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @mvu_bias() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op bias must have 2 elements}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<4xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

// A transposed weight ([4, 2]: N = 4, K = 2) turns the 4-element frame into
// two vectors, so 2 outputs are not a whole frame: the frame check fires.
func.func @mvu_weight_transposed() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op frames must hold whole vectors: 4 inputs of K = 2 give 2 outputs, not N = 4 per vector}}
  %m = df.mvu %in {weight = dense<1> : tensor<4x2xi16>, bias = dense<0> : tensor<4xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

// The input frame is not a whole number of K-vectors.
func.func @mvu_frame_partial_vector() {
  %in = df.input "x" : !df.stream<i16, 1, [6]>
  // expected-error @+1 {{'df.mvu' op frames must hold whole vectors: 6 inputs of K = 4 give 2 outputs, not N = 2 per vector}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [6]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

// Three vectors per frame (e.g. after a sliding window) must give 3 * N outputs.
func.func @mvu_frame_vectors() {
  %in = df.input "x" : !df.stream<i16, 1, [3, 4]>
  // expected-error @+1 {{'df.mvu' op frames must hold whole vectors: 12 inputs of K = 4 give 2 outputs, not N = 2 per vector}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [3, 4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @mvu_simd() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // simd 3 would fold flat; 5 is more lanes than K
  // expected-error @+1 {{'df.mvu' op simd 5 must be in [1, K = 4]}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 5, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @mvu_simd_zero() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op simd 0 must be in [1, K = 4]}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 0, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @mvu_pe() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op pe 3 must divide N = 2}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 3>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @mvu_output_lanes() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op output stream must carry pe * mmv = 1 lanes, got 2}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<none>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 2, [2]>
  df.output %m, "y" : !df.stream<i16, 2, [2]>
  return
}

// -----

func.func @mvu_activation() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // An activation outside the df.act enum does not even parse.
  // expected-error @+3 {{expected ::loom::df::Activation to be one of: none, relu, clip, leaky, sign, table}}
  // expected-error @+2 {{failed to parse DF_ActivationAttr parameter 'value'}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>, act = #df.act<gelu>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

// A table activation without its table.
func.func @mvu_table_missing() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op table activations need t_min, t_max, t_shift and table (and only they)}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<table>, t_min = 0 : i64, t_max = 0 : i64, t_shift = 0 : i64}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

// A complete table on a non-table activation.
func.func @mvu_table_extra() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.mvu' op table activations need t_min, t_max, t_shift and table (and only they)}}
  %m = df.mvu %in {weight = dense<1> : tensor<2x4xi16>, bias = dense<0> : tensor<2xi64>,
                   shift = 10 : i64, acc_width = 28 : i64, folding = #df.folding<simd = 1, pe = 1>,
                   act = #df.act<relu>, t_min = 0 : i64, t_max = 0 : i64, t_shift = 0 : i64,
                   table = dense<1> : tensor<1xi16>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [2]>
  df.output %m, "y" : !df.stream<i16, 1, [2]>
  return
}

// -----

func.func @softmax_lanes() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.softmax' op output stream must carry 1 lane}}
  %s = df.softmax %in {frac = 10 : i64, exp_shift = 4 : i64, exp_frac = 15 : i64,
                       exp_table = dense<[32768, 16384]> : tensor<2xi17>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 2, [4]>
  df.output %s, "y" : !df.stream<i16, 2, [4]>
  return
}

// -----

func.func @softmax_frame() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.softmax' op input and output frames differ in size}}
  %s = df.softmax %in {frac = 10 : i64, exp_shift = 4 : i64, exp_frac = 15 : i64,
                       exp_table = dense<[32768, 16384]> : tensor<2xi17>}
       : !df.stream<i16, 1, [4]> -> !df.stream<i16, 1, [5]>
  df.output %s, "y" : !df.stream<i16, 1, [5]>
  return
}

// -----

// The input/output type rule is enforced by the AllTypesMatch trait before
// FifoOp::verify runs; its own check is a second line of defence (generic
// form, as the custom syntax has only one type).
func.func @fifo_types() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.fifo' op failed to verify that all of {input, output} have same type}}
  %f = "df.fifo"(%in) {depth = 4 : i64} : (!df.stream<i16, 1, [4]>) -> !df.stream<i16, 2, [4]>
  df.output %f, "y" : !df.stream<i16, 2, [4]>
  return
}

// -----

func.func @fifo_depth() {
  %in = df.input "x" : !df.stream<i16, 1, [4]>
  // expected-error @+1 {{'df.fifo' op depth must be at least 2, got 1}}
  %f = df.fifo %in {depth = 1 : i64} : !df.stream<i16, 1, [4]>
  df.output %f, "y" : !df.stream<i16, 1, [4]>
  return
}
