// Config::Validate(): contradictions a Config can hold, each its own ConfigError naming
// the field ("namespaces[3].type: namespace \"pid\" listed twice").
#pragma once

#include <arpa/inet.h>

#include <algorithm>
#include <cask/capabilities.hpp>
#include <cask/config.hpp>
#include <cask/error.hpp>
#include <cask/mount_options.hpp>
#include <cask/namespaces.hpp>
#include <cask/rlimits.hpp>
#include <set>
#include <string>

namespace cask {
namespace validate_detail {

inline std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

// Absolute, and no ".." component: a destination that climbs is refused outright.
inline void CheckAbsolutePath(const std::string& path, const std::string& where) {
  if (path.empty() || path.front() != '/') throw ConfigError(where, "\"" + path + "\" is not an absolute path");
  if (("/" + path + "/").find("/../") != std::string::npos) {
    throw ConfigError(where, "\"" + path + "\" contains a \"..\" component");
  }
}

inline void CheckCapabilities(const Capabilities& caps, const std::string& path) {
  const std::pair<const char*, const std::vector<std::string>*> sets[] = {
      {"bounding", &caps.bounding}, {"effective", &caps.effective}, {"permitted", &caps.permitted},
      {"inheritable", &caps.inheritable}, {"ambient", &caps.ambient}};
  for (const auto& [name, set] : sets) {
    for (size_t i = 0; i < set->size(); ++i) {
      if (!CapabilityFromName((*set)[i])) {
        throw ConfigError(Index(path + "." + name, i), "unknown capability \"" + (*set)[i] + "\"");
      }
    }
  }
}

inline void CheckRlimits(const std::vector<Rlimit>& rlimits, const std::string& path) {
  std::set<std::string> seen;
  for (size_t i = 0; i < rlimits.size(); ++i) {
    const auto& r = rlimits[i];
    if (!RlimitFromName(r.type)) throw ConfigError(Index(path, i) + ".type", "unknown rlimit \"" + r.type + "\"");
    if (!seen.insert(r.type).second) throw ConfigError(Index(path, i) + ".type", r.type + " listed twice");
    if (r.soft > r.hard) throw ConfigError(Index(path, i), "soft limit above the hard limit");
  }
}

inline void CheckMappings(const std::vector<IdMapping>& mappings, const std::string& path) {
  for (size_t i = 0; i < mappings.size(); ++i) {
    const auto& a = mappings[i];
    if (a.size == 0) throw ConfigError(Index(path, i) + ".size", "a mapping of size 0");
    for (size_t j = 0; j < i; ++j) {
      const auto& b = mappings[j];
      auto overlap = [](uint64_t x, uint64_t y, uint64_t n, uint64_t m) { return x < y + m && y < x + n; };
      if (overlap(a.container_id, b.container_id, a.size, b.size)) {
        throw ConfigError(Index(path, i), "container ids overlap " + Index(path, j));
      }
      if (overlap(a.host_id, b.host_id, a.size, b.size)) {
        throw ConfigError(Index(path, i), "host ids overlap " + Index(path, j));
      }
    }
  }
}

inline bool IsCidr(const std::string& text, bool with_prefix) {
  auto slash = text.find('/');
  if (with_prefix != (slash != std::string::npos)) return false;
  std::string address = text.substr(0, slash);
  unsigned char buf[16];
  int family = address.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (inet_pton(family, address.c_str(), buf) != 1) return false;
  if (!with_prefix) return true;
  std::string prefix = text.substr(slash + 1);
  if (prefix.empty() || prefix.size() > 3 || !std::all_of(prefix.begin(), prefix.end(), ::isdigit)) return false;
  return std::stoi(prefix) <= (family == AF_INET ? 32 : 128);
}

inline void CheckSeccomp(const Seccomp& s) {
  static const std::set<std::string> kActions = {
      "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
      "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"};
  static const std::set<std::string> kOps = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                             "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  if (!kActions.count(s.default_action)) {
    throw ConfigError("seccomp.default_action", "unknown action \"" + s.default_action + "\"");
  }
  for (size_t i = 0; i < s.syscalls.size(); ++i) {
    const auto& rule = s.syscalls[i];
    const std::string path = Index("seccomp.syscalls", i);
    if (!kActions.count(rule.action)) throw ConfigError(path + ".action", "unknown action \"" + rule.action + "\"");
    if (rule.names.empty()) throw ConfigError(path + ".names", "no syscall named");
    for (size_t a = 0; a < rule.args.size(); ++a) {
      if (!kOps.count(rule.args[a].op)) {
        throw ConfigError(Index(path + ".args", a) + ".op", "unknown operator \"" + rule.args[a].op + "\"");
      }
      if (rule.args[a].index > 5) throw ConfigError(Index(path + ".args", a) + ".index", "above 5");
    }
  }
}

// Which namespace a sysctl needs, as runc decides it; kMount means "not namespaced".
inline NamespaceType SysctlNamespace(const std::string& key) {
  static const std::set<std::string> kIpc = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                             "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                                             "kernel.shm_rmid_forced"};
  if (kIpc.count(key) || key.rfind("fs.mqueue.", 0) == 0) return NamespaceType::kIpc;
  if (key.rfind("net.", 0) == 0) return NamespaceType::kNet;
  if (key == "kernel.hostname" || key == "kernel.domainname") return NamespaceType::kUts;
  return NamespaceType::kMount;
}

inline void CheckResources(const Resources& r) {
  const std::string p = "cgroup.resources";
  auto unlimited_or_positive = [](const std::optional<int64_t>& v, const std::string& where) {
    if (v && *v < -1) throw ConfigError(where, "negative (only -1, unlimited, is allowed)");
  };
  if (r.memory) {
    unlimited_or_positive(r.memory->limit, p + ".memory.limit");
    unlimited_or_positive(r.memory->reservation, p + ".memory.reservation");
    unlimited_or_positive(r.memory->swap, p + ".memory.swap");
    if (r.memory->swappiness && *r.memory->swappiness > 100) throw ConfigError(p + ".memory.swappiness", "above 100");
  }
  if (r.cpu) {
    if (r.cpu->shares && *r.cpu->shares == 0) throw ConfigError(p + ".cpu.shares", "0 shares");
    unlimited_or_positive(r.cpu->quota, p + ".cpu.quota");
    if (r.cpu->period && *r.cpu->period == 0) throw ConfigError(p + ".cpu.period", "a period of 0");
  }
  if (r.pids && r.pids->limit < -1) throw ConfigError(p + ".pids.limit", "negative (only -1, unlimited, is allowed)");
  if (r.block_io) {
    auto weight = [](const std::optional<uint16_t>& w, const std::string& where) {
      if (w && (*w < 10 || *w > 1000)) throw ConfigError(where, "outside 10..1000");
    };
    weight(r.block_io->weight, p + ".block_io.weight");
    weight(r.block_io->leaf_weight, p + ".block_io.leaf_weight");
    for (size_t i = 0; i < r.block_io->weight_device.size(); ++i) {
      weight(r.block_io->weight_device[i].weight, Index(p + ".block_io.weight_device", i) + ".weight");
    }
  }
  for (size_t i = 0; i < r.devices.size(); ++i) {
    const auto& d = r.devices[i];
    const std::string where = Index(p + ".devices", i);
    if (d.type != 'a' && d.type != 'c' && d.type != 'b') throw ConfigError(where + ".type", "not one of a, b, c");
    if (d.access.empty() || d.access.find_first_not_of("rwm") != std::string::npos) {
      throw ConfigError(where + ".access", "\"" + d.access + "\" is not a subset of \"rwm\"");
    }
  }
}

}  // namespace validate_detail

// Checks a process on its own (Exec validates the process it is given).
inline void ValidateProcess(const ProcessConfig& process, const std::string& path) {
  using namespace validate_detail;
  if (process.cwd.empty() || process.cwd.front() != '/') {
    throw ConfigError(path + ".cwd", "\"" + process.cwd + "\" is not an absolute path");
  }
  if (process.umask && *process.umask > 0777) throw ConfigError(path + ".umask", "above 0777");
  if (process.rlimits) CheckRlimits(*process.rlimits, path + ".rlimits");
  if (process.capabilities) CheckCapabilities(*process.capabilities, path + ".capabilities");
  if (process.oom_score_adj && (*process.oom_score_adj < -1000 || *process.oom_score_adj > 1000)) {
    throw ConfigError(path + ".oom_score_adj", "outside -1000..1000");
  }
  for (size_t i = 0; i < process.env.size(); ++i) {
    if (process.env[i].find('=') == std::string::npos) {
      throw ConfigError(Index(path + ".env", i), "\"" + process.env[i] + "\" is not NAME=value");
    }
  }
}

inline void Config::Validate() const {
  using namespace validate_detail;
  if (root.path.empty()) throw ConfigError("root.path", "not set");
  if (root.path.front() != '/') throw ConfigError("root.path", "\"" + root.path + "\" is not an absolute path");
  if (!rootfs_propagation.empty() && !PropagationFromName(rootfs_propagation)) {
    throw ConfigError("rootfs_propagation", "unknown propagation \"" + rootfs_propagation + "\"");
  }

  std::set<NamespaceType> seen;
  for (size_t i = 0; i < namespaces.size(); ++i) {
    const auto& ns = namespaces[i];
    if (!seen.insert(ns.type).second) {
      throw ConfigError(Index("namespaces", i) + ".type",
                        "namespace \"" + std::string(NamespaceName(ns.type)) + "\" listed twice");
    }
    if (!ns.path.empty() && ns.path.front() != '/') {
      throw ConfigError(Index("namespaces", i) + ".path", "\"" + ns.path + "\" is not an absolute path");
    }
  }
  auto is_new = [&](NamespaceType type) {
    const Namespace* ns = FindNamespace(type);
    return ns != nullptr && ns->path.empty();
  };
  if (is_new(NamespaceType::kUser)) {
    if (uid_mappings.empty()) throw ConfigError("uid_mappings", "a new user namespace needs uid mappings");
    if (gid_mappings.empty()) throw ConfigError("gid_mappings", "a new user namespace needs gid mappings");
  } else if (!uid_mappings.empty() || !gid_mappings.empty()) {
    throw ConfigError(uid_mappings.empty() ? "gid_mappings" : "uid_mappings", "mappings without a new user namespace");
  }
  CheckMappings(uid_mappings, "uid_mappings");
  CheckMappings(gid_mappings, "gid_mappings");
  if (!time_offsets.empty() && !is_new(NamespaceType::kTime)) {
    throw ConfigError("time_offsets", "offsets without a new time namespace");
  }
  for (const auto& [clock, offset] : time_offsets) {
    if (clock != "monotonic" && clock != "boottime") throw ConfigError("time_offsets." + clock, "unknown clock");
    if (offset.nanosecs >= 1000000000) throw ConfigError("time_offsets." + clock + ".nanosecs", "not below 1e9");
  }
  if (!hostname.empty() && !is_new(NamespaceType::kUts)) throw ConfigError("hostname", "needs a new uts namespace");
  if (!domainname.empty() && !is_new(NamespaceType::kUts)) {
    throw ConfigError("domainname", "needs a new uts namespace");
  }
  for (const auto& [key, value] : sysctl) {
    if (key.find('/') != std::string::npos || key.find("..") != std::string::npos) {
      throw ConfigError("sysctl." + key, "not a sysctl name");
    }
    NamespaceType needs = SysctlNamespace(key);
    if (needs == NamespaceType::kMount) throw ConfigError("sysctl." + key, "not namespaced: it would change the host");
    if (!is_new(needs)) {
      throw ConfigError("sysctl." + key, "needs a new " + std::string(NamespaceName(needs)) + " namespace");
    }
  }

  for (size_t i = 0; i < mounts.size(); ++i) {
    const auto& m = mounts[i];
    CheckAbsolutePath(m.destination, Index("mounts", i) + ".destination");
    MountFlags flags = ParseMountOptions(m.options);
    if (m.type.empty() && !flags.bind) throw ConfigError(Index("mounts", i) + ".type", "no type and not a bind mount");
  }
  CheckCapabilities(capabilities, "capabilities");
  CheckRlimits(rlimits, "rlimits");
  for (size_t i = 0; i < devices.size(); ++i) {
    const auto& d = devices[i];
    if (std::string("cbup").find(d.type) == std::string::npos || d.type == '\0') {
      throw ConfigError(Index("devices", i) + ".type", "not one of c, b, u, p");
    }
    CheckAbsolutePath(d.path, Index("devices", i) + ".path");
    if (d.path.rfind("/dev/", 0) != 0) throw ConfigError(Index("devices", i) + ".path", "not under /dev");
  }
  for (size_t i = 0; i < masked_paths.size(); ++i) CheckAbsolutePath(masked_paths[i], Index("masked_paths", i));
  for (size_t i = 0; i < readonly_paths.size(); ++i) CheckAbsolutePath(readonly_paths[i], Index("readonly_paths", i));
  if (seccomp) CheckSeccomp(*seccomp);
  if (oom_score_adj && (*oom_score_adj < -1000 || *oom_score_adj > 1000)) {
    throw ConfigError("oom_score_adj", "outside -1000..1000");
  }
  if (!networks.empty() && !is_new(NamespaceType::kNet)) {
    throw ConfigError("networks", "networks need a new network namespace");
  }
  for (size_t i = 0; i < networks.size(); ++i) {
    const auto& n = networks[i];
    const std::string path = Index("networks", i);
    if (n.type == "loopback") continue;
    if (n.type != "veth") throw ConfigError(path + ".type", "unknown network type \"" + n.type + "\"");
    if (n.name.empty() || n.name.size() > 15) throw ConfigError(path + ".name", "an interface name of 1 to 15 characters");
    if (n.host_name.empty() || n.host_name.size() > 15) {
      throw ConfigError(path + ".host_name", "an interface name of 1 to 15 characters");
    }
    if (!n.address.empty() && !IsCidr(n.address, true)) throw ConfigError(path + ".address", "\"" + n.address + "\" is not a CIDR address");
    if (!n.host_address.empty() && !IsCidr(n.host_address, true)) {
      throw ConfigError(path + ".host_address", "\"" + n.host_address + "\" is not a CIDR address");
    }
    if (!n.gateway.empty() && !IsCidr(n.gateway, false)) throw ConfigError(path + ".gateway", "\"" + n.gateway + "\" is not an address");
    if (!n.host_netns.empty() && n.host_netns.front() != '/') {
      throw ConfigError(path + ".host_netns", "\"" + n.host_netns + "\" is not an absolute path");
    }
  }
  CheckResources(cgroup.resources);
  ValidateProcess(process, "process");
}

}  // namespace cask
