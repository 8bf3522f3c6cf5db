// nsinit run: one command in a throwaway container under limits, and a report of how
// it ended (Factory::RunToCompletion), for scripts, judges and CI jobs.
#pragma once

#include <cask/cask.hpp>

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config_file.hpp"

class RunCommand {
 public:
  explicit RunCommand(CLI::App& app);
  // As ExecCommand::TakeCommand: the command is everything after the options or "--".
  void TakeCommand(const CLI::App& app, int& argc, char** argv);
  bool parsed() const { return command_->parsed(); }
  // The exit code: the payload's, 128 + its signal, 124 at a time limit (as timeout),
  // 137 when killed for memory or output, 125 when the container did not start.
  int Run(cask::Factory& factory);

 private:
  cask::RunLimits Limits() const;

  CLI::App* command_;
  ConfigFlags config_flags_;
  std::optional<double> wall_s_, cpu_s_;
  std::optional<int64_t> memory_, pids_;
  std::optional<uint64_t> output_, file_size_;
  double grace_s_ = 0.5;
  std::string report_, input_, user_;
  std::vector<std::string> args_;
};
