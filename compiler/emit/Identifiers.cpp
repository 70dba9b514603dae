//===- Identifiers.cpp - legal SystemVerilog names ------------------------===//
#include "compiler/emit/Identifiers.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace loom;

bool loom::isSystemVerilogKeyword(llvm::StringRef name) {
  // Identifiers are case sensitive, so "Input" is not a keyword.
  static const llvm::StringSet<> keywords = {
      "accept_on", "alias", "always", "always_comb", "always_ff", "always_latch", "and",
      "assert", "assign", "assume", "automatic", "before", "begin", "bind", "bins", "binsof",
      "bit", "break", "buf", "bufif0", "bufif1", "byte", "case", "casex", "casez", "cell",
      "chandle", "checker", "class", "clocking", "cmos", "config", "const", "constraint",
      "context", "continue", "cover", "covergroup", "coverpoint", "cross", "deassign", "default",
      "defparam", "design", "disable", "dist", "do", "edge", "else", "end", "endcase",
      "endchecker", "endclass", "endclocking", "endconfig", "endfunction", "endgenerate",
      "endgroup", "endinterface", "endmodule", "endpackage", "endprimitive", "endprogram",
      "endproperty", "endsequence", "endspecify", "endtable", "endtask", "enum", "event",
      "eventually", "expect", "export", "extends", "extern", "final", "first_match", "for",
      "force", "foreach", "forever", "fork", "forkjoin", "function", "generate", "genvar",
      "global", "highz0", "highz1", "if", "iff", "ifnone", "ignore_bins", "illegal_bins",
      "implements", "implies", "import", "incdir", "include", "initial", "inout", "input",
      "inside", "instance", "int", "integer", "interconnect", "interface", "intersect", "join",
      "join_any", "join_none", "large", "let", "liblist", "library", "local", "localparam",
      "logic", "longint", "macromodule", "matches", "medium", "modport", "module", "nand",
      "negedge", "nettype", "new", "nexttime", "nmos", "nor", "noshowcancelled", "not", "notif0",
      "notif1", "null", "or", "output", "package", "packed", "parameter", "pmos", "posedge",
      "primitive", "priority", "program", "property", "protected", "pull0", "pull1", "pulldown",
      "pullup", "pulsestyle_ondetect", "pulsestyle_onevent", "pure", "rand", "randc", "randcase",
      "randsequence", "rcmos", "real", "realtime", "ref", "reg", "reject_on", "release",
      "repeat", "restrict", "return", "rnmos", "rpmos", "rtran", "rtranif0", "rtranif1",
      "s_always", "s_eventually", "s_nexttime", "s_until", "s_until_with", "scalared",
      "sequence", "shortint", "shortreal", "showcancelled", "signed", "small", "soft", "solve",
      "specify", "specparam", "static", "string", "strong", "strong0", "strong1", "struct",
      "super", "supply0", "supply1", "sync_accept_on", "sync_reject_on", "table", "tagged",
      "task", "this", "throughout", "time", "timeprecision", "timeunit", "tran", "tranif0",
      "tranif1", "tri", "tri0", "tri1", "triand", "trior", "trireg", "type", "typedef", "union",
      "unique", "unique0", "unsigned", "until", "until_with", "untyped", "use", "uwire", "var",
      "vectored", "virtual", "void", "wait", "wait_order", "wand", "weak", "weak0", "weak1",
      "while", "wildcard", "wire", "with", "within", "wor", "xnor", "xor"};
  return keywords.contains(name);
}

bool loom::isLegalIdentifier(llvm::StringRef name) {
  if (name.empty() || llvm::isDigit(name[0]))
    return false;
  for (char c : name)
    if (!llvm::isAlnum(c) && c != '_')
      return false;
  return !isSystemVerilogKeyword(name);
}

std::string loom::legalName(llvm::StringRef name) {
  // Runs of other characters become one '_'; leading/trailing ones vanish:
  // "<class 'keras.layers.Dense'>" -> "class_keras_layers_Dense".
  std::string out;
  for (char c : name) {
    if (llvm::isAlnum(c))
      out += c;
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  if (out.empty() || llvm::isDigit(out[0]))
    out = "n_" + out;
  // A node may be called "input", "wire", "module", ...: a keyword is not a
  // legal identifier.
  if (isSystemVerilogKeyword(out))
    out += "_i";
  return out;
}
