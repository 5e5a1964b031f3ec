#include "http/compression.h"

#include <snappy.h>

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "common/strings.h"
#include "http/headers.h"

namespace vigil {
namespace {

// A zlib stream that is always released, whatever path leaves the function.
struct InflateStream {
  z_stream zs{};
  bool initialized = false;
  ~InflateStream() {
    if (initialized) inflateEnd(&zs);
  }
};

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

ContentCoding ClassifyContentEncoding(std::string_view header_value) {
  std::string_view v = TrimSpace(header_value);
  if (v.empty() || EqualsIgnoreCase(v, "identity")) return ContentCoding::kIdentity;
  if (EqualsIgnoreCase(v, "gzip") || EqualsIgnoreCase(v, "x-gzip")) return ContentCoding::kGzip;
  if (EqualsIgnoreCase(v, "deflate")) return ContentCoding::kDeflate;
  return ContentCoding::kOther;
}

absl::StatusOr<std::string> DecompressBody(ContentCoding coding, std::string_view data,
                                           size_t max_bytes) {
  if (coding == ContentCoding::kIdentity) {
    if (data.size() > max_bytes) {
      return absl::ResourceExhaustedError(
          StrCat("body of ", data.size(), " bytes exceeds the limit of ", max_bytes, " bytes"));
    }
    return std::string(data);
  }
  if (coding != ContentCoding::kGzip && coding != ContentCoding::kDeflate) {
    return absl::InvalidArgumentError("unsupported content coding");
  }
  const char* name = coding == ContentCoding::kGzip ? "gzip" : "deflate";
  int window_bits = 15 + 16;  // gzip wrapper only
  if (coding == ContentCoding::kDeflate) {
    // HTTP's "deflate" is the zlib format, but some clients send a raw deflate stream; a zlib
    // header is recognizable by its method nibble and its check bits.
    bool zlib_header =
        data.size() >= 2 && (static_cast<unsigned char>(data[0]) & 0x0f) == 8 &&
        ((static_cast<unsigned char>(data[0]) << 8) | static_cast<unsigned char>(data[1])) % 31 ==
            0;
    window_bits = zlib_header ? 15 : -15;
  }
  InflateStream s;
  if (inflateInit2(&s.zs, window_bits) != Z_OK) {
    return absl::InternalError("zlib inflateInit2 failed");
  }
  s.initialized = true;

  std::string out;
  // Grow the output geometrically instead of trusting any size the input claims; the cap is
  // one byte past the limit so that "exactly max_bytes" is still accepted.
  const size_t cap = max_bytes == SIZE_MAX ? max_bytes : max_bytes + 1;
  size_t produced = 0;
  size_t in_pos = 0;
  for (;;) {
    if (produced == out.size()) {
      if (out.size() >= cap) {
        return absl::ResourceExhaustedError(
            StrCat("decompressed ", name, " body exceeds the limit of ", max_bytes, " bytes"));
      }
      size_t grow = std::max<size_t>(out.size(), std::max<size_t>(data.size() * 2, 4096));
      out.resize(std::min(cap, out.size() + grow));
    }
    size_t in_chunk = std::min<size_t>(data.size() - in_pos, UINT_MAX);
    size_t out_chunk = std::min<size_t>(out.size() - produced, UINT_MAX);
    s.zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + in_pos));
    s.zs.avail_in = static_cast<uInt>(in_chunk);
    s.zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    s.zs.avail_out = static_cast<uInt>(out_chunk);
    int rc = inflate(&s.zs, Z_NO_FLUSH);
    in_pos += in_chunk - s.zs.avail_in;
    produced += out_chunk - s.zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (in_pos == data.size() || coding != ContentCoding::kGzip) {
        if (in_pos != data.size()) {
          return absl::InvalidArgumentError(
              StrCat("invalid ", name, " body: ", data.size() - in_pos,
                     " bytes of trailing data after the compressed stream"));
        }
        break;
      }
      // Concatenated gzip members decode as one body (RFC 1952 section 2.2).
      if (inflateReset(&s.zs) != Z_OK) return absl::InternalError("zlib inflateReset failed");
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR) {
      if (s.zs.avail_out == 0) continue;  // needs more output space: grow above
      return absl::InvalidArgumentError(
          StrCat("invalid ", name, " body: unexpected end of compressed data"));
    }
    if (rc == Z_MEM_ERROR) return absl::ResourceExhaustedError("zlib out of memory");
    return absl::InvalidArgumentError(
        StrCat("invalid ", name, " body: ", s.zs.msg ? s.zs.msg : "corrupt compressed data"));
  }
  out.resize(produced);
  return out;
}

std::string GzipCompress(std::string_view data, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out;
  out.resize(deflateBound(&zs, data.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  // deflateBound guarantees one Z_FINISH call suffices for inputs below 4 GiB; larger inputs
  // are fed in slices.
  size_t in_pos = 0;
  int rc = Z_OK;
  for (;;) {
    size_t chunk = std::min<size_t>(data.size() - in_pos, UINT_MAX);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + in_pos));
    zs.avail_in = static_cast<uInt>(chunk);
    bool last = in_pos + chunk == data.size();
    if (zs.avail_out == 0) {
      size_t used = out.size();
      out.resize(used * 2);
      zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      zs.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - used, UINT_MAX));
    }
    rc = deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
    in_pos += chunk - zs.avail_in;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
  }
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

absl::Status SnappyBlockDecode(std::string_view data, size_t max_bytes, std::string* out) {
  size_t len = 0;
  if (!snappy::GetUncompressedLength(data.data(), data.size(), &len)) {
    return absl::InvalidArgumentError("snappy: corrupt input (bad length header)");
  }
  if (len > max_bytes) {
    return absl::InvalidArgumentError(StrCat("snappy: decoded request of ", len,
                                             " bytes exceeds the limit of ", max_bytes, " bytes"));
  }
  out->resize(len);
  if (!snappy::RawUncompress(data.data(), data.size(), out->data())) {
    return absl::InvalidArgumentError("snappy: corrupt or truncated input");
  }
  return absl::OkStatus();
}

}  // namespace vigil
