#include "init/rootfs_cgroup.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include <cerrno>
#include <map>

#include "common/mountinfo.hpp"
#include "init/rootfs_path.hpp"
#include "common/step_error.hpp"
#include "common/text.hpp"

namespace cask {
namespace {

constexpr char kCgroupMountStep[] = "mount";
constexpr char kHostCgroup[] = "/sys/fs/cgroup";

// /proc/self/cgroup: controllers ("memory", "cpu,cpuacct", "name=systemd"; "" for v2)
// to the cgroup path.
std::map<std::string, std::string> OwnCgroups() {
  std::string text;
  if (!ReadWholeFile("/proc/self/cgroup", text)) ThrowErrno(kCgroupMountStep, "read /proc/self/cgroup");
  std::map<std::string, std::string> own;
  for (std::string_view line : TextLines(text)) {
    size_t first = line.find(':');
    size_t second = line.find(':', first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) continue;
    own[std::string(line.substr(first + 1, second - first - 1))] = std::string(line.substr(second + 1));
  }
  return own;
}

bool HasAll(const std::string& super_options, const std::string& controllers) {
  std::string options = "," + super_options + ",";
  for (std::string_view controller : SplitText(controllers, ',')) {
    if (options.find("," + std::string(controller) + ",") == std::string::npos) return false;
  }
  return true;
}

// The entry of /proc/self/cgroup for the hierarchy mounted as `m`.
const std::pair<const std::string, std::string>* FindOwn(
    const std::map<std::string, std::string>& own, const MountInfo& m) {
  for (const auto& entry : own) {
    bool v2 = entry.first.empty();
    if (v2 ? m.fs_type == "cgroup2"
           : (m.fs_type == "cgroup" && HasAll(m.super_options, entry.first))) {
      return &entry;
    }
  }
  return nullptr;
}

unique_fd HierarchyMount(const MountContext& ctx, const MountInfo& host,
                         const std::pair<const std::string, std::string>& own,
                         const MountAttr& attr, const std::string& what) {
  if (ctx.in_cgroup_namespace) {
    std::string log;
    unique_fd mnt = NewMount(host.fs_type, "cgroup", own.first, attr.set, &log);
    if (!mnt) ThrowErrno(kCgroupMountStep, what + (log.empty() ? "" : " (" + log + ")"));
    return mnt;
  }
  // The host's mount may itself show a subtree (host.root): the path is relative to it.
  std::string path = own.second;
  if (host.root != "/" && path.compare(0, host.root.size(), host.root) == 0) {
    path = path.substr(host.root.size());
  }
  unique_fd mnt = CloneMount(AT_FDCWD, host.mount_point + path, false);
  if (!mnt || SetMountAttr(mnt.get(), attr, false) < 0) ThrowErrno(kCgroupMountStep, what);
  return mnt;
}

}  // namespace

void MountCgroup(const MountContext& ctx, const std::string& dest, int target_fd,
                 const MountAttr& attr) {
  const std::string what = "mount cgroup on " + dest;
  struct statfs host {};
  if (statfs(kHostCgroup, &host) < 0) ThrowErrno(kCgroupMountStep, what + ": statfs " + kHostCgroup);
  std::string log;
  if (host.f_type == CGROUP2_SUPER_MAGIC) {
    unique_fd mnt = NewMount("cgroup2", "cgroup", "", attr.set, &log);
    if (!mnt) ThrowErrno(kCgroupMountStep, what + (log.empty() ? "" : " (" + log + ")"));
    if (AttachMount(mnt.get(), target_fd) < 0) ThrowErrno(kCgroupMountStep, what);
    return;
  }

  uint64_t tmpfs_attr = (attr.set & ~static_cast<uint64_t>(MOUNT_ATTR_RDONLY)) | MOUNT_ATTR_NOSUID |
                        MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  unique_fd tmpfs = NewMount("tmpfs", "tmpfs", "mode=755", tmpfs_attr, &log);
  if (!tmpfs) ThrowErrno(kCgroupMountStep, what + ": tmpfs" + (log.empty() ? "" : " (" + log + ")"));
  if (AttachMount(tmpfs.get(), target_fd) < 0) ThrowErrno(kCgroupMountStep, what + ": tmpfs");

  std::map<std::string, std::string> own = OwnCgroups();
  const std::string prefix = std::string(kHostCgroup) + "/";
  for (const MountInfo& m : ReadMountInfo()) {
    if (m.fs_type != "cgroup" && m.fs_type != "cgroup2") continue;
    if (m.mount_point.compare(0, prefix.size(), prefix) != 0) continue;
    std::string name = m.mount_point.substr(prefix.size());
    if (name.find('/') != std::string::npos) continue;
    const auto* entry = FindOwn(own, m);
    if (!entry) continue;  // a hierarchy this process is not in (none, normally)
    const std::string sub_what = what + ": " + name;
    unique_fd sub = MkdirAllInRoot(tmpfs.get(), name, kCgroupMountStep);
    unique_fd mnt = HierarchyMount(ctx, m, *entry, attr, sub_what);
    if (AttachMount(mnt.get(), sub.get()) < 0) ThrowErrno(kCgroupMountStep, sub_what);
  }
  if ((attr.set & MOUNT_ATTR_RDONLY) &&
      SetMountAttr(tmpfs.get(), MountAttr{MOUNT_ATTR_RDONLY, 0}, false) < 0) {
    ThrowErrno(kCgroupMountStep, what + ": make the tmpfs read-only");
  }
}

}  // namespace cask
