// nsinit's commands on a container's cgroups: stats, pause, resume, update, events.
#pragma once

#include <cask/cask.hpp>

#include <CLI/CLI.hpp>
#include <string>

class CgroupCommands {
 public:
  // Adds the subcommands to `app`; their options live in this object.
  explicit CgroupCommands(CLI::App& app);
  // Runs the one that was parsed; false if none of them was.
  bool Run(cask::Factory& factory);

 private:
  cask::Resources UpdateResources() const;

  std::string id_;
  CLI::App* stats_;
  CLI::App* pause_;
  CLI::App* resume_;
  CLI::App* update_;
  CLI::App* events_;
  bool watch_ = false;
  double interval_s_ = 1;
  // update: the typed flags, or a JSON file of Resources ("-" for stdin).
  std::string resources_file_;
  std::optional<int64_t> memory_, memory_reservation_, memory_swap_, cpu_quota_;
  std::optional<uint64_t> cpu_shares_, cpu_period_;
  std::string cpuset_cpus_, cpuset_mems_;
  std::optional<int64_t> pids_limit_;
  std::optional<uint16_t> blkio_weight_;
};
