// Pool: containers created with Bootstrap::process_at_start, whose init keeps its socket
// past the barrier and takes the args, env, cwd and fds of its process from it at Start.
#include <cask/config_json.hpp>
#include <cask/pool.hpp>
#include <cask/validate.hpp>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "cgroup/manager.hpp"
#include "common/step_error.hpp"
#include "common/sync.hpp"
#include "host/factory_impl.hpp"
#include "host/launch.hpp"
#include "host/run_watch.hpp"

namespace cask {

// A created container, waiting at the barrier, and what its start needs.
struct WaitingContainer {
  Container container;
  std::shared_ptr<ChildRecord> init;
  unique_fd channel;  // init's socket, open until the payload's execve
  std::shared_ptr<cgroup::Manager> cgroup;
};

namespace {


// The first field of `process` other than args, env and cwd that is not the pool's.
void RequirePoolProcess(const ProcessConfig& process, const ProcessConfig& pool) {
  const nlohmann::json given = json_detail::Write(process);
  const nlohmann::json fixed = json_detail::Write(pool);
  nlohmann::json keys = given;
  keys.update(fixed);
  for (const auto& [key, unused] : keys.items()) {
    if (key == "args" || key == "env" || key == "cwd") continue;
    if (given.value(key, nlohmann::json()) != fixed.value(key, nlohmann::json())) {
      throw ConfigError("process." + key,
                        "differs from the pool's config.process (a run gives only args, env and cwd)");
    }
  }
}

bool Exited(const ChildRecord& init) {
  pollfd fd{init.pidfd.get(), POLLIN, 0};
  return poll(&fd, 1, 0) != 0;
}

}  // namespace

struct PoolImpl {
  std::shared_ptr<FactoryImpl> factory;
  Config config;
  std::size_t size;
  mutable std::mutex mutex;  // guards waiting, stopping and failed
  std::condition_variable wake;
  std::deque<WaitingContainer> waiting;
  bool stopping = false;
  bool failed = false;  // a background create failed: tried again after the next start
  std::thread refiller;

  WaitingContainer Make() const;
  WaitingContainer Take();
  // Wakes the refill, once a taken container's payload runs: a create meanwhile would
  // take the CPU from the start (two cores here).
  void Replace();
  void Refill();
  void Start(WaitingContainer& waiting, Process& process, const std::string& context) const;
};

WaitingContainer PoolImpl::Make() const {
  Process process(config.process);
  process.in = process.out = process.err = Stdio::Null();  // replaced at the start
  unique_fd channel;
  Container container = factory->Create(RandomId("pool"), config, process, &channel);
  try {
    std::shared_ptr<ChildRecord> init = ProcessAccess::Child(process);
    // Unreaped, init's pid is its own: the path names its namespace, or nothing where
    // init has ended already (its start then says why).
    const std::string mounts = "/proc/" + std::to_string(init->pid) + "/ns/mnt";
    unique_fd held(open(mounts.c_str(), O_RDONLY | O_CLOEXEC));
    if (!held && errno != ENOENT) throw Error(errno, "pool: open " + mounts);
    if (held) {
      std::lock_guard lock(factory->mutex);
      factory->held_mounts[container.Id()] = std::move(held);
    }
    std::shared_ptr<cgroup::Manager> cgroup = cgroup::Manager::Load(container.State().cgroup_paths);
    return WaitingContainer{container, std::move(init), std::move(channel), std::move(cgroup)};
  } catch (...) {
    container.Destroy();
    throw;
  }
}

WaitingContainer PoolImpl::Take() {
  for (;;) {
    std::optional<WaitingContainer> taken;
    {
      std::lock_guard lock(mutex);
      if (!waiting.empty()) {
        taken.emplace(std::move(waiting.front()));
        waiting.pop_front();
      }
    }
    if (!taken) return Make();
    if (!Exited(*taken->init)) return std::move(*taken);
    factory->Log("pool: " + taken->container.Id() + ": its init ended while it waited");
    taken->container.Destroy();
  }
}

void PoolImpl::Replace() {
  {
    std::lock_guard lock(mutex);
    failed = false;
  }
  wake.notify_all();
}

void PoolImpl::Refill() {
  std::unique_lock lock(mutex);
  for (;;) {
    wake.wait(lock, [&] { return stopping || (!failed && waiting.size() < size); });
    if (stopping) return;
    lock.unlock();
    std::optional<WaitingContainer> made;
    try {
      made.emplace(Make());
    } catch (const std::exception& e) {
      factory->Log(std::string("pool: ") + e.what());
    }
    lock.lock();
    if (made) {
      waiting.push_back(std::move(*made));
    } else {
      failed = true;
    }
  }
}

void PoolImpl::Start(WaitingContainer& w, Process& process, const std::string& context) const {
  const std::string& id = w.container.Id();
  std::shared_ptr<PhaseLog> phases = factory->PhaseLogOf(id);
  Mark(phases, "start");
  StreamEnds in = OpenStream(process.in, 0, context);
  StreamEnds out = OpenStream(process.out, 1, context);
  StreamEnds err = OpenStream(process.err, 2, context);
  std::vector<int> fds{in.child_fd, out.child_fd, err.child_fd};
  fds.insert(fds.end(), process.extra_fds.begin(), process.extra_fds.end());
  Channel channel(std::move(w.channel));
  // An init that failed at the barrier has said why before it exited: no wait here.
  const auto throw_what_init_said = [&] {
    std::optional<Message> said;
    try {
      said = channel.Receive();
    } catch (const StepError&) {
    }
    if (said && said->type == MessageType::kError) ThrowInitError(context, said->payload);
  };
  try {
    // Init reads it once past the fifo.
    channel.Send(MessageType::kStart, {{"args", process.args}, {"env", process.env}, {"cwd", process.cwd}}, fds);
  } catch (const StepError& e) {
    if (e.error() == EPIPE || e.error() == ECONNRESET) throw_what_init_said();
    throw Error(context + ": send the process to init", e);
  }
  try {
    factory->Release(id, w.init->pidfd.get(), factory->LockState(id), context);
  } catch (const Error& e) {
    if (e.code() == Errc::kInitFailed) throw_what_init_said();
    throw;
  }
  Mark(phases, "released");
  in.child.reset();
  out.child.reset();
  err.child.reset();
  // EOF: the payload's execve closed init's socket. An error: init could not start it.
  std::optional<Message> result;
  try {
    result = channel.Receive();
  } catch (const StepError&) {
    // a reset: init died before it could say why; Wait tells how
  }
  if (result && result->type == MessageType::kError) ThrowInitError(context, result->payload);
  Mark(phases, "exec");
  ProcessAccess::Attach(process, w.init);
  ProcessAccess::SetPipes(process, std::move(in.host), std::move(out.host), std::move(err.host));
  factory->Poststart(id, config, w.init->pid, context);
}

Pool::Pool(const Factory& factory, const Config& config, std::size_t size)
    : impl_(std::make_unique<PoolImpl>()) {
  if (size == 0) throw ConfigError("size", "a pool keeps at least one container");
  config.Validate();
  if (config.process.terminal) throw ConfigError("process.terminal", "a pool's containers have no terminal");
  impl_->factory = factory.impl_;
  impl_->config = config;
  impl_->size = size;
  impl_->waiting.push_back(impl_->Make());
  try {
    impl_->refiller = std::thread([impl = impl_.get()] { impl->Refill(); });
  } catch (...) {
    impl_->waiting.front().container.Destroy();
    throw;
  }
}

Pool::~Pool() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->refiller.join();
  for (WaitingContainer& w : impl_->waiting) {
    try {
      w.container.Destroy();
    } catch (const std::exception& e) {
      impl_->factory->Log(std::string("pool: destroy ") + w.container.Id() + ": " + e.what());
    }
  }
}

Container Pool::Run(Process& process) {
  ValidateProcess(process, "process");
  if (process.args.empty()) throw ConfigError("process.args", "no command to run");
  RequirePoolProcess(process, impl_->config.process);
  if (!process.console_socket.empty()) throw ConfigError("console_socket", "a pool's containers have no terminal");
  WaitingContainer w = impl_->Take();
  try {
    impl_->Start(w, process, Quoted("start", w.container.Id()));
  } catch (...) {
    impl_->Replace();
    w.container.Destroy();
    throw;
  }
  impl_->Replace();
  return w.container;
}

RunReport Pool::RunToCompletion(const ProcessConfig& process_config, const RunLimits& limits,
                                const std::string& input) {
  Process process(process_config);
  try {
    ValidateProcess(process, "process");
    if (process.args.empty()) throw ConfigError("process.args", "no command to run");
    RequirePoolProcess(process, impl_->config.process);
  } catch (const Error& e) {
    return SetupFailed(e, "config");
  }
  unique_fd input_file = InputFile(input);
  process.in = Stdio::Fd(input_file.get());
  process.out = Stdio::Pipe();
  process.err = Stdio::Pipe();
  std::optional<WaitingContainer> taken;
  try {
    taken.emplace(impl_->Take());
  } catch (const Error& e) {
    return SetupFailed(e, "create");
  }
  ScopedContainer container(taken->container);  // destroyed on every way out
  const std::string context = Quoted("start", container->Id());
  const auto start = std::chrono::steady_clock::now();
  try {
    if (limits.memory || limits.pids) {
      Resources resources = impl_->config.cgroup.resources;
      LimitResources(limits, resources);
      container->Update(resources);
    }
    if (limits.file_size) {
      const rlimit fsize{*limits.file_size, *limits.file_size};
      if (prlimit(taken->init->pid, RLIMIT_FSIZE, &fsize, nullptr) != 0) {
        throw Error(errno, context + ": set RLIMIT_FSIZE of init");
      }
    }
    impl_->Start(*taken, process, context);
  } catch (const Error& e) {
    impl_->Replace();
    return SetupFailed(e, "start");
  }
  impl_->Replace();
  input_file.reset();
  const Namespace* pid_namespace = impl_->config.FindNamespace(NamespaceType::kPid);
  return WatchRun(process, *taken->cgroup, limits, pid_namespace != nullptr && pid_namespace->path.empty(), start);
}

std::size_t Pool::Waiting() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->waiting.size();
}

}  // namespace cask
