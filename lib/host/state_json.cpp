#include <cask/config_json.hpp>
#include <cask/state_json.hpp>

namespace cask {
namespace json_detail {

template <>
struct EnumNames<Status> {
  static constexpr const char* kExpected = "a status";
  static constexpr const char* kKind = "status";
  static std::string_view Name(Status status) { return StatusName(status); }
  static std::optional<Status> FromName(std::string_view name) { return StatusFromName(name); }
};

// Every key is written and required, as the state file is cask's own, read back only by
// it; labels came later, and a state written before them has none.
template <class V>
void Describe(V& v, State*) {
  v.Field("id", &State::id, kRequired);
  v.Field("status", &State::status, kRequired);
  v.Field("init_pid", &State::init_pid, kRequired);
  v.Field("init_start_time", &State::init_start_time, kRequired);
  v.Field("created", &State::created, kRequired);
  v.Field("cgroup_paths", &State::cgroup_paths, kRequired);
  v.Field("namespace_paths", &State::namespace_paths, kRequired);
  v.Field("oom_kills", &State::oom_kills, kRequired);
  v.Field("labels", &State::labels);
  v.Field("config", &State::config, kRequired);
}

}  // namespace json_detail

nlohmann::json ToJson(const State& state) { return json_detail::Write(state); }

State StateFromJson(const nlohmann::json& json) {
  State state;
  json_detail::Read(json, "", state);
  return state;
}

}  // namespace cask
