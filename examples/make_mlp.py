#!/usr/bin/env python3
"""Writes the bundled example: a small Keras-style MLP classifier as ONNX.

Run with Debian's /usr/bin/python3 (onnx 1.12 + numpy). Deterministic: the
same bytes every time. 16 inputs -> Dense(32, relu) -> Dense(16, tanh)
-> Dense(5) -> Softmax, like a jet-tagging network.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main(path):
    rng = np.random.default_rng(2026)
    sizes = [16, 32, 16, 5]
    acts = ["Relu", "Tanh", None]
    nodes, inits = [], []
    x = "features"
    for i, (k, n) in enumerate(zip(sizes, sizes[1:])):
        w = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
        b = (0.1 * rng.standard_normal(n)).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"dense{i}/kernel"),
                  numpy_helper.from_array(b, f"dense{i}/bias")]
        nodes.append(helper.make_node("MatMul", [x, f"dense{i}/kernel"], [f"dense{i}/mm"], name=f"dense{i}/MatMul"))
        nodes.append(helper.make_node("Add", [f"dense{i}/mm", f"dense{i}/bias"], [f"dense{i}/out"], name=f"dense{i}/BiasAdd"))
        x = f"dense{i}/out"
        if acts[i]:
            nodes.append(helper.make_node(acts[i], [x], [f"dense{i}/act"], name=f"dense{i}/{acts[i]}"))
            x = f"dense{i}/act"
    nodes.append(helper.make_node("Softmax", [x], ["probabilities"], name="softmax", axis=-1))
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 16])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 5])],
        inits)
    model = helper.make_model(graph, producer_name="loom-example", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


if __name__ == "__main__":
    main(sys.argv[1])
