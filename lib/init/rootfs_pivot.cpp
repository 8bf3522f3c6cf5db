#include "init/rootfs_pivot.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cask/unique_fd.hpp>
#include <cerrno>

#include "common/mountinfo.hpp"
#include "common/step_error.hpp"

namespace cask {
namespace {

constexpr char kPivotStep[] = "pivot_root";

bool IsUnder(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

// The no-pivot way, for a root on the initial ramfs: move the new root onto "/".
void MoveRoot(int root_fd, const std::string& root_path) {
  // Mounts outside the new root would stay in this namespace under it: detach them,
  // innermost first. Those above it ("/", its parents) hold it and are hidden by chroot.
  std::vector<MountInfo> mounts = ReadMountInfo();
  for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) {
    const std::string& mp = it->mount_point;
    if (IsUnder(mp, root_path) || IsUnder(root_path, mp)) continue;
    if (umount2(mp.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
      ThrowErrno(kPivotStep, "detach host mount " + mp);
    }
  }
  if (fchdir(root_fd) < 0) ThrowErrno(kPivotStep, "chdir to the new root");
  if (mount(".", "/", nullptr, MS_MOVE, nullptr) < 0) ThrowErrno(kPivotStep, "move the new root onto /");
  if (chroot(".") < 0) ThrowErrno(kPivotStep, "chroot into the new root");
  if (chdir("/") < 0) ThrowErrno(kPivotStep, "chdir /");
}

}  // namespace

void PivotRoot(int root_fd, const std::string& root_path) {
  unique_fd old_root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!old_root) ThrowErrno(kPivotStep, "open the old root");
  if (fchdir(root_fd) < 0) ThrowErrno(kPivotStep, "chdir to the new root");
  if (syscall(SYS_pivot_root, ".", ".") < 0) {
    int err = errno;
    struct statfs st {};
    if (err == EINVAL && statfs("/", &st) == 0 &&
        (st.f_type == RAMFS_MAGIC || st.f_type == TMPFS_MAGIC)) {
      MoveRoot(root_fd, root_path);
      return;
    }
    throw StepError(kPivotStep, err, "pivot_root into " + root_path);
  }
  // The old root is now mounted over "."; make sure its unmount cannot propagate to the
  // host (the rootfs propagation may be shared), then detach it.
  if (fchdir(old_root.get()) < 0) ThrowErrno(kPivotStep, "chdir to the old root");
  if (mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) {
    ThrowErrno(kPivotStep, "make the old root rslave");
  }
  if (umount2(".", MNT_DETACH) < 0) ThrowErrno(kPivotStep, "detach the old root");
  if (chdir("/") < 0) ThrowErrno(kPivotStep, "chdir /");
}

}  // namespace cask
