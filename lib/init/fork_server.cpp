#include "init/fork_server.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/child_start.hpp"
#include "common/step_error.hpp"
#include "common/sync.hpp"
#include "common/sync_fd.hpp"

namespace cask {
namespace {

struct Forked {
  pid_t pid = -1;
  int error = 0;
  bool in_cgroup = false;
  unique_fd pidfd;
};

// The name that `ps` shows for the server; its children take init's back.
constexpr char kServerName[] = "cask-forkserver";
char init_name[16];

// The host's limits at the request, which an exec'd init would have inherited: a
// container's rlimits start from them (ApplyRlimits sets only those configured).
struct Limits {
  std::vector<std::pair<int, rlimit>> limits;
  static Limits From(const nlohmann::json& list) {
    Limits l;
    for (const auto& entry : list) {
      l.limits.push_back({entry.at(0).get<int>(), rlimit{entry.at(1).get<rlim_t>(), entry.at(2).get<rlim_t>()}});
    }
    return l;
  }
  bool Apply() const {
    for (const auto& [resource, limit] : limits) {
      if (setrlimit(static_cast<__rlimit_resource>(resource), &limit) != 0) return false;
    }
    return true;
  }
};

// The clone: into the cgroup where asked and the kernel can (5.7), else without; the
// host then moves the init itself. Returns in the parent only.
Forked Clone(uint64_t clone_flags, bool gate, const Limits& limits, std::vector<unique_fd>& fds, int cgroup_fd) {
  std::vector<int> wanted;
  for (const unique_fd& fd : fds) wanted.push_back(fd.get());
  std::vector<unique_fd> lifted;
  if (!LiftFds(wanted, lifted)) return {-1, errno, false, {}};
  std::vector<int> sources;
  for (const unique_fd& fd : lifted) sources.push_back(fd.get());

  // With CLONE_PARENT the child's exit signal is ours (SIGCHLD, as the host spawned us):
  // clone3 wants none given.
  int pidfd = -1;
  CloneArgs args{};
  args.flags = (clone_flags & ~uint64_t{0xff}) | CLONE_PARENT | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uintptr_t>(&pidfd);
  if (cgroup_fd >= 0) {
    args.flags |= kCloneIntoCgroup;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  long pid = syscall(SYS_clone3, &args, sizeof(args));
  bool in_cgroup = cgroup_fd >= 0;
  if (pid < 0 && (errno == ENOSYS || errno == E2BIG)) {
    in_cgroup = false;
    pid = syscall(SYS_clone, args.flags & ~kCloneIntoCgroup, 0, &pidfd, 0, 0);
  }
  if (pid == 0) {
    // The child: a copy of this process, which holds nothing else of the host's.
    prctl(PR_SET_NAME, init_name);
    if (!limits.Apply() || !PlaceFds(sources.data(), static_cast<int>(sources.size()), false)) _exit(127);
    if (gate) {
      if (int status = PassGate(); status != 0) _exit(status);
    }
    RunInit();
  }
  if (pid < 0) return {-1, errno, false, {}};
  return {static_cast<pid_t>(pid), 0, in_cgroup, unique_fd(pidfd)};
}

}  // namespace

void RunForkServer() {
  prctl(PR_GET_NAME, init_name);
  prctl(PR_SET_NAME, kServerName);
  // Its own fd limit as high as it may be: a request's fds arrive whatever the host's
  // limit was when it started this server. Each init gets the host's limits back.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  Channel channel{unique_fd(kSyncFd)};
  for (;;) {
    std::optional<Message> request;
    try {
      request = channel.Receive();
    } catch (const StepError&) {
      _exit(1);
    }
    if (!request) _exit(0);  // the Factory is gone
    if (request->type != MessageType::kFork) _exit(2);
    Forked forked;
    try {
      const bool cgroup = request->payload.at("cgroup").get<bool>();
      unique_fd cgroup_fd;
      if (cgroup) {
        if (request->fds.empty()) _exit(2);
        cgroup_fd = std::move(request->fds.back());
        request->fds.pop_back();
      }
      forked = Clone(request->payload.at("clone_flags").get<uint64_t>(), request->payload.at("gate").get<bool>(),
                     Limits::From(request->payload.at("rlimits")), request->fds, cgroup_fd.get());
    } catch (const nlohmann::json::exception&) {
      _exit(2);  // a host of another build: it sees the socket close
    }
    request.reset();  // none of the container's fds stays here
    std::vector<int> reply_fds;
    if (forked.pidfd) reply_fds.push_back(forked.pidfd.get());
    try {
      channel.Send(MessageType::kForked, {{"pid", forked.pid}, {"errno", forked.error}, {"in_cgroup", forked.in_cgroup}},
                   reply_fds);
    } catch (const StepError&) {
      _exit(1);
    }
  }
}

}  // namespace cask
