#!/usr/bin/python3
"""LayerNorm models as PyTorch exports them (run with Debian's /usr/bin/python3).

    gen_layernorm_models.py OUT_DIR

writes OUT_DIR/NAME.onnx and ONNX test data OUT_DIR/NAME/test_data_set_0 (a numpy
float64 forward pass, independent of Loom) for:

- ln_kws_opset13: a wake-word classifier [1, 8, 8] -> Flatten -> Gemm(64->32) ->
  LayerNorm (PyTorch's opset<=16 chain ReduceMean -> Sub -> Pow -> ReduceMean ->
  Add(eps) -> Sqrt -> Div -> Mul(gamma) -> Add(beta)) -> Relu -> MatMul + Add(32->16)
  -> LayerNorm without affine (elementwise_affine=False: the chain ends at Div) ->
  Relu -> Gemm(16->4) -> logits.
- ln_kws_opset17: the same network with LayerNormalization-17 nodes (the second
  without its optional B input).
- ln_seq_opset17: a token sequence [1, 8, 16] -> MatMul(16->24) ->
  LayerNormalization over the last axis (8 rows of 24) -> MatMul(24->8) -> [1, 8, 8].
- ln_seq_opset18: the same sequence model with PyTorch's chain where ReduceMean
  takes its axes as an input (opset 18; not checked by onnx 1.12's checker).
- ln_qdq_opset17: a QDQ graph (ONNX Runtime's format) with a LayerNormalization
  between quantizers (no test data).
- bad_ln_axis (refused): the chain reducing over axis 1 of [1, 4, 8].
- bad_ln_gamma (refused): LayerNormalization whose Scale is a graph value.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

EPS = 1e-5


def f32(a):
    return np.asarray(a, np.float32)


def ln_ref(x, gamma, beta, eps):
    m = x.mean(axis=-1, keepdims=True)
    v = ((x - m) ** 2).mean(axis=-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * gamma + beta


def ln_chain(nodes, inits, x, out, tag, gamma=None, beta=None, axes=(-1,), axes_input=False):
    """PyTorch's opset<=16 export of nn.LayerNorm (axes_input: ReduceMean-18's form)."""
    inits += [numpy_helper.from_array(f32(2.0), tag + "_two"),
              numpy_helper.from_array(f32(EPS), tag + "_eps")]
    p = "/" + tag + "/"
    if axes_input:
        inits.append(numpy_helper.from_array(np.array(axes, np.int64), tag + "_axes"))

    def mean(i, o, n):
        if axes_input:
            return helper.make_node("ReduceMean", [i, tag + "_axes"], [o], name=n)
        return helper.make_node("ReduceMean", [i], [o], name=n, axes=list(axes))
    nodes += [
        mean(x, p + "mean", p + "ReduceMean"),
        helper.make_node("Sub", [x, p + "mean"], [p + "d"], name=p + "Sub"),
        helper.make_node("Pow", [p + "d", tag + "_two"], [p + "sq"], name=p + "Pow"),
        mean(p + "sq", p + "var", p + "ReduceMean_1"),
        helper.make_node("Add", [p + "var", tag + "_eps"], [p + "ve"], name=p + "Add"),
        helper.make_node("Sqrt", [p + "ve"], [p + "std"], name=p + "Sqrt"),
    ]
    if gamma is None:
        nodes.append(helper.make_node("Div", [p + "d", p + "std"], [out], name=p + "Div"))
        return
    inits += [numpy_helper.from_array(gamma, tag + ".weight"),
              numpy_helper.from_array(beta, tag + ".bias")]
    nodes += [
        helper.make_node("Div", [p + "d", p + "std"], [p + "n"], name=p + "Div"),
        helper.make_node("Mul", [p + "n", tag + ".weight"], [p + "g"], name=p + "Mul"),
        helper.make_node("Add", [p + "g", tag + ".bias"], [out], name=p + "Add_1"),
    ]


def save(out_dir, name, nodes, inits, in_shape, out_shape, opset, x=None, y=None):
    graph = helper.make_graph(nodes, name,
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, in_shape)],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, out_shape)],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="pytorch")
    model.ir_version = 8
    if opset <= 17:  # onnx 1.12 knows opsets up to 17
        onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out_dir, name + ".onnx"))
    if x is None:
        return
    t = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(t, exist_ok=True)
    for fname, arr, tname in (("input_0.pb", x, "input"), ("output_0.pb", y, "output")):
        with open(os.path.join(t, fname), "wb") as f:
            f.write(numpy_helper.from_array(f32(arr), tname).SerializeToString())


def kws(out_dir, opset):
    name = "ln_kws_opset%d" % opset
    r = np.random.RandomState(1300 + opset)
    IN, H1, H2, OUT = 64, 32, 16, 4
    W1, B1 = f32(r.normal(0, 0.3, (H1, IN))), f32(r.normal(0, 0.2, H1))
    G1, BE1 = f32(r.uniform(0.5, 1.5, H1)), f32(r.normal(0, 0.3, H1))
    W2, B2 = f32(r.normal(0, 0.3, (H1, H2))), f32(r.normal(0, 0.2, H2))  # MatMul [K, N]
    W3, B3 = f32(r.normal(0, 0.4, (OUT, H2))), f32(r.normal(0, 0.2, OUT))
    inits = [numpy_helper.from_array(a, n) for a, n in
             ((W1, "fc1.weight"), (B1, "fc1.bias"), (W2, "fc2.weight"), (B2, "fc2.bias"),
              (W3, "fc3.weight"), (B3, "fc3.bias"))]
    nodes = [helper.make_node("Flatten", ["input"], ["flat"], name="/Flatten", axis=1),
             helper.make_node("Gemm", ["flat", "fc1.weight", "fc1.bias"], ["h1"], name="/fc1/Gemm",
                              transB=1)]
    if opset >= 17:
        inits += [numpy_helper.from_array(G1, "ln1.weight"), numpy_helper.from_array(BE1, "ln1.bias"),
                  numpy_helper.from_array(f32(np.ones(H2)), "ln2.weight")]
        nodes.append(helper.make_node("LayerNormalization", ["h1", "ln1.weight", "ln1.bias"], ["n1"],
                                      name="/ln1/LayerNormalization", axis=-1, epsilon=EPS))
    else:
        ln_chain(nodes, inits, "h1", "n1", "ln1", G1, BE1)
    nodes += [helper.make_node("Relu", ["n1"], ["r1"], name="/relu1/Relu"),
              helper.make_node("MatMul", ["r1", "fc2.weight"], ["m2"], name="/fc2/MatMul"),
              helper.make_node("Add", ["m2", "fc2.bias"], ["h2"], name="/fc2/Add")]
    if opset >= 17:
        nodes.append(helper.make_node("LayerNormalization", ["h2", "ln2.weight"], ["n2"],
                                      name="/ln2/LayerNormalization", axis=-1, epsilon=EPS))
    else:
        ln_chain(nodes, inits, "h2", "n2", "ln2")
    nodes += [helper.make_node("Relu", ["n2"], ["r2"], name="/relu2/Relu"),
              helper.make_node("Gemm", ["r2", "fc3.weight", "fc3.bias"], ["output"],
                               name="/fc3/Gemm", transB=1)]
    d = lambda a: np.asarray(a, np.float64)  # noqa: E731
    x = r.normal(0, 1, (1, 8, 8)).astype(np.float32)
    h = d(x).reshape(1, -1) @ d(W1).T + d(B1)
    h = np.maximum(ln_ref(h, d(G1), d(BE1), EPS), 0)
    h = np.maximum(ln_ref(h @ d(W2) + d(B2), 1.0, 0.0, EPS), 0)
    y = h @ d(W3).T + d(B3)
    save(out_dir, name, nodes, inits, [1, 8, 8], [1, OUT], opset, x, y)
    return name


def seq(out_dir, opset=17):
    name = "ln_seq_opset%d" % opset
    r = np.random.RandomState(1717)
    T, C, D, OUT = 8, 16, 24, 8
    W1, W2 = f32(r.normal(0, 0.3, (C, D))), f32(r.normal(0, 0.3, (D, OUT)))
    G, BE = f32(r.uniform(0.5, 1.5, D)), f32(r.normal(0, 0.3, D))
    inits = [numpy_helper.from_array(a, n) for a, n in
             ((W1, "proj.weight"), (W2, "head.weight"), (G, "ln.weight"), (BE, "ln.bias"))]
    nodes = [helper.make_node("MatMul", ["input", "proj.weight"], ["h"], name="/proj/MatMul")]
    if opset >= 18:  # the chain with ReduceMean-18's axes input
        inits = inits[:2]
        ln_chain(nodes, inits, "h", "n", "ln", G, BE, axes_input=True)
    else:
        nodes.append(helper.make_node("LayerNormalization", ["h", "ln.weight", "ln.bias"], ["n"],
                                      name="/ln/LayerNormalization", axis=-1, epsilon=EPS))
    nodes.append(helper.make_node("MatMul", ["n", "head.weight"], ["output"], name="/head/MatMul"))
    d = lambda a: np.asarray(a, np.float64)  # noqa: E731
    x = r.normal(0, 1, (1, T, C)).astype(np.float32)
    y = ln_ref(d(x) @ d(W1), d(G), d(BE), EPS) @ d(W2)
    save(out_dir, name, nodes, inits, [1, T, C], [1, T, OUT], opset, x, y)
    return name


def qdq(out_dir):
    """A QDQ graph as ONNX Runtime's quantizer writes it (uint8 activations with
    zero points, int8 weights): Q/DQ -> MatMul(DQ(W1)) + b -> Q/DQ ->
    LayerNormalization -> Q/DQ -> MatMul(DQ(W2)) -> Q/DQ. No test data: ONNX
    Runtime is the oracle."""
    name = "ln_qdq_opset17"
    r = np.random.RandomState(1818)
    IN, D, OUT = 16, 24, 6
    w1q = r.randint(-127, 128, (IN, D)).astype(np.int8)
    w2q = r.randint(-127, 128, (D, OUT)).astype(np.int8)
    G, BE, B1 = f32(r.uniform(0.5, 1.5, D)), f32(r.normal(0, 0.3, D)), f32(r.normal(0, 0.3, D))
    t = numpy_helper.from_array
    inits = [t(w1q, "w1q"), t(f32(0.002), "w1s"), t(np.int8(0), "w1z"),
             t(w2q, "w2q"), t(f32(0.002), "w2s"), t(np.int8(0), "w2z"), t(B1, "b1"),
             t(G, "ln.weight"), t(BE, "ln.bias")]
    nodes = [helper.make_node("DequantizeLinear", ["w1q", "w1s", "w1z"], ["w1"], name="w1_dq"),
             helper.make_node("DequantizeLinear", ["w2q", "w2s", "w2z"], ["w2"], name="w2_dq")]

    def qdq_pair(x, out, scale, zp):
        k = out + "_"
        inits.extend([t(f32(scale), k + "s"), t(np.uint8(zp), k + "z")])
        nodes.extend([
            helper.make_node("QuantizeLinear", [x, k + "s", k + "z"], [k + "q"], name=k + "Q"),
            helper.make_node("DequantizeLinear", [k + "q", k + "s", k + "z"], [out], name=k + "DQ")])
    qdq_pair("input", "xq", 0.03, 128)
    nodes += [helper.make_node("MatMul", ["xq", "w1"], ["m1"], name="/fc1/MatMul"),
              helper.make_node("Add", ["m1", "b1"], ["h1"], name="/fc1/Add")]
    qdq_pair("h1", "h1q", 0.02, 120)
    nodes.append(helper.make_node("LayerNormalization", ["h1q", "ln.weight", "ln.bias"], ["n"],
                                  name="/ln/LayerNormalization", axis=-1, epsilon=EPS))
    qdq_pair("n", "nq", 0.025, 128)
    nodes.append(helper.make_node("MatMul", ["nq", "w2"], ["m2"], name="/fc2/MatMul"))
    qdq_pair("m2", "output", 0.01, 128)
    save(out_dir, name, nodes, inits, [1, IN], [1, OUT], 17)
    return name


def bad(out_dir):
    r = np.random.RandomState(5)
    W = f32(r.normal(0, 0.3, (8, 8)))
    nodes, inits = [helper.make_node("MatMul", ["input", "w"], ["h"], name="/proj/MatMul")], \
        [numpy_helper.from_array(W, "w")]
    ln_chain(nodes, inits, "h", "output", "ln", f32(np.ones(8)), f32(np.zeros(8)), axes=(1,))
    save(out_dir, "bad_ln_axis", nodes, inits, [1, 4, 8], [1, 4, 8], 13)
    nodes = [helper.make_node("MatMul", ["input", "w"], ["h"], name="/proj/MatMul"),
             helper.make_node("Relu", ["h"], ["g"], name="/act/Relu"),
             helper.make_node("LayerNormalization", ["h", "g"], ["output"],
                              name="/ln/LayerNormalization", axis=-1)]
    save(out_dir, "bad_ln_gamma", nodes, [numpy_helper.from_array(W, "w")], [1, 8], [1, 8], 17)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for n in (kws(out, 13), kws(out, 17), seq(out), seq(out, 18), qdq(out)):
        print(n)
    bad(out)


if __name__ == "__main__":
    main()
