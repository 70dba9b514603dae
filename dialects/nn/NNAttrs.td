//===- NNAttrs.td - typed attributes of the nn dialect ------*- tablegen -*-===//
//
// Number formats as typed attributes instead of "fixed<16,6>" strings passed
// through the compiler (issue 11). Parser, printer and verifier in NNAttrs.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_NN_ATTRS
#define LOOM_NN_ATTRS

include "mlir/IR/AttrTypeBase.td"
include "dialects/nn/NNDialect.td"

def NN_FixedFormatAttr : AttrDef<NN_Dialect, "FixedFormat"> {
  let mnemonic = "fixed";
  let summary = "fixed-point number format fixed<W, I> (docs/CONTRACTS.md)";
  let description = [{
    A W-bit two's complement integer q (or unsigned, `#nn.fixed<W, I, unsigned>`)
    with real value q * 2^-F, F = W - I fractional bits; I counts the sign bit
    and may be zero or negative. Syntax: `#nn.fixed<16, 6>`. Signed formats
    follow numerics::FixedFormat's rules: 2 <= W <= 32, I <= W, F <= 62.

    nn-quantize parses its `precision` option into this attribute once. It is
    the per-tensor format: a pass choosing one format per tensor records it as
    the `format` attribute of the op defining the value (kFormatAttr); the
    `frac` of the fixed-point ops is getFrac() of that format.
  }];
  let parameters = (ins "unsigned":$width, "int":$intBits,
                        DefaultValuedParameter<"bool", "true">:$isSigned);
  let builders = [
    AttrBuilder<(ins "const ::loom::numerics::FixedFormat &":$format), [{
      return $_get($_ctxt, unsigned(format.width), format.intBits, true);
    }]>,
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// F = W - I: the binary point of the codes.
    int getFrac() const { return int(getWidth()) - getIntBits(); }
    /// The numerics library's view (signed formats only).
    ::loom::numerics::FixedFormat getFormat() const {
      ::loom::numerics::FixedFormat f;
      f.width = int(getWidth());
      f.intBits = getIntBits();
      return f;
    }
  }];
}

def NN_QuantizerAttr : AttrDef<NN_Dialect, "Quantizer"> {
  let mnemonic = "quantizer";
  let summary = "a model's per-tensor quantizer inside a fused op (QuantizeLinear -> "
                "DequantizeLinear)";
  let description = [{
    x -> (clamp(round_half_even(x / scale) + zero_point, qmin, qmax) - zero_point)
    * scale, as ONNX's QuantizeLinear and DequantizeLinear in f32. nn.attention
    carries the quantizers a QDQ export puts on its scores and probabilities
    (docs/CONTRACTS.md "Attention"). Syntax:
    `#nn.quantizer<scale = 0.0039 : f64, zero_point = 0, qmin = 0, qmax = 255>`.
  }];
  let parameters = (ins "::mlir::FloatAttr":$scale, "int64_t":$zero_point, "int64_t":$qmin,
                    "int64_t":$qmax);
  let extraClassDeclaration = [{
    double getScaleValue() const { return getScale().getValueAsDouble(); }
  }];
  let assemblyFormat = "`<` struct(params) `>`";
}

#endif // LOOM_NN_ATTRS
