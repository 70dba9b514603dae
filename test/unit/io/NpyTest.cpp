#include "compiler/io/Npy.h"
#include "compiler/io/Crc32.h"
#include "compiler/io/Npz.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdlib>
#include <fstream>

using namespace loom::io;

#ifndef LOOM_PYTHON
#define LOOM_PYTHON "/usr/bin/python3"
#endif

namespace {

// A fresh temporary directory per test, removed at the end.
class NpyFiles : public ::testing::Test {
protected:
  void SetUp() override {
    llvm::SmallString<128> d;
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("loom-io-test", d));
    dir = std::string(d);
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }
  std::string path(llvm::StringRef name) const {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  // Runs a python script with numpy; returns the exit code.
  int runPython(const std::string &script) {
    std::string f = path("script.py");
    {
      std::ofstream os(f);
      os << "import sys\nimport numpy as np\n" << script;
    }
    std::string cmd = std::string(LOOM_PYTHON) + " " + f;
    int rc = std::system(cmd.c_str());
    return rc;
  }
  bool havePython() { return std::system(LOOM_PYTHON " -c 'import numpy' >/dev/null 2>&1") == 0; }
  std::string dir;
};

std::string errOf(llvm::Error e) { return llvm::toString(std::move(e)); }
template <typename T> std::string errOf(llvm::Expected<T> e) {
  return e ? std::string() : llvm::toString(e.takeError());
}

TEST(Crc32, KnownValues) {
  EXPECT_EQ(crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(crc32("", 0), 0u);
  EXPECT_EQ(crc32("The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
  // Chunked == whole.
  uint32_t c = crc32("12345", 5);
  EXPECT_EQ(crc32("6789", 4, c), 0xCBF43926u);
}

TEST(Npy, EncodeHeaderLayout) {
  auto bytes = encodeNpy(NpyArray::fromFloat32({2, 3}, {1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(bool(bytes)) << errOf(bytes.takeError());
  EXPECT_EQ(bytes->substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  size_t hlen = uint8_t((*bytes)[8]) | (uint8_t((*bytes)[9]) << 8);
  EXPECT_EQ((10 + hlen) % 64, 0u);
  EXPECT_EQ((*bytes)[10 + hlen - 1], '\n');
  std::string header = bytes->substr(10, hlen);
  EXPECT_NE(header.find("'descr': '<f4'"), std::string::npos);
  EXPECT_NE(header.find("'shape': (2, 3)"), std::string::npos);
  EXPECT_EQ(bytes->size(), 10 + hlen + 24);
  auto one = encodeNpy(NpyArray::fromInts({4}, {1, 2, 3, 4}));
  ASSERT_TRUE(bool(one));
  EXPECT_NE(one->find("'shape': (4,)"), std::string::npos);
  EXPECT_NE(one->find("'<i8'"), std::string::npos);
  auto scalar = encodeNpy(NpyArray::fromInts({}, {7}, NpyType::I1));
  ASSERT_TRUE(bool(scalar));
  EXPECT_NE(scalar->find("'shape': ()"), std::string::npos);
  EXPECT_NE(scalar->find("'|i1'"), std::string::npos);
}

TEST(Npy, EncodeErrors) {
  EXPECT_NE(errOf(encodeNpy(NpyArray::fromInts({3}, {1, 2}))).find("shape needs 3"),
            std::string::npos);
  EXPECT_NE(
      errOf(encodeNpy(NpyArray::fromInts({1}, {300}, NpyType::I1))).find("does not fit dtype i1"),
      std::string::npos);
  EXPECT_NE(errOf(encodeNpy(NpyArray::fromInts({1}, {-1}, NpyType::U2))).find("does not fit"),
            std::string::npos);
}

TEST(Npy, RoundTripAllWriteTypes) {
  std::vector<int64_t> shape = {2, 2};
  struct Case {
    NpyType t;
    std::vector<int64_t> v;
  } cases[] = {
      {NpyType::I1, {-128, 127, 0, -1}},
      {NpyType::I2, {-32768, 32767, 5, -5}},
      {NpyType::I4, {INT32_MIN, INT32_MAX, 0, 1}},
      {NpyType::I8, {INT64_MIN, INT64_MAX, (int64_t(1) << 53) + 1, -7}},
      {NpyType::U1, {0, 255, 128, 1}},
      {NpyType::U2, {0, 65535, 256, 1}},
  };
  for (const auto &c : cases) {
    auto bytes = encodeNpy(NpyArray::fromInts(shape, c.v, c.t));
    ASSERT_TRUE(bool(bytes)) << npyTypeName(c.t);
    auto back = parseNpy(*bytes, "mem");
    ASSERT_TRUE(bool(back)) << errOf(back.takeError());
    EXPECT_EQ(back->type, c.t);
    EXPECT_EQ(back->shape, shape);
    EXPECT_EQ(back->ints, c.v) << npyTypeName(c.t);
    EXPECT_EQ(back->values[3], double(c.v[3]));
  }
  std::vector<float> f = {1.5f, -0.0f, 3.14159f, 1e-30f};
  auto bf = parseNpy(*encodeNpy(NpyArray::fromFloat32({4}, f)), "mem");
  ASSERT_TRUE(bool(bf));
  EXPECT_TRUE(bf->ints.empty());
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(float(bf->values[i]), f[i]);
  std::vector<double> d = {1.0 / 3, -2.5e300};
  auto bd = parseNpy(*encodeNpy(NpyArray::fromFloat64({1, 2}, d)), "mem");
  ASSERT_TRUE(bool(bd));
  EXPECT_EQ(bd->values, d);
  EXPECT_EQ(bd->shape, (std::vector<int64_t>{1, 2}));
}

TEST(Npy, ParseErrors) {
  EXPECT_NE(errOf(parseNpy("hello world", "x.npy")).find("x.npy: not a .npy"), std::string::npos);
  auto mk = [](const std::string &header, size_t dataBytes) {
    std::string h = header;
    h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');
    h.push_back('\n');
    std::string b("\x93NUMPY\x01\x00", 8);
    b.push_back(char(h.size() & 0xFF));
    b.push_back(char(h.size() >> 8));
    return b + h + std::string(dataBytes, '\0');
  };
  EXPECT_NE(errOf(parseNpy(mk("{'descr': '<f4', 'fortran_order': True, "
                              "'shape': (2, 2), }",
                              16),
                           "f.npy"))
                .find("fortran_order True is not supported"),
            std::string::npos);
  EXPECT_NE(errOf(parseNpy(mk("{'descr': '>f4', 'fortran_order': False, "
                              "'shape': (2,), }",
                              8),
                           "b.npy"))
                .find("big-endian"),
            std::string::npos);
  EXPECT_NE(errOf(parseNpy(mk("{'descr': '<c8', 'fortran_order': False, "
                              "'shape': (2,), }",
                              16),
                           "c.npy"))
                .find("unsupported dtype '<c8'"),
            std::string::npos);
  EXPECT_NE(errOf(parseNpy(mk("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (3,), }",
                              8),
                           "t.npy"))
                .find("truncated data"),
            std::string::npos);
  // Byte order '|' and '>' are fine for 1-byte types.
  auto ok = parseNpy(mk("{'descr': '|u1', 'fortran_order': False, "
                        "'shape': (3,), }",
                        3),
                     "u.npy");
  EXPECT_TRUE(bool(ok)) << errOf(ok.takeError());
  EXPECT_NE(errOf(readNpy("/nonexistent/q.npy")).find("/nonexistent/q.npy: "), std::string::npos);
}

TEST_F(NpyFiles, NpyFileRoundTrip) {
  std::string p = path("a.npy");
  ASSERT_FALSE(bool(writeNpyFloat32(p, {3}, {1, 2, 3})));
  auto a = readNpy(p);
  ASSERT_TRUE(bool(a));
  EXPECT_EQ(a->values, (std::vector<double>{1, 2, 3}));
  ASSERT_FALSE(bool(writeNpyInt32(p, {1, 2}, {-5, 5})));
  a = readNpy(p);
  ASSERT_TRUE(bool(a));
  EXPECT_EQ(a->type, NpyType::I4);
  EXPECT_EQ(a->ints, (std::vector<int64_t>{-5, 5}));
  ASSERT_FALSE(bool(writeNpyInt64(p, {2}, {INT64_MIN, 9})));
  a = readNpy(p);
  ASSERT_TRUE(bool(a));
  EXPECT_EQ(a->ints, (std::vector<int64_t>{INT64_MIN, 9}));
  EXPECT_NE(errOf(writeNpyInt64("/nonexistent/dir/x.npy", {1}, {1}))
                .find("/nonexistent/dir/x.npy: cannot write"),
            std::string::npos);
}

std::vector<NpzEntry> sampleArrays() {
  std::vector<NpzEntry> v;
  v.emplace_back("out", NpyArray::fromFloat32({2, 3}, {0.5f, -1, 2, 3, 4, 5}));
  v.emplace_back("out.raw", NpyArray::fromInts({2, 3}, {8, -16, 32, 48, 64, 80}));
  v.emplace_back("dense/BiasAdd:0", NpyArray::fromInts({4}, {-1, 2, -3, 4}, NpyType::I4));
  v.emplace_back("scalar", NpyArray::fromFloat64({}, {2.25}));
  v.emplace_back("empty", NpyArray::fromFloat32({0, 3}, {}));
  return v;
}

TEST(Npz, InMemoryRoundTrip) {
  auto bytes = encodeNpz(sampleArrays());
  ASSERT_TRUE(bool(bytes)) << errOf(bytes.takeError());
  auto back = parseNpz(*bytes, "mem.npz");
  ASSERT_TRUE(bool(back)) << errOf(back.takeError());
  auto want = sampleArrays();
  ASSERT_EQ(back->size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ((*back)[i].first, want[i].first);
    EXPECT_EQ((*back)[i].second.shape, want[i].second.shape);
    EXPECT_EQ((*back)[i].second.values, want[i].second.values);
    EXPECT_EQ((*back)[i].second.ints, want[i].second.ints);
  }
  // Corrupt one data byte -> CRC mismatch.
  std::string bad = *bytes;
  bad[100] ^= 0x5A;
  EXPECT_NE(errOf(parseNpz(bad, "bad.npz")).find("CRC-32 mismatch"), std::string::npos);
}

TEST(Npz, NameErrors) {
  std::vector<NpzEntry> dup;
  dup.emplace_back("a", NpyArray::fromInts({1}, {1}));
  dup.emplace_back("a", NpyArray::fromInts({1}, {2}));
  EXPECT_NE(errOf(encodeNpz(dup)).find("duplicate array name 'a'"), std::string::npos);
  std::vector<NpzEntry> empty;
  empty.emplace_back("", NpyArray::fromInts({1}, {1}));
  EXPECT_NE(errOf(encodeNpz(empty)).find("empty array name"), std::string::npos);
}

TEST_F(NpyFiles, NpzReadByNumpy) {
  if (!havePython())
    GTEST_SKIP() << LOOM_PYTHON << " with numpy not available";
  std::string p = path("y.npz");
  ASSERT_FALSE(bool(writeNpz(p, sampleArrays())));
  std::string script = R"PY(
import zipfile
p = sys.argv[0].rsplit('/', 1)[0] + '/y.npz'
assert zipfile.ZipFile(p).testzip() is None  # CRCs checked by zipfile
z = np.load(p)
keys = sorted(z.files)
assert keys == sorted(['out', 'out.raw', 'dense/BiasAdd:0', 'scalar', 'empty']), keys
a = z['out']
assert a.dtype == np.float32 and a.shape == (2, 3), (a.dtype, a.shape)
assert np.array_equal(a, np.array([[0.5, -1, 2], [3, 4, 5]], np.float32))
r = z['out.raw']
assert r.dtype == np.int64 and np.array_equal(r, [[8, -16, 32], [48, 64, 80]])
d = z['dense/BiasAdd:0']
assert d.dtype == np.int32 and list(d) == [-1, 2, -3, 4]
s = z['scalar']
assert s.shape == () and s.dtype == np.float64 and float(s) == 2.25
e = z['empty']
assert e.shape == (0, 3) and e.dtype == np.float32
print('numpy read OK')
)PY";
  EXPECT_EQ(runPython(script), 0);
}

TEST_F(NpyFiles, ReadFilesWrittenByNumpy) {
  if (!havePython())
    GTEST_SKIP() << LOOM_PYTHON << " with numpy not available";
  std::string script = R"PY(
d = sys.argv[0].rsplit('/', 1)[0]
base = np.array([[-3, -1, 0], [1, 2, 100]])
for t in ['f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2']:
    a = base.astype('<' + t) if t not in ('u1', 'u2') else np.abs(base).astype('<' + t)
    np.save(d + '/a_' + t + '.npy', a)
np.save(d + '/frac.npy', np.array([0.1, -2.5, 1e-3], np.float32))
np.save(d + '/big.npy', np.arange(4, dtype='>f4'))
np.save(d + '/fort.npy', np.asfortranarray(np.ones((2, 3), np.float32)))
np.save(d + '/scalar.npy', np.float32(7.5))
np.save(d + '/three.npy', np.arange(24, dtype=np.int16).reshape(2, 3, 4))
np.save(d + '/bool.npy', np.array([True, False]))
np.savez(d + '/s.npz', x=np.arange(3, dtype=np.float32), **{'y/z:0': np.int64(5)})
np.savez_compressed(d + '/c.npz', x=np.arange(3))
)PY";
  ASSERT_EQ(runPython(script), 0);
  const std::vector<int64_t> base = {-3, -1, 0, 1, 2, 100};
  for (const char *t : {"f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2"}) {
    auto a = readNpy(path(std::string("a_") + t + ".npy"));
    ASSERT_TRUE(bool(a)) << t << ": " << errOf(a.takeError());
    EXPECT_STREQ(npyTypeName(a->type), t);
    EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 3}));
    bool isUnsigned = t[0] == 'u';
    for (size_t i = 0; i < 6; ++i) {
      int64_t want = isUnsigned ? std::llabs(base[i]) : base[i];
      EXPECT_EQ(a->values[i], double(want)) << t << " " << i;
      if (a->isInteger()) {
        EXPECT_EQ(a->ints[i], want) << t << " " << i;
      }
    }
  }
  auto fr = readNpy(path("frac.npy"));
  ASSERT_TRUE(bool(fr));
  EXPECT_EQ(float(fr->values[0]), 0.1f);
  EXPECT_EQ(fr->values[1], -2.5);
  auto sc = readNpy(path("scalar.npy"));
  ASSERT_TRUE(bool(sc));
  EXPECT_TRUE(sc->shape.empty());
  EXPECT_EQ(sc->values, (std::vector<double>{7.5}));
  auto three = readNpy(path("three.npy"));
  ASSERT_TRUE(bool(three));
  EXPECT_EQ(three->shape, (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(three->ints[23], 23);
  auto bl = readNpy(path("bool.npy"));
  ASSERT_TRUE(bool(bl));
  EXPECT_EQ(bl->ints, (std::vector<int64_t>{1, 0}));
  EXPECT_NE(errOf(readNpy(path("big.npy"))).find("big-endian"), std::string::npos);
  EXPECT_NE(errOf(readNpy(path("fort.npy"))).find("fortran_order True"), std::string::npos);
  auto s = readNpz(path("s.npz"));
  ASSERT_TRUE(bool(s)) << errOf(s.takeError());
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].first, "x");
  EXPECT_EQ((*s)[0].second.values, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ((*s)[1].first, "y/z:0");
  EXPECT_EQ((*s)[1].second.ints, (std::vector<int64_t>{5}));
  EXPECT_NE(errOf(readNpz(path("c.npz"))).find("is compressed"), std::string::npos);
}

} // namespace
