#include "init/masked_paths.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>

#include "common/mount_api.hpp"
#include "init/rootfs_path.hpp"
#include "common/step_error.hpp"

namespace cask {
namespace {

constexpr char kMaskStep[] = "masked paths";

// /dev/null, checked to be the null device: a rootfs that put a file or another device
// there must not make masking expose or swallow anything.
unique_fd OpenNullDevice(int root_fd) {
  unique_fd null = OpenInRoot(root_fd, "/dev/null", O_PATH, RESOLVE_NO_SYMLINKS);
  if (!null) ThrowErrno(kMaskStep, "open /dev/null");
  struct stat st {};
  if (fstat(null.get(), &st) < 0) ThrowErrno(kMaskStep, "stat /dev/null");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3) {
    ThrowStep(kMaskStep, "/dev/null is not the null device (char 1:3)", ENODEV);
  }
  return null;
}

}  // namespace

void MaskPaths(int root_fd, const std::vector<std::string>& paths) {
  unique_fd null;
  for (const std::string& raw : paths) {
    const std::string path = CleanPath(raw);
    const std::string what = "mask " + path;
    unique_fd target = OpenInRoot(root_fd, path, O_PATH);
    if (!target) {
      if (errno == ENOENT) continue;
      ThrowErrno(kMaskStep, what);
    }
    struct stat st {};
    if (fstat(target.get(), &st) < 0) ThrowErrno(kMaskStep, what);
    unique_fd mask;
    if (S_ISDIR(st.st_mode)) {
      std::string log;
      mask = NewMount("tmpfs", "tmpfs", "",
                      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                      &log);
      if (!mask) ThrowErrno(kMaskStep, what + " with tmpfs" + (log.empty() ? "" : " (" + log + ")"));
    } else {
      if (!null) null = OpenNullDevice(root_fd);
      mask = CloneMount(null.get(), "", false);
      if (!mask) ThrowErrno(kMaskStep, what + " with /dev/null");
    }
    if (AttachMount(mask.get(), target.get()) < 0) ThrowErrno(kMaskStep, what);
  }
}

}  // namespace cask
