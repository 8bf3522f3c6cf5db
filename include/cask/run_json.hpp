// A RunReport as JSON, as `nsinit run --report` prints it: "status" by name, the exit
// code or the signal, times in ns, what the kernel does not report left out.
#pragma once

#include <cask/run.hpp>

#include <nlohmann/json.hpp>

namespace cask {

nlohmann::json ToJson(const RunReport& report);

}  // namespace cask
