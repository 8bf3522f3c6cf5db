// The sealed copy of the init binary: a memfd sealed against writes, made once per
// Factory, so no container can ever write to the host's binary through /proc/<pid>/exe.
#pragma once

#include <cask/unique_fd.hpp>

#include <string>

namespace cask {

// Copies `path` into a memfd and seals it (write, shrink, grow, seal). Throws cask::Error.
unique_fd SealedCopy(const std::string& path);

}  // namespace cask
