// The manager of one cgroup across the v1 hierarchies, and on a hybrid host the
// cgroup2 "unified" hierarchy too: processes are placed in both; the freezer, the
// resources and the stats come from v1; cgroup.kill, when there, from cgroup2.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cgroup/hierarchy.hpp"
#include "cgroup/manager.hpp"
#include "cgroup/v2.hpp"

namespace cask::cgroup {

class V1Manager : public Manager {
 public:
  // Makes cgroup `path` in each of `hierarchies` (v1, and a cgroup2 one taken as
  // "unified") and applies `resources`.
  static std::unique_ptr<V1Manager> Create(const std::vector<Hierarchy>& hierarchies,
                                           const std::string& path, const Resources& resources);
  // `dirs`: controller -> directory; co-mounted controllers share one.
  V1Manager(std::map<std::string, std::string> dirs, std::unique_ptr<V2Manager> unified);

  std::map<std::string, std::string> Paths() const override;
  void Apply(pid_t pid) override;
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

 private:
  // The directory of `controller`; throws when it is not mounted.
  const std::string& Dir(const std::string& controller) const;
  bool Has(const std::string& controller) const { return dirs_.count(controller) != 0; }
  void Undo();

  std::map<std::string, std::string> dirs_;
  std::set<std::string> unique_dirs_;
  std::unique_ptr<V2Manager> unified_;
  std::vector<std::string> made_;  // by Create, outermost first in each hierarchy
};

}  // namespace cask::cgroup
