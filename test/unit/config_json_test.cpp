#include <cask/config_json.hpp>
#include <cask/defaults.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <typeinfo>

namespace {

// Sets every field of every type to something other than its default.
constexpr const char* kFullJson = R"({
  "root": {"path": "/var/lib/cask/rootfs", "readonly": true},
  "rootfs_propagation": "rslave",
  "mounts": [
    {"source": "/data", "destination": "/data", "type": "none",
     "options": ["rbind", "ro", "rprivate", "ridmap"],
     "uid_mappings": [{"container_id": 0, "host_id": 2000, "size": 100}],
     "gid_mappings": [{"container_id": 0, "host_id": 3000, "size": 100}]}
  ],
  "namespaces": [
    {"type": "mount"}, {"type": "uts"}, {"type": "ipc"}, {"type": "pid"},
    {"type": "network", "path": "/run/netns/blue"}, {"type": "user"}, {"type": "cgroup"},
    {"type": "time"}
  ],
  "uid_mappings": [{"container_id": 0, "host_id": 100000, "size": 65536},
                   {"container_id": 65536, "host_id": 300000, "size": 1}],
  "gid_mappings": [{"container_id": 0, "host_id": 200000, "size": 65536}],
  "time_offsets": {"monotonic": {"secs": -86400, "nanosecs": 500}},
  "hostname": "web",
  "domainname": "example.org",
  "sysctl": {"kernel.shmmax": "4096", "net.ipv4.ip_forward": "1"},
  "cgroup": {
    "path": "cask/web",
    "resources": {
      "memory": {"limit": 536870912, "reservation": 268435456, "swap": -1, "swappiness": 10,
                 "disable_oom_killer": true},
      "cpu": {"shares": 512, "quota": 50000, "period": 100000, "realtime_runtime": 950000,
              "realtime_period": 1000000, "burst": 10000, "idle": 0, "cpus": "0-1", "mems": "0"},
      "pids": {"limit": 100},
      "block_io": {
        "weight": 500, "leaf_weight": 300,
        "weight_device": [{"major": 8, "minor": 1, "weight": 600, "leaf_weight": 200}],
        "throttle_read_bps_device": [{"major": 8, "minor": 0, "rate": 1048576}],
        "throttle_write_bps_device": [{"major": 8, "minor": 16, "rate": 2097152}],
        "throttle_read_iops_device": [{"major": 8, "minor": 32, "rate": 1000}],
        "throttle_write_iops_device": [{"major": 8, "minor": 48, "rate": 2000}]
      },
      "hugepage_limits": [{"page_size": "2MB", "limit": 209715200}],
      "devices": [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
      "unified": {"memory.high": "400000000"}
    }
  },
  "capabilities": {
    "bounding": ["CAP_CHOWN"], "effective": ["CAP_KILL"], "permitted": ["CAP_SETUID"],
    "inheritable": ["CAP_SETGID"], "ambient": ["CAP_NET_RAW"]
  },
  "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024}],
  "devices": [
    {"path": "/dev/sdb", "type": "b", "major": 8, "minor": 16, "file_mode": 432,
     "uid": 1000, "gid": 1000}
  ],
  "masked_paths": ["/proc/kcore"],
  "readonly_paths": ["/proc/sys"],
  "seccomp": {
    "default_action": "SCMP_ACT_ERRNO",
    "default_errno_ret": 1,
    "architectures": ["SCMP_ARCH_X86_64"],
    "flags": ["SECCOMP_FILTER_FLAG_LOG"],
    "syscalls": [
      {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "errno_ret": 38,
       "args": [{"index": 1, "value": 8, "value_two": 255, "op": "SCMP_CMP_MASKED_EQ"}]}
    ]
  },
  "no_new_privileges": true,
  "oom_score_adj": 100,
  "personality": {"domain": "LINUX32", "flags": ["NONE_YET"]},
  "networks": [
    {"type": "veth", "name": "eth0", "host_name": "veth-web", "host_netns": "/run/netns/host",
     "address": "10.88.0.2/24", "host_address": "10.88.0.1/24", "gateway": "10.88.0.1",
     "mtu": 1400, "mac_address": "02:42:ac:11:00:02"}
  ],
  "hooks": {
    "prestart": [{"path": "/bin/pre", "args": ["pre", "-v"], "env": ["A=1"], "timeout": 5}],
    "create_runtime": [{"path": "/bin/create-runtime"}],
    "create_container": [{"path": "/bin/create-container"}],
    "start_container": [{"path": "/bin/start-container"}],
    "poststart": [{"path": "/bin/poststart"}],
    "poststop": [{"path": "/bin/poststop"}]
  },
  "labels": {"app": "web"},
  "bundle": "/srv/bundles/web",
  "process": {
    "args": ["/bin/server", "--port", "80"],
    "env": ["PATH=/bin", "HOME=/root"],
    "cwd": "/srv",
    "user": "www:www",
    "additional_groups": ["audio", "10"],
    "umask": 18,
    "terminal": true,
    "console_size": {"rows": 50, "cols": 132},
    "rlimits": [{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}],
    "capabilities": {"bounding": ["CAP_NET_BIND_SERVICE"]},
    "no_new_privileges": false,
    "oom_score_adj": -500,
    "scheduler": {"policy": "SCHED_DEADLINE", "nice": 3, "priority": 2, "flags": ["SCHED_FLAG_RESET_ON_FORK"],
                  "runtime": 1000000, "deadline": 2000000, "period": 4000000},
    "io_priority": {"class": "IOPRIO_CLASS_IDLE", "priority": 7}
  },
  "init": true
})";

std::string ReadError(const std::string& text) {
  try {
    cask::ParseConfig(text);
  } catch (const cask::ConfigError& e) {
    CHECK(e.code() == cask::Errc::kConfig);
    return e.what();
  }
  return "no error";
}

// Records, for every field of every described type, whether some instance of it in a
// config differs from its default, so kFullJson is known to exercise every field.
class FieldCoverage {
 public:
  template <class S>
  void Walk(const S& value) {
    Visitor<S> visitor{*this, value};
    cask::json_detail::Describe(visitor, static_cast<S*>(nullptr));
  }
  const std::map<std::string, bool>& fields() const { return set_; }

 private:
  template <class S>
  struct Visitor {
    FieldCoverage& coverage;
    const S& value;
    template <class T>
    void Field(std::string_view key, T S::*member, bool = false) {
      const T& default_value = cask::json_detail::DefaultValue<S>().*member;
      bool& set = coverage.set_[typeid(S).name() + std::string(".") + std::string(key)];
      set = set || !(value.*member == default_value);
      coverage.Recurse(value.*member);
    }
  };

  template <class T>
  void Recurse(const T& field) {
    if constexpr (cask::json_detail::Described<T>) {
      Walk(field);
    } else if constexpr (requires { field.has_value(); }) {
      if (field) Recurse(*field);
    } else if constexpr (requires { field.begin()->second; }) {
      for (const auto& item : field) Recurse(item.second);
    } else if constexpr (requires { field.front(); } && !std::is_same_v<T, std::string>) {
      for (const auto& item : field) Recurse(item);
    }
  }

  std::map<std::string, bool> set_;
};

}  // namespace

TEST_CASE("the default config survives a JSON round trip") {
  const cask::Config config = cask::DefaultConfig();
  CHECK(cask::ConfigFromJson(cask::ToJson(config)) == config);
  CHECK(cask::ParseConfig(cask::ToJsonString(config)) == config);
}

TEST_CASE("a default-constructed config writes as an empty object and reads back") {
  const cask::Config empty;
  CHECK(cask::ToJson(empty) == nlohmann::json::object());
  CHECK(cask::ParseConfig("{}") == empty);
}

TEST_CASE("a full JSON reads into every field and writes back the same") {
  const auto json = nlohmann::json::parse(kFullJson);
  const cask::Config config = cask::ConfigFromJson(json);
  FieldCoverage coverage;
  coverage.Walk(config);
  CHECK(coverage.fields().size() > 100);
  for (const auto& [field, set] : coverage.fields()) {
    INFO(field << " is never set in kFullJson");
    CHECK(set);
  }
  CHECK(cask::ToJson(config) == json);
  CHECK(cask::ConfigFromJson(cask::ToJson(config)) == config);
}

TEST_CASE("a full JSON lands in the right fields") {
  const cask::Config config = cask::ParseConfig(kFullJson);
  CHECK(config.root.path == "/var/lib/cask/rootfs");
  CHECK(config.namespaces[4].type == cask::NamespaceType::kNet);
  CHECK(config.namespaces[4].path == "/run/netns/blue");
  CHECK(config.uid_mappings[0].host_id == 100000);
  CHECK(config.time_offsets.at("monotonic").secs == -86400);
  CHECK(config.sysctl.at("net.ipv4.ip_forward") == "1");
  CHECK(config.cgroup.resources.memory->swap == -1);
  CHECK(config.cgroup.resources.cpu->cpus == "0-1");
  CHECK(config.cgroup.resources.cpu->burst == 10000u);
  CHECK(config.cgroup.resources.cpu->idle == 0);
  CHECK(config.cgroup.resources.block_io->throttle_write_iops_device[0].rate == 2000);
  CHECK(config.cgroup.resources.devices[0].type == 'c');
  CHECK(config.devices[0].file_mode == 0660u);
  CHECK(config.seccomp->syscalls[0].args[0].op == "SCMP_CMP_MASKED_EQ");
  CHECK(config.networks[0].gateway == "10.88.0.1");
  CHECK(config.hooks.prestart[0].timeout == 5);
  CHECK(config.process.umask == 022u);
  CHECK(config.process.console_size->cols == 132);
  CHECK(config.process.no_new_privileges == false);
  CHECK(config.process.oom_score_adj == -500);
}

TEST_CASE("fields that differ from a non-empty default are written even when empty") {
  cask::Config config;
  config.process.cwd = "";
  config.seccomp.emplace().default_action = "";
  config.networks.emplace_back().type = "";
  const auto json = cask::ToJson(config);
  CHECK(json["process"]["cwd"] == "");
  CHECK(json["seccomp"]["default_action"] == "");
  CHECK(json["networks"][0]["type"] == "");
  CHECK(cask::ConfigFromJson(json) == config);
}

TEST_CASE("a process reads and writes on its own") {
  const auto json = nlohmann::json::parse(kFullJson)["process"];
  const cask::ProcessConfig process = cask::ProcessConfigFromJson(json);
  CHECK(process.args == std::vector<std::string>{"/bin/server", "--port", "80"});
  CHECK(cask::ToJson(process) == json);
}

TEST_CASE("a process reader names its path") {
  try {
    cask::ProcessConfigFromJson(nlohmann::json{{"cwd", 1}});
    FAIL("no error");
  } catch (const cask::ConfigError& e) {
    CHECK(std::string(e.what()) == "process.cwd: expected a string, got number");
  }
  try {
    cask::ProcessConfigFromJson(nlohmann::json{{"argz", nlohmann::json::array()}}, "");
    FAIL("no error");
  } catch (const cask::ConfigError& e) {
    CHECK(std::string(e.what()) == "unknown key \"argz\"");
  }
}

TEST_CASE("reader errors name the JSON path") {
  CHECK(ReadError(R"([])") == "expected an object, got array");
  CHECK(ReadError(R"({"hostnme": "x"})") == "unknown key \"hostnme\"");
  CHECK(ReadError(R"({"mounts": [{"destination": "/a"}, {"destinaton": "/b"}]})") ==
        "mounts[1]: unknown key \"destinaton\"");
  CHECK(ReadError(R"({"mounts": [{"source": "/a"}]})") == "mounts[0]: missing key \"destination\"");
  CHECK(ReadError(R"({"mounts": {"destination": "/a"}})") ==
        "mounts: expected an array, got object");
  CHECK(ReadError(R"({"mounts": [{"destination": "/a", "options": ["ro", 1]}]})") ==
        "mounts[0].options[1]: expected a string, got number");
  CHECK(ReadError(R"({"namespaces": [{"type": "netwrk"}]})") ==
        "namespaces[0].type: unknown namespace \"netwrk\"");
  CHECK(ReadError(R"({"namespaces": [{"type": 1}]})") ==
        "namespaces[0].type: expected a namespace type, got number");
  CHECK(ReadError(R"({"cgroup": {"resources": {"memory": {"limit": "1G"}}}})") ==
        "cgroup.resources.memory.limit: expected an integer, got string");
  CHECK(ReadError(R"({"cgroup": {"resources": {"memory": {"limit": 1.5}}}})") ==
        "cgroup.resources.memory.limit: expected an integer, got 1.5");
  CHECK(ReadError(R"({"cgroup": {"resources": {"cpu": {"shares": -2}}}})") ==
        "cgroup.resources.cpu.shares: integer -2 out of range [0, 18446744073709551615]");
  CHECK(ReadError(R"({"process": {"console_size": {"rows": 70000}}})") ==
        "process.console_size.rows: integer 70000 out of range [0, 65535]");
  CHECK(ReadError(R"({"oom_score_adj": 9223372036854775807})") ==
        "oom_score_adj: integer 9223372036854775807 out of range [-2147483648, 2147483647]");
  CHECK(ReadError(R"({"rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1}]})") ==
        "rlimits[0]: missing key \"hard\"");
  CHECK(ReadError(R"({"root": {"readonly": "yes"}})") ==
        "root.readonly: expected a boolean, got string");
  CHECK(ReadError(R"({"root": null})") == "root: expected an object, got null");
  CHECK(ReadError(R"({"devices": [{"path": "/dev/x", "type": "char"}]})") ==
        "devices[0].type: expected a one-character string, got \"char\"");
  CHECK(ReadError(R"({"devices": [{"path": "/dev/x", "type": 99}]})") ==
        "devices[0].type: expected a one-character string, got number");
  CHECK(ReadError(R"({"sysctl": {"net.ipv4.ip_forward": 1}})") ==
        "sysctl[\"net.ipv4.ip_forward\"]: expected a string, got number");
  CHECK(ReadError(R"({"time_offsets": {"boottime": {"sec": 1}}})") ==
        "time_offsets[\"boottime\"]: unknown key \"sec\"");
  CHECK(ReadError(R"({"labels": []})") == "labels: expected an object, got array");
  CHECK(ReadError(R"({"process": {"rlimits": [{"type": "RLIMIT_CORE", "soft": 0, "hard": 0,
        "max": 0}]}})") == "process.rlimits[0]: unknown key \"max\"");
}

TEST_CASE("JSON syntax errors give the position") {
  CHECK(ReadError("{\"mounts\": [}") ==
        "invalid JSON: parse error at line 1, column 13: syntax error while parsing value - "
        "unexpected '}'; expected '[', '{', or a literal");
  CHECK(ReadError("").starts_with("invalid JSON: parse error at line 1, column 1:"));
  // nlohmann throws out_of_range here, not parse_error: it too is a ConfigError.
  CHECK(ReadError("1e999").starts_with("invalid JSON: number overflow"));
  CHECK(ReadError(R"({"oom_score_adj": 1e999})").starts_with("invalid JSON: number overflow"));
}

TEST_CASE("ToJsonString indents by two spaces") {
  cask::Config config;
  config.hostname = "web";
  CHECK(cask::ToJsonString(config) == "{\n  \"hostname\": \"web\"\n}");
}

TEST_CASE("a config patch changes what it names and keeps the rest") {
  const cask::Config base = cask::DefaultConfig();
  // The two-line container.json that once dropped every namespace.
  cask::Config config = cask::ParseConfigPatch(R"({"hostname": "web", "root": {"path": "/srv/web"}})", base);
  CHECK(config.hostname == "web");
  CHECK(config.root.path == "/srv/web");
  CHECK(config.root.readonly == base.root.readonly);
  CHECK(config.namespaces == base.namespaces);
  CHECK(config.seccomp == base.seccomp);
  CHECK(cask::ParseConfigPatch("{}", base) == base);
  // Arrays are replaced whole; null removes a value.
  config = cask::ParseConfigPatch(R"({"namespaces": [{"type": "mount"}], "seccomp": null})", base);
  CHECK(config.namespaces == std::vector<cask::Namespace>{{cask::NamespaceType::kMount, ""}});
  CHECK_FALSE(config.seccomp);
  CHECK_THROWS_WITH(cask::ParseConfigPatch(R"({"hostname": 3})", base), Catch::Contains("hostname"));
}
