// The host's side of the Factory's fork server (init/fork_server.hpp says what the
// server does): started at the first spawn, restarted once if it was found dead, ended
// (its socket closed, the process reaped) with its Factory.
#pragma once

#include <cask/unique_fd.hpp>

#include <mutex>
#include <optional>
#include <string>

#include "common/sync.hpp"
#include "host/spawn.hpp"

namespace cask {

class ForkServer {
 public:
  ForkServer() = default;
  ForkServer(const ForkServer&) = delete;
  ForkServer& operator=(const ForkServer&) = delete;
  ~ForkServer() {
    ForgetIfInherited();
    Stop();
  }

  // As cask::Spawn, without the exec: the server clones the child and runs init in it.
  // The server itself starts from request.init_fd and request.argv.
  Spawned Spawn(const SpawnRequest& request);

 private:
  void Start(const SpawnRequest& request);
  // Closes the socket and reaps the server; says how it ended ("exited with status 1").
  std::string Stop();

  // A forked copy of the host must not use its parent's server (whose clones would be
  // the parent's children, and whose replies it would race for): it starts its own.
  void ForgetIfInherited();

  std::mutex mutex_;  // one request at a time: each is a clone, tens of microseconds
  std::optional<Channel> channel_;
  pid_t owner_ = -1;  // the process that started the server
  unique_fd pidfd_;
};

}  // namespace cask
