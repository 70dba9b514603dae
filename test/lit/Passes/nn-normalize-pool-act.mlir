// RUN: loom-opt %s --nn-normalize --split-input-file | FileCheck %s

// act(max_pool(x)) -> max_pool(act(x)) for Relu, Clip and LeakyRelu / PRelu with
// every slope >= 0 (monotone non-decreasing: the max commutes with them), when
// x comes from a conv / dense whose only user is the pool: the activation can
// then ride in that layer (PyTorch LeNet's relu(max_pool2d(conv(x)))).
// CHECK-LABEL: func.func @lenet
// CHECK-NEXT:    %[[C:.*]] = nn.conv %arg0
// CHECK-NEXT:    %[[R:.*]] = nn.relu %[[C]] {onnx.node = "relu"} : tensor<1x2x4x4xf32>
// CHECK-NEXT:    %[[P:.*]] = nn.max_pool %[[R]] {{.*}}onnx.node = "pool"{{.*}} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT:    %[[C2:.*]] = nn.conv %[[P]]
// CHECK-NEXT:    %[[L:.*]] = nn.leaky_relu %[[C2]] {alpha = 0.000000e+00 : f64, alphas = array<f64: 0.000000e+00, 2.500000e-01>{{.*}}} : tensor<1x2x2x2xf32>
// CHECK-NEXT:    %[[P2:.*]] = nn.max_pool %[[L]]
// CHECK-NEXT:    return %[[P2]]
func.func @lenet(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x1x1xf32> {
  %c = nn.conv %x {weight = dense<1.0> : tensor<2x1x1x1xf32>, bias = dense<0.0> : tensor<2xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                   group = 1 : i64} : tensor<1x1x4x4xf32> -> tensor<1x2x4x4xf32>
  %p = nn.max_pool %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
                       pads = array<i64: 0, 0, 0, 0>, onnx.node = "pool"} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %r = nn.relu %p {onnx.node = "relu"} : tensor<1x2x2x2xf32>
  %c2 = nn.conv %r {weight = dense<1.0> : tensor<2x2x1x1xf32>, bias = dense<0.0> : tensor<2xf32>,
                    strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                    group = 1 : i64} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
  %p2 = nn.max_pool %c2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
                         pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x2x2xf32> -> tensor<1x2x1x1xf32>
  %l = nn.leaky_relu %p2 {alpha = 0.0 : f64, alphas = array<f64: 0.0, 0.25>} : tensor<1x2x1x1xf32>
  return %l : tensor<1x2x1x1xf32>
}

// -----

// Not hoisted: a negative slope (not monotone), and a pool whose producer has
// another user (the activation stays after the pool; nn-to-df gives it its
// own actor).
// CHECK-LABEL: func.func @kept
// CHECK:         %[[P:.*]] = nn.max_pool %{{.*}} -> tensor<1x2x2x2xf32>
// CHECK-NEXT:    nn.leaky_relu %[[P]] {alpha = -1.000000e-01 : f64}
// CHECK:         %[[P2:.*]] = nn.max_pool %{{.*}} -> tensor<1x2x2x2xf32>
// CHECK-NEXT:    nn.relu %[[P2]]
func.func @kept(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>) {
  %c = nn.conv %x {weight = dense<1.0> : tensor<2x1x1x1xf32>, bias = dense<0.0> : tensor<2xf32>,
                   strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                   group = 1 : i64} : tensor<1x1x4x4xf32> -> tensor<1x2x4x4xf32>
  %p = nn.max_pool %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
                       pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %l = nn.leaky_relu %p {alpha = -0.1 : f64} : tensor<1x2x2x2xf32>
  %c2 = nn.conv %x {weight = dense<2.0> : tensor<2x1x1x1xf32>, bias = dense<0.0> : tensor<2xf32>,
                    strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                    group = 1 : i64} : tensor<1x1x4x4xf32> -> tensor<1x2x4x4xf32>
  %p2 = nn.max_pool %c2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
                         pads = array<i64: 0, 0, 0, 0>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %r = nn.relu %p2 : tensor<1x2x2x2xf32>
  return %l, %r, %c2 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>
}
