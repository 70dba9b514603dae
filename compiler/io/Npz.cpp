//===- Npz.cpp - numpy .npz archives --------------------------------------===//
//
// ZIP layout written (all integers little endian, APPNOTE.TXT 6.3):
//   per member: local file header (0x04034b50), name, data
//   central directory: one header (0x02014b50) per member
//   end of central directory record (0x06054b50)
// Method 0 (STORED), version 2.0, fixed DOS time 1980-01-01 00:00:00 so that
// the output is deterministic.
//
//===----------------------------------------------------------------------===//
#include "compiler/io/Npz.h"
#include "compiler/io/Crc32.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace loom {
namespace io {

static llvm::Error err(llvm::StringRef what, const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), what + ": " + msg);
}

static void put16(std::string &o, uint32_t v) {
  o.push_back(char(v & 0xFF));
  o.push_back(char((v >> 8) & 0xFF));
}
static void put32(std::string &o, uint32_t v) {
  put16(o, v & 0xFFFF);
  put16(o, v >> 16);
}

static constexpr uint16_t kDosTime = 0;                       // 00:00:00
static constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01

llvm::Expected<std::string> encodeNpz(const std::vector<NpzEntry> &arrays) {
  struct Member {
    std::string name;
    uint32_t crc, size, offset;
    uint16_t flags;
  };
  std::vector<Member> members;
  std::string out;
  llvm::StringSet<> seen;
  for (const auto &[name, arr] : arrays) {
    if (name.empty())
      return err("npz", "empty array name");
    if (name.find('\0') != std::string::npos)
      return err("npz", "array name contains a NUL character");
    if (!seen.insert(name).second)
      return err("npz", "duplicate array name '" + name + "'");
    auto npy = encodeNpy(arr);
    if (!npy)
      return err("npz", "array '" + name + "': " + llvm::toString(npy.takeError()));
    Member m;
    m.name = name + ".npy";
    if (m.name.size() > 0xFFFF)
      return err("npz", "array name too long");
    uint64_t end = uint64_t(out.size()) + 30 + m.name.size() + npy->size();
    if (end >= 0xFFFFFFFFull)
      return err("npz", "archive larger than 4 GiB (ZIP64 not supported)");
    m.crc = crc32(npy->data(), npy->size());
    m.size = uint32_t(npy->size());
    m.offset = uint32_t(out.size());
    m.flags = 0;
    for (unsigned char c : m.name)
      if (c >= 0x80)
        m.flags = 0x0800; // names are UTF-8
    put32(out, 0x04034b50);
    put16(out, 20); // version needed to extract
    put16(out, m.flags);
    put16(out, 0); // STORED
    put16(out, kDosTime);
    put16(out, kDosDate);
    put32(out, m.crc);
    put32(out, m.size); // compressed size
    put32(out, m.size); // uncompressed size
    put16(out, uint32_t(m.name.size()));
    put16(out, 0); // extra field length
    out += m.name;
    out += *npy;
    members.push_back(std::move(m));
  }
  if (members.size() > 0xFFFF)
    return err("npz", "too many arrays for a non-ZIP64 archive");
  uint64_t cdStart = out.size();
  for (const Member &m : members) {
    put32(out, 0x02014b50);
    put16(out, (3 << 8) | 20); // made by: UNIX, spec 2.0
    put16(out, 20);            // version needed
    put16(out, m.flags);
    put16(out, 0); // STORED
    put16(out, kDosTime);
    put16(out, kDosDate);
    put32(out, m.crc);
    put32(out, m.size);
    put32(out, m.size);
    put16(out, uint32_t(m.name.size()));
    put16(out, 0);              // extra
    put16(out, 0);              // comment
    put16(out, 0);              // disk number start
    put16(out, 0);              // internal attributes
    put32(out, 0100644u << 16); // external attributes: -rw-r--r--
    put32(out, m.offset);
    out += m.name;
  }
  uint64_t cdSize = out.size() - cdStart;
  if (out.size() >= 0xFFFFFFFFull)
    return err("npz", "archive larger than 4 GiB (ZIP64 not supported)");
  put32(out, 0x06054b50);
  put16(out, 0); // this disk
  put16(out, 0); // disk with the central directory
  put16(out, uint32_t(members.size()));
  put16(out, uint32_t(members.size()));
  put32(out, uint32_t(cdSize));
  put32(out, uint32_t(cdStart));
  put16(out, 0); // comment length
  return out;
}

llvm::Error writeNpz(llvm::StringRef path, const std::vector<NpzEntry> &arrays) {
  auto bytes = encodeNpz(arrays);
  if (!bytes)
    return err(path, llvm::toString(bytes.takeError()));
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return err(path, "cannot write: " + ec.message());
  os << *bytes;
  os.close();
  if (os.has_error()) {
    std::string m = os.error().message();
    os.clear_error();
    return err(path, "write failed: " + m);
  }
  return llvm::Error::success();
}

static uint32_t get16(const unsigned char *p) { return p[0] | (p[1] << 8); }
static uint32_t get32(const unsigned char *p) { return get16(p) | (get16(p + 2) << 16); }

llvm::Expected<std::vector<NpzEntry>> parseNpz(llvm::StringRef bytes, llvm::StringRef what) {
  const unsigned char *u = reinterpret_cast<const unsigned char *>(bytes.data());
  size_t n = bytes.size();
  // Find the end of central directory record (scan back over a comment).
  if (n < 22)
    return err(what, "not a ZIP/.npz file (too short)");
  size_t eocd = std::string::npos;
  for (size_t i = n - 22 + 1; i-- > 0 && n - i <= 22 + 0xFFFF;)
    if (get32(u + i) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos)
    return err(what, "not a ZIP/.npz file (no end of central directory)");
  uint32_t count = get16(u + eocd + 10);
  uint32_t cdSize = get32(u + eocd + 12);
  uint32_t cdOff = get32(u + eocd + 16);
  if (uint64_t(cdOff) + cdSize > eocd)
    return err(what, "corrupt ZIP central directory (ZIP64 is not supported)");
  std::vector<NpzEntry> result;
  size_t p = cdOff;
  for (uint32_t i = 0; i < count; ++i) {
    if (p + 46 > eocd || get32(u + p) != 0x02014b50)
      return err(what, "corrupt ZIP central directory entry");
    uint32_t method = get16(u + p + 10);
    uint32_t crc = get32(u + p + 16);
    uint32_t csize = get32(u + p + 20);
    uint32_t usize = get32(u + p + 24);
    uint32_t nameLen = get16(u + p + 28);
    uint32_t extraLen = get16(u + p + 30);
    uint32_t commentLen = get16(u + p + 32);
    uint32_t localOff = get32(u + p + 42);
    if (p + 46 + nameLen > eocd)
      return err(what, "corrupt ZIP central directory entry");
    std::string name(bytes.data() + p + 46, nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (method != 0)
      return err(what, "member '" + name + "' is compressed (method " + llvm::Twine(method) +
                           "); only uncompressed archives (numpy.savez, not "
                           "savez_compressed) are supported");
    if (csize != usize || csize == 0xFFFFFFFFu)
      return err(what, "member '" + name + "': ZIP64 is not supported");
    if (uint64_t(localOff) + 30 > n || get32(u + localOff) != 0x04034b50)
      return err(what, "corrupt local header of member '" + name + "'");
    size_t dataOff = localOff + 30 + get16(u + localOff + 26) + get16(u + localOff + 28);
    if (uint64_t(dataOff) + csize > n)
      return err(what, "member '" + name + "' is truncated");
    llvm::StringRef data = bytes.substr(dataOff, csize);
    if (crc32(data.data(), data.size()) != crc)
      return err(what, "CRC-32 mismatch in member '" + name + "'");
    llvm::StringRef key = name;
    if (!key.consume_back(".npy"))
      return err(what, "member '" + name + "' is not a .npy file");
    auto arr = parseNpy(data, (what + ":" + name).str());
    if (!arr)
      return arr.takeError();
    result.emplace_back(key.str(), std::move(*arr));
  }
  return result;
}

llvm::Expected<std::vector<NpzEntry>> readNpz(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return err(path, "cannot read: " + buf.getError().message());
  return parseNpz((*buf)->getBuffer(), path);
}

} // namespace io
} // namespace loom
