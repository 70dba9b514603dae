//===- ConvKernels.h - Float reference kernels, convolutional path --------===//
//
// Plain C++ float kernels following ONNX semantics for the convolutional
// path (Conv, pooling, Pad, Concat, Resize, elementwise activations,
// broadcasting Mul, Transpose, BatchNormalization). Tensors are row-major
// flat vectors in ONNX layout (NCHW, or N C D1..Dk for any number k >= 1 of
// spatial dims; any N). Sums are accumulated in double and rounded to T once.
// Instantiated for T = float and T = double.
// Defined in ConvKernels.cpp (windows, conv, pooling), LayoutKernels.cpp
// (layout, pad, concat, resize, transpose) and ElementwiseKernels.cpp.
//
// Kernels that can fail on bad shapes/attributes return false and leave the
// outputs untouched; the others assume consistent inputs.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_REFERENCE_CONVKERNELS_H
#define LOOM_COMPILER_REFERENCE_CONVKERNELS_H

#include "compiler/reference/FloatKernels.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {
namespace reference {

//===----------------------------------------------------------------------===//
// Layout helpers
//===----------------------------------------------------------------------===//

/// NCHW -> NHWC (general: N C D1..Dk -> N D1..Dk C, rank >= 2).
template <typename T> std::vector<T> toChannelsLast(const std::vector<T> &x, const Shape &nchw);
/// NHWC -> NCHW (general: N D1..Dk C -> N C D1..Dk); `nhwc` is the shape of x.
template <typename T> std::vector<T> toChannelsFirst(const std::vector<T> &x, const Shape &nhwc);
/// Shape permutations matching the two helpers above.
Shape channelsLastShape(const Shape &nchw);
Shape channelsFirstShape(const Shape &nhwc);
/// 4-D conveniences.
template <typename T>
std::vector<T> nchwToNhwc(const std::vector<T> &x, int64_t N, int64_t C, int64_t H, int64_t W);
template <typename T>
std::vector<T> nhwcToNchw(const std::vector<T> &x, int64_t N, int64_t H, int64_t W, int64_t C);

//===----------------------------------------------------------------------===//
// Windows: auto_pad, pads, output sizes
//===----------------------------------------------------------------------===//

enum class AutoPad { NotSet, SameUpper, SameLower, Valid };

/// "NOTSET" / "" / "SAME_UPPER" / "SAME_LOWER" / "VALID"; false if unknown.
bool parseAutoPad(const std::string &s, AutoPad &out);

/// Explicit pads in ONNX order [b_1..b_k, e_1..e_k] for k spatial dims.
///  * NotSet: `pads` (all zero when empty),
///  * Valid: all zero,
///  * SameUpper / SameLower: out_i = ceil(in_i / s_i),
///    total_i = max(0, (out_i - 1) * s_i + (K_i - 1) * d_i + 1 - in_i),
///    SameUpper: b_i = floor(total_i / 2), SameLower: b_i = ceil(total_i / 2),
///    e_i = total_i - b_i.
/// Empty strides / dilations mean all 1.
std::vector<int64_t> resolvePads(const Shape &inSpatial, const Shape &kernel, const Shape &strides,
                                 const Shape &dilations, AutoPad autoPad,
                                 const std::vector<int64_t> &pads = {});

/// Output size of one spatial dim of a sliding window
///   n = in + pb + pe - ((k - 1) * d + 1),
///   out = floor(n / s) + 1, or with ceilMode ceil(n / s) + 1 where the last
///   window is dropped if it would start in the end padding
///   ((out - 1) * s >= in + pb; PyTorch / ONNX >= 1.15 reference rule).
/// Returns 0 when n < 0.
int64_t windowOutSize(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe,
                      bool ceilMode = false);

/// Attributes of Conv and the pooling ops. Empty vectors take the ONNX
/// defaults (strides/dilations 1, pads 0; Conv's kernel from W's shape).
struct WindowParams {
  Shape kernel;
  Shape strides;
  Shape dilations;
  std::vector<int64_t> pads; ///< [b_1..b_k, e_1..e_k]
  AutoPad autoPad = AutoPad::NotSet;
  int64_t group = 1;            ///< Conv only
  bool ceilMode = false;        ///< pooling only
  bool countIncludePad = false; ///< AveragePool only
};

//===----------------------------------------------------------------------===//
// Conv / pooling
//===----------------------------------------------------------------------===//

/// ONNX Conv: x [N, C, D1..Dk], w [M, C/group, K1..Kk], b [M] or empty.
/// y[n][m][o] = b[m] + sum_{c, kk} x[n][g*C/group + c][o*s - pb + kk*d] *
/// w[m][c][kk], g = m / (M / group), out-of-range (padded) positions are 0.
/// Output [N, M, O1..Ok] with O_i = windowOutSize(floor). Any k >= 1
/// (1-D, 2-D, 3-D); groups incl. depthwise (group = C).
template <typename T>
bool conv(const std::vector<T> &x, const Shape &xShape, const std::vector<T> &w,
          const Shape &wShape, const std::vector<T> &b, const WindowParams &p, std::vector<T> &y,
          Shape &yShape);

/// ONNX MaxPool (Y only; storage_order is irrelevant for Y): max over the
/// window positions inside the input (padded positions never win; a window
/// with no position inside gives -inf). Dilations, ceil_mode, auto_pad.
template <typename T>
bool maxPool(const std::vector<T> &x, const Shape &xShape, const WindowParams &p, std::vector<T> &y,
             Shape &yShape);

/// ONNX AveragePool: sum over the window positions inside the input divided
/// by the number of them (countIncludePad = false), or by the number of
/// window positions inside the padded extent [-pb, in + pe) per dim
/// (countIncludePad = true; equals the kernel size unless ceil_mode makes a
/// window overhang the end pad). Dilations supported.
template <typename T>
bool averagePool(const std::vector<T> &x, const Shape &xShape, const WindowParams &p,
                 std::vector<T> &y, Shape &yShape);

/// GlobalAveragePool / GlobalMaxPool: [N, C, D...] -> [N, C, 1, ..., 1].
template <typename T>
bool globalAveragePool(const std::vector<T> &x, const Shape &xShape, std::vector<T> &y,
                       Shape &yShape);
template <typename T>
bool globalMaxPool(const std::vector<T> &x, const Shape &xShape, std::vector<T> &y, Shape &yShape);

//===----------------------------------------------------------------------===//
// Pad / Concat / Resize / Transpose
//===----------------------------------------------------------------------===//

enum class PadMode { Constant, Reflect, Edge, Wrap };
/// "constant" / "reflect" / "edge" / "wrap"; false if unknown.
bool parsePadMode(const std::string &s, PadMode &out);

/// ONNX Pad over all axes: pads = [b_0..b_{r-1}, e_0..e_{r-1}]. Negative
/// pads crop first, then the positive pads are applied to the cropped axis
/// (numpy: np.pad(x[crop], ...)). Output dim i = in_i + b_i + e_i. Reflect
/// on an axis of length 1 repeats the element; reflect/wrap pads larger than
/// the axis fold repeatedly (numpy semantics).
template <typename T>
bool pad(const std::vector<T> &x, const Shape &xShape, const std::vector<int64_t> &pads,
         PadMode mode, double value, std::vector<T> &y, Shape &yShape);

/// ONNX Concat along `axis` (negative counts from the end).
template <typename T>
bool concat(const std::vector<std::vector<T>> &xs, const std::vector<Shape> &shapes, int64_t axis,
            std::vector<T> &y, Shape &yShape);

enum class CoordMode { HalfPixel, Asymmetric, AlignCorners, PytorchHalfPixel, TfHalfPixelForNN };
enum class NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };
/// ONNX attribute spellings; false if unknown (tf_crop_and_resize is not
/// supported).
bool parseCoordMode(const std::string &s, CoordMode &out);
bool parseNearestMode(const std::string &s, NearestMode &out);

/// Source index of output index `o` along one axis of a nearest resize:
/// x = transform(o) (ONNX coordinate_transformation_mode, with `scale` =
/// out/in or the given scale), rounded by `nm`, clamped to [0, in - 1].
int64_t nearestSourceIndex(int64_t o, int64_t in, int64_t out, double scale, CoordMode cm,
                           NearestMode nm);

/// ONNX Resize (mode = nearest) to `outShape` (same rank as xShape) with
/// per-axis `scales` (empty: scale_i = out_i / in_i).
/// Upsample = resizeNearest(..., Asymmetric, Floor) with
/// out_i = floor(in_i * scale_i).
template <typename T>
bool resizeNearest(const std::vector<T> &x, const Shape &xShape, const Shape &outShape,
                   const std::vector<double> &scales, CoordMode cm, NearestMode nm,
                   std::vector<T> &y);
/// Output shape from scales: out_i = floor(in_i * scale_i).
Shape resizeOutShape(const Shape &xShape, const std::vector<double> &scales);
/// ONNX Upsample (nearest): asymmetric + floor, out_i = floor(in_i * s_i).
template <typename T>
bool upsampleNearest(const std::vector<T> &x, const Shape &xShape,
                     const std::vector<double> &scales, std::vector<T> &y, Shape &yShape);

/// ONNX Transpose: y.shape[i] = x.shape[perm[i]]; empty perm reverses.
template <typename T>
bool transpose(const std::vector<T> &x, const Shape &xShape, const std::vector<int64_t> &perm,
               std::vector<T> &y, Shape &yShape);

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// ONNX Clip: min(max(x, lo), hi) (no bound: pass -inf / +inf).
template <typename T> std::vector<T> clip(const std::vector<T> &x, double lo, double hi);
/// ONNX LeakyRelu: x >= 0 ? x : alpha * x (default alpha 0.01).
template <typename T> std::vector<T> leakyRelu(const std::vector<T> &x, double alpha = 0.01);
/// ONNX Elu: x >= 0 ? x : alpha * (exp(x) - 1) (default alpha 1).
template <typename T> std::vector<T> elu(const std::vector<T> &x, double alpha = 1.0);
/// ONNX Selu: gamma * (x > 0 ? x : alpha * (exp(x) - 1)).
template <typename T>
std::vector<T> selu(const std::vector<T> &x, double alpha = 1.67326319217681884765625,
                    double gamma = 1.05070102214813232421875);
/// ONNX PRelu: x >= 0 ? x : slope * x, slope unidirectionally broadcast to
/// x (per-channel slope of an NCHW tensor: slopeShape {C, 1, 1}).
template <typename T>
bool prelu(const std::vector<T> &x, const Shape &xShape, const std::vector<T> &slope,
           const Shape &slopeShape, std::vector<T> &y);
/// ONNX Mul with numpy broadcasting (like addBroadcast).
template <typename T>
bool mulBroadcast(const std::vector<T> &a, const Shape &aShape, const std::vector<T> &b,
                  const Shape &bShape, std::vector<T> &out, Shape &outShape);

/// ONNX BatchNormalization (inference): per channel c (axis 1),
/// y = scale[c] * (x - mean[c]) / sqrt(var[c] + epsilon) + bias[c].
template <typename T>
bool batchNorm(const std::vector<T> &x, const Shape &xShape, const std::vector<T> &scale,
               const std::vector<T> &bias, const std::vector<T> &mean, const std::vector<T> &var,
               double epsilon, std::vector<T> &y);

} // namespace reference
} // namespace loom

#endif // LOOM_COMPILER_REFERENCE_CONVKERNELS_H
