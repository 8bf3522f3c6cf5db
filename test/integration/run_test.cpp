// Factory::RunToCompletion and Container::Stop: every status of a run produced for real
// and reported exactly, and nothing of a run left behind, whatever its payload did.
#include <catch2/catch.hpp>
#include <cask/run_json.hpp>
#include <dirent.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.hpp"

using cask::RunLimits;
using cask::RunReport;
using cask::test::Harness;
using namespace std::chrono_literals;

namespace {

double Seconds(std::chrono::nanoseconds ns) { return std::chrono::duration<double>(ns).count(); }

double CpuSeconds(const RunReport& r) {
  return static_cast<double>(r.cpu_user_ns.value_or(0) + r.cpu_system_ns.value_or(0)) / 1e9;
}

// The report, for the failure messages.
std::string Shown(const RunReport& r) { return cask::ToJson(r).dump(); }

// Pids of processes whose command line holds `word` (a marker argument of the test).
std::vector<pid_t> ProcessesWith(const std::string& word) {
  std::vector<pid_t> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(word) != std::string::npos) found.push_back(std::stoi(name));
  }
  return found;
}

cask::Config WithoutPidNamespace(cask::Config config) {
  std::erase_if(config.namespaces, [](const cask::Namespace& ns) { return ns.type == cask::NamespaceType::kPid; });
  return config;
}

RunReport RunWith(Harness& h, const cask::Config& config, std::vector<std::string> args, const RunLimits& limits,
                  const std::string& input = {}) {
  cask::ProcessConfig process = config.process;
  process.args = std::move(args);
  RunReport report = h.factory().RunToCompletion(config, process, limits, input);
  CHECK(h.factory().List().empty());
  return report;
}

}  // namespace

TEST_CASE("a run that exits reports its code, its times and its output", "[run]") {
  Harness h;
  RunReport r = RunWith(h, h.BaseConfig(), {"/bin/sh", "-c", "read line; echo got $line; echo oops >&2; exit 3"}, {},
                        "hello\n");
  CHECK(r.status == RunReport::Status::kExited);
  CHECK(r.exit.code == 3);
  CHECK(r.out == "got hello\n");
  CHECK(r.err == "oops\n");
  CHECK_FALSE(r.out_truncated);
  CHECK(r.wall_time > 0ns);
  CHECK(r.cpu_user_ns.has_value());
  CHECK(r.memory_peak.value_or(0) > 0u);
  CHECK(r.oom_kills == 0u);
  const auto json = cask::ToJson(r);
  CHECK(json["status"] == "exited");
  CHECK(json["exit_code"] == 3);
  CHECK(json["stdout"] == "got hello\n");
  CHECK_FALSE(json.contains("signal"));
}

TEST_CASE("a run killed by a signal reports the signal", "[run]") {
  Harness h;
  // Not as pid 1: a namespace's init is immune to its own SIGKILL.
  RunReport r = RunWith(h, WithoutPidNamespace(h.BaseConfig()), {"/bin/sh", "-c", "kill -9 $$"}, {});
  CHECK(r.status == RunReport::Status::kSignaled);
  CHECK(r.exit.signal == SIGKILL);
  CHECK(cask::ToJson(r)["signal"] == SIGKILL);
}

TEST_CASE("a memory hog under 32 MiB is out of memory, its peak near the limit", "[run]") {
  Harness h;
  RunLimits limits;
  limits.memory = 32 << 20;
  RunReport r = RunWith(h, h.BaseConfig(), {"/probe", "hog", "256"}, limits);
  CHECK(r.status == RunReport::Status::kOutOfMemory);
  CHECK(r.exit.signal == SIGKILL);
  CHECK(r.oom_kills >= 1u);
  CHECK(r.out.find("survived") == std::string::npos);
  REQUIRE(r.memory_peak);
  CHECK(*r.memory_peak > uint64_t{24 << 20});
  CHECK(*r.memory_peak <= uint64_t{33 << 20});
}

TEST_CASE("a busy loop under a 1 s cpu limit ends after 1 to 1.5 s of cpu", "[run]") {
  Harness h;
  RunLimits limits;
  limits.cpu_time = 1s;
  RunReport r = RunWith(h, h.BaseConfig(), {"/bin/sh", "-c", "trap 'exit 0' TERM; while :; do :; done"}, limits);
  CHECK(r.status == RunReport::Status::kCpuTimeLimit);
  // The limit is judged on the cgroup's total (cpuacct.usage, cpu.stat usage_usec); the
  // report's user and system times are counted apart and may lag it by a little (CI saw
  // 0.999925 s once), never by 10 ms.
  CHECK(CpuSeconds(r) >= 0.99);
  CHECK(CpuSeconds(r) <= 1.5);
  CHECK(cask::ToJson(r)["status"] == "cpu_time_limit");
}

TEST_CASE("a sleep under a 1 s wall limit ends within the grace", "[run]") {
  Harness h;
  RunLimits limits;
  limits.wall_time = 1s;
  limits.grace = 300ms;
  // As pid 1 with no handler, the probe ignores SIGTERM: SIGKILL ends it after the grace.
  RunReport r = RunWith(h, h.BaseConfig(), {"/probe", "sleep", "100"}, limits);
  CHECK(r.status == RunReport::Status::kWallTimeLimit);
  CHECK(r.exit.signal == SIGKILL);
  CHECK(Seconds(r.wall_time) >= 1.0);
  CHECK(Seconds(r.wall_time) <= 2.0);
}

TEST_CASE("yes under a 1 MiB output limit keeps exactly 1 MiB", "[run]") {
  Harness h;
  RunLimits limits;
  limits.output = 1 << 20;
  RunReport r = RunWith(h, h.BaseConfig(), {"/bin/yes"}, limits);
  CHECK(r.status == RunReport::Status::kOutputLimit);
  CHECK(r.out.size() == size_t{1} << 20);
  CHECK(r.out.substr(0, 4) == "y\ny\n");
  CHECK(r.out_truncated);
  CHECK_FALSE(r.err_truncated);
}

TEST_CASE("a file size limit stops a write past it", "[run]") {
  Harness h;
  RunLimits limits;
  limits.file_size = 4096;
  RunReport r = RunWith(h, h.BaseConfig(),
                        {"/bin/sh", "-c", "trap '' XFSZ; dd if=/dev/zero of=/dev/shm/f bs=1024 count=8 2>/dev/null; "
                                          "wc -c < /dev/shm/f"},
                        limits);
  INFO(Shown(r));
  CHECK(r.status == RunReport::Status::kExited);
  CHECK(r.out.find("4096") != std::string::npos);
}

TEST_CASE("fork bombs, detached daemons and payloads that ignore SIGTERM leave nothing", "[run]") {
  Harness h;
  RunLimits limits;
  limits.wall_time = 1s;
  limits.grace = 200ms;
  SECTION("a fork loop under a pids limit") {
    limits.pids = 20;
    RunReport r = RunWith(h, h.BaseConfig(), {"/bin/sh", "-c", "while :; do /probe sleep 1001 & done"}, limits);
    INFO(Shown(r));
    // busybox sh gives up at its first failed fork, its children still running.
    CHECK(r.status == RunReport::Status::kExited);
    CHECK(r.err.find("can't fork") != std::string::npos);
    CHECK(r.pids_peak.value_or(20) <= 20u);
    CHECK(ProcessesWith("1001").empty());
  }
  SECTION("a daemon that detaches, without a pid namespace to take it down") {
    RunReport r = RunWith(h, WithoutPidNamespace(h.BaseConfig()),
                          {"/bin/sh", "-c", "setsid /probe sleep 1002 </dev/null >/dev/null 2>&1 & exit 0"}, limits);
    CHECK(r.status == RunReport::Status::kExited);
    CHECK(ProcessesWith("1002").empty());
  }
  SECTION("a daemon that holds the output, in the pid namespace of another container") {
    // Its init is not the namespace's: the daemon outlives it, and only cask ends it.
    cask::Config owner_config = h.BaseConfig();
    cask::Process owner_init(owner_config.process);
    owner_init.args = {"/probe", "sleep", "1004"};
    cask::ScopedContainer owner(h.factory().Run("run-pid-namespace-owner", owner_config, owner_init));
    cask::Config joined = h.BaseConfig();
    for (auto& ns : joined.namespaces) {
      if (ns.type == cask::NamespaceType::kPid) ns.path = "/proc/" + std::to_string(owner_init.Pid()) + "/ns/pid";
    }
    cask::ProcessConfig daemon = joined.process;
    daemon.args = {"/bin/sh", "-c", "/probe sleep 1005 & exit 0"};
    RunReport r = h.factory().RunToCompletion(joined, daemon, limits);
    INFO(Shown(r));
    CHECK(r.status == RunReport::Status::kExited);
    CHECK(ProcessesWith("1005").empty());
    CHECK(h.factory().List().size() == 1);
  }
  SECTION("a payload that ignores SIGTERM, without a pid namespace") {
    RunReport r = RunWith(h, WithoutPidNamespace(h.BaseConfig()), {"/bin/sh", "-c", "trap '' TERM; /probe sleep 1003"},
                          limits);
    CHECK(r.status == RunReport::Status::kWallTimeLimit);
    CHECK(r.exit.signal == SIGKILL);
    CHECK(ProcessesWith("1003").empty());
  }
}

TEST_CASE("a run that cannot start reports setup failed with its step and leaves nothing", "[run]") {
  Harness h;
  RunReport missing = RunWith(h, h.BaseConfig(), {"/no/such/program"}, {});
  CHECK(missing.status == RunReport::Status::kSetupFailed);
  CHECK(missing.setup_step == "exec");
  CHECK(missing.error.find("/no/such/program") != std::string::npos);
  CHECK(cask::ToJson(missing)["status"] == "setup_failed");

  cask::Config bad = h.BaseConfig();
  bad.cgroup.resources.pids.emplace().limit = -5;
  RunReport invalid = RunWith(h, bad, {"/probe", "exit", "0"}, {});
  CHECK(invalid.status == RunReport::Status::kSetupFailed);
  CHECK(invalid.setup_step == "config");
  CHECK(invalid.error.find("cgroup.resources.pids.limit") != std::string::npos);
}

TEST_CASE("50 runs from 8 threads each report their own run and leave nothing", "[run]") {
  Harness h;
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 50; i += 8) {
        cask::ProcessConfig process = h.BaseConfig().process;
        process.args = {"/probe", "exit", std::to_string(i % 100)};
        RunReport r = h.factory().RunToCompletion(h.BaseConfig(), process, {});
        if (r.status == RunReport::Status::kExited && r.exit.code == i % 100) ++right;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(right == 50);
  CHECK(h.factory().List().empty());
}

TEST_CASE("Stop ends a payload that handles SIGTERM at once and kills one that ignores it after the grace",
          "[run][lifecycle]") {
  Harness h;
  auto start = [&](std::vector<std::string> args) {
    cask::Process process(h.BaseConfig().process);
    process.args = std::move(args);
    process.out = process.err = cask::Stdio::Null();
    return h.factory().Run(cask::test::NewId("stop"), h.BaseConfig(), process);
  };
  {
    cask::ScopedContainer c(start({"/bin/sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.05; done"}));
    std::this_thread::sleep_for(200ms);  // the trap is set
    const auto before = std::chrono::steady_clock::now();
    auto status = c->Stop(5s);
    CHECK(std::chrono::steady_clock::now() - before < 3s);
    REQUIRE(status);
    CHECK(status->code == 7);
    CHECK(c->Status() == cask::Status::kStopped);
  }
  {
    cask::ScopedContainer c(start({"/probe", "sleep", "100"}));  // pid 1: SIGTERM is ignored
    const auto before = std::chrono::steady_clock::now();
    auto status = c->Stop(300ms);
    CHECK(std::chrono::steady_clock::now() - before >= 300ms);
    REQUIRE(status);
    CHECK(status->signal == SIGKILL);
  }
  {
    cask::ScopedContainer c(start({"/bin/sh", "-c", "trap 'exit 8' TERM; while :; do sleep 0.05; done"}));
    std::this_thread::sleep_for(200ms);
    c->Pause();
    auto status = c->Stop(5s);
    REQUIRE(status);
    CHECK(status->code == 8);  // thawed, it ran its trap
    CHECK(c->Status() == cask::Status::kStopped);
  }
}
