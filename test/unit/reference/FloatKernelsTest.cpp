#include "compiler/reference/FloatKernels.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace loom::reference;

namespace {

TEST(FloatKernels, DenseAndMatmul) {
  // W = [[1, 2], [3, 4], [5, 6]], x = [1, -1], b = [0.5, 0, -1]
  std::vector<float> W = {1, 2, 3, 4, 5, 6}, x = {1, -1}, b = {0.5f, 0, -1};
  EXPECT_EQ(dense(x, W, b, 3, 2), (std::vector<float>{-0.5f, -1, -2}));
  EXPECT_EQ(dense(x, W, {}, 3, 2), (std::vector<float>{-1, -1, -1}));
  // A (2x2) * B (2x3)
  std::vector<double> A = {1, 2, 3, 4}, B = {1, 0, 1, 0, 1, 1};
  EXPECT_EQ(matmul(A, B, 2, 2, 3), (std::vector<double>{1, 2, 3, 3, 4, 7}));
  EXPECT_EQ(transpose2D(B, 2, 3), (std::vector<double>{1, 0, 0, 1, 1, 1}));
}

TEST(FloatKernels, Gemm) {
  std::vector<float> A = {1, 2, 3, 4}, B = {1, 0, 1, 0, 1, 1};
  // Plain, C broadcast as a row vector of N = 3.
  EXPECT_EQ(gemm(A, B, {10, 20, 30}, {3}, 2, 2, 3), (std::vector<float>{11, 22, 33, 13, 24, 37}));
  // Scalar C with alpha/beta.
  EXPECT_EQ(gemm(A, B, {1}, {}, 2, 2, 3, false, false, 2.0, 3.0),
            (std::vector<float>{5, 7, 9, 9, 11, 17}));
  // transB: B stored as N x K (3 x 2) = B^T.
  std::vector<float> Bt = transpose2D(B, 2, 3);
  EXPECT_EQ(gemm(A, Bt, {}, {}, 2, 2, 3, false, true), (std::vector<float>{1, 2, 3, 3, 4, 7}));
  // transA: A stored as K x M.
  std::vector<float> At = transpose2D(A, 2, 2);
  EXPECT_EQ(gemm(At, B, {}, {}, 2, 2, 3, true, false), (std::vector<float>{1, 2, 3, 3, 4, 7}));
  // C as a column (M x 1).
  EXPECT_EQ(gemm(A, B, {100, 200}, {2, 1}, 2, 2, 3),
            (std::vector<float>{101, 102, 103, 203, 204, 207}));
}

TEST(FloatKernels, Activations) {
  std::vector<float> x = {-2, 0, 3};
  EXPECT_EQ(relu(x), (std::vector<float>{0, 0, 3}));
  auto s = sigmoid(x);
  EXPECT_FLOAT_EQ(s[1], 0.5f);
  EXPECT_NEAR(s[0], 1 / (1 + std::exp(2.0)), 1e-7);
  auto t = tanhT(x);
  EXPECT_NEAR(t[2], std::tanh(3.0), 1e-7);
  auto sm = softmax(std::vector<double>{1, 2, 3, 0, 0, 0}, 3);
  EXPECT_NEAR(sm[0] + sm[1] + sm[2], 1.0, 1e-12);
  EXPECT_NEAR(sm[2], std::exp(1.0) / (std::exp(-1.0) + 1 + std::exp(1.0)), 1e-12);
  EXPECT_NEAR(sm[3], 1.0 / 3, 1e-12);
  // Large values do not overflow (max subtracted).
  auto big = softmax(std::vector<float>{1000, 1000}, 2);
  EXPECT_FLOAT_EQ(big[0], 0.5f);
}

TEST(FloatKernels, AddBroadcast) {
  EXPECT_EQ(add(std::vector<float>{1, 2}, std::vector<float>{3, 4}), (std::vector<float>{4, 6}));
  std::vector<float> out;
  Shape os;
  ASSERT_TRUE(addBroadcast(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3},
                           std::vector<float>{10, 20, 30}, {3}, out, os));
  EXPECT_EQ(os, (Shape{2, 3}));
  EXPECT_EQ(out, (std::vector<float>{11, 22, 33, 14, 25, 36}));
  ASSERT_TRUE(addBroadcast(std::vector<float>{1, 2}, {2, 1}, std::vector<float>{10, 20, 30}, {1, 3},
                           out, os));
  EXPECT_EQ(os, (Shape{2, 3}));
  EXPECT_EQ(out, (std::vector<float>{11, 21, 31, 12, 22, 32}));
  ASSERT_TRUE(addBroadcast(std::vector<float>{1}, {}, std::vector<float>{2, 3}, {2}, out, os));
  EXPECT_EQ(out, (std::vector<float>{3, 4}));
  EXPECT_FALSE(
      addBroadcast(std::vector<float>{1, 2}, {2}, std::vector<float>{1, 2, 3}, {3}, out, os));
  EXPECT_EQ(numElements({2, 3, 4}), 24);
  EXPECT_EQ(numElements({}), 1);
}

} // namespace
