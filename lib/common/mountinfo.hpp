// /proc/<pid>/mountinfo, parsed: used to find the host's cgroup mounts and, in tests,
// to look at what a container sees.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cask {

struct MountInfo {
  int id = 0;
  int parent_id = 0;
  unsigned major = 0;
  unsigned minor = 0;
  std::string root;         // the mounted directory inside its filesystem
  std::string mount_point;  // unescaped
  std::string options;      // per-mount options: "rw,nosuid,relatime"
  std::string optional;     // "shared:1 master:2", may be empty
  std::string fs_type;
  std::string source;
  std::string super_options;  // per-superblock options

  // True when `option` is one of the comma-separated per-mount options.
  bool HasOption(std::string_view option) const;
};

// Parses mountinfo text; throws a StepError (step "mountinfo") on a malformed line.
std::vector<MountInfo> ParseMountInfo(std::string_view text);

// Reads and parses /proc/self/mountinfo (throws a StepError when unreadable).
std::vector<MountInfo> ReadMountInfo(const std::string& path = "/proc/self/mountinfo");

}  // namespace cask
