// The init binary as every spawn executes it: an fd through which no process, in a
// container or not, can write to the host's file (CVE-2019-5736: a container process
// rewrote runc's binary through /proc/<pid>/exe of a runc process that had joined it).
#pragma once

#include <cask/unique_fd.hpp>

#include <string>

namespace cask {

struct InitBinary {
  unique_fd fd;             // for execveat(fd, "", ..., AT_EMPTY_PATH)
  std::string copy_reason;  // empty for the overlayfs view; else why none was made
};

// Where the kernel allows it, a read-only overlayfs view of `path`: a detached mount
// with no upper layer (its superblock can never be made writable, unlike a read-only
// bind mount's flags), whose lower layers are the binary's directory and `spare_dir`
// (overlayfs needs two lower layers to have no upper one; the binary's is on top). It
// costs a mount, not a copy: a program that makes one container per run (cask, nsinit)
// would otherwise copy itself each time (4 MB stripped, 3.9 ms here). Elsewhere (no
// CAP_SYS_ADMIN, a directory overlayfs refuses or cannot name), a sealed memfd copy
// (common/seal.hpp). Throws cask::Error if `path` cannot be read.
InitBinary OpenInitBinary(const std::string& path, const std::string& spare_dir);

}  // namespace cask
