// Paths inside the container's root: resolved with openat2(RESOLVE_IN_ROOT) against a
// directory fd and used through the fds they give, never joined as strings, so a
// symlink in the rootfs ("/a -> ../../../etc") cannot lead outside it.
#pragma once

#include <cask/unique_fd.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace cask {

// Lexically cleaned absolute path: "a//b/./c/../d" -> "/a/b/d"; ".." stops at "/".
std::string CleanPath(std::string_view path);

// Splits a cleaned path into its parent and last component: "/a/b" -> {"/a", "b"};
// "/" -> {"/", ""}.
std::pair<std::string, std::string> SplitLast(const std::string& path);

// openat2(root_fd, path, flags | O_CLOEXEC) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS
// and `extra_resolve`. An empty fd with errno set on failure.
unique_fd OpenInRoot(int root_fd, const std::string& path, int flags, uint64_t extra_resolve = 0);

// Opens directory `path` in the root (O_PATH), creating what is missing one component
// at a time with mkdirat under an fd resolved in the root. A dangling symlink on the
// way is followed inside the root, unless `follow_symlinks` is false: then any
// symlink fails with ELOOP. Throws StepError(step) naming `path`.
unique_fd MkdirAllInRoot(int root_fd, const std::string& path, const std::string& step,
                         bool follow_symlinks = true);

// Opens `path` in the root (O_PATH), creating an empty regular file (and its parent
// directories) when it is missing: the mount point for a file bind mount.
unique_fd MkfileInRoot(int root_fd, const std::string& path, const std::string& step);

}  // namespace cask
