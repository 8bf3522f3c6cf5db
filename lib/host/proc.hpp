// /proc about a process on the host: reading it, and writing its id maps.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cask/config.hpp>
#include <cask/state.hpp>
#include <cask/unique_fd.hpp>
#include <string>
#include <vector>

namespace cask {

// Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); 0 when the
// process is gone or a zombie, which both count as dead.
uint64_t ProcessStartTime(pid_t pid);

// Whether `pid` is still the live process that had `start_time`.
inline bool IsSameLiveProcess(pid_t pid, uint64_t start_time) {
  return pid > 0 && start_time != 0 && ProcessStartTime(pid) == start_time;
}

// A pidfd for the container's init, checked to still be the same process (not a reused
// pid) after it was opened, so that signals through it cannot hit a stranger; empty
// when init is gone.
unique_fd OpenInit(const State& state);

// Writes /proc/<pid>/<file> ("uid_map" or "gid_map") from `mappings`; throws
// cask::Error "<context>: write <file>".
void WriteIdMap(pid_t pid, const char* file, const std::vector<IdMapping>& mappings, const std::string& context);

}  // namespace cask
