#include "init/rootfs_mounts.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "common/mount_api.hpp"
#include "init/rootfs_cgroup.hpp"
#include "init/rootfs_path.hpp"
#include "init/tmpfs_copyup.hpp"
#include "common/step_error.hpp"

namespace cask {
namespace {

constexpr char kMountStep[] = "mount";

// Files under /proc that may take a bind from elsewhere: what lxcfs provides (runc
// allows the same list).
constexpr const char* kProcBindable[] = {"/proc/cpuinfo", "/proc/diskstats",
                                         "/proc/meminfo", "/proc/stat",
                                         "/proc/swaps",   "/proc/uptime",
                                         "/proc/loadavg", "/proc/slabinfo",
                                         "/proc/net/dev", "/proc/sys/kernel/ns_last_pid"};

bool SameFile(int a, int b) {
  struct stat sa {
  }, sb{};
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

bool UnderProc(const std::string& dest) { return dest.compare(0, 6, "/proc/") == 0; }

// The destination of a proc or sysfs mount, and /proc and /sys themselves, must be
// reached without any symlink: the mount must land exactly there, not at a target.
bool NeedsRealPath(const Mount& mount, const std::string& dest) {
  return mount.type == "proc" || mount.type == "sysfs" || dest == "/proc" || dest == "/sys";
}

// Opens (creating it if missing) the mount point: a directory, or a file for a bind of
// a file.
unique_fd OpenMountPoint(const MountContext& ctx, const Mount& mount, const std::string& dest,
                         bool directory, const std::string& what) {
  const bool real_path = NeedsRealPath(mount, dest);
  if (real_path) {
    unique_fd target = OpenInRoot(ctx.root_fd, dest, O_PATH, RESOLVE_NO_SYMLINKS);
    if (!target && errno == ELOOP) {
      ThrowStep(kMountStep, what + ": " + dest + " must be a real directory, not reached by a symlink",
                ELOOP);
    }
    if (!target && errno != ENOENT) ThrowErrno(kMountStep, what);
    if (target) {
      struct stat st {};
      if (fstat(target.get(), &st) < 0) ThrowErrno(kMountStep, what);
      if (directory && !S_ISDIR(st.st_mode)) ThrowStep(kMountStep, what + ": not a directory", ENOTDIR);
      return target;
    }
  }
  try {
    return directory ? MkdirAllInRoot(ctx.root_fd, dest, kMountStep, !real_path)
                     : MkfileInRoot(ctx.root_fd, dest, kMountStep);
  } catch (const StepError& e) {
    throw StepError(kMountStep, e.error(), what + ": " + e.message());
  }
}

// Only procfs goes at /proc; inside procfs only binds of procfs files or of the lxcfs
// list. `source_fd` is the bind's source tree, or -1 for a new filesystem. The
// destination is judged by what it resolved to, so a symlink cannot dodge the check.
void CheckProcDestination(const MountContext& ctx, const Mount& mount, const std::string& dest,
                          int target_fd, int source_fd, const std::string& what) {
  unique_fd proc = OpenInRoot(ctx.root_fd, "/proc", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
  bool at_proc = dest == "/proc" || (proc && SameFile(proc.get(), target_fd));
  if (at_proc) {
    if (source_fd >= 0 || mount.type != "proc") {
      ThrowStep(kMountStep, what + ": only procfs may be mounted at /proc", EPERM);
    }
    return;
  }
  if (!UnderProc(dest) && FsMagic(target_fd) != PROC_SUPER_MAGIC) return;
  if (source_fd >= 0 && (FsMagic(source_fd) == PROC_SUPER_MAGIC ||
                         std::find(std::begin(kProcBindable), std::end(kProcBindable), dest) !=
                             std::end(kProcBindable))) {
    return;
  }
  ThrowStep(kMountStep, what + ": mounts inside /proc are not allowed", EPERM);
}

void SetPropagationOrThrow(int mnt_fd, const MountFlags& flags, const std::string& what) {
  if (flags.propagation != 0 && SetPropagation(mnt_fd, flags.propagation) < 0) {
    ThrowErrno(kMountStep, what + ": set propagation");
  }
}

void MountBind(const MountContext& ctx, const Mount& mount, const MountFlags& flags,
               const std::string& source, const std::string& dest, const std::string& what,
               unique_fd tree = {}) {
  if (!tree) tree = CloneMount(AT_FDCWD, source, flags.recursive);
  if (!tree) ThrowErrno(kMountStep, what);
  struct stat st {};
  if (fstat(tree.get(), &st) < 0) ThrowErrno(kMountStep, what);
  unique_fd target = OpenMountPoint(ctx, mount, dest, S_ISDIR(st.st_mode), what);
  CheckProcDestination(ctx, mount, dest, target.get(), tree.get(), what);
  // The flags go on while the tree is detached: it is never visible writable.
  MountAttr attr = AttrFromFlags(flags.flags, flags.clear);
  if (!attr.empty() && SetMountAttr(tree.get(), attr, false) < 0) ThrowErrno(kMountStep, what);
  if (flags.recursive_readonly &&
      SetMountAttr(tree.get(), MountAttr{MOUNT_ATTR_RDONLY, 0}, true) < 0) {
    ThrowErrno(kMountStep, what + ": recursive read-only");
  }
  if (AttachMount(tree.get(), target.get()) < 0) ThrowErrno(kMountStep, what);
  SetPropagationOrThrow(tree.get(), flags, what);
}

void MountFilesystem(const MountContext& ctx, const Mount& mount, const MountFlags& flags,
                     const std::string& dest, const std::string& what) {
  unique_fd target = OpenMountPoint(ctx, mount, dest, true, what);
  CheckProcDestination(ctx, mount, dest, target.get(), -1, what);
  MountAttr attr = AttrFromFlags(flags.flags, 0);
  if (flags.recursive_readonly) attr.set |= MOUNT_ATTR_RDONLY;
  if (mount.type == "cgroup") {
    MountCgroup(ctx, dest, target.get(), attr);
    return;
  }
  std::string data = flags.data;
  std::string sb = SuperblockOptions(flags.flags);
  if (!sb.empty()) data += (data.empty() ? "" : ",") + sb;
  std::string log;
  unique_fd mnt = NewMount(mount.type, mount.source, data, attr.set, &log);
  if (!mnt && mount.type == "sysfs" && errno == EPERM && ctx.in_user_namespace) {
    // A user namespace without its own network namespace may not mount sysfs: bind the
    // host's, as runc does.
    MountFlags bind = flags;
    bind.recursive = true;
    MountBind(ctx, mount, bind, "/sys", dest, what + " (bind of the host's /sys)");
    return;
  }
  if (!mnt) ThrowErrno(kMountStep, what + (log.empty() ? "" : " (" + log + ")"));
  if (mount.type == "proc" && FsMagic(mnt.get()) != PROC_SUPER_MAGIC) {
    ThrowStep(kMountStep, what + ": the new mount is not procfs", EXDEV);
  }
  if (flags.copy_up) CopyUp(target.get(), mnt.get());
  if (AttachMount(mnt.get(), target.get()) < 0) ThrowErrno(kMountStep, what);
  if (mount.type == "proc") {
    // What the container now sees there must be the procfs just made.
    unique_fd seen = OpenInRoot(ctx.root_fd, dest, O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
    if (!seen || FsMagic(seen.get()) != PROC_SUPER_MAGIC) {
      ThrowStep(kMountStep, what + ": " + dest + " is not procfs after mounting", EXDEV);
    }
  }
  SetPropagationOrThrow(mnt.get(), flags, what);
}

}  // namespace

void MountEntry(const MountContext& ctx, const Mount& mount, const MountFlags& flags, unique_fd tree) {
  const std::string dest = CleanPath(mount.destination);
  if (flags.bind || mount.type == "bind") {
    MountBind(ctx, mount, flags, mount.source, dest, "bind " + mount.source + " on " + dest, std::move(tree));
  } else {
    MountFilesystem(ctx, mount, flags, dest, "mount " + mount.type + " on " + dest);
  }
}

}  // namespace cask
