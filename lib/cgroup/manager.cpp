#include "cgroup/manager.hpp"

#include "cask/error.hpp"
#include "cgroup/hierarchy.hpp"
#include "cgroup/v1.hpp"
#include "cgroup/v2.hpp"

namespace cask::cgroup {

std::unique_ptr<Manager> Manager::Create(const std::string& path, const Resources& resources) {
  auto hierarchies = DiscoverHierarchies();
  if (!IsUnifiedMount("/sys/fs/cgroup")) return V1Manager::Create(hierarchies, path, resources);
  for (const auto& h : hierarchies) {
    if (h.v2) return V2Manager::Create(h, "", path, resources);
  }
  throw Error(ENOENT, "create cgroup " + path + ": /proc/self/cgroup has no cgroup2 entry");
}

std::map<std::string, std::string> Manager::PathsFor(const std::string& path) {
  std::map<std::string, std::string> paths;
  const bool v2_only = IsUnifiedMount("/sys/fs/cgroup");
  for (const auto& h : DiscoverHierarchies()) {
    if (h.v2) {
      paths[v2_only ? "" : "unified"] = ResolvePath(h, path);
      if (v2_only) return paths;
    } else if (!v2_only) {
      for (const auto& c : h.controllers) paths[c] = ResolvePath(h, path);
    }
  }
  return paths;
}

std::unique_ptr<Manager> Manager::Load(const std::map<std::string, std::string>& paths) {
  if (paths.empty()) throw Error(EINVAL, "load cgroup: no paths");
  if (auto v2 = paths.find(""); v2 != paths.end()) {
    if (paths.size() != 1) throw Error(EINVAL, "load cgroup: v2 and v1 paths mixed");
    return std::make_unique<V2Manager>("", v2->second);
  }
  auto dirs = paths;
  std::unique_ptr<V2Manager> unified;
  if (auto it = dirs.find("unified"); it != dirs.end()) {
    unified = std::make_unique<V2Manager>("unified", it->second);
    dirs.erase(it);
  }
  return std::make_unique<V1Manager>(std::move(dirs), std::move(unified));
}

}  // namespace cask::cgroup
