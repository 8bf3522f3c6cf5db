// Init's first step: enter the container's namespaces.
#pragma once

#include "common/bootstrap.hpp"
#include "common/sync.hpp"

namespace cask {

// Joins b.join (user first, as the host ordered them), unshares b.unshare_flags, writes
// the time namespace's offsets, and forks into a pid namespace when b.fork is set: the
// parent reports the child's pid and exits; only the child returns.
// A new cgroup namespace waits for EnterCgroupNamespace.
void EnterNamespaces(const Bootstrap& b, const Channel& channel);
// Unshares the cgroup namespace, once the host has placed init in its cgroup.
void EnterCgroupNamespace(const Bootstrap& b);

}  // namespace cask
