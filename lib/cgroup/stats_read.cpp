#include "cgroup/stats_read.hpp"

#include <dirent.h>

#include <algorithm>
#include <utility>

#include "cask/error.hpp"
#include "common/text.hpp"

namespace cask::cgroup {

std::vector<std::string> HugePageSizes(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> sizes;
  DIR* d = opendir(dir.c_str());
  if (!d) throw Error(errno, "opendir " + dir);
  const std::string prefix = "hugetlb.";
  const std::string tail = "." + suffix;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > prefix.size() + tail.size() && name.starts_with(prefix) &&
        name.ends_with(tail) && name.find('.', prefix.size()) == name.size() - tail.size()) {
      sizes.push_back(name.substr(prefix.size(), name.size() - prefix.size() - tail.size()));
    }
  }
  closedir(d);
  std::sort(sizes.begin(), sizes.end());
  return sizes;
}

std::optional<PressureStats> ReadPressure(const std::string& dir) {
  PressureStats stats;
  bool any = false;
  for (auto [name, out] : {std::pair{"/cpu.pressure", &stats.cpu}, {"/memory.pressure", &stats.memory},
                           {"/io.pressure", &stats.io}}) {
    const std::string path = dir + name;
    std::string text;
    if (!ReadWholeFile(path, text)) {
      if (errno == ENOENT || errno == EOPNOTSUPP) continue;
      throw Error(errno, "read " + path);
    }
    *out = ParsePressure(text, path);
    any = true;
  }
  return any ? std::optional(stats) : std::nullopt;
}

}  // namespace cask::cgroup
