#include "storage/columnar/column_file.h"

#include <filesystem>
#include <string>

#include "common/file_util.h"
#include "common/test_temp_path.h"
#include "gtest/gtest.h"

namespace vigil::columnar {
namespace {

class ColumnFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TestTempPath("vigil_column_file");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
};

TEST_F(ColumnFileTest, AChunkIsReadOnlyAtTheSizeItsFrameDeclares) {
  const std::string raw(10000, 'x');
  Chunk c;
  {
    auto file = FileWriter::Create(path_);
    ASSERT_TRUE(file.ok()) << file.status();
    ChunkWriter w(3);
    ASSERT_TRUE(w.WriteCompressed(raw, **file, &c).ok());
    ASSERT_TRUE(w.Finish("meta", 1, "TESTMAGC", **file).ok());
  }
  auto f = MappedFile::Open(path_);
  ASSERT_TRUE(f.ok()) << f.status();
  ChunkReader reader;
  std::string out;
  ASSERT_TRUE(reader.Read(**f, c, &out).ok());
  EXPECT_EQ(out, raw);

  // A recorded size the frame does not declare (a damaged metadata entry whose checksum
  // still matched) is refused before a buffer of that size is made.
  Chunk damaged = c;
  damaged.raw_size = 0x7fffffff;
  absl::Status st = reader.Read(**f, damaged, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
  EXPECT_NE(std::string(st.message()).find("does not match its recorded size"),
            std::string::npos)
      << st;
  EXPECT_LT(out.capacity(), size_t{1} << 20);
}

}  // namespace
}  // namespace vigil::columnar
