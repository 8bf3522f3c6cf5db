// nsinit exec: a command in a new container, or in the running one of the same id.
#pragma once

#include <cask/cask.hpp>

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "config_file.hpp"

class ExecCommand {
 public:
  // Adds the subcommand to `app`; its options live in this object.
  explicit ExecCommand(CLI::App& app);
  // Takes the command out of argv before CLI11 parses the rest (command_split.hpp):
  // everything from exec's first positional argument on, or after its "--".
  void TakeCommand(const CLI::App& app, int& argc, char** argv);
  bool parsed() const { return command_->parsed(); }
  int Run(cask::Factory& factory);

 private:
  cask::Process MakeProcess(const cask::Config& config) const;
  int RunNew(cask::Factory& factory, const std::string& id, const cask::Config& config, cask::Process& process);
  int Join(cask::Container& container, const cask::Config& running, const cask::Config& config,
           cask::Process& process);
  int Attend(cask::Process& process, const std::string& what, std::function<void()> kill);

  CLI::App* command_;
  ConfigFlags config_flags_;
  std::string id_;
  bool tty_ = false;
  std::string user_, cwd_;
  std::vector<std::string> env_;
  unsigned stop_timeout_s_ = 10;
  std::vector<std::string> args_;
};

// The id of a container when exec is given none: one per root filesystem, as
// libcontainer's state lived in the rootfs's directory: "nsinit-<name>-<hash>".
std::string DefaultId(const std::string& rootfs);
