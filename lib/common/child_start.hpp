// What a new init does between its clone and its first own step, wherever it is cloned:
// by the host (host/spawn.cpp, which then execs the init binary) or by the Factory's
// fork server (init/fork_server.cpp, which runs init in the clone). Async-signal-safe
// where it runs in the child: a multi-threaded host's clone shares its memory.
#pragma once

#include <cask/unique_fd.hpp>

#include <cstdint>
#include <vector>

namespace cask {

// Copies of `fds` (close-on-exec), numbered `fds.size()` and up: the child's dup2s to
// 0, 1, ... in ascending order then never overwrite a source they still need. On
// failure, returns false with errno set and `lifted` partly filled.
bool LiftFds(const std::vector<int>& fds, std::vector<unique_fd>& lifted);

// In the child: sources[i] becomes fd i for i < count; every fd from `count` up is
// closed (close_on_exec: only marked close-on-exec, for a child that execs next).
// Returns false if a dup2 failed.
bool PlaceFds(const int* sources, int count, bool close_on_exec);

// In the child, with the sync socket at kSyncFd: waits for the host's byte (it has
// written the id maps of the new user namespace), then becomes root there. Raw
// syscalls: glibc's wrappers would try to reach a multi-threaded parent's other threads.
// Returns the exit status for the child on failure, 0 on success.
int PassGate();

// The kernel's struct clone_args up to its cgroup field (CLONE_ARGS_SIZE_VER2).
struct CloneArgs {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
static_assert(sizeof(CloneArgs) == 88);
constexpr uint64_t kCloneIntoCgroup = 0x200000000ULL;  // CLONE_INTO_CGROUP, Linux 5.7

}  // namespace cask
