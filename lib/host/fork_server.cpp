#include "host/fork_server.hpp"

#include <cask/error.hpp>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "common/step_error.hpp"

namespace cask {
namespace {

// This thread's limits, as an exec'd init would inherit them: [[resource, soft, hard], ...].
nlohmann::json HostLimits() {
  nlohmann::json list = nlohmann::json::array();
  for (int resource = 0; resource < RLIMIT_NLIMITS; ++resource) {
    rlimit limit{};
    if (getrlimit(static_cast<__rlimit_resource>(resource), &limit) == 0) {
      list.push_back({resource, limit.rlim_cur, limit.rlim_max});
    }
  }
  return list;
}

}  // namespace

void ForkServer::Start(const SpawnRequest& request) {
  auto [host_end, server_end] = SocketPair();
  unique_fd null(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null) throw Error(errno, "fork server: open /dev/null");
  SpawnRequest server;
  server.init_fd = request.init_fd;
  server.argv = request.argv;
  server.stdio[0] = server.stdio[1] = server.stdio[2] = null.get();
  server.sync_fd = server_end.get();
  server.fork_server = true;
  Spawned spawned = cask::Spawn(server);
  channel_.emplace(std::move(host_end));
  owner_ = getpid();
  pidfd_ = std::move(spawned.pidfd);
}

void ForkServer::ForgetIfInherited() {
  if (!channel_ || owner_ == getpid()) return;
  channel_.reset();  // the parent's server stays: the parent holds its socket too
  pidfd_.reset();
}

std::string ForkServer::Stop() {
  if (!channel_) return {};
  channel_.reset();  // EOF: the server exits
  // Reaped by pidfd, so no other child's exit is taken; a host that reaps every child
  // itself (waitpid(-1)) may have done it already (ECHILD).
  siginfo_t info{};
  int ret;
  while ((ret = waitid(static_cast<idtype_t>(P_PIDFD), pidfd_.get(), &info, WEXITED)) != 0 && errno == EINTR) {
  }
  pidfd_.reset();
  if (ret != 0) return "ended";
  return info.si_code == CLD_EXITED ? "exited with status " + std::to_string(info.si_status)
                                    : "was killed by signal " + std::to_string(info.si_status);
}

Spawned ForkServer::Spawn(const SpawnRequest& request) {
  std::lock_guard lock(mutex_);
  ForgetIfInherited();
  std::vector<int> fds = request.ChildFds();
  if (request.cgroup_fd >= 0) fds.push_back(request.cgroup_fd);
  const nlohmann::json payload = {{"clone_flags", request.clone_flags},
                                  {"gate", request.gate},
                                  {"cgroup", request.cgroup_fd >= 0},
                                  {"rlimits", HostLimits()}};
  // A server found dead (killed, or reaped by a host's waitpid(-1)) is replaced once.
  for (int attempt = 0;; ++attempt) {
    if (!channel_) Start(request);
    std::optional<Message> reply;
    try {
      channel_->Send(MessageType::kFork, payload, fds);
      reply = channel_->Receive();
    } catch (const StepError& e) {
      if (e.error() != EPIPE && e.error() != ECONNRESET) throw Error(e.error(), "spawn: fork server: " + e.message());
    }
    if (!reply) {
      const std::string how = Stop();
      if (attempt == 0) continue;
      // Twice in a row: the init binary does not serve (not cask's, or it fails at once).
      throw Error(Errc::kInitFailed, "init " + how + " before it was ready (started as the Factory's fork server)");
    }
    if (reply->type != MessageType::kForked) throw Error(Errc::kInitFailed, "spawn: fork server: unexpected reply");
    const pid_t pid = reply->payload.at("pid").get<pid_t>();
    if (pid < 0) {
      const int err = reply->payload.at("errno").get<int>();
      throw Error(err, request.cgroup_fd >= 0 && err == EAGAIN
                           ? "spawn: clone3 into the container's cgroup (at its pids.max?)"
                           : "spawn: fork server: clone");
    }
    if (reply->fds.size() != 1) throw Error(Errc::kInitFailed, "spawn: fork server: a reply without its pidfd");
    return {pid, std::move(reply->fds.front()), reply->payload.at("in_cgroup").get<bool>()};
  }
}

}  // namespace cask
