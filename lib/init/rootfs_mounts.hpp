// One config.mounts entry, mounted inside the container's root.
#pragma once

#include <cask/config.hpp>
#include <cask/mount_options.hpp>
#include <cask/unique_fd.hpp>

namespace cask {

struct MountContext {
  int root_fd = -1;  // the container's root (its bind mount), before pivot_root
  bool in_user_namespace = false;
  bool in_cgroup_namespace = false;
};

// Mounts `mount` at its destination resolved in the root (RESOLVE_IN_ROOT), creating
// the mount point there, through the new mount API: the mount is made detached, given
// its flags and attached onto the destination's fd. /proc and /sys must be real
// directories; only procfs goes at /proc, and inside /proc only binds of procfs or of
// runc's list of lxcfs files. A "cgroup" mount is cgroup2 on a pure v2 host, otherwise
// a tmpfs with one directory per host hierarchy (rootfs_cgroup.hpp).
// `flags` is ParseMountOptions(mount.options). Throws StepError("mount", ...).
// An idmapped bind takes its detached tree as `tree`, made by the host.
void MountEntry(const MountContext& ctx, const Mount& mount, const MountFlags& flags, unique_fd tree = {});

}  // namespace cask
