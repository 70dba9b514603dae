//===- Identifiers.h - legal SystemVerilog names ----------------*- C++ -*-===//
//
// The emitter owns what a SystemVerilog identifier may be: df-to-rtl names
// the top module and its instances with legalName(), and the emitter refuses
// a netlist whose names are not legal (isLegalIdentifier).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_EMIT_IDENTIFIERS_H
#define LOOM_COMPILER_EMIT_IDENTIFIERS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace loom {

/// Whether `name` is a SystemVerilog keyword (IEEE 1800-2017 Annex B).
bool isSystemVerilogKeyword(llvm::StringRef name);

/// Whether `name` is a simple identifier Loom emits: [A-Za-z_][A-Za-z0-9_]*,
/// not a keyword.
bool isLegalIdentifier(llvm::StringRef name);

/// A legal SystemVerilog identifier for a node: [A-Za-z_][A-Za-z0-9_]*, never a
/// keyword ("wire" -> "wire_i").
std::string legalName(llvm::StringRef name);

/// The AXI4-Stream port prefixes of the top for graph ends named `tensors`
/// (`base` is "s_axis" or "m_axis"): a graph's only input / output keeps the
/// plain name; with several, each is base + "_" + legalName(tensor), made
/// unique with "_2", "_3", ... (docs/CONTRACTS.md, "Top module").
std::vector<std::string> streamPortNames(llvm::StringRef base,
                                         llvm::ArrayRef<std::string> tensors);

} // namespace loom

#endif
