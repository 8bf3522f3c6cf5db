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
};

inline nlohmann::json ToJson(const Bootstrap& b) {
  nlohmann::json join = nlohmann::json::array();
  for (const auto& ns : b.join) join.push_back({{"type", static_cast<int>(ns.type)}, {"path", ns.path}});
  return {{"mode", b.mode == Bootstrap::Mode::kCreate ? "create" : "exec"},
          {"id", b.id},
          {"config", ToJson(b.config)},
          {"process", ToJson(b.process)},
          {"join", join},
          {"unshare_flags", b.unshare_flags},
          {"fork", b.fork},
          {"extra_fds", b.extra_fds},
          {"new_user_namespace", b.new_user_namespace},
          {"seccomp_flags", b.seccomp_flags ? nlohmann::json(*b.seccomp_flags) : nlohmann::json()}};
}

inline Bootstrap BootstrapFromJson(const nlohmann::json& json) {
  Bootstrap b;
  b.mode = json.at("mode") == "create" ? Bootstrap::Mode::kCreate : Bootstrap::Mode::kExec;
  b.id = json.at("id").get<std::string>();
  b.config = ConfigFromJson(json.at("config"));
  b.process = ProcessConfigFromJson(json.at("process"));
  for (const auto& ns : json.at("join")) {
    b.join.push_back({static_cast<NamespaceType>(ns.at("type").get<int>()), ns.at("path").get<std::string>()});
  }
  b.unshare_flags = json.at("unshare_flags").get<unsigned long>();
  b.fork = json.at("fork").get<bool>();
  b.extra_fds = json.at("extra_fds").get<int>();
  b.new_user_namespace = json.at("new_user_namespace").get<bool>();
  if (!json.at("seccomp_flags").is_null()) b.seccomp_flags = json.at("seccomp_flags").get<unsigned>();
  return b;
}

}  // namespace cask
