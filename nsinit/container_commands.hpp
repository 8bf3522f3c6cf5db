// nsinit's commands on one container for hosts that manage many: stop (with a grace),
// label (garden's properties), stream-in and stream-out (a tar on stdin or stdout).
#pragma once

#include <cask/cask.hpp>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

class ContainerCommands {
 public:
  explicit ContainerCommands(CLI::App& app);
  // Runs the one that was parsed; false if none of them was.
  bool Run(cask::Factory& factory);

 private:
  std::string id_, path_, user_, signal_ = "SIGTERM";
  double grace_s_ = 10;
  std::vector<std::string> set_, remove_;
  CLI::App* stop_;
  CLI::App* label_;
  CLI::App* stream_in_;
  CLI::App* stream_out_;
};

// "K=V" arguments as labels; an argument without '=' is an error naming it.
cask::Labels ParseLabels(const std::vector<std::string>& args, const std::string& option);
