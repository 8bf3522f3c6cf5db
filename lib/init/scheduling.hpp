// process.scheduler, process.ioPriority and linux.personality, set in init before it
// gives up root: a real-time policy or class needs CAP_SYS_NICE (or CAP_SYS_ADMIN), and
// all three are kept across execve.
#pragma once

#include <cask/config.hpp>

namespace cask {

// Throws StepError("scheduler", "io_priority" or "personality").
void ApplyScheduling(const Config& config, const ProcessConfig& process);

}  // namespace cask
