// Config -> config.json, the inverse of spec_read.cpp: ParseSpec(WriteSpec(c)) == c
// for every Config that ParseSpec made. Empty lists and unset values are left out.
#include <cask/namespaces.hpp>
#include <cask/oci.hpp>

#include <charconv>
#include <type_traits>
#include <nlohmann/json.hpp>

namespace cask::oci {
namespace {

using nlohmann::json;

template <class T>
void PutIf(json& out, const char* key, const std::optional<T>& value) {
  if (value) out[key] = *value;
}
template <class T>
  requires std::is_arithmetic_v<T>
void PutIf(json& out, const char* key, T value) {
  if (value != 0) out[key] = value;
}
void PutIf(json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}
template <class T>
void PutIf(json& out, const char* key, const std::vector<T>& value) {
  if (!value.empty()) out[key] = value;
}
void PutIf(json& out, const char* key, const std::map<std::string, std::string>& value) {
  if (!value.empty()) out[key] = value;
}

uint32_t NumericId(const std::string& text, const std::string& path) {
  uint32_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw ConfigError(path, "\"" + text + "\" is a name; config.json takes numeric ids");
  }
  return id;
}

json IdMappings(const std::vector<IdMapping>& mappings) {
  json out = json::array();
  for (const auto& m : mappings) out.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
  return out;
}

json CapabilitiesJson(const Capabilities& caps) {
  json out = json::object();
  PutIf(out, "bounding", caps.bounding);
  PutIf(out, "effective", caps.effective);
  PutIf(out, "permitted", caps.permitted);
  PutIf(out, "inheritable", caps.inheritable);
  PutIf(out, "ambient", caps.ambient);
  return out;
}

json RlimitsJson(const std::vector<Rlimit>& rlimits) {
  json out = json::array();
  for (const auto& r : rlimits) out.push_back({{"type", r.type}, {"hard", r.hard}, {"soft", r.soft}});
  return out;
}

json ProcessJson(const Config& config) {
  const ProcessConfig& p = config.process;
  json out = {{"terminal", p.terminal}, {"cwd", p.cwd}};
  if (p.console_size) out["consoleSize"] = {{"height", p.console_size->rows}, {"width", p.console_size->cols}};
  const std::string user = p.user.empty() ? "0:0" : p.user;
  const auto colon = user.find(':');
  json u = {{"uid", NumericId(user.substr(0, colon), "process.user")},
            {"gid", colon == std::string::npos ? 0 : NumericId(user.substr(colon + 1), "process.user")}};
  PutIf(u, "umask", p.umask);
  json gids = json::array();
  for (const auto& group : p.additional_groups) gids.push_back(NumericId(group, "process.additional_groups"));
  if (!gids.empty()) u["additionalGids"] = gids;
  out["user"] = u;
  PutIf(out, "args", p.args);
  PutIf(out, "env", p.env);
  out["capabilities"] = CapabilitiesJson(p.capabilities.value_or(config.capabilities));
  const auto& rlimits = p.rlimits.value_or(config.rlimits);
  if (!rlimits.empty()) out["rlimits"] = RlimitsJson(rlimits);
  if (p.no_new_privileges.value_or(config.no_new_privileges)) out["noNewPrivileges"] = true;
  PutIf(out, "oomScoreAdj", p.oom_score_adj ? p.oom_score_adj : config.oom_score_adj);
  if (const auto& s = p.scheduler) {
    json scheduler = {{"policy", s->policy}};
    PutIf(scheduler, "nice", s->nice);
    PutIf(scheduler, "priority", s->priority);
    PutIf(scheduler, "flags", s->flags);
    PutIf(scheduler, "runtime", s->runtime);
    PutIf(scheduler, "deadline", s->deadline);
    PutIf(scheduler, "period", s->period);
    out["scheduler"] = scheduler;
  }
  if (const auto& io = p.io_priority) out["ioPriority"] = {{"class", io->io_class}, {"priority", io->priority}};
  return out;
}

json HookList(const std::vector<Hook>& hooks) {
  json out = json::array();
  for (const auto& h : hooks) {
    json hook = {{"path", h.path}};
    PutIf(hook, "args", h.args);
    PutIf(hook, "env", h.env);
    PutIf(hook, "timeout", h.timeout);
    out.push_back(hook);
  }
  return out;
}

json HooksJson(const Hooks& hooks) {
  json out = json::object();
  const std::pair<const char*, const std::vector<Hook>*> kinds[] = {
      {"prestart", &hooks.prestart},         {"createRuntime", &hooks.create_runtime},
      {"createContainer", &hooks.create_container}, {"startContainer", &hooks.start_container},
      {"poststart", &hooks.poststart},       {"poststop", &hooks.poststop}};
  for (const auto& [key, list] : kinds) {
    if (!list->empty()) out[key] = HookList(*list);
  }
  return out;
}

json Throttle(const std::vector<ThrottleDevice>& devices) {
  json out = json::array();
  for (const auto& d : devices) out.push_back({{"major", d.major}, {"minor", d.minor}, {"rate", d.rate}});
  return out;
}

json ResourcesJson(const Resources& r) {
  json out = json::object();
  if (r.memory) {
    json m = json::object();
    PutIf(m, "limit", r.memory->limit);
    PutIf(m, "reservation", r.memory->reservation);
    PutIf(m, "swap", r.memory->swap);
    PutIf(m, "swappiness", r.memory->swappiness);
    PutIf(m, "disableOOMKiller", r.memory->disable_oom_killer);
    out["memory"] = m;
  }
  if (r.cpu) {
    json c = json::object();
    PutIf(c, "shares", r.cpu->shares);
    PutIf(c, "quota", r.cpu->quota);
    PutIf(c, "period", r.cpu->period);
    PutIf(c, "realtimeRuntime", r.cpu->realtime_runtime);
    PutIf(c, "realtimePeriod", r.cpu->realtime_period);
    PutIf(c, "burst", r.cpu->burst);
    PutIf(c, "idle", r.cpu->idle);
    PutIf(c, "cpus", r.cpu->cpus);
    PutIf(c, "mems", r.cpu->mems);
    out["cpu"] = c;
  }
  if (r.pids) out["pids"] = {{"limit", r.pids->limit}};
  if (r.block_io) {
    json b = json::object();
    PutIf(b, "weight", r.block_io->weight);
    PutIf(b, "leafWeight", r.block_io->leaf_weight);
    json weights = json::array();
    for (const auto& d : r.block_io->weight_device) {
      json w = {{"major", d.major}, {"minor", d.minor}};
      PutIf(w, "weight", d.weight);
      PutIf(w, "leafWeight", d.leaf_weight);
      weights.push_back(w);
    }
    if (!weights.empty()) b["weightDevice"] = weights;
    const std::pair<const char*, const std::vector<ThrottleDevice>*> throttles[] = {
        {"throttleReadBpsDevice", &r.block_io->throttle_read_bps_device},
        {"throttleWriteBpsDevice", &r.block_io->throttle_write_bps_device},
        {"throttleReadIOPSDevice", &r.block_io->throttle_read_iops_device},
        {"throttleWriteIOPSDevice", &r.block_io->throttle_write_iops_device}};
    for (const auto& [key, list] : throttles) {
      if (!list->empty()) b[key] = Throttle(*list);
    }
    out["blockIO"] = b;
  }
  json pages = json::array();
  for (const auto& h : r.hugepage_limits) pages.push_back({{"pageSize", h.page_size}, {"limit", h.limit}});
  if (!pages.empty()) out["hugepageLimits"] = pages;
  json devices = json::array();
  for (const auto& d : r.devices) {
    json rule = {{"allow", d.allow}, {"type", std::string(1, d.type)}, {"access", d.access}};
    if (d.major >= 0) rule["major"] = d.major;
    if (d.minor >= 0) rule["minor"] = d.minor;
    devices.push_back(rule);
  }
  if (!devices.empty()) out["devices"] = devices;
  PutIf(out, "unified", r.unified);
  return out;
}

json SeccompJson(const Seccomp& s) {
  json out = {{"defaultAction", s.default_action}};
  PutIf(out, "defaultErrnoRet", s.default_errno_ret);
  PutIf(out, "architectures", s.architectures);
  PutIf(out, "flags", s.flags);
  json syscalls = json::array();
  for (const auto& rule : s.syscalls) {
    json r = {{"names", rule.names}, {"action", rule.action}};
    PutIf(r, "errnoRet", rule.errno_ret);
    json args = json::array();
    for (const auto& a : rule.args) {
      args.push_back({{"index", a.index}, {"value", a.value}, {"valueTwo", a.value_two}, {"op", a.op}});
    }
    if (!args.empty()) r["args"] = args;
    syscalls.push_back(r);
  }
  if (!syscalls.empty()) out["syscalls"] = syscalls;
  return out;
}

json LinuxJson(const Config& config) {
  json out = json::object();
  json namespaces = json::array();
  for (const auto& ns : config.namespaces) {
    json n = {{"type", std::string(NamespaceName(ns.type))}};
    PutIf(n, "path", ns.path);
    namespaces.push_back(n);
  }
  out["namespaces"] = namespaces;
  if (const auto& personality = config.personality) {
    out["personality"] = {{"domain", personality->domain}};
    PutIf(out["personality"], "flags", personality->flags);
  }
  if (!config.uid_mappings.empty()) out["uidMappings"] = IdMappings(config.uid_mappings);
  if (!config.gid_mappings.empty()) out["gidMappings"] = IdMappings(config.gid_mappings);
  for (const auto& [clock, offset] : config.time_offsets) {
    out["timeOffsets"][clock] = {{"secs", offset.secs}, {"nanosecs", offset.nanosecs}};
  }
  json devices = json::array();
  for (const auto& d : config.devices) {
    json device = {{"path", d.path}, {"type", std::string(1, d.type)}, {"major", d.major}, {"minor", d.minor}};
    PutIf(device, "fileMode", d.file_mode);
    PutIf(device, "uid", d.uid);
    PutIf(device, "gid", d.gid);
    devices.push_back(device);
  }
  if (!devices.empty()) out["devices"] = devices;
  PutIf(out, "cgroupsPath", config.cgroup.path);
  out["resources"] = ResourcesJson(config.cgroup.resources);
  PutIf(out, "sysctl", config.sysctl);
  if (config.seccomp) out["seccomp"] = SeccompJson(*config.seccomp);
  PutIf(out, "rootfsPropagation", config.rootfs_propagation);
  PutIf(out, "maskedPaths", config.masked_paths);
  PutIf(out, "readonlyPaths", config.readonly_paths);
  return out;
}

}  // namespace

std::string WriteSpec(const Config& config) {
  if (!config.networks.empty()) {
    throw ConfigError("networks", "config.json has no network interfaces: join a namespace, or use a hook");
  }
  if (config.init) throw ConfigError("init", "config.json has no init of the runtime's own");
  json out = {{"ociVersion", kSpecVersion}};
  out["process"] = ProcessJson(config);
  out["root"] = {{"path", config.root.path}};
  if (config.root.readonly) out["root"]["readonly"] = true;
  PutIf(out, "hostname", config.hostname);
  PutIf(out, "domainname", config.domainname);
  json mounts = json::array();
  for (const auto& m : config.mounts) {
    json mount = {{"destination", m.destination}};
    PutIf(mount, "type", m.type);
    PutIf(mount, "source", m.source);
    PutIf(mount, "options", m.options);
    if (!m.uid_mappings.empty()) mount["uidMappings"] = IdMappings(m.uid_mappings);
    if (!m.gid_mappings.empty()) mount["gidMappings"] = IdMappings(m.gid_mappings);
    mounts.push_back(mount);
  }
  out["mounts"] = mounts;
  const json hooks = HooksJson(config.hooks);
  if (!hooks.empty()) out["hooks"] = hooks;
  PutIf(out, "annotations", config.labels);
  out["linux"] = LinuxJson(config);
  return out.dump(2) + "\n";
}

}  // namespace cask::oci
