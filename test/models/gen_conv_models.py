#!/usr/bin/python3
"""Writes small, deterministic convolutional ONNX models for Loom's tests.

Usage:  /usr/bin/python3 test/models/gen_conv_models.py OUT_DIR

Needs onnx 1.12 + numpy (Debian's /usr/bin/python3; the python3 on PATH may
lack them). For every model NAME it writes OUT_DIR/NAME.onnx and ONNX test
data computed by an independent numpy float64 forward pass (written here, not
derived from the ONNX graph): OUT_DIR/NAME/test_data_set_0/{input_0.pb,
output_0.pb} (batch 1, float32, input uniform in [-1, 1)). Prints the files
written. Every model is deterministic (per-model seed from its name); weights
are uniform in [-0.5, 0.5) scaled by 1/sqrt(fan_in).

Models (all should be accepted by the conv flow):

  torch_cnn            PyTorch style, NCHW [1,3,8,8]: Conv3x3 pad1 (3->6) -> Relu
                       -> MaxPool2 -> Conv3x3 stride2 pad1 (6->8) -> Relu -> Flatten
                       -> Gemm(transB=1) 32->5 -> Softmax.  opset 13
  keras_cnn            tf2onnx style, NHWC [N,8,8,3]: Transpose(0,3,1,2) -> Conv3x3
                       auto_pad SAME_UPPER (3->4) -> Relu -> AveragePool2 ->
                       Transpose(0,2,3,1) -> Reshape[-1,64] -> MatMul+Add 64->5 ->
                       Softmax.  opset 13
  conv_bn_relu         [1,3,8,8]: Conv3x3 pad1 no bias (3->8) -> BatchNormalization
                       -> Relu -> GlobalAveragePool -> Flatten -> Gemm 8->4.  opset 15
  residual             [1,3,8,8]: Conv3x3 (3->8) -> Relu -> [Conv3x3 -> Relu ->
                       Conv3x3] + skip (Add of two activations) -> Relu ->
                       GlobalAveragePool -> Flatten -> Gemm 8->4.  opset 13
  depthwise_separable  [1,4,8,8]: Conv group=4 depthwise 3x3 pad1 -> Relu -> Conv1x1
                       (4->8) -> Relu -> GlobalMaxPool -> Flatten -> Gemm 8->4.  opset 13
  conv1d               KWS-like [1,4,16]: Conv1d k3 dilation2 (4->8) -> Relu ->
                       MaxPool1d k2 s2 -> Flatten -> Gemm 48->5.  opset 11
  pads_strides         [1,3,8,8]: Pad (constant 0, H/W only, pads t1 l2 b1 r0) ->
                       Conv3x3 stride2 pads (t0 l1 b1 r0) (3->6) -> Relu ->
                       AveragePool k3 s2 pads1 count_include_pad=0 -> Flatten ->
                       Gemm 54->4.  opset 13
  concat               [1,3,8,8]: Conv3x3 pad1 (3->4) and Conv1x1 (3->4) of the same
                       input -> Concat(axis=1) -> Relu -> GlobalAveragePool ->
                       Flatten -> Gemm 8->4.  opset 13
  grouped_conv         ResNeXt style [1,4,6,6]: Conv3x3 pad1 group=2 (4->6) -> Relu ->
                       Conv1x1 group=3 (6->3) -> Relu -> GlobalAveragePool -> Flatten
                       -> Gemm 3->2.  opset 13
  avgpool_include_pad  [1,1,10,10]: AveragePool k3 s1 pad1 count_include_pad=1 ->
                       Conv3x3 stride2 (1->4) -> Flatten -> Gemm 64->4.  opset 17
  prelu_cnn            PyTorch nn.PReLU(C) style per-channel slopes, [1,3,8,8]: Conv3x3
                       pad1 (3->6) -> PRelu [6,1,1] -> MaxPool2 -> depthwise Conv3x3
                       pad1 -> PRelu [6,4,4] (Keras style: per element, equal over H, W)
                       -> Conv3x3 stride2 pad1 (6->8) -> Relu -> Flatten -> Gemm 32->6
                       -> PRelu [6] -> Gemm 6->4.  Slopes in [-1.5, 2.5).  opset 13
  lenet_pool_relu      PyTorch LeNet relu(max_pool2d(conv(x))), [1,1,12,12]: Conv5x5
                       (1->4) -> MaxPool2 -> Relu -> Conv3x3 (4->6) -> MaxPool2 ->
                       LeakyRelu(0.1) -> Flatten -> Gemm 6->3.  opset 13
  act_after_join       activations no layer absorbs, [1,3,8,8]: s = Conv3x3 pad1 (3->8)
                       with two users: Relu(s) -> Conv3x3 -> Relu -> Conv3x3, Add with s
                       -> LeakyRelu(0.2) -> j; Concat(j, Conv1x1(j) 8->4) -> PRelu
                       [12,1,1] -> GlobalAveragePool -> Clip(-0.05, 0.1) -> Flatten ->
                       Gemm 12->4.  opset 13
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT
IR_FOR_OPSET = {11: 6, 13: 7, 15: 8, 17: 8}

written = []

# Names of the models written (in order); the e2e test reads this list.
MODELS = ["torch_cnn", "keras_cnn", "conv_bn_relu", "residual", "depthwise_separable",
          "conv1d", "pads_strides", "concat", "avgpool_include_pad", "grouped_conv",
          "prelu_cnn", "lenet_pool_relu", "act_after_join", "inception3", "conv1d_bn",
          "input_norm", "se_block"]


def rng_for(name):
    # Deterministic per model, independent of generation order.
    seed = sum((i + 1) * ord(c) for i, c in enumerate(name)) % (2**31)
    return np.random.RandomState(seed)


def w(rng, *shape, fan_in=None):
    """Uniform in [-0.5, 0.5) scaled by 1/sqrt(fan_in) (default: prod(shape[1:]))."""
    if fan_in is None:
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    return (rng.uniform(-0.5, 0.5, size=shape) / np.sqrt(fan_in)).astype(np.float32)


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def vi(name, shape, elem=FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def save(out_dir, name, nodes, inputs, outputs, inits, opset, doc, ref, in_shape,
         producer="loom-gen"):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name=producer)
    model.doc_string = doc
    model.ir_version = IR_FOR_OPSET[opset]
    onnx.checker.check_model(model)
    # Shape inference must agree with the declared output shape.
    inferred = onnx.shape_inference.infer_shapes(model)
    onnx.checker.check_model(inferred)
    path = os.path.join(out_dir, name + ".onnx")
    onnx.save(model, path)
    written.append(path)
    rng = rng_for(name + "/data")
    x = rng.uniform(-1.0, 1.0, size=in_shape).astype(np.float32)
    y = np.asarray(ref(x.astype(np.float64)))
    y_graph = eval_graph(model, x.astype(np.float64))
    assert y_graph.shape == y.shape and np.abs(y_graph - y).max() < 1e-9, \
        "%s: hand-written reference and graph evaluation differ (%s)" % (
            name, np.abs(y_graph - y).max() if y_graph.shape == y.shape else y_graph.shape)
    declared = [d.dim_value for d in outputs[0].type.tensor_type.shape.dim]
    assert all(dv in (0, yv) for dv, yv in zip(declared, y.shape)) and len(declared) == y.ndim, \
        "%s: reference output shape %s vs declared %s" % (name, y.shape, declared)
    y = y.astype(np.float32)
    d = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(d, exist_ok=True)
    for fname, arr, tname in (("input_0.pb", x, inputs[0].name),
                              ("output_0.pb", y, outputs[0].name)):
        p = os.path.join(d, fname)
        with open(p, "wb") as f:
            f.write(numpy_helper.from_array(arr, tname).SerializeToString())
        written.append(p)


# --- independent numpy float64 reference --------------------------------------------
def relu(x):
    return np.maximum(x, 0)


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def conv2d(x, wt, b=None, stride=(1, 1), pads=(0, 0, 0, 0), dil=(1, 1), group=1):
    """x [N,C,H,W], wt [M,C/group,kh,kw]; pads (top, left, bottom, right)."""
    x = np.asarray(x, np.float64)
    wt = np.asarray(wt, np.float64)
    n, c, h, wd = x.shape
    m, cpg, kh, kw = wt.shape
    assert cpg * group == c and m % group == 0
    mpg = m // group
    t, l, bo, r = pads
    xp = np.pad(x, ((0, 0), (0, 0), (t, bo), (l, r)))
    ho = (h + t + bo - dil[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (wd + l + r - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, m, ho, wo))
    for g in range(group):
        xs = xp[:, g * cpg:(g + 1) * cpg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dil[0]: i * dil[0] + stride[0] * (ho - 1) + 1: stride[0],
                           j * dil[1]: j * dil[1] + stride[1] * (wo - 1) + 1: stride[1]]
                out[:, g * mpg:(g + 1) * mpg] += np.einsum("nchw,mc->nmhw", patch,
                                                           wt[g * mpg:(g + 1) * mpg, :, i, j])
    if b is not None:
        out += np.asarray(b, np.float64)[None, :, None, None]
    return out


def pool2d(x, k, stride, pads=(0, 0, 0, 0), mode="max", count_include_pad=0):
    n, c, h, wd = x.shape
    t, l, bo, r = pads
    ho = (h + t + bo - k[0]) // stride[0] + 1
    wo = (wd + l + r - k[1]) // stride[1] + 1
    fill = -np.inf if mode == "max" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (t, bo), (l, r)), constant_values=fill)
    valid = np.pad(np.ones((h, wd)), ((t, bo), (l, r)))
    out = np.zeros((n, c, ho, wo))
    for oh in range(ho):
        for ow in range(wo):
            win = xp[:, :, oh * stride[0]: oh * stride[0] + k[0], ow * stride[1]: ow * stride[1] + k[1]]
            if mode == "max":
                out[:, :, oh, ow] = win.max(axis=(2, 3))
            else:
                cnt = k[0] * k[1] if count_include_pad else \
                    valid[oh * stride[0]: oh * stride[0] + k[0], ow * stride[1]: ow * stride[1] + k[1]].sum()
                out[:, :, oh, ow] = win.sum(axis=(2, 3)) / cnt
    return out


def same_upper(size, k, s, d=1):
    """(begin, end) padding of auto_pad SAME_UPPER."""
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def flatten(x):
    return x.reshape(x.shape[0], -1)


def gap(x):
    return x.mean(axis=(2, 3), keepdims=True)


def eval_graph(model, x):
    """Evaluates the ONNX graph node by node with the kernels above (float64).

    A cross-check of each model's hand-written forward pass: a slip between
    the graph's attributes and the reference fails generation."""
    g = model.graph
    env = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    env = {k: (v.astype(np.float64) if v.dtype.kind == "f" else v) for k, v in env.items()}
    env[g.input[0].name] = x

    def at(n, name, default=None):
        for a in n.attribute:
            if a.name == name:
                v = helper.get_attribute_value(a)
                return v.decode() if isinstance(v, bytes) else v
        return default

    def spatial(n, xs, k):
        """(stride, pads (t, l, b, r), dil) as 2-D, from attributes/auto_pad."""
        d = len(k)
        st = list(at(n, "strides", [1] * d))
        dl = list(at(n, "dilations", [1] * d))
        ap = at(n, "auto_pad", "NOTSET")
        if ap in ("SAME_UPPER", "SAME_LOWER"):
            pp = [same_upper(xs[i], k[i], st[i], dl[i]) for i in range(d)]
            if ap == "SAME_LOWER":
                pp = [(e, b) for b, e in pp]
            pads = [p[0] for p in pp] + [p[1] for p in pp]
        elif ap == "VALID":
            pads = [0] * (2 * d)
        else:
            pads = list(at(n, "pads", [0] * (2 * d)))
        if d == 1:
            return (1, st[0]), (0, pads[0], 0, pads[1]), (1, dl[0])
        return tuple(st), (pads[0], pads[1], pads[2], pads[3]), tuple(dl)

    def as2d(a):
        return a[:, :, None, :] if a.ndim == 3 else a

    def back(a, nd):
        return a[:, :, 0, :] if nd == 3 else a

    for n in g.node:
        i = [env[name] if name else None for name in n.input]
        op = n.op_type
        if op == "Conv":
            k = list(i[1].shape[2:])
            st, pads, dl = spatial(n, i[0].shape[2:], k)
            r = back(conv2d(as2d(i[0]), as2d(i[1]), i[2] if len(i) > 2 else None, st, pads, dl,
                            at(n, "group", 1)), i[0].ndim)
        elif op in ("MaxPool", "AveragePool"):
            k = list(at(n, "kernel_shape"))
            st, pads, _ = spatial(n, i[0].shape[2:], k)
            k2 = (1, k[0]) if len(k) == 1 else tuple(k)
            r = back(pool2d(as2d(i[0]), k2, st, pads, "max" if op == "MaxPool" else "avg",
                            at(n, "count_include_pad", 0)), i[0].ndim)
        elif op == "GlobalAveragePool":
            r = i[0].mean(axis=tuple(range(2, i[0].ndim)), keepdims=True)
        elif op == "GlobalMaxPool":
            r = i[0].max(axis=tuple(range(2, i[0].ndim)), keepdims=True)
        elif op == "BatchNormalization":
            sh = (1, -1) + (1,) * (i[0].ndim - 2)
            r = (i[0] - i[3].reshape(sh)) / np.sqrt(i[4].reshape(sh) + at(n, "epsilon", 1e-5)) \
                * i[1].reshape(sh) + i[2].reshape(sh)
        elif op == "Pad":
            pp = [int(v) for v in i[1]]
            d = len(pp) // 2
            cv = float(i[2]) if len(i) > 2 and i[2] is not None else 0.0
            r = np.pad(i[0], [(pp[a], pp[a + d]) for a in range(d)], constant_values=cv)
        elif op == "Relu":
            r = relu(i[0])
        elif op == "PRelu":  # slope broadcast to x (unidirectional)
            r = np.where(i[0] < 0, i[0] * i[1], i[0])
        elif op == "LeakyRelu":
            r = np.where(i[0] < 0, i[0] * at(n, "alpha", 0.01), i[0])
        elif op == "Clip":
            r = np.clip(i[0], float(i[1]), float(i[2]))
        elif op == "Add":
            r = i[0] + i[1]
        elif op == "Sub":
            r = i[0] - i[1]
        elif op == "Mul":
            r = i[0] * i[1]
        elif op == "Div":
            r = i[0] / i[1]
        elif op == "Sigmoid":
            r = sigmoid(i[0])
        elif op == "Concat":
            r = np.concatenate(i, axis=at(n, "axis"))
        elif op == "Transpose":
            r = np.transpose(i[0], at(n, "perm"))
        elif op == "Reshape":
            r = i[0].reshape([int(v) for v in i[1]])
        elif op == "Flatten":
            r = flatten(i[0])
        elif op == "Gemm":
            b = i[1].T if at(n, "transB", 0) else i[1]
            r = i[0] @ b + i[2]
        elif op == "MatMul":
            r = i[0] @ i[1]
        elif op == "Softmax":
            r = softmax(i[0], axis=at(n, "axis", -1))
        else:
            raise NotImplementedError(op)
        env[n.output[0]] = r
    return env[g.output[0].name]


# --- models --------------------------------------------------------------------------
def torch_cnn(out):
    name = "torch_cnn"
    r = rng_for(name)
    W1, B1 = w(r, 6, 3, 3, 3), w(r, 6, fan_in=27)
    W2, B2 = w(r, 8, 6, 3, 3), w(r, 8, fan_in=54)
    W3, B3 = w(r, 5, 32), w(r, 5, fan_in=32)
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["/conv1/Conv_output_0"],
                         name="/conv1/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1],
                         dilations=[1, 1], group=1),
        helper.make_node("Relu", ["/conv1/Conv_output_0"], ["/relu1/Relu_output_0"], name="/relu1/Relu"),
        helper.make_node("MaxPool", ["/relu1/Relu_output_0"], ["/pool/MaxPool_output_0"], name="/pool/MaxPool",
                         kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0], ceil_mode=0),
        helper.make_node("Conv", ["/pool/MaxPool_output_0", "conv2.weight", "conv2.bias"],
                         ["/conv2/Conv_output_0"], name="/conv2/Conv", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], strides=[2, 2], dilations=[1, 1], group=1),
        helper.make_node("Relu", ["/conv2/Conv_output_0"], ["/relu2/Relu_output_0"], name="/relu2/Relu"),
        helper.make_node("Flatten", ["/relu2/Relu_output_0"], ["/Flatten_output_0"], name="/Flatten", axis=1),
        helper.make_node("Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], ["/fc/Gemm_output_0"],
                         name="/fc/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Softmax", ["/fc/Gemm_output_0"], ["output"], name="/Softmax", axis=1),
    ]
    inits = [init("conv1.weight", W1), init("conv1.bias", B1), init("conv2.weight", W2),
             init("conv2.bias", B2), init("fc.weight", W3), init("fc.bias", B3)]

    def ref(x):
        a = relu(conv2d(x, W1, B1, pads=(1, 1, 1, 1)))
        a = pool2d(a, (2, 2), (2, 2))
        a = relu(conv2d(a, W2, B2, stride=(2, 2), pads=(1, 1, 1, 1)))
        return softmax(flatten(a) @ W3.T.astype(np.float64) + B3, axis=1)
    save(out, name, nodes, [vi("input", [1, 3, 8, 8])], [vi("output", [1, 5])], inits, 13,
         "PyTorch-style CNN: conv-relu-maxpool-conv(stride2)-relu-flatten-gemm-softmax",
         ref, (1, 3, 8, 8), producer="pytorch")


def keras_cnn(out):
    name = "keras_cnn"
    r = rng_for(name)
    W1, B1 = w(r, 4, 3, 3, 3), w(r, 4, fan_in=27)
    W2, B2 = w(r, 64, 5, fan_in=64), w(r, 5, fan_in=64)
    nodes = [
        helper.make_node("Transpose", ["input_1"], ["model/conv2d/Conv2D__6:0"],
                         name="model/conv2d/Conv2D__6", perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["model/conv2d/Conv2D__6:0", "model/conv2d/Conv2D/ReadVariableOp:0",
                                  "model/conv2d/BiasAdd/ReadVariableOp:0"],
                         ["model/conv2d/BiasAdd:0"], name="model/conv2d/BiasAdd",
                         kernel_shape=[3, 3], strides=[1, 1], dilations=[1, 1], auto_pad="SAME_UPPER"),
        helper.make_node("Relu", ["model/conv2d/BiasAdd:0"], ["model/conv2d/Relu:0"], name="model/conv2d/Relu"),
        helper.make_node("AveragePool", ["model/conv2d/Relu:0"], ["model/average_pooling2d/AvgPool:0"],
                         name="model/average_pooling2d/AvgPool", kernel_shape=[2, 2], strides=[2, 2],
                         auto_pad="VALID"),
        helper.make_node("Transpose", ["model/average_pooling2d/AvgPool:0"],
                         ["model/average_pooling2d/AvgPool__12:0"],
                         name="model/average_pooling2d/AvgPool__12", perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["model/average_pooling2d/AvgPool__12:0", "const_fold_opt__20"],
                         ["model/flatten/Reshape:0"], name="model/flatten/Reshape"),
        helper.make_node("MatMul", ["model/flatten/Reshape:0", "model/dense/MatMul/ReadVariableOp:0"],
                         ["model/dense/MatMul:0"], name="model/dense/MatMul"),
        helper.make_node("Add", ["model/dense/MatMul:0", "model/dense/BiasAdd/ReadVariableOp:0"],
                         ["model/dense/BiasAdd:0"], name="model/dense/BiasAdd"),
        helper.make_node("Softmax", ["model/dense/BiasAdd:0"], ["dense"], name="model/dense/Softmax", axis=-1),
    ]
    inits = [init("model/conv2d/Conv2D/ReadVariableOp:0", W1),
             init("model/conv2d/BiasAdd/ReadVariableOp:0", B1),
             init("const_fold_opt__20", np.array([-1, 64], dtype=np.int64)),
             init("model/dense/MatMul/ReadVariableOp:0", W2),
             init("model/dense/BiasAdd/ReadVariableOp:0", B2)]

    def ref(x):
        a = np.transpose(x, (0, 3, 1, 2))
        ph, pw = same_upper(8, 3, 1), same_upper(8, 3, 1)
        a = relu(conv2d(a, W1, B1, pads=(ph[0], pw[0], ph[1], pw[1])))
        a = pool2d(a, (2, 2), (2, 2), mode="avg")
        a = np.transpose(a, (0, 2, 3, 1)).reshape(-1, 64)
        return softmax(a @ W2 + B2, axis=-1)
    save(out, name, nodes, [vi("input_1", ["unk__22", 8, 8, 3])], [vi("dense", ["unk__23", 5])], inits, 13,
         "Keras/tf2onnx CNN, NHWC input, transposes around the conv", ref, (1, 8, 8, 3),
         producer="tf2onnx")


def conv_bn_relu(out):
    name = "conv_bn_relu"
    r = rng_for(name)
    W1 = w(r, 8, 3, 3, 3)
    scale = r.uniform(0.5, 1.5, size=8).astype(np.float32)
    bias = r.uniform(-0.5, 0.5, size=8).astype(np.float32)
    mean = r.uniform(-0.2, 0.2, size=8).astype(np.float32)
    var = r.uniform(0.05, 0.3, size=8).astype(np.float32)
    W2, B2 = w(r, 4, 8), w(r, 4, fan_in=8)
    eps = 1e-5
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight"], ["/conv/Conv_output_0"], name="/conv/Conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("BatchNormalization", ["/conv/Conv_output_0", "bn.weight", "bn.bias",
                                                "bn.running_mean", "bn.running_var"],
                         ["/bn/BatchNormalization_output_0"], name="/bn/BatchNormalization",
                         epsilon=eps, momentum=0.9),
        helper.make_node("Relu", ["/bn/BatchNormalization_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"),
        helper.make_node("GlobalAveragePool", ["/relu/Relu_output_0"], ["/gap/GlobalAveragePool_output_0"],
                         name="/gap/GlobalAveragePool"),
        helper.make_node("Flatten", ["/gap/GlobalAveragePool_output_0"], ["/Flatten_output_0"], name="/Flatten"),
        helper.make_node("Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm",
                         transB=1),
    ]
    inits = [init("conv.weight", W1), init("bn.weight", scale), init("bn.bias", bias),
             init("bn.running_mean", mean), init("bn.running_var", var),
             init("fc.weight", W2), init("fc.bias", B2)]

    def ref(x):
        a = conv2d(x, W1, pads=(1, 1, 1, 1))
        c = lambda v: np.asarray(v, np.float64)[None, :, None, None]  # noqa: E731
        a = (a - c(mean)) / np.sqrt(c(var) + eps) * c(scale) + c(bias)
        a = gap(relu(a))
        return flatten(a) @ W2.T.astype(np.float64) + B2
    save(out, name, nodes, [vi("input", [1, 3, 8, 8])], [vi("output", [1, 4])], inits, 15,
         "Conv (no bias) + BatchNormalization (folded) + Relu + GlobalAveragePool + Gemm",
         ref, (1, 3, 8, 8), producer="pytorch")


def residual(out):
    name = "residual"
    r = rng_for(name)
    W1, B1 = w(r, 8, 3, 3, 3), w(r, 8, fan_in=27)
    W2, B2 = w(r, 8, 8, 3, 3), w(r, 8, fan_in=72)
    W3, B3 = w(r, 8, 8, 3, 3), w(r, 8, fan_in=72)
    W4, B4 = w(r, 4, 8), w(r, 4, fan_in=8)
    p = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
    nodes = [
        helper.make_node("Conv", ["input", "stem.weight", "stem.bias"], ["/stem/Conv_output_0"],
                         name="/stem/Conv", **p),
        helper.make_node("Relu", ["/stem/Conv_output_0"], ["/stem_relu/Relu_output_0"], name="/stem_relu/Relu"),
        helper.make_node("Conv", ["/stem_relu/Relu_output_0", "block.conv1.weight", "block.conv1.bias"],
                         ["/block/conv1/Conv_output_0"], name="/block/conv1/Conv", **p),
        helper.make_node("Relu", ["/block/conv1/Conv_output_0"], ["/block/relu/Relu_output_0"],
                         name="/block/relu/Relu"),
        helper.make_node("Conv", ["/block/relu/Relu_output_0", "block.conv2.weight", "block.conv2.bias"],
                         ["/block/conv2/Conv_output_0"], name="/block/conv2/Conv", **p),
        helper.make_node("Add", ["/block/conv2/Conv_output_0", "/stem_relu/Relu_output_0"],
                         ["/block/Add_output_0"], name="/block/Add"),
        helper.make_node("Relu", ["/block/Add_output_0"], ["/block/relu_1/Relu_output_0"], name="/block/relu_1/Relu"),
        helper.make_node("GlobalAveragePool", ["/block/relu_1/Relu_output_0"], ["/gap/GlobalAveragePool_output_0"],
                         name="/gap/GlobalAveragePool"),
        helper.make_node("Flatten", ["/gap/GlobalAveragePool_output_0"], ["/Flatten_output_0"], name="/Flatten"),
        helper.make_node("Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm",
                         transB=1),
    ]
    inits = [init("stem.weight", W1), init("stem.bias", B1), init("block.conv1.weight", W2),
             init("block.conv1.bias", B2), init("block.conv2.weight", W3), init("block.conv2.bias", B3),
             init("fc.weight", W4), init("fc.bias", B4)]

    def ref(x):
        a = relu(conv2d(x, W1, B1, pads=(1, 1, 1, 1)))
        b = relu(conv2d(a, W2, B2, pads=(1, 1, 1, 1)))
        b = conv2d(b, W3, B3, pads=(1, 1, 1, 1))
        y = gap(relu(b + a))
        return flatten(y) @ W4.T.astype(np.float64) + B4
    save(out, name, nodes, [vi("input", [1, 3, 8, 8])], [vi("output", [1, 4])], inits, 13,
         "ResNet-style block: skip connection as Add of two activations", ref, (1, 3, 8, 8),
         producer="pytorch")


def depthwise_separable(out):
    name = "depthwise_separable"
    r = rng_for(name)
    Wd, Bd = w(r, 4, 1, 3, 3), w(r, 4, fan_in=9)
    Wp, Bp = w(r, 8, 4, 1, 1), w(r, 8, fan_in=4)
    W3, B3 = w(r, 4, 8), w(r, 4, fan_in=8)
    nodes = [
        helper.make_node("Conv", ["input", "dw.weight", "dw.bias"], ["/dw/Conv_output_0"], name="/dw/Conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], group=4),
        helper.make_node("Relu", ["/dw/Conv_output_0"], ["/dw_relu/Relu_output_0"], name="/dw_relu/Relu"),
        helper.make_node("Conv", ["/dw_relu/Relu_output_0", "pw.weight", "pw.bias"], ["/pw/Conv_output_0"],
                         name="/pw/Conv", kernel_shape=[1, 1], pads=[0, 0, 0, 0], strides=[1, 1]),
        helper.make_node("Relu", ["/pw/Conv_output_0"], ["/pw_relu/Relu_output_0"], name="/pw_relu/Relu"),
        helper.make_node("GlobalMaxPool", ["/pw_relu/Relu_output_0"], ["/gmp/GlobalMaxPool_output_0"],
                         name="/gmp/GlobalMaxPool"),
        helper.make_node("Flatten", ["/gmp/GlobalMaxPool_output_0"], ["/Flatten_output_0"], name="/Flatten"),
        helper.make_node("Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm",
                         transB=1),
    ]
    inits = [init("dw.weight", Wd), init("dw.bias", Bd), init("pw.weight", Wp), init("pw.bias", Bp),
             init("fc.weight", W3), init("fc.bias", B3)]

    def ref(x):
        a = relu(conv2d(x, Wd, Bd, pads=(1, 1, 1, 1), group=4))
        a = relu(conv2d(a, Wp, Bp))
        a = a.max(axis=(2, 3), keepdims=True)
        return flatten(a) @ W3.T.astype(np.float64) + B3
    save(out, name, nodes, [vi("input", [1, 4, 8, 8])], [vi("output", [1, 4])], inits, 13,
         "MobileNet-style depthwise (group=C) + pointwise conv, GlobalMaxPool", ref, (1, 4, 8, 8),
         producer="pytorch")


def grouped_conv(out):
    name = "grouped_conv"
    r = rng_for(name)
    W1, B1 = w(r, 6, 2, 3, 3), w(r, 6, fan_in=18)
    W2, B2 = w(r, 3, 2, 1, 1), w(r, 3, fan_in=2)
    W3, B3 = w(r, 2, 3), w(r, 2, fan_in=3)
    nodes = [
        helper.make_node("Conv", ["input", "g1.weight", "g1.bias"], ["g1_out"], name="/g1/Conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=2),
        helper.make_node("Relu", ["g1_out"], ["r1_out"], name="/r1/Relu"),
        helper.make_node("Conv", ["r1_out", "g2.weight", "g2.bias"], ["g2_out"], name="/g2/Conv",
                         kernel_shape=[1, 1], group=3),
        helper.make_node("Relu", ["g2_out"], ["r2_out"], name="/r2/Relu"),
        helper.make_node("GlobalAveragePool", ["r2_out"], ["gap_out"], name="/gap/GlobalAveragePool"),
        helper.make_node("Flatten", ["gap_out"], ["flat_out"], name="/Flatten"),
        helper.make_node("Gemm", ["flat_out", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm",
                         transB=1),
    ]
    inits = [init("g1.weight", W1), init("g1.bias", B1), init("g2.weight", W2), init("g2.bias", B2),
             init("fc.weight", W3), init("fc.bias", B3)]

    def ref(x):
        a = relu(conv2d(x, W1, B1, pads=(1, 1, 1, 1), group=2))
        a = relu(conv2d(a, W2, B2, group=3))
        a = a.mean(axis=(2, 3), keepdims=True)
        return flatten(a) @ W3.T.astype(np.float64) + B3
    save(out, name, nodes, [vi("input", [1, 4, 6, 6])], [vi("output", [1, 2])], inits, 13,
         "ResNeXt-style grouped convolutions (not depthwise)", ref, (1, 4, 6, 6), producer="pytorch")


def conv1d(out):
    name = "conv1d"
    r = rng_for(name)
    W1, B1 = w(r, 8, 4, 3), w(r, 8, fan_in=12)
    W2, B2 = w(r, 5, 48), w(r, 5, fan_in=48)
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["/conv/Conv_output_0"],
                         name="/conv/Conv", kernel_shape=[3], dilations=[2], pads=[0, 0], strides=[1]),
        helper.make_node("Relu", ["/conv/Conv_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"),
        helper.make_node("MaxPool", ["/relu/Relu_output_0"], ["/pool/MaxPool_output_0"], name="/pool/MaxPool",
                         kernel_shape=[2], strides=[2], pads=[0, 0]),
        helper.make_node("Flatten", ["/pool/MaxPool_output_0"], ["/Flatten_output_0"], name="/Flatten"),
        helper.make_node("Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm",
                         transB=1),
    ]
    inits = [init("conv.weight", W1), init("conv.bias", B1), init("fc.weight", W2), init("fc.bias", B2)]

    def ref(x):
        a = relu(conv2d(x[:, :, None, :], W1[:, :, None, :], B1, dil=(1, 2)))
        a = pool2d(a, (1, 2), (1, 2))[:, :, 0, :]
        return flatten(a) @ W2.T.astype(np.float64) + B2
    save(out, name, nodes, [vi("input", [1, 4, 16])], [vi("output", [1, 5])], inits, 11,
         "KWS-like 1-D conv with dilation 2, MaxPool1d", ref, (1, 4, 16), producer="pytorch")


def pads_strides(out):
    name = "pads_strides"
    r = rng_for(name)
    W1, B1 = w(r, 6, 3, 3, 3), w(r, 6, fan_in=27)
    W2, B2 = w(r, 4, 54), w(r, 4, fan_in=54)
    # ONNX pads: [x1_begin, x2_begin, ..., x1_end, x2_end, ...] = N C H W begins, then ends.
    pad_pads = np.array([0, 0, 1, 2, 0, 0, 1, 0], dtype=np.int64)
    nodes = [
        helper.make_node("Pad", ["input", "pad.pads", "pad.value"], ["/pad/Pad_output_0"], name="/pad/Pad",
                         mode="constant"),
        helper.make_node("Conv", ["/pad/Pad_output_0", "conv.weight", "conv.bias"], ["/conv/Conv_output_0"],
                         name="/conv/Conv", kernel_shape=[3, 3], strides=[2, 2], pads=[0, 1, 1, 0]),
        helper.make_node("Relu", ["/conv/Conv_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"),
        helper.make_node("AveragePool", ["/relu/Relu_output_0"], ["/pool/AveragePool_output_0"],
                         name="/pool/AveragePool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                         count_include_pad=0),
        helper.make_node("Flatten", ["/pool/AveragePool_output_0"], ["/Flatten_output_0"], name="/Flatten"),
        helper.make_node("Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm",
                         transB=1),
    ]
    inits = [init("pad.pads", pad_pads), init("pad.value", np.array(0.0, dtype=np.float32)),
             init("conv.weight", W1), init("conv.bias", B1), init("fc.weight", W2), init("fc.bias", B2)]

    def ref(x):
        a = np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 0)))            # -> [1,3,10,10]
        a = relu(conv2d(a, W1, B1, stride=(2, 2), pads=(0, 1, 1, 0)))  # -> [1,6,5,5]
        a = pool2d(a, (3, 3), (2, 2), pads=(1, 1, 1, 1), mode="avg", count_include_pad=0)  # [1,6,3,3]
        return flatten(a) @ W2.T.astype(np.float64) + B2
    save(out, name, nodes, [vi("input", [1, 3, 8, 8])], [vi("output", [1, 4])], inits, 13,
         "Pad op (H/W), stride-2 conv with asymmetric pads, AveragePool count_include_pad=0 with pads",
         ref, (1, 3, 8, 8), producer="pytorch")


def concat(out):
    name = "concat"
    r = rng_for(name)
    Wa, Ba = w(r, 4, 3, 3, 3), w(r, 4, fan_in=27)
    Wb, Bb = w(r, 4, 3, 1, 1), w(r, 4, fan_in=3)
    W2, B2 = w(r, 4, 8), w(r, 4, fan_in=8)
    nodes = [
        helper.make_node("Conv", ["input", "a.weight", "a.bias"], ["/a/Conv_output_0"], name="/a/Conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["input", "b.weight", "b.bias"], ["/b/Conv_output_0"], name="/b/Conv",
                         kernel_shape=[1, 1]),
        helper.make_node("Concat", ["/a/Conv_output_0", "/b/Conv_output_0"], ["/Concat_output_0"],
                         name="/Concat", axis=1),
        helper.make_node("Relu", ["/Concat_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"),
        helper.make_node("GlobalAveragePool", ["/relu/Relu_output_0"], ["/gap/GlobalAveragePool_output_0"],
                         name="/gap/GlobalAveragePool"),
        helper.make_node("Flatten", ["/gap/GlobalAveragePool_output_0"], ["/Flatten_output_0"], name="/Flatten"),
        helper.make_node("Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm",
                         transB=1),
    ]
    inits = [init("a.weight", Wa), init("a.bias", Ba), init("b.weight", Wb), init("b.bias", Bb),
             init("fc.weight", W2), init("fc.bias", B2)]

    def ref(x):
        a = conv2d(x, Wa, Ba, pads=(1, 1, 1, 1))
        b = conv2d(x, Wb, Bb)
        y = gap(relu(np.concatenate([a, b], axis=1)))
        return flatten(y) @ W2.T.astype(np.float64) + B2
    save(out, name, nodes, [vi("input", [1, 3, 8, 8])], [vi("output", [1, 4])], inits, 13,
         "Inception-style: two convs (3x3, 1x1) of one input, channel Concat", ref, (1, 3, 8, 8),
         producer="pytorch")


def avgpool_include_pad(out):
    name = "avgpool_include_pad"
    r = rng_for(name)
    W1, B1 = w(r, 4, 1, 3, 3), w(r, 4, fan_in=9)
    W2, B2 = w(r, 4, 64), w(r, 4, fan_in=64)
    nodes = [
        helper.make_node("AveragePool", ["input"], ["/pool/AveragePool_output_0"], name="/pool/AveragePool",
                         kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], count_include_pad=1),
        helper.make_node("Conv", ["/pool/AveragePool_output_0", "conv.weight", "conv.bias"],
                         ["/conv/Conv_output_0"], name="/conv/Conv", kernel_shape=[3, 3], strides=[2, 2]),
        helper.make_node("Flatten", ["/conv/Conv_output_0"], ["/Flatten_output_0"], name="/Flatten"),
        helper.make_node("Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm",
                         transB=1),
    ]
    inits = [init("conv.weight", W1), init("conv.bias", B1), init("fc.weight", W2), init("fc.bias", B2)]

    def ref(x):
        a = pool2d(x, (3, 3), (1, 1), pads=(1, 1, 1, 1), mode="avg", count_include_pad=1)
        a = conv2d(a, W1, B1, stride=(2, 2))  # -> [1,4,4,4]
        return flatten(a) @ W2.T.astype(np.float64) + B2
    save(out, name, nodes, [vi("input", [1, 1, 10, 10])], [vi("output", [1, 4])], inits, 17,
         "AveragePool count_include_pad=1 with pads, then a stride-2 conv", ref, (1, 1, 10, 10),
         producer="pytorch")


def prelu(x, slope):
    """ONNX PRelu written out per channel: x < 0 -> slope[c] * x (slope given per
    channel, shape [C])."""
    y = x.copy()
    for c in range(x.shape[1]):
        xc = y[:, c]
        xc[xc < 0] *= slope[c]
    return y


def leaky(x, alpha):
    return np.maximum(x, 0) + alpha * np.minimum(x, 0)


def prelu_cnn(out):
    name = "prelu_cnn"
    r = rng_for(name)
    W1, B1 = w(r, 6, 3, 3, 3), w(r, 6, fan_in=27)
    A1 = r.uniform(-1.5, 2.5, size=6).astype(np.float32)
    Wd, Bd = w(r, 6, 1, 3, 3), w(r, 6, fan_in=9)
    A2 = r.uniform(-1.5, 2.5, size=6).astype(np.float32)
    W3, B3 = w(r, 8, 6, 3, 3), w(r, 8, fan_in=54)
    W4, B4 = w(r, 6, 32), w(r, 6, fan_in=32)
    A3 = r.uniform(-1.5, 2.5, size=6).astype(np.float32)
    A3[0] = 0.25  # PyTorch's default slope
    W5, B5 = w(r, 4, 6), w(r, 4, fan_in=6)
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["/conv1/Conv_output_0"],
                         name="/conv1/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("PRelu", ["/conv1/Conv_output_0", "prelu1.weight"], ["/prelu1/PRelu_output_0"],
                         name="/prelu1/PRelu"),
        helper.make_node("MaxPool", ["/prelu1/PRelu_output_0"], ["/pool/MaxPool_output_0"],
                         name="/pool/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["/pool/MaxPool_output_0", "dw.weight", "dw.bias"], ["/dw/Conv_output_0"],
                         name="/dw/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=6),
        helper.make_node("PRelu", ["/dw/Conv_output_0", "prelu2.weight"], ["/prelu2/PRelu_output_0"],
                         name="/prelu2/PRelu"),
        helper.make_node("Conv", ["/prelu2/PRelu_output_0", "conv3.weight", "conv3.bias"],
                         ["/conv3/Conv_output_0"], name="/conv3/Conv", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["/conv3/Conv_output_0"], ["/relu3/Relu_output_0"], name="/relu3/Relu"),
        helper.make_node("Flatten", ["/relu3/Relu_output_0"], ["/Flatten_output_0"], name="/Flatten"),
        helper.make_node("Gemm", ["/Flatten_output_0", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"],
                         name="/fc1/Gemm", transB=1),
        helper.make_node("PRelu", ["/fc1/Gemm_output_0", "prelu3.weight"], ["/prelu3/PRelu_output_0"],
                         name="/prelu3/PRelu"),
        helper.make_node("Gemm", ["/prelu3/PRelu_output_0", "fc2.weight", "fc2.bias"], ["output"],
                         name="/fc2/Gemm", transB=1),
    ]
    # PyTorch: [C,1,1] after a conv, [C] after a linear layer; Keras: one slope per
    # element (here [C,H,W], equal over the shared axes H, W).
    inits = [init("conv1.weight", W1), init("conv1.bias", B1), init("prelu1.weight", A1.reshape(6, 1, 1)),
             init("dw.weight", Wd), init("dw.bias", Bd),
             init("prelu2.weight", np.tile(A2.reshape(6, 1, 1), (1, 4, 4))),
             init("conv3.weight", W3), init("conv3.bias", B3), init("fc1.weight", W4), init("fc1.bias", B4),
             init("prelu3.weight", A3), init("fc2.weight", W5), init("fc2.bias", B5)]

    def ref(x):
        a = prelu(conv2d(x, W1, B1, pads=(1, 1, 1, 1)), A1.astype(np.float64))
        a = pool2d(a, (2, 2), (2, 2))
        a = prelu(conv2d(a, Wd, Bd, pads=(1, 1, 1, 1), group=6), A2.astype(np.float64))
        a = relu(conv2d(a, W3, B3, stride=(2, 2), pads=(1, 1, 1, 1)))
        a = prelu(flatten(a) @ W4.T.astype(np.float64) + B4, A3.astype(np.float64))
        return a @ W5.T.astype(np.float64) + B5
    save(out, name, nodes, [vi("input", [1, 3, 8, 8])], [vi("output", [1, 4])], inits, 13,
         "per-channel PRelu after conv, depthwise conv and dense", ref, (1, 3, 8, 8),
         producer="pytorch")


def lenet_pool_relu(out):
    name = "lenet_pool_relu"
    r = rng_for(name)
    W1, B1 = w(r, 4, 1, 5, 5), w(r, 4, fan_in=25)
    W2, B2 = w(r, 6, 4, 3, 3), w(r, 6, fan_in=36)
    W3, B3 = w(r, 3, 6), w(r, 3, fan_in=6)
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["/conv1/Conv_output_0"],
                         name="/conv1/Conv", kernel_shape=[5, 5]),
        helper.make_node("MaxPool", ["/conv1/Conv_output_0"], ["/MaxPool_output_0"], name="/MaxPool",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Relu", ["/MaxPool_output_0"], ["/Relu_output_0"], name="/Relu"),
        helper.make_node("Conv", ["/Relu_output_0", "conv2.weight", "conv2.bias"], ["/conv2/Conv_output_0"],
                         name="/conv2/Conv", kernel_shape=[3, 3]),
        helper.make_node("MaxPool", ["/conv2/Conv_output_0"], ["/MaxPool_1_output_0"], name="/MaxPool_1",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("LeakyRelu", ["/MaxPool_1_output_0"], ["/LeakyRelu_output_0"], name="/LeakyRelu",
                         alpha=0.1),
        helper.make_node("Flatten", ["/LeakyRelu_output_0"], ["/Flatten_output_0"], name="/Flatten"),
        helper.make_node("Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm",
                         transB=1),
    ]
    inits = [init("conv1.weight", W1), init("conv1.bias", B1), init("conv2.weight", W2),
             init("conv2.bias", B2), init("fc.weight", W3), init("fc.bias", B3)]

    def ref(x):
        a = relu(pool2d(conv2d(x, W1, B1), (2, 2), (2, 2)))        # [1,4,4,4]
        a = leaky(pool2d(conv2d(a, W2, B2), (2, 2), (2, 2)), 0.1)  # [1,6,1,1]
        return flatten(a) @ W3.T.astype(np.float64) + B3
    save(out, name, nodes, [vi("input", [1, 1, 12, 12])], [vi("output", [1, 3])], inits, 13,
         "LeNet order: MaxPool before the activation", ref, (1, 1, 12, 12), producer="pytorch")


def act_after_join(out):
    name = "act_after_join"
    r = rng_for(name)
    p = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    Ws, Bs = w(r, 8, 3, 3, 3), w(r, 8, fan_in=27)
    W1, B1 = w(r, 8, 8, 3, 3), w(r, 8, fan_in=72)
    W2, B2 = w(r, 8, 8, 3, 3), w(r, 8, fan_in=72)
    Wp, Bp = w(r, 4, 8, 1, 1), w(r, 4, fan_in=8)
    A = r.uniform(-1.0, 2.0, size=12).astype(np.float32)
    Wf, Bf = w(r, 4, 12), w(r, 4, fan_in=12)
    lo, hi = np.float32(-0.05), np.float32(0.1)
    nodes = [
        helper.make_node("Conv", ["input", "stem.weight", "stem.bias"], ["s"], name="/stem/Conv", **p),
        helper.make_node("Relu", ["s"], ["a"], name="/stem_relu/Relu"),
        helper.make_node("Conv", ["a", "c1.weight", "c1.bias"], ["c1"], name="/c1/Conv", **p),
        helper.make_node("Relu", ["c1"], ["r1"], name="/r1/Relu"),
        helper.make_node("Conv", ["r1", "c2.weight", "c2.bias"], ["c2"], name="/c2/Conv", **p),
        helper.make_node("Add", ["c2", "s"], ["sum"], name="/Add"),
        helper.make_node("LeakyRelu", ["sum"], ["j"], name="/join_act/LeakyRelu", alpha=0.2),
        helper.make_node("Conv", ["j", "pw.weight", "pw.bias"], ["pw"], name="/pw/Conv", kernel_shape=[1, 1]),
        helper.make_node("Concat", ["j", "pw"], ["cat"], name="/Concat", axis=1),
        helper.make_node("PRelu", ["cat", "prelu.weight"], ["pr"], name="/prelu/PRelu"),
        helper.make_node("GlobalAveragePool", ["pr"], ["gap"], name="/gap/GlobalAveragePool"),
        helper.make_node("Clip", ["gap", "clip.min", "clip.max"], ["clip"], name="/clip/Clip"),
        helper.make_node("Flatten", ["clip"], ["flat"], name="/Flatten"),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["output"], name="/fc/Gemm", transB=1),
    ]
    inits = [init("stem.weight", Ws), init("stem.bias", Bs), init("c1.weight", W1), init("c1.bias", B1),
             init("c2.weight", W2), init("c2.bias", B2), init("pw.weight", Wp), init("pw.bias", Bp),
             init("prelu.weight", A.reshape(12, 1, 1)), init("clip.min", np.array(lo)),
             init("clip.max", np.array(hi)), init("fc.weight", Wf), init("fc.bias", Bf)]

    def ref(x):
        s = conv2d(x, Ws, Bs, pads=(1, 1, 1, 1))
        b = relu(conv2d(relu(s), W1, B1, pads=(1, 1, 1, 1)))
        j = leaky(conv2d(b, W2, B2, pads=(1, 1, 1, 1)) + s, 0.2)
        cat = np.concatenate([j, conv2d(j, Wp, Bp)], axis=1)
        g = gap(prelu(cat, A.astype(np.float64)))
        g = np.minimum(np.maximum(g, float(lo)), float(hi))
        return flatten(g) @ Wf.T.astype(np.float64) + Bf
    save(out, name, nodes, [vi("input", [1, 3, 8, 8])], [vi("output", [1, 4])], inits, 13,
         "activations after a residual Add, a Concat, a GlobalAveragePool and on a layer with two users",
         ref, (1, 3, 8, 8), producer="pytorch")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def inception3(out):
    name = "inception3"
    r = rng_for(name)
    Wa, Ba = w(r, 4, 3, 1, 1), w(r, 4, fan_in=3)
    Wb, Bb = w(r, 4, 3, 3, 3), w(r, 4, fan_in=27)
    Wc, Bc = w(r, 2, 3, 1, 1), w(r, 2, fan_in=3)
    W2, B2 = w(r, 5, 10), w(r, 5, fan_in=10)
    nodes = [
        helper.make_node("Conv", ["input", "a.weight", "a.bias"], ["a"], name="branch1x1", kernel_shape=[1, 1]),
        helper.make_node("Conv", ["input", "b.weight", "b.bias"], ["b"], name="branch3x3",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("MaxPool", ["input"], ["p"], name="branch_pool", kernel_shape=[3, 3],
                         strides=[1, 1], pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["p", "c.weight", "c.bias"], ["c"], name="branch_pool_proj",
                         kernel_shape=[1, 1]),
        helper.make_node("Concat", ["a", "b", "c"], ["cat"], name="mixed", axis=1),
        helper.make_node("Relu", ["cat"], ["r"], name="mixed_relu"),
        helper.make_node("GlobalAveragePool", ["r"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["output"], name="fc", transB=1),
    ]
    inits = [init("a.weight", Wa), init("a.bias", Ba), init("b.weight", Wb), init("b.bias", Bb),
             init("c.weight", Wc), init("c.bias", Bc), init("fc.weight", W2), init("fc.bias", B2)]

    def ref(x):
        a = conv2d(x, Wa, Ba)
        b = conv2d(x, Wb, Bb, pads=(1, 1, 1, 1))
        c = conv2d(pool2d(x, (3, 3), (1, 1), pads=(1, 1, 1, 1)), Wc, Bc)
        y = gap(relu(np.concatenate([a, b, c], axis=1)))
        return flatten(y) @ W2.T.astype(np.float64) + B2
    save(out, name, nodes, [vi("input", [1, 3, 6, 6])], [vi("output", [1, 5])], inits, 13,
         "Inception block: Concat of three branches (1x1, 3x3, maxpool + 1x1 projection)", ref,
         (1, 3, 6, 6), producer="pytorch")


def conv1d_bn(out):
    name = "conv1d_bn"
    r = rng_for(name)
    W1, B1 = w(r, 6, 2, 5), w(r, 6, fan_in=10)
    gamma, beta = r.uniform(0.5, 1.5, 6).astype(np.float32), w(r, 6, fan_in=1)
    mean, var = w(r, 6, fan_in=1), r.uniform(0.5, 1.5, 6).astype(np.float32)
    W2, B2 = w(r, 8, 6, 3), w(r, 8, fan_in=18)
    W3 = w(r, 8, 4)
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"], name="conv1",
                         kernel_shape=[5], pads=[2, 2]),
        helper.make_node("BatchNormalization", ["c1", "bn.gamma", "bn.beta", "bn.mean", "bn.var"], ["n1"],
                         name="bn1", epsilon=1e-3),
        helper.make_node("Relu", ["n1"], ["a1"], name="relu1"),
        helper.make_node("MaxPool", ["a1"], ["p1"], name="pool1", kernel_shape=[2], strides=[2]),
        helper.make_node("Conv", ["p1", "conv2.weight", "conv2.bias"], ["c2"], name="conv2",
                         kernel_shape=[3], strides=[2], pads=[1, 1]),
        helper.make_node("Relu", ["c2"], ["a2"], name="relu2"),
        helper.make_node("GlobalMaxPool", ["a2"], ["g"], name="gmp"),
        helper.make_node("Reshape", ["g", "shape"], ["f"], name="flatten"),
        helper.make_node("MatMul", ["f", "fc.weight"], ["output"], name="fc"),
    ]
    inits = [init("conv1.weight", W1), init("conv1.bias", B1), init("bn.gamma", gamma),
             init("bn.beta", beta), init("bn.mean", mean), init("bn.var", var),
             init("conv2.weight", W2), init("conv2.bias", B2),
             init("shape", np.array([1, -1], np.int64)), init("fc.weight", W3)]

    def ref(x):
        a = conv2d(x[:, :, None, :], W1[:, :, None, :], B1, pads=(0, 2, 0, 2))
        sh = (1, -1, 1, 1)
        a = (a - mean.reshape(sh)) / np.sqrt(var.reshape(sh).astype(np.float64) + 1e-3) \
            * gamma.reshape(sh) + beta.reshape(sh)
        a = pool2d(relu(a), (1, 2), (1, 2))
        a = relu(conv2d(a, W2[:, :, None, :], B2, stride=(1, 2), pads=(0, 1, 0, 1)))
        return a.max(axis=(2, 3)) @ W3.astype(np.float64)
    save(out, name, nodes, [vi("input", [1, 2, 16])], [vi("output", [1, 4])], inits, 13,
         "1-D conv + BatchNormalization (folded through the 1-D reshapes), GlobalMaxPool, MatMul",
         ref, (1, 2, 16), producer="pytorch")


def input_norm(out):
    name = "input_norm"
    r = rng_for(name)
    mean = np.array([0.485, 0.456, 0.406], np.float32).reshape(1, 3, 1, 1)
    std = np.array([0.229, 0.224, 0.225], np.float32).reshape(1, 3, 1, 1)
    W1, B1 = w(r, 4, 3, 3, 3), w(r, 4, fan_in=27)
    scale = r.uniform(0.5, 2.0, (1, 4, 1, 1)).astype(np.float32)
    W2, B2 = w(r, 3, 16), w(r, 3, fan_in=16)
    nodes = [
        helper.make_node("Sub", ["input", "mean"], ["xs"], name="sub_mean"),
        helper.make_node("Div", ["xs", "std"], ["xn"], name="div_std"),
        helper.make_node("Conv", ["xn", "conv.weight", "conv.bias"], ["c"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["a"], name="relu"),
        helper.make_node("MaxPool", ["a"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Mul", ["p", "scale"], ["s"], name="channel_scale"),
        helper.make_node("Flatten", ["s"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["output"], name="fc", transB=1),
    ]
    inits = [init("mean", mean), init("std", std), init("conv.weight", W1), init("conv.bias", B1),
             init("scale", scale), init("fc.weight", W2), init("fc.bias", B2)]

    def ref(x):
        xn = (x - mean.astype(np.float64)) / std.astype(np.float64)
        a = pool2d(relu(conv2d(xn, W1, B1, pads=(1, 1, 1, 1))), (2, 2), (2, 2))
        return flatten(a * scale.astype(np.float64)) @ W2.T.astype(np.float64) + B2
    save(out, name, nodes, [vi("input", [1, 3, 4, 4])], [vi("output", [1, 3])], inits, 13,
         "ImageNet-style input normalization (Sub, Div per channel) before a padded conv; a "
         "per-channel Mul after MaxPool", ref, (1, 3, 4, 4), producer="pytorch")


def se_block(out):
    name = "se_block"
    r = rng_for(name)
    W1, B1 = w(r, 8, 3, 3, 3), w(r, 8, fan_in=27)
    Ws1, Bs1 = w(r, 4, 8, 1, 1), w(r, 4, fan_in=8)
    Ws2, Bs2 = w(r, 8, 4, 1, 1), w(r, 8, fan_in=4)
    W2, B2 = w(r, 5, 8), w(r, 5, fan_in=8)
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["c"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["a"], name="relu"),
        helper.make_node("GlobalAveragePool", ["a"], ["sq"], name="se_squeeze"),
        helper.make_node("Conv", ["sq", "se1.weight", "se1.bias"], ["s1"], name="se_reduce",
                         kernel_shape=[1, 1]),
        helper.make_node("Relu", ["s1"], ["s1r"], name="se_relu"),
        helper.make_node("Conv", ["s1r", "se2.weight", "se2.bias"], ["s2"], name="se_expand",
                         kernel_shape=[1, 1]),
        helper.make_node("Sigmoid", ["s2"], ["gate"], name="se_gate"),
        helper.make_node("Mul", ["a", "gate"], ["e"], name="se_excite"),
        helper.make_node("GlobalAveragePool", ["e"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["output"], name="fc", transB=1),
    ]
    inits = [init("conv.weight", W1), init("conv.bias", B1), init("se1.weight", Ws1),
             init("se1.bias", Bs1), init("se2.weight", Ws2), init("se2.bias", Bs2),
             init("fc.weight", W2), init("fc.bias", B2)]

    def ref(x):
        a = relu(conv2d(x, W1, B1, pads=(1, 1, 1, 1)))
        s = sigmoid(conv2d(relu(conv2d(gap(a), Ws1, Bs1)), Ws2, Bs2))
        return flatten(gap(a * s)) @ W2.T.astype(np.float64) + B2
    save(out, name, nodes, [vi("input", [1, 3, 6, 6])], [vi("output", [1, 5])], inits, 13,
         "Squeeze-and-excitation (MobileNetV3/EfficientNet): GlobalAveragePool -> 1x1 convs -> "
         "Sigmoid gate, broadcast Mul over the pixels", ref, (1, 3, 6, 6), producer="pytorch")


def self_test():
    """Checks the numpy conv/pool against naive loops (guards the reference itself)."""
    r = np.random.RandomState(7)
    x = r.uniform(-1, 1, (1, 4, 7, 6))
    wt = r.uniform(-1, 1, (6, 2, 3, 2))
    stride, pads, dil, group = (2, 1), (1, 0, 2, 1), (1, 2), 2
    got = conv2d(x, wt, None, stride, pads, dil, group)
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    exp = np.zeros_like(got)
    for m in range(6):
        g = m // 3
        for oh in range(got.shape[2]):
            for ow in range(got.shape[3]):
                s = 0.0
                for c in range(2):
                    for i in range(3):
                        for j in range(2):
                            s += xp[0, g * 2 + c, oh * stride[0] + i * dil[0], ow * stride[1] + j * dil[1]] \
                                * wt[m, c, i, j]
                exp[0, m, oh, ow] = s
    assert np.allclose(got, exp), "conv2d self-test"
    p = pool2d(x, (3, 3), (2, 2), (1, 1, 1, 1), mode="avg", count_include_pad=0)
    assert np.isclose(p[0, 0, 0, 0], x[0, 0, 0:2, 0:2].mean()), "avgpool self-test"
    p = pool2d(x, (3, 3), (2, 2), (1, 1, 1, 1), mode="avg", count_include_pad=1)
    assert np.isclose(p[0, 0, 0, 0], x[0, 0, 0:2, 0:2].sum() / 9), "avgpool include-pad self-test"
    assert same_upper(8, 3, 1) == (1, 1) and same_upper(8, 3, 2) == (0, 1)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    self_test()
    for gen in (torch_cnn, keras_cnn, conv_bn_relu, residual, depthwise_separable, conv1d,
                pads_strides, concat, avgpool_include_pad, grouped_conv, prelu_cnn, lenet_pool_relu,
                act_after_join, inception3, conv1d_bn, input_norm, se_block):
        gen(out)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
