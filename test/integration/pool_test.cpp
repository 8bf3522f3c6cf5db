// Pool: containers waiting at the barrier, each given its process at its start: what
// the payload sees from inside, what one run leaves for the next (nothing), the runs
// that fail, and the reports of RunToCompletion through a pool.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/mman.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include "eventually.hpp"
#include "harness.hpp"

using cask::test::Eventually;
using cask::test::Harness;
using cask::test::RunResult;

namespace {

// This process's fds that hold a mount namespace: the pool holds each of its containers'
// until their Destroy.
int HeldMountNamespaces() {
  int held = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    held += std::filesystem::read_symlink(entry.path(), ec).string().starts_with("mnt:[");
  }
  return held;
}

// A config whose /tmp is a tmpfs of its own container, so that a run may write there.
cask::Config PoolConfig(const Harness& h) {
  cask::Config config = h.BaseConfig();
  config.mounts.push_back({"tmpfs", "/tmp", "tmpfs", {"nosuid", "nodev", "size=1m"}});
  return config;
}

cask::Process Piped(const cask::Config& config, std::vector<std::string> args) {
  cask::Process process(config.process);
  process.args = std::move(args);
  process.out = cask::Stdio::Pipe();
  process.err = cask::Stdio::Pipe();
  return process;
}

// Runs `process` through the pool, collects its output and destroys its container.
RunResult RunIn(cask::Pool& pool, cask::Process& process) {
  cask::ScopedContainer container(pool.Run(process));
  RunResult result = Harness::Collect(process);
  result.status = process.Wait();
  return result;
}

std::string Sh(cask::Pool& pool, const cask::Config& config, const std::string& script) {
  cask::Process process = Piped(config, {"/bin/sh", "-c", script});
  RunResult result = RunIn(pool, process);
  INFO(result.err);
  CHECK(result.status.code == 0);
  return result.out;
}

}  // namespace

TEST_CASE("a pooled run gets the args, env, cwd and stdio given at its start, in a container of its own", "[pool]") {
  Harness h;
  const cask::Config config = PoolConfig(h);
  {
    cask::Pool pool(h.factory(), config, 2);
    CHECK(Eventually([&] { return pool.Waiting() == 2; }));
    CHECK(h.factory().List().size() == 2);
    std::set<std::string> pid_namespaces;
    for (const std::string cwd : {"/etc", "/home/alice"}) {
      cask::Process process = Piped(config, {"/probe"});
      process.env = {"PATH=/bin", "RUN_CWD=" + cwd};
      process.cwd = cwd;
      RunResult result = RunIn(pool, process);
      INFO(result.err);
      REQUIRE(result.status.code == 0);
      const auto probe = result.Json();
      CHECK(probe["pid"] == 1);
      CHECK(probe["cwd"] == cwd);
      CHECK(probe["env"] == nlohmann::json({"PATH=/bin", "RUN_CWD=" + cwd, "HOME=/root"}));
      // Only its stdio: not init's socket, not the copies it placed them from.
      std::vector<std::string> fds;
      for (const auto& [fd, target] : probe["fds"].items()) fds.push_back(fd);
      CHECK(fds == std::vector<std::string>{"0", "1", "2"});
      CHECK(probe["no_new_privs"] == true);
      CHECK(probe["seccomp"] == 2);
      pid_namespaces.insert(probe["namespaces"]["pid"].dump());
    }
    CHECK(pid_namespaces.size() == 2);
    // Each run's container was taken from the pool and destroyed; the pool refills.
    CHECK(Eventually([&] { return pool.Waiting() == 2 && h.factory().List().size() == 2; }));
    CHECK(HeldMountNamespaces() == 2);
  }
  CHECK(h.factory().List().empty());
  CHECK(HeldMountNamespaces() == 0);
}

TEST_CASE("a pooled run's stdin, extra fds and exit code are its own", "[pool]") {
  Harness h;
  const cask::Config config = PoolConfig(h);
  cask::Pool pool(h.factory(), config, 1);
  int extra[2];
  REQUIRE(pipe2(extra, O_CLOEXEC) == 0);
  cask::unique_fd extra_read(extra[0]), extra_write(extra[1]);
  REQUIRE(write(extra_write.get(), "from-fd-3\n", 10) == 10);
  extra_write.reset();
  cask::Process process = Piped(config, {"/bin/sh", "-c", "read a; read b <&3; echo \"$a $b\"; exit 7"});
  process.in = cask::Stdio::Pipe();
  process.extra_fds = {extra_read.get()};
  cask::ScopedContainer container(pool.Run(process));
  extra_read.reset();
  REQUIRE(write(process.InPipe(), "from-stdin\n", 11) == 11);
  process.CloseIn();
  RunResult result = Harness::Collect(process);
  CHECK(result.out == "from-stdin from-fd-3\n");
  CHECK(process.Wait().code == 7);
  CHECK(container->Status() == cask::Status::kStopped);
}

TEST_CASE("nothing of one pooled run is seen by the next: files, processes", "[pool]") {
  Harness h;
  const cask::Config config = PoolConfig(h);
  cask::Pool pool(h.factory(), config, 2);
  // The first leaves a file in its /tmp and a process behind; its container goes.
  {
    cask::Process process = Piped(config, {"/bin/sh", "-c", "echo secret > /tmp/left; sleep 1000 & echo started"});
    cask::ScopedContainer container(pool.Run(process));
    CHECK(Harness::Collect(process).out == "started\n");
  }
  CHECK(Sh(pool, config, "ls -A /tmp; ps -o pid,comm | grep -c sleep || true") == "0\n");
  CHECK(Sh(pool, config, "cat /tmp/left 2>&1 || echo gone") ==
        "cat: can't open '/tmp/left': No such file or directory\ngone\n");
}

TEST_CASE("a pooled run that cannot start is an error with init's step, and its container is gone", "[pool]") {
  Harness h;
  cask::Config config = PoolConfig(h);
  config.process.user = "1000:1000";
  config.no_new_privileges = false;  // the filter is loaded before the barrier: the start passes it
  cask::Pool pool(h.factory(), config, 1);
  CHECK(Eventually([&] { return pool.Waiting() == 1; }));
  {
    cask::Process process = Piped(config, {"/no/such/program"});
    CHECK_THROWS_WITH(pool.Run(process), Catch::Contains("exec: payload \"/no/such/program\": executable file not found"));
  }
  {
    cask::Process process = Piped(config, {"/probe"});
    process.cwd = "/no/such/dir";
    CHECK_THROWS_WITH(pool.Run(process), Catch::Contains("cwd") && Catch::Contains("/no/such/dir"));
  }
  {
    cask::Process process = Piped(config, {"/probe"});
    process.cwd = "/tmp";
    RunResult result = RunIn(pool, process);
    REQUIRE(result.status.code == 0);
    CHECK(result.Json()["uid"] == 1000);
    CHECK(result.Json()["seccomp"] == 2);
  }
  // Only the waiting container is left: the failed runs' went.
  CHECK(Eventually([&] { return h.factory().List().size() == 1 && pool.Waiting() == 1; }));
}

TEST_CASE("a pool refuses a process that differs from its config beyond args, env and cwd", "[pool]") {
  Harness h;
  const cask::Config config = PoolConfig(h);
  cask::Pool pool(h.factory(), config, 1);
  cask::Process other_user = Piped(config, {"/probe"});
  other_user.user = "1000";
  try {
    pool.Run(other_user);
    FAIL("ran as another user");
  } catch (const cask::ConfigError& e) {
    CHECK(e.path() == "process.user");
  }
  cask::Process capabilities = Piped(config, {"/probe"});
  capabilities.capabilities = cask::Capabilities{};
  CHECK_THROWS_WITH(pool.Run(capabilities), Catch::StartsWith("process.capabilities: differs from the pool's"));
  cask::Process relative = Piped(config, {"/probe"});
  relative.cwd = "tmp";
  CHECK_THROWS_WITH(pool.Run(relative), Catch::StartsWith("process.cwd"));
  cask::Process nothing = Piped(config, {});
  CHECK_THROWS_WITH(pool.Run(nothing), Catch::StartsWith("process.args"));
  // The waiting container was not used up.
  CHECK(h.factory().List().size() == 1);
  cask::ProcessConfig refused = config.process;
  refused.args = {"/probe"};
  refused.umask = 077;
  const cask::RunReport report = pool.RunToCompletion(refused, {});
  CHECK(report.status == cask::RunReport::Status::kSetupFailed);
  CHECK(report.setup_step == "config");
  CHECK(report.error.starts_with("process.umask"));
}

TEST_CASE("a pool that cannot make a container throws at once and leaves nothing", "[pool]") {
  Harness h;
  cask::Config missing_root = PoolConfig(h);
  missing_root.root.path = h.rootfs().Path() + "/no-such-dir";
  CHECK_THROWS_WITH(cask::Pool(h.factory(), missing_root, 2), Catch::Contains("root.path"));
  cask::Config terminal = PoolConfig(h);
  terminal.process.terminal = true;
  try {
    cask::Pool pool(h.factory(), terminal, 2);
    FAIL("a pool with a terminal");
  } catch (const cask::ConfigError& e) {
    CHECK(e.path() == "process.terminal");
  }
  CHECK_THROWS_WITH(cask::Pool(h.factory(), PoolConfig(h), 0), Catch::StartsWith("size"));
  cask::Config bad_limit = PoolConfig(h);
  bad_limit.cgroup.resources.pids = cask::PidsResources{-5};
  CHECK_THROWS_AS(cask::Pool(h.factory(), bad_limit, 1), cask::ConfigError);
  CHECK(h.factory().List().empty());
}

TEST_CASE("a waiting container whose init was killed is replaced, not handed out", "[pool]") {
  Harness h;
  const cask::Config config = PoolConfig(h);
  cask::Pool pool(h.factory(), config, 1);
  const std::vector<std::string> ids = h.factory().List();
  REQUIRE(ids.size() == 1);
  cask::Container waiting = h.factory().Load(ids.front());
  REQUIRE(kill(waiting.State().init_pid, SIGKILL) == 0);
  CHECK(Eventually([&] { return waiting.Status() == cask::Status::kStopped; }));
  CHECK(Sh(pool, config, "echo fine") == "fine\n");
  CHECK(Eventually([&] {
    const auto now = h.factory().List();
    return now.size() == 1 && now.front() != ids.front();
  }));
}

TEST_CASE("RunToCompletion through a pool: output, code, and limits set at the start", "[pool]") {
  Harness h;
  const cask::Config config = PoolConfig(h);
  cask::Pool pool(h.factory(), config, 1);
  cask::ProcessConfig process = config.process;
  process.args = {"/bin/sh", "-c", "read line; echo got $line; echo oops >&2; exit 3"};
  cask::RunReport r = pool.RunToCompletion(process, {}, "hello\n");
  CHECK(r.status == cask::RunReport::Status::kExited);
  CHECK(r.exit.code == 3);
  CHECK(r.out == "got hello\n");
  CHECK(r.err == "oops\n");

  cask::RunLimits memory;
  memory.memory = 32 << 20;
  process.args = {"/probe", "hog", "256"};
  r = pool.RunToCompletion(process, memory);
  CHECK(r.status == cask::RunReport::Status::kOutOfMemory);
  CHECK(r.out.find("survived") == std::string::npos);

  cask::RunLimits file_size;
  file_size.file_size = 4096;
  process.args = {"/bin/sh", "-c", "trap '' XFSZ; head -c 10000 /dev/zero > /tmp/big; wc -c < /tmp/big"};
  r = pool.RunToCompletion(process, file_size);
  CHECK(r.out == "4096\n");

  cask::RunLimits wall;
  wall.wall_time = std::chrono::milliseconds(300);
  wall.grace = std::chrono::milliseconds(100);
  process.args = {"/probe", "sleep", "100"};
  r = pool.RunToCompletion(process, wall);
  CHECK(r.status == cask::RunReport::Status::kWallTimeLimit);

  process.args = {"/no/such/program"};
  r = pool.RunToCompletion(process, {});
  CHECK(r.status == cask::RunReport::Status::kSetupFailed);
  CHECK(r.setup_step == "exec");
  // A run's limits stay with its container: the next has none.
  process.args = {"/probe", "hog", "64"};
  r = pool.RunToCompletion(process, {});
  CHECK(r.out == "survived\n");
  CHECK(Eventually([&] { return h.factory().List().size() == 1; }));
}

TEST_CASE("a pool serves runs from many threads at once", "[pool]") {
  Harness h;
  const cask::Config config = PoolConfig(h);
  cask::Pool pool(h.factory(), config, 2);
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        cask::ProcessConfig process = config.process;
        const std::string word = "run-" + std::to_string(t) + "-" + std::to_string(i);
        process.args = {"/bin/sh", "-c", "echo $WORD > /tmp/w; cat /tmp/w"};
        process.env = {"WORD=" + word};
        if (pool.RunToCompletion(process, {}).out == word + "\n") ++right;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(right == 20);
}

TEST_CASE("a pooled container records its phases with the Factory's", "[pool][phases]") {
  Harness h;
  h.factory().RecordPhases(true);
  const cask::Config config = PoolConfig(h);
  cask::Pool pool(h.factory(), config, 1);
  cask::Process process = Piped(config, {"/bin/true"});
  cask::Container container = pool.Run(process);
  CHECK(process.Wait().code == 0);
  container.Destroy();
  std::vector<std::string> names;
  for (const auto& mark : container.Phases()) names.push_back(mark.name);
  const std::vector<std::string> tail(names.end() - std::min<size_t>(names.size(), 7), names.end());
  CHECK(tail == std::vector<std::string>{"created", "start", "released", "exec", "exit", "destroy", "destroyed"});
}

TEST_CASE("a pooled init that fails at the barrier says why, and a run destroyed elsewhere lets its mounts go",
          "[pool]") {
  Harness h;
  // No /proc: init cannot reopen the exec fifo, and says so.
  cask::Config no_proc = PoolConfig(h);
  std::erase_if(no_proc.mounts, [](const cask::Mount& m) { return m.destination == "/proc"; });
  {
    cask::Pool pool(h.factory(), no_proc, 1);
    cask::Process process = Piped(no_proc, {"/bin/true"});
    CHECK_THROWS_WITH(pool.Run(process), Catch::Contains("the container has no /proc"));
  }
  CHECK(h.factory().List().empty());

  const cask::Config config = PoolConfig(h);
  cask::Pool pool(h.factory(), config, 1);
  cask::Process process = Piped(config, {"/bin/true"});
  cask::Container container = pool.Run(process);
  CHECK(process.Wait().code == 0);
  CHECK(Eventually([&] { return HeldMountNamespaces() == 2; }));  // the run's and the waiting one's
  // Another Factory on the root destroys it; this one's Destroy then finds it gone.
  cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}}).Load(container.Id()).Destroy();
  container.Destroy();
  CHECK(HeldMountNamespaces() == 1);
}

TEST_CASE("a filter that kills madvise leaves a created container and a pooled one alone", "[pool][seccomp]") {
  Harness h;
  cask::Config config = PoolConfig(h);
  config.no_new_privileges = false;  // the filter goes on before the barrier
  for (auto& rule : config.seccomp->syscalls) std::erase(rule.names, "madvise");
  config.seccomp->syscalls.push_back({{"madvise"}, "SCMP_ACT_KILL_PROCESS", std::nullopt, {}});
  cask::Process plain = Piped(config, {"/bin/true"});
  cask::ScopedContainer created(h.factory().Run(cask::test::NewId("no-madvise"), config, plain));
  CHECK(plain.Wait().code == 0);
  cask::Pool pool(h.factory(), config, 1);
  cask::Process pooled = Piped(config, {"/bin/true"});
  cask::ScopedContainer taken(pool.Run(pooled));
  CHECK(pooled.Wait().code == 0);
}
