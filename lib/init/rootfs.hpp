// The container's root filesystem, set up by init in its new mount namespace.
#pragma once

#include <cask/config.hpp>
#include <cask/unique_fd.hpp>

#include <functional>
#include <vector>

namespace cask {

// Builds the container's root from a validated `config` and enters it. Called by init
// in the container's new mount namespace, as (namespaced) root: with uid/gid maps
// already written when `in_user_namespace`, and already in its cgroups (the cgroup
// mount shows the cgroups init is in). In runc's order:
//   1. "/" becomes config.rootfs_propagation (default rprivate), recursively, so no
//      mount made here reaches the host;
//   2. root.path is bind-mounted onto itself, recursively;
//   3. every config.mounts entry is mounted in it (rootfs_mounts.hpp);
//   4. /dev gets its default devices, config.devices and links (rootfs_devices.hpp);
//      a /dev mount asked read-only becomes so only after this;
//   5. `before_pivot` runs: the createContainer hooks, which OCI runs in the new
//      mount namespace while the runtime's paths still resolve;
//   6. pivot_root into it; the old root is detached (rootfs_pivot.hpp);
//   7. config.sysctl is written (proc_write.hpp) while /proc/sys is writable;
//   8. readonly paths, then masked paths (readonly_paths.hpp, masked_paths.hpp);
//   9. "/" is remounted read-only when root.readonly.
// Afterwards "/" is the container's root and the cwd is "/". Throws StepError naming
// the step ("rootfs", "mount", "devices", "pivot_root", "sysctl", "readonly paths",
// "masked paths") and the path.
// `idmapped_trees` are the host's trees for the idmapped mounts (host/idmapped_mounts.hpp),
// in the order of config.mounts.
void SetupRootfs(const Config& config, bool in_user_namespace, const std::function<void()>& before_pivot,
                 std::vector<unique_fd> idmapped_trees = {});

}  // namespace cask
