#include <cask/config_json.hpp>
#include <cask/defaults.hpp>
#include <cask/mount_options.hpp>
#include <cask/oci.hpp>
#include <cask/validate.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "oci_test_data.hpp"

namespace {

// Every property of runtime-spec 1.2 that cask honours, set to a value other than its
// default.
constexpr const char* kFullSpec = R"({
  "ociVersion": "1.2.0",
  "process": {
    "terminal": true,
    "consoleSize": {"height": 40, "width": 120},
    "user": {"uid": 1000, "gid": 100, "umask": 18, "additionalGids": [5, 6]},
    "args": ["/bin/sh", "-c", "echo hi"],
    "env": ["PATH=/bin", "TERM=xterm"],
    "cwd": "/srv",
    "capabilities": {"bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"],
                     "permitted": ["CAP_KILL"], "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]},
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 2048, "soft": 1024}],
    "noNewPrivileges": true,
    "oomScoreAdj": 100
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "web",
  "domainname": "example.org",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "rro"]}
  ],
  "hooks": {
    "prestart": [{"path": "/bin/true", "args": ["true", "prestart"], "env": ["A=1"], "timeout": 5}],
    "createRuntime": [{"path": "/bin/true"}],
    "createContainer": [{"path": "/bin/true"}],
    "startContainer": [{"path": "/bin/true"}],
    "poststart": [{"path": "/bin/true"}],
    "poststop": [{"path": "/bin/true", "args": ["true", "poststop"]}]
  },
  "annotations": {"org.example.key": "value"},
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network", "path": "/run/netns/blue"}, {"type": "ipc"},
                   {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}, {"type": "user"}, {"type": "time"}],
    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}],
    "timeOffsets": {"monotonic": {"secs": -86400, "nanosecs": 500}, "boottime": {"secs": 60}},
    "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0}],
    "cgroupsPath": "/cask-test/web",
    "resources": {
      "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}],
      "memory": {"limit": 67108864, "reservation": 33554432, "swap": 134217728, "swappiness": 10,
                 "disableOOMKiller": true},
      "cpu": {"shares": 512, "quota": 50000, "period": 100000, "realtimeRuntime": 950, "realtimePeriod": 1000,
              "burst": 10000, "idle": 1, "cpus": "0-1", "mems": "0"},
      "pids": {"limit": 64},
      "blockIO": {"weight": 500, "leafWeight": 300,
                  "weightDevice": [{"major": 8, "minor": 0, "weight": 600, "leafWeight": 200}],
                  "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
                  "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 2097152}],
                  "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 100}],
                  "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 200}]},
      "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}],
      "unified": {"memory.high": "50000000"}
    },
    "sysctl": {"net.ipv4.ip_forward": "1"},
    "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
                "flags": ["SECCOMP_FILTER_FLAG_LOG"],
                "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                             {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                              "args": [{"index": 0, "value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
                             {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]},
    "rootfsPropagation": "rslave",
    "maskedPaths": ["/proc/kcore"],
    "readonlyPaths": ["/proc/sys"]
  },
  "windows": {"ignored": "unknown to Linux runtimes"},
  "org.example.unknown": 1
})";

// kFullSpec with `patch` merged in (RFC 7386).
std::string Patched(const char* patch) {
  nlohmann::json spec = nlohmann::json::parse(kFullSpec);
  spec.merge_patch(nlohmann::json::parse(patch));
  return spec.dump();
}

std::string DataFile(const std::string& name) {
  std::ifstream in(std::string(CASK_OCI_TEST_DATA) + "/" + name);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("config.json: every field maps onto the Config", "[oci]") {
  const cask::Config c = cask::oci::ParseSpec(kFullSpec, "/b");
  CHECK(c.bundle == "/b");
  CHECK(c.root.path == "/b/rootfs");
  CHECK(c.root.readonly);
  CHECK(c.process.args == std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
  CHECK(c.process.user == "1000:100");
  CHECK(c.process.additional_groups == std::vector<std::string>{"5", "6"});
  CHECK(c.process.umask == 18u);
  CHECK(c.process.console_size == cask::ConsoleSize{40, 120});
  CHECK(c.process.terminal);
  CHECK(c.process.cwd == "/srv");
  // The container-wide parts of `process` are the Config's.
  CHECK(c.capabilities.bounding == std::vector<std::string>{"CAP_KILL", "CAP_CHOWN"});
  CHECK(!c.process.capabilities);
  CHECK(c.rlimits == std::vector<cask::Rlimit>{{"RLIMIT_NOFILE", 1024, 2048}});
  CHECK(c.no_new_privileges);
  CHECK(c.oom_score_adj == 100);
  CHECK(c.hooks.prestart.at(0).args == std::vector<std::string>{"true", "prestart"});
  CHECK(c.hooks.prestart.at(0).timeout == 5);
  CHECK(c.hooks.poststop.size() == 1);
  CHECK(c.labels.at("org.example.key") == "value");
  CHECK(c.namespaces.size() == 8);
  CHECK(c.FindNamespace(cask::NamespaceType::kNet)->path == "/run/netns/blue");
  CHECK(c.time_offsets.at("monotonic") == cask::TimeOffset{-86400, 500});
  CHECK(c.time_offsets.at("boottime") == cask::TimeOffset{60, 0});
  CHECK(c.cgroup.path == "/cask-test/web");
  const cask::Resources& r = c.cgroup.resources;
  CHECK(r.memory->limit == 67108864);
  CHECK(r.memory->disable_oom_killer == true);
  CHECK(r.cpu->quota == 50000);
  CHECK(r.cpu->burst == 10000u);
  CHECK(r.cpu->idle == 1);
  CHECK(r.cpu->cpus == "0-1");
  CHECK(r.pids->limit == 64);
  CHECK(r.block_io->throttle_write_iops_device.at(0).rate == 200);
  CHECK(r.hugepage_limits.at(0).page_size == "2MB");
  CHECK(r.unified.at("memory.high") == "50000000");
  // The spec's two rules, then runc's default allow list.
  REQUIRE(r.devices.size() == 2 + cask::DefaultDeviceAllows().size());
  CHECK(r.devices[1] == cask::DeviceRule{true, 'c', 10, 229, "rw"});
  CHECK(r.devices[0] == cask::DeviceRule{false, 'a', -1, -1, "rwm"});
  CHECK(c.devices.at(0).file_mode == 438u);
  CHECK(c.seccomp->syscalls.at(1).args.at(0).value == 8);
  CHECK(c.seccomp->syscalls.at(2).errno_ret == 13u);
  CHECK(c.rootfs_propagation == "rslave");
  CHECK(c.mounts.at(1).options == std::vector<std::string>{"rbind", "rro"});
}

TEST_CASE("config.json: written back, it reads as the same Config", "[oci]") {
  const cask::Config c = cask::oci::ParseSpec(kFullSpec, "/b");
  const std::string written = cask::oci::WriteSpec(c);
  CHECK(cask::oci::ParseSpec(written, "/b") == c);
  CHECK(nlohmann::json::parse(written)["ociVersion"] == cask::oci::kSpecVersion);
  // The library's default config, as `cask spec` writes it, round trips too.
  cask::Config defaults = cask::DefaultConfig();
  defaults.root.path = "/b/rootfs";
  defaults.bundle = "/b";
  CHECK(cask::oci::ParseSpec(cask::oci::WriteSpec(defaults), "/b") == defaults);
}

TEST_CASE("config.json: bundles written by runc spec, podman and docker read without error", "[oci]") {
  for (const char* name : {"runc-spec.json", "podman.json", "docker.json"}) {
    INFO(name);
    const cask::Config c = cask::oci::ParseSpec(DataFile(name), "/bundle");
    CHECK(!c.process.args.empty());
    CHECK(c.HasNamespace(cask::NamespaceType::kMount));
    CHECK(c.root.path.rfind("/", 0) == 0);
    CHECK_NOTHROW(c.Validate());
  }
  // runc spec lists ambient capabilities without inheritable ones: the kernel would
  // refuse to raise them, and runc skips them.
  const cask::Config runc = cask::oci::ParseSpec(DataFile("runc-spec.json"), "/bundle");
  CHECK(runc.capabilities.ambient.empty());
  CHECK(runc.capabilities.permitted.size() == 3);
  const cask::Config full = cask::oci::ParseSpec(kFullSpec, "/b");
  CHECK(full.capabilities.ambient == std::vector<std::string>{"CAP_KILL"});  // permitted and inheritable
}

TEST_CASE("config.json: what cask cannot honour is refused by its JSON path", "[oci]") {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"linux": {"intelRdt": {"closID": "a"}}})", "linux.intelRdt"},
      {R"({"linux": {"seccomp": {"listenerPath": "/run/l.sock"}}})", "linux.seccomp.listenerPath"},
      {R"({"linux": {"resources": {"network": {"classID": 1}}}})", "linux.resources.network"},
      {R"({"linux": {"resources": {"rdma": {"mlx5_1": {"hcaHandles": 3}}}}})", "linux.resources.rdma"},
      {R"({"linux": {"resources": {"memory": {"kernel": 1048576}}}})", "linux.resources.memory.kernel"},
      {R"({"linux": {"resources": {"memory": {"checkBeforeUpdate": true}}}})",
       "linux.resources.memory.checkBeforeUpdate"},
      {R"({"linux": {"mountLabel": "system_u:object_r:container_file_t:s0"}})", "linux.mountLabel"},
      {R"({"process": {"apparmorProfile": "docker-default"}})", "process.apparmorProfile"},
      {R"({"process": {"selinuxLabel": "system_u:system_r:container_t:s0"}})", "process.selinuxLabel"},
  };
  for (const auto& [patch, path] : cases) {
    INFO(patch);
    try {
      cask::oci::ParseSpec(Patched(patch), "/b");
      FAIL("accepted");
    } catch (const cask::ConfigError& e) {
      CHECK(e.path() == path);
      CHECK(!e.reason().empty());
    }
  }
}

TEST_CASE("config.json: a wrong type or a missing required field names its path", "[oci]") {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"ociVersion": "2.0.0"})", "ociVersion: cask reads runtime-spec 1.x, not 2.0.0"},
      {R"({"process": {"args": "sh"}})", "process.args: must be an array"},
      {R"({"process": {"cwd": null}})", "process.cwd: must be a string"},
      {R"({"process": {"user": {"uid": -1}}})", "process.user.uid: must be between 0 and 4294967295"},
      {R"({"process": {"terminal": "yes"}})", "process.terminal: must be true or false"},
      {R"({"root": null})", "root: is required"},
      {R"({"linux": {"namespaces": [{"type": "net"}]}})", "linux.namespaces[0].type: unknown namespace type \"net\""},
      {R"({"hooks": {"poststop": [{"path": "/bin/true", "timeout": 0}]}})",
       "hooks.poststop[0].timeout: must be more than 0 seconds"},
      {R"({"linux": {"resources": {"pids": {"limit": 1.5}}}})", "linux.resources.pids.limit: must be an integer"},
      {R"({"linux": {"devices": [{"path": "/dev/sda", "type": "b", "major": 8, "minor": 0, "fileMode": 8576}]}})",
       "linux.devices[0].fileMode: its file type bits do not match type \"b\""},
  };
  for (const auto& [patch, message] : cases) {
    INFO(patch);
    CHECK_THROWS_WITH(cask::oci::ParseSpec(Patched(patch), "/b"), message);
  }
  CHECK_THROWS_WITH(cask::oci::ParseSpec("{", "/b"), Catch::StartsWith("config.json is not valid JSON"));
}

TEST_CASE("config.json: scheduler, ioPriority and personality map, and are validated", "[oci]") {
  const cask::Config config = cask::oci::ParseSpec(
      Patched(R"({"process": {"scheduler": {"policy": "SCHED_BATCH", "nice": 5, "flags": ["SCHED_FLAG_RESET_ON_FORK"]},
                              "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 6}},
                  "linux": {"personality": {"domain": "LINUX32"}}})"),
      "/b");
  REQUIRE(config.process.scheduler);
  CHECK(*config.process.scheduler == cask::Scheduler{"SCHED_BATCH", 5, 0, {"SCHED_FLAG_RESET_ON_FORK"}, 0, 0, 0});
  CHECK(config.process.io_priority == cask::IoPriority{"IOPRIO_CLASS_BE", 6});
  CHECK(config.personality == cask::Personality{"LINUX32", {}});
  CHECK(cask::oci::ParseSpec(cask::oci::WriteSpec(config), "/b") == config);
  CHECK(cask::ConfigFromJson(cask::ToJson(config)) == config);

  const std::pair<const char*, const char*> bad[] = {
      {R"({"process": {"scheduler": {"policy": "SCHED_FAST"}}})", "process.scheduler.policy: unknown policy \"SCHED_FAST\""},
      {R"({"process": {"scheduler": {"policy": "SCHED_FIFO"}}})",
       "process.scheduler.priority: must be between 1 and 99 for SCHED_FIFO"},
      {R"({"process": {"scheduler": {"policy": "SCHED_OTHER", "nice": 20}}})",
       "process.scheduler.nice: must be between -20 and 19"},
      {R"({"process": {"ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 8}}})",
       "process.io_priority.priority: must be between 0 and 7"},
      {R"({"linux": {"personality": {"domain": "LINUX64"}}})",
       "personality.domain: unknown domain \"LINUX64\" (LINUX or LINUX32)"},
  };
  for (const auto& [patch, message] : bad) {
    INFO(patch);
    std::vector<std::string> problems;
    for (const auto& problem : cask::oci::ParseSpec(Patched(patch), "/b").Problems()) problems.push_back(problem.what());
    CHECK(std::count(problems.begin(), problems.end(), message) == 1);
  }
}

TEST_CASE("config.json: idmapped mounts map, and are validated", "[oci]") {
  const cask::Config config = cask::oci::ParseSpec(
      Patched(R"({"mounts": [{"destination": "/m", "source": "/srv", "type": "bind", "options": ["rbind", "ridmap"],
                              "uidMappings": [{"containerID": 0, "hostID": 2000, "size": 10}],
                              "gidMappings": [{"containerID": 0, "hostID": 3000, "size": 10}]}]})"),
      "/b");
  REQUIRE(config.mounts.size() == 1);
  CHECK(config.mounts[0].uid_mappings == std::vector<cask::IdMapping>{{0, 2000, 10}});
  CHECK(config.mounts[0].gid_mappings == std::vector<cask::IdMapping>{{0, 3000, 10}});
  CHECK(cask::ParseMountOptions(config.mounts[0].options).recursive_idmap);
  CHECK(cask::oci::ParseSpec(cask::oci::WriteSpec(config), "/b") == config);

  const std::pair<const char*, const char*> bad[] = {
      {R"({"mounts": [{"destination": "/m", "source": "/srv", "type": "bind", "options": ["rbind"],
                      "uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]}]})",
       "mounts[0].uid_mappings: mappings need the idmap or ridmap option"},
      {R"({"mounts": [{"destination": "/m", "source": "tmpfs", "type": "tmpfs", "options": ["idmap"]}]})",
       "mounts[0].options: idmap and ridmap are for bind mounts"},
      {R"({"mounts": [{"destination": "/m", "source": "/srv", "type": "bind", "options": ["rbind", "idmap"]}],
           "linux": {"uidMappings": null}})",
       "mounts[0].uid_mappings: an idmapped mount needs mappings: its own, or the user namespace's"},
  };
  for (const auto& [patch, message] : bad) {
    INFO(patch);
    std::vector<std::string> problems;
    for (const auto& problem : cask::oci::ParseSpec(Patched(patch), "/b").Problems()) problems.push_back(problem.what());
    CHECK(std::count(problems.begin(), problems.end(), message) == 1);
  }
}

TEST_CASE("config.json: a device's fileMode may carry its file type, as podman writes it", "[oci]") {
  const cask::Config config = cask::oci::ParseSpec(
      Patched(R"({"linux": {"devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229,
                                         "fileMode": 8576}]}})"),
      "/b");
  REQUIRE(config.devices.size() == 1);
  CHECK(config.devices[0].file_mode == 0600u);  // 0o20600: S_IFCHR | 0600
}

TEST_CASE("config.json: an absolute root.path stays as it is", "[oci]") {
  CHECK(cask::oci::ParseSpec(Patched(R"({"root": {"path": "/srv/root"}})"), "/b").root.path == "/srv/root");
  CHECK(cask::oci::ParseSpec(Patched(R"({"root": {"path": "./x/../rootfs"}})"), "/b").root.path == "/b/rootfs");
}

TEST_CASE("exec --process: a process object sets its own capabilities and limits", "[oci]") {
  const cask::ProcessConfig p = cask::oci::ParseProcess(
      R"({"args": ["ls"], "cwd": "/", "env": ["A=1"], "noNewPrivileges": false,
          "capabilities": {"bounding": ["CAP_KILL"]}, "rlimits": [{"type": "RLIMIT_NPROC", "hard": 9, "soft": 8}]})");
  CHECK(p.args == std::vector<std::string>{"ls"});
  CHECK(p.no_new_privileges == false);
  CHECK(p.capabilities->bounding == std::vector<std::string>{"CAP_KILL"});
  CHECK(p.rlimits->at(0).soft == 8);
  CHECK_THROWS_WITH(cask::oci::ParseProcess(R"({"args": ["ls"]})"), "process.cwd: must be a string");
}

TEST_CASE("update --resources: zero leaves a limit alone, a negative pids limit is unlimited", "[oci]") {
  const cask::Resources r = cask::oci::ParseUpdate(
      R"({"memory": {"limit": 67108864, "reservation": 0, "swap": 0},
          "cpu": {"shares": 0, "quota": 0, "period": 0}, "pids": {"limit": -5}, "blockIO": {"weight": 0}})");
  CHECK(r.memory->limit == 67108864);
  CHECK(!r.memory->reservation);
  CHECK(!r.memory->swap);
  CHECK(!r.cpu->shares);
  CHECK(!r.cpu->quota);
  CHECK(r.pids->limit == -1);
  CHECK(!r.block_io->weight);
  CHECK(!cask::oci::ParseUpdate(R"({"pids": {"limit": 0}})").pids);
}

TEST_CASE("state: runc's shape, with four statuses", "[oci]") {
  cask::State state;
  state.id = "t1";
  state.status = cask::Status::kCreating;
  state.init_pid = 42;
  state.created = "2026-12-02T02:00:42.476Z";
  state.config.bundle = "/b";
  state.config.root.path = "/b/rootfs";
  auto json = nlohmann::json::parse(cask::oci::StateJson(state));
  CHECK(json["status"] == "created");
  CHECK(json["pid"] == 42);
  state.init_pid = 0;  // a Create that died before it spawned init
  CHECK(nlohmann::json::parse(cask::oci::StateJson(state))["status"] == "stopped");
  state.init_pid = 42;
  CHECK(json["bundle"] == "/b");
  CHECK(json["rootfs"] == "/b/rootfs");
  CHECK(json["owner"] == "");
  CHECK(!json.contains("annotations"));
  state.status = cask::Status::kStopped;
  state.config.labels["a"] = "b";
  json = nlohmann::json::parse(cask::oci::StateJson(state));
  CHECK(json["pid"] == 0);
  CHECK(json["annotations"]["a"] == "b");
  CHECK(cask::oci::StateJson(state).back() == '}');  // no newline, as runc
}
