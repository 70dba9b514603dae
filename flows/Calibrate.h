//===- Calibrate.h - activation ranges for --precision int8 -----*- C++ -*-===//
//
// Post-training int8 needs each activation's range. The compile flow runs the float
// reference interpreter over calibration frames, records every tensor's
// [min, max] as a `loom.calib` attribute (what nn-insert-quant reads), and
// afterwards measures the quantized graph against the float one on the
// calibration frames and on held-out frames it did not calibrate on.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_FLOWS_CALIBRATE_H
#define LOOM_FLOWS_CALIBRATE_H

#include "compiler/interp/Interpreter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// Frames of a graph: per frame, every graph input's values flattened, one
/// input after the other in argument order (a model with one input: its
/// values). Output frames likewise hold every graph output, in result order.
using Frames = std::vector<std::vector<double>>;

/// The values of one frame of every input of `func`.
int64_t inputElements(mlir::func::FuncOp func);
/// A frame split into the interpreter's per-argument arrays, and back.
std::vector<std::vector<double>> splitInputs(mlir::func::FuncOp func,
                                             const std::vector<double> &frame);
std::vector<double> joinOutputs(const FrameResult &result);

/// The frames `loom sim --random` feeds: uniform in [-2, 2) from mt19937_64.
Frames randomFrames(int64_t elements, int64_t count, uint64_t seed);

/// Random-normal frames (mean 0, deviation 1, rounded to f32): what
/// --precision auto calibrates on without --calib, the inputs of a model
/// trained on standardized data.
Frames normalFrames(int64_t elements, int64_t count, uint64_t seed);

/// Without --calib: kDefaultCalibFrames random frames (seed 1, the frames
/// `loom run --random` starts with) calibrate, kDefaultHeldOutFrames more
/// (seed 2) are held out. With --calib X.npy (X.npz: one array per graph input
/// name): the first 80% calibrate, the rest are held out.
constexpr int64_t kDefaultCalibFrames = 64, kDefaultHeldOutFrames = 16;

struct Calibration {
  std::string source;              ///< "X.npy" or "random"
  Frames calib, heldOut;           ///< input frames
  Frames calibFloat, heldOutFloat; ///< the float graph's outputs on them
};

/// Loads the frames, runs the float graph over the calibration part and
/// attaches `loom.calib` ranges to `func`'s arguments and ops. Errors name the
/// file and say what shape was expected. Without a file: uniform frames
/// (int8), or random-normal ones when `normal` (auto).
llvm::Expected<Calibration> calibrate(mlir::func::FuncOp func, const std::string &calibNpy,
                                      bool normal = false);

/// Error of a quantized graph's outputs against the float ones.
struct Accuracy {
  double maxAbsError = 0, meanAbsError = 0, top1Agreement = 1;
  /// Of a first output [..., R, V] with R, V >= 2 (an LM's logits [1, T, V]): the
  /// rows whose argmax agrees (each row a token's prediction); -1 for other outputs.
  double rowTop1Agreement = -1;
};
llvm::Expected<Accuracy> measureAccuracy(mlir::func::FuncOp qfunc, const Frames &frames,
                                         const Frames &want);

/// max - min over every output word of every frame (0 when constant).
double outputRange(const Frames &outputs);

/// {frames, max_abs_error, mean_abs_error, top1_agreement[, row_top1_agreement]} of `qfunc` on
/// `frames` against the float outputs `want` (just {frames} when empty).
llvm::Expected<llvm::json::Object> accuracyJson(mlir::func::FuncOp qfunc, const Frames &frames,
                                                const Frames &want);

/// Accuracy of the quantized graph `qfunc` against the float outputs:
/// {"calibration": {...}, "held_out": {...}} with frames, max_abs_error,
/// mean_abs_error and top1_agreement each.
llvm::Expected<llvm::json::Object> int8Accuracy(mlir::func::FuncOp qfunc, const Calibration &c);

} // namespace loom

#endif
