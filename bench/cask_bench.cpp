// cask's side of the benchmark, and a timer for the other runtimes' commands.
//
//   cask_bench ROOTFS STATE_ROOT RUNS PREFIX [run | phases | pool-phases | TAR]
//                                          the library rows, one "name min median" line
//                                          each; container ids (and cgroups) start with PREFIX;
//                                          with "run", the first row only (for profilers);
//                                          with "phases", Run, Wait, Destroy while the
//                                          Factory records phases: a line per mark, the
//                                          time since the mark before it; with
//                                          "pool-phases", the same of a warm Pool's runs
//                                          from their start;
//                                          with TAR, StreamIn and StreamOut of it too
//   cask_bench --time RUNS -- CMD...       times CMD (fork, exec, wait4): "min median
//                                          rss", rss the median of its max RSS in KiB
//
// Its containers' init is the library's default helper, cask-init (nsinit is its own).
#include <cask/cask.hpp>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

void Report(const char* name, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("%s %.2f %.2f\n", name, ms.front(), ms[ms.size() / 2]);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double Time(const std::function<void()>& body) {
  auto start = Clock::now();
  body();
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Each run starts with nothing dirty in the page cache: the stream rows write 200 MB a
// run, and the writeback of one row's files must not slow the row after it.
std::vector<double> Measure(int runs, const std::function<void(int)>& body) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    sync();
    ms.push_back(Time([&] { body(i); }));
  }
  return ms;
}

int TimeCommand(int runs, char** argv) {
  std::vector<double> rss_kib;
  std::vector<double> ms = Measure(runs, [&](int) {
           pid_t pid = fork();
           if (pid == 0) {
             int null = open("/dev/null", O_WRONLY);  // the table is ours
             dup2(null, STDOUT_FILENO);
             execvp(argv[0], argv);
             _exit(127);
           }
           int status = 0;
           rusage usage{};  // the command's own, and its reaped children's maximum
           wait4(pid, &status, 0, &usage);
           if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
             std::fprintf(stderr, "cask_bench: %s failed\n", argv[0]);
             std::exit(1);
           }
           rss_kib.push_back(static_cast<double>(usage.ru_maxrss));
         });
  std::sort(ms.begin(), ms.end());
  std::printf("%.2f %.2f %.0f\n", ms.front(), ms[ms.size() / 2], Median(rss_kib));
  return 0;
}

long MaxRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// A line's KiB from a /proc file of `pid`: VmRSS of status, Pss of smaps_rollup.
long KibOf(pid_t pid, const char* file, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
  }
  return -1;
}

// Waits until the pool's thread has made every container it keeps: a timed run then
// shares the machine with no create of the pool.
void WaitFull(const cask::Pool& pool, std::size_t size) {
  while (pool.Waiting() < size) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

cask::Process Payload(const cask::Config& config, std::vector<std::string> args) {
  cask::Process process(config.process);
  process.args = std::move(args);
  return process;
}

// Each phase's min and median over `runs` runs of /bin/true, in the order of the marks,
// from the mark `first` on; a mark missing from a run (none is, in these configs)
// leaves that run out of its row. `run` runs, waits for and destroys one container.
void ReportPhases(int runs, const std::string& first, const std::function<cask::Container(int)>& run) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> ms;
  std::vector<double> total;
  for (int i = 0; i < runs; ++i) {
    const cask::Phases all = run(i).Phases();
    const auto from = std::find_if(all.begin(), all.end(), [&](const cask::PhaseMark& m) { return m.name == first; });
    const cask::Phases phases(from, all.end());
    for (size_t m = 1; m < phases.size(); ++m) {
      const std::string& name = phases[m].name;
      if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
      ms[name].push_back(std::chrono::duration<double, std::milli>(phases[m].at - phases[m - 1].at).count());
    }
    total.push_back(std::chrono::duration<double, std::milli>(phases.back().at - phases.front().at).count());
  }
  for (const std::string& name : order) Report(("phase_" + name).c_str(), ms[name]);
  Report("phase_total", total);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 3 && std::string(argv[1]) == "--time" && std::string(argv[3]) == "--") {
    return TimeCommand(std::stoi(argv[2]), argv + 4);
  }
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: cask_bench ROOTFS STATE_ROOT RUNS PREFIX [run | TAR] | --time RUNS -- CMD...\n");
    return 2;
  }
  const int runs = std::stoi(argv[3]);
  const std::string prefix = argv[4];
  auto factory = cask::Factory::New(argv[2], cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
  cask::Config config = cask::DefaultConfig();  // pid, mnt, ipc, uts, net; runc's mounts
  config.root.path = argv[1];

  if (argc == 6 && std::string(argv[5]).ends_with("phases")) factory.RecordPhases(true);
  if (argc == 6 && std::string(argv[5]) == "phases") {
    ReportPhases(runs, "create", [&](int i) {
      cask::Process p = Payload(config, {"/bin/true"});
      cask::Container c = factory.Run(prefix + "phases-" + std::to_string(i), config, p);
      p.Wait();
      c.Destroy();
      return c;
    });
    return 0;
  }
  if (argc == 6 && std::string(argv[5]) == "pool-phases") {
    cask::Pool pool(factory, config, 1);
    ReportPhases(runs, "start", [&](int) {
      WaitFull(pool, 1);
      cask::Process p = Payload(config, {"/bin/true"});
      cask::Container c = pool.Run(p);
      p.Wait();
      c.Destroy();
      return c;
    });
    return 0;
  }
  // Run and RunToCompletion take turns, so that what drifts on the machine meanwhile
  // (page cache, writeback, the other core) weighs on both rows alike.
  const bool run_only = argc == 6 && std::string(argv[5]) == "run";
  std::vector<double> run, run_to_completion;
  for (int i = 0; i < runs; ++i) {
    run.push_back(Time([&] {
      cask::Process p = Payload(config, {"/bin/true"});
      cask::Container c = factory.Run(prefix + "run-" + std::to_string(i), config, p);
      p.Wait();
      c.Destroy();
    }));
    if (run_only) continue;
    run_to_completion.push_back(Time([&] {
      cask::RunReport report = factory.RunToCompletion(config, Payload(config, {"/bin/true"}), {});
      if (report.status != cask::RunReport::Status::kExited) std::exit(1);
    }));
  }
  Report("run", run);
  std::printf("run_host_max_rss_kib %ld %ld\n", MaxRssKib(), MaxRssKib());
  if (run_only) return 0;
  Report("run_to_completion", run_to_completion);

  // A warm pool of one: Run to the payload reaped (its container destroyed after, not
  // timed), and a whole RunToCompletion, its destroy included.
  {
    cask::Pool pool(factory, config, 1);
    std::vector<double> pooled, pooled_to_completion;
    for (int i = 0; i < runs; ++i) {
      WaitFull(pool, 1);
      cask::Process p = Payload(config, {"/bin/true"});
      std::optional<cask::Container> used;
      pooled.push_back(Time([&] {
        used = pool.Run(p);
        p.Wait();
      }));
      used->Destroy();
      WaitFull(pool, 1);
      pooled_to_completion.push_back(Time([&] {
        if (pool.RunToCompletion(Payload(config, {"/bin/true"}), {}).status != cask::RunReport::Status::kExited) {
          std::exit(1);
        }
      }));
    }
    Report("pool_run", pooled);
    Report("pool_run_to_completion", pooled_to_completion);
  }

  cask::Process sleeper = Payload(config, {"/bin/sleep", "600"});
  cask::ScopedContainer running(factory.Run(prefix + "running", config, sleeper));
  Report("exec", Measure(runs, [&](int) {
           cask::Process p = Payload(config, {"/bin/true"});
           running->Exec(p);
           p.Wait();
         }));
  if (argc == 6) {  // into a fresh directory of a writable root each time, as tar is timed
    cask::Config writable = config;
    writable.root.readonly = false;
    cask::Process idle = Payload(writable, {"/bin/sleep", "600"});
    cask::ScopedContainer target(factory.Run(prefix + "stream", writable, idle));
    const int stream_runs = std::min(runs, 10);  // as bench/run's tar rows: 200 MB each
    Report("stream_in", Measure(stream_runs, [&](int i) {
             cask::unique_fd tar(open(argv[5], O_RDONLY | O_CLOEXEC));
             target->StreamIn("/stream-" + std::to_string(i), tar.get());
           }));
    Report("stream_out", Measure(stream_runs, [&](int) {
             // Into a pipe, as tar's row writes to one: /dev/null would spare the copy.
             FILE* sink = popen("cat >/dev/null", "w");
             if (!sink) std::exit(1);
             target->StreamOut("/stream-0", fileno(sink));
             pclose(sink);
           }));
  }
  Report("stats", Measure(runs, [&](int) { running->Stats(); }));
  Report("processes", Measure(runs, [&](int) { running->Processes(); }));

  // A created container waits at the exec barrier: every process in its cgroup counts.
  cask::Process waiting = Payload(config, {"/bin/true"});
  cask::ScopedContainer created(factory.Create(prefix + "created", config, waiting));
  long created_kib = 0, created_pss_kib = 0;
  for (pid_t pid : created->Processes()) {
    created_kib += KibOf(pid, "status", "VmRSS:");
    created_pss_kib += KibOf(pid, "smaps_rollup", "Pss:");
  }
  std::printf("created_rss_kib %ld %ld\n", created_kib, created_kib);
  std::printf("created_pss_kib %ld %ld\n", created_pss_kib, created_pss_kib);

  // 50 at once from threads of one Factory, then destroyed at once.
  std::vector<double> up, down;
  for (int round = 0; round < std::max(1, runs / 10); ++round) {
    std::vector<cask::Container> many;
    std::vector<cask::Process> processes(50);
    std::mutex mutex;
    auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < 50; ++i) {
      threads.emplace_back([&, i] {
        processes[i] = Payload(config, {"/bin/sleep", "600"});
        cask::Container c = factory.Run(prefix + "many-" + std::to_string(i), config, processes[i]);
        std::lock_guard lock(mutex);
        many.push_back(c);
      });
    }
    for (auto& t : threads) t.join();
    up.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    start = Clock::now();
    threads.clear();
    for (auto& c : many) threads.emplace_back([&c] { c.Destroy(); });
    for (auto& t : threads) t.join();
    down.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  Report("parallel50_start", up);
  Report("parallel50_destroy", down);
  return 0;
}
