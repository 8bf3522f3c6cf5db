// The marks of one container while its Factory records phases (cask/phases.hpp).
#pragma once

#include <cask/phases.hpp>
#include <cask/unique_fd.hpp>

#include <memory>
#include <mutex>
#include <string>

namespace cask {

struct PhaseLog {
  mutable std::mutex mutex;
  Phases marks;
  // Create mode: init's end of the sync socket stays open until the payload's execve
  // closes it; Start waits here for that EOF to mark "exec".
  unique_fd init_channel;

  void Mark(std::string name) {
    std::lock_guard lock(mutex);
    marks.push_back({std::move(name), std::chrono::steady_clock::now()});
  }
};

// Marks when there is a log: the callers need no test of their own.
inline void Mark(const std::shared_ptr<PhaseLog>& log, const char* name) {
  if (log) log->Mark(name);
}

}  // namespace cask
