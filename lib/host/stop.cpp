// Container::Stop: a signal to all, a grace period, then SIGKILL to all.
#include <cask/container.hpp>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>

#include <fmt/format.h>

#include "cgroup/manager.hpp"
#include "host/factory_impl.hpp"
#include "host/pidfd_exit.hpp"
#include "host/proc.hpp"

namespace cask {
namespace {

using Clock = std::chrono::steady_clock;

// Waits until init has ended or `deadline` has passed; true when it has ended. Meanwhile
// it reaps the exec'd processes this Factory started as they end: they are init's
// siblings (CLONE_PARENT), and init, pid 1 of its namespace, cannot finish dying while
// one of them is an unreaped zombie.
bool AwaitInit(FactoryImpl& factory, const std::string& id, int init_pidfd, std::optional<Clock::time_point> deadline) {
  for (;;) {
    std::vector<pollfd> fds = {{init_pidfd, POLLIN, 0}};
    std::vector<std::shared_ptr<ChildRecord>> execs;
    for (auto& child : factory.Children(id)) {
      if (child->pidfd.get() == init_pidfd) continue;
      std::lock_guard lock(child->mutex);
      if (child->status || !child->pidfd) continue;
      fds.push_back({child->pidfd.get(), POLLIN, 0});
      execs.push_back(child);
    }
    int timeout = -1;
    if (deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
      timeout = static_cast<int>(std::max<decltype(left)>(left, 0));
    }
    int ready = poll(fds.data(), fds.size(), timeout);
    if (ready < 0 && errno != EINTR) throw Error(errno, "stop '" + id + "': wait for init");
    if (fds[0].revents != 0) return true;
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents != 0) execs[i - 1]->Wait();
    }
    if (ready == 0) return false;
  }
}

}  // namespace

std::optional<ExitStatus> Container::Stop(std::chrono::milliseconds grace, int signal) {
  const std::string context = Quoted("stop", id_);
  cask::State state = factory_->CurrentState(id_);
  unique_fd init = OpenInit(state);
  // Init's own record, where this Factory started it: its pidfd is the one to wait on.
  std::shared_ptr<ChildRecord> record;
  for (auto& child : factory_->Children(id_)) {
    if (child->pid == state.init_pid) record = child;
  }
  if (state.status != Status::kStopped && init) {
    const int init_pidfd = record ? record->pidfd.get() : init.get();
    auto cgroup = cgroup::Manager::Load(state.cgroup_paths);
    for (pid_t pid : cgroup->Pids()) {
      if (kill(pid, signal) != 0 && errno != ESRCH) throw Error(errno, fmt::format("{}: kill {}", context, pid));
    }
    // A frozen process acts on no signal until it is thawed.
    if (state.status == Status::kPaused) {
      try {
        Resume();
      } catch (const Error& e) {
        if (e.code() != Errc::kBadState) throw;  // resumed, or gone, meanwhile
      }
    }
    if (!AwaitInit(*factory_, id_, init_pidfd, Clock::now() + grace)) {
      cgroup->KillAll();
      AwaitInit(*factory_, id_, init_pidfd, std::nullopt);
    }
  }
  if (record) return record->Wait();
  return init ? PidfdExitStatus(init.get()) : std::nullopt;
}

}  // namespace cask
