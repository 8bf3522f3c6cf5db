#include <cask/events.hpp>
#include <cask/stats_json.hpp>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

#include "cgroup/manager.hpp"
#include "host/factory_impl.hpp"
#include "host/pidfd_exit.hpp"
#include "host/proc.hpp"
#include "host/rfc3339.hpp"

namespace cask {
namespace {

bool IsNotFound(const Error& e) { return e.code() == Errc::kNotFound; }

}  // namespace

namespace {

const char* TypeName(Event::Type type) {
  switch (type) {
    case Event::Type::kStats: return "stats";
    case Event::Type::kOom: return "oom";
    case Event::Type::kStart: return "start";
    case Event::Type::kPause: return "pause";
    case Event::Type::kResume: return "resume";
    case Event::Type::kExit: return "exit";
    case Event::Type::kDestroy: return "destroy";
  }
  return "unknown";
}

nlohmann::json EventData(const Event& event) {
  switch (event.type) {
    case Event::Type::kStats: return ToJson(event.stats);
    case Event::Type::kOom: return {{"oom_kills", event.oom_kills}};
    case Event::Type::kExit:
      if (!event.exit_status) break;
      if (event.exit_status->Signaled()) return {{"signal", event.exit_status->signal}};
      return {{"exit_code", event.exit_status->code}};
    default: break;
  }
  return nlohmann::json::object();
}

bool Readable(const unique_fd& fd) {
  pollfd p{fd.get(), POLLIN, 0};
  return poll(&p, 1, 0) == 1;
}

// How long the exit event waits for the host to reap init, which is when the kernel
// can tell its status. A host that never reaps costs the status, not the event.
constexpr std::chrono::seconds kReapWait{1};

}  // namespace

nlohmann::json ToJson(const Event& event) {
  return {{"type", TypeName(event.type)},
          {"id", event.id},
          {"time", Rfc3339(event.time)},
          {"data", EventData(event)}};
}

Events::Events(Container container, std::chrono::milliseconds interval)
    : container_(std::move(container)),
      interval_(interval),
      next_stats_(std::chrono::steady_clock::now()),
      stop_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      watch_(inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
  const std::string context = "events of '" + container_.Id() + "'";
  if (!stop_) throw Error(errno, context + ": eventfd");
  if (!watch_) throw Error(errno, context + ": inotify_init1");
  // The watch before the state is read: no change between the two goes unseen.
  const std::string dir = container_.factory_->StateDir(container_.Id());
  if (inotify_add_watch(watch_.get(), dir.c_str(), IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_ONLYDIR) < 0) {
    if (errno == ENOENT) throw Error(Errc::kNotFound, "container '" + container_.Id() + "' does not exist");
    throw Error(errno, context + ": watch " + dir);
  }
  State state = container_.factory_->CurrentState(container_.Id());
  cgroup_paths_ = state.cgroup_paths;
  if (state.init_pid > 0) {
    init_.reset(static_cast<int>(syscall(SYS_pidfd_open, state.init_pid, 0)));
    if (init_ && !IsSameLiveProcess(state.init_pid, state.init_start_time)) init_.reset();
  }
  if (init_) {
    init_info_ = PidfdHasInfo(init_.get());
  } else {
    OnInitExit();  // it stopped before we looked
  }
  if (cgroup_paths_.empty()) return;  // an abandoned Create: no cgroup was made
  auto cgroup = cgroup::Manager::Load(cgroup_paths_);
  try {
    oom_seen_ = cgroup->OomKillCount();
    oom_ = cgroup->OomEventFd();
  } catch (const Error& e) {
    // No memory controller, or a kernel that does not count OOM kills: no OOM events.
    if (e.code() != std::errc::not_supported) throw;
  }
}

void Events::Stop() {
  uint64_t one = 1;
  if (write(stop_.get(), &one, sizeof(one)) < 0) throw Error(errno, "events: stop");
}

Event Events::Make(Event::Type type) const {
  Event event;
  event.type = type;
  event.id = container_.Id();
  event.time = std::chrono::system_clock::now();
  return event;
}

std::optional<Event> Events::Next() {
  using std::chrono::steady_clock;
  for (;;) {
    if (Readable(stop_)) return std::nullopt;
    if (!pending_.empty()) {
      Event event = std::move(pending_.front());
      pending_.pop_front();
      if (event.type == Event::Type::kDestroy) ended_ = true;
      return event;
    }
    if (ended_) return std::nullopt;

    const bool alive = init_ && !reap_deadline_;
    std::optional<steady_clock::time_point> wake;
    if (alive && interval_.count() > 0) wake = next_stats_;
    if (reap_deadline_) wake = *reap_deadline_;
    int timeout = -1;
    if (wake) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*wake - steady_clock::now());
      timeout = static_cast<int>(std::max<int64_t>(left.count(), 0));
    }
    // A pidfd is readable once the process exits, and hangs up once it is reaped.
    pollfd fds[4] = {{stop_.get(), POLLIN, 0},
                     {init_.get(), static_cast<short>(alive ? POLLIN : 0), 0},
                     {watch_.get(), POLLIN, 0},
                     {oom_.get(), POLLIN, 0}};
    int ready = poll(fds, oom_ ? 4 : 3, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw Error(errno, "events of '" + container_.Id() + "': poll");
    }
    if (fds[0].revents != 0) return std::nullopt;
    // The state directory first: what it shows (start, pause, resume) happened before
    // an exit seen in the same round; a destroy reports a pending exit itself.
    if (fds[2].revents != 0) OnStateDirectory();
    if (init_ && fds[1].revents != 0) {
      if (alive && init_info_ && (fds[1].revents & POLLHUP) == 0) {
        reap_deadline_ = steady_clock::now() + kReapWait;
      } else {
        OnInitExit();
      }
    } else if (reap_deadline_ && steady_clock::now() >= *reap_deadline_) {
      OnInitExit();
    }
    if (oom_ && fds[3].revents != 0) {
      if (auto event = OnOom()) pending_.push_back(std::move(*event));
    }
    if (!pending_.empty()) continue;
    if (ready == 0 && alive && interval_.count() > 0 && steady_clock::now() >= next_stats_) {
      next_stats_ += interval_;
      Event event = Make(Event::Type::kStats);
      try {
        event.stats = container_.Stats();
      } catch (const Error& e) {
        // Stopped or destroyed meanwhile: the exit and destroy events follow.
        if (IsNotFound(e) || Destroyed() || Readable(init_)) continue;
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

void Events::OnInitExit() {
  Event event = Make(Event::Type::kExit);
  if (init_ && init_info_) event.exit_status = PidfdExitStatus(init_.get());
  pending_.push_back(std::move(event));
  init_.reset();
  reap_deadline_.reset();
}

// The state directory tells the lifecycle by its names: Start removes exec.fifo, Pause
// makes kPausedMark and Resume removes it, Destroy removes state.json, then the rest.
void Events::OnStateDirectory() {
  alignas(inotify_event) char buffer[4096];
  for (;;) {
    ssize_t n = read(watch_.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n < 0) throw Error(errno, "events of '" + container_.Id() + "': read inotify");
    for (ssize_t at = 0; at < n;) {
      const auto* record = reinterpret_cast<const inotify_event*>(buffer + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + record->len);
      const std::string name = record->len > 0 ? record->name : "";
      if (record->mask & IN_DELETE_SELF) {
        if (init_) OnInitExit();  // a Destroy kills and reaps init first
        pending_.push_back(Make(Event::Type::kDestroy));
      } else if (record->mask & IN_DELETE) {
        // Start removes the fifo once the payload runs; a Destroy removes the state
        // first, then the rest.
        if (name == "state.json") state_removed_ = true;
        if (name == "exec.fifo" && !state_removed_) pending_.push_back(Make(Event::Type::kStart));
        if (name == kPausedMark && !state_removed_) pending_.push_back(Make(Event::Type::kResume));
      } else if ((record->mask & IN_CREATE) && name == kPausedMark) {
        pending_.push_back(Make(Event::Type::kPause));
      }
    }
  }
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
  Event event = Make(Event::Type::kOom);
  event.oom_kills = kills;
  return event;
}

}  // namespace cask
