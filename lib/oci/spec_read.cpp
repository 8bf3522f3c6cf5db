// config.json -> Config. Each Read* takes one object of the runtime-spec; a setting
// that cask cannot honour is refused by Unsupported() with its path and the reason.
#include <cask/defaults.hpp>
#include <cask/namespaces.hpp>
#include <cask/oci.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "common/text.hpp"
#include "oci/spec_node.hpp"

namespace cask::oci {
namespace {

using oci_detail::Node;

void Unsupported(const Node& node, const std::string& why) {
  if (node.Present()) node.Fail(why);
}

// An LSM setting: refused when the LSM is off here, and (until cask applies them) when
// it is on.
void UnsupportedLsm(const Node& node, const char* lsm, const char* enabled_file) {
  if (!node.Present() || node.String().empty()) return;
  const bool enabled = access(enabled_file, F_OK) == 0;
  node.Fail(std::string(enabled ? "cask does not apply " : "the host has no ") + lsm +
            (enabled ? " settings yet" : " (it is not enabled in this kernel)"));
}

std::vector<IdMapping> ReadIdMappings(const Node& node) {
  std::vector<IdMapping> out;
  for (const Node& item : node.Items()) {
    out.push_back({item["containerID"].Integer<uint32_t>(), item["hostID"].Integer<uint32_t>(),
                   item["size"].Integer<uint32_t>()});
  }
  return out;
}

Mount ReadMount(const Node& node) {
  Mount mount;
  mount.destination = node["destination"].String();
  mount.source = node["source"].StringOr("");
  mount.type = node["type"].StringOr("");
  mount.options = node["options"].Strings();
  mount.uid_mappings = ReadIdMappings(node["uidMappings"]);
  mount.gid_mappings = ReadIdMappings(node["gidMappings"]);
  return mount;
}

// The kernel raises an ambient capability only when it is permitted and inheritable;
// runc skips the others (with a warning), and `runc spec` itself writes ambient
// capabilities without inheritable ones, so a bundle's are kept only where they can be.
Capabilities ReadCapabilities(const Node& node) {
  Capabilities caps{node["bounding"].Strings(), node["effective"].Strings(), node["permitted"].Strings(),
                    node["inheritable"].Strings(), node["ambient"].Strings()};
  auto in = [](const std::vector<std::string>& set, const std::string& cap) {
    return std::find(set.begin(), set.end(), cap) != set.end();
  };
  std::erase_if(caps.ambient, [&](const std::string& cap) { return !in(caps.permitted, cap) || !in(caps.inheritable, cap); });
  return caps;
}

std::vector<Rlimit> ReadRlimits(const Node& node) {
  std::vector<Rlimit> out;
  for (const Node& item : node.Items()) {
    out.push_back({item["type"].String(), item["soft"].Integer<uint64_t>(), item["hard"].Integer<uint64_t>()});
  }
  return out;
}

ProcessConfig ReadProcess(const Node& node) {
  if (!node.Present()) return {};
  ProcessConfig process;
  process.terminal = node["terminal"].BoolOr(false);
  if (node["consoleSize"].Present()) {
    process.console_size = ConsoleSize{node["consoleSize"]["height"].Integer<uint16_t>(),
                                       node["consoleSize"]["width"].Integer<uint16_t>()};
  }
  const Node user = node["user"];
  if (user.Present()) {
    process.user = std::to_string(user["uid"].Integer<uint32_t>()) + ":" +
                   std::to_string(user["gid"].Integer<uint32_t>());
    process.umask = user["umask"].OptionalInteger<uint32_t>();
    for (const Node& gid : user["additionalGids"].Items()) {
      process.additional_groups.push_back(std::to_string(gid.Integer<uint32_t>()));
    }
  }
  process.args = node["args"].Strings();
  Unsupported(node["commandLine"], "is for Windows");
  process.env = node["env"].Strings();
  process.cwd = node["cwd"].String();
  if (node["capabilities"].Present()) process.capabilities = ReadCapabilities(node["capabilities"]);
  if (node["rlimits"].Present()) process.rlimits = ReadRlimits(node["rlimits"]);
  if (node["noNewPrivileges"].Present()) process.no_new_privileges = node["noNewPrivileges"].Bool();
  process.oom_score_adj = node["oomScoreAdj"].OptionalInteger<int>();
  UnsupportedLsm(node["apparmorProfile"], "AppArmor", "/sys/kernel/security/apparmor");
  UnsupportedLsm(node["selinuxLabel"], "SELinux", "/sys/fs/selinux/enforce");
  if (const Node scheduler = node["scheduler"]; scheduler.Present()) {
    process.scheduler = Scheduler{scheduler["policy"].String(),
                                  scheduler["nice"].OptionalInteger<int>().value_or(0),
                                  scheduler["priority"].OptionalInteger<uint32_t>().value_or(0),
                                  scheduler["flags"].Strings(),
                                  scheduler["runtime"].OptionalInteger<uint64_t>().value_or(0),
                                  scheduler["deadline"].OptionalInteger<uint64_t>().value_or(0),
                                  scheduler["period"].OptionalInteger<uint64_t>().value_or(0)};
  }
  if (const Node io = node["ioPriority"]; io.Present()) {
    process.io_priority = IoPriority{io["class"].String(), io["priority"].OptionalInteger<int>().value_or(0)};
  }
  Unsupported(node["execCPUAffinity"], "cask does not set a CPU affinity yet");
  return process;
}

Hook ReadHook(const Node& node) {
  Hook hook{node["path"].String(), node["args"].Strings(), node["env"].Strings(), node["timeout"].OptionalInteger<int>()};
  if (hook.timeout && *hook.timeout <= 0) node["timeout"].Fail("must be more than 0 seconds");
  return hook;
}

Hooks ReadHooks(const Node& node) {
  auto read = [&](const char* key) {
    std::vector<Hook> hooks;
    for (const Node& item : node[key].Items()) hooks.push_back(ReadHook(item));
    return hooks;
  };
  return {read("prestart"), read("createRuntime"), read("createContainer"),
          read("startContainer"), read("poststart"), read("poststop")};
}

std::vector<ThrottleDevice> ReadThrottle(const Node& node) {
  std::vector<ThrottleDevice> out;
  for (const Node& item : node.Items()) {
    out.push_back({item["major"].Integer<int64_t>(), item["minor"].Integer<int64_t>(), item["rate"].Integer<uint64_t>()});
  }
  return out;
}

BlockIoResources ReadBlockIo(const Node& node) {
  BlockIoResources io;
  io.weight = node["weight"].OptionalInteger<uint16_t>();
  io.leaf_weight = node["leafWeight"].OptionalInteger<uint16_t>();
  for (const Node& item : node["weightDevice"].Items()) {
    io.weight_device.push_back({item["major"].Integer<int64_t>(), item["minor"].Integer<int64_t>(),
                                item["weight"].OptionalInteger<uint16_t>(), item["leafWeight"].OptionalInteger<uint16_t>()});
  }
  io.throttle_read_bps_device = ReadThrottle(node["throttleReadBpsDevice"]);
  io.throttle_write_bps_device = ReadThrottle(node["throttleWriteBpsDevice"]);
  io.throttle_read_iops_device = ReadThrottle(node["throttleReadIOPSDevice"]);
  io.throttle_write_iops_device = ReadThrottle(node["throttleWriteIOPSDevice"]);
  return io;
}

DeviceRule ReadDeviceRule(const Node& node) {
  DeviceRule rule;
  rule.allow = node["allow"].Bool();
  const std::string type = node["type"].StringOr("a");
  if (type.size() != 1) node["type"].Fail("must be \"a\", \"c\" or \"b\"");
  rule.type = type[0];
  rule.major = node["major"].OptionalInteger<int64_t>().value_or(-1);
  rule.minor = node["minor"].OptionalInteger<int64_t>().value_or(-1);
  rule.access = node["access"].StringOr("rwm");
  return rule;
}

// runc's reading, which clients rely on (docker sends cpu.shares 0 and blockIO.weight
// 0 for "not set"): a zero limit is no limit set, and a negative pids limit is none.
void UnsetZeros(Resources& r) {
  auto unset_zero = [](auto& value) {
    if (value && *value == 0) value.reset();
  };
  if (r.memory) {
    unset_zero(r.memory->limit);
    unset_zero(r.memory->reservation);
    unset_zero(r.memory->swap);
  }
  if (r.cpu) {
    unset_zero(r.cpu->shares);
    unset_zero(r.cpu->quota);
    unset_zero(r.cpu->period);
    unset_zero(r.cpu->realtime_runtime);
    unset_zero(r.cpu->realtime_period);
  }
  if (r.block_io) {
    unset_zero(r.block_io->weight);
    unset_zero(r.block_io->leaf_weight);
  }
  if (r.pids && r.pids->limit == 0) r.pids.reset();
  if (r.pids && r.pids->limit < 0) r.pids->limit = -1;
}

Resources ReadResources(const Node& node) {
  Resources r;
  if (!node.Present()) return r;
  const Node memory = node["memory"];
  if (memory.Present()) {
    r.memory = MemoryResources{memory["limit"].OptionalInteger<int64_t>(),
                               memory["reservation"].OptionalInteger<int64_t>(),
                               memory["swap"].OptionalInteger<int64_t>(),
                               memory["swappiness"].OptionalInteger<uint64_t>(),
                               memory["disableOOMKiller"].Present()
                                   ? std::optional<bool>(memory["disableOOMKiller"].Bool())
                                   : std::nullopt};
    // Kernel memory limits are gone from the kernel (5.16 and later) and the spec.
    if (memory["kernel"].Present() && memory["kernel"].Integer<int64_t>() != 0) {
      memory["kernel"].Fail("kernel memory limits are not supported by this kernel");
    }
    if (memory["kernelTCP"].Present() && memory["kernelTCP"].Integer<int64_t>() != 0) {
      memory["kernelTCP"].Fail("kernel TCP memory limits are not supported by cask");
    }
    Unsupported(memory["checkBeforeUpdate"], "is not supported by cask yet");
  }
  const Node cpu = node["cpu"];
  if (cpu.Present()) {
    r.cpu = CpuResources{cpu["shares"].OptionalInteger<uint64_t>(), cpu["quota"].OptionalInteger<int64_t>(),
                         cpu["period"].OptionalInteger<uint64_t>(), cpu["realtimeRuntime"].OptionalInteger<int64_t>(),
                         cpu["realtimePeriod"].OptionalInteger<uint64_t>(), cpu["burst"].OptionalInteger<uint64_t>(),
                         cpu["idle"].OptionalInteger<int64_t>(), cpu["cpus"].StringOr(""), cpu["mems"].StringOr("")};
  }
  if (node["pids"].Present()) r.pids = PidsResources{node["pids"]["limit"].Integer<int64_t>()};
  if (node["blockIO"].Present()) r.block_io = ReadBlockIo(node["blockIO"]);
  for (const Node& item : node["hugepageLimits"].Items()) {
    r.hugepage_limits.push_back({item["pageSize"].String(), item["limit"].Integer<uint64_t>()});
  }
  for (const Node& item : node["devices"].Items()) r.devices.push_back(ReadDeviceRule(item));
  Unsupported(node["network"], "the net_cls and net_prio controllers are not supported by cask");
  Unsupported(node["rdma"], "the rdma controller is not supported by cask");
  r.unified = node["unified"].StringMap();
  UnsetZeros(r);
  return r;
}

Device ReadDevice(const Node& node) {
  Device device;
  device.path = node["path"].String();
  const std::string type = node["type"].String();
  if (type.size() != 1) node["type"].Fail("must be \"c\", \"b\", \"u\" or \"p\"");
  device.type = type[0];
  device.major = node["major"].OptionalInteger<int64_t>().value_or(0);
  device.minor = node["minor"].OptionalInteger<int64_t>().value_or(0);
  device.file_mode = node["fileMode"].OptionalInteger<uint32_t>();
  if (device.file_mode && (*device.file_mode & S_IFMT) != 0) {
    // podman writes the file type too (0o20600 for a character device), as stat gives it.
    const mode_t kind = *device.file_mode & S_IFMT;
    const bool matches = (kind == S_IFCHR && (device.type == 'c' || device.type == 'u')) ||
                         (kind == S_IFBLK && device.type == 'b') || (kind == S_IFIFO && device.type == 'p');
    if (!matches) node["fileMode"].Fail("its file type bits do not match type \"" + type + "\"");
    device.file_mode = *device.file_mode & 07777;
  }
  device.uid = node["uid"].OptionalInteger<uint32_t>();
  device.gid = node["gid"].OptionalInteger<uint32_t>();
  return device;
}

Seccomp ReadSeccomp(const Node& node) {
  Seccomp seccomp;
  seccomp.default_action = node["defaultAction"].String();
  seccomp.default_errno_ret = node["defaultErrnoRet"].OptionalInteger<uint32_t>();
  seccomp.architectures = node["architectures"].Strings();
  seccomp.flags = node["flags"].Strings();
  Unsupported(node["listenerPath"], "seccomp notification listeners are not supported by cask yet");
  for (const Node& item : node["syscalls"].Items()) {
    SeccompRule rule{item["names"].Strings(), item["action"].String(), item["errnoRet"].OptionalInteger<uint32_t>(), {}};
    for (const Node& arg : item["args"].Items()) {
      rule.args.push_back({arg["index"].Integer<uint32_t>(), arg["value"].Integer<uint64_t>(),
                           arg["valueTwo"].OptionalInteger<uint64_t>().value_or(0), arg["op"].String()});
    }
    seccomp.syscalls.push_back(std::move(rule));
  }
  return seccomp;
}

void ReadLinux(const Node& linux, Config& config) {
  for (const Node& item : linux["namespaces"].Items()) {
    const std::string type = item["type"].String();
    const auto parsed = NamespaceFromName(type);
    if (!parsed) item["type"].Fail("unknown namespace type \"" + type + "\"");
    config.namespaces.push_back({*parsed, item["path"].StringOr("")});
  }
  config.uid_mappings = ReadIdMappings(linux["uidMappings"]);
  config.gid_mappings = ReadIdMappings(linux["gidMappings"]);
  for (const auto& [clock, offset] : linux["timeOffsets"].Members()) {
    config.time_offsets[clock] = {offset["secs"].OptionalInteger<int64_t>().value_or(0),
                                  offset["nanosecs"].OptionalInteger<uint32_t>().value_or(0)};
  }
  for (const Node& item : linux["devices"].Items()) config.devices.push_back(ReadDevice(item));
  config.cgroup.path = linux["cgroupsPath"].StringOr("");
  config.cgroup.resources = ReadResources(linux["resources"]);
  // runc allows the default devices whatever the spec's rules say; a config that cask
  // wrote has them already.
  auto& rules = config.cgroup.resources.devices;
  for (const DeviceRule& rule : DefaultDeviceAllows()) {
    if (std::find(rules.begin(), rules.end(), rule) == rules.end()) rules.push_back(rule);
  }
  config.sysctl = linux["sysctl"].StringMap();
  if (linux["seccomp"].Present()) config.seccomp = ReadSeccomp(linux["seccomp"]);
  config.rootfs_propagation = linux["rootfsPropagation"].StringOr("");
  config.masked_paths = linux["maskedPaths"].Strings();
  config.readonly_paths = linux["readonlyPaths"].Strings();
  UnsupportedLsm(linux["mountLabel"], "SELinux", "/sys/fs/selinux/enforce");
  Unsupported(linux["intelRdt"], "Intel RDT (resctrl) is not supported by cask");
  if (const Node personality = linux["personality"]; personality.Present()) {
    config.personality = Personality{personality["domain"].String(), personality["flags"].Strings()};
  }
  Unsupported(linux["memoryPolicy"], "cask does not set a NUMA memory policy yet");
  Unsupported(linux["netDevices"], "cask does not move network devices yet");
}

nlohmann::json ParseJson(std::string_view text, const char* what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError("", std::string(what) + " is not valid JSON: " + e.what());
  }
}

}  // namespace

Config ParseSpec(std::string_view text, const std::string& bundle_dir) {
  const nlohmann::json json = ParseJson(text, "config.json");
  const Node spec(&json, "");
  if (!json.is_object()) spec.Fail("config.json must hold an object");
  const std::string version = spec["ociVersion"].String();
  if (version.rfind("1.", 0) != 0) spec["ociVersion"].Fail("cask reads runtime-spec 1.x, not " + version);

  Config config;
  config.bundle = bundle_dir;
  const Node root = spec["root"];
  if (!root.Present()) root.Fail("is required");
  config.root.path = root["path"].String();
  if (!config.root.path.empty() && config.root.path[0] != '/') {
    config.root.path = (std::filesystem::path(bundle_dir) / config.root.path).lexically_normal().string();
  }
  config.root.readonly = root["readonly"].BoolOr(false);
  for (const Node& item : spec["mounts"].Items()) config.mounts.push_back(ReadMount(item));

  // The container-wide settings of the process section belong to the Config.
  config.process = ReadProcess(spec["process"]);
  if (config.process.capabilities) config.capabilities = *std::exchange(config.process.capabilities, std::nullopt);
  if (config.process.rlimits) config.rlimits = *std::exchange(config.process.rlimits, std::nullopt);
  config.no_new_privileges = std::exchange(config.process.no_new_privileges, std::nullopt).value_or(false);
  config.oom_score_adj = std::exchange(config.process.oom_score_adj, std::nullopt);

  config.hostname = spec["hostname"].StringOr("");
  config.domainname = spec["domainname"].StringOr("");
  config.hooks = ReadHooks(spec["hooks"]);
  config.labels = spec["annotations"].StringMap();
  ReadLinux(spec["linux"], config);
  return config;
}

Config ReadBundle(const std::string& dir) {
  std::string bundle = std::filesystem::absolute(dir).lexically_normal().string();
  if (bundle.size() > 1 && bundle.back() == '/') bundle.pop_back();  // "." gives "/b/"
  const std::string file = (std::filesystem::path(bundle) / "config.json").string();
  std::string text;
  if (!ReadWholeFile(file, text)) throw Error(errno, "read " + file);
  return ParseSpec(text, bundle);
}

ProcessConfig ParseProcess(std::string_view text) {
  const nlohmann::json json = ParseJson(text, "the process file");
  return ReadProcess(Node(&json, "process"));
}

Resources ParseUpdate(std::string_view text) {
  const nlohmann::json json = ParseJson(text, "the resources");
  return ReadResources(Node(&json, "resources"));
}

}  // namespace cask::oci
