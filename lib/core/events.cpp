#include <cask/events.hpp>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <thread>

#include "cgroup/manager.hpp"
#include "core/factory_impl.hpp"
#include "core/rfc3339.hpp"

namespace cask {
namespace {

bool IsNotFound(const Error& e) { return e.code() == Errc::kNotFound; }

}  // namespace

nlohmann::json ToJson(const Event& event) {
  bool oom = event.type == Event::Type::kOom;
  return {{"type", oom ? "oom" : "stats"},
          {"id", event.id},
          {"time", Rfc3339(event.time)},
          {"data", oom ? nlohmann::json{{"oom_kills", event.oom_kills}} : ToJson(event.stats)}};
}

Events::Events(Container container, std::chrono::milliseconds interval)
    : container_(std::move(container)),
      interval_(interval),
      next_stats_(std::chrono::steady_clock::now()),
      stop_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!stop_) throw Error(errno, "events: eventfd");
  cgroup_paths_ = container_.factory_->ReadState(container_.Id()).cgroup_paths;
  auto cgroup = cgroup::Manager::Load(cgroup_paths_);
  try {
    oom_seen_ = cgroup->OomKillCount();
    oom_ = cgroup->OomEventFd();
  } catch (const Error& e) {
    // No memory controller, or a kernel that does not count OOM kills: stats only.
    if (e.code() != std::errc::not_supported) throw;
  }
}

void Events::Stop() {
  uint64_t one = 1;
  if (write(stop_.get(), &one, sizeof(one)) < 0) throw Error(errno, "events: stop");
}

std::optional<Event> Events::Next() {
  for (;;) {
    int timeout = -1;
    if (interval_.count() > 0) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(next_stats_ - std::chrono::steady_clock::now());
      timeout = static_cast<int>(std::max<int64_t>(left.count(), 0));
    }
    pollfd fds[2] = {{stop_.get(), POLLIN, 0}, {oom_.get(), POLLIN, 0}};
    int ready = poll(fds, oom_ ? 2 : 1, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw Error(errno, "events of '" + container_.Id() + "': poll");
    }
    if (fds[0].revents != 0) return std::nullopt;
    if (oom_ && fds[1].revents != 0) {
      if (auto event = OnOom()) return event;
      if (!oom_) return std::nullopt;  // the cgroup is gone
      continue;
    }
    if (ready == 0) {
      next_stats_ += interval_;
      Event event{Event::Type::kStats, container_.Id(), std::chrono::system_clock::now(), {}, 0};
      try {
        event.stats = container_.Stats();
      } catch (const Error& e) {
        if (IsNotFound(e) || Destroyed()) return std::nullopt;
        throw;
      }
      return event;
    }
  }
}

// Destroy removes the cgroups before the state: a Stats that fails meanwhile is the end.
bool Events::Destroyed() const {
  for (const auto& [hierarchy, dir] : cgroup_paths_) {
    if (access(dir.c_str(), F_OK) != 0) return true;
  }
  return false;
}

// The fd fires on every OOM situation (and, on v1, when the cgroup is removed; on v2, on
// any change of memory.events): an event is a rise of the kill count, which is also
// recorded in the state.
std::optional<Event> Events::OnOom() {
  char drain[4096];  // 8 bytes of eventfd counter, or inotify records
  if (read(oom_.get(), drain, sizeof(drain)) < 0 && errno != EAGAIN) {
    throw Error(errno, "events of '" + container_.Id() + "': read OOM notification");
  }
  // v1 notifies as the OOM begins, before the killer has chosen: give the count a moment.
  auto cgroup = cgroup::Manager::Load(cgroup_paths_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  uint64_t kills;
  try {
    while ((kills = cgroup->OomKillCount()) <= oom_seen_ && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  } catch (const Error& e) {
    if (e.code() != std::errc::no_such_file_or_directory) throw;
    oom_.reset();
    return std::nullopt;
  }
  if (kills <= oom_seen_) return std::nullopt;
  oom_seen_ = kills;
  try {
    container_.factory_->UpdateState(container_.Id(), [&](State& state) { state.oom_kills = kills; });
  } catch (const Error& e) {
    if (!IsNotFound(e)) throw;
    oom_.reset();
    return std::nullopt;
  }
  return Event{Event::Type::kOom, container_.Id(), std::chrono::system_clock::now(), {}, kills};
}

}  // namespace cask
