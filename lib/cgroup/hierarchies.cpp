#include "cgroup/hierarchies.hpp"

#include <fstream>
#include <set>
#include <sstream>

namespace cask::cgroup {
namespace {

std::string ReadText(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::set<std::string> Split(const std::string& text, char sep) {
  std::set<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, sep);) out.insert(item);
  return out;
}

struct CgroupMount {
  std::string mount_point;
  bool v2;
  std::set<std::string> options;  // super options: "rw", "memory", "name=systemd", ...
};

std::vector<CgroupMount> CgroupMounts(const std::string& mountinfo) {
  std::vector<CgroupMount> mounts;
  std::stringstream lines(mountinfo);
  for (std::string line; std::getline(lines, line);) {
    std::stringstream fields(line);
    std::string field, mount_point;
    for (int i = 0; i < 5 && fields >> field; ++i) {
      if (i == 4) mount_point = field;
    }
    while (fields >> field && field != "-") {
    }
    std::string type, source, options;
    fields >> type >> source >> options;
    if (type == "cgroup" || type == "cgroup2") mounts.push_back({mount_point, type == "cgroup2", Split(options, ',')});
  }
  return mounts;
}

}  // namespace

std::vector<Hierarchy> ParseHierarchies(const std::string& proc_cgroup, const std::string& mountinfo) {
  auto mounts = CgroupMounts(mountinfo);
  bool hybrid = false;
  for (const auto& m : mounts) hybrid = hybrid || !m.v2;
  std::vector<Hierarchy> out;
  std::stringstream lines(proc_cgroup);
  for (std::string line; std::getline(lines, line);) {
    auto first = line.find(':');
    auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    for (const auto& m : mounts) {
      bool match = controllers.empty() ? m.v2 : !m.v2 && [&] {
        for (const auto& c : Split(controllers, ',')) {
          if (!m.options.count(c)) return false;
        }
        return true;
      }();
      if (!match) continue;
      out.push_back({controllers.empty() ? (hybrid ? "unified" : "") : controllers, m.mount_point, path});
      break;
    }
  }
  return out;
}

std::vector<Hierarchy> Hierarchies() {
  return ParseHierarchies(ReadText("/proc/self/cgroup"), ReadText("/proc/self/mountinfo"));
}

}  // namespace cask::cgroup
