// For tests: a TracesDb in a fresh temporary folder (removed afterwards), with background
// maintenance off and no fsync, so tests cut the head and apply retention themselves.
#pragma once

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "storage/traces/traces_db.h"

namespace vigil {

class TempTracesDb {
 public:
  explicit TempTracesDb(void (*tweak)(TracesDbOptions&) = nullptr) {
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() /
            ("vigil_test_traces_" + std::to_string(rd()) + std::to_string(rd())))
               .string();
    options_.dir = dir_;
    options_.wal_sync = false;
    options_.background = false;
    if (tweak) tweak(options_);
    db_ = std::move(*TracesDb::Open(options_));
  }
  ~TempTracesDb() {
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempTracesDb(const TempTracesDb&) = delete;
  TempTracesDb& operator=(const TempTracesDb&) = delete;

  // Closes and opens the store again on the same folder (a restart).
  void Reopen() {
    db_.reset();
    db_ = std::move(*TracesDb::Open(options_));
  }
  // Replaces the folder with a copy taken while the store is open (what kill -9 leaves
  // behind: no cut on close, the WAL as Append left it), then opens the store on it.
  void CrashAndReopen() {
    const std::string crash = dir_ + "_crash";
    std::filesystem::remove_all(crash);
    std::filesystem::copy(dir_, crash, std::filesystem::copy_options::recursive);
    db_.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::rename(crash, dir_);
    db_ = std::move(*TracesDb::Open(options_));
  }

  TracesDb* operator->() { return db_.get(); }
  TracesDb& db() { return *db_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  TracesDbOptions options_;
  std::unique_ptr<TracesDb> db_;
};

}  // namespace vigil
