// RUN: loom-opt %s -split-input-file -verify-diagnostics

// Every error path of the convolutional nn verifiers (dialects/nn/NNOps.cpp:
// verifyWindow, verifyConv, QConvOp, MaxPoolOp, AvgPoolOp). The expected
// output sizes are floor((in + p0 + p1 - d*(k-1) - 1) / s) + 1, by hand.

func.func @conv_weight_rank(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{'nn.conv' op weight must be OIHW (rank 4)}}
  %y = nn.conv %x {weight = dense<1.0> : tensor<2x18xf32>, bias = dense<0.0> : tensor<2xf32>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @conv_rank(%x: tensor<2x4x4xf32>) -> tensor<2x2x2xf32> {
  // expected-error @+1 {{'nn.conv' op expects rank-4 NCHW input and result}}
  %y = nn.conv %x {weight = dense<1.0> : tensor<2x2x3x3xf32>, bias = dense<0.0> : tensor<2xf32>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<2x4x4xf32> -> tensor<2x2x2xf32>
  return %y : tensor<2x2x2xf32>
}

// -----

func.func @conv_counts(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{'nn.conv' op expects 2 kernel sizes, strides, dilations and 4 pads}}
  %y = nn.conv %x {weight = dense<1.0> : tensor<2x2x3x3xf32>, bias = dense<0.0> : tensor<2xf32>, strides = array<i64: 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @conv_stride_zero(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{'nn.conv' op kernel sizes, strides and dilations must be positive}}
  %y = nn.conv %x {weight = dense<1.0> : tensor<2x2x3x3xf32>, bias = dense<0.0> : tensor<2xf32>, strides = array<i64: 0, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @conv_spatial(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x3xf32> {
  // expected-error @+1 {{'nn.conv' op result spatial dimension 1 is 3, expected 2}}
  %y = nn.conv %x {weight = dense<1.0> : tensor<2x2x3x3xf32>, bias = dense<0.0> : tensor<2xf32>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x2x4x4xf32> -> tensor<1x2x2x3xf32>
  return %y : tensor<1x2x2x3xf32>
}

// -----

func.func @conv_window_too_big(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32> {
  // expected-error @+1 {{'nn.conv' op result spatial dimension 0 is 1, expected 0}}
  %y = nn.conv %x {weight = dense<1.0> : tensor<2x2x3x3xf32>, bias = dense<0.0> : tensor<2xf32>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x2x4x4xf32> -> tensor<1x2x1x1xf32>
  return %y : tensor<1x2x1x1xf32>
}

// -----

func.func @conv_negative_pad(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{'nn.conv' op pads must be non-negative}}
  %y = nn.conv %x {weight = dense<1.0> : tensor<2x2x3x3xf32>, bias = dense<0.0> : tensor<2xf32>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: -1, 0, 1, 0>, group = 1 : i64}
       : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @conv_group(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{'nn.conv' op group 2 does not divide the channels consistently}}
  %y = nn.conv %x {weight = dense<1.0> : tensor<2x2x3x3xf32>, bias = dense<0.0> : tensor<2xf32>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64}
       : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @conv_group_zero(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{'nn.conv' op group 0 does not divide the channels consistently}}
  %y = nn.conv %x {weight = dense<1.0> : tensor<2x2x3x3xf32>, bias = dense<0.0> : tensor<2xf32>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 0 : i64}
       : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+1 {{'nn.conv' op result has 3 channels, weight has 2}}
  %y = nn.conv %x {weight = dense<1.0> : tensor<2x2x3x3xf32>, bias = dense<0.0> : tensor<2xf32>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x2x4x4xf32> -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{'nn.conv' op bias must have one value per output channel}}
  %y = nn.conv %x {weight = dense<1.0> : tensor<2x2x3x3xf32>, bias = dense<0.0> : tensor<3xf32>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
       : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @qconv_shift(%x: tensor<1x2x4x4xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{'nn.qconv' op shift must be >= 0}}
  %y = nn.qconv %x {weight = dense<1> : tensor<2x2x3x3xi8>, bias = dense<0> : tensor<2xi64>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, shift = -1 : i64, acc_width = 16 : i64}
       : tensor<1x2x4x4xi8> -> tensor<1x2x2x2xi8>
  return %y : tensor<1x2x2x2xi8>
}

// -----

func.func @qconv_window(%x: tensor<1x2x4x4xi8>) -> tensor<1x2x3x2xi8> {
  // expected-error @+1 {{'nn.qconv' op result spatial dimension 0 is 3, expected 2}}
  %y = nn.qconv %x {weight = dense<1> : tensor<2x2x3x3xi8>, bias = dense<0> : tensor<2xi64>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, shift = 5 : i64, acc_width = 16 : i64}
       : tensor<1x2x4x4xi8> -> tensor<1x2x3x2xi8>
  return %y : tensor<1x2x3x2xi8>
}

// -----

func.func @qconv_group(%x: tensor<1x2x4x4xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{'nn.qconv' op group 3 does not divide the channels consistently}}
  %y = nn.qconv %x {weight = dense<1> : tensor<2x2x3x3xi8>, bias = dense<0> : tensor<2xi64>, strides = array<i64: 1, 1>,
                 dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 3 : i64, shift = 5 : i64, acc_width = 16 : i64}
       : tensor<1x2x4x4xi8> -> tensor<1x2x2x2xi8>
  return %y : tensor<1x2x2x2xi8>
}

// -----

func.func @max_pool_channels(%x: tensor<1x2x4x4xi8>) -> tensor<1x3x2x2xi8> {
  // expected-error @+1 {{'nn.max_pool' op pooling keeps the channel count}}
  %y = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
                       pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x4x4xi8> -> tensor<1x3x2x2xi8>
  return %y : tensor<1x3x2x2xi8>
}

// -----

func.func @max_pool_window(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'nn.max_pool' op result spatial dimension 0 is 3, expected 2}}
  %y = nn.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
                       pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

func.func @max_pool_kernel(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{'nn.max_pool' op expects 2 kernel sizes, strides, dilations and 4 pads}}
  %y = nn.max_pool %x {kernel = array<i64: 2, 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
                       pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @avg_pool_channels(%x: tensor<1x2x4x4xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{'nn.avg_pool' op pooling keeps the channel count}}
  %y = nn.avg_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
                       count_include_pad = false} : tensor<1x2x4x4xf32> -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// (4 + 1 + 0 - 3) / 2 + 1 = 2 rows, (4 + 0 + 0 - 3) / 2 + 1 = 1 column.
func.func @avg_pool_window(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{'nn.avg_pool' op result spatial dimension 1 is 2, expected 1}}
  %y = nn.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 0, 0>,
                       count_include_pad = true} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
