//===- Crc32.h - CRC-32 (IEEE 802.3 / ZIP) --------------------------------===//
#ifndef LOOM_COMPILER_IO_CRC32_H
#define LOOM_COMPILER_IO_CRC32_H

#include <cstddef>
#include <cstdint>

namespace loom {
namespace io {

/// CRC-32 as used by ZIP/gzip/PNG: reflected polynomial 0xEDB88320, initial
/// value 0xFFFFFFFF, final xor 0xFFFFFFFF. crc32("123456789") == 0xCBF43926.
/// Pass a previous result as `crc` to continue over several chunks.
uint32_t crc32(const void *data, size_t size, uint32_t crc = 0);

} // namespace io
} // namespace loom

#endif // LOOM_COMPILER_IO_CRC32_H
