#include "storage/wal/frame.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/strings.h"
#include "common/coding.h"
#include "storage/wal/crc32c.h"

namespace vigil::wal {
namespace {

constexpr char kMagic[4] = {'V', 'W', 'A', 'L'};
constexpr size_t kReadChunk = 1 << 20;

uint32_t FrameCrc(const char* header5, std::string_view payload) {
  return Crc32cExtend(Crc32c(header5, 5), payload.data(), payload.size());
}

std::string_view KindName(FileKind k) { return k == FileKind::kSegment ? "segment" : "checkpoint"; }

}  // namespace

void AppendFileHeader(FileKind kind, std::string* out) {
  out->append(kMagic, 4);
  out->push_back(static_cast<char>(kFormatVersion));
  out->push_back(static_cast<char>(kind));
  out->append(2, '\0');
}

void WriteFrame(std::string_view record, char* out) {
  out[0] = static_cast<char>(FrameType::kFull);
  StoreFixed32(out + 1, static_cast<uint32_t>(record.size()));
  // Computed from the bytes just written, so what is checked on read is exactly this.
  StoreFixed32(out + 5, FrameCrc(out, record));
  if (!record.empty()) std::memcpy(out + kFrameHeaderSize, record.data(), record.size());
}

void AppendFrame(std::string_view record, std::string* out) {
  size_t at = out->size();
  out->resize(at + FrameBytes(record));
  WriteFrame(record, out->data() + at);
}

absl::StatusOr<std::unique_ptr<FrameReader>> FrameReader::Open(const std::string& path,
                                                               FileKind kind) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, StrCat("open ", path));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return absl::ErrnoToStatus(err, StrCat("stat ", path));
  }
  auto r = std::make_unique<FrameReader>(Key(), fd, static_cast<uint64_t>(st.st_size), path, kind);
  if (absl::Status header = r->CheckHeader(); !header.ok()) return header;
  return r;
}

FrameReader::FrameReader(Key, int fd, uint64_t size, std::string path, FileKind kind)
    : fd_(fd), file_size_(size), path_(std::move(path)), kind_(kind) {}

FrameReader::~FrameReader() { ::close(fd_); }

void FrameReader::Corrupt(std::string msg) {
  corruption_ = std::move(msg);
  done_ = true;
}

bool FrameReader::Fill(size_t n) {
  if (end_ - begin_ >= n) return true;
  // Slide the unread bytes to the front, grow only when one frame needs more room.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    buf_offset_ += begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  uint64_t file_left = file_size_ - (buf_offset_ + end_);
  size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(n, kReadChunk), end_ + file_left));
  if (buf_.size() < want) buf_.resize(want);
  while (end_ < n) {
    size_t room = buf_.size() - end_;
    ssize_t got = ::pread(fd_, buf_.data() + end_, room, static_cast<off_t>(buf_offset_ + end_));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      io_error_ = StrCat("read ", path_, ": ", std::strerror(errno));
      done_ = true;
      return false;
    }
    if (got == 0) {
      io_error_ = StrCat("read ", path_, ": file shrank while reading");
      done_ = true;
      return false;
    }
    end_ += static_cast<size_t>(got);
  }
  return true;
}

absl::Status FrameReader::CheckHeader() {
  if (file_size_ == 0) {
    done_ = true;  // created but never written: empty, not damaged
    return absl::OkStatus();
  }
  if (file_size_ < kFileHeaderSize) {
    Corrupt(StrCat("torn file header: ", file_size_, " of ", kFileHeaderSize, " bytes"));
    return absl::OkStatus();
  }
  if (!Fill(kFileHeaderSize)) return absl::InternalError(io_error_);
  const char* h = buf_.data() + begin_;
  if (std::memcmp(h, kMagic, 4) != 0) {
    Corrupt(StrCat("bad magic ", QuoteString(std::string_view(h, 4)), " (not a WAL file)"));
    return absl::OkStatus();
  }
  if (static_cast<uint8_t>(h[4]) != kFormatVersion) {
    // A newer writer, not damage: refuse rather than let the caller truncate it.
    done_ = true;
    return absl::FailedPreconditionError(
        StrCat(path_, ": unsupported WAL format version ", static_cast<int>(h[4]),
               " (this build reads version ", static_cast<int>(kFormatVersion), ")"));
  }
  if (static_cast<uint8_t>(h[5]) != static_cast<uint8_t>(kind_)) {
    Corrupt(StrCat("file kind ", static_cast<int>(h[5]), " where a ", KindName(kind_),
                   " was expected"));
    return absl::OkStatus();
  }
  begin_ += kFileHeaderSize;
  valid_bytes_ = kFileHeaderSize;
  return absl::OkStatus();
}

bool FrameReader::Next(std::string_view* record) {
  if (done_) return false;
  uint64_t off = buf_offset_ + begin_;
  uint64_t left = file_size_ - off;
  if (left == 0) {
    done_ = true;
    return false;
  }
  if (left < kFrameHeaderSize) {
    if (!Fill(left)) return false;
    bool zeros = std::all_of(buf_.data() + begin_, buf_.data() + begin_ + left,
                             [](char c) { return c == 0; });
    Corrupt(zeros ? StrCat("zero-filled tail at offset ", off)
                  : StrCat("torn frame header at offset ", off, ": ", left, " of ",
                           kFrameHeaderSize, " bytes"));
    return false;
  }
  if (!Fill(kFrameHeaderSize)) return false;
  const char* h = buf_.data() + begin_;
  uint8_t type = static_cast<uint8_t>(h[0]);
  uint32_t len = LoadFixed32(h + 1);
  if (type == static_cast<uint8_t>(FrameType::kZero)) {
    Corrupt(StrCat("zero-filled bytes at offset ", off));
    return false;
  }
  if (type != static_cast<uint8_t>(FrameType::kFull)) {
    Corrupt(StrCat("unknown frame type ", static_cast<int>(type), " at offset ", off));
    return false;
  }
  if (len > kMaxRecordBytes) {
    Corrupt(StrCat("frame at offset ", off, " claims ", len, " bytes, over the limit of ",
                   kMaxRecordBytes));
    return false;
  }
  if (len > left - kFrameHeaderSize) {
    Corrupt(StrCat("torn frame at offset ", off, ": length ", len, " but only ",
                   left - kFrameHeaderSize, " bytes follow"));
    return false;
  }
  if (!Fill(kFrameHeaderSize + len)) return false;
  h = buf_.data() + begin_;
  std::string_view payload(h + kFrameHeaderSize, len);
  uint32_t want = LoadFixed32(h + 5);
  uint32_t got = FrameCrc(h, payload);
  if (want != got) {
    Corrupt(StrCat("checksum mismatch in frame at offset ", off, " (", len, " bytes)"));
    return false;
  }
  begin_ += kFrameHeaderSize + len;
  valid_bytes_ = off + kFrameHeaderSize + len;
  *record = payload;
  return true;
}

}  // namespace vigil::wal
