// The cgroup manager: one interface over v1 (hybrid included) and v2.
//
// A relative path is under the caller's own cgroup in each hierarchy (from
// /proc/self/cgroup); an absolute one is from each hierarchy's root.
#pragma once

#include <cask/config.hpp>
#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cask::cgroup {

class Manager {
 public:
  // Makes the cgroup in every hierarchy, refusing one that exists and has processes.
  // On error nothing it made is left. Throws cask::Error naming the directory.
  static std::unique_ptr<Manager> Create(const std::string& path, const Resources& resources);
  // Reattaches to the directories a state file recorded (see Paths()).
  static std::unique_ptr<Manager> Load(const std::map<std::string, std::string>& paths);

  // Moves a process into the cgroup in every hierarchy.
  void Apply(pid_t pid);
  // Every pid in the cgroup, sub-cgroups included; sorted.
  std::vector<pid_t> Pids() const;
  // SIGKILLs every process, sub-cgroups included, and waits until none is left.
  void KillAll();
  // KillAll, then removes the cgroup and its sub-cgroups in every hierarchy, and the
  // parents Create made. Calling it again is fine.
  void Destroy();
  // Hierarchy ("memory", "pids", ..., "unified" for hybrid cgroup2, "" for pure v2)
  // -> absolute directory.
  const std::map<std::string, std::string>& Paths() const { return paths_; }

 private:
  explicit Manager(std::map<std::string, std::string> paths) : paths_(std::move(paths)) {}
  std::map<std::string, std::string> paths_;
};

}  // namespace cask::cgroup
