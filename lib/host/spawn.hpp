// Starting init: clone with the namespace flags (clone3 into the container's cgroup on
// a v2 host), then exec the sealed init binary.
// Between clone and exec the child only moves fds and execs: nothing that allocates,
// so a multi-threaded host is safe.
#pragma once

#include <cask/unique_fd.hpp>
#include <sys/types.h>

#include <string>
#include <vector>

namespace cask {

struct SpawnRequest {
  int init_fd = -1;                // the sealed init binary
  std::vector<std::string> argv;   // argv of init ({"cask-init", "init"})
  unsigned long clone_flags = 0;   // CLONE_NEW* for namespaces made at clone time
  int stdio[3] = {0, 1, 2};        // become init's (and the payload's) 0, 1, 2
  int sync_fd = -1;                // becomes fd 3
  std::vector<int> extra_fds;      // become 4, 5, ...; init moves them to 3, 4, ... at exec
  // Wait for one byte on the sync fd (the id maps are written), then become root of the
  // new user namespace, before the exec.
  bool gate = false;
  // A cgroup v2 directory (Manager::BirthFd) for the child to be born in, or -1.
  int cgroup_fd = -1;
  // Start the Factory's fork server (host/fork_server.hpp) rather than an init.
  bool fork_server = false;

  // The fds the child gets as 0, 1, ...: stdio, the sync socket, the extra fds.
  std::vector<int> ChildFds() const {
    std::vector<int> fds = {stdio[0], stdio[1], stdio[2], sync_fd};
    fds.insert(fds.end(), extra_fds.begin(), extra_fds.end());
    return fds;
  }
};

struct Spawned {
  pid_t pid = -1;
  unique_fd pidfd;
  bool in_cgroup = false;  // born in cgroup_fd; false where the kernel cannot (before 5.7)
};

// Clones and execs init. Throws cask::Error; on error no child is left.
Spawned Spawn(const SpawnRequest& request);

}  // namespace cask
