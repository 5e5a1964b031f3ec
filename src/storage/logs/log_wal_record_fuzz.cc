// Decodes arbitrary bytes as a log WAL record: must fail cleanly or round-trip.
#include <cstdint>
#include <string>

#include "storage/logs/log_wal_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  vigil::LogBatch batch;
  if (!vigil::logs::DecodeWalRecord(in, &batch).ok()) return 0;
  std::vector<uint32_t> all(batch.size());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  std::string again;
  vigil::logs::EncodeWalRecord(batch, all, &again);
  vigil::LogBatch second;
  if (!vigil::logs::DecodeWalRecord(again, &second).ok() || second.size() != batch.size()) {
    __builtin_trap();
  }
  return 0;
}
