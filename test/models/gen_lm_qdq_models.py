#!/usr/bin/python3
"""QDQ-quantized causal LMs as ONNX Runtime's static quantizer writes them (issue 12:
"QDQ-quantized transformer exports keep their own quantization").

    /usr/bin/python3 test/models/gen_lm_qdq_models.py OUT_DIR [name ...]

Each model is a float LM of gen_lm_models.py run through the steps of
onnxruntime.quantization.quantize_static(quant_format=QDQ, op_types_to_quantize=["MatMul",
"Gemm"], per_channel=True) with MinMax calibration: every MatMul / Gemm input and output
that is an activation gets a QuantizeLinear -> DequantizeLinear pair (uint8, asymmetric,
scale = (max(0, hi) - min(0, lo)) / 255, zero point round(-min(0, lo) / scale)), named
`<tensor>_QuantizeLinear` / `<tensor>_DequantizeLinear` as ORT names them; constant
weights become int8 symmetric per output channel (DequantizeLinear axis 1; a Gemm bias is
int32 at s_a * s_w). The calibration ranges come from ONNX Runtime itself (tools/oracle,
the float model with every such tensor as an extra output, 32 random sequences). So Q x K^T
and P x V are each two quantized activations: the attention scores are quantized to 8 bits
before the scale and the mask, and the softmax probabilities to 8 bits before P x V.

  gpt2_qdq   gpt2_lm (decomposed LayerNorm, fused c_attn Gemm + Split, Where mask, tanh
             GELU, tied head: MatMul with Transpose(wte), an activation to the quantizer).
  llama_qdq  llama_lm (RMSNorm, rotary, additive mask, SiLU-gated MLP, untied head).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_lm_models  # noqa: E402

ORACLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                      "oracle", "ort_run.js")
QUANT_OPS = ("MatMul", "Gemm")


def save_npy(path, a):
    np.save(path, a)
    return path


def calibrate(model, names, t, v, work, frames=32, seed=5):
    """Per tensor (lo, hi) over `frames` random sequences, from ONNX Runtime."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    del m.graph.output[:]
    for n in names:
        m.graph.output.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, None))
    path = os.path.join(work, "calib.onnx")
    onnx.save(m, path)
    ids = np.random.RandomState(seed).randint(0, v, size=(frames, 1, t)).astype(np.int64)
    x = save_npy(os.path.join(work, "ids.npy"), ids)
    out = os.path.join(work, "calib_out")
    p = subprocess.run(["node", ORACLE, path, out, "input_ids=" + x], capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise SystemExit("calibration with ONNX Runtime failed: " + p.stderr.strip())
    order = json.load(open(os.path.join(out, "outputs.json")))
    ranges = {}
    for i, n in enumerate(order):
        a = np.load(os.path.join(out, "%d.npy" % i))
        ranges[n] = (float(a.min()), float(a.max()))
    return ranges


def uint8_params(lo, hi):
    """ORT's asymmetric uint8 parameters (compute_scale_zp, symmetric=False)."""
    lo, hi = min(0.0, lo), max(0.0, hi)
    if hi == lo:
        return np.float32(1.0), np.uint8(0)
    scale = np.float32((hi - lo) / 255.0)
    zp = np.uint8(np.clip(round(-lo / float(scale)), 0, 255))
    return scale, zp


class Quantizer:
    """The pieces ORT's QDQ quantizer adds; quantize() orders them (toposort)."""

    def __init__(self, model):
        self.g = model.graph
        self.inits = {i.name: i for i in self.g.initializer}
        self.dq_of = {}      # activation tensor -> its DequantizeLinear output
        self.new_nodes = []  # QuantizeLinear / DequantizeLinear nodes added

    def activation(self, name, ranges):
        if name in self.dq_of:
            return self.dq_of[name]
        s, zp = uint8_params(*ranges[name])
        sn, zn = name + "_scale", name + "_zero_point"
        self.g.initializer.extend([numpy_helper.from_array(np.array(s, np.float32), sn),
                                   numpy_helper.from_array(np.array(zp, np.uint8), zn)])
        q = helper.make_node("QuantizeLinear", [name, sn, zn], [name + "_quantized"],
                             name=name + "_QuantizeLinear")
        dq = helper.make_node("DequantizeLinear", [name + "_quantized", sn, zn],
                              [name + "_dequantized"], name=name + "_DequantizeLinear")
        self.new_nodes += [q, dq]
        self.dq_of[name] = name + "_dequantized"
        return self.dq_of[name]

    def drop(self, name):
        """The float initializer a quantized one replaces (ORT removes it)."""
        for i, t in enumerate(self.g.initializer):
            if t.name == name:
                del self.g.initializer[i]
                return

    def weight(self, name, axis):
        w = numpy_helper.to_array(self.inits[name]).astype(np.float32)
        self.drop(name)
        amax = np.abs(w).max(axis=1 - axis)
        scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
        shape = [1, 1]
        shape[axis] = -1
        q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
        qn = name + "_quantized"
        self.g.initializer.extend([
            numpy_helper.from_array(q, qn),
            numpy_helper.from_array(scale, qn + "_scale"),
            numpy_helper.from_array(np.zeros(scale.shape, np.int8), qn + "_zero_point")])
        dq = helper.make_node("DequantizeLinear", [qn, qn + "_scale", qn + "_zero_point"],
                              [name + "_DequantizeLinear_Output"],
                              name=name + "_DequantizeLinear", axis=axis)
        self.new_nodes.append(dq)
        return dq.output[0], scale

    def bias(self, name, s_in, s_w):
        b = numpy_helper.to_array(self.inits[name]).astype(np.float32)
        self.drop(name)
        s = (np.float32(s_in) * s_w).astype(np.float32)
        q = np.round(b / s).astype(np.int32)
        qn = name + "_quantized"
        self.g.initializer.extend([
            numpy_helper.from_array(q, qn), numpy_helper.from_array(s, qn + "_scale"),
            numpy_helper.from_array(np.zeros(s.shape, np.int32), qn + "_zero_point")])
        dq = helper.make_node("DequantizeLinear", [qn, qn + "_scale", qn + "_zero_point"],
                              [name + "_DequantizeLinear_Output"],
                              name=name + "_DequantizeLinear", axis=0)
        self.new_nodes.append(dq)
        return dq.output[0]


def quantize(model, ranges):
    qz = Quantizer(model)
    nodes = list(model.graph.node)
    renames = {}  # tensor -> DQ output, for the readers of quantized MatMul outputs
    for n in nodes:
        if n.op_type not in QUANT_OPS:
            continue
        ins = list(n.input)
        a = qz.activation(ins[0], ranges)
        s_a = np.float32(uint8_params(*ranges[ins[0]])[0])
        if ins[1] in qz.inits:
            trans_b = any(at.name == "transB" and at.i for at in n.attribute)
            b, s_w = qz.weight(ins[1], 0 if trans_b else 1)
        else:
            b, s_w = qz.activation(ins[1], ranges), None
        new_ins = [a, b]
        if len(ins) > 2:
            new_ins.append(qz.bias(ins[2], s_a, s_w) if s_w is not None else ins[2])
        del n.input[:]
        n.input.extend(new_ins)
        renames[n.output[0]] = qz.activation(n.output[0], ranges)
    # Readers of a quantized output read its DequantizeLinear (the Q reads the raw output).
    for n in nodes:
        for j, x in enumerate(n.input):
            if x in renames:
                n.input[j] = renames[x]
    final = toposort(nodes + qz.new_nodes, model)
    for o in model.graph.output:
        if o.name in renames:
            raise SystemExit("a quantized MatMul output is a graph output")
    del model.graph.node[:]
    model.graph.node.extend(final)
    return model


def toposort(nodes, model):
    """Nodes in an order where every input is produced first (as the ONNX checker wants)."""
    have = {i.name for i in model.graph.input} | {i.name for i in model.graph.initializer}
    have.add("")
    done, final = set(), []
    while len(final) < len(nodes):
        for k, n in enumerate(nodes):
            if k not in done and all(x in have for x in n.input):
                done.add(k)
                final.append(n)
                have.update(n.output)
                break
        else:
            raise SystemExit("cycle in the quantized graph")
    return final


def build(out, name, make, t, v):
    with tempfile.TemporaryDirectory() as work:
        make(work)
        src = os.path.join(work, os.listdir(work)[0])
        model = onnx.load(src)
        inits = {i.name for i in model.graph.initializer}
        names = []
        for n in model.graph.node:
            if n.op_type in QUANT_OPS:
                for x in list(n.input[:2]) + [n.output[0]]:
                    if x not in inits and x not in names:
                        names.append(x)
        ranges = calibrate(model, names, t, v, work)
        model = quantize(model, ranges)
        model.graph.name = name
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(out, name + ".onnx"))


MODELS = {
    "gpt2_qdq": (lambda w: gen_lm_models.gpt2_lm(w), 16, 64),
    "llama_qdq": (lambda w: gen_lm_models.llama_lm(w), 16, 64),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name in sys.argv[2:] or MODELS:
        make, t, v = MODELS[name]
        build(out, name, make, t, v)


if __name__ == "__main__":
    main()
