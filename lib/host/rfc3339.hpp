// Times as the state file and the event stream write them: RFC 3339, UTC.
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace cask {

// "2026-11-22T10:04:05.123Z": milliseconds, so that events a second apart stay ordered.
inline std::string Rfc3339(std::chrono::system_clock::time_point time) {
  auto since_epoch = time.time_since_epoch();
  std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);  // gmtime is not thread-safe, and a Factory is
  char buf[80];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buf;
}

}  // namespace cask
