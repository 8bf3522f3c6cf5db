// A whole run in one call, for test harnesses, judges and job runners
// (Factory::RunToCompletion): the limits of the run, and a report of how it ended.
#pragma once

#include <cask/process.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace cask {

// What a run may use. An unset limit is no limit (the config's own limits still hold).
struct RunLimits {
  std::optional<std::chrono::milliseconds> wall_time;  // from Start
  // User and system time of every process in the container (the cgroup's accounting),
  // not one process's RLIMIT_CPU.
  std::optional<std::chrono::milliseconds> cpu_time;
  std::optional<int64_t> memory;      // bytes; swap is held to the same limit
  std::optional<int64_t> pids;
  std::optional<uint64_t> output;     // bytes kept of stdout and of stderr; one more ends the run
  std::optional<uint64_t> file_size;  // bytes a process may write to one file (RLIMIT_FSIZE)
  // At a time limit every process gets SIGTERM, and SIGKILL this much later.
  std::chrono::milliseconds grace{500};
};

struct RunReport {
  enum class Status {
    kExited,         // init exited by itself: exit.code
    kSignaled,       // init died of exit.signal, not from a limit
    kOutOfMemory,    // the OOM killer ended init
    kCpuTimeLimit,
    kWallTimeLimit,
    kOutputLimit,
    kSetupFailed,    // the container did not start: setup_step and error say why
  };
  Status status = Status::kSetupFailed;
  ExitStatus exit;           // how init ended (not for kSetupFailed)
  std::string setup_step;    // "config" for a config that Validate refuses, else cask's step
  std::string error;         // kSetupFailed: the error's message
  std::chrono::nanoseconds wall_time{0};  // Start to the end of init
  std::optional<uint64_t> cpu_user_ns;    // the cgroup's, every process included
  std::optional<uint64_t> cpu_system_ns;
  std::optional<uint64_t> memory_peak;    // bytes: v1 max_usage_in_bytes, v2 memory.peak
  std::optional<uint64_t> pids_peak;      // pids.peak, where the kernel has it
  uint64_t oom_kills = 0;
  std::string out;  // stdout, at most RunLimits::output bytes
  std::string err;
  bool out_truncated = false;
  bool err_truncated = false;
};

// "exited", "signaled", "out_of_memory", "cpu_time_limit", "wall_time_limit",
// "output_limit", "setup_failed".
const char* RunStatusName(RunReport::Status status);

}  // namespace cask
