// The sync channel between host and init: one SOCK_SEQPACKET socketpair carrying
// typed messages (a fixed header, a JSON payload) and file descriptors (SCM_RIGHTS).
#pragma once

#include <cask/unique_fd.hpp>

#include "common/sync_fd.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace cask {

enum class MessageType : uint32_t {
  kBootstrap = 1,  // host -> init: what to set up
  kPid,            // init -> host: the pid of the process that carries on (after a fork)
  kNeedSetup,      // init -> host: namespaces are in place; write id maps, place in cgroup, veth
  kSetupDone,      // host -> init
  kReady,          // init -> host: set up, waiting at the barrier
  kStart,          // host -> init: exec the payload (exec mode; create mode uses the fifo,
                   // and with process_at_start this after it: {args, env, cwd}, the fds)
  kError,          // init -> host: {step, errno, message}
  kLog,            // init -> host: a log line
  kConsole,        // init -> host: the master of the payload's terminal (one fd)
  // The Factory's fork server (init/fork_server.hpp):
  kFork,           // host -> server: {clone_flags, gate, cgroup}; the child's fds, then the cgroup's
  kForked,         // server -> host: {pid, errno, in_cgroup}; the pidfd, when pid > 0
};

struct Message {
  MessageType type{};
  nlohmann::json payload;
  std::vector<unique_fd> fds;
};

class Channel {
 public:
  explicit Channel(unique_fd fd) : fd_(std::move(fd)) {}
  // Sends a message; errors are thrown as StepErrors (step "sync") with their errno.
  void Send(MessageType type, const nlohmann::json& payload = nullptr,
            const std::vector<int>& fds = {}) const;
  // Lets a spawned child that waits at its gate (SpawnRequest::gate) go on to exec.
  void OpenGate() const;
  // Receives the next message; std::nullopt on EOF (the peer is gone).
  std::optional<Message> Receive() const;
  int fd() const { return fd_.get(); }
  unique_fd Release() { return std::move(fd_); }

 private:
  unique_fd fd_;
};

// A connected pair: [0] for the host, [1] for init.
std::pair<unique_fd, unique_fd> SocketPair();

}  // namespace cask
