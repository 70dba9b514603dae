//===- Npz.h - numpy .npz archives ----------------------------------------===//
//
// An .npz is a ZIP archive whose members are .npy files. writeNpz produces an
// uncompressed (STORED) archive with CRC-32s computed by loom::io::crc32,
// readable by numpy.load / zipfile.
//
// Member names: array `name` is stored as member "name.npy" and numpy.load
// exposes it under the key "name" (numpy strips the ".npy" suffix and nothing
// else). Names are kept exactly as given, so ONNX output names such as
// "dense/BiasAdd:0" work: the key is "dense/BiasAdd:0" (a '/' makes the
// member look like a path inside the ZIP, which numpy does not care about;
// unzip would create a directory). Names must be non-empty, contain no NUL
// and be unique. Non-ASCII names are stored as UTF-8 (general-purpose flag
// bit 11). By Loom convention the raw integers of output `y` are stored as
// "y.raw" (member "y.raw.npy").
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_IO_NPZ_H
#define LOOM_COMPILER_IO_NPZ_H

#include "compiler/io/Npy.h"

#include <string>
#include <utility>
#include <vector>

namespace loom {
namespace io {

using NpzEntry = std::pair<std::string, NpyArray>;

/// Serializes the arrays to .npz bytes (STORED ZIP, no ZIP64: the archive must
/// stay below 4 GiB).
llvm::Expected<std::string> encodeNpz(const std::vector<NpzEntry> &arrays);
/// Writes an .npz file.
llvm::Error writeNpz(llvm::StringRef path, const std::vector<NpzEntry> &arrays);

/// Parses .npz bytes: every member must be STORED (numpy.savez, writeNpz) and
/// end in ".npy"; numpy.savez_compressed (deflate) archives are rejected with
/// a clear error. CRCs are verified. Returns the arrays in archive order with
/// the ".npy" suffix removed from the names.
llvm::Expected<std::vector<NpzEntry>> parseNpz(llvm::StringRef bytes, llvm::StringRef what);
llvm::Expected<std::vector<NpzEntry>> readNpz(llvm::StringRef path);

} // namespace io
} // namespace loom

#endif // LOOM_COMPILER_IO_NPZ_H
