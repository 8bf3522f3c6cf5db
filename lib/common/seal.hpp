// Sealed memfds: contents that no process can change once made. The init binary is
// copied into one once per Factory, so no container can ever write to the host's binary
// through /proc/<pid>/exe; a compiled seccomp filter is kept in one, so each init gets
// it as an fd instead of as bytes in its bootstrap.
#pragma once

#include <cask/unique_fd.hpp>

#include <cstddef>
#include <string>

namespace cask {

// Copies `path` into a memfd and seals it (future writes, shrink, grow, seal). Throws
// cask::Error.
unique_fd SealedCopy(const std::string& path);

// A sealed memfd holding `size` bytes from `data`. Throws cask::Error.
unique_fd SealedBytes(const char* name, const void* data, size_t size);

}  // namespace cask
