#!/usr/bin/python3
"""Writes small, deterministic dense ONNX models for Loom's tests.

Usage:  /usr/bin/python3 test/models/gen_dense_models.py OUT_DIR

Needs onnx 1.12 + numpy (Debian's /usr/bin/python3; the python3 on PATH may
lack them). For every model NAME it writes OUT_DIR/NAME.onnx; for the models a
dense flow should accept it also writes ONNX test data computed with numpy:
OUT_DIR/NAME/test_data_set_0/{input_0.pb,output_0.pb} (batch 1, float32).
Prints the list of files written. See README.md next to this script.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT
IR_FOR_OPSET = {6: 3, 7: 3, 8: 3, 9: 4, 10: 5, 11: 6, 12: 7, 13: 7, 14: 7,
                15: 8, 16: 8, 17: 8, 18: 8, 19: 9}

written = []


def rng_for(name):
    # Deterministic per model, independent of generation order.
    seed = sum((i + 1) * ord(c) for i, c in enumerate(name)) % (2**31)
    return np.random.RandomState(seed)


def w(rng, *shape):
    return rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def vi(name, shape, elem=FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def save(out_dir, name, nodes, inputs, outputs, inits, opset, doc,
         producer="loom-gen", ir=None, check=True, ref=None, in_shape=None,
         extra_opsets=()):
    ir_version = ir if ir is not None else IR_FOR_OPSET[opset]
    graph_inputs = list(inputs)
    if ir_version < 4:
        # IR 3 requires every initializer to be listed as a graph input too
        # (old exporters: CNTK, OnnxMLTools, keras2onnx did exactly this).
        graph_inputs += [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims))
                         for t in inits]
    graph = helper.make_graph(nodes, name, graph_inputs, outputs, initializer=inits)
    opsets = [helper.make_opsetid("", opset)] + [
        helper.make_opsetid(d, v) for d, v in extra_opsets]
    model = helper.make_model(graph, opset_imports=opsets,
                              producer_name=producer)
    model.doc_string = doc
    # make_model stamps the newest IR version; use what a real exporter of
    # that opset would have written (opset 19 -> IR 9, unknown to onnx 1.12).
    model.ir_version = ir_version
    if check and opset <= 17 and model.ir_version <= 8:
        onnx.checker.check_model(model)
    path = os.path.join(out_dir, name + ".onnx")
    onnx.save(model, path)
    written.append(path)
    if ref is not None:
        rng = rng_for(name + "/data")
        x = rng.uniform(-1.0, 1.0, size=in_shape).astype(np.float32)
        y = ref(x).astype(np.float32)
        d = os.path.join(out_dir, name, "test_data_set_0")
        os.makedirs(d, exist_ok=True)
        for fname, arr, tname in (("input_0.pb", x, inputs[0].name),
                                  ("output_0.pb", y, outputs[0].name)):
            p = os.path.join(d, fname)
            with open(p, "wb") as f:
                f.write(numpy_helper.from_array(arr, tname).SerializeToString())
            written.append(p)


# --- numpy reference helpers ---------------------------------------------------
def relu(x):
    return np.maximum(x, 0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# --- models --------------------------------------------------------------------
def keras_mlp(out):
    """tf2onnx style: MatMul + Add bias, Relu, Softmax, Identity, batch 'N'."""
    name = "keras_mlp_relu_softmax"
    r = rng_for(name)
    W1, B1, W2, B2 = w(r, 16, 32), w(r, 32), w(r, 32, 5), w(r, 5)
    nodes = [
        helper.make_node("MatMul", ["input_1", "dense/kernel:0"], ["dense/MatMul:0"], name="dense/MatMul"),
        helper.make_node("Add", ["dense/MatMul:0", "dense/bias:0"], ["dense/BiasAdd:0"], name="dense/BiasAdd"),
        helper.make_node("Relu", ["dense/BiasAdd:0"], ["dense/Relu:0"], name="dense/Relu"),
        helper.make_node("MatMul", ["dense/Relu:0", "dense_1/kernel:0"], ["dense_1/MatMul:0"], name="dense_1/MatMul"),
        helper.make_node("Add", ["dense_1/MatMul:0", "dense_1/bias:0"], ["dense_1/BiasAdd:0"], name="dense_1/BiasAdd"),
        helper.make_node("Softmax", ["dense_1/BiasAdd:0"], ["dense_1/Softmax:0"], name="dense_1/Softmax", axis=-1),
        helper.make_node("Identity", ["dense_1/Softmax:0"], ["output_0"], name="Identity"),
    ]
    inits = [init("dense/kernel:0", W1), init("dense/bias:0", B1),
             init("dense_1/kernel:0", W2), init("dense_1/bias:0", B2)]
    save(out, name, nodes, [vi("input_1", ["N", 16])], [vi("output_0", ["N", 5])],
         inits, 13, "Keras/tf2onnx MLP 16-32-5, Relu, Softmax, Identity, batch N",
         producer="tf2onnx",
         ref=lambda x: softmax(relu(x @ W1 + B1) @ W2 + B2), in_shape=(1, 16))


def keras_flatten_tanh_sigmoid(out):
    """Keras Flatten as Reshape(-1, 16), Tanh, Sigmoid, batch 'unk__7'."""
    name = "keras_reshape_tanh_sigmoid"
    r = rng_for(name)
    W1, B1, W2, B2 = w(r, 16, 12), w(r, 12), w(r, 12, 3), w(r, 3)
    nodes = [
        helper.make_node("Reshape", ["x", "flatten/Const:0"], ["flatten/Reshape:0"], name="flatten/Reshape"),
        helper.make_node("MatMul", ["flatten/Reshape:0", "W1"], ["mm1"], name="dense/MatMul"),
        helper.make_node("Add", ["mm1", "B1"], ["add1"], name="dense/BiasAdd"),
        helper.make_node("Tanh", ["add1"], ["tanh1"], name="dense/Tanh"),
        helper.make_node("MatMul", ["tanh1", "W2"], ["mm2"], name="dense_1/MatMul"),
        helper.make_node("Add", ["mm2", "B2"], ["add2"], name="dense_1/BiasAdd"),
        helper.make_node("Sigmoid", ["add2"], ["y"], name="dense_1/Sigmoid"),
    ]
    inits = [init("flatten/Const:0", np.array([-1, 16], dtype=np.int64)),
             init("W1", W1), init("B1", B1), init("W2", W2), init("B2", B2)]
    save(out, name, nodes, [vi("x", ["unk__7", 4, 4])], [vi("y", ["unk__7", 3])],
         inits, 11, "Keras Flatten->Reshape(-1,16), Tanh, Sigmoid, batch unk__7",
         producer="tf2onnx",
         ref=lambda x: sigmoid(np.tanh(x.reshape(-1, 16) @ W1 + B1) @ W2 + B2),
         in_shape=(1, 4, 4))


def torch_mlp(out):
    """PyTorch style: Flatten, Gemm transB=1 (alpha=beta=1), Relu, Dropout."""
    name = "torch_mlp_gemm_dropout"
    r = rng_for(name)
    W1, B1, W2, B2 = w(r, 24, 16), w(r, 24), w(r, 10, 24), w(r, 10)
    nodes = [
        helper.make_node("Flatten", ["input"], ["onnx::Gemm_5"], name="/Flatten", axis=1),
        helper.make_node("Gemm", ["onnx::Gemm_5", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"],
                         name="/fc1/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Relu", ["/fc1/Gemm_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"),
        helper.make_node("Dropout", ["/relu/Relu_output_0"], ["/drop/Dropout_output_0"], name="/drop/Dropout"),
        helper.make_node("Gemm", ["/drop/Dropout_output_0", "fc2.weight", "fc2.bias"], ["output"],
                         name="/fc2/Gemm", alpha=1.0, beta=1.0, transB=1),
    ]
    inits = [init("fc1.weight", W1), init("fc1.bias", B1),
             init("fc2.weight", W2), init("fc2.bias", B2)]
    save(out, name, nodes, [vi("input", [1, 1, 4, 4])], [vi("output", [1, 10])],
         inits, 13, "PyTorch MLP: Flatten, Gemm transB=1, Relu, Dropout (inference)",
         producer="pytorch",
         ref=lambda x: relu(x.reshape(1, 16) @ W1.T + B1) @ W2.T + B2,
         in_shape=(1, 1, 4, 4))


def gemm_all_attrs(out):
    """Gemm alpha=0.5 beta=2 transA=1 (on an [8,1] input) transB=1, C [6]."""
    name = "gemm_all_attrs"
    r = rng_for(name)
    B, C = w(r, 6, 8), w(r, 6)
    nodes = [helper.make_node("Gemm", ["a", "B", "C"], ["y"], name="gemm",
                              alpha=0.5, beta=2.0, transA=1, transB=1)]
    save(out, name, nodes, [vi("a", [8, 1])], [vi("y", [1, 6])],
         [init("B", B), init("C", C)], 13,
         "Gemm with every attribute: alpha, beta, transA (1-row), transB, C vector",
         ref=lambda a: 0.5 * (a.T @ B.T) + 2.0 * C, in_shape=(8, 1))


def gemm_scalar_c_no_transb(out):
    """Gemm without transB, C a [1,N] row, default alpha/beta (opset 9)."""
    name = "gemm_row_bias_opset9"
    r = rng_for(name)
    B, C = w(r, 8, 4), w(r, 1, 4)
    nodes = [helper.make_node("Gemm", ["a", "B", "C"], ["y"], name="gemm")]
    save(out, name, nodes, [vi("a", [1, 8])], [vi("y", [1, 4])],
         [init("B", B), init("C", C)], 9, "Gemm B [K,N], C [1,N], opset 9",
         ref=lambda a: a @ B + C, in_shape=(1, 8))


def dense_batchnorm(out):
    """MatMul + Add, BatchNormalization (opset 9 form), Relu."""
    name = "dense_batchnorm_relu"
    r = rng_for(name)
    W1, B1 = w(r, 10, 8), w(r, 8)
    scale, bias, mean = w(r, 8) + 1.0, w(r, 8), w(r, 8)
    var = (r.uniform(0.5, 1.5, size=8)).astype(np.float32)
    eps = 1e-3
    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["mm"], name="fc/MatMul"),
        helper.make_node("Add", ["mm", "B1"], ["fc"], name="fc/Add"),
        helper.make_node("BatchNormalization", ["fc", "bn.scale", "bn.bias", "bn.mean", "bn.var"],
                         ["bn"], name="bn", epsilon=eps, momentum=0.99),
        helper.make_node("Relu", ["bn"], ["y"], name="relu"),
    ]
    inits = [init("W1", W1), init("B1", B1), init("bn.scale", scale),
             init("bn.bias", bias), init("bn.mean", mean), init("bn.var", var)]

    def ref(x):
        h = x @ W1 + B1
        return relu((h - mean) / np.sqrt(var + eps) * scale + bias)
    save(out, name, nodes, [vi("x", ["batch", 10])], [vi("y", ["batch", 8])],
         inits, 9, "BatchNormalization after a dense layer (to fold)",
         ref=ref, in_shape=(1, 10))


def transpose_unit_dims(out):
    """Reshape to [1,16,1,1], Transpose(0,2,3,1) only moves size-1 dims."""
    name = "transpose_unit_dims"
    r = rng_for(name)
    W, B = w(r, 7, 16), w(r, 7)
    nodes = [
        helper.make_node("Reshape", ["x", "shape4"], ["x4"], name="to_nchw"),
        helper.make_node("Transpose", ["x4"], ["x_nhwc"], name="nchw_to_nhwc", perm=[0, 2, 3, 1]),
        helper.make_node("Flatten", ["x_nhwc"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "W", "B"], ["y"], name="fc", transB=1),
    ]
    inits = [init("shape4", np.array([1, 16, 1, 1], dtype=np.int64)),
             init("W", W), init("B", B)]
    save(out, name, nodes, [vi("x", [1, 16])], [vi("y", [1, 7])], inits, 13,
         "Transpose that permutes only size-1 dims (a no-op on data order)",
         ref=lambda x: x @ W.T + B, in_shape=(1, 16))


def constant_nodes(out):
    """Weights as Constant nodes (value tensor + value_ints shape)."""
    name = "constant_node_weights"
    r = rng_for(name)
    W, B = w(r, 6, 4), w(r, 4)
    nodes = [
        helper.make_node("Constant", [], ["W"], name="W_const", value=init("W", W)),
        helper.make_node("Constant", [], ["B"], name="B_const", value=init("B", B)),
        helper.make_node("Constant", [], ["shape"], name="shape_const", value_ints=[1, 6]),
        helper.make_node("Reshape", ["x", "shape"], ["xr"], name="reshape"),
        helper.make_node("MatMul", ["xr", "W"], ["mm"], name="mm"),
        helper.make_node("Add", ["mm", "B"], ["y"], name="add"),
    ]
    save(out, name, nodes, [vi("x", [1, 2, 3])], [vi("y", [1, 4])], [], 13,
         "Weights, bias and reshape target given by Constant nodes",
         ref=lambda x: x.reshape(1, 6) @ W + B, in_shape=(1, 2, 3))


def opset_variety(out):
    """The same 12-8-4 Relu MLP for opsets 6, 9, 11, 13, 17, 18, 19."""
    for opset in (6, 9, 11, 13, 17, 18, 19):
        name = "mlp_opset%d" % opset
        r = rng_for("mlp_opset")  # same weights for every opset
        W1, B1, W2, B2 = w(r, 12, 8), w(r, 8), w(r, 8, 4), w(r, 4)
        extra = {"broadcast": 1} if opset < 7 else {}  # Add-6 needs it
        nodes = [
            helper.make_node("MatMul", ["x", "W1"], ["mm1"], name="fc1_matmul"),
            helper.make_node("Add", ["mm1", "B1"], ["fc1"], name="fc1_bias", **extra),
            helper.make_node("Relu", ["fc1"], ["h"], name="relu1"),
            helper.make_node("MatMul", ["h", "W2"], ["mm2"], name="fc2_matmul"),
            helper.make_node("Add", ["mm2", "B2"], ["y"], name="fc2_bias", **extra),
        ]
        inits = [init("W1", W1), init("B1", B1), init("W2", W2), init("B2", B2)]
        save(out, name, nodes, [vi("x", [1, 12])], [vi("y", [1, 4])], inits,
             opset, "Relu MLP 12-8-4 at opset %d" % opset,
             ref=lambda x, W1=W1, B1=B1, W2=W2, B2=B2: relu(x @ W1 + B1) @ W2 + B2,
             in_shape=(1, 12))


def opset18_reduce_axes_input(out):
    """Opset 18: ReduceMean with axes as a constant input (-> attribute)."""
    name = "opset18_reducemean_axes_input"
    r = rng_for(name)
    W, B = w(r, 8, 3), w(r, 3)
    nodes = [
        helper.make_node("ReduceMean", ["x", "axes"], ["m"], name="mean_over_time", keepdims=0),
        helper.make_node("MatMul", ["m", "W"], ["mm"], name="fc"),
        helper.make_node("Add", ["mm", "B"], ["y"], name="fc_bias"),
    ]
    inits = [init("axes", np.array([1], dtype=np.int64)), init("W", W), init("B", B)]
    save(out, name, nodes, [vi("x", [1, 4, 8])], [vi("y", [1, 3])], inits, 18,
         "opset-18 ReduceMean with axes input (rewritten to the opset-17 attribute)",
         ref=lambda x: x.mean(axis=1) @ W + B, in_shape=(1, 4, 8))


def bad_opset18_split(out):
    name = "bad_opset18_split_num_outputs"
    nodes = [helper.make_node("Split", ["x"], ["a", "b"], name="split2", axis=1, num_outputs=2),
             helper.make_node("Add", ["a", "b"], ["y"], name="add")]
    save(out, name, nodes, [vi("x", [1, 8])], [vi("y", [1, 4])], [], 18,
         "opset-18 Split num_outputs: must be refused by the loader (libonnx 1.12)")


def bad_unsupported_ops(out):
    """Two different ops a dense flow does not support: Cos and Atan."""
    name = "bad_unsupported_cos_atan"
    r = rng_for(name)
    W1, W2 = w(r, 8, 8), w(r, 8, 2)
    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["h"], name="fc1"),
        helper.make_node("Cos", ["h"], ["c"], name="weird_cos"),
        helper.make_node("Atan", ["c"], ["a"], name="weird_atan"),
        helper.make_node("MatMul", ["a", "W2"], ["y"], name="fc2"),
    ]
    save(out, name, nodes, [vi("x", [1, 8])], [vi("y", [1, 2])],
         [init("W1", W1), init("W2", W2)], 13,
         "valid ONNX with two unsupported ops (Cos, Atan) between dense layers")


def bad_lstm(out):
    name = "bad_unsupported_lstm"
    r = rng_for(name)
    H, I, T = 8, 4, 5
    Wl, Rl, Bl, Wd = w(r, 1, 4 * H, I), w(r, 1, 4 * H, H), w(r, 1, 8 * H), w(r, H, 3)
    nodes = [
        helper.make_node("LSTM", ["x", "W", "R", "B"], ["", "Y_h"], name="lstm", hidden_size=H),
        helper.make_node("Reshape", ["Y_h", "shape"], ["h"], name="squeeze"),
        helper.make_node("MatMul", ["h", "Wd"], ["y"], name="fc"),
    ]
    inits = [init("W", Wl), init("R", Rl), init("B", Bl), init("Wd", Wd),
             init("shape", np.array([1, H], dtype=np.int64))]
    save(out, name, nodes, [vi("x", [T, 1, I])], [vi("y", [1, 3])], inits, 13,
         "valid ONNX with an LSTM before a dense layer (unsupported)")


def bad_conv(out):
    name = "bad_conv_in_dense"
    r = rng_for(name)
    Wc, Bc, Wd, Bd = w(r, 2, 1, 3, 3), w(r, 2), w(r, 4, 72), w(r, 4)
    nodes = [
        helper.make_node("Conv", ["x", "Wc", "Bc"], ["c"], name="conv", kernel_shape=[3, 3], pads=[0, 0, 0, 0]),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("Flatten", ["r"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "Wd", "Bd"], ["y"], name="fc", transB=1),
    ]
    inits = [init("Wc", Wc), init("Bc", Bc), init("Wd", Wd), init("Bd", Bd)]
    save(out, name, nodes, [vi("x", [1, 1, 8, 8])], [vi("y", [1, 4])], inits, 13,
         "a Conv (not supported by the dense path)")


def bad_shapes(out):
    name = "bad_matmul_shapes"
    r = rng_for(name)
    nodes = [helper.make_node("MatMul", ["x", "W"], ["y"], name="fc_wrong")]
    save(out, name, nodes, [vi("x", [1, 8])], [vi("y", [1, 4])],
         [init("W", w(r, 7, 4))], 13, "MatMul with incompatible shapes [1,8]x[7,4]",
         check=False)


# --- loader edge cases (for compiler/onnx unit tests) ------------------------------
def relu_graph(out, name, opset, doc, inits=(), ir=None, nodes=None, outputs=None,
               check=True, extra_opsets=()):
    nodes = nodes or [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    outputs = outputs or [vi("y", [1, 4])]
    save(out, name, nodes, [vi("x", [1, 4])], outputs, list(inits), opset, doc,
         ir=ir, check=check, extra_opsets=extra_opsets)


def edge_cases(out):
    relu_graph(out, "edge_opset5", 5, "opset 5: too old, must be refused", ir=3)
    relu_graph(out, "edge_opset20", 20, "opset 20: newer than Loom accepts", ir=9,
               check=False)
    # Initializers of every supported type, raw_data and typed-field encodings.
    dt = []
    dt.append(init("f32_raw", np.array([[1.5, -2.25, 3.0]], dtype=np.float32)))
    dt.append(helper.make_tensor("f32_typed", FLOAT, [2], [0.5, -0.125]))
    dt.append(init("f64_raw", np.array([1e-3, -7.0], dtype=np.float64)))
    dt.append(init("f16_raw", np.array([1.0, -0.5, 65504.0], dtype=np.float16)))
    # onnx 1.12's make_tensor stores FLOAT16 values as bit patterns in int32_data
    dt.append(helper.make_tensor("f16_typed", TensorProto.FLOAT16, [2], [2.0, -3.0]))
    dt.append(init("i8_raw", np.array([-128, 0, 127], dtype=np.int8)))
    dt.append(helper.make_tensor("i8_typed", TensorProto.INT8, [3], [-5, 6, -7]))
    dt.append(init("u8_raw", np.array([0, 200, 255], dtype=np.uint8)))
    dt.append(init("i16_raw", np.array([-30000, 42], dtype=np.int16)))
    dt.append(init("i32_raw", np.array([-70000, 7], dtype=np.int32)))
    dt.append(helper.make_tensor("i32_typed", TensorProto.INT32, [2], [-1, 123456]))
    dt.append(init("i64_raw", np.array([np.iinfo(np.int64).max, -3], dtype=np.int64)))
    dt.append(helper.make_tensor("i64_typed", TensorProto.INT64, [2], [9, -9]))
    dt.append(init("bool_raw", np.array([True, False, True])))
    dt.append(helper.make_tensor("bool_typed", TensorProto.BOOL, [2], [0, 1]))
    dt.append(init("scalar", np.array(4.0, dtype=np.float32)))
    dt.append(init("empty", np.zeros((0, 3), dtype=np.float32)))
    relu_graph(out, "edge_initializer_types", 13,
               "unused initializers of every supported type/encoding", inits=dt)
    # External data: the loader must refuse with a clear message.
    ext = TensorProto()
    ext.name, ext.data_type = "W_ext", FLOAT
    ext.dims.extend([4])
    ext.data_location = TensorProto.EXTERNAL
    e = ext.external_data.add()
    e.key, e.value = "location", "weights.bin"
    relu_graph(out, "edge_external_data", 13, "initializer with external data",
               inits=[ext], check=False)
    # Anonymous nodes, output without a shape (libonnx 1.12 checker dislikes it).
    relu_graph(out, "edge_unnamed_shapeless_output", 13,
               "nodes without names; graph output without shape",
               nodes=[helper.make_node("Relu", ["x"], ["h"]),
                      helper.make_node("Sigmoid", ["h"], ["y"])],
               outputs=[vi("y", None)], check=False)
    # Custom-domain op (QONNX style) between standard ops.
    relu_graph(out, "edge_custom_domain", 13, "a custom-domain op",
               nodes=[helper.make_node("Relu", ["x"], ["h"], name="relu"),
                      helper.make_node("MyOp", ["h"], ["y"], name="custom",
                                       domain="com.example", alpha=3)],
               extra_opsets=[("com.example", 1)])
    # QONNX ops as exporters write them (test/e2e/test_exporter_quirks.py runs
    # them end to end): Quant without a domain (older Brevitas), and a QONNX
    # domain without an opset import.
    qinits = [init("s", np.array(0.25, dtype=np.float32)), init("z", np.array(0.0, dtype=np.float32)),
              init("bits", np.array(4.0, dtype=np.float32))]
    relu_graph(out, "edge_quant_no_domain", 13, "QONNX Quant in the default domain",
               nodes=[helper.make_node("Quant", ["x", "s", "z", "bits"], ["y"], name="quant",
                                       signed=1, narrow=0, rounding_mode="ROUND")],
               inits=qinits, check=False)
    relu_graph(out, "edge_qonnx_no_import", 13, "QONNX domain without an opset import",
               nodes=[helper.make_node("Quant", ["x", "s", "z", "bits"], ["y"], name="quant",
                                       domain="qonnx.custom_op.general", signed=1, narrow=0,
                                       rounding_mode="ROUND")],
               inits=qinits, check=False)
    # Ops added after opset 17.
    relu_graph(out, "edge_opset18_mish", 18, "Mish (added in opset 18): refused",
               nodes=[helper.make_node("Mish", ["x"], ["y"], name="mish")],
               check=False)
    # Opset-18 forms that must be refused: computed Reduce axes, Pad axes.
    save(out, "edge_opset18_reduce_computed_axes",
         [helper.make_node("ReduceMax", ["x", "ax"], ["y"], name="rmax", keepdims=1)],
         [vi("x", [1, 4]), vi("ax", [1], TensorProto.INT64)], [vi("y", [1, 1])], [], 18,
         "opset-18 ReduceMax whose axes is a graph input: refused", check=False)
    relu_graph(out, "edge_opset18_pad_axes", 18, "opset-18 Pad with axes input: refused",
               nodes=[helper.make_node("Pad", ["x", "pads", "", "axes"], ["y"], name="pad")],
               inits=[init("pads", np.array([0, 0], dtype=np.int64)),
                      init("axes", np.array([1], dtype=np.int64))], check=False)
    # Unknown op in the default domain: checker error naming the node.
    relu_graph(out, "edge_unknown_op", 13, "op FooBar does not exist",
               nodes=[helper.make_node("FooBar", ["x"], ["y"], name="foo")],
               check=False)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for gen in (keras_mlp, keras_flatten_tanh_sigmoid, torch_mlp, gemm_all_attrs,
                gemm_scalar_c_no_transb, dense_batchnorm, transpose_unit_dims,
                constant_nodes, opset_variety, opset18_reduce_axes_input,
                bad_opset18_split, bad_unsupported_ops, bad_lstm, bad_conv,
                bad_shapes, edge_cases):
        gen(out)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
