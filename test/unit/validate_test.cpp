#include <cask/defaults.hpp>
#include <cask/validate.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <string>

namespace {

// The default config with a root: valid, so each test breaks exactly one thing.
cask::Config Valid() {
  cask::Config config = cask::DefaultConfig();
  config.root.path = "/var/lib/cask/rootfs";
  return config;
}

// The message Validate() throws for the default config changed by `change`.
std::string Error(const std::function<void(cask::Config&)>& change) {
  cask::Config config = Valid();
  change(config);
  try {
    config.Validate();
  } catch (const cask::ConfigError& e) {
    CHECK(e.code() == cask::Errc::kConfig);
    return e.what();
  }
  return "valid";
}

void AddUserNamespace(cask::Config& c) {
  c.namespaces.push_back({cask::NamespaceType::kUser, ""});
  c.uid_mappings = {{0, 100000, 65536}};
  c.gid_mappings = {{0, 100000, 65536}};
}

cask::Network Veth() {
  cask::Network net;
  net.type = "veth";
  net.name = "eth0";
  net.host_name = "veth-web";
  net.address = "10.88.0.2/24";
  net.gateway = "10.88.0.1";
  return net;
}

}  // namespace

TEST_CASE("the default config with a root path is valid") { CHECK_NOTHROW(Valid().Validate()); }

TEST_CASE("a rich valid config passes") {
  CHECK(Error([](cask::Config& c) {
          AddUserNamespace(c);
          c.uid_mappings.push_back({65536, 300000, 1});
          c.namespaces.push_back({cask::NamespaceType::kTime, ""});
          c.time_offsets["boottime"] = {-100, 999999999};
          c.sysctl = {{"kernel.shmmax", "1"},
                      {"fs.mqueue.msg_max", "1"},
                      {"net.ipv4.ip_forward", "1"},
                      {"kernel.domainname", "x"}};
          c.networks = {cask::Network{}, Veth()};
          c.networks[1].address = "fd00::2/64";
          c.networks[1].gateway = "fd00::1";
          c.mounts.push_back({"/data", "/data", "", {"rbind", "rro", "rslave"}});
          c.devices.push_back({"/dev/fuse", 'c', 10, 229, 0666, 0, 0});
          c.cgroup.resources.memory.emplace().limit = 100;
          c.cgroup.resources.memory->swap = -1;
          c.cgroup.resources.pids.emplace().limit = -1;
          c.rootfs_propagation = "rslave";
          c.oom_score_adj = -1000;
          c.process.umask = 0777;
          c.process.capabilities.emplace().ambient = {"CAP_NET_RAW"};
          c.seccomp.emplace().syscalls.push_back({{"ptrace"}, "SCMP_ACT_ERRNO", 1, {}});
        }) == "valid");
}

TEST_CASE("root.path must be set and absolute") {
  CHECK(Error([](cask::Config& c) { c.root.path = ""; }) == "root.path: must not be empty");
  CHECK(Error([](cask::Config& c) { c.root.path = "rootfs"; }) ==
        "root.path: must be an absolute path, got \"rootfs\"");
}

TEST_CASE("rootfs_propagation must be known") {
  CHECK(Error([](cask::Config& c) { c.rootfs_propagation = "rbind"; }) ==
        "rootfs_propagation: unknown propagation \"rbind\"");
}

TEST_CASE("a namespace type is listed once") {
  CHECK(Error([](cask::Config& c) {
          c.namespaces.push_back({cask::NamespaceType::kPid, ""});
        }) == "namespaces[6].type: namespace \"pid\" listed twice");
}

TEST_CASE("a joined namespace path is absolute") {
  CHECK(Error([](cask::Config& c) { c.namespaces[1].path = "netns/blue"; }) ==
        "namespaces[1].path: must be an absolute path, got \"netns/blue\"");
}

TEST_CASE("a new user namespace needs both mappings") {
  CHECK(Error([](cask::Config& c) {
          AddUserNamespace(c);
          c.uid_mappings.clear();
        }) == "uid_mappings: a new user namespace needs mappings");
  CHECK(Error([](cask::Config& c) {
          AddUserNamespace(c);
          c.gid_mappings.clear();
        }) == "gid_mappings: a new user namespace needs mappings");
}

TEST_CASE("mappings need a new user namespace") {
  CHECK(Error([](cask::Config& c) {
          c.uid_mappings = {{0, 1000, 1}};
        }) == "uid_mappings: mappings need a new user namespace");
  CHECK(Error([](cask::Config& c) {
          AddUserNamespace(c);
          c.namespaces.back().path = "/proc/1/ns/user";
        }) == "uid_mappings: mappings need a new user namespace");
}

TEST_CASE("a mapping is not empty") {
  CHECK(Error([](cask::Config& c) {
          AddUserNamespace(c);
          c.gid_mappings[0].size = 0;
        }) == "gid_mappings[0].size: must not be zero");
}

TEST_CASE("a mapping stays below 2^32") {
  CHECK(Error([](cask::Config& c) {
          AddUserNamespace(c);
          c.uid_mappings[0].host_id = 4294967295u;
          c.uid_mappings[0].size = 2;
        }) == "uid_mappings[0]: range runs past id 4294967295");
}

TEST_CASE("mappings do not overlap on the container side") {
  CHECK(Error([](cask::Config& c) {
          AddUserNamespace(c);
          c.uid_mappings.push_back({65535, 300000, 10});
        }) == "uid_mappings[1]: container ids 65535-65544 overlap uid_mappings[0]");
}

TEST_CASE("mappings do not overlap on the host side") {
  CHECK(Error([](cask::Config& c) {
          AddUserNamespace(c);
          c.gid_mappings.push_back({70000, 99999, 2});
        }) == "gid_mappings[1]: host ids 99999-100000 overlap gid_mappings[0]");
}

TEST_CASE("time offsets need a new time namespace") {
  CHECK(Error([](cask::Config& c) {
          c.time_offsets["monotonic"] = {1, 0};
        }) == "time_offsets: offsets need a new time namespace");
}

TEST_CASE("time offsets name a known clock") {
  CHECK(Error([](cask::Config& c) {
          c.namespaces.push_back({cask::NamespaceType::kTime, ""});
          c.time_offsets["realtime"] = {1, 0};
        }) == "time_offsets[\"realtime\"]: unknown clock (expected \"monotonic\" or \"boottime\")");
}

TEST_CASE("time offset nanoseconds stay below a second") {
  CHECK(Error([](cask::Config& c) {
          c.namespaces.push_back({cask::NamespaceType::kTime, ""});
          c.time_offsets["monotonic"] = {1, 1000000000};
        }) == "time_offsets[\"monotonic\"].nanosecs: must be below 1000000000");
}

TEST_CASE("hostname and domainname need a new uts namespace") {
  CHECK(Error([](cask::Config& c) { c.namespaces.erase(c.namespaces.begin() + 3); }) ==
        "hostname: needs a new uts namespace");
  CHECK(Error([](cask::Config& c) {
          c.hostname = "";
          c.domainname = "example.org";
          c.namespaces[3].path = "/proc/1/ns/uts";
        }) == "domainname: needs a new uts namespace");
}

TEST_CASE("ipc sysctls need an ipc namespace") {
  CHECK(Error([](cask::Config& c) {
          c.namespaces.erase(c.namespaces.begin() + 2);
          c.sysctl["kernel.msgmax"] = "8192";
        }) == "sysctl[\"kernel.msgmax\"]: needs an ipc namespace");
  CHECK(Error([](cask::Config& c) {
          c.namespaces.erase(c.namespaces.begin() + 2);
          c.sysctl["fs.mqueue.queues_max"] = "8";
        }) == "sysctl[\"fs.mqueue.queues_max\"]: needs an ipc namespace");
}

TEST_CASE("net sysctls need a new network namespace") {
  CHECK(Error([](cask::Config& c) {
          c.namespaces[1].path = "/run/netns/blue";
          c.sysctl["net.ipv4.ip_forward"] = "1";
        }) == "sysctl[\"net.ipv4.ip_forward\"]: needs a new network namespace");
}

TEST_CASE("uts sysctls need a new uts namespace") {
  CHECK(Error([](cask::Config& c) {
          c.hostname = "";
          c.namespaces.erase(c.namespaces.begin() + 3);
          c.sysctl["kernel.hostname"] = "x";
        }) == "sysctl[\"kernel.hostname\"]: needs a new uts namespace");
}

TEST_CASE("sysctls outside the container's namespaces are refused") {
  CHECK(Error([](cask::Config& c) { c.sysctl["vm.swappiness"] = "10"; }) ==
        "sysctl[\"vm.swappiness\"]: not namespaced: it would change the host");
}

TEST_CASE("capability names are known in every set") {
  CHECK(Error([](cask::Config& c) { c.capabilities.bounding.push_back("CAP_FOO"); }) ==
        "capabilities.bounding[3]: unknown capability \"CAP_FOO\"");
  CHECK(Error([](cask::Config& c) { c.capabilities.effective[0] = "NET_ADMIN"; }) ==
        "capabilities.effective[0]: unknown capability \"NET_ADMIN\"");
  CHECK(Error([](cask::Config& c) { c.capabilities.permitted[1] = "cap_kill"; }) ==
        "capabilities.permitted[1]: unknown capability \"cap_kill\"");
  CHECK(Error([](cask::Config& c) { c.capabilities.inheritable = {"CAP_X"}; }) ==
        "capabilities.inheritable[0]: unknown capability \"CAP_X\"");
  CHECK(Error([](cask::Config& c) { c.capabilities.ambient = {""}; }) ==
        "capabilities.ambient[0]: unknown capability \"\"");
  CHECK(Error([](cask::Config& c) { c.process.capabilities.emplace().bounding = {"CAP_FOO"}; }) ==
        "process.capabilities.bounding[0]: unknown capability \"CAP_FOO\"");
}

TEST_CASE("rlimit types are known") {
  CHECK(Error([](cask::Config& c) {
          c.rlimits.push_back({"RLIMIT_CORE", 0, 0});
          c.rlimits.push_back({"RLIMIT_FOO", 1, 1});
        }) == "rlimits[2].type: unknown rlimit \"RLIMIT_FOO\"");
  CHECK(Error([](cask::Config& c) {
          c.process.rlimits = std::vector<cask::Rlimit>{{"nofile", 1, 1}};
        }) == "process.rlimits[0].type: unknown rlimit \"nofile\"");
}

TEST_CASE("an rlimit's soft limit does not exceed its hard limit") {
  CHECK(Error([](cask::Config& c) { c.rlimits[0].soft = 2048; }) ==
        "rlimits[0]: soft limit 2048 exceeds hard limit 1024");
}

TEST_CASE("an rlimit is listed once") {
  CHECK(Error([](cask::Config& c) {
          c.rlimits.push_back({"RLIMIT_NOFILE", 1, 1});
        }) == "rlimits[1].type: \"RLIMIT_NOFILE\" listed twice");
}

TEST_CASE("a mount destination is absolute") {
  CHECK(Error([](cask::Config& c) { c.mounts[1].destination = "dev"; }) ==
        "mounts[1].destination: must be an absolute path, got \"dev\"");
  CHECK(Error([](cask::Config& c) { c.mounts[0].destination = ""; }) ==
        "mounts[0].destination: must not be empty");
}

TEST_CASE("a mount destination has no .. components") {
  CHECK(Error([](cask::Config& c) {
          c.mounts.push_back({"/a", "/tmp/../etc", "", {"bind"}});
        }) == "mounts[7].destination: must not contain \"..\" components");
  CHECK(Error([](cask::Config& c) {
          c.mounts.push_back({"/a", "/x/..", "", {"bind"}});
        }) == "mounts[7].destination: must not contain \"..\" components");
  CHECK(Error([](cask::Config& c) {
          c.mounts.push_back({"/a", "/x/..y/", "", {"bind"}});
        }) == "valid");
}

TEST_CASE("a mount without a type is a bind mount") {
  CHECK(Error([](cask::Config& c) {
          c.mounts.push_back({"/a", "/a", "", {"ro"}});
        }) == "mounts[7].type: empty type needs a bind or rbind option");
}

TEST_CASE("a mount has one propagation type") {
  CHECK(Error([](cask::Config& c) {
          c.mounts.push_back({"/a", "/a", "", {"rbind", "shared", "rslave"}});
        }) == "mounts[7].options: more than one propagation type");
}

TEST_CASE("masked and readonly paths are absolute") {
  CHECK(Error([](cask::Config& c) { c.masked_paths.push_back("proc/kcore"); }) ==
        "masked_paths[11]: must be an absolute path, got \"proc/kcore\"");
  CHECK(Error([](cask::Config& c) { c.readonly_paths[0] = ""; }) ==
        "readonly_paths[0]: must not be empty");
}

TEST_CASE("a device is made under /dev") {
  CHECK(Error([](cask::Config& c) {
          c.devices.push_back({"/etc/fuse", 'c', 10, 229, {}, {}, {}});
        }) == "devices[0].path: must be a path under /dev, got \"/etc/fuse\"");
  CHECK(Error([](cask::Config& c) {
          c.devices.push_back({"/dev/../etc/x", 'c', 1, 1, {}, {}, {}});
        }) == "devices[0].path: must be a path under /dev, got \"/dev/../etc/x\"");
}

TEST_CASE("a device type is c, b, u or p") {
  CHECK(Error([](cask::Config& c) {
          c.devices.push_back({"/dev/x", 'x', 1, 1, {}, {}, {}});
        }) == "devices[0].type: unknown device type \"x\" (expected c, b, u or p)");
}

TEST_CASE("a device file mode has only permission bits") {
  CHECK(Error([](cask::Config& c) {
          c.devices.push_back({"/dev/x", 'c', 1, 1, 010666, {}, {}});
        }) == "devices[0].file_mode: has bits beyond 07777");
}

TEST_CASE("process.cwd is absolute") {
  CHECK(Error([](cask::Config& c) { c.process.cwd = "srv"; }) ==
        "process.cwd: must be an absolute path, got \"srv\"");
}

TEST_CASE("process.env entries are KEY=VALUE") {
  CHECK(Error([](cask::Config& c) { c.process.env.push_back("DEBUG"); }) ==
        "process.env[2]: expected KEY=VALUE, got \"DEBUG\"");
}

TEST_CASE("process.umask fits 0777") {
  CHECK(Error([](cask::Config& c) { c.process.umask = 01000; }) ==
        "process.umask: has bits beyond 0777");
}

TEST_CASE("oom_score_adj is within -1000..1000") {
  CHECK(Error([](cask::Config& c) { c.oom_score_adj = 1001; }) ==
        "oom_score_adj: 1001 is outside -1000..1000");
  CHECK(Error([](cask::Config& c) { c.process.oom_score_adj = -1001; }) ==
        "process.oom_score_adj: -1001 is outside -1000..1000");
}

TEST_CASE("seccomp actions are SCMP_ACT_ names") {
  CHECK(Error([](cask::Config& c) { c.seccomp.emplace().default_action = "ALLOW"; }) ==
        "seccomp.default_action: unknown action \"ALLOW\"");
  CHECK(Error([](cask::Config& c) {
          c.seccomp.emplace().syscalls.push_back({{"ptrace"}, "SCMP_ACT_DENY", {}, {}});
        }) == "seccomp.syscalls[0].action: unknown action \"SCMP_ACT_DENY\"");
}

TEST_CASE("a seccomp rule names syscalls") {
  CHECK(Error([](cask::Config& c) {
          c.seccomp.emplace().syscalls.push_back({{}, "SCMP_ACT_ERRNO", {}, {}});
        }) == "seccomp.syscalls[0].names: must not be empty");
}

TEST_CASE("seccomp argument operators are SCMP_CMP_ names") {
  CHECK(Error([](cask::Config& c) {
          c.seccomp.emplace().syscalls.push_back(
              {{"clone"}, "SCMP_ACT_ERRNO", {}, {{0, 1, 0, "SCMP_CMP_EQ"}, {1, 1, 0, "=="}}});
        }) == "seccomp.syscalls[0].args[1].op: unknown operator \"==\"");
}

TEST_CASE("seccomp argument indexes are 0..5") {
  CHECK(Error([](cask::Config& c) {
          c.seccomp.emplace().syscalls.push_back(
              {{"clone"}, "SCMP_ACT_ERRNO", {}, {{6, 1, 0, "SCMP_CMP_EQ"}}});
        }) == "seccomp.syscalls[0].args[0].index: must be 0..5");
}

TEST_CASE("memory values are -1 or non-negative") {
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.memory.emplace().limit = -2; }) ==
        "cgroup.resources.memory.limit: must be -1 (unlimited) or non-negative, got -2");
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.memory.emplace().reservation = -5; }) ==
        "cgroup.resources.memory.reservation: must be -1 (unlimited) or non-negative, "
        "got -5");
}

TEST_CASE("memory+swap is not below the memory limit") {
  CHECK(Error([](cask::Config& c) {
          c.cgroup.resources.memory.emplace().limit = 2000;
          c.cgroup.resources.memory->swap = 1000;
        }) == "cgroup.resources.memory.swap: memory+swap 1000 is below the memory limit 2000");
}

TEST_CASE("swappiness is at most 100") {
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.memory.emplace().swappiness = 101; }) ==
        "cgroup.resources.memory.swappiness: must be at most 100");
}

TEST_CASE("cpu shares are not zero") {
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.cpu.emplace().shares = 0; }) ==
        "cgroup.resources.cpu.shares: must not be zero");
}

TEST_CASE("cpu quota is -1 or non-negative and the period is not zero") {
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.cpu.emplace().quota = -3; }) ==
        "cgroup.resources.cpu.quota: must be -1 (unlimited) or non-negative, got -3");
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.cpu.emplace().period = 0; }) ==
        "cgroup.resources.cpu.period: must not be zero");
}

TEST_CASE("cpu idle is 0 or 1") {
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.cpu.emplace().idle = 2; }) ==
        "cgroup.resources.cpu.idle: must be 0 or 1, got 2");
}

TEST_CASE("the pids limit is -1 or non-negative") {
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.pids.emplace().limit = -2; }) ==
        "cgroup.resources.pids.limit: must be -1 (unlimited) or non-negative, got -2");
}

TEST_CASE("block io weights are 10..1000") {
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.block_io.emplace().weight = 5; }) ==
        "cgroup.resources.block_io.weight: 5 is outside 10..1000");
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.block_io.emplace().leaf_weight = 1001; }) ==
        "cgroup.resources.block_io.leaf_weight: 1001 is outside 10..1000");
  CHECK(Error([](cask::Config& c) {
          c.cgroup.resources.block_io.emplace().weight_device.push_back({8, 0, 2000, {}});
        }) == "cgroup.resources.block_io.weight_device[0].weight: 2000 is outside 10..1000");
}

TEST_CASE("device cgroup rules have a known type and access") {
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.devices[0].type = 'u'; }) ==
        "cgroup.resources.devices[0].type: unknown device rule type \"u\" (expected a, b or c)");
  CHECK(Error([](cask::Config& c) { c.cgroup.resources.devices[0].access = "rx"; }) ==
        "cgroup.resources.devices[0].access: expected letters from \"rwm\", got \"rx\"");
}

TEST_CASE("networks need a new network namespace") {
  CHECK(Error([](cask::Config& c) {
          c.namespaces[1].path = "/run/netns/blue";
          c.networks.push_back(cask::Network{});
        }) == "networks: networks need a new network namespace");
}

TEST_CASE("a network type is loopback or veth") {
  CHECK(Error([](cask::Config& c) {
          c.networks.push_back(Veth());
          c.networks[0].type = "bridge";
        }) == "networks[0].type: unknown network type \"bridge\" (expected loopback or veth)");
}

TEST_CASE("a veth has both interface names") {
  CHECK(Error([](cask::Config& c) {
          c.networks.push_back(Veth());
          c.networks[0].name = "";
        }) == "networks[0].name: a veth needs an interface name");
  CHECK(Error([](cask::Config& c) {
          c.networks.push_back(Veth());
          c.networks[0].host_name = "";
        }) == "networks[0].host_name: a veth needs an interface name");
  CHECK(Error([](cask::Config& c) {
          c.networks.push_back(Veth());
          c.networks[0].host_name = "veth-much-too-long";
        }) == "networks[0].host_name: invalid interface name in host_name \"veth-much-too-long\": longer than 15 bytes");
  CHECK(Error([](cask::Config& c) {
          c.networks.push_back(Veth());
          c.networks[0].name = "eth 0";
        }) == "networks[0].name: invalid interface name in name \"eth 0\": contains '/', ':', a NUL byte or white space");
}

TEST_CASE("veth addresses are well-formed") {
  for (const char* bad : {"10.88.0.2", "10.88.0.2/33", "10.88.0/24", "10.88.0.2/", "x/24",
                          "fd00::2/129", "10.88.0.2/2a"}) {
    INFO(bad);
    CHECK(Error([&](cask::Config& c) {
            c.networks.push_back(Veth());
            c.networks[0].address = bad;
          }).starts_with("networks[0].address: invalid CIDR \"" + std::string(bad) + "\": "));
  }
  CHECK(Error([](cask::Config& c) {
          c.networks.push_back(Veth());
          c.networks[0].host_address = "10.88.0.1";
        }) == "networks[0].host_address: invalid CIDR \"10.88.0.1\": no prefix length (\"/N\")");
  CHECK(Error([](cask::Config& c) {
          c.networks.push_back(Veth());
          c.networks[0].gateway = "10.88.0.1/24";
        }) == "networks[0].gateway: invalid IP address \"10.88.0.1/24\": not an IPv4 address");
  // Checked with the config, not first when init sets the interface up.
  CHECK(Error([](cask::Config& c) {
          c.networks.push_back(Veth());
          c.networks[0].mac_address = "02:42:ac:11:00";
        }) == "networks[0].mac_address: invalid MAC address \"02:42:ac:11:00\": expected six hex octets like "
              "02:42:ac:11:00:02");
}

TEST_CASE("a veth's host namespace path is absolute") {
  CHECK(Error([](cask::Config& c) {
          c.networks.push_back(Veth());
          c.networks[0].host_netns = "netns/host";
        }) == "networks[0].host_netns: must be an absolute path, got \"netns/host\"");
}

TEST_CASE("hooks have absolute paths and positive timeouts") {
  CHECK(Error([](cask::Config& c) {
          c.hooks.poststop.push_back({"cleanup", {}, {}, {}});
        }) == "hooks.poststop[0].path: must be an absolute path, got \"cleanup\"");
  CHECK(Error([](cask::Config& c) {
          c.hooks.prestart.push_back({"/bin/x", {}, {}, 0});
        }) == "hooks.prestart[0].timeout: must be positive");
}

TEST_CASE("a process validates on its own under its path") {
  cask::ProcessConfig process;
  process.args = {"sh"};
  CHECK_NOTHROW(cask::ValidateProcess(process, "process"));
  process.cwd = "tmp";
  try {
    cask::ValidateProcess(process, "exec");
    FAIL("no error");
  } catch (const cask::ConfigError& e) {
    CHECK(e.path() == "exec.cwd");
    CHECK(e.reason() == "must be an absolute path, got \"tmp\"");
  }
}

TEST_CASE("a root path with no mount namespace is an error, not the host's root") {
  CHECK(Error([](cask::Config& c) {
          std::erase_if(c.namespaces, [](const cask::Namespace& ns) { return ns.type == cask::NamespaceType::kMount; });
        }) == "root.path: needs a mount namespace (\"mount\" in namespaces), or the container would see the "
              "host's root instead");
  // An empty config (what `{}` parses to) says what is wrong with it.
  cask::Config empty;
  CHECK_THROWS_WITH(empty.Validate(), "root.path: must not be empty");
}

TEST_CASE("Problems lists the first problem of every part of the config") {
  cask::Config config = Valid();
  config.hostname = "x";
  std::erase_if(config.namespaces, [](const cask::Namespace& ns) {
    return ns.type == cask::NamespaceType::kMount || ns.type == cask::NamespaceType::kUts;
  });
  config.rlimits = {{"RLIMIT_FOO", 1, 1}};
  config.process.cwd = "tmp";
  auto problems = config.Problems();
  REQUIRE(problems.size() == 4);
  CHECK(problems[0].path() == "root.path");
  CHECK(problems[1].path() == "hostname");
  CHECK(problems[2].path() == "rlimits[0].type");
  CHECK(problems[3].path() == "process.cwd");
  CHECK(Valid().Problems().empty());
}
