//===- NNOps.td - the nn (tensor graph) dialect ------------*- tablegen -*-===//
//
// nn models a neural network as a pure tensor graph inside a func.func, close
// to ONNX but normalized: one dense op instead of Gemm/MatMul/Add variants,
// constants as attributes, and, after quantization, integer tensors whose
// fixed-point scale is carried by the ops (`frac`, `shift`). See
// docs/dialects/nn.md for the rationale.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_NN_OPS
#define LOOM_NN_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "dialects/nn/NNDialect.td"
include "dialects/nn/NNCategories.td"
include "dialects/nn/NNAttrs.td"

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, !listconcat(traits, [Pure])>;

def NN_F32ElementsAttr : FloatElementsAttr<32>;
def NN_FloatTensor : RankedTensorOf<[F32]>;
def NN_IntTensor : RankedTensorOf<[AnySignlessInteger]>;
def NN_AnyTensor : RankedTensorOf<[F32, AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Float graph (as imported and normalized)
//===----------------------------------------------------------------------===//

def NN_ConstantOp : NN_Op<"constant", [ConstantLike, AllTypesMatch<["value", "result"]>]> {
  let summary = "constant tensor (an ONNX initializer)";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def NN_DenseOp : NN_Op<"dense", [NN_WeightedLayerOpInterface]> {
  let summary = "fully connected layer: y[b][n] = sum_k x[b][k] * weight[n][k] + bias[n]";
  let description = [{
    `weight` is [N, K] (output-major, like a transposed ONNX MatMul operand),
    `bias` is [N]. Input and result are rank-2, [batch, features].
  }];
  // weight_scale (quantized models, docs/CONTRACTS.md "Affine integer graphs"):
  // every weight of output n is an integer multiple of weight_scale[n] (one
  // value: all outputs). Set by the importer for QDQ / QOperator / QONNX weights
  // and by nn-insert-quant; nn-quantize recovers the integers as round(w / s).
  let arguments = (ins NN_FloatTensor:$input, NN_F32ElementsAttr:$weight, NN_F32ElementsAttr:$bias,
                   OptionalAttr<DenseF64ArrayAttr>:$weight_scale);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_AddOp : NN_Op<"add", [SameOperandsAndResultElementType]> {
  let summary = "element-wise addition with ONNX broadcasting";
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
}

def NN_MulOp : NN_Op<"mul", [SameOperandsAndResultElementType]> {
  let summary = "element-wise multiplication with ONNX broadcasting";
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
}

def NN_BatchNormOp : NN_Op<"batch_norm", [SameOperandsAndResultType]> {
  let summary = "inference batch normalization over dimension 1";
  let arguments = (ins NN_FloatTensor:$input, NN_F32ElementsAttr:$scale, NN_F32ElementsAttr:$bias,
                   NN_F32ElementsAttr:$mean, NN_F32ElementsAttr:$variance, F32Attr:$epsilon);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def NN_IdentityOp : NN_Op<"identity", [SameOperandsAndResultType, NN_LayoutOnly]> {
  let summary = "identity (ONNX Identity, inference-mode Dropout)";
  let arguments = (ins NN_AnyTensor:$input);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasFolder = 1;
}

def NN_ReshapeOp : NN_Op<"reshape", [NN_LayoutOnly]> {
  let summary = "reshape keeping the flat element order (Flatten, Reshape, Squeeze, ...)";
  let arguments = (ins NN_AnyTensor:$input);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

class NN_UnaryOp<string mnemonic, string what, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat([SameOperandsAndResultType], traits)> {
  let summary = what;
  let arguments = (ins NN_AnyTensor:$input);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0), on floats or integers",
                           [NN_ElementwiseActivation, NN_FusableActivation]>;
def NN_SignOp : NN_UnaryOp<"sign", "x >= 0 ? 1 : -1 on integers (a bipolar activation)",
                           [NN_ElementwiseActivation, NN_FusableActivation]>;

// A float activation that quantized graphs compute by a table
// (NN_TableActivationOpInterface, NNCategories.td): `function` is its value at
// the double `x` (C++, may read the op's attributes), `domain` the real
// interval a fixed-point table covers (std::nullopt: the input format's whole
// range, for functions unbounded there).
class NN_TableActivationOp<string mnemonic, string what, dag attrs, string function,
                           string domain = "std::nullopt">
    : NN_Op<mnemonic, [SameOperandsAndResultType, NN_ElementwiseActivation,
                       NN_TableActivationOpInterface]> {
  let summary = what;
  let arguments = !con((ins NN_FloatTensor:$input), attrs);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let extraClassDeclaration = [{
    /// The float function (TableActivationOpInterface).
    double evaluate(double x) { return }] # function # [{; }
    /// The domain of its fixed-point table (TableActivationOpInterface).
    std::optional<std::pair<double, double>> getTableDomain() { return }] # domain # [{; }
  }];
}

def NN_SigmoidOp : NN_TableActivationOp<"sigmoid", "1 / (1 + exp(-x)), float", (ins),
    "1.0 / (1.0 + std::exp(-x))", "std::make_pair(-8.0, 8.0)">;
def NN_TanhOp : NN_TableActivationOp<"tanh", "tanh(x), float", (ins),
    "std::tanh(x)", "std::make_pair(-4.0, 4.0)">;
def NN_EluOp : NN_TableActivationOp<"elu",
    "x >= 0 ? x : alpha * (exp(x) - 1), float (ONNX Elu)", (ins F64Attr:$alpha),
    "x >= 0 ? x : getAlpha().convertToDouble() * std::expm1(x)">;
def NN_SeluOp : NN_TableActivationOp<"selu",
    "gamma * (x > 0 ? x : alpha * (exp(x) - 1)), float (ONNX Selu)",
    (ins F64Attr:$alpha, F64Attr:$gamma),
    "getGamma().convertToDouble() * (x >= 0 ? x : getAlpha().convertToDouble() * std::expm1(x))">;
// Flat outside [-beta / alpha, (1 - beta) / alpha]; one unit of margin on each
// side keeps the table's edge buckets on the flat parts.
def NN_HardSigmoidOp : NN_TableActivationOp<"hard_sigmoid",
    "max(0, min(1, alpha * x + beta)), float (ONNX HardSigmoid)",
    (ins F64Attr:$alpha, F64Attr:$beta),
    "std::max(0.0, std::min(1.0, getAlpha().convertToDouble() * x + getBeta().convertToDouble()))",
    [{[this]() -> std::optional<std::pair<double, double>> {
      double a = getAlpha().convertToDouble(), b = getBeta().convertToDouble();
      if (a == 0)
        return std::nullopt;
      double lo = -b / a, hi = (1 - b) / a;
      return std::make_pair(std::min(lo, hi) - 1, std::max(lo, hi) + 1);
    }()}]>;
def NN_HardSwishOp : NN_TableActivationOp<"hard_swish",
    "x * max(0, min(1, x / 6 + 1 / 2)), float (ONNX HardSwish)", (ins),
    "x * std::max(0.0, std::min(1.0, x / 6 + 0.5))">;

// GELU as transformers use it: exact (erf) or the tanh approximation of
// GPT-2 / BERT's gelu_new (ONNX Gelu-20 `approximate`, com.microsoft Gelu and
// FastGelu). Near zero below -6 but not flat: the table covers the input format.
def NN_GeluOp : NN_TableActivationOp<"gelu",
    "0.5 x (1 + erf(x / sqrt 2)), or with approximate = \"tanh\" "
    "0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), float",
    (ins StrAttr:$approximate),
    [{getApproximate() == "tanh"
          ? 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))
          : 0.5 * x * (1.0 + std::erf(x * 0.7071067811865476))}]>;
// x * sigmoid(alpha x): SiLU / Swish with alpha 1 (PyTorch's x * Sigmoid(x)),
// com.microsoft QuickGelu with its alpha (1.702 by default).
def NN_SwishOp : NN_TableActivationOp<"swish", "x * sigmoid(alpha * x), float",
    (ins F64Attr:$alpha),
    "x / (1.0 + std::exp(-getAlpha().convertToDouble() * x))">;

def NN_LeakyReluOp : NN_Op<"leaky_relu", [SameOperandsAndResultType, NN_ElementwiseActivation,
                                          NN_FusableActivation]> {
  let summary = "x >= 0 ? x : alpha * x (ONNX LeakyRelu; PRelu)";
  let description = [{
    On floats: x >= 0 ? x : alpha * x. On integers (after nn-quantize) `mult`
    and `shift` are set: y >= 0 ? y : saturate(shift_round_even(y * mult, shift))
    with shift = 15 and mult = round_half_even(alpha * 2^15) (docs/CONTRACTS.md).
    Per-channel slopes (ONNX PRelu with a [C], [C,1] or [C,1,1] slope): `alphas`
    holds one slope per channel (axis 1; rank >= 2) and `alpha` is not used (the
    importer sets it to 0); on integers `mults` (one per channel, same rule)
    replaces `mult`.
  }];
  let arguments = (ins NN_AnyTensor:$input, F64Attr:$alpha, OptionalAttr<I64Attr>:$mult,
                   OptionalAttr<I64Attr>:$shift, OptionalAttr<DenseF64ArrayAttr>:$alphas,
                   OptionalAttr<DenseI64ArrayAttr>:$mults);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def NN_SoftmaxOp : NN_Op<"softmax", [SameOperandsAndResultType]> {
  let summary = "softmax over the last axis (float)";
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}


def NN_LayerNormOp : NN_Op<"layernorm", [SameOperandsAndResultType]> {
  let summary = "layer normalization over the last axis (float, ONNX LayerNormalization)";
  let description = [{
    Each row of the last axis (C elements) is normalized on its own:
    y = (x - mean) / sqrt(var + epsilon) * gamma + beta (population variance),
    gamma and beta one per channel (beta 0 when the model has none). The
    importer builds it from LayerNormalization (axis = -1) and from the
    ReduceMean / Sub / Pow / Sqrt / Div chain PyTorch exports before opset 17.
    `rms` (RMSNorm, Llama / T5): no mean subtraction, beta 0:
    y = x / sqrt(mean(x^2) + epsilon) * gamma.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_F32ElementsAttr:$gamma, NN_F32ElementsAttr:$beta,
                   F32Attr:$epsilon, UnitAttr:$rms);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def NN_EmbedOp : NN_Op<"embed"> {
  let summary = "token embedding: a row of a constant table per token id (ONNX Gather)";
  let description = [{
    `ids` holds token ids (integers in f32; exact below 2^24), any shape of T
    elements; the result is ids' shape + [C]: row t = table[ids[t]] (+ pos[t]
    when the model adds learned position embeddings right after the lookup).
    `table` is [V, C], `pos` [T, C]. An id outside [0, V) is an error. The
    importer builds it from Gather(constant [V, C], ids, axis = 0) whose ids
    come from an integer graph input (docs/CONTRACTS.md "Embedding").
  }];
  let arguments = (ins NN_FloatTensor:$ids, NN_F32ElementsAttr:$table,
                   OptionalAttr<NN_F32ElementsAttr>:$pos);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$ids attr-dict `:` type($ids) `->` type($result)";
  let hasVerifier = 1;
}

def NN_AttentionOp : NN_Op<"attention", [AllTypesMatch<["q", "k", "v", "result"]>]> {
  let summary = "multi-head scaled-dot-product attention on row-layout q, k, v (float)";
  let description = [{
    q, k, v and the result are [T, C] with C = heads * D (row t = token t,
    channel h*D + d = head h, dim d). For each head h and row t: s_j = scale *
    sum_d q[t, hD+d] k[j, hD+d] over j <= t when `causal`, else j < T;
    p = softmax(s); result[t, hD+d] = sum_j p_j v[j, hD+d]. The importer fuses
    exporters' MatMul -> [scale] -> [mask] -> Softmax -> MatMul chains into it
    (compiler/nnimport/FuseAttention.cpp). A QDQ export's quantizers inside
    the chain stay: `score_quant` on q k^T before the scale, `prob_quant` on p.
    `window` W (causal only): row t attends to rows t - W < j <= t (a sliding
    window). `key_bias` [H, T] (ALiBi): s_j += key_bias[h, j] after the scale.
  }];
  let arguments = (ins NN_FloatTensor:$q, NN_FloatTensor:$k, NN_FloatTensor:$v, I64Attr:$heads,
                   F64Attr:$scale, BoolAttr:$causal, OptionalAttr<NN_QuantizerAttr>:$score_quant,
                   OptionalAttr<NN_QuantizerAttr>:$prob_quant, OptionalAttr<I64Attr>:$window,
                   OptionalAttr<ElementsAttr>:$key_bias);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$q `,` $k `,` $v attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolutional graph (NCHW, ONNX semantics; batch 1)
//===----------------------------------------------------------------------===//

def NN_RotaryOp : NN_Op<"rotary", [SameOperandsAndResultType]> {
  let summary = "rotary position embedding on [T, C] rows (float, HF apply_rotary_pos_emb)";
  let description = [{
    input and result are [T, C] (row t = position t, channel c = h*D + d,
    D = head_dim): result[t, c] = x[t, c] * cos[t, c] + x[t, p(c)] * sin[t, c]
    with the partner p(c) = h*D + (d + D/2) mod D and sin already signed
    (-sin for d < D/2: rotate_half is [-x2, x1]). The importer builds it from
    exporters' x * cos + rotate_half(x) * sin on the q / k heads of an
    attention (compiler/nnimport/FuseRotary.cpp).
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$head_dim, NN_F32ElementsAttr:$cos,
                   NN_F32ElementsAttr:$sin);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def NN_ConvOp : NN_Op<"conv", [NN_SpatialWindow, NN_WeightedLayerOpInterface]> {
  let summary = "2-D convolution, NCHW, OIHW weights, explicit pads (1-D is H = 1)";
  let arguments = (ins NN_FloatTensor:$input, NN_F32ElementsAttr:$weight,
                   NN_F32ElementsAttr:$bias, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$pads, I64Attr:$group,
                   OptionalAttr<DenseF64ArrayAttr>:$weight_scale);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_QConvOp : NN_Op<"qconv", [NN_SpatialWindow]> {
  let summary = "integer convolution with requantization (docs/CONTRACTS.md)";
  let arguments = (ins NN_IntTensor:$input, ElementsAttr:$weight, ElementsAttr:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$pads, I64Attr:$group, I64Attr:$shift, I64Attr:$acc_width,
                   OptionalAttr<ElementsAttr>:$mult, OptionalAttr<ElementsAttr>:$post_bias);
  let results = (outs NN_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_MaxPoolOp : NN_Op<"max_pool", [NN_SpatialWindow, NN_FormatPreserving]> {
  let summary = "max over each window of valid positions (NCHW)";
  let arguments = (ins NN_AnyTensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$pads);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_AvgPoolOp : NN_Op<"avg_pool", [NN_SpatialWindow, NN_FormatPreserving]> {
  let summary = "average over each window; on integers rounded half to even (docs/CONTRACTS.md)";
  let description = [{
    On integers y = saturate(round(sum / d)), d = the window's position count
    (or its valid positions when count_include_pad is false). `divisor` and
    `rounding` (integers only; set by the affine lowering of a QONNX Trunc)
    replace d and the rounding (a nn.quantize_linear mode): the sum-and-shift
    of Brevitas' TruncAvgPool, y = floor(sum / 2^k).
  }];
  let arguments = (ins NN_AnyTensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   BoolAttr:$count_include_pad, OptionalAttr<I64Attr>:$divisor,
                   DefaultValuedStrAttr<StrAttr, "half_even">:$rounding);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_PadOp : NN_Op<"pad", [NN_SpatialWindow, NN_FormatPreserving]> {
  let summary = "zero padding of H and W: pads = [top, left, bottom, right]";
  let arguments = (ins NN_AnyTensor:$input, DenseI64ArrayAttr:$pads);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def NN_ResizeOp : NN_Op<"resize", [NN_SpatialWindow, NN_FormatPreserving]> {
  let summary = "nearest-neighbour upsampling of H and W by integer factors scales = [sh, sw] (NCHW)";
  let description = [{
    y[n][c][h][w] = x[n][c][h / sh][w / sw]: pure data movement (floats or codes).
  }];
  let arguments = (ins NN_AnyTensor:$input, DenseI64ArrayAttr:$scales);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_ClipOp : NN_Op<"clip", [SameOperandsAndResultType, NN_ElementwiseActivation,
                                NN_FusableActivation]> {
  let summary = "min(max(x, min), max); on integers the bounds are codes";
  let arguments = (ins NN_AnyTensor:$input, F64Attr:$min, F64Attr:$max);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def NN_TransposeOp : NN_Op<"transpose", [NN_FormatPreserving]> {
  let summary = "permutes dimensions (moves data unless only size-1 dims move)";
  let arguments = (ins NN_AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def NN_ConcatOp : NN_Op<"concat", [NN_ActivationJoin]> {
  let summary = "concatenation of two tensors along `axis`";
  let arguments = (ins NN_AnyTensor:$lhs, NN_AnyTensor:$rhs, I64Attr:$axis);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
}

def NN_MulActOp : NN_Op<"mul_act", [SameOperandsAndResultType, NN_ActivationJoin,
                                      NN_ElementwiseJoin]> {
  let summary = "product of two activations of the same shape; on integers saturate(shift_round_even(a*b*mult, frac))";
  let description = [{
    Floats: lhs * rhs. Integers: saturate(shift_round_even(lhs * rhs * mult, frac)),
    mult = 1 when absent (fixed point: frac = F_lhs + F_rhs - F_out); affine integer
    graphs (a gated MLP in int8) requantize with mult * 2^-frac ~ s_lhs * s_rhs / s_out.
  }];
  let arguments = (ins NN_AnyTensor:$lhs, NN_AnyTensor:$rhs, I64Attr:$frac,
                   OptionalAttr<I64Attr>:$mult);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def NN_AddActOp : NN_Op<"add_act", [SameOperandsAndResultType, NN_ActivationJoin,
                                      NN_ElementwiseJoin]> {
  let summary = "sum of two activations of the same shape (a residual join); saturating on integers";
  let description = [{
    Floats: lhs + rhs. Integers: saturate(lhs + rhs), or with `mult_lhs`,
    `mult_rhs` and `shift` (affine integer graphs, QLinearAdd):
    saturate(shift_round_even(lhs * mult_lhs + rhs * mult_rhs, shift)).
  }];
  let arguments = (ins NN_AnyTensor:$lhs, NN_AnyTensor:$rhs, OptionalAttr<I64Attr>:$mult_lhs,
                   OptionalAttr<I64Attr>:$mult_rhs, OptionalAttr<I64Attr>:$shift);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Quantization on the float graph (QDQ, QOperator, QONNX, post-training int8).
// Integers are held in f32; nn-quantize turns these graphs into integer ops.
//===----------------------------------------------------------------------===//

def NN_QuantizeLinearOp : NN_Op<"quantize_linear", [SameOperandsAndResultType]> {
  let summary = "y = clamp(round(x / scale) + zero_point, qmin, qmax), an integer held in f32";
  let description = [{
    ONNX QuantizeLinear, and the first half of a QONNX Quant. x / scale is
    computed in f32 as ONNX does; `rounding` is one of half_even (ONNX, QONNX
    ROUND), half_up, half_down, floor, ceil, to_zero. `bipolar` (QONNX
    BipolarQuant): y = x >= 0 ? 1 : -1, qmin = -1, qmax = 1. `scale` and
    `zero_point` hold one value or one per index of dimension `axis`.
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseF64ArrayAttr:$scale,
                   DenseI64ArrayAttr:$zero_point, I64Attr:$axis, I64Attr:$qmin, I64Attr:$qmax,
                   DefaultValuedStrAttr<StrAttr, "half_even">:$rounding, UnitAttr:$bipolar);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def NN_TruncOp : NN_Op<"trunc", [SameOperandsAndResultType]> {
  let summary = "QONNX Trunc (zero point 0): a quantized tensor's codes shifted right";
  let description = [{
    y = clamp(rnd(round_half_even(f32(x) / f32(scale)) / 2^shift), qmin, qmax) *
    out_scale, with `rounding` a nn.quantize_linear mode (QONNX's default FLOOR).
    QONNX Trunc v1: shift = in_bit_width - out_bit_width, out_scale = scale, no
    clamp (qmin / qmax = -+2^53); v2: shift = round(log2(out_scale / scale)) and
    the output bit width's range.
  }];
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$scale, I64Attr:$shift,
                   I64Attr:$qmin, I64Attr:$qmax, StrAttr:$rounding, F64Attr:$out_scale);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def NN_DequantizeLinearOp : NN_Op<"dequantize_linear", [SameOperandsAndResultType]> {
  let summary = "y = (x - zero_point) * scale, x an integer held in f32";
  let description = [{
    ONNX DequantizeLinear on an activation, and the second half of a QONNX Quant.
    Per-axis like nn.quantize_linear.
  }];
  let arguments = (ins NN_FloatTensor:$input, DenseF64ArrayAttr:$scale,
                   DenseI64ArrayAttr:$zero_point, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantized graph: integers with fixed-point scales (docs/CONTRACTS.md)
//===----------------------------------------------------------------------===//

def NN_QuantizeOp : NN_Op<"quantize"> {
  let summary = "host-side input quantization: float frame -> integer stream words";
  let description = [{
    Fixed-point form (no `scale`): q = saturate(round_half_even(x * 2^frac)) to
    the result's width.
    Affine form (`scale` set, `frac` = 0; docs/CONTRACTS.md "Affine integer
    graphs"): q = clamp(round(x / scale) + zero_point, qmin, qmax) with the
    rounding mode `rounding` (default half_even); `bipolar`: q = x >= 0 ? 1 : -1;
    `integer_input` (the graph input already holds integers): q = clamp(x, qmin,
    qmax). The result is the centered code c = q - zero_point. `scale` and
    `zero_point` hold one value or one per index of dimension `axis`.
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$frac,
                   OptionalAttr<DenseF64ArrayAttr>:$scale, OptionalAttr<DenseI64ArrayAttr>:$zero_point,
                   OptionalAttr<I64Attr>:$axis, OptionalAttr<I64Attr>:$qmin, OptionalAttr<I64Attr>:$qmax,
                   OptionalAttr<StrAttr>:$rounding, UnitAttr:$bipolar, UnitAttr:$integer_input);
  let results = (outs NN_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_DequantizeOp : NN_Op<"dequantize"> {
  let summary = "host-side output dequantization: integer stream words -> float frame";
  let description = [{
    Fixed-point form: x = q * 2^-frac. Affine form (`scale` set, `frac` = 0):
    x = c * scale for the centered code c; `integer_output` (the graph output is
    an integer tensor): x = c + zero_point. Per-axis like nn.quantize.
  }];
  let arguments = (ins NN_IntTensor:$input, I64Attr:$frac,
                   OptionalAttr<DenseF64ArrayAttr>:$scale, OptionalAttr<DenseI64ArrayAttr>:$zero_point,
                   OptionalAttr<I64Attr>:$axis, UnitAttr:$integer_output);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_QDenseOp : NN_Op<"qdense"> {
  let summary = "integer dense layer with requantization";
  let description = [{
    acc[n] = bias[n] + sum_k x[k] * weight[n][k], exact in `acc_width` bits;
    y[n] = saturate(shift_round_even(acc[n] * mult[n], shift)) to the result width;
    without `mult` (fixed-point graphs) mult[n] = 1. `mult` holds one value or one
    per output (affine integer graphs, docs/CONTRACTS.md), each in [1, 2^24].
    `post_bias` (one per output, absent: 0) is added after the multiply:
    shift_round_even(acc[n] * mult[n] + post_bias[n], shift). It carries the part
    of a folded float bias (a BatchNormalization between a quantized layer and its
    quantizer) that is not a whole accumulator step. qconv has the same rule.
  }];
  let arguments = (ins NN_IntTensor:$input, ElementsAttr:$weight, ElementsAttr:$bias,
                   I64Attr:$shift, I64Attr:$acc_width, OptionalAttr<ElementsAttr>:$mult,
                   OptionalAttr<ElementsAttr>:$post_bias);
  let results = (outs NN_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_LutOp : NN_Op<"lut", [SameOperandsAndResultType, NN_ElementwiseActivation,
                              NN_FusableActivation]> {
  let summary = "activation by table: y = table[(clamp(x, t_min, t_max) >> t_shift) - (t_min >> t_shift)]";
  let description = [{
    `function` names the table activation op it computes ("sigmoid" for
    nn.sigmoid: any op with the TableActivationOpInterface), or is "table"
    (any element-wise function between two affine quantizers).
  }];
  let arguments = (ins NN_IntTensor:$input, StrAttr:$function, I64Attr:$t_min, I64Attr:$t_max,
                   I64Attr:$t_shift, ElementsAttr:$table);
  let results = (outs NN_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def NN_QSoftmaxOp : NN_Op<"qsoftmax", [SameOperandsAndResultType]> {
  let summary = "integer softmax over the last axis with an exp table (docs/CONTRACTS.md)";
  let arguments = (ins NN_IntTensor:$input, I64Attr:$frac, I64Attr:$exp_shift,
                   I64Attr:$exp_frac, ElementsAttr:$exp_table);
  let results = (outs NN_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def NN_QLayerNormOp : NN_Op<"qlayernorm"> {
  let summary = "integer layer normalization over the last axis (docs/CONTRACTS.md LayerNorm)";
  let description = [{
    Per row of C codes: S1 = sum c, S2 = sum c^2, q = isqrt(((C*S2 - S1^2) <<
    2*pre_shift) + (epsilon_codes << (2*pre_shift - epsilon_shift))),
    r = floor(2^recip_bits / q); per channel i
    u = shift_round_even((C*c_i - S1) * r, norm_shift), y = clamp(
    shift_round_even(u * gamma[i] + beta[i], out_shift), lo, hi). gamma and
    beta are integers (the float constants over the output scale). `rms`
    (RMSNorm): S1 is taken as 0 (D = C*S2, t_i = C*c_i). `code_caps`
    (--runtime-weights): the largest |gamma| and |beta| codes the architecture
    admits, which size the hardware instead of these values.
  }];
  let arguments = (ins NN_IntTensor:$input, I64Attr:$epsilon_codes, I64Attr:$epsilon_shift,
                   I64Attr:$pre_shift,
                   I64Attr:$recip_bits, I64Attr:$norm_shift, I64Attr:$out_shift,
                   ElementsAttr:$gamma, ElementsAttr:$beta, I64Attr:$lo, I64Attr:$hi,
                   UnitAttr:$rms, OptionalAttr<DenseI64ArrayAttr>:$code_caps);
  let results = (outs NN_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The numerics view of the attributes (compiler/numerics/LayerNorm.h).
    ::loom::numerics::LayerNormParams getParams();
  }];
}

def NN_QEmbedOp : NN_Op<"qembed"> {
  let summary = "integer embedding: y[t] = clamp(table[id_t] + pos[t], lo, hi) (docs/CONTRACTS.md)";
  let description = [{
    `ids` are unsigned token ids (the input word read as unsigned); `table`
    [V, C] and `pos` [T, C] (optional) hold codes of the output format.
  }];
  let arguments = (ins NN_IntTensor:$ids, ElementsAttr:$table, OptionalAttr<ElementsAttr>:$pos,
                   I64Attr:$lo, I64Attr:$hi);
  let results = (outs NN_IntTensor:$result);
  let assemblyFormat = "$ids attr-dict `:` type($ids) `->` type($result)";
  let hasVerifier = 1;
}

def NN_QRotaryOp : NN_Op<"qrotary"> {
  let summary = "integer rotary embedding (docs/CONTRACTS.md Rotary)";
  let description = [{
    acc = x[t, c] * cos[t, c] + x[t, p(c)] * sin[t, c] (exact; table codes with
    14 fraction bits), y = clamp(shift_round_even(acc * mult, shift), lo, hi).
    Input and result [T, C] codes.
  }];
  let arguments = (ins NN_IntTensor:$input, I64Attr:$head_dim, ElementsAttr:$cos,
                   ElementsAttr:$sin, I64Attr:$mult, I64Attr:$shift, I64Attr:$lo, I64Attr:$hi);
  let results = (outs NN_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The numerics view of the attributes (compiler/numerics/Rotary.h).
    ::loom::numerics::RotaryParams getParams();
  }];
}

def NN_QAttentionOp : NN_Op<"qattention"> {
  let summary = "integer multi-head attention (docs/CONTRACTS.md Attention)";
  let description = [{
    Per row t and head h: a_j = sum_d q k (exact), e_j = exp_table[min((max a -
    a_j) >>> exp_shift, depth - 1)], S = sum e_j, u_d = sum e_j v_{j,d},
    r = floor(2^40 / S), w_d = shift_round_even(u_d * r, 32), y_d = clamp(
    shift_round_even(w_d * mult, shift) + zp, lo, hi). Operands and result
    [T, C] codes; `causal` limits row t to j <= t. The model's own quantizers
    (numerics::ScoreRequant / ProbQuant): `score_requant` = [mult, shift, lo,
    hi] turns a_j into score codes first; `prob_quant` = [pm, pk, lo, hi]
    makes probability codes pc_j = clamp(shift_round_even(e_j floor(pm 2^pk /
    S), 40), lo, hi) and y_d = clamp(shift_round_even(sum pc_j v_{j,d} * mult,
    shift) + zp, lo, hi). `window` W: causal rows t - W < j <= t only.
    `key_bias` [H, T] codes at the exp table's scale (ALiBi): a_j += key_bias[h, j]
    (after score_requant) before the max.
  }];
  let arguments = (ins NN_IntTensor:$q, NN_IntTensor:$k, NN_IntTensor:$v, I64Attr:$heads,
                   BoolAttr:$causal, I64Attr:$exp_shift, ElementsAttr:$exp_table, I64Attr:$mult,
                   I64Attr:$shift, I64Attr:$zp, I64Attr:$lo, I64Attr:$hi,
                   OptionalAttr<DenseI64ArrayAttr>:$score_requant,
                   OptionalAttr<DenseI64ArrayAttr>:$prob_quant, OptionalAttr<I64Attr>:$window,
                   OptionalAttr<ElementsAttr>:$key_bias);
  let results = (outs NN_IntTensor:$result);
  let assemblyFormat = "$q `,` $k `,` $v attr-dict `:` type($q) `,` type($k) `,` type($v) `->` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The numerics view of the attributes (compiler/numerics/Attention.h).
    ::loom::numerics::AttentionParams getParams();
  }];
}

#endif // LOOM_NN_OPS
