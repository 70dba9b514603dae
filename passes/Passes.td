//===- Passes.td - every Loom pass, declared once ----------*- tablegen -*-===//
#ifndef LOOM_PASSES
#define LOOM_PASSES

include "mlir/Pass/PassBase.td"

def NNNormalize : Pass<"nn-normalize", "mlir::ModuleOp"> {
  let summary = "Fold the float nn graph into canonical form";
  let description = [{
    Removes identities and shape-only reshapes, folds a constant Add after a dense
    layer into its bias and a BatchNormalization after a dense layer into its
    weights and bias.
  }];
  let dependentDialects = ["loom::nn::NNDialect"];
}

def NNQuantize : Pass<"nn-quantize", "mlir::ModuleOp"> {
  let summary = "Turn the float nn graph into fixed-point integer arithmetic";
  let description = [{
    Every tensor of a float graph gets the format `precision` (fixed<W,I>,
    parsed once into a #nn.fixed<W, I> attribute; required for float graphs,
    there is no default): inputs are quantized,
    dense layers become nn.qdense with derived accumulator widths, table
    activations (nn::TableActivationOpInterface: sigmoid, tanh, elu, selu)
    become nn.lut tables and softmax nn.qsoftmax (docs/CONTRACTS.md).

    A graph that already carries quantization (nn.quantize_linear /
    nn.dequantize_linear from QDQ, QOperator or QONNX models, or from
    nn-insert-quant) is lowered to an affine integer graph instead
    (passes/NNQuantizeAffine.cpp and passes/affine/, docs/CONTRACTS.md
    "Affine integer graphs"):
    the scales come from the graph, no `precision` is needed (one given is
    not used).
  }];
  let options = [
    Option<"precision", "precision", "std::string", "\"\"",
           "fixed-point format fixed<W,I> of every tensor of a float graph">,
  ];
  let dependentDialects = ["loom::nn::NNDialect"];
}

def NNInsertQuant : Pass<"nn-insert-quant", "mlir::ModuleOp"> {
  let summary = "Post-training int8: insert quantize/dequantize pairs from calibration ranges";
  let description = [{
    Weights of dense and conv layers get per-output-channel symmetric int8
    scales (weight_scale, weights rounded onto the grid); activations get
    per-tensor uint8 affine scales from the `loom.calib` = [min, max] ranges the
    driver attaches (func argument attributes and op attributes), through an
    nn.quantize_linear / nn.dequantize_linear pair after every graph input,
    layer and join. Tensors feeding softmax get a power-of-two int16 scale (the
    integer softmax needs a binary point). nn-quantize then lowers the graph.
  }];
  let dependentDialects = ["loom::nn::NNDialect"];
}

def NNToDF : Pass<"nn-to-df", "mlir::ModuleOp"> {
  let summary = "Lower the quantized nn graph to dataflow actors";
  let description = [{
    Each nn.qdense becomes a df.mvu (absorbing a following relu or lut), each
    nn.qsoftmax a df.softmax; reshapes vanish (streams are flat). Actors start
    fully folded (simd = pe = 1); df-fold chooses parallelism.
  }];
  let dependentDialects = ["loom::df::DFDialect"];
}

def DFFold : Pass<"df-fold", "mlir::ModuleOp"> {
  let summary = "Choose PE/SIMD per actor for a multiplier budget or a target II";
  let description = [{
    Greedy: repeatedly speed up the bottleneck actor by its cheapest faster
    folding until the budget (`max-mults`) would be exceeded or the target II
    is met. Without either, small networks are made fully parallel and large
    ones get the default budget (see docs/folding.md). Cycle counts come from
    hw_model.
  }];
  let options = [
    Option<"maxMults", "max-mults", "int64_t", "0", "multiplier budget (0: none)">,
    Option<"targetII", "target-ii", "int64_t", "0", "target cycles per frame (0: none)">,
  ];
}

def DFToRTL : Pass<"df-to-rtl", "mlir::ModuleOp"> {
  let summary = "Lower dataflow actors to a netlist of library-module instances";
  let options = [
    Option<"topName", "top", "std::string", "\"\"", "top module name (default: the graph's)">,
  ];
  let dependentDialects = ["loom::rtl::RTLDialect"];
}

def RTLExportVerilog : Pass<"rtl-export-verilog", "mlir::ModuleOp"> {
  let summary = "Print rtl modules as SystemVerilog and memfiles as $readmemh images";
  let description = [{
    With `dir` empty everything is printed to stdout (for lit tests); otherwise
    one file per module and per memfile is written into `dir`.
  }];
  let options = [
    Option<"dir", "dir", "std::string", "\"\"", "output directory (empty: stdout)">,
  ];
}

#endif // LOOM_PASSES
