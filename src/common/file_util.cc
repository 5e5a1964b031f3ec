#include "common/file_util.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/strings.h"

namespace vigil {
namespace {
constexpr size_t kWriteBuffer = 1 << 20;
}

absl::Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  if (err == EEXIST) return absl::AlreadyExistsError(msg);
  return absl::InternalError(msg);
}

absl::StatusOr<std::unique_ptr<FileWriter>> FileWriter::Create(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", path, errno);
  auto w = std::unique_ptr<FileWriter>(new FileWriter(fd, path));
  w->buf_.reserve(kWriteBuffer);
  return w;
}

FileWriter::~FileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status FileWriter::Append(std::span<const uint8_t> data) {
  if (fd_ < 0) return absl::FailedPreconditionError("write after close: " + path_);
  size_ += data.size();
  if (buf_.size() + data.size() > kWriteBuffer) {
    if (auto s = Flush(); !s.ok()) return s;
    if (data.size() >= kWriteBuffer) {
      buf_.assign(data.begin(), data.end());
      return Flush();
    }
  }
  buf_.insert(buf_.end(), data.begin(), data.end());
  return absl::OkStatus();
}

absl::Status FileWriter::Flush() {
  const uint8_t* p = buf_.data();
  size_t left = buf_.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path_, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  buf_.clear();
  return absl::OkStatus();
}

absl::Status FileWriter::SyncAndClose() {
  if (fd_ < 0) return absl::FailedPreconditionError("double close: " + path_);
  absl::Status s = Flush();
  if (s.ok() && ::fsync(fd_) != 0) s = ErrnoStatus("fsync", path_, errno);
  if (::close(fd_) != 0 && s.ok()) s = ErrnoStatus("close", path_, errno);
  fd_ = -1;
  return s;
}

absl::StatusOr<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("stat", path, err);
  }
  auto m = std::unique_ptr<MappedFile>(new MappedFile());
  m->path_ = path;
  m->size_ = static_cast<size_t>(st.st_size);
  if (m->size_ > 0) {
    void* p = ::mmap(nullptr, m->size_, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus("mmap", path, err);
    }
    m->data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
  return m;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

absl::Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open dir", dir, errno);
  absl::Status s;
  if (::fsync(fd) != 0) s = ErrnoStatus("fsync dir", dir, errno);
  ::close(fd);
  return s;
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path, size_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoStatus("read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_size) {
      ::close(fd);
      return absl::DataLossError(StrCat(path, ": larger than ", max_size, " bytes"));
    }
  }
  ::close(fd);
  return out;
}

absl::Status WriteFileSync(const std::string& path, const std::string& contents) {
  auto w = FileWriter::Create(path);
  if (!w.ok()) return w.status();
  if (auto s = (*w)->Append(contents); !s.ok()) return s;
  return (*w)->SyncAndClose();
}

}  // namespace vigil
