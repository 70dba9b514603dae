//===- RTLOps.td - the rtl (netlist) dialect ---------------*- tablegen -*-===//
//
// rtl is a structural netlist: a module whose body instantiates modules of the
// hand-written library (rtl/) with parameters, joined by nets. SSA values are
// nets (integer types give their width); nothing is procedural. Memory images
// that library modules load with $readmemh are first-class rtl.memfile ops, so
// the emitter prints every output file from the IR. See docs/dialects/rtl.md.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RTL_OPS
#define LOOM_RTL_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/IR/BuiltinAttributes.td"

def RTL_Dialect : Dialect {
  let name = "rtl";
  let cppNamespace = "::loom::rtl";
  let summary = "Netlist of library module instances";
}

class RTL_Op<string mnemonic, list<Trait> traits = []> : Op<RTL_Dialect, mnemonic, traits>;

def RTL_ModuleOp : RTL_Op<"module", [Symbol, IsolatedFromAbove, SingleBlock, HasOnlyGraphRegion,
                                    RegionKindInterface,
                                    SingleBlockImplicitTerminator<"OutputOp">]> {
  let summary = "a hardware module; block arguments are its input ports";
  let description = [{
    The body is a graph region: nets may be used before the instance that drives
    them, as ready signals flow against the data.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, StrArrayAttr:$input_names,
                   StrArrayAttr:$output_names);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    mlir::Block *getBodyBlock() { return &getBody().front(); }
    OutputOp getOutputOp();
  }];
}

def RTL_OutputOp : RTL_Op<"output", [Terminator, HasParent<"ModuleOp">]> {
  let summary = "drives the module's output ports";
  let arguments = (ins Variadic<AnySignlessInteger>:$outputs);
  let assemblyFormat = "attr-dict ($outputs^ `:` type($outputs))?";
  let builders = [OpBuilder<(ins), [{ }]>];
}

def RTL_InstanceOp : RTL_Op<"instance", [HasParent<"ModuleOp">]> {
  let summary = "an instance of a library module";
  let description = [{
    `inputs` drive the ports named by `input_names`; each result is the net driven
    by the output port of the same index in `output_names`. `parameters` maps
    parameter names to integer or string attributes.
  }];
  let arguments = (ins StrAttr:$instance_name, FlatSymbolRefAttr:$module_name,
                   DictionaryAttr:$parameters, StrArrayAttr:$input_names,
                   StrArrayAttr:$output_names, Variadic<AnySignlessInteger>:$inputs);
  let results = (outs Variadic<AnySignlessInteger>:$outputs);
  let assemblyFormat = [{
    $instance_name $module_name $parameters `(` $inputs `)` attr-dict `:`
    functional-type($inputs, $outputs)
  }];
  let hasVerifier = 1;
}

def RTL_ConstantOp : RTL_Op<"constant", [HasParent<"ModuleOp">]> {
  let summary = "a constant net (ties an input port that carries nothing)";
  let description = [{
    Printed as a sized literal in the instance's port connection, e.g. the weight-load
    bus ports of loom_mvu in a design whose weights are $readmemh ROMs.
  }];
  let arguments = (ins I64Attr:$value);
  let results = (outs AnySignlessInteger:$result);
  let assemblyFormat = "$value attr-dict `:` type($result)";
}

def RTL_MemFileOp : RTL_Op<"memfile"> {
  let summary = "a $readmemh image: one word per line of `lanes` lanes of `lane_bits` bits";
  let description = [{
    `data` is the flat list of lane values, word by word, lane 0 first (lane 0 is
    the least significant). Values are written in two's complement.
    `load_offset` (loom compile --runtime-weights): the memory is loaded at run time
    from this 32-bit word of the weight-load image (docs/CONTRACTS.md "Weight-load
    stream"); the image is not written into the RTL directory.
  }];
  let arguments = (ins StrAttr:$file_name, I64Attr:$lane_bits, I64Attr:$lanes,
                   ElementsAttr:$data, OptionalAttr<I64Attr>:$load_offset);
  let assemblyFormat = "$file_name attr-dict";
  let hasVerifier = 1;
}

#endif // LOOM_RTL_OPS
