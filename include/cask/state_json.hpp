// The state file's JSON (<root>/<id>/state.json).
#pragma once

#include <cask/state.hpp>

#include <nlohmann/json.hpp>

namespace cask {

nlohmann::json ToJson(const State& state);
// Throws ConfigError naming the field for a malformed state file.
State StateFromJson(const nlohmann::json& json);

}  // namespace cask
