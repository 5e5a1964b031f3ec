// File helpers for the stores' immutable files (metrics blocks, log segments): a buffered
// append-only writer that fsyncs, a read-only memory mapping, and directory fsync. Errors carry the path and errno text.
//
// Thread-safety: FileWriter is single-threaded; a MappedFile is immutable once open and may
// be read concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vigil {

absl::Status ErrnoStatus(const std::string& what, const std::string& path, int err);

class FileWriter {
 public:
  // Creates (truncating) `path`.
  static absl::StatusOr<std::unique_ptr<FileWriter>> Create(const std::string& path);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  absl::Status Append(std::span<const uint8_t> data);
  absl::Status Append(const std::string& s) {
    return Append({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  }
  // Bytes appended so far (including those still buffered).
  uint64_t size() const { return size_; }
  // Flushes, fsyncs and closes; the writer is unusable afterwards.
  absl::Status SyncAndClose();

 private:
  FileWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  absl::Status Flush();

  int fd_;
  std::string path_;
  std::vector<uint8_t> buf_;
  uint64_t size_ = 0;
};

// A read-only mapping of a whole file (an empty file maps to an empty span).
class MappedFile {
 public:
  static absl::StatusOr<std::unique_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> data() const { return {data_, size_}; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

absl::Status SyncDir(const std::string& dir);
absl::StatusOr<std::string> ReadFileToString(const std::string& path, size_t max_size);
// Writes `contents` to `path` and fsyncs it.
absl::Status WriteFileSync(const std::string& path, const std::string& contents);

}  // namespace vigil
