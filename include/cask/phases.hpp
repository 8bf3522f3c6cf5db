// Where the time of one container's life went, mark by mark: a debug mode for
// benchmarks and for judging a change by the phase it moves (Factory::RecordPhases).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace cask {

// One moment of a container's life, on the monotonic clock (steady_clock). Host and
// init read the same clock, unless the container joins a time namespace with offsets.
struct PhaseMark {
  std::string name;
  std::chrono::steady_clock::time_point at;
};

// In order of time. The marks, and who records them (h: the host, i: init):
//   create      h  Factory::Create begins
//   state       h  state directory, state.json and exec fifo made
//   cgroups     h  cgroups made and their limits written
//   spawn       h  about to clone init (its namespaces made by the clone)
//   init        i  init's first instruction: clone and exec of the init binary done
//   namespaces  i  the namespaces joined or unshared that the clone did not make
//   setup       h  id maps written, init placed in its cgroup, veths, host hooks run
//   mounts      i  the root filesystem's mounts (SetupRootfs up to the devices)
//   devices     i  device nodes and /dev's links
//   pivot       i  pivot_root, sysctls, read-only and masked paths
//   container   i  hostname, domain name, loopback and network interfaces
//   seccomp     i  the filter loaded (only where init loads it before the barrier:
//                  without no_new_privileges; else it is loaded right before execve)
//   process     i  rlimits, user, capabilities, cwd: ready to exec
//   ready       h  init said it is ready
//   created     h  Create returns
//   start       h  Container::Start begins
//   released    h  init took the byte from the exec fifo
//   exec        h  the payload's execve succeeded (init's socket closed on exec)
//   exit        h  the payload's exit reaped (Process::Wait or Destroy)
//   destroy     h  Container::Destroy begins
//   destroyed   h  Destroy returns
// "released" and "exec" are marked only when Start runs in the Factory that created the
// container; in exec mode (Container::Exec) nothing is marked.
using Phases = std::vector<PhaseMark>;

}  // namespace cask
