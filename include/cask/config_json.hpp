// JSON mapping of the typed Config.
//
// Keys are the field names ("uid_mappings", "throttle_read_bps_device"); namespace
// types use their OCI names ("network"); one-letter device types are one-character
// strings. Output leaves out every field equal to its default (an unset optional, an
// empty list, false, a struct left alone...) except required keys, so the JSON says only
// what was chosen and Config -> JSON -> Config is the identity.
//
// Reading is strict: a wrong type, an unknown key, a missing required key, an integer
// out of its field's range or an unknown namespace type throws ConfigError naming the
// JSON path ("mounts[1]: unknown key \"destinaton\""). It checks shape only: names such
// as capabilities and rlimits are checked by Config::Validate() (validate.hpp).
//
// Every struct is described once, by a Describe() overload listing its fields; the one
// reader and the one writer below walk those descriptions.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cask/config.hpp"
#include "cask/error.hpp"
#include "cask/namespaces.hpp"

namespace cask {
namespace json_detail {

// Marks a key that must be present when reading; it is always written.
inline constexpr bool kRequired = true;

template <class V>
void Describe(V& v, Namespace*) {
  v.Field("type", &Namespace::type, kRequired);
  v.Field("path", &Namespace::path);
}
template <class V>
void Describe(V& v, IdMapping*) {
  v.Field("container_id", &IdMapping::container_id, kRequired);
  v.Field("host_id", &IdMapping::host_id, kRequired);
  v.Field("size", &IdMapping::size, kRequired);
}
template <class V>
void Describe(V& v, TimeOffset*) {
  v.Field("secs", &TimeOffset::secs);
  v.Field("nanosecs", &TimeOffset::nanosecs);
}
template <class V>
void Describe(V& v, Mount*) {
  v.Field("source", &Mount::source);
  v.Field("destination", &Mount::destination, kRequired);
  v.Field("type", &Mount::type);
  v.Field("options", &Mount::options);
  v.Field("uid_mappings", &Mount::uid_mappings);
  v.Field("gid_mappings", &Mount::gid_mappings);
}
template <class V>
void Describe(V& v, Root*) {
  v.Field("path", &Root::path);
  v.Field("readonly", &Root::readonly);
}
template <class V>
void Describe(V& v, MemoryResources*) {
  v.Field("limit", &MemoryResources::limit);
  v.Field("reservation", &MemoryResources::reservation);
  v.Field("swap", &MemoryResources::swap);
  v.Field("swappiness", &MemoryResources::swappiness);
  v.Field("disable_oom_killer", &MemoryResources::disable_oom_killer);
}
template <class V>
void Describe(V& v, CpuResources*) {
  v.Field("shares", &CpuResources::shares);
  v.Field("quota", &CpuResources::quota);
  v.Field("period", &CpuResources::period);
  v.Field("realtime_runtime", &CpuResources::realtime_runtime);
  v.Field("realtime_period", &CpuResources::realtime_period);
  v.Field("burst", &CpuResources::burst);
  v.Field("idle", &CpuResources::idle);
  v.Field("cpus", &CpuResources::cpus);
  v.Field("mems", &CpuResources::mems);
}
template <class V>
void Describe(V& v, PidsResources*) {
  v.Field("limit", &PidsResources::limit, kRequired);
}
template <class V>
void Describe(V& v, WeightDevice*) {
  v.Field("major", &WeightDevice::major, kRequired);
  v.Field("minor", &WeightDevice::minor, kRequired);
  v.Field("weight", &WeightDevice::weight);
  v.Field("leaf_weight", &WeightDevice::leaf_weight);
}
template <class V>
void Describe(V& v, ThrottleDevice*) {
  v.Field("major", &ThrottleDevice::major, kRequired);
  v.Field("minor", &ThrottleDevice::minor, kRequired);
  v.Field("rate", &ThrottleDevice::rate, kRequired);
}
template <class V>
void Describe(V& v, BlockIoResources*) {
  v.Field("weight", &BlockIoResources::weight);
  v.Field("leaf_weight", &BlockIoResources::leaf_weight);
  v.Field("weight_device", &BlockIoResources::weight_device);
  v.Field("throttle_read_bps_device", &BlockIoResources::throttle_read_bps_device);
  v.Field("throttle_write_bps_device", &BlockIoResources::throttle_write_bps_device);
  v.Field("throttle_read_iops_device", &BlockIoResources::throttle_read_iops_device);
  v.Field("throttle_write_iops_device", &BlockIoResources::throttle_write_iops_device);
}
template <class V>
void Describe(V& v, HugepageLimit*) {
  v.Field("page_size", &HugepageLimit::page_size, kRequired);
  v.Field("limit", &HugepageLimit::limit, kRequired);
}
template <class V>
void Describe(V& v, DeviceRule*) {
  v.Field("allow", &DeviceRule::allow, kRequired);
  v.Field("type", &DeviceRule::type);
  v.Field("major", &DeviceRule::major);
  v.Field("minor", &DeviceRule::minor);
  v.Field("access", &DeviceRule::access);
}
template <class V>
void Describe(V& v, Resources*) {
  v.Field("memory", &Resources::memory);
  v.Field("cpu", &Resources::cpu);
  v.Field("pids", &Resources::pids);
  v.Field("block_io", &Resources::block_io);
  v.Field("hugepage_limits", &Resources::hugepage_limits);
  v.Field("devices", &Resources::devices);
  v.Field("unified", &Resources::unified);
}
template <class V>
void Describe(V& v, Cgroup*) {
  v.Field("path", &Cgroup::path);
  v.Field("resources", &Cgroup::resources);
}
template <class V>
void Describe(V& v, Capabilities*) {
  v.Field("bounding", &Capabilities::bounding);
  v.Field("effective", &Capabilities::effective);
  v.Field("permitted", &Capabilities::permitted);
  v.Field("inheritable", &Capabilities::inheritable);
  v.Field("ambient", &Capabilities::ambient);
}
template <class V>
void Describe(V& v, Rlimit*) {
  v.Field("type", &Rlimit::type, kRequired);
  v.Field("soft", &Rlimit::soft, kRequired);
  v.Field("hard", &Rlimit::hard, kRequired);
}
template <class V>
void Describe(V& v, Device*) {
  v.Field("path", &Device::path, kRequired);
  v.Field("type", &Device::type, kRequired);
  v.Field("major", &Device::major);
  v.Field("minor", &Device::minor);
  v.Field("file_mode", &Device::file_mode);
  v.Field("uid", &Device::uid);
  v.Field("gid", &Device::gid);
}
template <class V>
void Describe(V& v, SeccompArg*) {
  v.Field("index", &SeccompArg::index, kRequired);
  v.Field("value", &SeccompArg::value, kRequired);
  v.Field("value_two", &SeccompArg::value_two);
  v.Field("op", &SeccompArg::op, kRequired);
}
template <class V>
void Describe(V& v, SeccompRule*) {
  v.Field("names", &SeccompRule::names, kRequired);
  v.Field("action", &SeccompRule::action, kRequired);
  v.Field("errno_ret", &SeccompRule::errno_ret);
  v.Field("args", &SeccompRule::args);
}
template <class V>
void Describe(V& v, Seccomp*) {
  v.Field("default_action", &Seccomp::default_action);
  v.Field("default_errno_ret", &Seccomp::default_errno_ret);
  v.Field("architectures", &Seccomp::architectures);
  v.Field("flags", &Seccomp::flags);
  v.Field("syscalls", &Seccomp::syscalls);
}
template <class V>
void Describe(V& v, Network*) {
  v.Field("type", &Network::type);
  v.Field("name", &Network::name);
  v.Field("host_name", &Network::host_name);
  v.Field("host_netns", &Network::host_netns);
  v.Field("address", &Network::address);
  v.Field("host_address", &Network::host_address);
  v.Field("gateway", &Network::gateway);
  v.Field("mtu", &Network::mtu);
  v.Field("mac_address", &Network::mac_address);
}
template <class V>
void Describe(V& v, Hook*) {
  v.Field("path", &Hook::path, kRequired);
  v.Field("args", &Hook::args);
  v.Field("env", &Hook::env);
  v.Field("timeout", &Hook::timeout);
}
template <class V>
void Describe(V& v, Hooks*) {
  v.Field("prestart", &Hooks::prestart);
  v.Field("create_runtime", &Hooks::create_runtime);
  v.Field("create_container", &Hooks::create_container);
  v.Field("start_container", &Hooks::start_container);
  v.Field("poststart", &Hooks::poststart);
  v.Field("poststop", &Hooks::poststop);
}
template <class V>
void Describe(V& v, ConsoleSize*) {
  v.Field("rows", &ConsoleSize::rows);
  v.Field("cols", &ConsoleSize::cols);
}
template <class V>
void Describe(V& v, Scheduler*) {
  v.Field("policy", &Scheduler::policy, kRequired);
  v.Field("nice", &Scheduler::nice);
  v.Field("priority", &Scheduler::priority);
  v.Field("flags", &Scheduler::flags);
  v.Field("runtime", &Scheduler::runtime);
  v.Field("deadline", &Scheduler::deadline);
  v.Field("period", &Scheduler::period);
}
template <class V>
void Describe(V& v, IoPriority*) {
  v.Field("class", &IoPriority::io_class, kRequired);
  v.Field("priority", &IoPriority::priority);
}
template <class V>
void Describe(V& v, Personality*) {
  v.Field("domain", &Personality::domain, kRequired);
  v.Field("flags", &Personality::flags);
}
template <class V>
void Describe(V& v, ProcessConfig*) {
  v.Field("args", &ProcessConfig::args);
  v.Field("env", &ProcessConfig::env);
  v.Field("cwd", &ProcessConfig::cwd);
  v.Field("user", &ProcessConfig::user);
  v.Field("additional_groups", &ProcessConfig::additional_groups);
  v.Field("umask", &ProcessConfig::umask);
  v.Field("terminal", &ProcessConfig::terminal);
  v.Field("console_size", &ProcessConfig::console_size);
  v.Field("rlimits", &ProcessConfig::rlimits);
  v.Field("capabilities", &ProcessConfig::capabilities);
  v.Field("no_new_privileges", &ProcessConfig::no_new_privileges);
  v.Field("oom_score_adj", &ProcessConfig::oom_score_adj);
  v.Field("scheduler", &ProcessConfig::scheduler);
  v.Field("io_priority", &ProcessConfig::io_priority);
}
template <class V>
void Describe(V& v, Config*) {
  v.Field("root", &Config::root);
  v.Field("rootfs_propagation", &Config::rootfs_propagation);
  v.Field("mounts", &Config::mounts);
  v.Field("namespaces", &Config::namespaces);
  v.Field("uid_mappings", &Config::uid_mappings);
  v.Field("gid_mappings", &Config::gid_mappings);
  v.Field("time_offsets", &Config::time_offsets);
  v.Field("hostname", &Config::hostname);
  v.Field("domainname", &Config::domainname);
  v.Field("sysctl", &Config::sysctl);
  v.Field("cgroup", &Config::cgroup);
  v.Field("capabilities", &Config::capabilities);
  v.Field("rlimits", &Config::rlimits);
  v.Field("devices", &Config::devices);
  v.Field("masked_paths", &Config::masked_paths);
  v.Field("readonly_paths", &Config::readonly_paths);
  v.Field("seccomp", &Config::seccomp);
  v.Field("no_new_privileges", &Config::no_new_privileges);
  v.Field("oom_score_adj", &Config::oom_score_adj);
  v.Field("personality", &Config::personality);
  v.Field("networks", &Config::networks);
  v.Field("hooks", &Config::hooks);
  v.Field("labels", &Config::labels);
  v.Field("bundle", &Config::bundle);
  v.Field("process", &Config::process);
  v.Field("init", &Config::init);
}

// Collects the keys of a description, to reject unknown keys before reading any.
struct KeyCollector {
  std::vector<std::string_view> keys;
  template <class S, class T>
  void Field(std::string_view key, T S::*, bool = false) {
    keys.push_back(key);
  }
};

template <class T>
concept Described = requires(KeyCollector& v) {
  Describe(v, static_cast<T*>(nullptr));
};

template <class T>
concept Integer = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char>;

// An enum that JSON spells by name: EnumNames<T> has `kExpected` ("a namespace type"),
// `kKind` ("namespace", for "unknown namespace \"x\""), `Name(T)` and
// `FromName(std::string_view) -> std::optional<T>`.
template <class T>
struct EnumNames;
template <class T>
concept NamedEnum = std::is_enum_v<T> && requires(T t) { EnumNames<T>::Name(t); };

template <>
struct EnumNames<NamespaceType> {
  static constexpr const char* kExpected = "a namespace type";
  static constexpr const char* kKind = "namespace";
  static std::string_view Name(NamespaceType type) { return NamespaceName(type); }
  static std::optional<NamespaceType> FromName(std::string_view name) { return NamespaceFromName(name); }
};

// Read() fills a default-constructed `out` (every caller makes a fresh one), so keys
// that are absent keep their defaults.
//
// The overloads call each other for nested types, so all are declared before any is
// defined (the types live in cask, so argument-dependent lookup would not find them).
template <Integer T>
void Read(const nlohmann::json& j, const std::string& path, T& out);
template <NamedEnum T>
void Read(const nlohmann::json& j, const std::string& path, T& out);
template <class T>
void Read(const nlohmann::json& j, const std::string& path, std::optional<T>& out);
template <class T>
void Read(const nlohmann::json& j, const std::string& path, std::vector<T>& out);
template <class T>
void Read(const nlohmann::json& j, const std::string& path, std::map<std::string, T>& out);
template <Described S>
void Read(const nlohmann::json& j, const std::string& path, S& out);
template <Integer T>
nlohmann::json Write(T value);
template <NamedEnum T>
nlohmann::json Write(T value);
template <class T>
nlohmann::json Write(const std::optional<T>& value);
template <class T>
nlohmann::json Write(const std::vector<T>& values);
template <class T>
nlohmann::json Write(const std::map<std::string, T>& values);
template <Described S>
nlohmann::json Write(const S& value);

// ---- Reading --------------------------------------------------------------------------

inline std::string TypeName(const nlohmann::json& j) {
  if (j.is_number()) return "number";
  return j.type_name();  // null, boolean, string, array, object
}

[[noreturn]] inline void WrongType(const nlohmann::json& j, const std::string& path,
                                   std::string_view expected) {
  throw ConfigError(path, "expected " + std::string(expected) + ", got " + TypeName(j));
}

inline void Read(const nlohmann::json& j, const std::string& path, std::string& out) {
  if (!j.is_string()) WrongType(j, path, "a string");
  out = j.get<std::string>();
}

inline void Read(const nlohmann::json& j, const std::string& path, bool& out) {
  if (!j.is_boolean()) WrongType(j, path, "a boolean");
  out = j.get<bool>();
}

// One-letter types (device 'c', cgroup rule 'a') are one-character strings.
inline void Read(const nlohmann::json& j, const std::string& path, char& out) {
  if (!j.is_string()) WrongType(j, path, "a one-character string");
  const auto& s = j.get_ref<const std::string&>();
  if (s.size() != 1) {
    throw ConfigError(path, "expected a one-character string, got \"" + s + "\"");
  }
  out = s[0];
}

template <Integer T>
void Read(const nlohmann::json& j, const std::string& path, T& out) {
  auto out_of_range = [&] {
    return ConfigError(path, "integer " + j.dump() + " out of range [" +
                                 std::to_string(std::numeric_limits<T>::min()) + ", " +
                                 std::to_string(std::numeric_limits<T>::max()) + "]");
  };
  if (j.is_number_unsigned()) {
    const auto value = j.get<uint64_t>();
    if (!std::in_range<T>(value)) throw out_of_range();
    out = static_cast<T>(value);
  } else if (j.is_number_integer()) {
    const auto value = j.get<int64_t>();
    if (!std::in_range<T>(value)) throw out_of_range();
    out = static_cast<T>(value);
  } else if (j.is_number_float()) {
    // Also what the parser makes of integers beyond 64 bits.
    throw ConfigError(path, "expected an integer, got " + j.dump());
  } else {
    WrongType(j, path, "an integer");
  }
}

template <NamedEnum T>
void Read(const nlohmann::json& j, const std::string& path, T& out) {
  if (!j.is_string()) WrongType(j, path, EnumNames<T>::kExpected);
  const auto& name = j.get_ref<const std::string&>();
  auto value = EnumNames<T>::FromName(name);
  if (!value) throw ConfigError(path, "unknown " + std::string(EnumNames<T>::kKind) + " \"" + name + "\"");
  out = *value;
}

template <class T>
void Read(const nlohmann::json& j, const std::string& path, std::optional<T>& out) {
  Read(j, path, out.emplace());
}

template <class T>
void Read(const nlohmann::json& j, const std::string& path, std::vector<T>& out) {
  if (!j.is_array()) WrongType(j, path, "an array");
  out.clear();
  out.resize(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    Read(j[i], path + "[" + std::to_string(i) + "]", out[i]);
  }
}

inline std::string KeyPath(const std::string& path, std::string_view key) {
  return path + "[\"" + std::string(key) + "\"]";
}

template <class T>
void Read(const nlohmann::json& j, const std::string& path, std::map<std::string, T>& out) {
  if (!j.is_object()) WrongType(j, path, "an object");
  out.clear();
  for (const auto& [key, value] : j.items()) Read(value, KeyPath(path, key), out[key]);
}

inline std::string MemberPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// How a file spells a field's key: config.json as Describe() names it; OCI seccomp
// profiles in camel case (seccomp_json.hpp).
using KeyName = std::string (*)(std::string_view key);
inline std::string SameKey(std::string_view key) { return std::string(key); }

template <Described S>
void ReadDescribed(const nlohmann::json& j, const std::string& path, S& out, KeyName name);

// A field's value: a described struct inside it (also in a vector or an optional) is
// read with the same key spelling.
template <class T>
void ReadField(const nlohmann::json& j, const std::string& path, T& out, KeyName name) {
  if constexpr (Described<T>) {
    ReadDescribed(j, path, out, name);
  } else {
    Read(j, path, out);
  }
}

template <class T>
void ReadField(const nlohmann::json& j, const std::string& path, std::optional<T>& out, KeyName name) {
  ReadField(j, path, out.emplace(), name);
}

template <class T>
void ReadField(const nlohmann::json& j, const std::string& path, std::vector<T>& out, KeyName name) {
  if constexpr (Described<T>) {
    if (!j.is_array()) WrongType(j, path, "an array");
    out.clear();
    out.resize(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
      ReadDescribed(j[i], path + "[" + std::to_string(i) + "]", out[i], name);
    }
  } else {
    Read(j, path, out);
  }
}

template <class S>
class ObjectReader {
 public:
  ObjectReader(const nlohmann::json& j, const std::string& path, S& out, KeyName name)
      : j_(j), path_(path), out_(out), name_(name) {}

  template <class T>
  void Field(std::string_view key, T S::*member, bool required = false) {
    const std::string spelled = name_(key);
    auto it = j_.find(spelled);
    if (it == j_.end()) {
      if (required) throw ConfigError(path_, "missing key \"" + spelled + "\"");
      return;
    }
    ReadField(*it, MemberPath(path_, spelled), out_.*member, name_);
  }

 private:
  const nlohmann::json& j_;
  const std::string& path_;
  S& out_;
  KeyName name_;
};

// The one reader of every described struct: unknown keys are errors, as are wrong types.
template <Described S>
void ReadDescribed(const nlohmann::json& j, const std::string& path, S& out, KeyName name) {
  if (!j.is_object()) WrongType(j, path, "an object");
  KeyCollector known;
  Describe(known, static_cast<S*>(nullptr));
  for (const auto& item : j.items()) {
    bool found = false;
    for (std::string_view key : known.keys) found = found || name(key) == item.key();
    if (!found) throw ConfigError(path, "unknown key \"" + item.key() + "\"");
  }
  ObjectReader<S> reader(j, path, out, name);
  Describe(reader, static_cast<S*>(nullptr));
}

template <Described S>
void Read(const nlohmann::json& j, const std::string& path, S& out) {
  ReadDescribed(j, path, out, SameKey);
}

// ---- Writing --------------------------------------------------------------------------

inline nlohmann::json Write(const std::string& value) { return value; }
inline nlohmann::json Write(bool value) { return value; }
inline nlohmann::json Write(char value) { return std::string(1, value); }
template <Integer T>
nlohmann::json Write(T value) {
  return value;
}
template <NamedEnum T>
nlohmann::json Write(T value) {
  return std::string(EnumNames<T>::Name(value));
}

template <class T>
nlohmann::json Write(const std::optional<T>& value) {
  return Write(*value);  // unset optionals are never written
}

template <class T>
nlohmann::json Write(const std::vector<T>& values) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& value : values) j.push_back(Write(value));
  return j;
}

template <class T>
nlohmann::json Write(const std::map<std::string, T>& values) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : values) j[key] = Write(value);
  return j;
}

// A default-constructed S, made once and never destroyed (a static S would be, and its
// destructor trips GCC 12's -Wmaybe-uninitialized on the maps inside).
template <class S>
const S& DefaultValue() {
  static const S* const value = new S{};
  return *value;
}

template <class S>
class ObjectWriter {
 public:
  ObjectWriter(const S& value, nlohmann::json& j) : value_(value), j_(j) {}

  template <class T>
  void Field(std::string_view key, T S::*member, bool required = false) {
    const T& field = value_.*member;
    if (!required && field == DefaultValue<S>().*member) return;
    j_[std::string(key)] = Write(field);
  }

 private:
  const S& value_;
  nlohmann::json& j_;
};

template <Described S>
nlohmann::json Write(const S& value) {
  nlohmann::json j = nlohmann::json::object();
  ObjectWriter<S> writer(value, j);
  Describe(writer, static_cast<S*>(nullptr));
  return j;
}

}  // namespace json_detail

inline Config ConfigFromJson(const nlohmann::json& j) {
  Config config;
  json_detail::Read(j, "", config);
  return config;
}

// `path` prefixes error paths: "process" inside a config, "" for a bare process.
inline ProcessConfig ProcessConfigFromJson(const nlohmann::json& j,
                                           const std::string& path = "process") {
  ProcessConfig process;
  json_detail::Read(j, path, process);
  return process;
}

// Resources on their own (Container::Update); `path` prefixes error paths.
inline Resources ResourcesFromJson(const nlohmann::json& j, const std::string& path = "resources") {
  Resources resources;
  json_detail::Read(j, path, resources);
  return resources;
}

inline nlohmann::json ToJson(const Config& config) { return json_detail::Write(config); }
inline nlohmann::json ToJson(const Resources& resources) { return json_detail::Write(resources); }
inline nlohmann::json ToJson(const ProcessConfig& process) { return json_detail::Write(process); }

namespace json_detail {

// A syntax error becomes a ConfigError giving its byte position, and so does every
// other failure of the parser (a number too large for a double, 1e999, is out_of_range).
inline nlohmann::json Parse(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
    std::string what = e.what();
    throw ConfigError("", "invalid JSON: " + what.substr(what.find("] ") + 2));
  }
}

}  // namespace json_detail

// Parses JSON text; a syntax error becomes a ConfigError giving its byte position.
inline Config ParseConfig(std::string_view text) {
  return ConfigFromJson(json_detail::Parse(text));
}

// Reads `text` as changes to `base`, a JSON merge patch (RFC 7386): what it names
// replaces base's value, what it leaves out stays, a null removes. So a two-line file
// cannot drop the namespaces it never mentioned.
inline Config ParseConfigPatch(std::string_view text, const Config& base) {
  nlohmann::json merged = ToJson(base);
  merged.merge_patch(json_detail::Parse(text));
  return ConfigFromJson(merged);
}

// Pretty-printed with two-space indentation.
inline std::string ToJsonString(const Config& config) { return ToJson(config).dump(2); }

}  // namespace cask
