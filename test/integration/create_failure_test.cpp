// Create's failure paths: every host-side step that fails makes Create return its error
// and leave nothing, and a host killed in the middle leaves a container that List shows
// and Destroy removes.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "eventually.hpp"
#include "harness.hpp"
#include "leftovers.hpp"
#include "subreaper.hpp"

using cask::unique_fd;
using cask::test::ErrorWithin;
using cask::test::Harness;
using cask::test::ReadFile;
using cask::test::NetnsHolder;
using cask::test::NewId;
using namespace std::chrono_literals;

TEST_CASE("a failing hook of the host's part of Create is its error, at once, and leaves nothing", "[lifecycle][hooks]") {
  Harness h;
  REQUIRE(h.Run(h.BaseConfig()).status.code == 0);  // the Factory's sealed seccomp fd
  auto before = cask::test::TakeSnapshot();
  const auto fails_with = [&](const cask::Config& config, const std::string& message) {
    const std::string id = NewId("hookfail");
    std::optional<std::string> error = ErrorWithin(20s, [&] { h.factory().Create(id, config); });
    REQUIRE(error.has_value());  // Create returned instead of hanging
    CHECK_THAT(*error, Catch::StartsWith("create '" + id + "': ") && Catch::Contains(message));
    CHECK_FALSE(std::filesystem::exists(h.state_root() + "/" + id));
  };
  cask::Config create_runtime = h.BaseConfig();
  create_runtime.hooks.create_runtime.push_back({"/bin/false", {}, {}, {}});
  fails_with(create_runtime, "create_runtime hook 0: /bin/false exited with status 1");

  cask::Config prestart = h.BaseConfig();
  prestart.hooks.prestart.push_back({"/bin/sh", {"sh", "-c", "kill -9 $$"}, {}, {}});
  fails_with(prestart, "prestart hook 0: /bin/sh was killed by signal 9");

  cask::Config slow = h.BaseConfig();
  slow.hooks.create_runtime.push_back({"/bin/sleep", {"sleep", "30"}, {}, 1});
  fails_with(slow, "create_runtime hook 0: /bin/sleep ran past its timeout of 1s");

  // What a failing hook wrote is in the error, as runc gives it.
  cask::Config chatty = h.BaseConfig();
  chatty.hooks.create_runtime.push_back({"/bin/sh", {"sh", "-c", "echo to-out; echo to-err >&2; exit 3"}, {}, {}});
  fails_with(chatty, "create_runtime hook 0: /bin/sh exited with status 3, stdout: to-out, stderr: to-err");

  CHECK(h.factory().List().empty());
  CHECK(cask::test::Leftovers(before).empty());
}

TEST_CASE("a veth whose host name is taken fails Create at once and keeps the link that was there", "[lifecycle][network]") {
  Harness h;
  NetnsHolder holder;
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  cask::Network veth;
  veth.type = "veth";
  veth.name = "eth0";
  veth.host_name = "cask-t" + std::to_string(getpid() % 100000);
  veth.host_netns = holder.Path();
  config.networks.push_back(veth);
  cask::ScopedContainer first(h.factory().Create(NewId("veth"), config));

  const std::string id = NewId("clash");
  std::optional<std::string> error = ErrorWithin(20s, [&] { h.factory().Create(id, config); });
  REQUIRE(error.has_value());
  CHECK_THAT(*error, Catch::StartsWith("create '" + id + "': network eth0: create veth " + veth.host_name) &&
                         Catch::Contains("File exists"));
  CHECK_FALSE(std::filesystem::exists(h.state_root() + "/" + id));
  CHECK(h.factory().List() == std::vector<std::string>{first->Id()});
  // The first container's host end is still there.
  const std::string ip = "nsenter --net=" + holder.Path() + " ip link show " + veth.host_name + " >/dev/null 2>&1";
  CHECK(std::system(ip.c_str()) == 0);
}

TEST_CASE("a host killed in the middle of Create leaves a container that List shows and Destroy removes", "[lifecycle]") {
  Harness h;
  const std::string id = NewId("stranded");
  const std::string mark = h.state_root() + "/hook-" + id;
  cask::Config config = h.BaseConfig();
  // The create_runtime hook runs in the host once init is in its cgroups and before the
  // state says "created": it records the state it was given and its pid, then holds the
  // host there while the test kills it.
  config.hooks.create_runtime.push_back(
      {"/bin/sh", {"sh", "-c", "cat > " + mark + ".json; echo $$ > " + mark + ".tmp; mv " + mark + ".tmp " + mark + "; exec sleep 60"}, {}, {}});
  int err[2];
  REQUIRE(pipe2(err, O_CLOEXEC) == 0);
  ScopedSubreaper subreaper;  // the hook and init are adopted by the test when the host dies
  pid_t host = fork();
  REQUIRE(host >= 0);
  if (host == 0) {
    dup2(err[1], 2);  // init's stderr: what it says when its host is gone
    auto factory = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
    factory.Create(id, config);
    _exit(0);
  }
  close(err[1]);
  REQUIRE(cask::test::Eventually([&] { return std::filesystem::exists(mark); }));
  const pid_t hook = std::stoi(ReadFile(mark));
  const pid_t init = nlohmann::json::parse(ReadFile(mark + ".json")).at("pid").get<pid_t>();
  // Once the hook is sleep, its shell has reaped mv, which would otherwise be the
  // test's zombie after the kill below.
  REQUIRE(cask::test::Eventually([&] { return ReadFile("/proc/" + std::to_string(hook) + "/comm") == "sleep\n"; }));
  REQUIRE(kill(host, SIGKILL) == 0);
  REQUIRE(waitpid(host, nullptr, 0) == host);
  REQUIRE(kill(hook, SIGKILL) == 0);
  REQUIRE(waitpid(hook, nullptr, 0) == hook);
  // Init hears its host go and exits quietly.
  int init_status = 0;
  REQUIRE(waitpid(init, &init_status, 0) == init);
  CHECK(WIFEXITED(init_status));
  CHECK(cask::test::ReadAll(err[0]) == "");
  close(err[0]);

  REQUIRE(h.factory().List() == std::vector<std::string>{id});
  cask::Container container = h.factory().Load(id);
  CHECK(container.Status() == cask::Status::kCreating);
  const auto cgroups = container.State().cgroup_paths;
  REQUIRE_FALSE(cgroups.empty());
  for (const auto& [hierarchy, dir] : cgroups) CHECK(std::filesystem::exists(dir));
  container.Destroy();
  CHECK(h.factory().List().empty());
  CHECK_FALSE(std::filesystem::exists(h.state_root() + "/" + id));
  for (const auto& [hierarchy, dir] : cgroups) CHECK_FALSE(std::filesystem::exists(dir));
  // The id is free again.
  cask::Config plain = h.BaseConfig();
  cask::Process process(plain.process);
  process.args = {"/probe", "exit", "0"};
  cask::ScopedContainer again(h.factory().Run(id, plain, process));
  CHECK(process.Wait().code == 0);
}

TEST_CASE("a state directory that a dead host left before it wrote the state is listed and destroyed", "[lifecycle]") {
  Harness h;
  const std::string id = NewId("bare");
  const std::string dir = h.state_root() + "/" + id;
  // What a host killed between Create's mkdir and its first state write leaves.
  REQUIRE(mkdir(dir.c_str(), 0711) == 0);
  {
    // While a Create holds its lock, the directory is its own: not listed.
    unique_fd lock(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(flock(lock.get(), LOCK_EX) == 0);
    CHECK(h.factory().List().empty());
  }
  REQUIRE(h.factory().List() == std::vector<std::string>{id});
  cask::Container container = h.factory().Load(id);
  CHECK(container.Status() == cask::Status::kCreating);
  container.Destroy();
  CHECK(h.factory().List().empty());
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("an init that dies before the handshake fails Create with how it ended", "[lifecycle]") {
  Harness h;
  // What a missing shared library does to a dynamically linked init: it exits at once.
  auto factory = cask::Factory::New(h.state_root() + "/false-init", cask::InitArgs{"/bin/false", {}});
  const std::string id = NewId("noinit");
  std::optional<std::string> error = ErrorWithin(20s, [&] { factory.Create(id, h.BaseConfig()); });
  REQUIRE(error.has_value());
  CHECK_THAT(*error, Catch::StartsWith("create '" + id + "': init exited with status 1"));
  CHECK_FALSE(std::filesystem::exists(h.state_root() + "/false-init/" + id));
}

TEST_CASE("an init binary that cannot be read fails the first Create, not Factory::New", "[lifecycle]") {
  Harness h;
  // A Factory that only reads state (`cask state`, `nsinit list`) never copies init.
  const std::string root = h.state_root() + "/missing-init";
  auto factory = cask::Factory::New(root, cask::InitArgs{h.state_root() + "/no-such-init", {"init"}});
  CHECK(factory.List().empty());
  const std::string id = NewId("noinit");
  std::optional<std::string> error = ErrorWithin(20s, [&] { factory.Create(id, h.BaseConfig()); });
  REQUIRE(error.has_value());
  CHECK_THAT(*error, Catch::Contains("open init binary " + h.state_root() + "/no-such-init") &&
                         Catch::Contains("No such file or directory"));
  CHECK_FALSE(std::filesystem::exists(root + "/" + id));
  CHECK(factory.List().empty());
}
