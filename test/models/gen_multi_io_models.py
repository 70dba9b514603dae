#!/usr/bin/python3
"""Writes small ONNX models with several graph inputs and outputs.

Usage:  /usr/bin/python3 test/models/gen_multi_io_models.py OUT_DIR

In the patterns exporters write for multi-input / multi-output networks:
PyTorch two-tower recommenders (MatMul + Add per tower, the merged embedding
returned beside the logits), Keras functional models (Concatenate of two
Input layers), two heads on a shared trunk, an image plus a side vector.
Every model also gets ONNX test data computed with numpy:
OUT_DIR/NAME/test_data_set_0/{input_K.pb, output_K.pb}.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT
written = []


def rng_for(name):
    seed = sum((i + 1) * ord(c) for i, c in enumerate(name)) % (2**31)
    return np.random.RandomState(seed)


def w(rng, *shape, scale=0.5):
    return rng.uniform(-scale, scale, size=shape).astype(np.float32)


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)


def vi(name, shape):
    return helper.make_tensor_value_info(name, FLOAT, shape)


def relu(x):
    return np.maximum(x, 0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def save(out_dir, name, nodes, inputs, outputs, inits, ref, opset=13, producer="pytorch"):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name=producer)
    m.ir_version = 7
    onnx.checker.check_model(m)
    path = os.path.join(out_dir, name + ".onnx")
    onnx.save(m, path)
    written.append(path)
    rng = rng_for(name + "/data")
    xs = [rng.uniform(-1, 1, size=[d.dim_value for d in i.type.tensor_type.shape.dim])
          .astype(np.float32) for i in inputs]
    ys = ref(*xs)
    d = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(d, exist_ok=True)
    for kind, vals, ends in (("input", xs, inputs), ("output", ys, outputs)):
        for k, (arr, end) in enumerate(zip(vals, ends)):
            p = os.path.join(d, "%s_%d.pb" % (kind, k))
            with open(p, "wb") as f:
                f.write(numpy_helper.from_array(np.asarray(arr, np.float32), end.name)
                        .SerializeToString())
            written.append(p)


def torch_two_tower(out):
    """Two Linear towers (MatMul + Add, as torch.onnx writes Linear), summed;
    the merged embedding is a graph output and feeds the head."""
    name = "torch_two_tower"
    r = rng_for(name)
    Wu, Bu, Wi, Bi, Wh, Bh = w(r, 12, 16), w(r, 16), w(r, 6, 16), w(r, 16), w(r, 16, 4), w(r, 4)
    n = helper.make_node
    nodes = [
        n("MatMul", ["user", "user_tower.weight"], ["/user_tower/MatMul_output_0"], name="/user_tower/MatMul"),
        n("Add", ["user_tower.bias", "/user_tower/MatMul_output_0"], ["/user_tower/Add_output_0"], name="/user_tower/Add"),
        n("Relu", ["/user_tower/Add_output_0"], ["/user_relu/Relu_output_0"], name="/user_relu/Relu"),
        n("MatMul", ["item", "item_tower.weight"], ["/item_tower/MatMul_output_0"], name="/item_tower/MatMul"),
        n("Add", ["item_tower.bias", "/item_tower/MatMul_output_0"], ["/item_tower/Add_output_0"], name="/item_tower/Add"),
        n("Relu", ["/item_tower/Add_output_0"], ["/item_relu/Relu_output_0"], name="/item_relu/Relu"),
        n("Add", ["/user_relu/Relu_output_0", "/item_relu/Relu_output_0"], ["embedding"], name="/Add"),
        n("Gemm", ["embedding", "head.weight", "head.bias"], ["logits"], name="/head/Gemm", transB=1),
    ]
    inits = [init("user_tower.weight", Wu), init("user_tower.bias", Bu),
             init("item_tower.weight", Wi), init("item_tower.bias", Bi),
             init("head.weight", Wh.T), init("head.bias", Bh)]

    def ref(u, i):
        e = relu(u @ Wu + Bu) + relu(i @ Wi + Bi)
        return [e @ Wh + Bh, e]
    save(out, name, nodes, [vi("user", [1, 12]), vi("item", [1, 6])],
         [vi("logits", [1, 4]), vi("embedding", [1, 16])], inits, ref)


def keras_concat_inputs(out):
    """Keras functional model: Concatenate()([Input(10), Input(6)]) -> Dense
    -> Dense(softmax), as tf2onnx writes it (Concat axis -1, MatMul + Add)."""
    name = "keras_concat_inputs"
    r = rng_for(name)
    W1, B1, W2, B2 = w(r, 16, 12), w(r, 12), w(r, 12, 5), w(r, 5)
    n = helper.make_node
    nodes = [
        n("Concat", ["input_a", "input_b"], ["concatenate/concat:0"], name="concatenate/concat", axis=-1),
        n("MatMul", ["concatenate/concat:0", "dense/kernel:0"], ["dense/MatMul:0"], name="dense/MatMul"),
        n("Add", ["dense/MatMul:0", "dense/bias:0"], ["dense/BiasAdd:0"], name="dense/BiasAdd"),
        n("Relu", ["dense/BiasAdd:0"], ["dense/Relu:0"], name="dense/Relu"),
        n("MatMul", ["dense/Relu:0", "dense_1/kernel:0"], ["dense_1/MatMul:0"], name="dense_1/MatMul"),
        n("Add", ["dense_1/MatMul:0", "dense_1/bias:0"], ["dense_1/BiasAdd:0"], name="dense_1/BiasAdd"),
        n("Softmax", ["dense_1/BiasAdd:0"], ["dense_1"], name="dense_1/Softmax", axis=-1),
    ]
    inits = [init("dense/kernel:0", W1), init("dense/bias:0", B1),
             init("dense_1/kernel:0", W2), init("dense_1/bias:0", B2)]

    def ref(a, b):
        return [softmax(relu(np.concatenate([a, b], axis=-1) @ W1 + B1) @ W2 + B2)]
    save(out, name, nodes, [vi("input_a", [1, 10]), vi("input_b", [1, 6])],
         [vi("dense_1", [1, 5])], inits, ref, producer="tf2onnx")


def two_heads(out):
    """x + y on a shared trunk, then a classification head (Softmax) and a
    regression head (Sigmoid): two graph outputs of different sizes."""
    name = "add_inputs_two_heads"
    r = rng_for(name)
    Wt, Bt, Wc, Bc, Wr, Br = w(r, 8, 8), w(r, 8), w(r, 8, 3), w(r, 3), w(r, 8, 2), w(r, 2)
    n = helper.make_node
    nodes = [
        n("Add", ["x", "y"], ["sum"], name="/Add"),
        n("Gemm", ["sum", "trunk.weight", "trunk.bias"], ["/trunk/Gemm_output_0"], name="/trunk/Gemm"),
        n("Relu", ["/trunk/Gemm_output_0"], ["/trunk/Relu_output_0"], name="/trunk/Relu"),
        n("Gemm", ["/trunk/Relu_output_0", "cls.weight", "cls.bias"], ["/cls/Gemm_output_0"], name="/cls/Gemm"),
        n("Softmax", ["/cls/Gemm_output_0"], ["class_probs"], name="/cls/Softmax", axis=1),
        n("Gemm", ["/trunk/Relu_output_0", "reg.weight", "reg.bias"], ["/reg/Gemm_output_0"], name="/reg/Gemm"),
        n("Sigmoid", ["/reg/Gemm_output_0"], ["box"], name="/reg/Sigmoid"),
    ]
    inits = [init("trunk.weight", Wt), init("trunk.bias", Bt), init("cls.weight", Wc),
             init("cls.bias", Bc), init("reg.weight", Wr), init("reg.bias", Br)]

    def ref(x, y):
        t = relu((x + y) @ Wt + Bt)
        return [softmax(t @ Wc + Bc, axis=1), sigmoid(t @ Wr + Br)]
    save(out, name, nodes, [vi("x", [1, 8]), vi("y", [1, 8])],
         [vi("class_probs", [1, 3]), vi("box", [1, 2])], inits, ref)


def image_and_vector(out):
    """A small CNN on an NCHW image plus a dense branch on a side vector,
    concatenated (PyTorch: torch.cat([cnn(img).flatten(1), fc(meta)], 1))."""
    name = "image_and_vector"
    r = rng_for(name)
    Wc, Bc = w(r, 4, 2, 3, 3), w(r, 4)
    Wm, Bm = w(r, 3, 4), w(r, 4)
    Wo, Bo = w(r, 8, 3), w(r, 3)
    n = helper.make_node
    nodes = [
        n("Conv", ["image", "conv.weight", "conv.bias"], ["/conv/Conv_output_0"], name="/conv/Conv",
          kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        n("Relu", ["/conv/Conv_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"),
        n("GlobalAveragePool", ["/relu/Relu_output_0"], ["/pool/GlobalAveragePool_output_0"], name="/pool/GlobalAveragePool"),
        n("Flatten", ["/pool/GlobalAveragePool_output_0"], ["/Flatten_output_0"], name="/Flatten", axis=1),
        n("Gemm", ["meta", "meta_fc.weight", "meta_fc.bias"], ["/meta_fc/Gemm_output_0"], name="/meta_fc/Gemm"),
        n("Relu", ["/meta_fc/Gemm_output_0"], ["/meta_relu/Relu_output_0"], name="/meta_relu/Relu"),
        n("Concat", ["/Flatten_output_0", "/meta_relu/Relu_output_0"], ["/Concat_output_0"], name="/Concat", axis=1),
        n("Gemm", ["/Concat_output_0", "out.weight", "out.bias"], ["scores"], name="/out/Gemm"),
    ]
    inits = [init("conv.weight", Wc), init("conv.bias", Bc), init("meta_fc.weight", Wm),
             init("meta_fc.bias", Bm), init("out.weight", Wo), init("out.bias", Bo)]

    def ref(img, meta):
        x = np.pad(img[0], ((0, 0), (1, 1), (1, 1)))
        c = np.zeros((4, 6, 6), np.float64)
        for o in range(4):
            for i in range(2):
                for ky in range(3):
                    for kx in range(3):
                        c[o] += Wc[o, i, ky, kx] * x[i, ky:ky + 6, kx:kx + 6]
            c[o] += Bc[o]
        pooled = relu(c).mean(axis=(1, 2))[None, :]
        return [np.concatenate([pooled, relu(meta @ Wm + Bm)], axis=1) @ Wo + Bo]
    save(out, name, nodes, [vi("image", [1, 2, 6, 6]), vi("meta", [1, 3])],
         [vi("scores", [1, 3])], inits, ref)


def qdq_two_inputs(out):
    """ONNX Runtime's QDQ format: each input quantized with its own uint8 scale,
    added, requantized, then a Gemm on int8 weights behind DequantizeLinear.
    The numpy reference rounds as QuantizeLinear does (half to even)."""
    name = "qdq_two_inputs"
    r = rng_for(name)
    W, B = w(r, 8, 4), w(r, 4, scale=0.1)
    sw = np.float32(np.abs(W).max() / 127.0)
    Wq = np.clip(np.round(W / sw), -127, 127).astype(np.int8)
    n = helper.make_node
    scales = {"a": 0.02, "b": 0.015, "s": 0.03, "y": 0.05}
    zps = {"a": 128, "b": 128, "s": 128, "y": 128}
    inits = [numpy_helper.from_array(Wq, "w_q"), init("w_s", sw),
             numpy_helper.from_array(np.int8(0), "w_z"), init("bias", B)]
    for k in scales:
        inits += [init(k + "_scale", scales[k]), numpy_helper.from_array(np.uint8(zps[k]), k + "_zp")]
    nodes = []

    def qdq_node(x, k):
        nodes.append(n("QuantizeLinear", [x, k + "_scale", k + "_zp"], [k + "_q"], name=k + "_QuantizeLinear"))
        nodes.append(n("DequantizeLinear", [k + "_q", k + "_scale", k + "_zp"], [k + "_dq"], name=k + "_DequantizeLinear"))
        return k + "_dq"
    a = qdq_node("a", "a")
    b = qdq_node("b", "b")
    nodes.append(n("Add", [a, b], ["sum"], name="Add"))
    s_ = qdq_node("sum", "s")
    nodes.append(n("DequantizeLinear", ["w_q", "w_s", "w_z"], ["w"], name="w_DequantizeLinear"))
    nodes.append(n("Gemm", [s_, "w", "bias"], ["gemm"], name="Gemm"))
    y = qdq_node("gemm", "y")
    nodes.append(n("Identity", [y], ["y"], name="Identity"))

    def q(x, k):
        return (np.clip(np.round(x / scales[k]) + zps[k], 0, 255) - zps[k]) * np.float32(scales[k])

    def ref(xa, xb):
        return [q(q(q(xa, "a") + q(xb, "b"), "s") @ (Wq.astype(np.float32) * sw) + B, "y")]
    save(out, name, nodes, [vi("a", [1, 8]), vi("b", [1, 8])], [vi("y", [1, 4])], inits, ref,
         producer="onnxruntime.quantization")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for gen in (torch_two_tower, keras_concat_inputs, two_heads, image_and_vector,
                qdq_two_inputs):
        gen(out)
    for p in written:
        print(p)


if __name__ == "__main__":
    main()
