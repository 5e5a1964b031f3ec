// vigil's own log: one JSON object per line on stderr with timestamp, level, component,
// message and fields, so operators can ship it into vigil itself.
//
// Thread-safe: each line is written with a single write(2).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace vigil {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

using LogField = std::pair<std::string_view, std::string>;

void SetLogLevel(LogLevel level);
// Whether a line of `level` would be written: lets hot paths skip building fields.
bool LogEnabled(LogLevel level);
bool ParseLogLevel(std::string_view s, LogLevel* out);
void Log(LogLevel level, std::string_view component, std::string_view message,
         std::initializer_list<LogField> fields = {});

inline void LogInfo(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, c, m, f);
}
inline void LogWarn(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarn, c, m, f);
}
inline void LogError(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, c, m, f);
}
inline void LogDebug(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kDebug, c, m, f);
}

}  // namespace vigil
