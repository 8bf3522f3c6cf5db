// The manager of one cgroup in a cgroup2 hierarchy: the only one on a v2 host, the
// "unified" one beside the v1 hierarchies on a hybrid host.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cgroup/fs.hpp"
#include "cgroup/hierarchy.hpp"
#include "cgroup/manager.hpp"

namespace cask::cgroup {

class V2Manager : public Manager {
 public:
  // Makes cgroup `path` in hierarchy `h` and applies `resources`; `key` is the
  // hierarchy's name in Paths().
  static std::unique_ptr<V2Manager> Create(const Hierarchy& h, const std::string& key,
                                           const std::string& path, const Resources& resources);
  V2Manager(std::string key, std::string dir, std::vector<std::string> made = {})
      : key_(std::move(key)), dir_(std::move(dir)), made_(std::move(made)) {}

  std::map<std::string, std::string> Paths() const override { return {{key_, dir_}}; }
  void Apply(pid_t pid) override;
  unique_fd BirthFd() const override;
  std::vector<pid_t> Pids() const override;
  void Set(const Resources& resources) override;
  void Freeze() override;
  void Thaw() override;
  bool Frozen() const override;
  void KillAll() override;
  void Destroy() override;
  Stats GetStats() const override;
  Stats GetUsage() const override;
  unique_fd OomEventFd() override;
  uint64_t OomKillCount() const override;

  const std::string& dir() const { return dir_; }
  // Removes the directories Create made, after a failed Create.
  void Undo() { RemoveMade(made_); }

 private:
  std::string key_;
  std::string dir_;
  std::vector<std::string> made_;  // by Create, outermost first
};

// Kills `pids` one by one; the callers freeze the cgroup around it so none can fork.
void KillEach(const std::vector<pid_t>& pids);

// Throws, naming the controller and the cgroup that withholds it, when cgroup `dir`
// lacks a controller whose files `resources` writes.
void RequireControllers(const std::string& dir, const Resources& resources);

// Throws when cgroup `dir` exists and is in use, so Create does not take it over.
void RefuseBusy(const std::string& dir, bool frozen);

}  // namespace cask::cgroup
