// cask-churn: issue 19's churn as a command that prints its figures (JSON, one object).
//
//   cask-churn [--cycles N] [--nsinit-runs N] [--init PATH] [--nsinit PATH]
//
// In this one host process, N cycles of Create, Start, Exec, Stats, Pause, Resume and
// Destroy; then N runs of `nsinit exec`. It prints the host's fds, threads and RSS after
// the warm-up (the first 50 cycles, or half when fewer) and at the end, the median time
// of a cycle and of a run, and what was left on the machine. The exit status is 1 when
// a cycle failed, something was left, or the fds, threads or RSS (by 1 MiB) grew. Built
// with AddressSanitizer, RSS is not judged (its quarantine holds freed memory back), and
// LeakSanitizer's report at exit is the word on leaks.
#include <cask/cask.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "leftovers.hpp"
#include "rootfs.hpp"

namespace {

using Clock = std::chrono::steady_clock;

#ifdef __SANITIZE_ADDRESS__
constexpr bool kJudgeRss = false;
#else
constexpr bool kJudgeRss = true;
#endif

struct Usage {
  size_t fds = 0;
  long threads = 0;
  long rss_kib = 0;
};

long StatusField(const std::string& key) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}

Usage Measure() {
  Usage usage;
  for ([[maybe_unused]] const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) ++usage.fds;
  usage.threads = StatusField("Threads");
  usage.rss_kib = StatusField("VmRSS");
  return usage;
}

nlohmann::json ToJson(const Usage& usage) {
  return {{"fds", usage.fds}, {"threads", usage.threads}, {"rss_kib", usage.rss_kib}};
}

double MedianMs(std::vector<double> ms) {
  if (ms.empty()) return 0;
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

void Cycle(cask::Factory& factory, const cask::Config& config, const std::string& id) {
  cask::ScopedContainer container(factory.Create(id, config));
  container->Start();
  cask::Process exec;
  exec.args = {"/bin/true"};
  container->Exec(exec);
  if (exec.Wait().code != 0) throw std::runtime_error("exec in '" + id + "' failed");
  container->Stats();
  container->Pause();
  container->Resume();
}

// One `nsinit exec` of /bin/true in `rootfs`, to its end; its exit code.
int NsinitRun(const std::string& nsinit, const std::string& root, const std::string& rootfs, int n) {
  pid_t pid = fork();
  if (pid == 0) {
    const std::string id = "cask-churn-" + std::to_string(n);
    execl(nsinit.c_str(), nsinit.c_str(), "--root", root.c_str(), "exec", "--id", id.c_str(), "--rootfs",
          rootfs.c_str(), "/bin/true", nullptr);
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int main(int argc, char** argv) {
  int cycles = 100;
  int runs = 100;
  std::string init = CASK_INIT_BUILD_PATH;
  std::string nsinit = CASK_NSINIT_PATH;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--cycles") cycles = std::stoi(argv[i + 1]);
    else if (flag == "--nsinit-runs") runs = std::stoi(argv[i + 1]);
    else if (flag == "--init") init = argv[i + 1];
    else if (flag == "--nsinit") nsinit = argv[i + 1];
    else {
      std::cerr << "usage: cask-churn [--cycles N] [--nsinit-runs N] [--init PATH] [--nsinit PATH]\n";
      return 2;
    }
  }
  const auto snapshot = cask::test::TakeSnapshot();
  nlohmann::json report;
  std::string failure;
  {
    cask::test::Rootfs rootfs(false);
    const std::string root = rootfs.Path() + ".state";
    try {
      auto factory = cask::Factory::New(root, cask::InitArgs{init, {"init"}});
      cask::Config config = cask::DefaultConfig();
      config.root.path = rootfs.Path();
      config.process.args = {"/bin/sleep", "60"};
      const int warm_up = std::min(50, cycles / 2);
      Usage warm;
      std::vector<double> cycle_ms;
      for (int i = 0; i < cycles; ++i) {
        if (i == warm_up) warm = Measure();
        auto start = Clock::now();
        Cycle(factory, config, "cask-churn-" + std::to_string(i));
        cycle_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      }
      const Usage end = Measure();
      report["cycles"] = {{"count", cycles}, {"median_ms", MedianMs(cycle_ms)}, {"after_warm_up", ToJson(warm)},
                          {"end", ToJson(end)}};
      report["cycles"]["rss_judged"] = kJudgeRss;
      if (cycles > 0 && (end.fds != warm.fds || end.threads != warm.threads ||
                         (kJudgeRss && end.rss_kib - warm.rss_kib >= 1024))) {
        failure = "the host's fds, threads or RSS grew";
      }
      std::vector<double> run_ms;
      for (int i = 0; i < runs && failure.empty(); ++i) {
        auto start = Clock::now();
        if (int code = NsinitRun(nsinit, root, rootfs.Path(), i); code != 0) {
          failure = "nsinit exec run " + std::to_string(i) + " exited with " + std::to_string(code);
        }
        run_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      }
      report["nsinit_runs"] = {{"count", run_ms.size()}, {"median_ms", MedianMs(run_ms)}};
      if (!factory.List().empty()) failure = "containers are left in " + root;
    } catch (const std::exception& e) {
      failure = e.what();
    }
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  report["left"] = cask::test::Leftovers(snapshot);
  if (failure.empty() && !report["left"].empty()) failure = "something was left behind";
  report["failure"] = failure;
  std::cout << report.dump(2) << std::endl;
  return failure.empty() ? 0 : 1;
}
