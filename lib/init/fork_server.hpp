// The Factory's fork server (InitArgs::Spawn::kForkServer): the init binary, started
// once by a Factory with kForkServerEnv, clones each container's init on request and
// runs it without an exec. It is outside every container: it runs in the host's
// namespaces and cgroup, from the same read-only view (or sealed copy) of the binary
// that a spawned init execs, single-threaded, with every signal blocked.
//
// Each request (MessageType::kFork) brings the child's fds (stdio, the sync socket, the
// extra fds) and, with "cgroup", the cgroup v2 directory to clone it into. The clone
// has CLONE_PARENT, so the host is the init's parent (waits for it, gets its SIGCHLD,
// as for a spawned one), and CLONE_PIDFD: the reply carries its pid and pidfd. The
// server closes every fd of the request after the clone; the child closes every fd but
// its own before it runs init. EOF on its socket (the Factory or its host is gone)
// ends the server.
#pragma once

namespace cask {

[[noreturn]] void RunForkServer();

// The init of a container from the moment it is cloned with its fds in place (the sync
// socket at kSyncFd): what Init runs after the exec, and the fork server's child.
[[noreturn]] void RunInit();

}  // namespace cask
