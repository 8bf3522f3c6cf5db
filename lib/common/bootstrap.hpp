// What the host tells init in its first message, shared by both sides.
#pragma once

#include <cask/config.hpp>
#include <cask/config_json.hpp>

#include <optional>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/seccomp.hpp"

namespace cask {

struct Bootstrap {
  enum class Mode { kCreate, kExec };
  Mode mode = Mode::kCreate;
  std::string id;
  Config config;
  ProcessConfig process;
  // Namespaces to join by path, user first; then the flags to unshare. When the host
  // made the new namespaces at clone time, both are empty.
  std::vector<Namespace> join;
  unsigned long unshare_flags = 0;
  bool fork = false;        // enter a pid namespace: fork, the parent reports and exits
  int extra_fds = 0;        // fds 4.. that the payload gets as 3..
  bool new_user_namespace = false;
  // The flags of the config's seccomp filter, compiled by the host, when there is one: its
  // instructions come as the message's last fd (SealedSeccomp). config.seccomp is not sent.
  std::optional<unsigned> seccomp_flags;
  // Create mode, for Factory::RecordPhases: init sends its marks with "ready" and keeps
  // its socket open until the payload's execve.
  bool record_phases = false;
  // Create mode, for a Pool: the payload's args, env and cwd, and its stdio and extra
  // fds, come after the barrier in a kStart message on the socket, which init keeps
  // open until the payload's execve (its EOF tells the host that the payload runs).
  bool process_at_start = false;
  bool operator==(const Bootstrap&) const = default;
};

namespace json_detail {

template <>
struct EnumNames<Bootstrap::Mode> {
  static constexpr const char* kExpected = "a mode";
  static constexpr const char* kKind = "mode";
  static std::string_view Name(Bootstrap::Mode mode) { return mode == Bootstrap::Mode::kCreate ? "create" : "exec"; }
  static std::optional<Bootstrap::Mode> FromName(std::string_view name) {
    if (name == "create") return Bootstrap::Mode::kCreate;
    if (name == "exec") return Bootstrap::Mode::kExec;
    return std::nullopt;
  }
};

template <class V>
void Describe(V& v, Bootstrap*) {
  v.Field("mode", &Bootstrap::mode, kRequired);
  v.Field("id", &Bootstrap::id, kRequired);
  v.Field("config", &Bootstrap::config, kRequired);
  v.Field("process", &Bootstrap::process, kRequired);
  v.Field("join", &Bootstrap::join);
  v.Field("unshare_flags", &Bootstrap::unshare_flags);
  v.Field("fork", &Bootstrap::fork);
  v.Field("extra_fds", &Bootstrap::extra_fds);
  v.Field("new_user_namespace", &Bootstrap::new_user_namespace);
  v.Field("seccomp_flags", &Bootstrap::seccomp_flags);
  v.Field("record_phases", &Bootstrap::record_phases);
  v.Field("process_at_start", &Bootstrap::process_at_start);
}

}  // namespace json_detail

inline nlohmann::json ToJson(const Bootstrap& b) { return json_detail::Write(b); }

// Init reads it as strictly as a config: a host and an init of different builds fail
// here, naming the field, rather than misreading each other.
inline Bootstrap BootstrapFromJson(const nlohmann::json& json) {
  Bootstrap b;
  json_detail::Read(json, "bootstrap", b);
  return b;
}

}  // namespace cask
