// Factory::RunToCompletion: a throwaway container run under limits, watched with one
// poll over init's pidfd, its output pipes and timers, and reported.
#include "host/run_watch.hpp"

#include <cask/factory.hpp>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <fmt/format.h>
#include <thread>

#include "cgroup/manager.hpp"
#include "host/factory_impl.hpp"

namespace cask {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

void SetRlimit(std::vector<Rlimit>& rlimits, const Rlimit& limit) {
  std::erase_if(rlimits, [&](const Rlimit& r) { return r.type == limit.type; });
  rlimits.push_back(limit);
}

// The config and process with the run's limits in them.
void ApplyLimits(const RunLimits& limits, Config& config, ProcessConfig& process) {
  LimitResources(limits, config.cgroup.resources);
  if (limits.file_size) {
    const Rlimit fsize{"RLIMIT_FSIZE", *limits.file_size, *limits.file_size};
    SetRlimit(config.rlimits, fsize);
    if (process.rlimits) SetRlimit(*process.rlimits, fsize);
  }
}

unique_fd Timer() {
  unique_fd fd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!fd) throw Error(errno, "run: timerfd_create");
  return fd;
}

void Arm(int timer, nanoseconds after) {
  after = std::max(after, nanoseconds(1));  // zero would disarm it
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(after.count() / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(after.count() % 1'000'000'000);
  if (timerfd_settime(timer, 0, &spec, nullptr) != 0) throw Error(errno, "run: timerfd_settime");
}

// One captured stream: what is kept of it, up to `limit` bytes.
struct Capture {
  int fd;
  std::string& text;
  bool& truncated;
  uint64_t limit;
  bool open = true;

  // Reads what is there; false once the stream is past its limit.
  bool Read() {
    char buffer[65536];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) {
      open = false;
      return true;
    }
    const uint64_t room = limit - std::min<uint64_t>(limit, text.size());
    text.append(buffer, std::min<uint64_t>(room, static_cast<uint64_t>(n)));
    if (static_cast<uint64_t>(n) > room) truncated = true;
    return !truncated;
  }
};

}  // namespace

std::string RandomId(const char* stem) {
  uint64_t random = 0;
  if (getrandom(&random, sizeof random, 0) != sizeof random) throw Error(errno, "getrandom");
  return fmt::format("{}-{:016x}", stem, random);
}

void LimitResources(const RunLimits& limits, Resources& resources) {
  if (limits.memory) {
    auto& memory = resources.memory ? *resources.memory : resources.memory.emplace();
    memory.limit = *limits.memory;
    if (!memory.swap) memory.swap = *limits.memory;  // memory+swap: no swap to escape to
  }
  if (limits.pids) resources.pids = PidsResources{*limits.pids};
}

unique_fd InputFile(const std::string& input) {
  unique_fd fd(memfd_create("cask-run-input", MFD_CLOEXEC));
  if (!fd) throw Error(errno, "run: memfd_create");
  for (size_t done = 0; done < input.size();) {
    ssize_t n = write(fd.get(), input.data() + done, input.size() - done);
    if (n < 0) throw Error(errno, "run: write the input");
    done += static_cast<size_t>(n);
  }
  if (lseek(fd.get(), 0, SEEK_SET) != 0) throw Error(errno, "run: seek the input");
  return fd;
}

RunReport SetupFailed(const Error& e, const char* stage) {
  RunReport report;
  report.status = RunReport::Status::kSetupFailed;
  const bool config = e.code() == Errc::kConfig;
  report.setup_step = !e.step().empty() ? e.step() : config ? "config" : stage;
  report.error = e.what();
  return report;
}

RunReport Factory::RunToCompletion(const Config& config, const ProcessConfig& process_config,
                                   const RunLimits& limits, const std::string& input) {
  Config limited = config;
  Process process(process_config);
  ApplyLimits(limits, limited, process);
  unique_fd input_file = InputFile(input);
  process.in = Stdio::Fd(input_file.get());
  process.out = Stdio::Pipe();
  process.err = Stdio::Pipe();
  const std::string id = RandomId("run");
  std::optional<Container> created;
  try {
    created = impl_->Create(id, limited, process);
  } catch (const Error& e) {
    return SetupFailed(e, "create");
  }
  ScopedContainer container(*created);  // destroyed on every way out, whatever ran in it
  const auto cgroup = cgroup::Manager::Load(container->State().cgroup_paths);
  const Clock::time_point start = Clock::now();
  try {
    container->Start();
  } catch (const Error& e) {
    return SetupFailed(e, "start");
  }
  input_file.reset();
  const Namespace* pid_namespace = limited.FindNamespace(NamespaceType::kPid);
  return WatchRun(process, *cgroup, limits, pid_namespace != nullptr && pid_namespace->path.empty(), start);
}

RunReport WatchRun(Process& process, cgroup::Manager& cgroup, const RunLimits& limits,
                   bool own_pid_namespace, std::chrono::steady_clock::time_point start) {
  using Status = RunReport::Status;
  unique_fd init(static_cast<int>(syscall(SYS_pidfd_open, process.Pid(), 0)));
  if (!init) throw Error(errno, "run: pidfd_open of init");

  RunReport report;
  std::optional<Status> reason;  // the limit that ended the run, the first one
  unique_fd wall = Timer(), cpu = Timer(), kill_timer = Timer();
  if (limits.wall_time) Arm(wall.get(), *limits.wall_time);
  // The cgroup's usage grows at most `cpus` times as fast as the clock: the timer fires
  // when the budget left could first be spent, and is re-armed from what is left then.
  const int cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto arm_cpu = [&](nanoseconds left) { Arm(cpu.get(), std::max<nanoseconds>(left / cpus, milliseconds(10))); };
  if (limits.cpu_time) arm_cpu(*limits.cpu_time);
  auto end_with = [&](Status why, bool graceful) {
    if (reason) return;
    reason = why;
    if (!graceful) return cgroup.KillAll();
    for (pid_t pid : cgroup.Pids()) kill(pid, SIGTERM);
    Arm(kill_timer.get(), limits.grace);
  };
  const uint64_t output_limit = limits.output.value_or(UINT64_MAX);
  Capture out{process.OutPipe(), report.out, report.out_truncated, output_limit};
  Capture err{process.ErrPipe(), report.err, report.err_truncated, output_limit};

  bool init_running = true;
  while (init_running || out.open || err.open) {
    pollfd fds[] = {{init_running ? init.get() : -1, POLLIN, 0}, {out.open ? out.fd : -1, POLLIN, 0},
                    {err.open ? err.fd : -1, POLLIN, 0},      {wall.get(), POLLIN, 0},
                    {cpu.get(), POLLIN, 0},                    {kill_timer.get(), POLLIN, 0}};
    if (poll(fds, std::size(fds), -1) < 0) {
      if (errno == EINTR) continue;
      throw Error(errno, "run: poll");
    }
    uint64_t expirations;
    auto fired = [&](int i) { return fds[i].revents != 0 && read(fds[i].fd, &expirations, sizeof expirations) > 0; };
    if (fds[0].revents != 0) {
      init_running = false;
      report.wall_time = Clock::now() - start;
      // What outlives init holds the pipes; where init began a pid namespace of its own,
      // the kernel has ended it all.
      if (!own_pid_namespace) cgroup.KillAll();
    }
    for (auto [i, capture] : {std::pair{1, &out}, std::pair{2, &err}}) {
      if (fds[i].revents != 0 && !capture->Read()) end_with(Status::kOutputLimit, false);
    }
    if (fired(3)) end_with(Status::kWallTimeLimit, true);
    if (fired(4)) {
      auto used = nanoseconds(cgroup.GetUsage().cpu.value_or(CpuStats{}).usage_total_ns.value_or(0));
      if (used >= *limits.cpu_time) {
        end_with(Status::kCpuTimeLimit, true);
      } else {
        arm_cpu(*limits.cpu_time - used);
      }
    }
    if (fired(5)) cgroup.KillAll();
  }
  report.exit = process.Wait();

  // Everything has ended; the cgroup still holds the accounting.
  const cask::Stats stats = cgroup.GetUsage();
  if (stats.cpu) {
    report.cpu_user_ns = stats.cpu->usage_user_ns;
    report.cpu_system_ns = stats.cpu->usage_system_ns;
  }
  if (stats.memory) report.memory_peak = stats.memory->max_usage;
  if (stats.pids) report.pids_peak = stats.pids->peak;
  try {
    report.oom_kills = cgroup.OomKillCount();
  } catch (const Error&) {
    // no memory controller: no OOM kills to count
  }
  if (reason) {
    report.status = *reason;
  } else if (report.exit.signal == SIGKILL && report.oom_kills > 0) {
    report.status = Status::kOutOfMemory;
  } else {
    report.status = report.exit.Signaled() ? Status::kSignaled : Status::kExited;
  }
  return report;
}

}  // namespace cask
