#include "ingest/otlp/otlp_response.h"

#include <string>

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(OtlpResponseTest, Encoding) {
  EXPECT_EQ(EncodeOtlpExportResponse(0, ""), "");
  std::string partial = EncodeOtlpExportResponse(3, "bad ids");
  EXPECT_EQ(partial, std::string("\x0a\x0b\x08\x03\x12\x07"
                                 "bad ids",
                                 13));
  EXPECT_EQ(EncodeOtlpExportResponse(0, "warning"), std::string("\x0a\x09\x12\x07warning", 11));
  EXPECT_EQ(OtlpExportResponseJson("rejectedLogRecords", 0, ""), "{}");
  EXPECT_EQ(OtlpExportResponseJson("rejectedLogRecords", 2, "x \"y\""),
            R"({"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"x \"y\""}})");
}

}  // namespace
}  // namespace vigil
