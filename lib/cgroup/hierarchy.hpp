// The cgroup hierarchies this process sees, and where a cgroup path lies in each.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cask::cgroup {

struct Hierarchy {
  bool v2 = false;
  std::vector<std::string> controllers;  // v1: "cpu", "cpuacct", "name=systemd"; v2: none
  std::string mount;                     // where it is mounted: "/sys/fs/cgroup/memory"
  std::string own;                       // the caller's cgroup in it: "/", "/a/b"
};

// Pairs the lines of /proc/self/cgroup with the cgroup mounts of /proc/self/mountinfo.
// A hierarchy that is not mounted, or whose mount does not show the caller's cgroup,
// is left out.
std::vector<Hierarchy> ParseHierarchies(std::string_view mountinfo, std::string_view self_cgroup);

// ParseHierarchies on this process's files.
std::vector<Hierarchy> DiscoverHierarchies();

// True when `root` (normally /sys/fs/cgroup) is a cgroup2 mount: a v2-only host.
bool IsUnifiedMount(const std::string& root);

// The directory of cgroup `path` in `h`: a relative path lies under the caller's own
// cgroup, an absolute one under the hierarchy's root. ".." is refused.
std::string ResolvePath(const Hierarchy& h, const std::string& path);

}  // namespace cask::cgroup
