#include "cgroup/freezer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "cask/error.hpp"
#include "cask/unique_fd.hpp"
#include "cgroup/fs.hpp"
#include "cgroup/parse.hpp"

namespace cask::cgroup {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kFreezeTimeout = std::chrono::seconds(5);

std::string FreezerState(const std::string& dir) {
  std::string state = ReadFile(dir + "/freezer.state");
  while (!state.empty() && state.back() == '\n') state.pop_back();
  return state;
}

// Writes `state` until freezer.state reads it. FREEZING can stall on a task in an
// uninterruptible sleep; writing FROZEN again makes the kernel retry that task.
bool SetFreezerState(const std::string& dir, const std::string& state) {
  auto deadline = Clock::now() + kFreezeTimeout;
  auto delay = std::chrono::microseconds(100);
  while (Clock::now() < deadline) {
    WriteFile(dir + "/freezer.state", state);
    if (FreezerState(dir) == state) return true;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::microseconds(10000));
  }
  return false;
}

bool EventsFrozen(const std::string& path, int fd) {
  std::string text;
  char buf[512];
  ssize_t n;
  off_t offset = 0;
  while ((n = pread(fd, buf, sizeof buf, offset)) > 0) {
    text.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  if (n < 0) throw Error(errno, "read " + path);
  auto events = ParseFlatKeyed(text, path);
  return events["frozen"] == 1;
}

// Writes `want` to cgroup.freeze and waits for cgroup.events to say so: the kernel
// signals each change of that file as POLLPRI.
bool SetCgroupFreeze(const std::string& dir, bool want) {
  std::string events = dir + "/cgroup.events";
  unique_fd fd(open(events.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw Error(errno, "open " + events);
  WriteFile(dir + "/cgroup.freeze", want ? "1" : "0");
  auto deadline = Clock::now() + kFreezeTimeout;
  while (EventsFrozen(events, fd.get()) != want) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd.get(), POLLPRI, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
      throw Error(errno, "poll " + events);
    }
  }
  return true;
}

}  // namespace

void FreezeV1(const std::string& dir) {
  if (SetFreezerState(dir, "FROZEN")) return;
  SetFreezerState(dir, "THAWED");
  throw Error(EBUSY, "freeze " + dir + ": freezer.state stayed FREEZING");
}

void ThawV1(const std::string& dir) {
  if (!SetFreezerState(dir, "THAWED")) {
    throw Error(EBUSY, "thaw " + dir + ": freezer.state did not become THAWED");
  }
}

bool FrozenV1(const std::string& dir) { return FreezerState(dir) == "FROZEN"; }

void FreezeV2(const std::string& dir) {
  if (SetCgroupFreeze(dir, true)) return;
  SetCgroupFreeze(dir, false);
  throw Error(EBUSY, "freeze " + dir + ": cgroup.events did not report frozen");
}

void ThawV2(const std::string& dir) {
  if (!SetCgroupFreeze(dir, false)) {
    throw Error(EBUSY, "thaw " + dir + ": cgroup.events still reports frozen");
  }
}

bool FrozenV2(const std::string& dir) {
  auto text = ReadFileIfExists(dir + "/cgroup.events");
  return text && ParseFlatKeyed(*text, dir + "/cgroup.events")["frozen"] == 1;
}

}  // namespace cask::cgroup
