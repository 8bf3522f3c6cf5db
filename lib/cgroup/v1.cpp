#include "cgroup/v1.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <fmt/format.h>

#include "cask/error.hpp"
#include "cgroup/freezer.hpp"
#include "cgroup/fs.hpp"
#include "cgroup/parse.hpp"

namespace cask::cgroup {
namespace {

// A new v1 cpuset starts with no cpus and no memory nodes, and no process can join it
// until it has some: give each made directory its parent's.
void InheritCpuset(const std::vector<std::string>& made) {
  for (const auto& dir : made) {
    std::string parent = dir.substr(0, dir.rfind('/'));
    for (const char* file : {"/cpuset.cpus", "/cpuset.mems"}) {
      std::string value = ReadFile(dir + file);
      if (value.find_first_not_of(" \n") == std::string::npos) {
        WriteFile(dir + file, ReadFile(parent + file));
      }
    }
  }
}

}  // namespace

V1Manager::V1Manager(std::map<std::string, std::string> dirs, std::unique_ptr<V2Manager> unified)
    : dirs_(std::move(dirs)), unified_(std::move(unified)) {
  for (const auto& [controller, dir] : dirs_) unique_dirs_.insert(dir);
}

std::unique_ptr<V1Manager> V1Manager::Create(const std::vector<Hierarchy>& hierarchies,
                                             const std::string& path, const Resources& resources) {
  std::map<std::string, std::string> dirs;
  const Hierarchy* unified = nullptr;
  for (const auto& h : hierarchies) {
    if (h.v2) {
      unified = &h;
      continue;
    }
    std::string dir = ResolvePath(h, path);
    for (const auto& c : h.controllers) dirs[c] = dir;
  }
  if (dirs.empty()) throw Error(ENOENT, "create cgroup " + path + ": no cgroup v1 hierarchy");
  auto manager = std::make_unique<V1Manager>(dirs, nullptr);
  try {
    for (const auto& dir : manager->unique_dirs_) {
      auto made = MakeDirs(dir);
      manager->made_.insert(manager->made_.end(), made.begin(), made.end());
      if (made.empty() || made.back() != dir) {  // it was there: it must be idle
        bool freezer = manager->Has("freezer") && dir == manager->Dir("freezer");
        RefuseBusy(dir, freezer && FrozenV1(dir));
      }
      if (manager->Has("cpuset") && dir == manager->Dir("cpuset")) InheritCpuset(made);
    }
    if (unified) manager->unified_ = V2Manager::Create(*unified, "unified", path, {});
    manager->Set(resources);
  } catch (...) {
    manager->Undo();
    throw;
  }
  return manager;
}

void V1Manager::Undo() {
  if (unified_) unified_->Undo();
  RemoveMade(made_);
}

const std::string& V1Manager::Dir(const std::string& controller) const {
  auto it = dirs_.find(controller);
  if (it == dirs_.end()) {
    throw Error(ENOTSUP, "cgroup v1 controller \"" + controller + "\" is not mounted");
  }
  return it->second;
}

std::map<std::string, std::string> V1Manager::Paths() const {
  auto paths = dirs_;
  if (unified_) paths["unified"] = unified_->dir();
  return paths;
}

void V1Manager::Apply(pid_t pid) {
  for (const auto& dir : unique_dirs_) WriteFile(dir + "/cgroup.procs", std::to_string(pid));
  if (unified_) unified_->Apply(pid);
}

std::vector<pid_t> V1Manager::Pids() const {
  std::vector<pid_t> pids;
  for (const auto& dir : unique_dirs_) CollectPids(dir, pids);
  if (unified_) {
    auto more = unified_->Pids();
    pids.insert(pids.end(), more.begin(), more.end());
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

void V1Manager::Freeze() {
  if (Has("freezer")) return FreezeV1(Dir("freezer"));
  if (unified_) return unified_->Freeze();
  throw Error(ENOTSUP, "freeze: no freezer hierarchy is mounted");
}

void V1Manager::Thaw() {
  if (Has("freezer")) return ThawV1(Dir("freezer"));
  if (unified_) return unified_->Thaw();
  throw Error(ENOTSUP, "thaw: no freezer hierarchy is mounted");
}

bool V1Manager::Frozen() const {
  if (Has("freezer")) return FrozenV1(Dir("freezer"));
  return unified_ && unified_->Frozen();
}

void V1Manager::KillAll() {
  if (unified_ && Exists(unified_->dir() + "/cgroup.kill")) {
    // Every process placed by Apply is in the unified cgroup too. A task frozen by the
    // v1 freezer does not die until it is thawed.
    unified_->KillAll();
    if (Has("freezer") && Exists(Dir("freezer")) && Frozen()) Thaw();
    return;
  }
  if (Pids().empty()) return;
  // Frozen processes cannot fork, so the list stays complete while it is killed.
  Freeze();
  KillEach(Pids());
  Thaw();
}

void V1Manager::Destroy() {
  // Empty cgroups, the common case, go with one rmdir each; only busy ones are walked.
  std::vector<std::string> busy;
  for (const auto& dir : unique_dirs_) {
    if (!RemoveIfEmpty(dir)) busy.push_back(dir);
  }
  if (!busy.empty()) KillAll();
  for (const auto& dir : busy) RemoveTree(dir);
  if (unified_) unified_->Destroy();
  RemoveMade(made_);
}

unique_fd V1Manager::OomEventFd() {
  const std::string& dir = Dir("memory");
  unique_fd event(eventfd(0, EFD_CLOEXEC));
  if (!event) throw Error(errno, "eventfd");
  std::string control = dir + "/memory.oom_control";
  unique_fd oom(open(control.c_str(), O_RDONLY | O_CLOEXEC));
  if (!oom) throw Error(errno, "open " + control);
  WriteFile(dir + "/cgroup.event_control", fmt::format("{} {}", event.get(), oom.get()));
  return event;
}

uint64_t V1Manager::OomKillCount() const {
  std::string control = Dir("memory") + "/memory.oom_control";
  auto values = ParseFlatKeyed(ReadFile(control), control);
  auto it = values.find("oom_kill");
  if (it == values.end()) throw Error(ENOTSUP, control + ": no oom_kill count");
  return it->second;
}

}  // namespace cask::cgroup
