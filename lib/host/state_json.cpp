#include <cask/config_json.hpp>
#include <cask/state_json.hpp>

namespace cask {

nlohmann::json ToJson(const State& state) {
  return {{"id", state.id},
          {"status", StatusName(state.status)},
          {"init_pid", state.init_pid},
          {"init_start_time", state.init_start_time},
          {"created", state.created},
          {"cgroup_paths", state.cgroup_paths},
          {"namespace_paths", state.namespace_paths},
          {"oom_kills", state.oom_kills},
          {"config", ToJson(state.config)}};
}

State StateFromJson(const nlohmann::json& json) {
  State state;
  try {
    state.id = json.at("id").get<std::string>();
    state.status = StatusFromName(json.at("status").get<std::string>());
    state.init_pid = json.at("init_pid").get<pid_t>();
    state.init_start_time = json.at("init_start_time").get<uint64_t>();
    state.created = json.at("created").get<std::string>();
    state.cgroup_paths = json.at("cgroup_paths").get<std::map<std::string, std::string>>();
    state.namespace_paths = json.at("namespace_paths").get<std::map<std::string, std::string>>();
    state.oom_kills = json.at("oom_kills").get<uint64_t>();
    state.config = ConfigFromJson(json.at("config"));
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError("state", e.what());
  }
  return state;
}

}  // namespace cask
