// Parsers for cgroup files, v1 and v2. Pure functions over a file's text; `file` names
// the file in error messages. Malformed or truncated text throws cask::Error naming
// the file and the line. Every kernel cgroup file ends in a newline, so text that does
// not is taken as truncated.
#pragma once

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cask/error.hpp"
#include "cask/stats.hpp"

namespace cask::cgroup {

[[noreturn]] inline void ThrowParse(const std::string& file, size_t line, const std::string& what) {
  throw Error(EINVAL, file + " line " + std::to_string(line) + ": " + what);
}

// The lines of `text`, without their newlines.
inline std::vector<std::string_view> Lines(std::string_view text, const std::string& file) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      ThrowParse(file, lines.size() + 1, "truncated: no newline at the end");
    }
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

// The words of a line, split on spaces.
inline std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  while (!line.empty()) {
    size_t start = line.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    line.remove_prefix(start);
    size_t end = line.find(' ');
    words.push_back(line.substr(0, end));
    line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  }
  return words;
}

// A decimal number; "max" is kUnlimited.
inline uint64_t ParseUint(std::string_view word, const std::string& file, size_t line) {
  if (word == "max") return kUnlimited;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (word.empty() || ec != std::errc() || end != word.data() + word.size()) {
    ThrowParse(file, line, "not a number: \"" + std::string(word) + "\"");
  }
  return value;
}

// A file holding one number or "max" (memory.max, pids.current, cpu.shares).
inline uint64_t ParseSingle(std::string_view text, const std::string& file) {
  auto lines = Lines(text, file);
  if (lines.size() != 1) ThrowParse(file, 1, "expected one value");
  auto words = Words(lines[0]);
  if (words.size() != 1) ThrowParse(file, 1, "expected one value");
  return ParseUint(words[0], file, 1);
}

// A list of numbers on one line (cpuacct.usage_percpu).
inline std::vector<uint64_t> ParseList(std::string_view text, const std::string& file) {
  auto lines = Lines(text, file);
  if (lines.size() != 1) ThrowParse(file, 1, "expected one line");
  std::vector<uint64_t> values;
  for (auto word : Words(lines[0])) values.push_back(ParseUint(word, file, 1));
  return values;
}

// "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control).
inline std::map<std::string, uint64_t> ParseFlatKeyed(std::string_view text,
                                                      const std::string& file) {
  std::map<std::string, uint64_t> values;
  auto lines = Lines(text, file);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto words = Words(lines[i]);
    if (words.size() != 2) ThrowParse(file, i + 1, "expected \"<key> <value>\"");
    values[std::string(words[0])] = ParseUint(words[1], file, i + 1);
  }
  return values;
}

struct Device {
  uint32_t major = 0;
  uint32_t minor = 0;
  bool operator==(const Device&) const = default;
  auto operator<=>(const Device&) const = default;
};

inline Device ParseDevice(std::string_view word, const std::string& file, size_t line) {
  size_t colon = word.find(':');
  if (colon == std::string_view::npos) {
    ThrowParse(file, line, "expected \"<major>:<minor>\": \"" + std::string(word) + "\"");
  }
  uint64_t major = ParseUint(word.substr(0, colon), file, line);
  uint64_t minor = ParseUint(word.substr(colon + 1), file, line);
  if (major > UINT32_MAX || minor > UINT32_MAX) {
    ThrowParse(file, line, "device number out of range: \"" + std::string(word) + "\"");
  }
  return {static_cast<uint32_t>(major), static_cast<uint32_t>(minor)};
}

struct NestedEntry {
  Device device;
  std::map<std::string, uint64_t> values;
};

// "<major>:<minor> key=value ..." lines (io.stat, io.max).
inline std::vector<NestedEntry> ParseNestedKeyed(std::string_view text, const std::string& file) {
  std::vector<NestedEntry> entries;
  auto lines = Lines(text, file);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto words = Words(lines[i]);
    if (words.empty()) ThrowParse(file, i + 1, "empty line");
    NestedEntry entry{ParseDevice(words[0], file, i + 1), {}};
    for (size_t w = 1; w < words.size(); ++w) {
      size_t eq = words[w].find('=');
      if (eq == std::string_view::npos || eq == 0) {
        ThrowParse(file, i + 1, "expected \"key=value\": \"" + std::string(words[w]) + "\"");
      }
      entry.values[std::string(words[w].substr(0, eq))] =
          ParseUint(words[w].substr(eq + 1), file, i + 1);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

struct BlkioEntry {
  Device device;
  std::string op;  // "Read", "Write", "Sync", "Async", "Discard", "Total"
  uint64_t value = 0;
};

// v1 blkio.throttle.io_service_bytes and io_serviced: "<major>:<minor> <op> <value>"
// lines and a closing "Total <value>", which is left out.
inline std::vector<BlkioEntry> ParseBlkio(std::string_view text, const std::string& file) {
  std::vector<BlkioEntry> entries;
  auto lines = Lines(text, file);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto words = Words(lines[i]);
    if (words.size() == 2 && words[0] == "Total") {
      ParseUint(words[1], file, i + 1);
      continue;
    }
    if (words.size() != 3) ThrowParse(file, i + 1, "expected \"<major>:<minor> <op> <value>\"");
    entries.push_back({ParseDevice(words[0], file, i + 1), std::string(words[1]),
                       ParseUint(words[2], file, i + 1)});
  }
  return entries;
}

// A pressure file (cpu.pressure, memory.pressure, io.pressure): a "some" line and,
// except in an old kernel's cpu.pressure, a "full" line, each
// "avg10=<pct> avg60=<pct> avg300=<pct> total=<us>".
inline Pressure ParsePressure(std::string_view text, const std::string& file) {
  Pressure pressure;
  bool some = false;
  auto lines = Lines(text, file);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto words = Words(lines[i]);
    if (words.size() != 5 || (words[0] != "some" && words[0] != "full")) {
      ThrowParse(file, i + 1, "expected \"some|full avg10=.. avg60=.. avg300=.. total=..\"");
    }
    PressureData data;
    const std::pair<std::string_view, double*> averages[] = {{"avg10=", &data.avg10}, {"avg60=", &data.avg60}, {"avg300=", &data.avg300}};
    for (size_t w = 0; w < 3; ++w) {
      auto [key, value] = averages[w];
      std::string_view word = words[w + 1];
      auto [end, ec] = std::from_chars(word.data() + key.size(), word.data() + word.size(), *value);
      if (!word.starts_with(key) || ec != std::errc() || end != word.data() + word.size()) {
        ThrowParse(file, i + 1, "expected \"" + std::string(key) + "<percent>\": \"" + std::string(word) + "\"");
      }
    }
    if (!words[4].starts_with("total=")) ThrowParse(file, i + 1, "expected \"total=<us>\"");
    data.total_us = ParseUint(words[4].substr(6), file, i + 1);
    if (words[0] == "some") {
      pressure.some = data;
      some = true;
    } else {
      pressure.full = data;
    }
  }
  if (!some) ThrowParse(file, 1, "no \"some\" line");
  return pressure;
}

}  // namespace cask::cgroup
