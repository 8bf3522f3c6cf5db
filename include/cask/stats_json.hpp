// Stats as JSON, for printing and for OCI front ends: what a kernel does not report is
// left out of the object, not written as zero; an unlimited limit is "max".
#pragma once

#include <cask/stats.hpp>

#include <nlohmann/json.hpp>

namespace cask {

nlohmann::json ToJson(const Stats& stats);

}  // namespace cask
