#include "init/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cask/mount_options.hpp>
#include <cerrno>

#include "init/masked_paths.hpp"
#include "init/phase_marks.hpp"
#include "common/mount_api.hpp"
#include "common/mountinfo.hpp"
#include "init/proc_write.hpp"
#include "init/readonly_paths.hpp"
#include "init/rootfs_devices.hpp"
#include "init/rootfs_mounts.hpp"
#include "init/rootfs_path.hpp"
#include "init/rootfs_pivot.hpp"
#include "common/step_error.hpp"

namespace cask {
namespace {

constexpr char kRootfsStep[] = "rootfs";

// pivot_root refuses a new root whose parent mount is shared; with a shared rootfs
// propagation, make just that mount private (the mount holding root.path's parent).
void MakeParentMountPrivate(const std::string& root_path) {
  std::string parent = SplitLast(CleanPath(root_path)).first;
  const MountInfo* best = nullptr;
  std::vector<MountInfo> mounts = ReadMountInfo();
  for (const MountInfo& m : mounts) {
    const std::string& mp = m.mount_point;
    bool holds = mp == "/" || parent == mp ||
                 (parent.compare(0, mp.size(), mp) == 0 && parent[mp.size()] == '/');
    if (holds && (!best || mp.size() >= best->mount_point.size())) best = &m;
  }
  if (best && mount(nullptr, best->mount_point.c_str(), nullptr, MS_PRIVATE, nullptr) < 0) {
    ThrowErrno(kRootfsStep, "make " + best->mount_point + " private");
  }
}

}  // namespace

void SetupRootfs(const Config& config, bool in_user_namespace, const std::function<void()>& before_pivot,
                 std::vector<unique_fd> idmapped_trees) {
  const std::string& propagation_name =
      config.rootfs_propagation.empty() ? "rprivate" : config.rootfs_propagation;
  std::optional<unsigned long> propagation = PropagationFromName(propagation_name);
  if (!propagation) ThrowStep(kRootfsStep, "rootfs propagation " + propagation_name, EINVAL);
  if (mount(nullptr, "/", nullptr, *propagation | MS_REC, nullptr) < 0) {
    ThrowErrno(kRootfsStep, "make / " + propagation_name);
  }
  if (*propagation & MS_SHARED) MakeParentMountPrivate(config.root.path);

  const std::string what = "bind " + config.root.path + " onto itself";
  unique_fd root = CloneMount(AT_FDCWD, config.root.path, true);
  unique_fd at(open(config.root.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root || !at || AttachMount(root.get(), at.get()) < 0) ThrowErrno(kRootfsStep, what);

  MountContext ctx{root.get(), in_user_namespace, config.HasNamespace(NamespaceType::kCgroup)};
  bool dev_readonly = false;
  auto idmapped = idmapped_trees.begin();
  for (const Mount& m : config.mounts) {
    MountFlags flags = ParseMountOptions(m.options);
    unique_fd tree;
    if (flags.idmap) {
      if (idmapped == idmapped_trees.end()) ThrowStep(kRootfsStep, "an idmapped mount's tree is missing", EPROTO);
      tree = std::move(*idmapped++);
    }
    // Devices are made in /dev below: it turns read-only after that.
    if (CleanPath(m.destination) == "/dev" && (flags.flags & MS_RDONLY)) {
      flags.flags &= ~static_cast<unsigned long>(MS_RDONLY);
      dev_readonly = true;
    }
    MountEntry(ctx, m, flags, std::move(tree));
  }
  MarkPhase("mounts");

  CreateDevices(root.get(), config, in_user_namespace);
  CreateDevLinks(root.get());
  if (dev_readonly) {
    unique_fd dev = OpenInRoot(root.get(), "/dev", O_PATH | O_DIRECTORY);
    if (!dev || SetMountAttr(dev.get(), MountAttr{MOUNT_ATTR_RDONLY, 0}, false) < 0) {
      ThrowErrno("devices", "make /dev read-only");
    }
  }
  MarkPhase("devices");

  before_pivot();
  PivotRoot(root.get(), CleanPath(config.root.path));
  unique_fd new_root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!new_root) ThrowErrno(kRootfsStep, "open the new root");
  // Sysctls go in while /proc/sys is still writable, as runc orders them.
  ApplySysctl(config.sysctl);
  ReadonlyPaths(new_root.get(), config.readonly_paths);
  MaskPaths(new_root.get(), config.masked_paths);
  if (config.root.readonly &&
      SetMountAttr(new_root.get(), MountAttr{MOUNT_ATTR_RDONLY, 0}, false) < 0) {
    ThrowErrno(kRootfsStep, "make / read-only");
  }
  if (chdir("/") < 0) ThrowErrno(kRootfsStep, "chdir /");
  MarkPhase("pivot");
}

}  // namespace cask
