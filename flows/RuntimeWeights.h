//===- RuntimeWeights.h - weight-load images (--runtime-weights) -*- C++ -*-===//
//
// A design compiled with --runtime-weights reads its dense, conv and depthwise
// weights and biases from the s_axis_wt port (docs/CONTRACTS.md "Weight-load
// stream"). One packer turns the loadable rtl.memfiles of a lowered design into
// that stream: `loom compile` writes the compiled model's image, `loom
// pack-weights` and `loom sim --weights` the image of another model of the same
// architecture, which is that model compiled with the options OUT/ recorded and
// refused unless its RTL is OUT/rtl byte for byte.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_FLOWS_RUNTIMEWEIGHTS_H
#define LOOM_FLOWS_RUNTIMEWEIGHTS_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loom {

struct CompileOptions;

/// The load image of a lowered design and its layout (OUT/weights/layout.json
/// "memories": name, offset, lines, line_bits, lanes, lane_bits, words_per_line).
struct WeightImage {
  std::vector<uint32_t> words;
  llvm::json::Array memories;
};

/// Packs the rtl.memfiles that carry a load_offset, in offset order: line by
/// line, each line's ceil(bits / 32) words least significant first.
WeightImage packWeightImage(mlir::ModuleOp rtlModule);

/// Writes OUT/weights/layout.json and OUT/weights/<stem>.bin for `image` into
/// `weightsDir` (created): the layout also records the compile options that
/// fix the architecture, so another model can be compiled the same way.
/// `int8`: the quantizers of an int8 architecture (flows/RuntimeInt8.h), recorded as
/// compile.int8.
llvm::Error writeWeightFiles(const std::string &weightsDir, const std::string &stem,
                             const WeightImage &image, const CompileOptions &options,
                             const std::string &top, const llvm::json::Object *int8 = nullptr);

/// Reads a .bin image (32-bit little-endian words).
llvm::Expected<std::vector<uint32_t>> readWeightImage(const std::string &path);

/// OUT's own image (OUT/weights/layout.json's `image`) and its model; nullopt when OUT
/// was compiled without --runtime-weights (no layout.json).
struct OwnWeights {
  std::string model;
  std::vector<uint32_t> image;
};
llvm::Expected<std::optional<OwnWeights>> readOwnWeights(const std::string &outDir);

/// Compiles `model` with the options recorded in OUT/weights/layout.json into
/// a scratch directory beside OUT/ and checks that its OUT/rtl equals OUT's
/// file by file; errors name the first difference. Returns the scratch
/// directory (its weights/<stem>.bin is the model's image, its nn.mlir the
/// reference with the model's weights); the caller removes it.
llvm::Expected<std::string> compileSameArchitecture(const std::string &outDir,
                                                    const std::string &model,
                                                    std::vector<std::string> &warnings);

/// `loom pack-weights OUT --weights MODEL [-o FILE]`: writes MODEL's load image
/// (default OUT/weights/<stem>.bin) and returns its path.
llvm::Expected<std::string> packWeights(const std::string &outDir, const std::string &model,
                                        std::string outFile, std::vector<std::string> &warnings);

} // namespace loom

#endif
