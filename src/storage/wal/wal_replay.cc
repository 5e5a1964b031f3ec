// Wal: recovery (Replay), checkpoints and truncation of old segments.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "common/logging.h"
#include "common/strings.h"
#include "storage/wal/frame.h"
#include "storage/wal/wal.h"
#include "storage/wal/wal_files.h"

namespace vigil {
namespace {

using wal::ErrnoError;

constexpr size_t kCheckpointWriteBytes = 1 << 20;

absl::Status ClosedError(const std::string& dir) {
  return absl::FailedPreconditionError(StrCat("wal ", dir, " is closed"));
}

}  // namespace

absl::Status Wal::ReplayFile(const std::string& name, wal::FileKind kind, bool may_truncate,
                             const RecordFn& fn, WalReplayStats* stats) {
  std::string path = PathOf(name);
  absl::StatusOr<std::unique_ptr<wal::FrameReader>> reader = wal::FrameReader::Open(path, kind);
  if (!reader.ok()) return reader.status();
  wal::FrameReader& r = **reader;
  std::string_view rec;
  while (r.Next(&rec)) {
    ++stats->records;
    stats->bytes += rec.size();
    if (absl::Status st = fn(rec); !st.ok()) return st;
  }
  if (!r.io_error().empty()) return absl::InternalError(r.io_error());
  if (r.corruption().empty()) return absl::OkStatus();

  uint64_t dropped = r.file_bytes() - r.valid_bytes();
  // Nothing but zeros after the last frame of a segment, no more of them than a writer
  // reserves ahead of its data (WalOptions::preallocate_bytes): that room, left behind by a
  // crash, is a clean end. Zeros anywhere else (a checkpoint, a segment's header, more than
  // the room) are damage as before.
  bool reserved = false;
  if (kind == wal::FileKind::kSegment && r.valid_bytes() >= wal::kFileHeaderSize &&
      dropped <= std::max<uint64_t>(options_.preallocate_bytes, WalOptions{}.preallocate_bytes)) {
    absl::StatusOr<bool> zeros = wal::AllZeroFrom(path, r.valid_bytes());
    if (!zeros.ok()) return zeros.status();
    reserved = *zeros;
  }
  if (!reserved) {
    ++stats->damaged_files;
    stats->dropped_bytes += dropped;
  }
  if (!may_truncate) {
    if (!reserved) {
      LogWarn("wal", "damaged file: skipped the rest of it",
              {{"file", path},
               {"problem", r.corruption()},
               {"valid_bytes", StrCat(r.valid_bytes())},
               {"dropped_bytes", StrCat(dropped)}});
    }
    return absl::OkStatus();
  }
  // The newest segment of a previous run ends in a torn or damaged write, or in reserved
  // zeros: everything after its last intact frame was never acknowledged, so it is cut off.
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "open for truncation", path);
  absl::Status st;
  if (::ftruncate(fd, static_cast<off_t>(r.valid_bytes())) != 0) {
    st = ErrnoError(errno, "truncate", path);
  } else if (options_.sync && ::fsync(fd) != 0) {
    st = ErrnoError(errno, "fsync", path);
  }
  ::close(fd);
  if (!st.ok()) return st;
  stats->truncated_tail = true;
  if (reserved) {
    stats->dropped_bytes += dropped;
    LogInfo("wal", "removed the reserved zeros after the last segment's data",
            {{"file", path}, {"valid_bytes", StrCat(r.valid_bytes())}});
    return absl::OkStatus();
  }
  LogWarn("wal", "truncated damaged tail of the last segment",
          {{"file", path},
           {"problem", r.corruption()},
           {"valid_bytes", StrCat(r.valid_bytes())},
           {"dropped_bytes", StrCat(dropped)}});
  return absl::OkStatus();
}

absl::Status Wal::Replay(const RecordFn& fn, WalReplayStats* stats) {
  WalReplayStats local;
  if (stats == nullptr) stats = &local;
  *stats = WalReplayStats();
  std::lock_guard maint(maint_mu_);
  if (dir_fd_ < 0) return ClosedError(dir_);
  int end = CurrentSegment();  // the segment being written is not replayed
  wal::DirListing list;
  if (absl::Status st = wal::ListWalDir(dir_, &list); !st.ok()) return st;

  int checkpoint = list.checkpoints.empty() ? 0 : list.checkpoints.back();
  if (checkpoint > 0) {
    stats->checkpoint = checkpoint;
    absl::Status st =
        ReplayFile(wal::CheckpointName(checkpoint), wal::FileKind::kCheckpoint, false, fn, stats);
    if (!st.ok()) return st;
  }
  std::vector<int> segments;
  for (int s : list.segments) {
    if (s > checkpoint && s < end) segments.push_back(s);
  }
  int expect = checkpoint > 0 ? checkpoint + 1 : (segments.empty() ? 0 : segments.front());
  for (size_t i = 0; i < segments.size(); ++i) {
    int s = segments[i];
    if (s != expect) {
      LogWarn("wal", "segments missing from the log",
              {{"dir", dir_}, {"first_missing", StrCat(expect)}, {"last_missing", StrCat(s - 1)}});
    }
    expect = s + 1;
    // Only a segment written by a previous run can have a torn tail; this instance's own
    // closed segments are complete.
    bool newest_old = i + 1 == segments.size() && s < first_own_segment_;
    ++stats->segments;
    absl::Status st =
        ReplayFile(wal::SegmentName(s), wal::FileKind::kSegment, newest_old, fn, stats);
    if (!st.ok()) return st;
  }
  LogInfo("wal", "replayed",
          {{"dir", dir_},
           {"checkpoint", StrCat(stats->checkpoint)},
           {"segments", StrCat(stats->segments)},
           {"records", StrCat(stats->records)},
           {"damaged_files", StrCat(stats->damaged_files)}});
  return absl::OkStatus();
}

absl::Status Wal::TruncateBefore(int segment) {
  std::lock_guard maint(maint_mu_);
  if (dir_fd_ < 0) return ClosedError(dir_);
  int current = CurrentSegment();
  if (segment > current) {
    return absl::InvalidArgumentError(StrCat("cannot truncate wal before segment ", segment,
                                             ": the current segment is ", current));
  }
  wal::DirListing list;
  if (absl::Status st = wal::ListWalDir(dir_, &list); !st.ok()) return st;
  absl::Status first_error;
  int removed = 0;
  for (int s : list.segments) {
    if (s >= segment) break;
    std::string path = PathOf(wal::SegmentName(s));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      if (first_error.ok()) first_error = ErrnoError(errno, "remove", path);
      continue;
    }
    ++removed;
  }
  if (removed > 0 && options_.sync) {
    // Not needed for correctness (replay skips what a checkpoint covers), but it keeps a
    // crash from resurrecting files the caller believes gone.
    if (absl::Status st = wal::SyncDir(dir_fd_, dir_); !st.ok() && first_error.ok()) {
      first_error = st;
    }
  }
  LogInfo("wal", "truncated segments",
          {{"dir", dir_}, {"before", StrCat(segment)}, {"removed", StrCat(removed)}});
  return first_error;
}

absl::Status Wal::WriteCheckpoint(int upto_segment, std::span<const std::string_view> records) {
  std::lock_guard maint(maint_mu_);
  if (dir_fd_ < 0) return ClosedError(dir_);
  int current = CurrentSegment();
  if (upto_segment < 1 || upto_segment >= current) {
    return absl::InvalidArgumentError(
        StrCat("checkpoint must cover segments before the current one (", current, "), got ",
               upto_segment));
  }
  for (std::string_view r : records) {
    if (r.size() > wal::kMaxRecordBytes) {
      return absl::InvalidArgumentError(StrCat(
          "checkpoint record of ", r.size(), " bytes exceeds the limit of ", wal::kMaxRecordBytes));
    }
  }
  wal::DirListing list;
  if (absl::Status st = wal::ListWalDir(dir_, &list); !st.ok()) return st;
  if (!list.checkpoints.empty() && list.checkpoints.back() > upto_segment) {
    return absl::InvalidArgumentError(StrCat("checkpoint ", upto_segment,
                                             " is older than the existing checkpoint ",
                                             list.checkpoints.back()));
  }

  std::string final_path = PathOf(wal::CheckpointName(upto_segment));
  std::string tmp_path = final_path + ".tmp";
  int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, "create", tmp_path);
  absl::Status st;
  uint64_t offset = 0;
  std::string buf;
  wal::AppendFileHeader(wal::FileKind::kCheckpoint, &buf);
  for (size_t i = 0; i <= records.size() && st.ok(); ++i) {
    if (i < records.size()) wal::AppendFrame(records[i], &buf);
    if (buf.size() >= kCheckpointWriteBytes || i == records.size()) {
      st = wal::PwriteAll(fd, buf, offset, tmp_path);
      offset += buf.size();
      buf.clear();
    }
  }
  // The rename below publishes the checkpoint; its content must be on disk before that, or
  // a crash could leave a half-written checkpoint whose segments are already deleted.
  if (st.ok() && options_.sync && ::fsync(fd) != 0) st = ErrnoError(errno, "fsync", tmp_path);
  ::close(fd);
  if (st.ok() && ::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    st = ErrnoError(errno, "rename", tmp_path);
  }
  if (st.ok() && options_.sync) st = wal::SyncDir(dir_fd_, dir_);
  if (!st.ok()) {
    ::unlink(tmp_path.c_str());
    return st;
  }
  for (int c : list.checkpoints) {
    if (c >= upto_segment) continue;
    std::string old = PathOf(wal::CheckpointName(c));
    if (::unlink(old.c_str()) != 0 && errno != ENOENT) {
      LogWarn("wal", "could not remove old checkpoint", {{"file", old}, {"errno", StrCat(errno)}});
    }
  }
  LogInfo("wal", "wrote checkpoint",
          {{"file", final_path}, {"records", StrCat(records.size())}, {"bytes", StrCat(offset)}});
  return absl::OkStatus();
}

}  // namespace vigil
