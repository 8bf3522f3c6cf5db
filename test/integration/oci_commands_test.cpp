// The cask program's commands beyond the lifecycle: events, features, update's flags,
// and what the real clients showed (a killed paused container, tmpcopyup, Go's errno
// words).
#include <cask/cask.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bundle.hpp"
#include "eventually.hpp"
#include "harness.hpp"

namespace {

using cask::test::Bundle;
using cask::test::NewId;
using cask::test::ProgramChild;
using cask::test::Trimmed;

// The container's cgroup directory in one hierarchy ("memory", "pids", ...).
std::string CgroupOf(const Bundle& b, const std::string& id, const std::string& controller) {
  return cask::Factory::New(b.Root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}})
      .Load(id)
      .State()
      .cgroup_paths.at(controller);
}

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

}  // namespace

TEST_CASE("cask events: --stats prints one line in runc's shape; the stream ends with the container", "[oci]") {
  Bundle b(R"({"process": {"args": ["/probe", "sleep", "100"]},
               "linux": {"resources": {"memory": {"limit": 67108864}, "pids": {"limit": 50}}}})");
  const std::string id = NewId("events");
  REQUIRE(b.Run({"run", "-d", id}).code == 0);
  auto once = b.Run({"events", "--stats", id});
  CHECK(once.code == 0);
  CHECK(once.err.empty());
  REQUIRE(JsonLines(once.out).size() == 1);
  const nlohmann::json stats = JsonLines(once.out)[0];
  CHECK(stats["type"] == "stats");
  CHECK(stats["id"] == id);
  CHECK(stats["data"]["memory"]["usage"]["limit"] == 67108864);
  CHECK(stats["data"]["memory"]["usage"]["usage"].get<uint64_t>() > 0);
  CHECK(stats["data"]["pids"]["current"] == 1);
  CHECK(stats["data"]["pids"]["limit"] == 50);
  CHECK(stats["data"]["cpu"]["usage"].contains("kernel"));
  CHECK(stats["data"]["cpu"]["usage"].contains("user"));
  CHECK(stats["data"]["network_interfaces"].is_array());  // the container's own netns: lo
  if (std::filesystem::exists("/proc/pressure")) {  // PSI where runc 1.2 puts it
    CHECK(stats["data"]["memory"]["psi"]["some"].contains("avg10"));
    CHECK(stats["data"]["blkio"]["psi"]["full"].contains("total"));
  }

  CHECK(b.Run({"events", "--interval", "5 parsecs", id}).err.find("--interval: invalid duration") !=
        std::string::npos);
  ProgramChild stream({"--root", b.Root(), "events", "--interval", "20ms", id}, b.Dir(), CASK_RUNTIME_PATH);
  // Stats come every 20 ms while the container runs; the stream ends when it stops.
  CHECK(cask::test::Eventually([&] { return Trimmed(CgroupOf(b, id, "pids") + "/pids.current") == "1"; }));
  usleep(200 * 1000);
  CHECK(b.Run({"kill", id, "KILL"}).code == 0);
  auto streamed = stream.Wait();
  CHECK(streamed.code == 0);
  const auto lines = JsonLines(streamed.out);
  CHECK(lines.size() >= 2);
  for (const auto& line : lines) CHECK(line["type"] == "stats");

  auto stopped = b.Run({"events", id});
  CHECK(stopped.code == 1);
  CHECK(stopped.err.find("container with id " + id + " is not running") != std::string::npos);
  CHECK(b.Run({"delete", id}).code == 0);
  CHECK(b.Run({"events", id}).err.find("container does not exist") != std::string::npos);
}

TEST_CASE("cask events: an OOM kill in the container is an oom line", "[oci]") {
  // The hog starts after a pause, once events watches; memory+swap at the limit too.
  Bundle b(R"({"process": {"args": ["/bin/sh", "-c", "sleep 2; /probe hog 256"]},
               "linux": {"resources": {"memory": {"limit": 33554432, "swap": 33554432}}}})");
  const std::string id = NewId("oom");
  REQUIRE(b.Run({"run", "-d", id}).code == 0);
  auto streamed = ProgramChild({"--root", b.Root(), "events", "--interval", "1h", id}, b.Dir(), CASK_RUNTIME_PATH)
                      .Wait();
  CHECK(streamed.code == 0);
  const auto lines = JsonLines(streamed.out);
  CHECK(std::count(lines.begin(), lines.end(), nlohmann::json{{"type", "oom"}, {"id", id}}) == 1);
  CHECK(b.Run({"delete", id}).code == 0);
}

TEST_CASE("cask features: runtime-spec's document, true to this build", "[oci]") {
  auto result = cask::test::Cask({"features"});
  CHECK(result.code == 0);
  const auto features = nlohmann::json::parse(result.out);
  CHECK(features["ociVersionMin"] == "1.0.0");
  CHECK(features["ociVersionMax"] == cask::oci::kSpecVersion);
  CHECK(features["hooks"].size() == 6);
  const auto& linux = features["linux"];
  for (const char* ns : {"mount", "network", "user", "cgroup", "time"}) {
    CHECK(std::count(linux["namespaces"].begin(), linux["namespaces"].end(), ns) == 1);
  }
  CHECK(linux["capabilities"].size() == cask::kCapabilityNames.size());
  CHECK(linux["seccomp"]["enabled"] == true);
  const auto& actions = linux["seccomp"]["actions"];
  CHECK(std::count(actions.begin(), actions.end(), "SCMP_ACT_ERRNO") == 1);
  CHECK(std::count(actions.begin(), actions.end(), "SCMP_ACT_NOTIFY") == 0);  // no listener yet
  const auto& archs = linux["seccomp"]["archs"];
  CHECK(std::count(archs.begin(), archs.end(), "SCMP_ARCH_X86_64") == 1);
  CHECK(linux["cgroup"]["v1"] == true);
  CHECK(linux["cgroup"]["systemd"] == false);
  CHECK(linux["apparmor"]["enabled"] == false);
  const auto& options = features["mountOptions"];
  for (const char* option : {"rbind", "rro", "tmpcopyup", "nosymfollow", "rslave"}) {
    CHECK(std::count(options.begin(), options.end(), option) == 1);
  }
  CHECK(cask::test::Cask({"features", "extra"}).code != 0);
}

TEST_CASE("cask update: runc's single-value flags, over --resources", "[oci]") {
  Bundle b(R"({"process": {"args": ["/probe", "sleep", "100"]}})");
  const std::string id = NewId("update");
  REQUIRE(b.Run({"run", "-d", id}).code == 0);
  const std::string memory = CgroupOf(b, id, "memory"), pids = CgroupOf(b, id, "pids"), cpu = CgroupOf(b, id, "cpu");
  auto update = b.Run({"update", "--memory", "32m", "--pids-limit=20", "--cpu-share", "512", id});
  CHECK(update.code == 0);
  CHECK(update.err.empty());
  CHECK(Trimmed(memory + "/memory.limit_in_bytes") == "33554432");
  CHECK(Trimmed(pids + "/pids.max") == "20");
  CHECK(Trimmed(cpu + "/cpu.shares") == "512");

  std::ofstream(b.Dir() + "/resources.json") << R"({"pids": {"limit": 40}, "memory": {"limit": 50331648}})";
  CHECK(b.Run({"update", "-r", b.Dir() + "/resources.json", "--pids-limit", "30", id}).code == 0);
  CHECK(Trimmed(pids + "/pids.max") == "30");  // the flag wins over the file
  CHECK(Trimmed(memory + "/memory.limit_in_bytes") == "50331648");
  CHECK(b.Run({"update", "--pids-limit", "-1", id}).code == 0);
  CHECK(Trimmed(pids + "/pids.max") == "max");

  auto bad_size = b.Run({"update", "--memory", "3x", id});
  CHECK(bad_size.code == 1);
  CHECK(bad_size.err.find("--memory: invalid size") != std::string::npos);
  CHECK(b.Run({"update", "--cpu-share", "-5", id}).err.find("--cpu-share: invalid number") != std::string::npos);
  CHECK(b.Run({"update", id}).err.find("give the new limits") != std::string::npos);
  CHECK(b.Run({"update", "--l3-cache-schema", "L3:0=f", id}).err.find("Intel RDT") != std::string::npos);
  CHECK(Trimmed(memory + "/memory.limit_in_bytes") == "50331648");  // refusals change nothing
  CHECK(b.Run({"delete", "--force", id}).code == 0);
}

TEST_CASE("cask kill: SIGKILL ends a paused container (podman and ctr kill without resume)", "[oci]") {
  Bundle b(R"({"process": {"args": ["/probe", "sleep", "100"]}})");
  for (const bool all : {false, true}) {
    const std::string id = NewId("killpaused");
    REQUIRE(b.Run({"run", "-d", id}).code == 0);
    REQUIRE(b.Run({"pause", id}).code == 0);
    std::vector<std::string> kill = {"kill", id, "KILL"};
    if (all) kill.insert(kill.begin() + 1, "--all");
    CHECK(b.Run(kill).code == 0);
    CHECK(cask::test::Eventually([&] { return b.State(id)["status"] == "stopped"; }));
    CHECK(b.Run({"delete", id}).code == 0);
  }
}

TEST_CASE("cask: a tmpfs with tmpcopyup starts with what the image has there", "[oci]") {
  // podman's --read-only gives /run, /tmp and /var/tmp such a tmpfs.
  Bundle b(R"({"root": {"readonly": true},
               "process": {"args": ["/bin/sh", "-c",
                 "ls -l /bin/sh && cat /etc/passwd && echo new > /etc/new && cat /etc/new && stat -c %a /etc"]}})");
  {
    auto spec = nlohmann::json::parse(cask::test::ReadFile(b.Dir() + "/config.json"));
    spec["mounts"].push_back({{"destination", "/etc"}, {"type", "tmpfs"}, {"source", "tmpfs"},
                              {"options", {"rw", "nosuid", "nodev", "tmpcopyup"}}});
    spec["mounts"].push_back({{"destination", "/bin"}, {"type", "tmpfs"}, {"source", "tmpfs"},
                              {"options", {"rw", "tmpcopyup"}}});
    std::ofstream(b.Dir() + "/config.json") << spec.dump();
  }
  chmod((b.Rootfs() + "/etc").c_str(), 0751);
  auto run = b.Run({"run", NewId("copyup")});
  INFO(run.err);
  CHECK(run.code == 0);
  CHECK(run.out.find(" /bin/sh -> ") != std::string::npos);  // a symlink stays one
  CHECK(run.out.find(cask::test::ReadFile(b.Rootfs() + "/etc/passwd")) != std::string::npos);
  CHECK(run.out.find("new\n751\n") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(b.Rootfs() + "/etc/new"));  // the image is untouched

  auto spec = nlohmann::json::parse(cask::test::ReadFile(b.Dir() + "/config.json"));
  spec["mounts"].push_back({{"destination", "/mnt"}, {"type", "bind"}, {"source", "/tmp"},
                            {"options", {"rbind", "tmpcopyup"}}});
  std::ofstream(b.Dir() + "/config.json") << spec.dump();
  auto bad = b.Run({"run", NewId("copyup")});
  CHECK(bad.code == 1);
  CHECK(bad.err.find("mounts[" + std::to_string(spec["mounts"].size() - 1) +
                     "].options: tmpcopyup is for a tmpfs mount") != std::string::npos);
}

TEST_CASE("cask: errno text in Go's words, which docker maps to 126 and 127", "[oci]") {
  Bundle b(R"({"process": {"args": ["/etc/passwd"]}})");
  const std::string id = NewId("words");
  auto create = b.Run({"create", id});
  CHECK(create.code == 1);
  // stderr's logrus text line escapes the quotes: payload \"/etc/passwd\": ...
  CHECK(create.err.find("/etc/passwd\\\": permission denied") != std::string::npos);
  b.Write(R"({"process": {"args": ["/probe", "sleep", "100"]}})");
  REQUIRE(b.Run({"run", "-d", id}).code == 0);
  auto exec = b.Run({"exec", id, "/etc/passwd"});
  CHECK(exec.code == 255);
  CHECK(exec.err.find("permission denied") != std::string::npos);
  CHECK(b.Run({"exec", id, "/nope"}).err.find("executable file not found: no such file or directory") !=
        std::string::npos);
  CHECK(b.Run({"delete", "--force", id}).code == 0);
}

TEST_CASE("cask run and exec: scheduler, ioPriority and personality, seen from inside", "[oci]") {
  Bundle b(R"({"process": {"args": ["/probe"], "scheduler": {"policy": "SCHED_BATCH", "nice": 5},
                           "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 6}},
               "linux": {"personality": {"domain": "LINUX32"}}})");
  auto run = b.Run({"run", NewId("sched")});
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto seen = nlohmann::json::parse(run.out);
  CHECK(seen["scheduler"]["policy"] == 3);  // SCHED_BATCH
  CHECK(seen["scheduler"]["nice"] == 5);
  CHECK(seen["io_priority"] == (2 << 13 | 6));  // IOPRIO_CLASS_BE, level 6
  CHECK(seen["personality"] == 8);              // PER_LINUX32

  // An exec'd process has its own; the execution domain is the container's.
  b.Write(R"({"process": {"args": ["/probe", "sleep", "100"]}, "linux": {"personality": {"domain": "LINUX32"}}})");
  const std::string id = NewId("sched");
  REQUIRE(b.Run({"run", "-d", id}).code == 0);
  std::ofstream(b.Dir() + "/process.json") << R"({"args": ["/probe"], "cwd": "/", "user": {"uid": 0, "gid": 0},
      "scheduler": {"policy": "SCHED_IDLE"}, "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 0}})";
  auto exec = b.Run({"exec", "--process", b.Dir() + "/process.json", id});
  INFO(exec.err);
  REQUIRE(exec.code == 0);
  const auto exec_seen = nlohmann::json::parse(exec.out);
  CHECK(exec_seen["scheduler"]["policy"] == 5);  // SCHED_IDLE
  CHECK(exec_seen["io_priority"] == 3 << 13);
  CHECK(exec_seen["personality"] == 8);
  std::ofstream(b.Dir() + "/process.json") << R"({"args": ["/probe"], "cwd": "/", "user": {"uid": 0, "gid": 0},
      "scheduler": {"policy": "SCHED_RR"}})";
  auto bad = b.Run({"exec", "--process", b.Dir() + "/process.json", id});
  CHECK(bad.code == 255);
  CHECK(bad.err.find("process.scheduler.priority: must be between 1 and 99 for SCHED_RR") != std::string::npos);
  CHECK(b.Run({"delete", "--force", id}).code == 0);
}

TEST_CASE("cask hooks: the env when unset, a timeout, and poststop's failure as a warning", "[oci]") {
  Bundle b;
  const std::string script = b.Dir() + "/env-hook.sh";
  std::ofstream(script) << "#!/bin/sh\nenv > \"$1\"\n";
  chmod(script.c_str(), 0755);
  std::filesystem::copy_file(script, b.Rootfs() + "/env-hook.sh");
  nlohmann::json patch = {{"root", {{"readonly", false}}},
                          {"process", {{"args", {"/probe", "exit", "0"}}, {"env", {"PATH=/bin", "FROM=payload"}}}}};
  patch["hooks"] = {
      {"createRuntime", {{{"path", script}, {"args", {"env-hook.sh", b.Dir() + "/runtime-env"}}}}},
      {"startContainer", {{{"path", "/env-hook.sh"}, {"args", {"env-hook.sh", "/start-env"}}}}},
      {"poststop", {{{"path", "/bin/false"}}}}};
  b.Write(patch.dump().c_str());
  const std::string id = NewId("hookenv");
  setenv("CASK_TEST_HOOK_ENV", "from-the-runtime", 1);
  auto run = b.Run({"--log", b.Dir() + "/log", "run", "--keep", id});
  unsetenv("CASK_TEST_HOOK_ENV");
  CHECK(run.code == 0);
  // Hooks without env: the runtime's environment on the host, the payload's inside.
  CHECK(cask::test::ReadFile(b.Dir() + "/runtime-env").find("CASK_TEST_HOOK_ENV=from-the-runtime") !=
        std::string::npos);
  const std::string start_env = cask::test::ReadFile(b.Rootfs() + "/start-env");
  CHECK(start_env.find("FROM=payload") != std::string::npos);
  CHECK(start_env.find("CASK_TEST_HOOK_ENV") == std::string::npos);
  // poststop's failure warns and the delete goes on (runtime-spec lifecycle).
  auto deleted = b.Run({"--log", b.Dir() + "/log", "delete", id});
  CHECK(deleted.code == 0);
  CHECK(cask::test::ReadFile(b.Dir() + "/log").find("/bin/false") != std::string::npos);

  patch["hooks"] = {{"createRuntime", {{{"path", "/bin/sleep"}, {"args", {"sleep", "30"}}, {"timeout", 1}}}}};
  b.Write(patch.dump().c_str());
  const auto started = std::chrono::steady_clock::now();
  auto timed_out = b.Run({"create", NewId("hooktimeout")});
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
  CHECK(timed_out.code == 1);
  CHECK(timed_out.err.find("/bin/sleep ran past its timeout of 1s") != std::string::npos);

  // Inside the container too: argv is args exactly (busybox dispatches on argv[0], as
  // dockerd does for its hook), and a failing hook's output is in the error.
  patch["hooks"] = {{"startContainer",
                     {{{"path", "/bin/busybox"},
                       {"args", {"sh", "-c", "tr '\\0' ' ' < /proc/$$/cmdline; echo oops >&2; exit 4"}}}}}};
  b.Write(patch.dump().c_str());
  auto failed = b.Run({"run", NewId("hookout")});
  CHECK(failed.code != 0);
  CHECK(failed.err.find("start_container hook 0: /bin/busybox exited with status 4, stdout: sh -c") !=
        std::string::npos);
  CHECK(failed.err.find("stderr: oops") != std::string::npos);
}

TEST_CASE("cask: idmapped binds show a source's owners through their mapping", "[oci]") {
  char dir[] = "/tmp/cask-idmap-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string source = dir;
  REQUIRE(chmod(dir, 0755) == 0);  // the user namespace's root is "others" here
  std::ofstream(source + "/by-root") << "r";
  std::ofstream(source + "/by-alice") << "a";
  REQUIRE(chown((source + "/by-alice").c_str(), 1000, 1000) == 0);
  const std::string stat = "stat -c %u:%g /m/by-root /m/by-alice";
  {
    // Without a user namespace of its own: ids 0..1000 of the source show as 2000..3000.
    Bundle b(R"({"process": {"args": ["/bin/sh", "-c", "stat -c %u:%g /m/by-root /m/by-alice"]}})");
    auto spec = nlohmann::json::parse(cask::test::ReadFile(b.Dir() + "/config.json"));
    spec["mounts"].push_back({{"destination", "/m"}, {"type", "bind"}, {"source", source},
                              {"options", {"rbind", "idmap"}},
                              {"uidMappings", {{{"containerID", 0}, {"hostID", 2000}, {"size", 1001}}}},
                              {"gidMappings", {{{"containerID", 0}, {"hostID", 2000}, {"size", 1001}}}}});
    std::ofstream(b.Dir() + "/config.json") << spec.dump();
    auto run = b.Run({"run", NewId("idmap")});
    INFO(run.err);
    CHECK(run.code == 0);
    CHECK(run.out == "2000:2000\n3000:3000\n");
  }
  {
    // In a user namespace, "idmap" alone takes the container's mappings: the source's
    // root is the container's root, where a plain bind shows nobody.
    Bundle b(R"({"process": {"args": ["/bin/sh", "-c", "stat -c %u:%g /m/by-root /m/by-alice /plain/by-root"]},
                 "linux": {"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                           "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}})");
    auto spec = nlohmann::json::parse(cask::test::ReadFile(b.Dir() + "/config.json"));
    spec["linux"]["namespaces"].push_back({{"type", "user"}});
    spec["mounts"].push_back(
        {{"destination", "/m"}, {"type", "bind"}, {"source", source}, {"options", {"rbind", "idmap"}}});
    spec["mounts"].push_back({{"destination", "/plain"}, {"type", "bind"}, {"source", source}, {"options", {"rbind"}}});
    std::ofstream(b.Dir() + "/config.json") << spec.dump();
    // The container's root may not make them in the host's rootfs.
    std::filesystem::create_directory(b.Rootfs() + "/m");
    std::filesystem::create_directory(b.Rootfs() + "/plain");
    auto run = b.Run({"run", NewId("idmap")});
    INFO(run.err);
    CHECK(run.code == 0);
    CHECK(run.out == "0:0\n1000:1000\n65534:65534\n");
  }
  {
    // A source that is not there fails the create, naming it, and leaves nothing.
    Bundle b;
    auto spec = nlohmann::json::parse(cask::test::ReadFile(b.Dir() + "/config.json"));
    spec["mounts"].push_back({{"destination", "/m"}, {"type", "bind"}, {"source", source + "/none"},
                              {"options", {"rbind", "idmap"}},
                              {"uidMappings", {{{"containerID", 0}, {"hostID", 2000}, {"size", 1}}}},
                              {"gidMappings", {{{"containerID", 0}, {"hostID", 2000}, {"size", 1}}}}});
    std::ofstream(b.Dir() + "/config.json") << spec.dump();
    auto run = b.Run({"run", NewId("idmap")});
    CHECK(run.code == 1);
    CHECK(run.err.find("idmapped bind " + source + "/none on /m: no such file or directory") != std::string::npos);
  }
  std::filesystem::remove_all(source);
}
