//===- Crc32.cpp - CRC-32 (IEEE 802.3 / ZIP) ------------------------------===//
#include "compiler/io/Crc32.h"

#include <array>

namespace loom {
namespace io {

static const std::array<uint32_t, 256> &crcTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = (c & 1) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
      t[i] = c;
    }
    return t;
  }();
  return table;
}

uint32_t crc32(const void *data, size_t size, uint32_t crc) {
  const auto &t = crcTable();
  const unsigned char *p = static_cast<const unsigned char *>(data);
  uint32_t c = crc ^ 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i)
    c = t[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

} // namespace io
} // namespace loom
