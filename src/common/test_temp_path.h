// For tests: a path under the system's temporary directory named after the process and the
// running test, so tests of one binary (and concurrent binaries) never share files.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace vigil {

inline std::string TestTempPath(std::string_view prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return (std::filesystem::temp_directory_path() /
          (std::string(prefix) + "_" + std::to_string(::getpid()) + "_" + info->name()))
      .string();
}

}  // namespace vigil
