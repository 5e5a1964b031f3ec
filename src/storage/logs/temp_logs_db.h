// For tests: a LogsDb in a fresh temporary folder (removed afterwards), with background
// maintenance off and no fsync, so tests cut the head and apply retention themselves.
#pragma once

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "storage/logs/logs_db.h"

namespace vigil {

class TempLogsDb {
 public:
  explicit TempLogsDb(void (*tweak)(LogsDbOptions&) = nullptr) {
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() /
            ("vigil_test_logs_" + std::to_string(rd()) + std::to_string(rd())))
               .string();
    LogsDbOptions o;
    o.dir = dir_;
    o.wal_sync = false;
    o.background = false;
    if (tweak) tweak(o);
    db_ = std::move(*LogsDb::Open(o));
  }
  ~TempLogsDb() {
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempLogsDb(const TempLogsDb&) = delete;
  TempLogsDb& operator=(const TempLogsDb&) = delete;

  LogsDb& db() { return *db_; }
  LogsDb* get() { return db_.get(); }
  LogsDb* operator->() { return db_.get(); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::unique_ptr<LogsDb> db_;
};

}  // namespace vigil
