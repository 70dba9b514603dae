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
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def DF_Dialect : Dialect {
  let name = "df";
  let cppNamespace = "::loom::df";
  let summary = "Spatial dataflow actors joined by streams";
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
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

//===----------------------------------------------------------------------===//
// Folding and activation: the typed attributes of the compute units
//===----------------------------------------------------------------------===//

def DF_FoldingAttr : AttrDef<DF_Dialect, "Folding"> {
  let mnemonic = "folding";
  let summary = "a unit's parallelism: `pe` outputs per beat, `simd` inputs per PE per cycle, "
                "`mmv` vectors per step";
  let description = [{
    Chosen by df-fold (docs/folding.md); nn-to-df creates every unit at
    `#df.folding<simd = 1, pe = 1>`. A df.pool's simd is the window positions it
    reads a beat (all channels each; simd > 1 needs pe = channels).
    `mmv` > 1 (mvu, dwu; default 1, not printed): that many lockstep copies take
    that many whole vectors a step (loom_mvu_mmv); then pe is every output and
    the streams carry mmv whole vectors / results a beat.
  }];
  let parameters = (ins "int64_t":$simd, "int64_t":$pe,
                    DefaultValuedParameter<"int64_t", "1">:$mmv);
  let builders = [
    AttrBuilder<(ins "int64_t":$simd, "int64_t":$pe), [{
      return $_get($_ctxt, simd, pe, 1);
    }]>
  ];
  let assemblyFormat = "`<` struct(params) `>`";
}

// The activation hardware a compute unit applies after requantization. The
// code the RTL's ACT parameter takes is hw::ActCode (hw_model/Configs.h),
// mapped in one place (passes/DFCost.cpp, actCodeOf). Every table activation
// (sigmoid, elu, hard_swish, ...) is the same hardware, `table`; the unit's
// `table_function` names the function (the nn op) for the IR and the report,
// so a new table activation needs no case here.
def DF_Activation : I32EnumAttr<"Activation", "activation of a df.mvu / df.dwu", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"relu", 1>, I32EnumAttrCase<"clip", 2>,
    I32EnumAttrCase<"leaky", 3>, I32EnumAttrCase<"sign", 4>, I32EnumAttrCase<"table", 5>]> {
  let cppNamespace = "::loom::df";
  let genSpecializedAttr = 0;
}

def DF_ActivationAttr : EnumAttr<DF_Dialect, DF_Activation, "act"> {
  let assemblyFormat = "`<` $value `>`";
}

def DF_FoldableOpInterface : OpInterface<"FoldableOpInterface"> {
  let cppNamespace = "::loom::df";
  let description = [{
    An actor whose parallelism df-fold chooses: its `folding` attribute and the
    sizes the folding must divide (pe | outputs, simd | reduction).
  }];
  let methods = [
    InterfaceMethod<"The current folding.", "::loom::df::FoldingAttr", "getFolding">,
    InterfaceMethod<"Replaces the folding.", "void", "setFoldingAttr",
                    (ins "::loom::df::FoldingAttr":$folding)>,
    InterfaceMethod<"Outputs of one vector or pixel (pe must divide them).", "int64_t",
                    "getFoldOutputs">,
    InterfaceMethod<"Inputs per output (simd must divide them, unless the actor folds "
                    "flat; 1: no simd).", "int64_t", "getFoldReduction">,
    InterfaceMethod<"Whether any simd up to the reduction is legal (the unit then folds "
                    "flat: a step may end one output and start the next).", "bool",
                    "foldsFlat", (ins), [{}], [{ return false; }]>,
    InterfaceMethod<"Whether the unit, at its current folding, folds flat across its "
                    "frame's vectors (loom_mvu_stream): every output a beat, one vector "
                    "a step, several vectors a frame and a simd not dividing the reduction, "
                    "so a step may end one vector and start the next (ceil(V*K/simd) steps "
                    "a frame instead of V*ceil(K/simd)).", "bool",
                    "foldsAcrossVectors", (ins), [{}], [{ return false; }]>,
  ];
  let extraSharedClassDeclaration = [{
    int64_t getSimd() { return $_op.getFolding().getSimd(); }
    int64_t getPe() { return $_op.getFolding().getPe(); }
    int64_t getMmv() { return $_op.getFolding().getMmv(); }
    void setFold(int64_t simd, int64_t pe, int64_t mmv) {
      $_op.setFoldingAttr(::loom::df::FoldingAttr::get($_op->getContext(), simd, pe, mmv));
    }
    /// Keeps mmv while pe stays every output (mmv > 1 needs it), else mmv 1.
    void setSimdPe(int64_t simd, int64_t pe) {
      setFold(simd, pe, pe == $_op.getFoldOutputs() ? getMmv() : 1);
    }
  }];
}

// df.mvu and df.dwu: the same requantization and activation stage (loom_mvu /
// loom_dwu share it), the same attributes and one builder taking ComputeParams
// (DFOps.h) instead of 16 positional attributes.
class DF_ComputeOp<string mnemonic, list<string> foldMethods = []> : DF_Op<mnemonic, [
    DeclareOpInterfaceMethods<DF_FoldableOpInterface,
                              !listconcat(["getFoldOutputs", "getFoldReduction"], foldMethods)>]> {
  let arguments = (ins DF_StreamType:$input, ElementsAttr:$weight, ElementsAttr:$bias,
                   I64Attr:$shift, I64Attr:$acc_width, DF_FoldingAttr:$folding,
                   DF_ActivationAttr:$act,
                   OptionalAttr<I64Attr>:$t_min, OptionalAttr<I64Attr>:$t_max,
                   OptionalAttr<I64Attr>:$t_shift, OptionalAttr<ElementsAttr>:$table,
                   OptionalAttr<I64Attr>:$leaky_mult, OptionalAttr<ElementsAttr>:$mult,
                   UnitAttr:$binary, OptionalAttr<DenseI64ArrayAttr>:$leaky_mults,
                   OptionalAttr<StrAttr>:$table_function, OptionalAttr<ElementsAttr>:$post_bias,
                   OptionalAttr<ConfinedAttr<I64Attr, [IntMinValue<0>, IntMaxValue<2>]>>:
                       $pipeline_stages,
                   OptionalAttr<ConfinedAttr<I64Attr, [IntMinValue<0>, IntMaxValue<1>]>>:
                       $requant_stages);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  // pipeline_stages / requant_stages: extra MAC / requantisation register stages for a
  // clock target (df-fold clock-mhz, hw_model/Timing.h; loom_mvu's PIPE / RQ_PIPE).
  // Absent: none.
  let builders = [OpBuilder<(ins "::mlir::Type":$output, "::mlir::Value":$input,
                                 "const ::loom::df::ComputeParams &":$params), [{
    buildCompute($_builder, $_state, output, input, params);
  }]>];
}

def DF_MvuOp : DF_ComputeOp<"mvu", ["foldsFlat", "foldsAcrossVectors"]> {
  let summary = "matrix-vector unit: dense layer, requantization and activation";
  let description = [{
    Computes y[n] = act(saturate(shift_round_even(bias[n] + sum_k x[k] w[n][k], shift)))
    for a frame of K inputs and N outputs with `pe` x `simd` multipliers (`folding`):
    each output beat carries `pe` values; each cycle consumes `simd` inputs per PE.
    `act` is one of none, relu, clip (t_min, t_max), leaky (LeakyRelu: leaky_mult = A,
    shift 15, docs/CONTRACTS.md), table (t_min, t_max, t_shift, table: see nn.lut;
    `table_function` names the function, e.g. sigmoid or hard_swish), sign
    (y >= 0 ? 1 : -1, a bipolar activation).
    Affine integer graphs: `mult` (one value, or one per output, each in [1, 2^24])
    multiplies the accumulator before the shift, and `post_bias` (one per output)
    is added after it: shift_round_even(acc[n] * mult[n] + post_bias[n], shift). `binary`: every weight is +1 or -1, stored as one bit (no multipliers).
    PRelu: act = leaky with `leaky_mults` (one A per output channel) instead of
    `leaky_mult` (a slope table beside the bias in loom_mvu / loom_dwu).
  }];
  let extraClassDeclaration = [{
    /// Inputs and outputs of one matrix-vector product.
    int64_t getK() { return llvm::cast<mlir::ShapedType>(getWeight().getType()).getDimSize(1); }
    int64_t getN() { return llvm::cast<mlir::ShapedType>(getWeight().getType()).getDimSize(0); }
    /// Products per frame: 1 for a dense layer, OH*OW after a sliding window.
    int64_t getVectors() { return getInput().getType().getFrameElements() / getK(); }
  }];
}

def DF_SwgOp : DF_Op<"swg"> {
  let summary = "sliding window generator: the (kh, kw, c) window of each output pixel";
  let description = [{
    Input: an H x W x C feature map (NHWC). Output: for each output pixel in
    row-major order its KH*KW*C window, padded positions = pad_value
    (docs/CONTRACTS.md, "Sliding window generator").
  }];
  let arguments = (ins DF_StreamType:$input, I64Attr:$channels, I64Attr:$height,
                   I64Attr:$width, DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$pads, I64Attr:$pad_value);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getOutHeight();
    int64_t getOutWidth();
  }];
}

def DF_DwuOp : DF_ComputeOp<"dwu", ["foldsAcrossVectors"]> {
  let summary = "depthwise convolution unit: per channel a dot product over its window";
  let description = [{
    For each window (from a df.swg, (k, c) order) of KK = weight dim 1 taps:
    y[c] = act(saturate(shift_round_even((bias[c] + sum_j x[j*C + c] w[c][j]) * mult[c],
    shift))); `folding`, `act`, `mult`, `binary` and `leaky_mults` as on df.mvu. A
    stand-alone activation (nn-to-df) is a 1x1 dwu with binary weights +1 and bias 0.
  }];
  let extraClassDeclaration = [{
    int64_t getChannels() { return llvm::cast<mlir::ShapedType>(getWeight().getType()).getDimSize(0); }
    int64_t getTaps() { return llvm::cast<mlir::ShapedType>(getWeight().getType()).getDimSize(1); }
    int64_t getVectors() { return getInput().getType().getFrameElements() / (getChannels() * getTaps()); }
  }];
}

def DF_PoolOp : DF_Op<"pool", [
    DeclareOpInterfaceMethods<DF_FoldableOpInterface, ["getFoldOutputs", "getFoldReduction"]>]> {
  let summary = "max or average over each window (from a df.swg) per channel";
  let description = [{
    avg: y = saturate(round(sum / d)) with d = `divisor` (default: taps) or the
    per-pixel `divisors`, `rounding` a nn.quantize_linear mode (loom_pool RND).
    `folding`: `pe` channels per output beat; `simd` window positions per input
    beat (1: pe channels of one position a beat; > 1: every channel of simd
    positions, pe = channels, a window in taps / simd beats).
  }];
  let arguments = (ins DF_StreamType:$input, StrAttr:$mode, I64Attr:$channels,
                   I64Attr:$taps, DF_FoldingAttr:$folding, OptionalAttr<ElementsAttr>:$divisors,
                   OptionalAttr<I64Attr>:$divisor,
                   DefaultValuedStrAttr<StrAttr, "half_even">:$rounding);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def DF_UpsampleOp : DF_Op<"upsample"> {
  let summary = "nearest-neighbour upsampling of a channels-last H x W x C map by sh x sw";
  let description = [{
    Output row oh, pixel ow is input pixel (oh / sh, ow / sw); the stream is
    (h, w, c) ordered on both sides. Lanes pass through (they divide C).
  }];
  let arguments = (ins DF_StreamType:$input, I64Attr:$channels, I64Attr:$height,
                   I64Attr:$width, I64Attr:$sh, I64Attr:$sw);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def DF_ForkOp : DF_Op<"fork", [AllTypesMatch<["input", "first", "second"]>]> {
  let summary = "copies a stream to two consumers";
  let arguments = (ins DF_StreamType:$input);
  let results = (outs DF_StreamType:$first, DF_StreamType:$second);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def DF_JoinOp : DF_Op<"join", [AllTypesMatch<["lhs", "rhs", "output"]>]> {
  let summary = "element-wise sum (mode add) or product (mode mul) of two streams, then relu if set";
  let description = [{
    add: saturate(lhs + rhs), or with `mult_lhs`, `mult_rhs` and `shift` (affine
    integer graphs): saturate(shift_round_even(lhs * mult_lhs + rhs * mult_rhs, shift)).
    mul: saturate(shift_round_even(lhs * rhs * mult, frac)), mult = 1 when absent
    (0 < mult <= 2^24). Then relu, or the clip to [t_min, t_max] (codes) when both
    bounds are set.
  }];
  let arguments = (ins DF_StreamType:$lhs, DF_StreamType:$rhs, StrAttr:$mode, I64Attr:$frac,
                   UnitAttr:$relu, OptionalAttr<I64Attr>:$mult_lhs,
                   OptionalAttr<I64Attr>:$mult_rhs, OptionalAttr<I64Attr>:$shift,
                   OptionalAttr<I64Attr>:$t_min, OptionalAttr<I64Attr>:$t_max,
                   OptionalAttr<I64Attr>:$mult);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def DF_ConcatOp : DF_Op<"concat"> {
  let summary = "per pixel, the channels of lhs then those of rhs (then relu if set)";
  let arguments = (ins DF_StreamType:$lhs, DF_StreamType:$rhs, I64Attr:$lhs_channels,
                   I64Attr:$rhs_channels, UnitAttr:$relu);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)";
  let hasVerifier = 1;
}

def DF_SoftmaxOp : DF_Op<"softmax"> {
  let summary = "integer softmax over one frame";
  let description = [{
    docs/CONTRACTS.md "Softmax". Without `pipelined`, loom_softmax: store-and-forward,
    N / in_lanes + 2N cycles per frame, one element per output beat. With it (df-fold
    sets it when the softmax is the bottleneck), loom_softmax_pipe: a frame every
    max(N / in_lanes, N / out_lanes) cycles, one divider per output lane (df-fold
    chooses the output lanes).
  }];
  let arguments = (ins DF_StreamType:$input, I64Attr:$frac, I64Attr:$exp_shift,
                   I64Attr:$exp_frac, ElementsAttr:$exp_table, UnitAttr:$pipelined);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def DF_LayerNormOp : DF_Op<"layernorm"> {
  let summary = "integer layer normalization of each row of `channels` elements, one per output beat";
  let description = [{
    The frame is rows of `channels` elements in stream order; each row is
    normalized on its own (docs/CONTRACTS.md "LayerNorm", the attributes of
    nn.qlayernorm). loom_layernorm buffers a row, computes its reciprocal
    square root in a fixed number of cycles, then emits one element per cycle.
  }];
  let arguments = (ins DF_StreamType:$input, I64Attr:$channels, I64Attr:$epsilon_codes,
                   I64Attr:$epsilon_shift, I64Attr:$pre_shift, I64Attr:$recip_bits, I64Attr:$norm_shift,
                   I64Attr:$out_shift, ElementsAttr:$gamma, ElementsAttr:$beta, I64Attr:$lo,
                   I64Attr:$hi, UnitAttr:$rms, OptionalAttr<DenseI64ArrayAttr>:$code_caps);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The numerics view of the attributes (compiler/numerics/LayerNorm.h).
    ::loom::numerics::LayerNormParams getParams();
  }];
}

def DF_RotaryOp : DF_Op<"rotary"> {
  let summary = "rotary position embedding of rows of `channels` codes, one code per output beat";
  let description = [{
    The frame is `rows` rows of `channels` codes (row t = position t, a counter
    that wraps at `rows`); each code is rotated with its partner in the same
    head of `head_dim` channels (docs/CONTRACTS.md "Rotary", the attributes of
    nn.qrotary). loom_rotary buffers a row, then emits one code per cycle from
    the cos / sin ROMs.
  }];
  let arguments = (ins DF_StreamType:$input, I64Attr:$rows, I64Attr:$channels, I64Attr:$head_dim,
                   ElementsAttr:$cos, ElementsAttr:$sin, I64Attr:$mult, I64Attr:$shift,
                   I64Attr:$lo, I64Attr:$hi);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The numerics view of the attributes (compiler/numerics/Rotary.h).
    ::loom::numerics::RotaryParams getParams();
  }];
}
def DF_EmbedOp : DF_Op<"embed"> {
  let summary = "token embedding: one id per input beat, its row of `channels` codes out";
  let description = [{
    The frame is `positions` token ids (unsigned input words, one per beat);
    id t emits row clamp(table[id] + pos[t], lo, hi) in beats of the output
    lanes (docs/CONTRACTS.md "Embedding", the attributes of nn.qembed).
    loom_embed reads the row from ROM; the position counter wraps at
    `positions`, so a frame is one sequence.
  }];
  let arguments = (ins DF_StreamType:$input, I64Attr:$vocab, I64Attr:$channels,
                   I64Attr:$positions, ElementsAttr:$table, OptionalAttr<ElementsAttr>:$pos,
                   I64Attr:$lo, I64Attr:$hi);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def DF_AttentionOp : DF_Op<"attention", [
    DeclareOpInterfaceMethods<DF_FoldableOpInterface, ["getFoldOutputs", "getFoldReduction"]>]> {
  let summary = "integer multi-head attention of three row streams q, k, v; one code per output beat";
  let description = [{
    A frame is `rows` rows of `channels` codes on each input (row t = token t;
    channel h*D + d = head h, dim d); the result is the same shape
    (docs/CONTRACTS.md "Attention", the attributes of nn.qattention).
    loom_attention stores k and v rows in its K / V memories (the KV cache)
    and, per row and head, computes the scores, the exp-weighted sums and one
    reciprocal, then emits D codes. `folding`: simd lanes of the score and
    accumulation loops over d (pe is always 1).
  }];
  let arguments = (ins DF_StreamType:$q, DF_StreamType:$k, DF_StreamType:$v, I64Attr:$rows,
                   I64Attr:$channels, I64Attr:$heads, BoolAttr:$causal, I64Attr:$exp_shift,
                   ElementsAttr:$exp_table, I64Attr:$mult, I64Attr:$shift, I64Attr:$zp,
                   I64Attr:$lo, I64Attr:$hi, DF_FoldingAttr:$folding,
                   OptionalAttr<DenseI64ArrayAttr>:$score_requant,
                   OptionalAttr<DenseI64ArrayAttr>:$prob_quant, OptionalAttr<I64Attr>:$window,
                   OptionalAttr<ElementsAttr>:$key_bias);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$q `,` $k `,` $v attr-dict `:` type($q) `,` type($k) `,` type($v) `->` type($output)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The numerics view of the attributes (compiler/numerics/Attention.h).
    ::loom::numerics::AttentionParams getParams();
  }];
}

def DF_SkidOp : DF_Op<"skid", [AllTypesMatch<["input", "output"]>]> {
  let summary = "a 2-entry register slice: the whole design of a graph without compute";
  let description = [{
    A graph whose output is its input (only quantizers, reshapes or transposes:
    the host does the rest) still needs a hardware path from the input port to
    the output port; loom_skid is that path at full throughput.
  }];
  let arguments = (ins DF_StreamType:$input);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def DF_FifoOp : DF_Op<"fifo", [AllTypesMatch<["input", "output"]>]> {
  let summary = "a FIFO of `depth` beats between two actors";
  let arguments = (ins DF_StreamType:$input, I64Attr:$depth);
  let results = (outs DF_StreamType:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

#endif // LOOM_DF_OPS
