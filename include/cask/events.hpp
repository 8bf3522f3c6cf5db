// A container's events, for monitoring hosts: its lifecycle (start, pause, resume,
// exit with its status, destroy), each OOM kill as the kernel reports it and, every
// `interval` while it lives, its Stats. An iterator: Next() blocks until the next
// event, and Stop() ends the stream from any thread. Works from any process (the state
// directory is watched with inotify, init through its pidfd), without polling.
//
//   cask::Events events(container, std::chrono::seconds(1));
//   while (auto event = events.Next()) Print(cask::ToJson(*event));
#pragma once

#include <cask/container.hpp>
#include <cask/process.hpp>
#include <cask/stats.hpp>
#include <cask/unique_fd.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

namespace cask {

struct Event {
  enum class Type { kStats, kOom, kStart, kPause, kResume, kExit, kDestroy };
  Type type = Type::kStats;
  std::string id;
  std::chrono::system_clock::time_point time;
  cask::Stats stats;       // kStats
  uint64_t oom_kills = 0;  // kOom: the container's OOM kills so far (State::oom_kills too)
  // kExit: how init ended, once it was reaped (by its host), where the kernel tells
  // (Linux 6.15); absent when it cannot be known.
  std::optional<ExitStatus> exit_status;
};

// {"type": "stats"|"oom"|"start"|"pause"|"resume"|"exit"|"destroy", "id": ...,
//  "time": RFC 3339, "data": Stats, {"oom_kills": N}, {"exit_code": N} or {"signal": N}
//  (exit, when known), or {}}
nlohmann::json ToJson(const Event& event);

class Events {
 public:
  // An interval of zero gives no stats. Throws if the container does not exist. A
  // container that has already stopped gives its exit event first.
  Events(Container container, std::chrono::milliseconds interval);
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;

  // The next event, in the order they happened. Stats stop with the exit event; the
  // stream ends (nullopt) after the destroy event, or once Stop() was called.
  std::optional<Event> Next();
  void Stop();

 private:
  Event Make(Event::Type type) const;
  std::optional<Event> OnOom();
  void OnStateDirectory();  // queues start, pause, resume and destroy, in their order
  void OnInitExit();        // queues exit, once init is reaped or cannot be waited for
  bool Destroyed() const;

  Container container_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point next_stats_;
  std::map<std::string, std::string> cgroup_paths_;
  unique_fd oom_;    // readable on an OOM event; invalid without a memory controller
  unique_fd stop_;   // an eventfd
  unique_fd watch_;  // inotify on the state directory
  unique_fd init_;   // init's pidfd, until its exit is reported
  bool init_info_ = false;  // init_ tells the exit status once init is reaped
  std::optional<std::chrono::steady_clock::time_point> reap_deadline_;  // init exited
  bool state_removed_ = false;  // a Destroy has begun
  bool ended_ = false;          // the destroy event was returned
  std::deque<Event> pending_;
  uint64_t oom_seen_ = 0;
};

}  // namespace cask
