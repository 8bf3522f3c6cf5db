// Switching the process's root to the container's.
#pragma once

#include <string>

namespace cask {

// Makes the mount at `root_fd` (the container's root, bind-mounted at host path
// `root_path`) the process's root and "/" its cwd. pivot_root(".", ".") stacks the old
// root on the new one, and a lazy unmount then drops it, so nothing of the host's tree
// stays reachable. Where "/" is the initial ramfs/tmpfs (pivot_root refuses it), the
// other host mounts are detached and the root is moved onto "/" and chrooted into.
// Throws StepError("pivot_root", ...).
void PivotRoot(int root_fd, const std::string& root_path);

}  // namespace cask
