#include "cgroup/hierarchy.hpp"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>

#include "cask/error.hpp"
#include "cgroup/fs.hpp"
#include "cgroup/parse.hpp"

namespace cask::cgroup {
namespace {

std::vector<std::string> Split(std::string_view text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

struct CgroupMount {
  bool v2 = false;
  std::string root;  // the cgroup shown at the mount point
  std::string point;
  std::vector<std::string> options;
};

// mountinfo: "id parent maj:min root point opts [optional...] - fstype source superopts".
std::vector<CgroupMount> CgroupMounts(std::string_view mountinfo) {
  std::vector<CgroupMount> mounts;
  for (auto line : Lines(mountinfo, "/proc/self/mountinfo")) {
    auto words = Words(line);
    auto dash = std::find(words.begin(), words.end(), "-");
    if (words.size() < 5 || words.end() - dash < 4) continue;
    std::string_view type = dash[1];
    if (type != "cgroup" && type != "cgroup2") continue;
    mounts.push_back(
        {type == "cgroup2", std::string(words[3]), std::string(words[4]), Split(dash[3], ',')});
  }
  return mounts;
}

// `own` as seen from a mount of cgroup `root`; empty when the mount does not show it.
std::string RelativeTo(const std::string& root, const std::string& own) {
  if (root == "/") return own;
  if (own == root) return "/";
  if (own.starts_with(root + "/")) return own.substr(root.size());
  return "";
}

}  // namespace

std::vector<Hierarchy> ParseHierarchies(std::string_view mountinfo, std::string_view self_cgroup) {
  auto mounts = CgroupMounts(mountinfo);
  std::vector<Hierarchy> hierarchies;
  for (auto line : Lines(self_cgroup, "/proc/self/cgroup")) {
    // "4:memory:/a/b"; the path may itself hold colons.
    size_t first = line.find(':');
    size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) {
      throw Error(EINVAL, "/proc/self/cgroup: malformed line \"" + std::string(line) + "\"");
    }
    Hierarchy h;
    auto controllers = line.substr(first + 1, second - first - 1);
    h.v2 = controllers.empty() && line.substr(0, first) == "0";
    if (!controllers.empty()) h.controllers = Split(controllers, ',');
    if (!h.v2 && h.controllers.empty()) continue;
    std::string own(line.substr(second + 1));
    for (const auto& m : mounts) {
      if (m.v2 != h.v2) continue;
      bool has_all = std::all_of(h.controllers.begin(), h.controllers.end(), [&](auto& c) {
        return std::find(m.options.begin(), m.options.end(), c) != m.options.end();
      });
      if (!has_all) continue;
      h.own = RelativeTo(m.root, own);
      if (h.own.empty()) continue;
      h.mount = m.point;
      hierarchies.push_back(h);
      break;
    }
  }
  return hierarchies;
}

std::vector<Hierarchy> DiscoverHierarchies() {
  return ParseHierarchies(ReadFile("/proc/self/mountinfo"), ReadFile("/proc/self/cgroup"));
}

bool IsUnifiedMount(const std::string& root) {
  struct statfs fs {};
  if (statfs(root.c_str(), &fs) != 0) throw Error(errno, "statfs " + root);
  return fs.f_type == CGROUP2_SUPER_MAGIC;
}

std::string ResolvePath(const Hierarchy& h, const std::string& path) {
  if (path.empty()) throw Error(EINVAL, "cgroup path is empty");
  std::string dir = h.mount;
  if (path[0] != '/' && h.own != "/") dir += h.own;
  for (const auto& part : Split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") throw Error(EINVAL, "cgroup path \"" + path + "\" contains \"..\"");
    dir += "/" + part;
  }
  return dir;
}

}  // namespace cask::cgroup
