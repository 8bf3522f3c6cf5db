// The moments init records as it sets a container up (cask/phases.hpp names them). Kept
// always, at the cost of a vDSO clock read each; sent to the host with "ready" only when
// the bootstrap asks (Bootstrap::record_phases).
#pragma once

#include <nlohmann/json.hpp>

namespace cask {

// `name` must outlive the process: a string literal.
void MarkPhase(const char* name);
// [[name, CLOCK_MONOTONIC ns], ...], in the order marked.
nlohmann::json PhaseMarks();

}  // namespace cask
