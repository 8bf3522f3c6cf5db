// Masked paths: parts of /proc and /sys the container must not read.
#pragma once

#include <string>
#include <vector>

namespace cask {

// Covers each path that exists in the root at `root_fd`: a directory gets an empty
// read-only tmpfs, anything else a bind of /dev/null, which must be the real null
// device (char 1:3, checked with fstat on the fd that is bound). Run after pivot_root.
// Throws StepError("masked paths", ...).
void MaskPaths(int root_fd, const std::vector<std::string>& paths);

}  // namespace cask
