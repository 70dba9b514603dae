#!/usr/bin/env python3
"""Batch-1 dense-path cases in the ONNX node-test layout, for loom-conformance.

Debian's ONNX node tests nearly all use a batch > 1 (which the importer pins
to 1, so they SKIP). These one-frame cases exercise what the dense path does
accept. Expected outputs are computed here with numpy, following the ONNX
operator definitions. Usage: gen_dense_cases.py OUTDIR (needs onnx + numpy).

The bug_* cases encode former importer bugs; the importer now rejects them
(SKIP), and any of them FAILing again fails the ctest.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

OUT = sys.argv[1]
rng = np.random.RandomState(0)


def f32(*shape):
    return rng.randn(*shape).astype(np.float32)


def vi(name, shape):
    return h.make_tensor_value_info(name, T.FLOAT, shape)


def save(name, nodes, opset, x, y, inits=(), yshape=None):
    d = os.path.join(OUT, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    g = h.make_graph(nodes, name, [vi("x", list(x.shape))],
                     [vi("y", list(yshape or y.shape))],
                     initializer=[nh.from_array(np.asarray(v), n) for n, v in inits])
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)])
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(d, "model.onnx"))
    onnx.save_tensor(nh.from_array(x, "x"), os.path.join(d, "test_data_set_0", "input_0.pb"))
    onnx.save_tensor(nh.from_array(np.asarray(y, np.float32), "y"),
                     os.path.join(d, "test_data_set_0", "output_0.pb"))


def softmax(v, axis=-1):
    e = np.exp(v - v.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


x = f32(1, 10)
W = f32(10, 4)
Wt = f32(4, 10)
C = f32(4)

# --- expected to PASS ---------------------------------------------------------
save("dense_gemm_transb_alpha_beta",
     [h.make_node("Gemm", ["x", "W", "C"], ["y"], transB=1, alpha=0.5, beta=2.0)], 13,
     x, 0.5 * x @ Wt.T + 2 * C, [("W", Wt), ("C", C)])
save("dense_gemm_scalar_bias", [h.make_node("Gemm", ["x", "W", "C"], ["y"])], 13,
     x, x @ W + np.float32(0.25), [("W", W), ("C", np.array([0.25], np.float32))])
save("dense_matmul_add_fold",
     [h.make_node("MatMul", ["x", "W"], ["z"]), h.make_node("Add", ["z", "C"], ["y"])], 13,
     x, x @ W + C, [("W", W), ("C", C)])
mean, var = f32(4) * 0.1, np.abs(f32(4)) + 0.5
scale, bias = f32(4), f32(4)
save("dense_gemm_bn_fold",
     [h.make_node("Gemm", ["x", "W"], ["z"]),
      h.make_node("BatchNormalization", ["z", "s", "b", "m", "v"], ["y"], epsilon=1e-3)], 15,
     x, (x @ W - mean) / np.sqrt(var + 1e-3) * scale + bias,
     [("W", W), ("s", scale), ("b", bias), ("m", mean), ("v", var)])
W2, W3 = f32(4, 6), f32(6, 3)
save("dense_mlp_relu_sigmoid_tanh_softmax",
     [h.make_node("Gemm", ["x", "W1", "B1"], ["a"]), h.make_node("Relu", ["a"], ["b"]),
      h.make_node("Gemm", ["b", "W2"], ["c"]), h.make_node("Sigmoid", ["c"], ["d"]),
      h.make_node("MatMul", ["d", "W3"], ["e"]), h.make_node("Tanh", ["e"], ["f"]),
      h.make_node("Softmax", ["f"], ["y"])], 13,
     x, softmax(np.tanh(sigmoid(np.maximum(x @ W + C, 0) @ W2) @ W3)),
     [("W1", W), ("B1", C), ("W2", W2), ("W3", W3)])
x4 = f32(1, 2, 3, 2)
W12 = f32(12, 3)
save("dense_flatten_then_gemm",
     [h.make_node("Flatten", ["x"], ["z"]), h.make_node("Gemm", ["z", "W"], ["y"])], 13,
     x4, x4.reshape(1, 12) @ W12, [("W", W12)])
save("dense_reshape_unsqueeze_squeeze",
     [h.make_node("Reshape", ["x", "shape"], ["a"]),
      h.make_node("Unsqueeze", ["a", "ax"], ["b"]),
      h.make_node("Squeeze", ["b", "ax"], ["y"])], 13,
     x4, x4.reshape(1, 6, 2), [("shape", np.array([1, -1, 2], np.int64)),
                              ("ax", np.array([2], np.int64))])
save("dense_identity_dropout_inference",
     [h.make_node("Identity", ["x"], ["a"]), h.make_node("Dropout", ["a"], ["b"]),
      h.make_node("Relu", ["b"], ["y"])], 13, x, np.maximum(x, 0))
save("dense_transpose_unit_dims", [h.make_node("Transpose", ["x"], ["y"], perm=[1, 0])], 13,
     x, x.T)
save("dense_softmax_opset11_axis0", [h.make_node("Softmax", ["x"], ["y"], axis=0)], 11,
     x, softmax(x.reshape(1, -1)))
save("dense_tanh_sigmoid_extremes",
     [h.make_node("Tanh", ["x"], ["a"]), h.make_node("Sigmoid", ["a"], ["y"])], 13,
     np.array([[-100, -10, -1, 0, 1, 10, 100]], np.float32),
     sigmoid(np.tanh(np.array([[-100, -10, -1, 0, 1, 10, 100]], np.float32))))

# Add is commutative: Add(const, x) imports like Add(x, const) (and folds).
save("dense_add_const_first",
     [h.make_node("MatMul", ["x", "W"], ["z"]), h.make_node("Add", ["C", "z"], ["y"])], 13,
     x, x @ W + C, [("W", W), ("C", C)])
# Dropout with a constant training_mode = false is the identity.
save("dense_dropout_training_false",
     [h.make_node("Dropout", ["x", "r", "t"], ["a"]), h.make_node("Relu", ["a"], ["y"])], 13,
     x, np.maximum(x, 0), [("r", np.array(0.5, np.float32)), ("t", np.array(False))])
# Gemm with transA = 1 reads a [K, 1] input: dimension 0 is K, not a batch.
save("dense_gemm_transa", [h.make_node("Gemm", ["x", "W"], ["y"], transA=1)], 13,
     x.T.copy(), x @ W, [("W", W)])

# --- formerly known importer bugs: the importer now rejects these with a
# one-line node error (SKIP); before, it imported them and computed wrong
# values (FAIL). They must never FAIL again.
# Softmax over a size-1 axis is 1.0 everywhere; the importer emitted a softmax
# over the last axis instead.
save("bug_softmax_unit_axis", [h.make_node("Softmax", ["x"], ["y"], axis=0)], 13,
     x, np.ones_like(x))
# Add whose constant broadcasts the activation to a larger shape: the importer
# gave the nn.add the activation's type.
Cb = f32(3, 10)
save("bug_add_broadcast_expands", [h.make_node("Add", ["x", "c"], ["y"])], 13,
     x, x + Cb, [("c", Cb)])
# ... which nn-normalize then folded into the dense bias as if it were [N].
Cc = f32(4, 1)
save("bug_gemm_add_column_constant",
     [h.make_node("Gemm", ["x", "W"], ["z"]), h.make_node("Add", ["z", "c"], ["y"])], 13,
     x, x @ W + Cc, [("W", W), ("c", Cc)])
# Dropout with training_mode = true was imported as Identity.
xs = np.abs(x) + 1
mask = np.random.RandomState(1).rand(1, 10) >= 0.5
save("bug_dropout_training_mode",
     [h.make_node("Dropout", ["x", "r", "t"], ["y"], seed=1)], 13,
     xs, xs * mask / 0.5, [("r", np.array(0.5, np.float32)), ("t", np.array(True))])
