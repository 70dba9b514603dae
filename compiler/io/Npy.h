//===- Npy.h - numpy .npy reading and writing -----------------------------===//
//
// The .npy format (numpy.lib.format, versions 1.0/2.0/3.0): magic "\x93NUMPY",
// version, little-endian header length, a Python dict literal header
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
// spaces to a multiple of 64 bytes and ended by '\n', then the raw data.
//
// Reading supports little-endian (or byte-order-free) f4, f8, i1, i2, i4, i8,
// u1, u2, u4, u8 and b1 in C order; fortran_order True, big-endian and other
// dtypes are rejected with a clear error. Writing supports f4, f8, i1, i2,
// i4, i8, u1, u2 (always version 1.0, C order, little endian).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_IO_NPY_H
#define LOOM_COMPILER_IO_NPY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {
namespace io {

/// Element types, named like numpy's descr: the digit is the size in BYTES
/// (I1 = int8, I8 = int64, F4 = float32, F8 = float64, B1 = bool).
enum class NpyType { F4, F8, I1, I2, I4, I8, U1, U2, U4, U8, B1 };

/// "f4", "i8", ... (the descr without the byte-order character).
const char *npyTypeName(NpyType t);
/// Size of one element in bytes.
int npyTypeSize(NpyType t);
bool npyTypeIsInteger(NpyType t); // true for i*, u*, b1

/// An n-d array in C (row-major) order. `values` always holds every element
/// as a double; for integer (and bool) dtypes `ints` additionally holds the
/// exact values (int64; u8 values >= 2^63 wrap). For float dtypes `ints` is
/// empty.
struct NpyArray {
  std::vector<int64_t> shape; // {} = scalar
  NpyType type = NpyType::F4;
  std::vector<double> values;
  std::vector<int64_t> ints;

  int64_t numElements() const;
  bool isInteger() const { return npyTypeIsInteger(type); }

  /// Builders for writing. The data size must equal the product of shape.
  static NpyArray fromFloat32(std::vector<int64_t> shape, const std::vector<float> &data);
  static NpyArray fromFloat64(std::vector<int64_t> shape, std::vector<double> data);
  /// Integer arrays of the given integer type (values are stored as given;
  /// encodeNpy reports values that do not fit the type).
  static NpyArray fromInts(std::vector<int64_t> shape, std::vector<int64_t> data,
                           NpyType type = NpyType::I8);
};

/// Parses an in-memory .npy file; `what` (e.g. the file name) prefixes errors.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef what);
/// Reads a .npy file. Errors look like "X.npy: <reason>".
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// Serializes to .npy bytes (version 1.0). Fails on an unsupported write
/// type, a size/shape mismatch or an integer value out of the type's range.
llvm::Expected<std::string> encodeNpy(const NpyArray &a);
/// Writes a .npy file.
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &a);

/// Shorthands.
llvm::Error writeNpyFloat32(llvm::StringRef path, const std::vector<int64_t> &shape,
                            const std::vector<float> &data);
llvm::Error writeNpyInt64(llvm::StringRef path, const std::vector<int64_t> &shape,
                          const std::vector<int64_t> &data);
llvm::Error writeNpyInt32(llvm::StringRef path, const std::vector<int64_t> &shape,
                          const std::vector<int64_t> &data);

} // namespace io
} // namespace loom

#endif // LOOM_COMPILER_IO_NPY_H
