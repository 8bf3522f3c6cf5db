#include "cgroup/v2.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/inotify.h>

#include <algorithm>
#include <sstream>
#include <fmt/format.h>

#include "cask/error.hpp"
#include "cgroup/freezer.hpp"
#include "cgroup/fs.hpp"
#include "cgroup/parse.hpp"

namespace cask::cgroup {
namespace {

std::vector<std::string> FileWords(const std::string& path) {
  std::istringstream text(ReadFile(path));
  std::vector<std::string> words;
  for (std::string word; text >> word;) words.push_back(word);
  return words;
}

bool Contains(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// Whether `dir` may pass controllers to its children: cgroup v2 lets a cgroup other
// than the root do so only while no process is in it (the root alone has no
// cgroup.type).
bool MayDelegate(const std::string& dir) {
  return !Exists(dir + "/cgroup.type") || ReadFile(dir + "/cgroup.procs").empty();
}

// Enables in `dir`'s cgroup.subtree_control the controllers it has and its children
// lack, as runc does, so that the new cgroup below can be limited and measured; where
// they are all there, or where `dir` holds processes of its own, it writes nothing
// (the caller's cgroup is not made one with processes and children).
void EnableControllers(const std::string& dir) {
  auto enabled = FileWords(dir + "/cgroup.subtree_control");
  std::string request;
  for (const auto& c : FileWords(dir + "/cgroup.controllers")) {
    if (!Contains(enabled, c)) request += (request.empty() ? "+" : " +") + c;
  }
  if (!request.empty() && MayDelegate(dir)) WriteFile(dir + "/cgroup.subtree_control", request);
}

// The controllers whose files `resources` writes, by their names' prefix.
std::vector<std::string> Needed(const Resources& r) {
  std::vector<std::string> needed;
  auto need = [&](const std::string& c) {
    if (!Contains(needed, c)) needed.push_back(c);
  };
  if (r.memory) need("memory");
  if (r.cpu && (r.cpu->shares || r.cpu->quota || r.cpu->period || r.cpu->burst || r.cpu->idle)) need("cpu");
  if (r.cpu && (!r.cpu->cpus.empty() || !r.cpu->mems.empty())) need("cpuset");
  if (r.pids) need("pids");
  if (r.block_io) need("io");
  if (!r.hugepage_limits.empty()) need("hugetlb");
  for (const auto& [name, value] : r.unified) {
    const std::string prefix = name.substr(0, name.find('.'));
    if (prefix != "cgroup") need(prefix);
  }
  return needed;
}

}  // namespace

// The nearest parent that has the controller and does not pass it down, and why.
void RequireControllers(const std::string& dir, const Resources& resources) {
  const auto here = FileWords(dir + "/cgroup.controllers");
  for (const auto& c : Needed(resources)) {
    if (Contains(here, c)) continue;
    std::string why;
    for (std::string child = dir;; child = child.substr(0, child.rfind('/'))) {
      const std::string parent = child.substr(0, child.rfind('/'));
      if (Contains(FileWords(parent + "/cgroup.controllers"), c)) {
        why = MayDelegate(parent) ? "it is not delegated to " + child
                                  : parent + " has processes of its own, and cgroup v2 lets only a cgroup "
                                             "without them pass controllers to its children";
        break;
      }
      if (!Exists(parent + "/cgroup.type")) {
        why = "the kernel offers none";
        break;
      }
    }
    throw Error(ENOTSUP, fmt::format("cgroup {}: no {} controller: {}", dir, c, why));
  }
}

void RefuseBusy(const std::string& dir, bool frozen) {
  std::vector<pid_t> pids;
  CollectPids(dir, pids);
  if (!pids.empty()) throw Error(EBUSY, "create cgroup " + dir + ": it exists with processes");
  if (frozen) throw Error(EBUSY, "create cgroup " + dir + ": it exists and is frozen");
}

void KillEach(const std::vector<pid_t>& pids) {
  for (pid_t pid : pids) {
    if (kill(pid, SIGKILL) != 0 && errno != ESRCH) {
      throw Error(errno, fmt::format("kill {}", pid));
    }
  }
}

std::unique_ptr<V2Manager> V2Manager::Create(const Hierarchy& h, const std::string& key,
                                             const std::string& path, const Resources& resources) {
  std::string dir = ResolvePath(h, path);
  auto made = MakeDirs(dir);
  const bool existed = made.empty();
  auto manager = std::make_unique<V2Manager>(key, dir, std::move(made));
  try {
    if (existed) RefuseBusy(dir, FrozenV2(dir));
    // Controllers flow down from the cgroup the path starts at to the new one.
    std::string base = ResolvePath(h, path[0] == '/' ? "/" : ".");
    for (size_t slash = dir.find('/', base.size()); slash != std::string::npos;
         slash = dir.find('/', slash + 1)) {
      EnableControllers(dir.substr(0, slash));
    }
    manager->Set(resources);
  } catch (...) {
    manager->Undo();
    throw;
  }
  return manager;
}

void V2Manager::Apply(pid_t pid) { WriteFile(dir_ + "/cgroup.procs", std::to_string(pid)); }

unique_fd V2Manager::BirthFd() const {
  if (!key_.empty()) return {};  // a hybrid host's unified cgroup: V1Manager applies
  unique_fd fd(open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw Error(errno, "open cgroup " + dir_);
  return fd;
}

std::vector<pid_t> V2Manager::Pids() const {
  std::vector<pid_t> pids;
  CollectPids(dir_, pids);
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

void V2Manager::Freeze() { FreezeV2(dir_); }
void V2Manager::Thaw() { ThawV2(dir_); }
bool V2Manager::Frozen() const { return FrozenV2(dir_); }

void V2Manager::KillAll() {
  // cgroup.kill (Linux 5.14) kills the whole subtree at once, forks included.
  if (Exists(dir_ + "/cgroup.kill")) return WriteFile(dir_ + "/cgroup.kill", "1");
  if (Pids().empty()) return;
  Freeze();
  KillEach(Pids());
  Thaw();
}

void V2Manager::Destroy() {
  // An empty cgroup, the common case, goes with one rmdir; only a busy one is walked.
  if (!RemoveIfEmpty(dir_)) {
    KillAll();
    RemoveTree(dir_);
  }
  RemoveMade(made_);
}

unique_fd V2Manager::OomEventFd() {
  unique_fd fd(inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!fd) throw Error(errno, "inotify_init1");
  std::string events = dir_ + "/memory.events";
  if (inotify_add_watch(fd.get(), events.c_str(), IN_MODIFY) < 0) {
    throw Error(errno, "inotify_add_watch " + events);
  }
  return fd;
}

uint64_t V2Manager::OomKillCount() const {
  std::string events = dir_ + "/memory.events";
  auto values = ParseFlatKeyed(ReadFile(events), events);
  auto it = values.find("oom_kill");
  if (it == values.end()) throw Error(ENOTSUP, events + ": no oom_kill count");
  return it->second;
}

}  // namespace cask::cgroup
