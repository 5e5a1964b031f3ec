// Wal: opening, group-commit appends, segment rollover and closing. Replay, checkpoints and
// truncation live in wal_replay.cc.
#include "storage/wal/wal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <utility>

#include "common/logging.h"
#include "common/strings.h"
#include "storage/wal/frame.h"
#include "storage/wal/wal_files.h"

namespace vigil {
namespace {

using wal::ErrnoError;

// A batch is written in pieces of this size so a huge batch does not double its memory.
constexpr size_t kFlushBytes = 4 << 20;
// The write buffer is released after a batch that grew it past this.
constexpr size_t kKeepBufferBytes = 8 << 20;
// The smallest segment that holds a header and a small frame; tests use tiny segments.
constexpr uint64_t kMinSegmentBytes = 64;

}  // namespace

absl::StatusOr<std::unique_ptr<Wal>> Wal::Open(const std::string& dir, WalOptions options) {
  if (options.segment_bytes < kMinSegmentBytes) {
    return absl::InvalidArgumentError(StrCat("wal segment size ", options.segment_bytes,
                                             " is below the minimum of ", kMinSegmentBytes,
                                             " bytes"));
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(StrCat("create wal directory ", dir, ": ", ec.message()));

  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return ErrnoError(errno, "open", dir);
  if (::flock(dir_fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(dir_fd);
    if (err == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          StrCat("wal directory ", dir, " is in use by another open WAL"));
    }
    return ErrnoError(err, "flock", dir);
  }
  // From here the Wal owns dir_fd, so every early return releases the lock.
  auto w = std::make_unique<Wal>(Key(), dir, options, dir_fd);

  wal::DirListing list;
  if (absl::Status st = wal::ListWalDir(dir, &list); !st.ok()) return st;
  for (const std::string& tmp : list.temporaries) {
    // A checkpoint that never reached its rename; the segments it summarised still exist.
    if (::unlink(w->PathOf(tmp).c_str()) != 0 && errno != ENOENT) {
      return ErrnoError(errno, "remove", w->PathOf(tmp));
    }
    LogInfo("wal", "removed unfinished checkpoint", {{"file", tmp}});
  }

  int last_checkpoint = list.checkpoints.empty() ? 0 : list.checkpoints.back();
  int next = last_checkpoint + 1;
  if (!list.segments.empty() && list.segments.back() >= next) {
    int last = list.segments.back();
    next = last + 1;
    // A last segment without a single frame (a crash right after it was created) is
    // reused instead of leaving an empty file behind on every restart.
    struct stat st;
    std::string path = w->PathOf(wal::SegmentName(last));
    if (::stat(path.c_str(), &st) == 0 &&
        static_cast<uint64_t>(st.st_size) <= wal::kFileHeaderSize) {
      next = last;
    }
  }
  std::lock_guard io(w->io_mu_);
  w->first_own_segment_ = next;
  if (absl::Status st = w->CreateSegmentLocked(next); !st.ok()) return st;
  return w;
}

Wal::Wal(Key, std::string dir, WalOptions options, int dir_fd)
    : dir_(std::move(dir)), options_(options), dir_fd_(dir_fd) {}

Wal::~Wal() {
  absl::Status st = Close();
  if (!st.ok())
    LogError("wal", "close failed", {{"dir", dir_}, {"error", std::string(st.message())}});
}

absl::Status Wal::Append(std::span<const std::string_view> records) {
  if (records.empty()) return absl::OkStatus();
  for (std::string_view r : records) {
    if (r.size() > wal::kMaxRecordBytes) {
      return absl::InvalidArgumentError(
          StrCat("wal record of ", r.size(), " bytes exceeds the limit of ", wal::kMaxRecordBytes));
    }
  }
  Request req{records, absl::OkStatus(), false};
  std::unique_lock lock(mu_);
  if (closing_) return absl::FailedPreconditionError(StrCat("wal ", dir_, " is closed"));
  pending_.push_back(&req);
  cv_.wait(lock, [&] { return req.done || !leader_active_; });
  if (req.done) return req.status;

  // Leader: take everything queued so far (our request included) and write it as one batch
  // while later arrivals queue for the next one.
  leader_active_ = true;
  batch_.clear();
  batch_.swap(pending_);
  lock.unlock();
  absl::Status st;
  {
    std::lock_guard io(io_mu_);
    st = WriteBatchLocked(batch_);
  }
  lock.lock();
  for (Request* r : batch_) {
    r->status = st;
    r->done = true;
  }
  leader_active_ = false;
  lock.unlock();
  cv_.notify_all();
  return st;
}

absl::Status Wal::WriteBatchLocked(const std::vector<Request*>& batch) {
  if (!failed_.ok()) return failed_;
  if (fd_ < 0) return absl::FailedPreconditionError(StrCat("wal ", dir_, " is closed"));
  for (const Request* req : batch) {
    for (std::string_view rec : req->records) {
      uint64_t used = segment_size_ + (buf_.size() - lead_);
      uint64_t frame = wal::FrameBytes(rec);
      if (used > wal::kFileHeaderSize && used + frame > options_.segment_bytes) {
        if (absl::Status st = FlushLocked(); !st.ok()) return st;
        if (absl::Status st = RollLocked(); !st.ok()) return st;
      }
      const size_t at = buf_.size();
      buf_.Resize(at + frame);
      wal::WriteFrame(rec, buf_.data() + at);
      if (buf_.size() - lead_ >= kFlushBytes) {
        if (absl::Status st = FlushLocked(); !st.ok()) return st;
      }
    }
  }
  absl::Status st = FlushLocked();
  // After the batch's last write only: zeros written mid-batch would be overwritten at once.
  if (st.ok()) st = PreallocateLocked();
  if (st.ok()) st = SyncLocked();
  if (buf_.capacity() > kKeepBufferBytes) buf_.ShrinkToFit();
  return st;
}

absl::Status Wal::FlushLocked() {
  const size_t end = buf_.size();
  if (end == lead_) return absl::OkStatus();
  // A direct write starts at the block holding segment_size_ (its first lead_ bytes are
  // already on disk and rewritten as they are) and ends on a block boundary, in zeros.
  const uint64_t offset = segment_size_ - lead_;
  size_t len = end;
  if (direct_) {
    len = wal::AlignUp(end);
    buf_.Resize(len);
    std::memset(buf_.data() + end, 0, len - end);
  }
  absl::Status st = WriteBufferLocked(len, offset);
  if (st.ok()) {
    segment_size_ += end - lead_;
    file_size_ = std::max(file_size_, offset + len);
    // The new partial block leads the next write.
    const size_t keep = direct_ ? wal::AlignDown(end) : end;
    lead_ = end - keep;
    if (lead_ > 0) std::memmove(buf_.data(), buf_.data() + keep, lead_);
    buf_.Resize(lead_);
    return st;
  }
  buf_.Resize(lead_);
  // Cut off whatever part of the write landed, so the next batch does not follow garbage.
  if (::ftruncate(fd_, static_cast<off_t>(segment_size_)) != 0) {
    failed_ = ErrnoError(errno, "truncate after failed write", segment_path_);
  }
  file_size_ = segment_size_;
  return st;
}

absl::Status Wal::WriteBufferLocked(size_t len, uint64_t offset) {
  std::string_view data(buf_.data(), len);
  absl::Status st = wal::PwriteAll(fd_, data, offset, segment_path_);
  if (st.ok() || !direct_ || !absl::IsInvalidArgument(st)) return st;
  // The file system took O_DIRECT at open but not this write (a block size above the
  // alignment, say): the same bytes go through the cache instead.
  LogWarn("wal", "direct write refused; writing through the page cache",
          {{"file", segment_path_}, {"error", std::string(st.message())}});
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) {
    return ErrnoError(errno, "turn off O_DIRECT", segment_path_);
  }
  direct_ = false;
  return wal::PwriteAll(fd_, data, offset, segment_path_);
}

absl::Status Wal::PreallocateLocked() {
  const uint64_t room = options_.preallocate_bytes;
  if (!options_.sync || room == 0 || preallocation_failed_ ||
      file_size_ >= segment_size_ + room / 2) {
    return absl::OkStatus();
  }
  uint64_t from = file_size_;
  uint64_t target = std::min(segment_size_ + room, options_.segment_bytes);
  if (direct_) {
    // Whole blocks. A partial block at the end of the file holds data and is rewritten with
    // zeros after it by the next batch's write.
    from = wal::AlignUp(from);
    target = wal::AlignUp(target);
  }
  if (target <= from) return absl::OkStatus();
  // Written now and made durable by the batch's own fdatasync, which this once also writes
  // the new size; the appends after it fill the zeros without changing the size.
  if (wal::PwriteZeros(fd_, from, target, segment_path_).ok()) {
    file_size_ = target;
    return absl::OkStatus();
  }
  // Out of space, say: the data is written, so go on without the room for this segment (not
  // retrying on every batch, which would take the disk's last blocks each time).
  preallocation_failed_ = true;
  if (::ftruncate(fd_, static_cast<off_t>(segment_size_)) != 0) {
    failed_ = ErrnoError(errno, "truncate after failed preallocation", segment_path_);
    return failed_;
  }
  file_size_ = segment_size_;
  return absl::OkStatus();
}

absl::Status Wal::TrimLocked() {
  if (file_size_ <= segment_size_) return absl::OkStatus();
  // Not synced: should the cut not reach the disk, replay reads the zeros as the end.
  if (::ftruncate(fd_, static_cast<off_t>(segment_size_)) != 0) {
    return ErrnoError(errno, "truncate", segment_path_);
  }
  file_size_ = segment_size_;
  return absl::OkStatus();
}

absl::Status Wal::SyncLocked() {
  if (!options_.sync) return absl::OkStatus();
  auto start = std::chrono::steady_clock::now();
  int rc = ::fdatasync(fd_);
  int err = errno;
  if (options_.fsync_seconds != nullptr) {
    options_.fsync_seconds->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (rc != 0) {
    // After a failed fdatasync the kernel may have dropped the dirty pages: nothing written
    // since the last good sync can be trusted, so stop accepting writes.
    failed_ = ErrnoError(err, "fdatasync", segment_path_);
    LogError("wal", "fdatasync failed; refusing further appends",
             {{"dir", dir_}, {"error", std::string(failed_.message())}});
    return failed_;
  }
  return absl::OkStatus();
}

absl::Status Wal::RollLocked() {
  if (absl::Status st = SyncLocked(); !st.ok()) return st;
  if (absl::Status st = TrimLocked(); !st.ok()) {
    LogWarn("wal", "cannot cut a segment back to its data",
            {{"file", segment_path_}, {"error", std::string(st.message())}});
  }
  // The old segment stays open until the new one exists, so a failed creation (no space,
  // no descriptors) leaves a working log that keeps appending to the old segment.
  return CreateSegmentLocked(segment_ + 1);
}

absl::Status Wal::CreateSegmentLocked(int index) {
  std::string path = PathOf(wal::SegmentName(index));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, "create", path);
  std::string header;
  wal::AppendFileHeader(wal::FileKind::kSegment, &header);
  absl::Status st = wal::PwriteAll(fd, header, 0, path);
  if (st.ok() && options_.sync) st = wal::SyncDir(dir_fd_, dir_);
  if (!st.ok()) {
    ::close(fd);
    ::unlink(path.c_str());
    return st;
  }
  // O_DIRECT only now: the header went through the cache, and the first direct write
  // rewrites its block anyway (buf_ starts with it).
  bool direct = false;
  if (options_.sync && options_.direct_io) {
    const int flags = ::fcntl(fd, F_GETFL);
    direct = flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_DIRECT) == 0;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  segment_ = index;
  segment_path_ = std::move(path);
  segment_size_ = wal::kFileHeaderSize;
  file_size_ = segment_size_;
  preallocation_failed_ = false;
  direct_ = direct;
  lead_ = direct ? header.size() : 0;
  buf_.Resize(lead_);
  if (lead_ > 0) std::memcpy(buf_.data(), header.data(), lead_);
  current_segment_.store(index, std::memory_order_release);
  return absl::OkStatus();
}

absl::StatusOr<int> Wal::NextSegment() {
  std::lock_guard io(io_mu_);
  if (!failed_.ok()) return failed_;
  if (fd_ < 0) return absl::FailedPreconditionError(StrCat("wal ", dir_, " is closed"));
  if (absl::Status st = RollLocked(); !st.ok()) return st;
  return segment_;
}

absl::Status Wal::Close() {
  {
    std::unique_lock lock(mu_);
    if (closed_) return absl::OkStatus();
    closing_ = true;
    cv_.wait(lock, [&] { return !leader_active_ && pending_.empty(); });
    closed_ = true;
  }
  absl::Status st;
  {
    std::lock_guard io(io_mu_);
    if (fd_ >= 0) {
      if (failed_.ok()) st = SyncLocked();
      if (absl::Status trim = TrimLocked(); !trim.ok()) {
        LogWarn("wal", "cannot cut a segment back to its data",
                {{"file", segment_path_}, {"error", std::string(trim.message())}});
      }
      ::close(fd_);
      fd_ = -1;
    }
  }
  {
    std::lock_guard maint(maint_mu_);
    ::close(dir_fd_);  // releases the flock
    dir_fd_ = -1;
  }
  return st;
}

uint64_t Wal::SizeBytes() const { return wal::WalDirBytes(dir_); }

bool Wal::direct_io_active() const {
  std::lock_guard io(io_mu_);
  return direct_;
}

Histogram* WalFsyncHistogram(MetricsRegistry* registry, std::string_view store) {
  if (registry == nullptr) return nullptr;
  return &registry->GetHistogram("vigil_wal_fsync_duration_seconds",
                                 "Duration of WAL fdatasync calls.",
                                 ExponentialBuckets(0.0001, 2, 16),
                                 Labels{{"store", std::string(store)}});
}

}  // namespace vigil
