#include "storage/wal/frame.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "common/coding.h"
#include "storage/wal/crc32c.h"
#include "storage/wal/wal_files.h"

namespace vigil::wal {
namespace {

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  std::string ones(32, '\xff');
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
}

TEST(Crc32cTest, HardwareMatchesPortableAtEveryAlignment) {
  std::mt19937 rng(7);
  std::string data(1000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t start = 0; start < 16; ++start) {
    for (size_t len : {0, 1, 7, 8, 9, 63, 500, 984}) {
      EXPECT_EQ(Crc32c(data.data() + start, len),
                internal::Crc32cExtendPortable(0, data.data() + start, len))
          << start << " " << len;
    }
  }
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string a = "hello, ", b = "write-ahead log";
  EXPECT_EQ(Crc32cExtend(Crc32c(a), b.data(), b.size()), Crc32c(a + b));
}

TEST(CodingTest, VarintRoundTripAndBounds) {
  std::string buf;
  const uint64_t us[] = {0, 1, 127, 128, 300, 1ull << 35, UINT64_MAX};
  const int64_t ss[] = {0, -1, 1, -64, 64, INT64_MIN, INT64_MAX};
  for (uint64_t u : us) PutUvarint(&buf, u);
  for (int64_t s : ss) PutVarint(&buf, s);
  ByteReader r(buf);
  for (uint64_t u : us) {
    uint64_t got;
    ASSERT_TRUE(r.Uvarint(&got));
    EXPECT_EQ(got, u);
  }
  for (int64_t s : ss) {
    int64_t got;
    ASSERT_TRUE(r.Varint(&got));
    EXPECT_EQ(got, s);
  }
  EXPECT_EQ(r.remaining(), 0u);
  uint64_t v;
  EXPECT_FALSE(r.Uvarint(&v));

  // Eleven continuation bytes, and a tenth byte that overflows 64 bits.
  std::string eleven(11, '\x80');
  ByteReader overlong(eleven);
  EXPECT_FALSE(overlong.Uvarint(&v));
  std::string overflow(9, '\xff');
  overflow.push_back('\x02');
  ByteReader of(overflow);
  EXPECT_FALSE(of.Uvarint(&v));
  // A string whose length runs past the input.
  std::string s;
  PutUvarint(&s, 10);
  s += "abc";
  ByteReader sr(s);
  std::string_view out;
  EXPECT_FALSE(sr.String(&out));
}

TEST(WalFilesTest, Names) {
  EXPECT_EQ(SegmentName(1), "00000001");
  EXPECT_EQ(SegmentName(123456789), "123456789");
  EXPECT_EQ(CheckpointName(42), "checkpoint.00000042");
  int i = 0;
  EXPECT_TRUE(ParseSegmentName("00000007", &i));
  EXPECT_EQ(i, 7);
  EXPECT_TRUE(ParseCheckpointName("checkpoint.00000009", &i));
  EXPECT_EQ(i, 9);
  EXPECT_FALSE(ParseSegmentName("0000007", &i));
  EXPECT_FALSE(ParseSegmentName("0000000a", &i));
  EXPECT_FALSE(ParseSegmentName("00000000", &i));
  EXPECT_FALSE(ParseSegmentName("99999999999", &i));
  EXPECT_FALSE(ParseCheckpointName("checkpoint.00000009.tmp", &i));
  EXPECT_FALSE(ParseCheckpointName("checkpoint.", &i));
}

class FrameReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("vigil_frame_test_" + std::to_string(::getpid())))
                .string();
  }
  void TearDown() override { std::remove(path_.c_str()); }

  void Write(const std::string& bytes) {
    std::ofstream f(path_, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  // Reads every record; returns them, and the reader's end state through the out params.
  std::vector<std::string> ReadAll(std::string* corruption, uint64_t* valid,
                                   FileKind kind = FileKind::kSegment) {
    auto r = FrameReader::Open(path_, kind);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    std::string_view rec;
    while ((*r)->Next(&rec)) out.emplace_back(rec);
    EXPECT_EQ((*r)->io_error(), "");
    *corruption = (*r)->corruption();
    *valid = (*r)->valid_bytes();
    return out;
  }

  std::string path_;
};

TEST_F(FrameReaderTest, RoundTripIncludingEmptyAndLargeRecords) {
  std::string file;
  AppendFileHeader(FileKind::kSegment, &file);
  std::vector<std::string> recs = {"a", "", std::string(3 << 20, 'x'), "last"};
  for (const auto& r : recs) AppendFrame(r, &file);
  Write(file);
  std::string corruption;
  uint64_t valid;
  EXPECT_EQ(ReadAll(&corruption, &valid), recs);
  EXPECT_EQ(corruption, "");
  EXPECT_EQ(valid, file.size());
}

TEST_F(FrameReaderTest, EmptyFileIsCleanAndTornHeaderIsDamage) {
  Write("");
  std::string corruption;
  uint64_t valid;
  EXPECT_TRUE(ReadAll(&corruption, &valid).empty());
  EXPECT_EQ(corruption, "");
  Write("VWA");
  EXPECT_TRUE(ReadAll(&corruption, &valid).empty());
  EXPECT_NE(corruption.find("torn file header"), std::string::npos) << corruption;
  EXPECT_EQ(valid, 0u);
}

TEST_F(FrameReaderTest, BadMagicWrongKindAndNewerVersion) {
  Write(std::string("NOPE\x01\x00\x00\x00", 8));
  std::string corruption;
  uint64_t valid;
  ReadAll(&corruption, &valid);
  EXPECT_NE(corruption.find("bad magic"), std::string::npos) << corruption;

  std::string cp;
  AppendFileHeader(FileKind::kCheckpoint, &cp);
  AppendFrame("x", &cp);
  Write(cp);
  EXPECT_TRUE(ReadAll(&corruption, &valid, FileKind::kSegment).empty());
  EXPECT_NE(corruption.find("file kind"), std::string::npos) << corruption;

  std::string newer;
  AppendFileHeader(FileKind::kSegment, &newer);
  newer[4] = 9;
  Write(newer);
  auto r = FrameReader::Open(path_, FileKind::kSegment);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(r.status().message()).find("version 9"), std::string::npos);
}

TEST_F(FrameReaderTest, EachKindOfDamageStopsAtTheLastGoodFrame) {
  std::string good;
  AppendFileHeader(FileKind::kSegment, &good);
  AppendFrame("first", &good);
  const uint64_t good_size = good.size();

  struct Case {
    std::string tail;
    std::string expect;
  };
  std::string bad_crc;
  AppendFrame("second", &bad_crc);
  bad_crc.back() ^= 1;
  std::string bad_type;
  AppendFrame("second", &bad_type);
  bad_type[0] = 7;
  std::string huge_len =
      std::string("\x01", 1) + std::string("\xff\xff\xff\x7f", 4) + std::string(4, '\0');
  std::string long_len;
  AppendFrame("second", &long_len);
  long_len.resize(long_len.size() - 2);
  const Case cases[] = {
      {bad_crc, "checksum mismatch"},
      {bad_type, "unknown frame type 7"},
      {huge_len, "over the limit"},
      {long_len, "torn frame at offset"},
      {std::string(4096, '\0'), "zero-filled bytes"},
      {std::string(5, '\0'), "zero-filled tail"},
      {"\x01\x02", "torn frame header"},
  };
  for (const Case& c : cases) {
    Write(good + c.tail);
    std::string corruption;
    uint64_t valid;
    EXPECT_EQ(ReadAll(&corruption, &valid), std::vector<std::string>{"first"}) << c.expect;
    EXPECT_NE(corruption.find(c.expect), std::string::npos) << corruption;
    EXPECT_EQ(valid, good_size) << c.expect;
  }
}

TEST_F(FrameReaderTest, FlippedLengthByteIsCaughtByTheChecksum) {
  std::string file;
  AppendFileHeader(FileKind::kSegment, &file);
  AppendFrame("abcdefgh", &file);
  AppendFrame("ijkl", &file);
  file[kFileHeaderSize + 1] = 4;  // first frame now claims 4 bytes
  Write(file);
  std::string corruption;
  uint64_t valid;
  EXPECT_TRUE(ReadAll(&corruption, &valid).empty());
  EXPECT_NE(corruption.find("checksum mismatch"), std::string::npos) << corruption;
  EXPECT_EQ(valid, kFileHeaderSize);
}

}  // namespace
}  // namespace vigil::wal
