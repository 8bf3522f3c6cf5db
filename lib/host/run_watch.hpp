// What Factory::RunToCompletion and Pool::RunToCompletion share: the run's limits as
// cgroup resources, its input, and the watch of a started run to its report.
#pragma once

#include <cask/error.hpp>
#include <cask/process.hpp>
#include <cask/run.hpp>
#include <cask/unique_fd.hpp>

#include <chrono>
#include <string>

#include "cgroup/manager.hpp"

namespace cask {

// "STEM-" and 16 random hex digits: the id of a throwaway container.
std::string RandomId(const char* stem);
// `resources` with the run's memory and pids limits in them.
void LimitResources(const RunLimits& limits, Resources& resources);
// The payload's stdin: a sealed-off copy of `input` in a memfd, read like a file. A
// pipe would need writing while the payload runs, and SIGPIPE handling in the host.
unique_fd InputFile(const std::string& input);
// The report of a run that did not start: `stage` is its step where the error has none.
RunReport SetupFailed(const Error& e, const char* stage);
// Watches the run of init (`process`, started at `start`, its stdout and stderr pipes)
// in `cgroup` to its end under `limits`, and reports it. Where init has no pid
// namespace of its own, what outlives it is killed when it ends.
RunReport WatchRun(Process& process, cgroup::Manager& cgroup, const RunLimits& limits, bool own_pid_namespace,
                   std::chrono::steady_clock::time_point start);

}  // namespace cask
