// JSON for the Config types, so container.json round-trips exactly.
//
// Each struct lists its fields once, in Fields(); the same list drives reading and
// writing. Reading is strict: a wrong type, an out-of-range number or an unknown key
// (a typo) is a ConfigError naming the JSON path ("mounts[1]: unknown key
// \"destinaton\""). Writing leaves out fields that hold their default value.
#pragma once

#include <cask/config.hpp>
#include <cask/error.hpp>
#include <cask/namespaces.hpp>

#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>

namespace cask {
namespace json_detail {

using nlohmann::json;

template <class V> void Fields(V& v, Namespace& x) { v("type", x.type); v("path", x.path); }
template <class V> void Fields(V& v, IdMapping& x) {
  v("container_id", x.container_id); v("host_id", x.host_id); v("size", x.size);
}
template <class V> void Fields(V& v, TimeOffset& x) { v("secs", x.secs); v("nanosecs", x.nanosecs); }
template <class V> void Fields(V& v, Mount& x) {
  v("source", x.source); v("destination", x.destination); v("type", x.type); v("options", x.options);
}
template <class V> void Fields(V& v, Root& x) { v("path", x.path); v("readonly", x.readonly); }
template <class V> void Fields(V& v, MemoryResources& x) {
  v("limit", x.limit); v("reservation", x.reservation); v("swap", x.swap);
  v("swappiness", x.swappiness); v("disable_oom_killer", x.disable_oom_killer);
}
template <class V> void Fields(V& v, CpuResources& x) {
  v("shares", x.shares); v("quota", x.quota); v("period", x.period);
  v("realtime_runtime", x.realtime_runtime); v("realtime_period", x.realtime_period);
  v("cpus", x.cpus); v("mems", x.mems);
}
template <class V> void Fields(V& v, PidsResources& x) { v("limit", x.limit); }
template <class V> void Fields(V& v, WeightDevice& x) {
  v("major", x.major); v("minor", x.minor); v("weight", x.weight); v("leaf_weight", x.leaf_weight);
}
template <class V> void Fields(V& v, ThrottleDevice& x) { v("major", x.major); v("minor", x.minor); v("rate", x.rate); }
template <class V> void Fields(V& v, BlockIoResources& x) {
  v("weight", x.weight); v("leaf_weight", x.leaf_weight); v("weight_device", x.weight_device);
  v("throttle_read_bps_device", x.throttle_read_bps_device);
  v("throttle_write_bps_device", x.throttle_write_bps_device);
  v("throttle_read_iops_device", x.throttle_read_iops_device);
  v("throttle_write_iops_device", x.throttle_write_iops_device);
}
template <class V> void Fields(V& v, HugepageLimit& x) { v("page_size", x.page_size); v("limit", x.limit); }
template <class V> void Fields(V& v, DeviceRule& x) {
  v("allow", x.allow); v("type", x.type); v("major", x.major); v("minor", x.minor); v("access", x.access);
}
template <class V> void Fields(V& v, Resources& x) {
  v("memory", x.memory); v("cpu", x.cpu); v("pids", x.pids); v("block_io", x.block_io);
  v("hugepage_limits", x.hugepage_limits); v("devices", x.devices); v("unified", x.unified);
}
template <class V> void Fields(V& v, Cgroup& x) { v("path", x.path); v("resources", x.resources); }
template <class V> void Fields(V& v, Capabilities& x) {
  v("bounding", x.bounding); v("effective", x.effective); v("permitted", x.permitted);
  v("inheritable", x.inheritable); v("ambient", x.ambient);
}
template <class V> void Fields(V& v, Rlimit& x) { v("type", x.type); v("soft", x.soft); v("hard", x.hard); }
template <class V> void Fields(V& v, Device& x) {
  v("path", x.path); v("type", x.type); v("major", x.major); v("minor", x.minor);
  v("file_mode", x.file_mode); v("uid", x.uid); v("gid", x.gid);
}
template <class V> void Fields(V& v, SeccompArg& x) {
  v("index", x.index); v("value", x.value); v("value_two", x.value_two); v("op", x.op);
}
template <class V> void Fields(V& v, SeccompRule& x) {
  v("names", x.names); v("action", x.action); v("errno_ret", x.errno_ret); v("args", x.args);
}
template <class V> void Fields(V& v, Seccomp& x) {
  v("default_action", x.default_action); v("default_errno_ret", x.default_errno_ret);
  v("architectures", x.architectures); v("flags", x.flags); v("syscalls", x.syscalls);
}
template <class V> void Fields(V& v, Network& x) {
  v("type", x.type); v("name", x.name); v("host_name", x.host_name); v("host_netns", x.host_netns);
  v("address", x.address); v("host_address", x.host_address); v("gateway", x.gateway);
  v("mtu", x.mtu); v("mac_address", x.mac_address);
}
template <class V> void Fields(V& v, Hook& x) {
  v("path", x.path); v("args", x.args); v("env", x.env); v("timeout", x.timeout);
}
template <class V> void Fields(V& v, Hooks& x) {
  v("prestart", x.prestart); v("create_runtime", x.create_runtime);
  v("create_container", x.create_container); v("start_container", x.start_container);
  v("poststart", x.poststart); v("poststop", x.poststop);
}
template <class V> void Fields(V& v, ConsoleSize& x) { v("rows", x.rows); v("cols", x.cols); }
template <class V> void Fields(V& v, ProcessConfig& x) {
  v("args", x.args); v("env", x.env); v("cwd", x.cwd); v("user", x.user);
  v("additional_groups", x.additional_groups); v("umask", x.umask); v("terminal", x.terminal);
  v("console_size", x.console_size); v("rlimits", x.rlimits); v("capabilities", x.capabilities);
  v("no_new_privileges", x.no_new_privileges); v("oom_score_adj", x.oom_score_adj);
}
template <class V> void Fields(V& v, Config& x) {
  v("root", x.root); v("rootfs_propagation", x.rootfs_propagation); v("mounts", x.mounts);
  v("namespaces", x.namespaces); v("uid_mappings", x.uid_mappings); v("gid_mappings", x.gid_mappings);
  v("time_offsets", x.time_offsets); v("hostname", x.hostname); v("domainname", x.domainname);
  v("sysctl", x.sysctl); v("cgroup", x.cgroup); v("capabilities", x.capabilities);
  v("rlimits", x.rlimits); v("devices", x.devices); v("masked_paths", x.masked_paths);
  v("readonly_paths", x.readonly_paths); v("seccomp", x.seccomp);
  v("no_new_privileges", x.no_new_privileges); v("oom_score_adj", x.oom_score_adj);
  v("networks", x.networks); v("hooks", x.hooks); v("labels", x.labels); v("process", x.process);
}

template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};
template <class T> struct IsMap : std::false_type {};
template <class T> struct IsMap<std::map<std::string, T>> : std::true_type {};
template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};

inline const char* TypeName(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::string: return "string";
    case json::value_t::boolean: return "boolean";
    case json::value_t::binary: return "binary";
    case json::value_t::discarded: return "discarded";
    default: return "number";
  }
}

[[noreturn]] inline void Expected(const std::string& path, const char* what, const json& j) {
  throw ConfigError(path, std::string("expected ") + what + ", got " + TypeName(j));
}

template <class T> void Read(const json& j, const std::string& path, T& out);

// Reads the fields of one struct and rejects keys it does not know.
struct FieldReader {
  const json& object;
  const std::string& path;
  std::set<std::string_view> known;
  template <class F> void operator()(const char* key, F& field) {
    known.insert(key);
    auto it = object.find(key);
    if (it != object.end()) Read(*it, path.empty() ? key : path + "." + key, field);
  }
};

template <class T> void Read(const json& j, const std::string& path, T& out) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) Expected(path, "a boolean", j);
    out = j.get<bool>();
  } else if constexpr (std::is_same_v<T, char>) {
    if (!j.is_string() || j.get_ref<const std::string&>().size() != 1) Expected(path, "a one-letter string", j);
    out = j.get_ref<const std::string&>()[0];
  } else if constexpr (std::is_integral_v<T>) {
    if (!j.is_number_integer()) Expected(path, "an integer", j);
    bool fits = j.is_number_unsigned()
                    ? j.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max())
                    : j.get<int64_t>() >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                          (j.get<int64_t>() < 0 || static_cast<uint64_t>(j.get<int64_t>()) <=
                                                       static_cast<uint64_t>(std::numeric_limits<T>::max()));
    if (!fits) throw ConfigError(path, "integer " + j.dump() + " out of range");
    out = j.is_number_unsigned() ? static_cast<T>(j.get<uint64_t>()) : static_cast<T>(j.get<int64_t>());
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) Expected(path, "a string", j);
    out = j.get<std::string>();
  } else if constexpr (std::is_same_v<T, NamespaceType>) {
    if (!j.is_string()) Expected(path, "a string", j);
    auto type = NamespaceFromName(j.get<std::string>());
    if (!type) throw ConfigError(path, "unknown namespace \"" + j.get<std::string>() + "\"");
    out = *type;
  } else if constexpr (IsOptional<T>::value) {
    if (j.is_null()) {
      out.reset();
    } else {
      out.emplace();
      Read(j, path, *out);
    }
  } else if constexpr (IsVector<T>::value) {
    if (!j.is_array()) Expected(path, "an array", j);
    out.clear();
    out.resize(j.size());
    for (size_t i = 0; i < j.size(); ++i) Read(j[i], path + "[" + std::to_string(i) + "]", out[i]);
  } else if constexpr (IsMap<T>::value) {
    if (!j.is_object()) Expected(path, "an object", j);
    out.clear();
    for (const auto& [key, value] : j.items()) Read(value, path + "." + key, out[key]);
  } else {
    if (!j.is_object()) Expected(path, "an object", j);
    FieldReader reader{j, path, {}};
    Fields(reader, out);
    for (const auto& [key, value] : j.items()) {
      if (reader.known.count(key) == 0) throw ConfigError(path, "unknown key \"" + key + "\"");
    }
  }
}

template <class T> json Write(const T& value);

// Writes every field of a struct; Write() then drops those equal to the default.
struct FieldWriter {
  json& out;
  template <class F> void operator()(const char* key, const F& field) { out[key] = Write(field); }
};

template <class T> json Write(const T& value) {
  if constexpr (std::is_same_v<T, char>) {
    return std::string(1, value);
  } else if constexpr (std::is_same_v<T, NamespaceType>) {
    return NamespaceName(value);
  } else if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string>) {
    return value;
  } else if constexpr (IsOptional<T>::value) {
    return value ? Write(*value) : json(nullptr);
  } else if constexpr (IsVector<T>::value) {
    json out = json::array();
    for (const auto& item : value) out.push_back(Write(item));
    return out;
  } else if constexpr (IsMap<T>::value) {
    json out = json::object();
    for (const auto& [key, item] : value) out[key] = Write(item);
    return out;
  } else {
    json out = json::object();
    FieldWriter writer{out};
    Fields(writer, const_cast<T&>(value));  // Fields() takes non-const; the writer only reads
    static const json defaults = [] {
      json d = json::object();
      FieldWriter default_writer{d};
      auto fresh = std::make_unique<T>();  // on the heap: GCC 12 warns falsely on a local
      Fields(default_writer, *fresh);
      return d;
    }();
    for (auto it = out.begin(); it != out.end();) {
      if (it->is_null() || defaults[it.key()] == *it) {
        it = out.erase(it);
      } else {
        ++it;
      }
    }
    return out;
  }
}

}  // namespace json_detail

inline Config ConfigFromJson(const nlohmann::json& json) {
  Config config;
  json_detail::Read(json, "", config);
  return config;
}

inline ProcessConfig ProcessConfigFromJson(const nlohmann::json& json, const std::string& path = "process") {
  ProcessConfig process;
  json_detail::Read(json, path, process);
  return process;
}

inline nlohmann::json ToJson(const Config& config) { return json_detail::Write(config); }
inline nlohmann::json ToJson(const ProcessConfig& process) { return json_detail::Write(process); }

// Parses container.json text; a syntax error is a ConfigError with its byte position.
inline Config ParseConfig(std::string_view text) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError("", "malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
  return ConfigFromJson(json);
}

inline std::string ToJsonString(const Config& config) { return ToJson(config).dump(2); }

}  // namespace cask
