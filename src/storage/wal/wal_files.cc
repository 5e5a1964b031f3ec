#include "storage/wal/wal_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/strings.h"
#include "storage/wal/aligned_buffer.h"

namespace vigil::wal {
namespace {

constexpr std::string_view kCheckpointPrefix = "checkpoint.";
constexpr std::string_view kTmpSuffix = ".tmp";

bool ParseIndex(std::string_view digits, int* index) {
  if (digits.size() < 8 || digits.size() > 10) return false;
  int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v <= 0 || v > INT32_MAX) return false;
  *index = static_cast<int>(v);
  return true;
}

}  // namespace

std::string SegmentName(int index) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08d", index);
  return buf;
}

std::string CheckpointName(int index) { return StrCat(kCheckpointPrefix, SegmentName(index)); }

bool ParseSegmentName(std::string_view name, int* index) { return ParseIndex(name, index); }

bool ParseCheckpointName(std::string_view name, int* index) {
  if (!name.starts_with(kCheckpointPrefix)) return false;
  return ParseIndex(name.substr(kCheckpointPrefix.size()), index);
}

absl::Status ListWalDir(const std::string& dir, DirListing* out) {
  *out = DirListing();
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoError(errno, "opendir", dir);
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    int index;
    if (ParseSegmentName(name, &index)) {
      out->segments.push_back(index);
    } else if (ParseCheckpointName(name, &index)) {
      out->checkpoints.push_back(index);
    } else if (name.starts_with(kCheckpointPrefix) && name.ends_with(kTmpSuffix)) {
      out->temporaries.emplace_back(name);
    }
    errno = 0;
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return ErrnoError(err, "readdir", dir);
  std::sort(out->segments.begin(), out->segments.end());
  std::sort(out->checkpoints.begin(), out->checkpoints.end());
  return absl::OkStatus();
}

absl::Status ErrnoError(int err, std::string_view op, std::string_view path) {
  return absl::ErrnoToStatus(err, StrCat(op, " ", path));
}

absl::Status PwriteAll(int fd, std::string_view data, uint64_t offset, std::string_view path) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

absl::Status PwriteZeros(int fd, uint64_t from, uint64_t to, std::string_view path) {
  // Aligned, so that a file opened with O_DIRECT takes them too; never freed.
  static const AlignedBuffer* const kZeros = [] {
    auto* b = new AlignedBuffer;
    b->Resize(1 << 20);
    std::memset(b->data(), 0, b->size());
    return b;
  }();
  while (from < to) {
    const uint64_t n = std::min<uint64_t>(to - from, kZeros->size());
    if (absl::Status st = PwriteAll(fd, std::string_view(kZeros->data(), n), from, path);
        !st.ok()) {
      return st;
    }
    from += n;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> AllZeroFrom(const std::string& path, uint64_t offset) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "open", path);
  std::string buf(1 << 16, '\0');
  bool zero = true;
  absl::Status st;
  while (zero) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      st = ErrnoError(errno, "read", path);
      break;
    }
    if (n == 0) break;
    zero = std::all_of(buf.begin(), buf.begin() + n, [](char c) { return c == 0; });
    offset += static_cast<uint64_t>(n);
  }
  ::close(fd);
  if (!st.ok()) return st;
  return zero;
}

absl::Status SyncDir(int dir_fd, std::string_view dir) {
  if (::fsync(dir_fd) != 0) return ErrnoError(errno, "fsync", dir);
  return absl::OkStatus();
}

uint64_t WalDirBytes(const std::string& dir) {
  DirListing list;
  if (!ListWalDir(dir, &list).ok()) return 0;
  uint64_t total = 0;
  auto add = [&](const std::string& name) {
    struct stat st;
    if (::stat(StrCat(dir, "/", name).c_str(), &st) == 0)
      total += static_cast<uint64_t>(st.st_size);
  };
  for (int i : list.segments) add(SegmentName(i));
  for (int i : list.checkpoints) add(CheckpointName(i));
  return total;
}

}  // namespace vigil::wal
