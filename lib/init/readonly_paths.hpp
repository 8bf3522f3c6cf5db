// Read-only paths: parts of /proc (and others) the container may read but not write.
#pragma once

#include <string>
#include <vector>

namespace cask {

// Bind-mounts each path that exists in the root at `root_fd` onto itself, read-only
// with its submounts. The flags the mount had (nosuid, nodev, noexec) are kept: only
// MOUNT_ATTR_RDONLY is added. Run after pivot_root. Throws StepError("readonly paths").
void ReadonlyPaths(int root_fd, const std::vector<std::string>& paths);

}  // namespace cask
