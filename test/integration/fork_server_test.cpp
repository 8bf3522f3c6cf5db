// InitArgs::Spawn::kForkServer: the helper that clones each init, seen from outside.
// (The whole suite runs in both modes: CASK_INIT_SPAWN=exec is the other.)
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "eventually.hpp"
#include "harness.hpp"
#include "leftovers.hpp"
#include "subreaper.hpp"

using cask::test::Eventually;
using cask::test::Harness;
using cask::test::NewId;
using cask::test::ReadFile;

namespace {

cask::Factory ForkServerFactory(const Harness& h) {
  return cask::Factory::New(h.state_root(),
                            cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}, cask::InitArgs::Spawn::kForkServer});
}

// Whether `pid` is this process's child (zombie or not).
bool IsMyChild(pid_t pid) {
  for (const auto& child : cask::test::Children()) {
    if (child.pid == pid) return true;
  }
  return false;
}

// This process's living children named cask-forkserver.
std::set<pid_t> ForkServers() {
  std::set<pid_t> servers;
  for (const auto& child : cask::test::Children()) {
    if (child.comm == "cask-forkserver" && child.state != 'Z') servers.insert(child.pid);
  }
  return servers;
}

// The server that appeared since `before`: exactly one.
pid_t NewServer(const std::set<pid_t>& before) {
  std::set<pid_t> now = ForkServers();
  for (pid_t pid : before) now.erase(pid);
  REQUIRE(now.size() == 1);
  return *now.begin();
}

std::set<std::string> OpenFdsOf(pid_t pid) {
  std::set<std::string> fds;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    fds.insert(entry.path().filename());
  }
  return fds;
}

std::string LinkTarget(const std::string& path) { return std::filesystem::read_symlink(path).string(); }

cask::Process Sleeper(const cask::Config& config) {
  cask::Process process(config.process);
  process.args = {"/probe", "sleep", "60"};
  return process;
}

}  // namespace

TEST_CASE("the fork server: the inits' parent is the host, it stays outside, keeps no fd, ends with its Factory",
          "[fork-server]") {
  Harness h;
  const std::set<pid_t> before = ForkServers();
  pid_t server = -1;
  {
    cask::Factory factory = ForkServerFactory(h);
    cask::Config config = h.BaseConfig();
    cask::Process first = Sleeper(config);
    cask::ScopedContainer a(factory.Run(NewId("fs-a"), config, first));
    cask::Process second = Sleeper(config);
    cask::ScopedContainer b(factory.Run(NewId("fs-b"), config, second));
    server = NewServer(before);
    const std::string dir = "/proc/" + std::to_string(server);

    // Each init is this process's child (CLONE_PARENT), in its own namespaces.
    CHECK(IsMyChild(first.Pid()));
    CHECK(IsMyChild(second.Pid()));
    CHECK(LinkTarget("/proc/" + std::to_string(first.Pid()) + "/ns/pid") != LinkTarget("/proc/self/ns/pid"));
    // The server: the host's namespaces and cgroups; its socket and /dev/null only.
    for (const char* ns : {"mnt", "pid", "net", "ipc", "uts", "user", "cgroup"}) {
      INFO(ns);
      CHECK(LinkTarget(dir + "/ns/" + ns) == LinkTarget(std::string("/proc/self/ns/") + ns));
    }
    CHECK(ReadFile(dir + "/cgroup") == ReadFile("/proc/self/cgroup"));
    CHECK(OpenFdsOf(server) == std::set<std::string>{"0", "1", "2", "3"});
    CHECK(LinkTarget(dir + "/fd/0") == "/dev/null");
    // Its binary cannot be written through its /proc link (CVE-2019-5736), as an init's.
    CHECK(open((dir + "/exe").c_str(), O_WRONLY | O_CLOEXEC) < 0);

    // Signals and waits reach the inits as for spawned ones.
    b->Signal(SIGKILL);
    CHECK(second.Wait().signal == SIGKILL);
  }
  // The Factory is gone: its server ended and was reaped.
  CHECK(kill(server, 0) != 0);
  CHECK(errno == ESRCH);
}

TEST_CASE("a fork server that was killed is replaced at the next spawn", "[fork-server]") {
  Harness h;
  cask::Factory factory = ForkServerFactory(h);
  cask::Config config = h.BaseConfig();
  const std::set<pid_t> before = ForkServers();
  cask::Process first = Sleeper(config);
  cask::ScopedContainer a(factory.Run(NewId("fs-kill-a"), config, first));
  const pid_t server = NewServer(before);
  REQUIRE(kill(server, SIGKILL) == 0);
  // The running container does not depend on it.
  CHECK(a->Status() == cask::Status::kRunning);
  cask::Process second = Sleeper(config);
  cask::ScopedContainer b(factory.Run(NewId("fs-kill-b"), config, second));
  CHECK(b->Status() == cask::Status::kRunning);
  CHECK(kill(server, 0) != 0);  // the dead one was reaped
  const pid_t replacement = NewServer(before);
  CHECK(replacement != server);
}

TEST_CASE("a fork server ends with a host that dies, and a forked host starts its own", "[fork-server]") {
  Harness h;
  ScopedSubreaper subreaper;
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  const std::string id = NewId("fs-orphan");
  // A host that creates a container and exits without a word: its server is adopted
  // here (the subreaper) and must end by itself.
  int pipe_fds[2];
  REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
  const pid_t host = fork();
  REQUIRE(host >= 0);
  if (host == 0) {
    try {
      cask::Factory factory = ForkServerFactory(h);
      factory.Create(id, config);
      const std::set<pid_t> servers = ForkServers();
      const pid_t server = servers.size() == 1 ? *servers.begin() : -1;
      (void)!write(pipe_fds[1], &server, sizeof(server));
      _exit(0);
    } catch (...) {
      _exit(1);
    }
  }
  close(pipe_fds[1]);
  pid_t server = -1;
  REQUIRE(read(pipe_fds[0], &server, sizeof(server)) == sizeof(server));
  close(pipe_fds[0]);
  int status = 0;
  REQUIRE(waitpid(host, &status, 0) == host);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(server > 0);
  CHECK(Eventually([&] { return waitpid(server, nullptr, WNOHANG) == server; }));

  cask::Container container = h.factory().Load(id);
  CHECK(container.Status() == cask::Status::kCreated);
  const pid_t init = container.State().init_pid;
  container.Destroy();
  REQUIRE(waitpid(init, nullptr, 0) == init);  // adopted too

  // A copy of a host made by fork() does not use its parent's server: its inits are its
  // own children, which it waits for.
  cask::Factory parent = ForkServerFactory(h);
  cask::Process warm(config.process);
  warm.args = {"/bin/true"};
  cask::Container first = parent.Run(NewId("fs-parent"), config, warm);
  CHECK(warm.Wait().code == 0);
  first.Destroy();
  const pid_t copy = fork();
  REQUIRE(copy >= 0);
  if (copy == 0) {
    try {
      cask::Process process(config.process);
      process.args = {"/bin/sh", "-c", "exit 5"};
      cask::Container c = parent.Run(NewId("fs-copy"), config, process);
      const bool mine = IsMyChild(process.Pid());
      const int code = process.Wait().code;
      c.Destroy();
      _exit(mine && code == 5 ? 0 : 1);
    } catch (...) {
      _exit(2);
    }
  }
  REQUIRE(waitpid(copy, &status, 0) == copy);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // The parent's server still serves.
  cask::Process again(config.process);
  again.args = {"/bin/true"};
  cask::Container second = parent.Run(NewId("fs-parent"), config, again);
  CHECK(again.Wait().code == 0);
  second.Destroy();
}

TEST_CASE("an init from the fork server starts from the host's limits at its spawn, not the server's",
          "[fork-server]") {
  Harness h;
  cask::Factory factory = ForkServerFactory(h);
  cask::Config config = h.BaseConfig();
  config.rlimits.clear();  // inherited, as from an exec'd init
  auto nofile_inside = [&] {
    cask::Process process(config.process);
    process.out = cask::Stdio::Pipe();
    process.err = cask::Stdio::Pipe();
    cask::ScopedContainer c(factory.Run(NewId("fs-limits"), config, process));
    auto result = Harness::Collect(process);
    REQUIRE(result.status.code == 0);
    return result.Json().at("rlimits").at("RLIMIT_NOFILE").at("soft").get<int64_t>();
  };
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
  REQUIRE(saved.rlim_cur > 700);
  const int64_t started = nofile_inside();  // the server starts here
  CHECK(started == static_cast<int64_t>(saved.rlim_cur));
  rlimit lower{700, saved.rlim_max};
  REQUIRE(setrlimit(RLIMIT_NOFILE, &lower) == 0);
  const int64_t after = nofile_inside();
  REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
  CHECK(after == 700);
}
