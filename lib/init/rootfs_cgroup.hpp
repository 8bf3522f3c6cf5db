// The container's /sys/fs/cgroup.
#pragma once

#include <string>

#include "common/mount_api.hpp"
#include "init/rootfs_mounts.hpp"

namespace cask {

// Mounts the cgroup filesystem at `target_fd` (`dest` names it in errors), with the
// per-mount attributes `attr` on every mount made.
//
// Pure cgroup v2 host: a cgroup2 mount (rooted at the container's cgroup when it has a
// cgroup namespace). v1 or hybrid host: a tmpfs with one directory per hierarchy that
// the host mounts under /sys/fs/cgroup, each holding the container's own cgroup: a
// fresh mount of that hierarchy in a cgroup namespace (the kernel roots it at the
// namespace's cgroup), else a bind of the host's directory of the cgroup that
// /proc/self/cgroup names. The tmpfs becomes read-only last when `attr` says so.
void MountCgroup(const MountContext& ctx, const std::string& dest, int target_fd,
                 const MountAttr& attr);

}  // namespace cask
