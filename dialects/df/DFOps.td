//===- DFOps.td - the df (spatial dataflow) dialect --------*- tablegen -*-===//
//
// df models the accelerator as a static dataflow graph: one actor per layer,
// joined by !df.stream values. A stream carries integer elements, `lanes` of
// them per beat, and `shape` elements per frame (channels-last, flat order).
// Parallelism (simd/pe) lives on the actors and is chosen by df-fold; the
// stream types follow from it. See docs/dialects/df.md.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DF_OPS
#define LOOM_DF_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def DF_Dialect : Dialect {
  let name = "df";
  let cppNamespace = "::loom::df";
  let summary = "Spatial dataflow actors joined by streams";
  let useDefaultTypePrinterParser = 1;
}

def DF_StreamType : TypeDef<DF_Dialect, "Stream"> {
  let mnemonic = "stream";
  let summary = "a valid/ready stream of integer beats";
  let parameters = (ins "::mlir::Type":$elementType, "int64_t":$lanes,
                        ArrayRefParameter<"int64_t">:$shape);
  let assemblyFormat = "`<` $elementType `,` $lanes `,` `[` $shape `]` `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Elements in one frame.
    int64_t getFrameElements() const;
    /// Beats in one frame.
    int64_t getBeatsPerFrame() const { return getFrameElements() / getLanes(); }
    unsigned getElementWidth() const { return getElementType().getIntOrFloatBitWidth(); }
  }];
}

class DF_Op<string mnemonic, list<Trait> traits = []> : Op<DF_Dialect, mnemonic, traits>;

def DF_InputOp : DF_Op<"input"> {
  let summary = "the accelerator's input stream (AXI4-Stream slave)";
  let arguments = (ins StrAttr:$tensor_name);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$tensor_name attr-dict `:` type($output)";
}

def DF_OutputOp : DF_Op<"output"> {
  let summary = "the accelerator's output stream (AXI4-Stream master)";
  let arguments = (ins DF_StreamType:$input, StrAttr:$tensor_name);
  let assemblyFormat = "$input `,` $tensor_name attr-dict `:` type($input)";
}

def DF_MvuOp : DF_Op<"mvu"> {
  let summary = "matrix-vector unit: dense layer, requantization and activation";
  let description = [{
    Computes y[n] = act(saturate(shift_round_even(bias[n] + sum_k x[k] w[n][k], shift)))
    for a frame of K inputs and N outputs with `pe` x `simd` multipliers: each output
    beat carries `pe` values; each cycle consumes `simd` inputs per PE. `act` is one
    of none, relu, sigmoid, tanh (the last two by table, see nn.lut).
  }];
  let arguments = (ins DF_StreamType:$input, ElementsAttr:$weight, ElementsAttr:$bias,
                   I64Attr:$shift, I64Attr:$acc_width, I64Attr:$simd, I64Attr:$pe,
                   StrAttr:$act,
                   OptionalAttr<I64Attr>:$t_min, OptionalAttr<I64Attr>:$t_max,
                   OptionalAttr<I64Attr>:$t_shift, OptionalAttr<ElementsAttr>:$table);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getK() { return getInput().getType().getFrameElements(); }
    int64_t getN() { return getOutput().getType().getFrameElements(); }
  }];
}

def DF_SoftmaxOp : DF_Op<"softmax"> {
  let summary = "integer softmax over one frame, one element per output beat";
  let arguments = (ins DF_StreamType:$input, I64Attr:$frac, I64Attr:$exp_shift,
                   I64Attr:$exp_frac, ElementsAttr:$exp_table);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def DF_FifoOp : DF_Op<"fifo", [AllTypesMatch<["input", "output"]>]> {
  let summary = "a FIFO of `depth` beats between two actors";
  let arguments = (ins DF_StreamType:$input, I64Attr:$depth);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

#endif // LOOM_DF_OPS
