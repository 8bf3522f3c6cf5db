// Warm pools, for harnesses that run many short processes in one kind of container:
// containers created ahead and waiting at the exec barrier, each of which runs one
// process, given at its start, and is then destroyed.
#pragma once

#include <cask/config.hpp>
#include <cask/container.hpp>
#include <cask/factory.hpp>
#include <cask/process.hpp>
#include <cask/run.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace cask {

struct PoolImpl;

class Pool {
 public:
  // Keeps `size` containers of `config` created and waiting. The first is created before
  // this returns, so that a config that cannot make a container throws here (leaving
  // nothing); a thread of the pool creates the others, and a replacement for each one
  // that a run takes. config.process is the process of every run, except its args, env
  // and cwd, which each run gives; it cannot have a terminal. Its seccomp filter is loaded
  // before the barrier, so it must let init's last steps pass: pass the exec fifo
  // (openat, write, close), receive the process (recvfrom, recvmsg, fcntl, dup2 or
  // dup3, close), enter its cwd (openat2, fchdir), find the program (newfstatat,
  // access, openat2), say why it cannot (sendmsg) and execve it; the default profile
  // lets them all. A run has at most 61 extra fds (64 in one message, stdio included).
  Pool(const Factory& factory, const Config& config, std::size_t size);
  // Destroys the containers that wait; those that Run handed out are the caller's.
  // A pool serves the process that made it (its inits are that process's children),
  // not a fork()ed copy of it. A pooled container's state shows the config's process,
  // not the run's.
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Starts `process` in a waiting container (in one created now when none waits). Its
  // args, env and cwd, its stdio and its extra fds reach init at the start; its other
  // fields must be config.process's (a ConfigError names the first that is not). Returns
  // the running container: the caller waits for the process and destroys the container,
  // which serves no other run. A payload that cannot start (not found, a cwd it cannot
  // enter) is an Error with init's step ("exec", "cwd"), and its container is destroyed.
  // The Factory holds the container's mount namespace until Destroy, which unmounts it:
  // the payload's exit does not wait for that (an RCU grace period).
  Container Run(Process& process);
  // Factory::RunToCompletion in a waiting container. The run's memory and pids limits
  // are written to the container's cgroup, and its file_size limit set on init, before
  // the start. A process that Run would refuse is a kSetupFailed report.
  RunReport RunToCompletion(const ProcessConfig& process, const RunLimits& limits, const std::string& input = {});
  // How many containers wait now.
  std::size_t Waiting() const;

 private:
  std::unique_ptr<PoolImpl> impl_;
};

}  // namespace cask
