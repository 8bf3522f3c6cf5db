// The cgroup manager: one interface over cgroup v1 (hybrid included) and v2.
//
// Create picks the version by looking at /sys/fs/cgroup: a cgroup2 mount there is a
// v2-only host; otherwise every mounted v1 hierarchy is used, plus the cgroup2
// hierarchy of a hybrid host (/sys/fs/cgroup/unified) when there is one. A relative
// cgroup path lies under the caller's own cgroup in each hierarchy (/proc/self/cgroup),
// an absolute one under each hierarchy's root.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cask/config.hpp"
#include "cask/stats.hpp"
#include "cask/unique_fd.hpp"

namespace cask::cgroup {

class Manager {
 public:
  // Makes the cgroup in every hierarchy (and any missing parents) and applies
  // `resources`. Refuses a cgroup that exists with processes in it or frozen. On error,
  // removes what it made and throws.
  static std::unique_ptr<Manager> Create(const std::string& path, const Resources& resources);
  // The directories that Create(path, ...) makes, as Paths() will give them, without
  // making anything: a caller records them first, so that what Create makes can be
  // found again after a crash.
  static std::map<std::string, std::string> PathsFor(const std::string& path);
  // Reattaches to the directories Paths() gave.
  static std::unique_ptr<Manager> Load(const std::map<std::string, std::string>& paths);

  virtual ~Manager() = default;

  // Hierarchy -> absolute directory. Keys: the v1 controller names ("memory",
  // "name=systemd"), "unified" for the cgroup2 hierarchy of a hybrid host, "" for v2.
  virtual std::map<std::string, std::string> Paths() const = 0;
  // Moves process `pid` into the cgroup in every hierarchy.
  virtual void Apply(pid_t pid) = 0;
  // On a v2 host, the cgroup's directory as an fd that clone3 can start a process in
  // (CLONE_INTO_CGROUP), so that it never runs outside the cgroup and needs no Apply;
  // none where v1 hierarchies need the process moved by Apply.
  virtual unique_fd BirthFd() const { return {}; }
  // Every process in the cgroup and its sub-cgroups, sorted.
  virtual std::vector<pid_t> Pids() const = 0;
  // Writes the resources that are set; leaves the others alone.
  virtual void Set(const Resources& resources) = 0;
  virtual void Freeze() = 0;
  virtual void Thaw() = 0;
  virtual bool Frozen() const = 0;
  // SIGKILLs every process in the cgroup and its sub-cgroups.
  virtual void KillAll() = 0;
  // KillAll, then removes the cgroup, its sub-cgroups and the parents Create made.
  // Calling it again does nothing.
  virtual void Destroy() = 0;
  virtual Stats GetStats() const = 0;
  // Of GetStats, only CPU time (total, user, system), peak memory and pids: the few
  // files a run's report and its CPU limit need, read at the end of every run.
  virtual Stats GetUsage() const = 0;
  // An fd that becomes readable on an OOM event: a v1 eventfd (read 8 bytes to reset;
  // it also fires when the cgroup is removed), or a v2 inotify fd on memory.events.
  virtual unique_fd OomEventFd() = 0;
  // How many processes the OOM killer has killed in the cgroup.
  virtual uint64_t OomKillCount() const = 0;
};

}  // namespace cask::cgroup
