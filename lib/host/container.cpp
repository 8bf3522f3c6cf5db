#include <cask/container.hpp>
#include <cask/namespaces.hpp>
#include <cask/validate.hpp>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fmt/format.h>

#include "cgroup/manager.hpp"
#include "common/hooks.hpp"
#include "host/crash_point.hpp"
#include "host/launch.hpp"
#include "host/proc.hpp"
#include "common/step_error.hpp"
#include "common/sync.hpp"

namespace cask {
namespace {

// Marks "exec" when init's socket, kept open while phases are recorded, closes on the
// payload's execve. An init that failed instead says why over it: logged, no mark.
void MarkExec(const FactoryImpl& factory, PhaseLog& phases, const std::string& context) {
  unique_fd socket;
  {
    std::lock_guard lock(phases.mutex);
    socket = std::move(phases.init_channel);
  }
  if (!socket) return;  // created by another Factory, or started before
  Channel channel(std::move(socket));
  try {
    if (auto message = channel.Receive()) {
      if (message->type == MessageType::kError) {
        factory.Log(context + ": init failed after the barrier: " +
                    message->payload.value("step", std::string()) + ": " +
                    message->payload.value("message", std::string()));
      }
      return;
    }
  } catch (const StepError&) {
    return;  // a reset: init died, it did not exec
  }
  phases.Mark("exec");
}

}  // namespace

State Container::State() const { return factory_->CurrentState(id_); }

Phases Container::Phases() const {
  std::shared_ptr<PhaseLog> log = factory_->PhaseLogOf(id_);
  if (!log) return {};
  cask::Phases marks;
  {
    std::lock_guard lock(log->mutex);
    marks = log->marks;
  }
  if (!marks.empty() && marks.back().name == "destroyed") {
    std::lock_guard lock(factory_->mutex);
    if (auto it = factory_->phase_logs.find(id_); it != factory_->phase_logs.end() && it->second == log) {
      factory_->phase_logs.erase(it);
    }
  }
  return marks;
}

void Container::Start() {
  const std::string context = Quoted("start", id_);
  std::shared_ptr<PhaseLog> phases = factory_->PhaseLogOf(id_);
  Mark(phases, "start");
  // Under the state's lock: of two Starts racing, the second finds it running, never
  // both a reader of the fifo (the one without the byte said "init exited").
  unique_fd lock = factory_->LockState(id_);
  cask::State state = factory_->CurrentState(id_);
  if (state.status != Status::kCreated) {
    throw Error(Errc::kBadState, context + ": the container is " + StatusName(state.status) +
                                     ", not created");
  }
  // The pidfd first: once the fifo has a reader, the payload may run and exit at once.
  unique_fd pidfd = OpenInit(state);
  if (!pidfd) throw Error(Errc::kBadState, context + ": init has exited");
  factory_->Release(id_, pidfd.get(), std::move(lock), context);
  Mark(phases, "released");
  if (phases) MarkExec(*factory_, *phases, context);
  factory_->Poststart(id_, config_, state.init_pid, context);
}

void FactoryImpl::Release(const std::string& id, int pidfd, unique_fd lock, const std::string& context) const {
  const std::string fifo_path = StateDir(id) + "/exec.fifo";
  unique_fd reader(open(fifo_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!reader) throw Error(errno, context + ": open exec fifo");
  CrashPoint("start:fifo-open");
  // Init writes one byte once it sees a reader; its death ends the wait too.
  pollfd fds[2] = {{reader.get(), POLLIN, 0}, {pidfd, POLLIN, 0}};
  while (poll(fds, 2, -1) < 0) {
    if (errno != EINTR) throw Error(errno, context + ": wait for init");
  }
  char byte;
  if (read(reader.get(), &byte, 1) != 1) throw Error(Errc::kInitFailed, context + ": init exited at the barrier");
  CrashPoint("start:released");
  // No state write: with the fifo gone and init alive, CurrentState reads running.
  unlink(fifo_path.c_str());
  lock.reset();  // held till here: a Start racing this one then finds it running
}

void FactoryImpl::Poststart(const std::string& id, const Config& config, pid_t init_pid,
                            const std::string& context) const {
  // As OCI says: the payload runs already, so a failing poststart hook is logged and
  // the start stands (as a failing poststop hook is, in Destroy).
  RunHooksWarning(config.hooks.poststart, HookState(id, "running", init_pid, config), "poststart",
                  [&](const std::string& warning) { Log(context + ": " + warning); });
}

void Container::Exec(Process& process) {
  const std::string context = Quoted("exec in", id_);
  ValidateProcess(process, "process");
  if (process.args.empty()) throw ConfigError("process.args", "no command to run");
  cask::State state = factory_->CurrentState(id_);
  if (state.status != Status::kRunning && state.status != Status::kCreated) {
    throw Error(Errc::kBadState, context + ": the container is " + StatusName(state.status));
  }
  LaunchRequest request;
  request.context = context;
  request.bootstrap.mode = Bootstrap::Mode::kExec;
  request.bootstrap.id = id_;
  request.bootstrap.config = state.config;
  request.bootstrap.process = process;
  for (const auto& ns : state.config.namespaces) {
    request.bootstrap.join.push_back({ns.type, state.namespace_paths.at(std::string(NamespaceName(ns.type)))});
  }
  std::stable_partition(request.bootstrap.join.begin(), request.bootstrap.join.end(),
                        [](const Namespace& ns) { return ns.type == NamespaceType::kUser; });
  request.bootstrap.fork = state.config.HasNamespace(NamespaceType::kPid);
  auto cgroup = cgroup::Manager::Load(state.cgroup_paths);
  request.cgroup_fd = cgroup->BirthFd();
  request.setup = [&](pid_t pid) {
    CrashPoint("exec:spawned");
    if (!request.cgroup_fd) cgroup->Apply(pid);  // else it was born there
  };
  factory_->Track(id_, Launch(*factory_, request, process));
}

void Container::Signal(int signal, bool all) {
  const std::string context = Quoted("signal", id_);
  cask::State state = factory_->CurrentState(id_);
  if (state.status == Status::kStopped) throw Error(Errc::kBadState, context + ": the container is stopped");
  if (all) {
    for (pid_t pid : Processes()) {
      if (kill(pid, signal) != 0 && errno != ESRCH) throw Error(errno, fmt::format("{}: kill {}", context, pid));
    }
  } else {
    unique_fd pidfd = OpenInit(state);
    if (!pidfd) throw Error(Errc::kBadState, context + ": init has exited");
    if (syscall(SYS_pidfd_send_signal, pidfd.get(), signal, nullptr, 0) != 0) {
      throw Error(errno, context + ": signal init");
    }
  }
  // A task frozen by the v1 freezer dies of SIGKILL only once thawed: a killed paused
  // container would stay paused, its processes alive (runc thaws too).
  if (signal == SIGKILL && state.status == Status::kPaused) {
    try {
      Resume();
    } catch (const Error& e) {
      if (e.code() != Errc::kBadState) throw;  // resumed, or gone, meanwhile
    }
  }
}

std::vector<pid_t> Container::Processes() const {
  cask::State state = factory_->ReadState(id_);
  return cgroup::Manager::Load(state.cgroup_paths)->Pids();
}

ScopedContainer::~ScopedContainer() {
  try {
    container_.Destroy();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cask: destroy '%s': %s\n", container_.Id().c_str(), e.what());
  }
}

}  // namespace cask
