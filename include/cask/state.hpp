// What a container's state directory records, and how its status may change.
#pragma once

#include <cask/config.hpp>
#include <cask/error.hpp>
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cask {

// kCreating: Create has begun (its state directory, cgroups or init may exist) and not
// finished; Destroy removes what it made.
enum class Status { kCreating, kCreated, kRunning, kPaused, kStopped };

inline const char* StatusName(Status status) {
  switch (status) {
    case Status::kCreating: return "creating";
    case Status::kCreated: return "created";
    case Status::kRunning: return "running";
    case Status::kPaused: return "paused";
    case Status::kStopped: return "stopped";
  }
  return "unknown";
}

inline std::optional<Status> StatusFromName(std::string_view name) {
  for (Status s : {Status::kCreating, Status::kCreated, Status::kRunning, Status::kPaused, Status::kStopped}) {
    if (name == StatusName(s)) return s;
  }
  return std::nullopt;
}

// The explicit transition table: the end of Create, Start, Pause, Resume, and death
// (to stopped).
inline bool CanTransition(Status from, Status to) {
  switch (to) {
    case Status::kRunning: return from == Status::kCreated || from == Status::kPaused;
    case Status::kPaused: return from == Status::kRunning;
    case Status::kStopped: return true;
    case Status::kCreated: return from == Status::kCreating;
    case Status::kCreating: return false;
  }
  return false;
}

// Labels of a container, as garden's properties: key to value.
using Labels = std::map<std::string, std::string>;

struct State {
  std::string id;
  Status status = Status::kStopped;
  pid_t init_pid = 0;
  uint64_t init_start_time = 0;  // field 22 of /proc/<pid>/stat: tells a reused pid apart
  std::string created;           // RFC 3339, UTC
  std::map<std::string, std::string> cgroup_paths;     // controller -> directory
  std::map<std::string, std::string> namespace_paths;  // OCI namespace name -> path
  uint64_t oom_kills = 0;  // OOM kills seen by an Events watcher (events.hpp)
  Labels labels;
  Config config;
  bool operator==(const State&) const = default;
};

}  // namespace cask
