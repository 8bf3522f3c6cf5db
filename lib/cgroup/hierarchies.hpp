// The cgroup hierarchies this process is in: from /proc/self/cgroup, with their mount
// points from /proc/self/mountinfo.
#pragma once

#include <string>
#include <vector>

namespace cask::cgroup {

struct Hierarchy {
  std::string name;         // v1: "memory", "cpu,cpuacct", "name=systemd"; v2: "unified" (hybrid) or ""
  std::string mount_point;  // "/sys/fs/cgroup/memory"
  std::string own_path;     // this process's cgroup in it: "/process_api/..."
};

// Hierarchies with no mount point here (not mounted) are left out.
std::vector<Hierarchy> Hierarchies();

// Parsers, for the tests: the text of /proc/self/cgroup and /proc/self/mountinfo.
std::vector<Hierarchy> ParseHierarchies(const std::string& proc_cgroup, const std::string& mountinfo);

}  // namespace cask::cgroup
