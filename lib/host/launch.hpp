// The host side of starting init: spawn, bootstrap, and the setup conversation up to
// "ready". Shared by Create (a new container) and Exec (join a running one).
#pragma once

#include <functional>
#include <memory>

#include "common/bootstrap.hpp"
#include "host/factory_impl.hpp"

namespace cask {

struct LaunchRequest {
  Bootstrap bootstrap;
  unsigned long clone_flags = 0;  // namespaces made at clone time
  unique_fd fifo;                 // create mode: the exec fifo, O_PATH
  std::vector<unique_fd> idmapped_trees;  // create mode: MakeIdmappedTrees, for init to attach
  // The container's cgroup for init to be born in (Manager::BirthFd); reset by Launch
  // where the kernel could not, and then setup must Apply.
  unique_fd cgroup_fd;
  // When set, the spawned child waits before its exec until this has run (id maps).
  std::function<void(pid_t)> before_exec;
  // Runs when init asks for setup, with the pid that carries on: id maps, cgroup, veth.
  std::function<void(pid_t)> setup;
  // Runs once init has been told to go on, while it sets the container up.
  std::function<void(pid_t)> setting_up;
  std::string context;  // "create 'web'", for error messages
  // Create mode, while the Factory records phases: gets the marks of the launch and init's.
  std::shared_ptr<PhaseLog> phases;
  // Create mode with record_phases or process_at_start: Launch leaves init's socket here,
  // open until the payload's execve.
  unique_fd init_channel;
};

// The child's end and the host's end of one standard stream.
struct StreamEnds {
  unique_fd child;  // owned here when cask made it (pipe, /dev/null)
  int child_fd = -1;
  unique_fd host;
};
// Throws init's kError message as an Error with init's step.
[[noreturn]] void ThrowInitError(const std::string& context, const nlohmann::json& error);

// The ends for `stdio` as the process's fd `number` (0, 1 or 2).
StreamEnds OpenStream(const Stdio& stdio, int number, const std::string& context);

// Returns when init is ready (create mode: waiting at the fifo; exec mode: running the
// payload). On error, kills and reaps what it started and throws cask::Error.
std::shared_ptr<ChildRecord> Launch(const FactoryImpl& factory, LaunchRequest& request,
                                    Process& process);

}  // namespace cask
