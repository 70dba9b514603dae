//===- Npy.cpp - numpy .npy reading and writing ---------------------------===//
#include "compiler/io/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

namespace loom {
namespace io {

const char *npyTypeName(NpyType t) {
  switch (t) {
  case NpyType::F4:
    return "f4";
  case NpyType::F8:
    return "f8";
  case NpyType::I1:
    return "i1";
  case NpyType::I2:
    return "i2";
  case NpyType::I4:
    return "i4";
  case NpyType::I8:
    return "i8";
  case NpyType::U1:
    return "u1";
  case NpyType::U2:
    return "u2";
  case NpyType::U4:
    return "u4";
  case NpyType::U8:
    return "u8";
  case NpyType::B1:
    return "b1";
  }
  return "?";
}

int npyTypeSize(NpyType t) {
  switch (t) {
  case NpyType::I1:
  case NpyType::U1:
  case NpyType::B1:
    return 1;
  case NpyType::I2:
  case NpyType::U2:
    return 2;
  case NpyType::F4:
  case NpyType::I4:
  case NpyType::U4:
    return 4;
  case NpyType::F8:
  case NpyType::I8:
  case NpyType::U8:
    return 8;
  }
  return 1;
}

bool npyTypeIsInteger(NpyType t) { return t != NpyType::F4 && t != NpyType::F8; }

int64_t NpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

NpyArray NpyArray::fromFloat32(std::vector<int64_t> shape, const std::vector<float> &data) {
  NpyArray a;
  a.shape = std::move(shape);
  a.type = NpyType::F4;
  a.values.assign(data.begin(), data.end());
  return a;
}

NpyArray NpyArray::fromFloat64(std::vector<int64_t> shape, std::vector<double> data) {
  NpyArray a;
  a.shape = std::move(shape);
  a.type = NpyType::F8;
  a.values = std::move(data);
  return a;
}

NpyArray NpyArray::fromInts(std::vector<int64_t> shape, std::vector<int64_t> data, NpyType type) {
  NpyArray a;
  a.shape = std::move(shape);
  a.type = type;
  a.values.assign(data.begin(), data.end());
  a.ints = std::move(data);
  return a;
}

static llvm::Error err(llvm::StringRef what, const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), what + ": " + msg);
}

template <typename T> static T loadLE(const unsigned char *p) {
  unsigned char b[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i)
    b[i] = llvm::sys::IsLittleEndianHost ? p[i] : p[sizeof(T) - 1 - i];
  T out;
  std::memcpy(&out, b, sizeof(T));
  return out;
}

// Extracts the value text following 'key': in the header dict.
static bool findKey(llvm::StringRef header, llvm::StringRef key, llvm::StringRef &rest) {
  for (const char *q : {"'", "\""}) {
    std::string k = std::string(q) + key.str() + q;
    size_t pos = header.find(k);
    if (pos == llvm::StringRef::npos)
      continue;
    llvm::StringRef r = header.drop_front(pos + k.size()).ltrim();
    if (!r.consume_front(":"))
      return false;
    rest = r.ltrim();
    return true;
  }
  return false;
}

llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef what) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return err(what, "not a .npy file (missing the \\x93NUMPY magic)");
  const unsigned char *u = reinterpret_cast<const unsigned char *>(bytes.data());
  unsigned major = u[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = size_t(u[8]) | (size_t(u[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return err(what, "truncated .npy header");
    headerLen = size_t(u[8]) | (size_t(u[9]) << 8) | (size_t(u[10]) << 16) | (size_t(u[11]) << 24);
    headerStart = 12;
  } else {
    return err(what, "unsupported .npy format version " + llvm::Twine(major));
  }
  if (bytes.size() < headerStart + headerLen)
    return err(what, "truncated .npy header");
  llvm::StringRef header = bytes.substr(headerStart, headerLen);
  size_t dataStart = headerStart + headerLen;

  NpyArray a;
  // descr
  llvm::StringRef v;
  if (!findKey(header, "descr", v) || v.empty() || (v.front() != '\'' && v.front() != '"'))
    return err(what, "the .npy header has no 'descr' string (structured "
                     "dtypes are not supported)");
  char quote = v.front();
  v = v.drop_front();
  size_t end = v.find(quote);
  if (end == llvm::StringRef::npos)
    return err(what, "malformed 'descr' in the .npy header");
  llvm::StringRef descr = v.take_front(end);
  llvm::StringRef code = descr;
  char order = '|';
  if (!code.empty() &&
      (code.front() == '<' || code.front() == '>' || code.front() == '|' || code.front() == '='))
    order = code.front(), code = code.drop_front();
  static const struct {
    const char *name;
    NpyType type;
  } kTypes[] = {{"f4", NpyType::F4}, {"f8", NpyType::F8}, {"i1", NpyType::I1}, {"i2", NpyType::I2},
                {"i4", NpyType::I4}, {"i8", NpyType::I8}, {"u1", NpyType::U1}, {"u2", NpyType::U2},
                {"u4", NpyType::U4}, {"u8", NpyType::U8}, {"b1", NpyType::B1}};
  bool found = false;
  for (const auto &t : kTypes)
    if (code == t.name) {
      a.type = t.type;
      found = true;
    }
  if (!found)
    return err(what, "unsupported dtype '" + descr +
                         "' (supported: f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1); "
                         "convert the array, e.g. x.astype(np.float32)");
  if (order == '>' && npyTypeSize(a.type) > 1)
    return err(what, "big-endian dtype '" + descr +
                         "' is not supported; save it little endian, e.g. "
                         "x.astype('<" +
                         code + "')");
  // fortran_order
  if (!findKey(header, "fortran_order", v))
    return err(what, "the .npy header has no 'fortran_order'");
  if (v.starts_with("True"))
    return err(what, "fortran_order True is not supported; save a C-order "
                     "array, e.g. np.ascontiguousarray(x)");
  if (!v.starts_with("False"))
    return err(what, "malformed 'fortran_order' in the .npy header");
  // shape
  if (!findKey(header, "shape", v) || !v.consume_front("("))
    return err(what, "the .npy header has no 'shape' tuple");
  size_t close = v.find(')');
  if (close == llvm::StringRef::npos)
    return err(what, "malformed 'shape' in the .npy header");
  llvm::StringRef dims = v.take_front(close);
  while (true) {
    dims = dims.ltrim();
    if (dims.empty())
      break;
    auto [tok, rest] = dims.split(',');
    tok = tok.trim();
    (void)tok.consume_back("L"); // Python 2 longs
    unsigned long long d;
    if (tok.getAsInteger(10, d))
      return err(what, "malformed dimension '" + tok + "' in 'shape'");
    a.shape.push_back(int64_t(d));
    dims = rest;
  }

  int64_t n = a.numElements();
  int es = npyTypeSize(a.type);
  uint64_t need = uint64_t(n) * uint64_t(es);
  if (bytes.size() - dataStart < need)
    return err(what, "truncated data: expected " + llvm::Twine(need) + " bytes, found " +
                         llvm::Twine(uint64_t(bytes.size() - dataStart)));
  const unsigned char *p = u + dataStart;
  a.values.resize(size_t(n));
  if (a.isInteger())
    a.ints.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i, p += es) {
    int64_t iv = 0;
    switch (a.type) {
    case NpyType::F4:
      a.values[i] = loadLE<float>(p);
      continue;
    case NpyType::F8:
      a.values[i] = loadLE<double>(p);
      continue;
    case NpyType::I1:
      iv = int8_t(p[0]);
      break;
    case NpyType::I2:
      iv = loadLE<int16_t>(p);
      break;
    case NpyType::I4:
      iv = loadLE<int32_t>(p);
      break;
    case NpyType::I8:
      iv = loadLE<int64_t>(p);
      break;
    case NpyType::U1:
      iv = p[0];
      break;
    case NpyType::B1:
      iv = p[0] != 0;
      break;
    case NpyType::U2:
      iv = loadLE<uint16_t>(p);
      break;
    case NpyType::U4:
      iv = loadLE<uint32_t>(p);
      break;
    case NpyType::U8:
      iv = int64_t(loadLE<uint64_t>(p));
      break;
    }
    a.ints[i] = iv;
    a.values[i] = a.type == NpyType::U8 ? double(uint64_t(iv)) : double(iv);
  }
  return a;
}

llvm::Expected<NpyArray> readNpy(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return err(path, "cannot read: " + buf.getError().message());
  return parseNpy((*buf)->getBuffer(), path);
}

static void putLE(std::string &out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(char((v >> (8 * i)) & 0xFF));
}

llvm::Expected<std::string> encodeNpy(const NpyArray &a) {
  int64_t n = a.numElements();
  bool isInt = a.isInteger();
  if (a.type == NpyType::U4 || a.type == NpyType::U8 || a.type == NpyType::B1)
    return err("npy", llvm::Twine("writing dtype ") + npyTypeName(a.type) + " is not supported");
  size_t have = isInt ? a.ints.size() : a.values.size();
  if (int64_t(have) != n)
    return err("npy", "array has " + llvm::Twine(uint64_t(have)) + " values but its shape needs " +
                          llvm::Twine(n));
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i)
    shape += std::to_string(a.shape[i]) + (a.shape.size() == 1 ? "," : "") +
             (i + 1 < a.shape.size() ? ", " : "");
  shape += ")";
  const char *bo = npyTypeSize(a.type) == 1 ? "|" : "<";
  std::string header = std::string("{'descr': '") + bo + npyTypeName(a.type) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so that 10 + len(header incl. '\n') is a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  if (header.size() > 65535)
    return err("npy", "shape too long for a version 1.0 header");

  std::string out;
  int es = npyTypeSize(a.type);
  out.reserve(10 + header.size() + size_t(n) * es);
  out.append("\x93NUMPY", 6);
  out.push_back('\x01');
  out.push_back('\x00');
  putLE(out, header.size(), 2);
  out += header;
  int64_t lo = 0, hi = 0;
  switch (a.type) {
  case NpyType::I1:
    lo = INT8_MIN, hi = INT8_MAX;
    break;
  case NpyType::I2:
    lo = INT16_MIN, hi = INT16_MAX;
    break;
  case NpyType::I4:
    lo = INT32_MIN, hi = INT32_MAX;
    break;
  case NpyType::I8:
    lo = INT64_MIN, hi = INT64_MAX;
    break;
  case NpyType::U1:
    lo = 0, hi = UINT8_MAX;
    break;
  case NpyType::U2:
    lo = 0, hi = UINT16_MAX;
    break;
  default:
    break;
  }
  for (int64_t i = 0; i < n; ++i) {
    if (a.type == NpyType::F4) {
      float f = float(a.values[i]);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      putLE(out, bits, 4);
    } else if (a.type == NpyType::F8) {
      uint64_t bits;
      std::memcpy(&bits, &a.values[i], 8);
      putLE(out, bits, 8);
    } else {
      int64_t v = a.ints[i];
      if (v < lo || v > hi)
        return err("npy", "value " + llvm::Twine(v) + " at index " + llvm::Twine(i) +
                              " does not fit dtype " + npyTypeName(a.type));
      putLE(out, uint64_t(v), es);
    }
  }
  return out;
}

llvm::Error writeNpy(llvm::StringRef path, const NpyArray &a) {
  auto bytes = encodeNpy(a);
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

llvm::Error writeNpyFloat32(llvm::StringRef path, const std::vector<int64_t> &shape,
                            const std::vector<float> &data) {
  return writeNpy(path, NpyArray::fromFloat32(shape, data));
}

llvm::Error writeNpyInt64(llvm::StringRef path, const std::vector<int64_t> &shape,
                          const std::vector<int64_t> &data) {
  return writeNpy(path, NpyArray::fromInts(shape, data, NpyType::I8));
}

llvm::Error writeNpyInt32(llvm::StringRef path, const std::vector<int64_t> &shape,
                          const std::vector<int64_t> &data) {
  return writeNpy(path, NpyArray::fromInts(shape, data, NpyType::I4));
}

} // namespace io
} // namespace loom
