// A container's events, for monitoring hosts: each OOM kill as the kernel reports it
// and, every `interval`, its Stats. An iterator: Next() blocks until the next event,
// and Stop() ends the stream from any thread.
//
//   cask::Events events(container, std::chrono::seconds(1));
//   while (auto event = events.Next()) Print(cask::ToJson(*event));
#pragma once

#include <cask/container.hpp>
#include <cask/stats.hpp>
#include <cask/unique_fd.hpp>

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace cask {

struct Event {
  enum class Type { kStats, kOom };
  Type type = Type::kStats;
  std::string id;
  std::chrono::system_clock::time_point time;
  cask::Stats stats;       // kStats
  uint64_t oom_kills = 0;  // kOom: the container's OOM kills so far (State::oom_kills too)
};

// {"type": "stats"|"oom", "id": ..., "time": RFC 3339, "data": Stats or {"oom_kills": N}}
nlohmann::json ToJson(const Event& event);

class Events {
 public:
  // An interval of zero gives OOM events only. Throws if the container does not exist.
  Events(Container container, std::chrono::milliseconds interval);
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;

  // The next event, or nullopt once Stop() was called or the container was destroyed.
  std::optional<Event> Next();
  void Stop();

 private:
  std::optional<Event> OnOom();
  bool Destroyed() const;

  Container container_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point next_stats_;
  std::map<std::string, std::string> cgroup_paths_;
  unique_fd oom_;   // readable on an OOM event; invalid without a memory controller
  unique_fd stop_;  // an eventfd
  uint64_t oom_seen_ = 0;
};

}  // namespace cask
