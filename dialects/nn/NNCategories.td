//===- NNCategories.td - what passes ask of an nn op --------*- tablegen -*-===//
//
// Op categories as ODS traits (C++ side: NNTraits.h) and the op interfaces
// the quantizers ask through (NNCategories.h.inc). A pass asks
// `op->hasTrait<nn::OpTrait::X>()` or casts to an interface instead of
// keeping its own list of op names, so a new op joins a category in its
// NNOps.td definition only.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_NN_CATEGORIES
#define LOOM_NN_CATEGORIES

include "mlir/IR/OpBase.td"

class NN_Trait<string name> : NativeOpTrait<name> {
  let cppNamespace = "::loom::nn::OpTrait";
}

// A function of one activation applied element by element (relu, clip,
// leaky_relu, the table activations): it commutes with reshapes.
def NN_ElementwiseActivation : NN_Trait<"ElementwiseActivation">;

// Changes only the shape: flat element order and values stay (reshape,
// identity). Free on a stream.
def NN_LayoutOnly : NN_Trait<"LayoutOnly">;

// Moves, pads or pools values without computing new numbers on them beyond
// max / average (max_pool, avg_pool, pad, transpose, resize): its result has
// its input's number format, so it works unchanged on integer codes.
def NN_FormatPreserving : NN_Trait<"FormatPreserving">;

// Combines two activation tensors (add_act, mul_act, concat).
def NN_ActivationJoin : NN_Trait<"ActivationJoin">;

// An activation join element by element on two same-shaped tensors
// (add_act, mul_act; not concat).
def NN_ElementwiseJoin : NN_Trait<"ElementwiseJoin">;

// An integer activation that the requantize stage of the layer before it can
// absorb (relu, clip, leaky_relu, sign, lut; docs/CONTRACTS.md ACT codes).
def NN_FusableActivation : NN_Trait<"FusableActivation">;

// Works on the H and W of an NCHW feature map (conv, qconv, pools, pad,
// resize): its input stream must be in channels-last order.
def NN_SpatialWindow : NN_Trait<"SpatialWindow">;

def NN_TableActivationOpInterface : OpInterface<"TableActivationOpInterface"> {
  let cppNamespace = "::loom::nn";
  let description = [{
    An element-wise float activation that a quantized graph computes by a
    lookup table on codes (nn.lut): sigmoid, tanh, elu, selu, ... The float
    function lives on the op. nn-quantize builds the fixed-point table from it
    (numerics::makeActTable over getTableDomain()), the affine lowering the
    exact table over the input codes (numerics::affineTable), and the
    reference interpreter evaluates the float graph with it. The nn.lut's
    `function` is the op's name without the dialect ("sigmoid"). A new table
    activation is one NN_TableActivationOp in NNOps.td plus its importer
    entry; the df / RTL side handles any table.
  }];
  let methods = [
    InterfaceMethod<"The float function at x (evaluated in double).",
      "double", "evaluate", (ins "double":$x)>,
    InterfaceMethod<[{
        The real interval [lo, hi) a fixed-point table covers: inputs outside
        it are clamped into it, so the function must be flat there at the
        output format's resolution. std::nullopt: the whole range of the input
        format (a function unbounded there).
      }],
      "std::optional<std::pair<double, double>>", "getTableDomain", (ins), [{}],
      [{ return std::nullopt; }]>,
  ];
}

def NN_WeightedLayerOpInterface : OpInterface<"WeightedLayerOpInterface"> {
  let cppNamespace = "::loom::nn";
  let description = [{
    A float layer with a weight tensor (output channel first) and one bias per
    output (nn.dense, nn.conv): what the quantizers read and rewrite.
  }];
  let methods = [
    InterfaceMethod<"The float weights, output channel first.",
      "::mlir::DenseElementsAttr", "getWeight">,
    InterfaceMethod<"The float biases, one per output.",
      "::mlir::DenseElementsAttr", "getBias">,
    InterfaceMethod<"Weight grid step (one per output or one for all), when quantized.",
      "::std::optional<::llvm::ArrayRef<double>>", "getWeightScale">,
    InterfaceMethod<"Replaces the weights.",
      "void", "setWeightAttr", (ins "::mlir::DenseElementsAttr":$weight)>,
    InterfaceMethod<"Sets the weight grid step.",
      "void", "setWeightScaleAttr", (ins "::mlir::DenseF64ArrayAttr":$scale)>,
  ];
}

#endif // LOOM_NN_CATEGORIES
