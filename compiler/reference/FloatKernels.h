//===- FloatKernels.h - Float reference kernels ---------------------------===//
//
// Plain C++ float kernels following ONNX semantics, used for the float
// forward pass (accuracy report) and for conformance checks. Tensors are
// row-major (C order) flat vectors; shapes are passed explicitly. Sums are
// accumulated in double and rounded to T once at the end. Instantiated for
// T = float and T = double.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_REFERENCE_FLOATKERNELS_H
#define LOOM_COMPILER_REFERENCE_FLOATKERNELS_H

#include <cstdint>
#include <vector>

namespace loom {
namespace reference {

using Shape = std::vector<int64_t>;

/// Number of elements of a shape (1 for a scalar shape {}).
int64_t numElements(const Shape &shape);
/// Multi-index decode of a flat row-major index over `dims`.
void decode(int64_t flat, const Shape &dims, std::vector<int64_t> &idx);

/// Dense layer: y[n] = sum_k W[n][k] * x[k] + b[n]; W is N x K row-major,
/// x has K elements, b has N elements (empty b means zero).
template <typename T>
std::vector<T> dense(const std::vector<T> &x, const std::vector<T> &W, const std::vector<T> &b,
                     int64_t N, int64_t K);

/// 2-D matmul: C[m][n] = sum_k A[m][k] * B[k][n]; A is M x K, B is K x N.
template <typename T>
std::vector<T> matmul(const std::vector<T> &A, const std::vector<T> &B, int64_t M, int64_t K,
                      int64_t N);

/// ONNX Gemm: Y = alpha * A' * B' + beta * C with A' = transA ? A^T : A
/// (A stored as M x K, or K x M when transposed), B' likewise (K x N, or
/// N x K when transposed). C is unidirectionally broadcast to M x N; its
/// shape is cShape (empty vector C means no C). Returns M x N.
template <typename T>
std::vector<T> gemm(const std::vector<T> &A, const std::vector<T> &B, const std::vector<T> &C,
                    const Shape &cShape, int64_t M, int64_t K, int64_t N, bool transA = false,
                    bool transB = false, double alpha = 1.0, double beta = 1.0);

/// Elementwise y = max(0, x).
template <typename T> std::vector<T> relu(const std::vector<T> &x);
/// Elementwise y = 1 / (1 + exp(-x)).
template <typename T> std::vector<T> sigmoid(const std::vector<T> &x);
/// Elementwise y = tanh(x).
template <typename T> std::vector<T> tanhT(const std::vector<T> &x);

/// Softmax over contiguous groups of `axisSize` elements (the last axis of a
/// row-major tensor; ONNX opset >= 13 with axis = -1, or the coerced 2-D
/// softmax of opset < 13 with axisSize = product of the trailing dims):
///   y_i = exp(x_i - max) / sum_j exp(x_j - max).
template <typename T> std::vector<T> softmax(const std::vector<T> &x, int64_t axisSize);

/// LayerNormalization over contiguous rows of `C` elements (ONNX, axis = -1):
///   y_i = (x_i - mean) / sqrt(var + eps) * gamma_i + beta_i, var = mean((x - mean)^2).
/// `rms` (RMSNorm): mean taken as 0, y_i = x_i / sqrt(mean(x^2) + eps) * gamma_i + beta_i.
template <typename T>
std::vector<T> layerNorm(const std::vector<T> &x, int64_t C, const std::vector<double> &gamma,
                         const std::vector<double> &beta, double eps, bool rms = false);

/// Elementwise a + b of equal shapes.
template <typename T> std::vector<T> add(const std::vector<T> &a, const std::vector<T> &b);

/// numpy multidirectional broadcast of two shapes; false if incompatible.
bool broadcastShapes(const Shape &a, const Shape &b, Shape &out);

/// ONNX Add with numpy broadcasting. Returns false (out untouched) when the
/// shapes are not broadcastable.
template <typename T>
bool addBroadcast(const std::vector<T> &a, const Shape &aShape, const std::vector<T> &b,
                  const Shape &bShape, std::vector<T> &out, Shape &outShape);

/// 2-D transpose of a R x C matrix -> C x R.
template <typename T> std::vector<T> transpose2D(const std::vector<T> &x, int64_t R, int64_t C);

} // namespace reference
} // namespace loom

#endif // LOOM_COMPILER_REFERENCE_FLOATKERNELS_H
