// HTTP content codings handled by the HTTP layer itself: gzip and deflate (zlib-wrapped or,
// as some clients send it, raw). Other codings (snappy for remote_write) are left to the
// handlers that understand them.
//
// Decompression is bounded: output beyond `max_bytes` is a ResourceExhausted error, so a small
// "zip bomb" cannot exhaust memory. Corrupt or truncated input is InvalidArgument. Pure
// functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vigil {

enum class ContentCoding { kIdentity, kGzip, kDeflate, kOther };

// Classifies a Content-Encoding header value ("" and "identity" are kIdentity; "gzip" and
// "x-gzip" kGzip; "deflate" kDeflate; anything else, including lists, kOther).
ContentCoding ClassifyContentEncoding(std::string_view header_value);

// Decodes `data` of coding kGzip (possibly several concatenated members) or kDeflate.
absl::StatusOr<std::string> DecompressBody(ContentCoding coding, std::string_view data,
                                           size_t max_bytes);

// Decodes snappy's block format (remote_write, Loki push protobuf bodies) into *out, which is
// reused. Refuses a corrupt input and one that would decode past `max_bytes`.
absl::Status SnappyBlockDecode(std::string_view data, size_t max_bytes, std::string* out);

// gzip-compresses `data`; level 1 (fastest) suits responses compressed per request.
std::string GzipCompress(std::string_view data, int level = 1);

}  // namespace vigil
