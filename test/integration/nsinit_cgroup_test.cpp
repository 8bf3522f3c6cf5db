// nsinit's commands on a running container's cgroups: stats, update, pause, resume,
// events.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "eventually.hpp"
#include "harness.hpp"

using cask::test::Nsinit;
using cask::test::Trimmed;

namespace {

// `nsinit exec` of `args` in the background, as a person would leave it running.
pid_t StartExec(const std::string& root, const std::string& id, const std::string& rootfs,
                const std::vector<std::string>& args) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    std::vector<const char*> argv = {CASK_NSINIT_PATH, "--root", root.c_str(), "exec", "--id", id.c_str(),
                                     "--rootfs", rootfs.c_str(), "--"};
    for (const auto& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    execv(CASK_NSINIT_PATH, const_cast<char**>(argv.data()));
    _exit(127);
  }
  return pid;
}

}  // namespace

TEST_CASE("nsinit stats update pause resume and events on a running container", "[nsinit][cgroup]") {
  cask::test::Harness h;
  const std::string root = h.state_root() + "/nsinit";
  const std::string id = cask::test::NewId("nscg");
  pid_t exec = StartExec(root, id, h.rootfs().Path(), {"/probe", "count", "/dev/shm/count"});
  REQUIRE(cask::test::Eventually([&] {
    return Nsinit({"--root", root, "list"}).out.find("running") != std::string::npos;
  }));

  auto stats = Nsinit({"--root", root, "stats", id});
  REQUIRE(stats.code == 0);
  auto json = nlohmann::json::parse(stats.out);
  CHECK(json["pids"]["current"] == 1);
  CHECK(json["memory"]["usage"] > 0);
  CHECK(json["interfaces"][0]["name"] == "lo");

  REQUIRE(Nsinit({"--root", root, "update", id, "--memory", "64m", "--pids-limit", "7"}).code == 0);
  auto state = nlohmann::json::parse(Nsinit({"--root", root, "state", id}).out);
  const auto paths = state["cgroup_paths"].get<std::map<std::string, std::string>>();
  const bool v2 = cask::test::UnifiedHost();
  const std::string memory = cask::test::CgroupDir(paths, "memory");
  CHECK(Trimmed(memory + (v2 ? "/memory.max" : "/memory.limit_in_bytes")) == std::to_string(64 << 20));
  CHECK(Trimmed(cask::test::CgroupDir(paths, "pids") + "/pids.max") == "7");
  CHECK(state["config"]["cgroup"]["resources"]["pids"]["limit"] == 7);
  auto bad = Nsinit({"--root", root, "update", id, "--cpuset-cpus", "4000"});
  CHECK(bad.code == 1);
  CHECK(Nsinit({"--root", root, "update", id}).code == 1);  // nothing to change

  REQUIRE(Nsinit({"--root", root, "pause", id}).code == 0);
  CHECK(nlohmann::json::parse(Nsinit({"--root", root, "state", id}).out)["status"] == "paused");
  const std::string freezer = cask::test::CgroupDir(paths, "freezer");
  CHECK(Trimmed(freezer + (v2 ? "/cgroup.freeze" : "/freezer.state")) == (v2 ? "1" : "FROZEN"));
  CHECK(Nsinit({"--root", root, "pause", id}).code == 1);
  REQUIRE(Nsinit({"--root", root, "resume", id}).code == 0);
  CHECK(nlohmann::json::parse(Nsinit({"--root", root, "state", id}).out)["status"] == "running");

  // events prints JSON lines until the container goes; kill ends the exec, which destroys it.
  pid_t killer = fork();
  REQUIRE(killer >= 0);
  if (killer == 0) {
    usleep(300000);
    execl(CASK_NSINIT_PATH, CASK_NSINIT_PATH, "--root", root.c_str(), "kill", id.c_str(), "KILL", nullptr);
    _exit(127);
  }
  auto events = Nsinit({"--root", root, "events", id, "--interval", "0.05"});
  int status = 0;
  REQUIRE(waitpid(killer, &status, 0) == killer);
  CHECK(WEXITSTATUS(status) == 0);
  REQUIRE(waitpid(exec, &status, 0) == exec);
  CHECK(WEXITSTATUS(status) == 128 + SIGKILL);
  CHECK(events.code == 0);
  auto first_line = events.out.substr(0, events.out.find('\n'));
  auto event = nlohmann::json::parse(first_line);
  CHECK(event["type"] == "stats");
  CHECK(event["id"] == id);
  CHECK(event["data"]["pids"]["current"] == 1);
  CHECK(Nsinit({"--root", root, "list", "--format", "json"}).out == "[]\n");
  std::filesystem::remove_all(root);
}
