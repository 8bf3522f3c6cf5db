// Config::Validate() and the checks of its parts (validate.hpp says what they cover).
#include <cask/capabilities.hpp>
#include <cask/mount_options.hpp>
#include <cask/namespaces.hpp>
#include <cask/rlimits.hpp>
#include <cask/scheduling.hpp>
#include <cask/validate.hpp>

#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

#include "common/step_error.hpp"
#include "net/address.hpp"

namespace cask {
namespace validate_detail {
namespace {

std::string Index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

void RequireAbsolute(const std::string& path, const std::string& value) {
  if (value.empty()) throw ConfigError(path, "must not be empty");
  if (value.front() != '/') {
    throw ConfigError(path, "must be an absolute path, got " + Quote(value));
  }
}

bool HasDotDot(std::string_view path) {
  while (!path.empty()) {
    const auto slash = path.find('/');
    if (path.substr(0, slash) == "..") return true;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return false;
}

void ValidateCapabilities(const Capabilities& caps, const std::string& path) {
  const std::array<std::pair<const char*, const std::vector<std::string>*>, 5> sets = {{
      {"bounding", &caps.bounding},
      {"effective", &caps.effective},
      {"permitted", &caps.permitted},
      {"inheritable", &caps.inheritable},
      {"ambient", &caps.ambient},
  }};
  for (const auto& [name, names] : sets) {
    for (std::size_t i = 0; i < names->size(); ++i) {
      if (!CapabilityFromName((*names)[i])) {
        throw ConfigError(Index(path + "." + name, i), "unknown capability " + Quote((*names)[i]));
      }
    }
  }
}

void ValidateRlimits(const std::vector<Rlimit>& rlimits, const std::string& path) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < rlimits.size(); ++i) {
    const Rlimit& rlimit = rlimits[i];
    const std::string at = Index(path, i);
    if (!RlimitFromName(rlimit.type)) {
      throw ConfigError(at + ".type", "unknown rlimit " + Quote(rlimit.type));
    }
    if (!seen.insert(rlimit.type).second) {
      throw ConfigError(at + ".type", Quote(rlimit.type) + " listed twice");
    }
    if (rlimit.soft > rlimit.hard) {
      throw ConfigError(at, "soft limit " + std::to_string(rlimit.soft) + " exceeds hard limit " +
                                std::to_string(rlimit.hard));
    }
  }
}

void ValidateOomScoreAdj(const std::optional<int>& value, const std::string& path) {
  if (value && (*value < -1000 || *value > 1000)) {
    throw ConfigError(path, std::to_string(*value) + " is outside -1000..1000");
  }
}

const Namespace* NewNamespace(const Config& config, NamespaceType type) {
  const Namespace* ns = config.FindNamespace(type);
  return ns != nullptr && ns->path.empty() ? ns : nullptr;
}

void ValidateNamespaces(const Config& config) {
  std::set<NamespaceType> seen;
  for (std::size_t i = 0; i < config.namespaces.size(); ++i) {
    const Namespace& ns = config.namespaces[i];
    const std::string at = Index("namespaces", i);
    if (!seen.insert(ns.type).second) {
      throw ConfigError(at + ".type",
                        "namespace " + Quote(NamespaceName(ns.type)) + " listed twice");
    }
    if (!ns.path.empty()) RequireAbsolute(at + ".path", ns.path);
  }
}

void ValidateIdMappings(const std::vector<IdMapping>& mappings, const std::string& path) {
  for (std::size_t i = 0; i < mappings.size(); ++i) {
    const IdMapping& m = mappings[i];
    const std::string at = Index(path, i);
    if (m.size == 0) throw ConfigError(at + ".size", "must not be zero");
    const uint64_t limit = uint64_t{1} << 32;
    if (m.container_id + uint64_t{m.size} > limit || m.host_id + uint64_t{m.size} > limit) {
      throw ConfigError(at, "range runs past id 4294967295");
    }
    for (std::size_t k = 0; k < i; ++k) {
      const IdMapping& other = mappings[k];
      auto overlap = [&](uint64_t a, uint64_t b) { return a < b + other.size && b < a + m.size; };
      auto range = [&](uint64_t first) {
        return std::to_string(first) + "-" + std::to_string(first + m.size - 1);
      };
      if (overlap(m.container_id, other.container_id)) {
        throw ConfigError(at,
                          "container ids " + range(m.container_id) + " overlap " + Index(path, k));
      }
      if (overlap(m.host_id, other.host_id)) {
        throw ConfigError(at, "host ids " + range(m.host_id) + " overlap " + Index(path, k));
      }
    }
  }
}

void ValidateUserNamespace(const Config& config) {
  const bool new_userns = NewNamespace(config, NamespaceType::kUser) != nullptr;
  for (const auto& [name, mappings] : {std::pair{"uid_mappings", &config.uid_mappings},
                                       std::pair{"gid_mappings", &config.gid_mappings}}) {
    if (new_userns && mappings->empty()) {
      throw ConfigError(name, "a new user namespace needs mappings");
    }
    if (!new_userns && !mappings->empty()) {
      throw ConfigError(name, "mappings need a new user namespace");
    }
    ValidateIdMappings(*mappings, name);
  }
}

void ValidateTimeOffsets(const Config& config) {
  if (config.time_offsets.empty()) return;
  if (!NewNamespace(config, NamespaceType::kTime)) {
    throw ConfigError("time_offsets", "offsets need a new time namespace");
  }
  for (const auto& [clock, offset] : config.time_offsets) {
    const std::string at = "time_offsets[" + Quote(clock) + "]";
    if (clock != "monotonic" && clock != "boottime") {
      throw ConfigError(at, "unknown clock (expected \"monotonic\" or \"boottime\")");
    }
    if (offset.nanosecs >= 1'000'000'000) {
      throw ConfigError(at + ".nanosecs", "must be below 1000000000");
    }
  }
}

// A sysctl is allowed only when it belongs to a namespace of the container (as runc):
// System V IPC and POSIX message queues to its ipc namespace, net.* to a new network
// namespace, the host and domain names to a new uts namespace.
void ValidateSysctl(const Config& config) {
  static constexpr std::array<std::string_view, 8> kIpcSysctls = {
      "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem",
      "kernel.shmall", "kernel.shmmax", "kernel.shm_rmid_forced", "kernel.shmmni"};
  for (const auto& [key, value] : config.sysctl) {
    const std::string at = "sysctl[" + Quote(key) + "]";
    const bool ipc = std::find(kIpcSysctls.begin(), kIpcSysctls.end(), key) != kIpcSysctls.end() ||
                     key.starts_with("fs.mqueue.");
    if (ipc) {
      if (!config.HasNamespace(NamespaceType::kIpc)) {
        throw ConfigError(at, "needs an ipc namespace");
      }
    } else if (key.starts_with("net.")) {
      if (!NewNamespace(config, NamespaceType::kNet)) {
        throw ConfigError(at, "needs a new network namespace");
      }
    } else if (key == "kernel.hostname" || key == "kernel.domainname") {
      if (!NewNamespace(config, NamespaceType::kUts)) {
        throw ConfigError(at, "needs a new uts namespace");
      }
    } else {
      throw ConfigError(at, "not namespaced: it would change the host");
    }
  }
}

void ValidateMounts(const std::vector<Mount>& mounts) {
  for (std::size_t i = 0; i < mounts.size(); ++i) {
    const Mount& mount = mounts[i];
    const std::string at = Index("mounts", i);
    RequireAbsolute(at + ".destination", mount.destination);
    if (HasDotDot(mount.destination)) {
      throw ConfigError(at + ".destination", "must not contain \"..\" components");
    }
    const MountFlags flags = ParseMountOptions(mount.options);
    if (mount.type.empty() && !flags.bind) {
      throw ConfigError(at + ".type", "empty type needs a bind or rbind option");
    }
    if (!IsSinglePropagation(flags.propagation)) {
      throw ConfigError(at + ".options", "more than one propagation type");
    }
    if (flags.copy_up && (mount.type != "tmpfs" || flags.bind)) {
      throw ConfigError(at + ".options", "tmpcopyup is for a tmpfs mount, not " + Quote(mount.type));
    }
    const bool mapped = !mount.uid_mappings.empty() || !mount.gid_mappings.empty();
    if (mapped && !flags.idmap) {
      throw ConfigError(at + ".uid_mappings", "mappings need the idmap or ridmap option");
    }
    if (flags.idmap && !flags.bind && mount.type != "bind") {
      throw ConfigError(at + ".options", "idmap and ridmap are for bind mounts");
    }
    if (flags.idmap && mapped && (mount.uid_mappings.empty() || mount.gid_mappings.empty())) {
      throw ConfigError(at + ".gid_mappings", "an idmapped mount needs both uid and gid mappings");
    }
  }
}

void ValidatePaths(const std::vector<std::string>& paths, const std::string& path) {
  for (std::size_t i = 0; i < paths.size(); ++i) RequireAbsolute(Index(path, i), paths[i]);
}

void ValidateDevices(const std::vector<Device>& devices) {
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const Device& device = devices[i];
    const std::string at = Index("devices", i);
    if (!device.path.starts_with("/dev/") || HasDotDot(device.path)) {
      throw ConfigError(at + ".path", "must be a path under /dev, got " + Quote(device.path));
    }
    if (std::string_view("cbup").find(device.type) == std::string_view::npos) {
      throw ConfigError(at + ".type", "unknown device type \"" + std::string(1, device.type) +
                                          "\" (expected c, b, u or p)");
    }
    if (device.file_mode && *device.file_mode > 07777) {
      throw ConfigError(at + ".file_mode", "has bits beyond 07777");
    }
  }
}

// -1 means unlimited; other negative values are mistakes.
void RequireLimit(const std::optional<int64_t>& value, const std::string& path) {
  if (value && *value < -1) {
    throw ConfigError(path,
                      "must be -1 (unlimited) or non-negative, got " + std::to_string(*value));
  }
}

void RequireWeight(const std::optional<uint16_t>& weight, const std::string& path) {
  if (weight && (*weight < 10 || *weight > 1000)) {
    throw ConfigError(path, std::to_string(*weight) + " is outside 10..1000");
  }
}

// A net:: parser's refusal of the string at `path`, as a ConfigError.
template <typename Parse>
void NetworkField(const std::string& path, Parse parse) {
  try {
    parse();
  } catch (const StepError& e) {
    throw ConfigError(path, e.message());
  }
}

void ValidateNetworks(const Config& config) {
  if (!config.networks.empty() && !NewNamespace(config, NamespaceType::kNet)) {
    throw ConfigError("networks", "networks need a new network namespace");
  }
  for (std::size_t i = 0; i < config.networks.size(); ++i) {
    const Network& net = config.networks[i];
    const std::string at = Index("networks", i);
    if (net.type == "loopback") continue;
    if (net.type != "veth") {
      throw ConfigError(at + ".type",
                        "unknown network type " + Quote(net.type) + " (expected loopback or veth)");
    }
    for (const auto& field : {std::pair{"name", &net.name}, std::pair{"host_name", &net.host_name}}) {
      const char* key = field.first;  // not a structured binding: clang 14 captures none
      const std::string& name = *field.second;
      if (name.empty()) throw ConfigError(at + "." + key, "a veth needs an interface name");
      NetworkField(at + "." + key, [&] { net::CheckInterfaceName(name, key); });
    }
    if (!net.host_netns.empty()) RequireAbsolute(at + ".host_netns", net.host_netns);
    // The parsers that init and the host use on these strings, so that what passes here
    // is what they take.
    if (!net.address.empty()) NetworkField(at + ".address", [&] { net::ParseCidr(net.address); });
    if (!net.host_address.empty()) NetworkField(at + ".host_address", [&] { net::ParseCidr(net.host_address); });
    if (!net.gateway.empty()) NetworkField(at + ".gateway", [&] { net::ParseIpAddress(net.gateway); });
    if (!net.mac_address.empty()) NetworkField(at + ".mac_address", [&] { net::ParseMacAddress(net.mac_address); });
  }
}

void ValidateHooks(const Hooks& hooks) {
  const std::array<std::pair<const char*, const std::vector<Hook>*>, 6> lists = {{
      {"hooks.prestart", &hooks.prestart},
      {"hooks.create_runtime", &hooks.create_runtime},
      {"hooks.create_container", &hooks.create_container},
      {"hooks.start_container", &hooks.start_container},
      {"hooks.poststart", &hooks.poststart},
      {"hooks.poststop", &hooks.poststop},
  }};
  for (const auto& [name, list] : lists) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Hook& hook = (*list)[i];
      RequireAbsolute(Index(name, i) + ".path", hook.path);
      if (hook.timeout && *hook.timeout <= 0) {
        throw ConfigError(Index(name, i) + ".timeout", "must be positive");
      }
    }
  }
}


void ValidateScheduler(const Scheduler& scheduler, const std::string& path) {
  const auto policy = ValueOf(kSchedulerPolicies, scheduler.policy);
  if (!policy) throw ConfigError(path + ".policy", "unknown policy " + Quote(scheduler.policy));
  if (scheduler.nice < -20 || scheduler.nice > 19) throw ConfigError(path + ".nice", "must be between -20 and 19");
  const bool realtime = scheduler.policy == "SCHED_FIFO" || scheduler.policy == "SCHED_RR";
  if (realtime && (scheduler.priority < 1 || scheduler.priority > 99)) {
    throw ConfigError(path + ".priority", "must be between 1 and 99 for " + scheduler.policy);
  }
  if (!realtime && scheduler.priority != 0) {
    throw ConfigError(path + ".priority", "must be 0 for " + scheduler.policy);
  }
  for (std::size_t i = 0; i < scheduler.flags.size(); ++i) {
    if (!ValueOf(kSchedulerFlags, scheduler.flags[i])) {
      throw ConfigError(Index(path + ".flags", i), "unknown flag " + Quote(scheduler.flags[i]));
    }
  }
  const bool deadline = scheduler.policy == "SCHED_DEADLINE";
  if (deadline && (scheduler.runtime == 0 || scheduler.runtime > scheduler.deadline ||
                   (scheduler.period != 0 && scheduler.deadline > scheduler.period))) {
    throw ConfigError(path + ".runtime", "SCHED_DEADLINE needs 0 < runtime <= deadline <= period (period 0: deadline)");
  }
  if (!deadline && (scheduler.runtime != 0 || scheduler.deadline != 0 || scheduler.period != 0)) {
    throw ConfigError(path + ".runtime", "runtime, deadline and period are for SCHED_DEADLINE only");
  }
}

void ValidateIoPriority(const IoPriority& io, const std::string& path) {
  if (!ValueOf(kIoPriorityClasses, io.io_class)) throw ConfigError(path + ".class", "unknown class " + Quote(io.io_class));
  if (io.priority < 0 || io.priority > 7) throw ConfigError(path + ".priority", "must be between 0 and 7");
}

void ValidatePersonality(const std::optional<Personality>& personality) {
  if (!personality) return;
  if (!ValueOf(kPersonalityDomains, personality->domain)) {
    throw ConfigError("personality.domain", "unknown domain " + Quote(personality->domain) + " (LINUX or LINUX32)");
  }
  if (!personality->flags.empty()) {
    throw ConfigError("personality.flags[0]", "unknown flag " + Quote(personality->flags[0]) + " (the spec defines none)");
  }
}

}  // namespace

void ValidateSeccomp(const Seccomp& seccomp) {
  auto require_action = [&](const std::string& action, const std::string& path) {
    if (std::find(kSeccompActions.begin(), kSeccompActions.end(), action) == kSeccompActions.end()) {
      throw ConfigError(path, "unknown action " + Quote(action));
    }
  };
  require_action(seccomp.default_action, "seccomp.default_action");
  auto require_known = [](const auto& known, const std::vector<std::string>& names,
                          const std::string& path, const char* what) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (std::find(known.begin(), known.end(), names[i]) == known.end()) {
        throw ConfigError(Index(path, i), std::string("unknown ") + what + " " + Quote(names[i]));
      }
    }
  };
  require_known(kSeccompArchitectures, seccomp.architectures, "seccomp.architectures", "architecture");
  require_known(kSeccompFlags, seccomp.flags, "seccomp.flags", "flag");
  for (std::size_t i = 0; i < seccomp.syscalls.size(); ++i) {
    const SeccompRule& rule = seccomp.syscalls[i];
    const std::string at = Index("seccomp.syscalls", i);
    if (rule.names.empty()) throw ConfigError(at + ".names", "must not be empty");
    require_action(rule.action, at + ".action");
    if (rule.errno_ret && rule.action != "SCMP_ACT_ERRNO" && rule.action != "SCMP_ACT_TRACE") {
      throw ConfigError(at + ".errno_ret", "only for SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    }
    for (std::size_t k = 0; k < rule.args.size(); ++k) {
      const SeccompArg& arg = rule.args[k];
      const std::string arg_at = Index(at + ".args", k);
      if (arg.index > 5) throw ConfigError(arg_at + ".index", "must be 0..5");
      if (std::find(kSeccompOperators.begin(), kSeccompOperators.end(), arg.op) == kSeccompOperators.end()) {
        throw ConfigError(arg_at + ".op", "unknown operator " + Quote(arg.op));
      }
    }
  }
}

}  // namespace validate_detail

// Checks resources on their own (Container::Update); `at` prefixes error paths.
void ValidateResources(const Resources& resources, const std::string& at) {
  using namespace validate_detail;
  if (const auto& memory = resources.memory) {
    RequireLimit(memory->limit, at + ".memory.limit");
    RequireLimit(memory->reservation, at + ".memory.reservation");
    RequireLimit(memory->swap, at + ".memory.swap");
    if (memory->swappiness && *memory->swappiness > 100) {
      throw ConfigError(at + ".memory.swappiness", "must be at most 100");
    }
    // OCI's swap is memory + swap, so it cannot be below the memory limit.
    if (memory->limit && memory->swap && *memory->limit >= 0 && *memory->swap >= 0 &&
        *memory->swap < *memory->limit) {
      throw ConfigError(at + ".memory.swap", "memory+swap " + std::to_string(*memory->swap) +
                                                 " is below the memory limit " +
                                                 std::to_string(*memory->limit));
    }
  }
  if (const auto& cpu = resources.cpu) {
    if (cpu->shares && *cpu->shares == 0) {
      throw ConfigError(at + ".cpu.shares", "must not be zero");
    }
    RequireLimit(cpu->quota, at + ".cpu.quota");
    if (cpu->period && *cpu->period == 0) {
      throw ConfigError(at + ".cpu.period", "must not be zero");
    }
    RequireLimit(cpu->realtime_runtime, at + ".cpu.realtime_runtime");
    if (cpu->idle && *cpu->idle != 0 && *cpu->idle != 1) {
      throw ConfigError(at + ".cpu.idle", "must be 0 or 1, got " + std::to_string(*cpu->idle));
    }
  }
  if (resources.pids && resources.pids->limit < -1) {
    throw ConfigError(at + ".pids.limit", "must be -1 (unlimited) or non-negative, got " +
                                              std::to_string(resources.pids->limit));
  }
  if (const auto& block_io = resources.block_io) {
    RequireWeight(block_io->weight, at + ".block_io.weight");
    RequireWeight(block_io->leaf_weight, at + ".block_io.leaf_weight");
    for (std::size_t i = 0; i < block_io->weight_device.size(); ++i) {
      const std::string device_at = Index(at + ".block_io.weight_device", i);
      RequireWeight(block_io->weight_device[i].weight, device_at + ".weight");
      RequireWeight(block_io->weight_device[i].leaf_weight, device_at + ".leaf_weight");
    }
  }
  for (std::size_t i = 0; i < resources.devices.size(); ++i) {
    const DeviceRule& rule = resources.devices[i];
    const std::string rule_at = Index(at + ".devices", i);
    if (std::string_view("abc").find(rule.type) == std::string_view::npos) {
      throw ConfigError(
          rule_at + ".type",
          "unknown device rule type \"" + std::string(1, rule.type) + "\" (expected a, b or c)");
    }
    if (rule.access.empty() || rule.access.find_first_not_of("rwm") != std::string::npos) {
      throw ConfigError(rule_at + ".access",
                        "expected letters from \"rwm\", got " + Quote(rule.access));
    }
  }
}

// Checks a process on its own (Exec); `path` prefixes error paths ("process").
void ValidateProcess(const ProcessConfig& process, const std::string& path) {
  using namespace validate_detail;
  for (std::size_t i = 0; i < process.env.size(); ++i) {
    const std::string& entry = process.env[i];
    if (entry.find('=') == std::string::npos || entry.front() == '=') {
      throw ConfigError(Index(path + ".env", i), "expected KEY=VALUE, got " + Quote(entry));
    }
  }
  RequireAbsolute(path + ".cwd", process.cwd);
  if (process.umask && *process.umask > 0777) {
    throw ConfigError(path + ".umask", "has bits beyond 0777");
  }
  if (process.capabilities) ValidateCapabilities(*process.capabilities, path + ".capabilities");
  if (process.rlimits) ValidateRlimits(*process.rlimits, path + ".rlimits");
  ValidateOomScoreAdj(process.oom_score_adj, path + ".oom_score_adj");
  if (process.scheduler) ValidateScheduler(*process.scheduler, path + ".scheduler");
  if (process.io_priority) ValidateIoPriority(*process.io_priority, path + ".io_priority");
}

std::vector<ConfigError> Config::Problems() const {
  using namespace validate_detail;
  std::vector<ConfigError> problems;
  // Each part stops at its first problem; the parts after it are still checked.
  const auto check = [&problems](const auto& part) {
    try {
      part();
    } catch (const ConfigError& e) {
      problems.push_back(e);
    }
  };
  check([&] {
    RequireAbsolute("root.path", root.path);
    // Without a mount namespace the root is never entered: the container sees the host's.
    if (!HasNamespace(NamespaceType::kMount)) {
      throw ConfigError("root.path", "needs a mount namespace (\"mount\" in namespaces), or the "
                                     "container would see the host's root instead");
    }
  });
  check([&] {
    if (!rootfs_propagation.empty() && !PropagationFromName(rootfs_propagation)) {
      throw ConfigError("rootfs_propagation", "unknown propagation " + Quote(rootfs_propagation));
    }
  });
  check([&] { ValidateNamespaces(*this); });
  check([&] { ValidateUserNamespace(*this); });
  check([&] { ValidateTimeOffsets(*this); });
  check([&] {
    if (!hostname.empty() && !NewNamespace(*this, NamespaceType::kUts)) {
      throw ConfigError("hostname", "needs a new uts namespace");
    }
  });
  check([&] {
    if (!domainname.empty() && !NewNamespace(*this, NamespaceType::kUts)) {
      throw ConfigError("domainname", "needs a new uts namespace");
    }
  });
  check([&] { ValidateSysctl(*this); });
  check([&] { ValidateMounts(mounts); });
  check([&] {
    for (std::size_t i = 0; i < mounts.size(); ++i) {
      if (ParseMountOptions(mounts[i].options).idmap && mounts[i].uid_mappings.empty() && uid_mappings.empty()) {
        throw ConfigError(Index("mounts", i) + ".uid_mappings",
                          "an idmapped mount needs mappings: its own, or the user namespace's");
      }
    }
  });
  check([&] { ValidatePaths(masked_paths, "masked_paths"); });
  check([&] { ValidatePaths(readonly_paths, "readonly_paths"); });
  check([&] { ValidateDevices(devices); });
  check([&] { ValidateResources(cgroup.resources, "cgroup.resources"); });
  check([&] { ValidateCapabilities(capabilities, "capabilities"); });
  check([&] { ValidateRlimits(rlimits, "rlimits"); });
  check([&] { ValidateOomScoreAdj(oom_score_adj, "oom_score_adj"); });
  check([&] { ValidatePersonality(personality); });
  check([&] {
    if (seccomp) ValidateSeccomp(*seccomp);
  });
  check([&] { ValidateNetworks(*this); });
  check([&] { ValidateHooks(hooks); });
  check([&] { ValidateProcess(process, "process"); });
  return problems;
}

void Config::Validate() const {
  auto problems = Problems();
  if (!problems.empty()) throw problems.front();
}

}  // namespace cask
