#include "compiler/numerics/Tables.h"
#include "test/unit/TestActTables.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace loom::numerics;

namespace {

double sigmoidD(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Checks every structural invariant of the contract for one table.
void checkInvariants(const ActTable &t) {
  ASSERT_GE(t.shift, 0);
  EXPECT_EQ(t.tMin % (int64_t(1) << t.shift), 0) << "T_MIN multiple of 2^shift";
  EXPECT_EQ(t.depth(), (t.tMax >> t.shift) - (t.tMin >> t.shift) + 1);
  EXPECT_LE(t.depth(), kMaxTableDepth);
  EXPECT_EQ(actTableIndex(t, t.tMin), 0);
  EXPECT_EQ(actTableIndex(t, t.tMax), t.depth() - 1);
  EXPECT_EQ(actTableIndex(t, t.tMin - 12345), 0);
  EXPECT_EQ(actTableIndex(t, t.tMax + 12345), t.depth() - 1);
}

TEST(ActTable, SigmoidFixed8_4NoShift) {
  FixedFormat in{8, 4}, out{8, 1};
  ActTable t = makeSigmoidTable(in, out);
  checkInvariants(t);
  // [-8, 8) at F=4 is codes [-128, 127]: the whole input range, 256 entries.
  EXPECT_EQ(t.shift, 0);
  EXPECT_EQ(t.tMin, -128);
  EXPECT_EQ(t.tMax, 127);
  EXPECT_EQ(t.depth(), 256);
  EXPECT_EQ(lookupAct(t, 0), 64);      // sigmoid(0) = 0.5 -> 64 / 128
  EXPECT_EQ(actTableIndex(t, 0), 128); // (0 >> 0) - (-128 >> 0)
  EXPECT_EQ(actTableIndex(t, -1), 127);
  for (int64_t y = -128; y <= 127; ++y)
    ASSERT_EQ(lookupAct(t, y), quantize(sigmoidD(y / 16.0), out)) << y;
}

TEST(ActTable, SigmoidFixed16_8Shift2) {
  FixedFormat in{16, 8}, out{16, 2};
  ActTable t = makeSigmoidTable(in, out);
  checkInvariants(t);
  // [-8, 8) at F=8 is 4096 codes [-2048, 2047] -> shift 2, 1024 entries.
  EXPECT_EQ(t.shift, 2);
  EXPECT_EQ(t.tMin, -2048);
  EXPECT_EQ(t.tMax, 2047);
  EXPECT_EQ(t.depth(), 1024);
  // idx = (clamp(y) >>> 2) - (-2048 >>> 2) = (y >> 2) + 512
  EXPECT_EQ(actTableIndex(t, -2048), 0);
  EXPECT_EQ(actTableIndex(t, -2045), 0);
  EXPECT_EQ(actTableIndex(t, -2044), 1);
  EXPECT_EQ(actTableIndex(t, -1), 511); // -1 >> 2 == -1 (arithmetic)
  EXPECT_EQ(actTableIndex(t, 0), 512);
  EXPECT_EQ(actTableIndex(t, 3), 512);
  EXPECT_EQ(actTableIndex(t, 4), 513);
  EXPECT_EQ(actTableIndex(t, 2047), 1023);
  EXPECT_EQ(actTableIndex(t, 30000), 1023);
  EXPECT_EQ(actTableIndex(t, -30000), 0);
  // T[i] = quantize(f(((i << 2) + T_MIN + 2) * 2^-8)) (bucket midpoint).
  for (int64_t i = 0; i < t.depth(); ++i)
    ASSERT_EQ(t.values[i], quantize(sigmoidD(std::ldexp(double((i << 2) - 2048 + 2), -8)), out))
        << i;
}

TEST(ActTable, SigmoidInputNarrowerThanDomain) {
  // fixed<16,2> covers [-2, 2): the table spans the input range only.
  FixedFormat in{16, 2}, out{8, 1};
  ActTable t = makeSigmoidTable(in, out);
  checkInvariants(t);
  EXPECT_EQ(t.tMin, -32768);
  EXPECT_EQ(t.tMax, 32767);
  EXPECT_EQ(t.shift, 6); // 65536 codes / 1024
  EXPECT_EQ(t.depth(), 1024);
}

TEST(ActTable, TanhCoarse) {
  FixedFormat in{8, 6}, out{8, 2}; // F = 2: [-4, 4) is codes [-16, 15]
  ActTable t = makeTanhTable(in, out);
  checkInvariants(t);
  EXPECT_EQ(t.shift, 0);
  EXPECT_EQ(t.tMin, -16);
  EXPECT_EQ(t.tMax, 15);
  EXPECT_EQ(t.depth(), 32);
  EXPECT_EQ(lookupAct(t, 0), 0);
  EXPECT_EQ(lookupAct(t, 100), quantize(std::tanh(15 / 4.0), out));
  EXPECT_EQ(lookupAct(t, -100), quantize(std::tanh(-4.0), out));
  for (int64_t y = -16; y <= 15; ++y)
    ASSERT_EQ(lookupAct(t, y), quantize(std::tanh(y / 4.0), out));
}

TEST(ActTable, TanhFine) {
  FixedFormat in{24, 8}, out{16, 2}; // F = 16: 2^19 codes in [-4, 4)
  ActTable t = makeTanhTable(in, out);
  checkInvariants(t);
  EXPECT_EQ(t.shift, 9);
  EXPECT_EQ(t.tMin, -(int64_t(4) << 16));
  EXPECT_EQ(t.depth(), 1024);
}

TEST(ActTable, ShiftFor) {
  EXPECT_EQ(tableShiftFor(0, 1023), 0);
  EXPECT_EQ(tableShiftFor(0, 1024), 1);
  EXPECT_EQ(tableShiftFor(-512, 511), 0);
  EXPECT_EQ(tableShiftFor(-2048, 2047), 2);
}

TEST(ExpTable, Fixed8_4) {
  ExpTable e = makeExpTable(FixedFormat{8, 4});
  // d in [0, 16) at F = 4 is codes [0, 255]; 8-bit differences reach 255.
  EXPECT_EQ(e.shift, 0);
  EXPECT_EQ(e.depth(), 256);
  EXPECT_EQ(e.values[0], 32768);
  EXPECT_EQ(e.bits, 16);
  EXPECT_EQ(e.values[16], 12055); // round(exp(-1) * 32768) = round(12054.69)
  EXPECT_EQ(e.values[4], 25520);  // round(exp(-0.25) * 32768) = round(25519.9)
  EXPECT_EQ(expTableIndex(e, 255), 255);
  EXPECT_EQ(expTableIndex(e, 1000), 255);
  EXPECT_EQ(expTableIndex(e, -3), 0);
  for (int64_t j = 0; j < e.depth(); ++j)
    ASSERT_EQ(e.values[j], int64_t(roundHalfEven(std::exp(-j / 16.0) * 32768.0)));
}

TEST(ExpTable, Fine) {
  ExpTable e = makeExpTable(FixedFormat{16, 8});
  // [0, 16) at F = 8 is 4096 codes: one entry each (kMaxExpDepth = 4096).
  EXPECT_EQ(e.shift, 0);
  EXPECT_EQ(e.depth(), 4096);
  EXPECT_EQ(e.values[0], 32768);
  EXPECT_EQ(e.values[7], int64_t(roundHalfEven(std::exp(-7 / 256.0) * 32768.0)));
  EXPECT_EQ(lookupExp(e, 1 << 20), e.values[4095]);
}

TEST(ExpTable, BucketMiddle) {
  // fixed<16,6>: F = 10, [0, 16) is 16384 codes -> shift 2, depth 4096.
  ExpTable e = makeExpTable(FixedFormat{16, 6});
  EXPECT_EQ(e.shift, 2);
  EXPECT_EQ(e.depth(), 4096);
  // Bucket j holds codes [4j, 4j + 3]: its entry is exp at the middle code 4j + 2.
  EXPECT_EQ(e.values[0], int64_t(roundHalfEven(std::exp(-2 / 1024.0) * 32768.0)));
  EXPECT_EQ(e.values[1], int64_t(roundHalfEven(std::exp(-6 / 1024.0) * 32768.0)));
  EXPECT_EQ(lookupExp(e, 7), e.values[1]);
  EXPECT_EQ(e.bits, 16);
}

TEST(ExpTable, CoarseLimitedByWidth) {
  // fixed<4,2>: F = 2, domain codes [0, 63] but d <= 2^4 - 1 = 15.
  ExpTable e = makeExpTable(FixedFormat{4, 2});
  EXPECT_EQ(e.shift, 0);
  EXPECT_EQ(e.depth(), 16);
  // fixed<32,16>: F = 16 -> 2^20 codes, shift 8.
  ExpTable f = makeExpTable(FixedFormat{32, 16});
  EXPECT_EQ(f.shift, 8);
  EXPECT_EQ(f.depth(), 4096);
}

} // namespace
