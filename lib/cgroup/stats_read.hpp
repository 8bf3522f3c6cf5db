// Reading stats files: each helper returns nothing when the file does not exist (the
// controller is off or the kernel lacks it) and throws when it cannot be parsed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cgroup/fs.hpp"
#include "cgroup/parse.hpp"

namespace cask::cgroup {

inline std::optional<uint64_t> ReadSingle(const std::string& path) {
  auto text = ReadFileIfExists(path);
  if (!text) return std::nullopt;
  return ParseSingle(*text, path);
}

inline std::optional<std::map<std::string, uint64_t>> ReadFlatKeyed(const std::string& path) {
  auto text = ReadFileIfExists(path);
  if (!text) return std::nullopt;
  return ParseFlatKeyed(*text, path);
}

inline std::optional<uint64_t> Find(const std::map<std::string, uint64_t>& values,
                                    const std::string& key) {
  auto it = values.find(key);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

// Page sizes with a hugetlb.<size>.<suffix> file in `dir`: "2MB", "1GB".
std::vector<std::string> HugePageSizes(const std::string& dir, const std::string& suffix);

// The pressure files of cgroup v2 directory `dir`; none when the kernel has no PSI
// (or, from Linux 6.5, when cgroup.pressure turns it off there).
std::optional<PressureStats> ReadPressure(const std::string& dir);

}  // namespace cask::cgroup
