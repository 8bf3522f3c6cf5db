// A host killed (SIGKILL) at each named crash point of Create, Start, Exec, Pause,
// Resume, Update and Destroy (lib/host/crash_point.hpp): Recover, then Load + Destroy
// of what it leaves, from another process, remove every process, cgroup, veth and file.
#include <catch2/catch.hpp>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <net/if.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

#include "cgroup/manager.hpp"
#include "eventually.hpp"
#include "harness.hpp"
#include "net/netns_thread.hpp"
#include "subreaper.hpp"

using cask::test::Harness;
using cask::test::NewId;

namespace {

// The operations a host does, in order, to reach the point's operation.
enum class Upto { kCreate, kStart, kExec, kPause, kResume, kUpdate, kDestroy };

// The container has a veth whose host end is `veth` in the namespace `netns`.
void Host(const Harness& h, const std::string& id, Upto upto, const std::string& veth, const std::string& netns) {
  auto factory = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  cask::Network network;
  network.type = "veth";
  network.name = "eth0";
  network.host_name = veth;
  network.host_netns = netns;
  config.networks.push_back(network);
  cask::Container container = factory.Create(id, config);
  if (upto == Upto::kCreate) return;
  container.Start();
  if (upto == Upto::kExec) {
    cask::Process exec;
    exec.args = {"/probe", "sleep", "60"};
    container.Exec(exec);
  } else if (upto == Upto::kPause || upto == Upto::kResume) {
    container.Pause();
    if (upto == Upto::kResume) container.Resume();
  } else if (upto == Upto::kUpdate) {
    cask::Resources resources;
    resources.pids.emplace().limit = 100;
    container.Update(resources);
  } else if (upto == Upto::kDestroy) {
    container.Destroy();
  }
}

}  // namespace

TEST_CASE("a host killed at any crash point leaves what Recover and Destroy remove", "[reliability][cgroup]") {
#ifndef CASK_CRASH_POINTS
  WARN("built without -Dcrash_points=true; skipped");
#else
  const auto [point, upto] = GENERATE(table<const char*, Upto>({
      {"create:state-dir", Upto::kCreate},
      {"create:recorded", Upto::kCreate},
      {"create:state-written", Upto::kCreate},
      {"create:cgroup", Upto::kCreate},
      {"create:spawned", Upto::kCreate},
      {"create:setting-up", Upto::kCreate},
      {"create:ready", Upto::kCreate},
      {"create:created", Upto::kCreate},
      {"start:fifo-open", Upto::kStart},
      {"start:released", Upto::kStart},
      {"exec:spawned", Upto::kExec},
      {"pause:frozen", Upto::kPause},
      {"resume:thawed", Upto::kResume},
      {"update:applied", Upto::kUpdate},
      {"destroy:killed", Upto::kDestroy},
      {"destroy:cgroups-removed", Upto::kDestroy},
      {"destroy:state-removed", Upto::kDestroy},
  }));
  INFO("killed at " << point);
  Harness h;
  const std::string id = NewId("crash");
  const auto cgroup_dirs = cask::cgroup::Manager::PathsFor("cask-" + id);
  std::optional<cask::test::NetnsHolder> holder(std::in_place);
  const std::string veth = "cask-k" + std::to_string(getpid() % 100000);
  ScopedSubreaper subreaper;  // the dead host's processes are adopted, and reaped, here
  pid_t host = fork();
  REQUIRE(host >= 0);
  if (host == 0) {
    setenv("CASK_CRASH_AT", point, 1);
    try {
      Host(h, id, upto, veth, holder->Path());
    } catch (...) {
      _exit(2);
    }
    _exit(0);  // the point was never reached
  }
  int status = 0;
  REQUIRE(waitpid(host, &status, 0) == host);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);

  h.factory().Recover();
  for (const std::string& left : h.factory().List()) h.factory().Load(left).Destroy();
  CHECK(h.factory().List().empty());
  CHECK_FALSE(std::filesystem::exists(h.state_root() + "/" + id));
  for (const auto& [hierarchy, dir] : cgroup_dirs) {
    INFO(hierarchy);
    CHECK_FALSE(std::filesystem::exists(dir));
  }
  bool veth_left = true;
  cask::net::RunInNetns(holder->Path(), [&] { veth_left = if_nametoindex(veth.c_str()) != 0; });
  CHECK_FALSE(veth_left);
  holder.reset();
  // Every process the host started is dead and reaped: this test has no child left.
  CHECK(cask::test::Eventually([] {
    while (waitpid(-1, nullptr, WNOHANG | __WALL) > 0) {
    }
    return errno == ECHILD;
  }));
#endif
}
