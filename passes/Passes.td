//===- Passes.td - every Loom pass, declared once ----------*- tablegen -*-===//
#ifndef LOOM_PASSES
#define LOOM_PASSES

include "mlir/Pass/PassBase.td"

def NNNormalize : Pass<"nn-normalize", "mlir::ModuleOp"> {
  let summary = "Fold the float nn graph into canonical form";
  let description = [{
    Exporters spell one layer many ways; this pass folds them into one form.
    Identities and chained reshapes fold away. A constant Add / Mul (Sub and Div
    arrive as Add / Mul) with one value, or one per output feature or channel,
    and a BatchNormalization after a dense or conv layer fold into its weights
    and bias; a zero Pad before a conv into its pads. After an activation such
    per-channel arithmetic folds into the next layer instead where that is
    exact (a dense, or a conv without padding). Element-wise activations
    sink below reshapes and transposes so the layer before them can absorb
    them, transposes sink below constant Add / Mul, inverse transpose pairs
    cancel, and a monotone activation moves above a MaxPool whose input layer
    has no other user. Per-channel arithmetic no layer absorbs then becomes a
    1x1 depthwise nn.conv (not in graphs that carry their own quantization).
  }];
  let dependentDialects = ["loom::nn::NNDialect"];
}

def NNQuantize : Pass<"nn-quantize", "mlir::ModuleOp"> {
  let summary = "Turn the float nn graph into fixed-point integer arithmetic";
  let description = [{
    Every tensor of a float graph gets the format `precision` (fixed<W,I>,
    parsed once into a #nn.fixed<W, I> attribute; required for float graphs,
    there is no default): inputs are quantized,
    dense and conv layers become nn.qdense / nn.qconv with accumulator widths
    derived from their weights, leaky_relu an exact integer multiply, table
    activations (nn::TableActivationOpInterface: sigmoid, tanh, elu, selu,
    hard_sigmoid, hard_swish, ...) nn.lut tables built from the op's own float
    function, and softmax nn.qsoftmax (docs/CONTRACTS.md).

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
    Option<"runtimeWeights", "runtime-weights", "bool", "false",
           "weights are loaded at run time: accumulators are sized for any weights and "
           "biases in the format, and values outside it are refused (not saturated)">,
  ];
  let dependentDialects = ["loom::nn::NNDialect"];
}

def NNInsertQuant : Pass<"nn-insert-quant", "mlir::ModuleOp"> {
  let summary = "Post-training int8: insert quantize/dequantize pairs from calibration ranges";
  let description = [{
    Weights of dense and conv layers get per-output-channel symmetric int8
    scales (weight_scale, weights rounded onto the grid); activations get
    per-tensor uint8 affine scales from the `loom.calib` = [min, max] ranges the
    compile flow attaches (flows/Calibrate.cpp; func argument attributes and op
    attributes), through an
    nn.quantize_linear / nn.dequantize_linear pair after every graph input,
    layer and join. Tensors feeding softmax get a power-of-two int16 scale (the
    integer softmax needs a binary point). nn-quantize then lowers the graph.

    mode=auto (--precision auto, flows/AutoPrecision.cpp chooses the widths):
    every activation quantizer is a fixed-point format of its own, recorded
    as the `format` attribute (#nn.fixed) of its nn.quantize_linear:
    `act-bits` bits, a power-of-two scale whose integer bits hold `margin`
    times the calibrated magnitude, unsigned (zero point 0, codes
    [0, 2^(act-bits-1) - 1]) where the range is never negative, e.g. after
    a Relu; a table activation's input has at most `table-bits` bits (its
    table has one entry per code). Weights get one power-of-two scale per
    layer at `weight-bits` (`weight_format`), so every requantization is a
    shift. A `loom.pin` attribute (#nn.fixed) on a value's defining op or
    argument forces that value's format (the --formats override file).
    int8 with a `loom.rt_weight_scale` attribute on a layer (--runtime-weights, a
    weight set compiled in another model's architecture): those per-channel
    scales, and a weight beyond +-127 of them is an error naming the tensor.
    In auto mode the model's own quantizers may be present (a mixed graph):
    they, quantized weights and integer inputs are kept, and only the float
    tensors around them get formats.
  }];
  let options = [
    Option<"mode", "mode", "std::string", "\"int8\"", "int8 or auto">,
    Option<"actBits", "act-bits", "int", "12", "auto: activation stream width">,
    Option<"weightBits", "weight-bits", "int", "12", "auto: weight width">,
    Option<"tableBits", "table-bits", "int", "12", "auto: widest table input">,
    Option<"margin", "margin", "double", "1.25",
           "auto: the format holds margin times the calibrated magnitude">,
    Option<"weightMargin", "weight-margin", "double", "1",
           "int8: each channel's scale holds weight-margin times its largest weight "
           "(--runtime-weights: room for other weight sets)">,
  ];
  let dependentDialects = ["loom::nn::NNDialect"];
}

def NNToDF : Pass<"nn-to-df", "mlir::ModuleOp"> {
  let summary = "Lower the quantized nn graph to dataflow actors";
  let description = [{
    One actor per layer: nn.qdense becomes a df.mvu and nn.qconv a df.swg
    feeding a df.mvu (a df.dwu when depthwise), each absorbing the activation
    after it (relu, clip, leaky_relu, lut, sign); pools become df.swg + df.pool,
    nn.resize a df.upsample, nn.qsoftmax a df.softmax, a residual add_act /
    mul_act a df.join fed by a df.fork, nn.concat a df.concat (with a df.fifo in
    front of each join or concat input). An activation no layer absorbs gets its
    own 1x1 df.dwu. Streams are channels-last: reshapes and transposes only
    permute elements and vanish, and what permutation is left at the graph's
    ends becomes `loom.perm`. Actors start fully folded (simd = pe = 1);
    df-fold chooses parallelism.
  }];
  let dependentDialects = ["loom::df::DFDialect"];
}

def DFFold : Pass<"df-fold", "mlir::ModuleOp"> {
  let summary = "Choose PE/SIMD per actor for a multiplier / LUT / DSP budget or a target II";
  let description = [{
    Greedy: repeatedly speed up the bottleneck actor by its cheapest faster
    folding (or, for actors whose speed is their streams' width, by widening
    their lane group) until a budget would be exceeded (`max-mults`, and the
    estimated LUTs / DSPs of `max-luts`, `max-dsps` and the capacity of
    `part`; the tightest wins) or the target II is met (an error if a budget
    stops it first). Without either, small networks are made fully parallel
    and large ones get the default budget (see docs/folding.md). Then every
    stream gets its lanes and every FIFO in front of a join or concat the
    smallest depth that keeps the predicted II and latency. Cycle counts come
    from hw_model (through passes/DFCost). With `clock-mhz`, every mvu/dwu
    first gets the MAC register stages (`pipeline_stages`) the timing model of
    `clock-family` needs at that clock (passes/DFPipeline).
  }];
  let options = [
    Option<"maxMults", "max-mults", "int64_t", "0", "multiplier budget (0: none)">,
    Option<"targetII", "target-ii", "int64_t", "0", "target cycles per frame (0: none)">,
    Option<"maxLuts", "max-luts", "int64_t", "0",
           "estimated LUT limit (hw_model/Resources.h; 0: none)">,
    Option<"maxDsps", "max-dsps", "int64_t", "0", "estimated DSP48 limit (0: none)">,
    Option<"part", "part", "std::string", "\"\"",
           "fit this FPGA's capacity (hw_model/Devices.cpp; empty: none)">,
    Option<"clockMhz", "clock-mhz", "double", "0",
           "clock target: MAC register stages per unit (hw_model/Timing.h; 0: none)">,
    Option<"clockFamily", "clock-family", "std::string", "\"\"",
           "FPGA family of the timing model: ice40 or xilinx-7 (empty: xilinx-7)">,
  ];
}

def DFToRTL : Pass<"df-to-rtl", "mlir::ModuleOp"> {
  let summary = "Lower dataflow actors to a netlist of library-module instances";
  let description = [{
    Each actor becomes one instance of its rtl/ library module, with the
    parameters of the hw_model configuration the cost model used (passes/DFCost),
    and its weights, biases and tables become rtl.memfile images in the layouts
    of docs/CONTRACTS.md. The top module has AXI4-Stream ports; a loom_tlast_gen
    marks frame ends on the master port. Instance names come from the ONNX node
    names, legalised and made unique.
  }];
  let options = [
    Option<"topName", "top", "std::string", "\"\"", "top module name (default: the graph's)">,
    Option<"runtimeWeights", "runtime-weights", "bool", "false",
           "load the dense/conv/depthwise weights and biases at run time through the "
           "s_axis_wt port (loom_wt_bus) instead of $readmemh ROMs">,
    Option<"aresetn", "aresetn", "bool", "false",
           "the top's reset port is the active-low aresetn (loom_reset_n) instead of rst">,
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
