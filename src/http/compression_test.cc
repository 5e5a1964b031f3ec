#include "http/compression.h"

#include <zlib.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

std::string Deflate(std::string_view in, int window_bits) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = in.size();
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = out.size();
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(CompressionTest, Classify) {
  EXPECT_EQ(ClassifyContentEncoding(""), ContentCoding::kIdentity);
  EXPECT_EQ(ClassifyContentEncoding("identity"), ContentCoding::kIdentity);
  EXPECT_EQ(ClassifyContentEncoding(" GZIP "), ContentCoding::kGzip);
  EXPECT_EQ(ClassifyContentEncoding("x-gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ClassifyContentEncoding("deflate"), ContentCoding::kDeflate);
  EXPECT_EQ(ClassifyContentEncoding("snappy"), ContentCoding::kOther);
}

TEST(CompressionTest, GzipRoundTrip) {
  std::string data;
  for (int i = 0; i < 10000; ++i) data += "sample line " + std::to_string(i) + "\n";
  std::string gz = GzipCompress(data);
  EXPECT_LT(gz.size(), data.size() / 3);
  auto back = DecompressBody(ContentCoding::kGzip, gz, data.size());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, data);
  EXPECT_EQ(*DecompressBody(ContentCoding::kGzip, GzipCompress(""), 0), "");
}

TEST(CompressionTest, ConcatenatedGzipMembers) {
  std::string gz = GzipCompress("hello ") + GzipCompress("world");
  EXPECT_EQ(*DecompressBody(ContentCoding::kGzip, gz, 100), "hello world");
}

TEST(CompressionTest, DeflateZlibAndRaw) {
  std::string data(5000, 'x');
  EXPECT_EQ(*DecompressBody(ContentCoding::kDeflate, Deflate(data, 15), 5000), data);
  EXPECT_EQ(*DecompressBody(ContentCoding::kDeflate, Deflate(data, -15), 5000), data);
}

TEST(CompressionTest, BombIsBounded) {
  std::string zeros(10 << 20, '\0');
  std::string gz = GzipCompress(zeros, 9);
  EXPECT_LT(gz.size(), 64 << 10);
  auto r = DecompressBody(ContentCoding::kGzip, gz, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("exceeds the limit of 1048576 bytes"));
  // Exactly at the limit is fine.
  EXPECT_TRUE(DecompressBody(ContentCoding::kGzip, gz, zeros.size()).ok());
}

TEST(CompressionTest, CorruptAndTruncated) {
  std::string gz = GzipCompress(std::string(4096, 'a') + "tail");
  auto r = DecompressBody(ContentCoding::kGzip, gz.substr(0, gz.size() / 2), 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("unexpected end"));
  r = DecompressBody(ContentCoding::kGzip, "not gzip at all", 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("invalid gzip body"));
  r = DecompressBody(ContentCoding::kGzip, "", 1 << 20);
  EXPECT_FALSE(r.ok());
  std::string flipped = gz;
  flipped[flipped.size() - 6] ^= 0x55;  // breaks the CRC
  EXPECT_FALSE(DecompressBody(ContentCoding::kGzip, flipped, 1 << 20).ok());
  std::string trailing = Deflate("abc", 15) + "junk";
  r = DecompressBody(ContentCoding::kDeflate, trailing, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("trailing"));
}

}  // namespace
}  // namespace vigil
