#include "container_commands.hpp"

#include <unistd.h>

#include <iostream>
#include <stdexcept>

ContainerCommands::ContainerCommands(CLI::App& app) {
  stop_ = app.add_subcommand("stop", "send a signal to every process, then kill them all after a grace");
  stop_->add_option("id", id_)->required();
  stop_->add_option("--time,-t", grace_s_, "seconds to wait before SIGKILL")->capture_default_str();
  stop_->add_option("--signal,-s", signal_, "the first signal")->capture_default_str();
  label_ = app.add_subcommand("label", "set or remove a container's labels; with none given, print them");
  label_->add_option("id", id_)->required();
  label_->add_option("labels", set_, "K=V to set");
  label_->add_option("--remove", remove_, "a key to remove");
  stream_in_ = app.add_subcommand("stream-in", "extract a tar from stdin into a directory of the container");
  stream_in_->add_option("id", id_)->required();
  stream_in_->add_option("dir", path_, "the directory, as the container sees it (made if missing)")->required();
  stream_in_->add_option("--user,-u", user_, "write as this user of the container (default: root)");
  stream_out_ = app.add_subcommand("stream-out", "write a file or tree of the container to stdout as a tar");
  stream_out_->add_option("id", id_)->required();
  stream_out_->add_option("path", path_, "the file or directory, as the container sees it")->required();
  stream_out_->add_option("--user,-u", user_, "read as this user of the container (default: root)");
}

cask::Labels ParseLabels(const std::vector<std::string>& args, const std::string& option) {
  cask::Labels labels;
  for (const auto& arg : args) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos) throw std::runtime_error(option + ": \"" + arg + "\" is not K=V");
    labels[arg.substr(0, eq)] = arg.substr(eq + 1);
  }
  return labels;
}

bool ContainerCommands::Run(cask::Factory& factory) {
  if (stop_->parsed()) {
    const int signal = cask::SignalFromName(signal_);
    factory.Load(id_).Stop(std::chrono::milliseconds(static_cast<int64_t>(grace_s_ * 1000)), signal);
  } else if (label_->parsed()) {
    const cask::Labels labels = ParseLabels(set_, "label");
    cask::Container container = factory.Load(id_);
    if (!labels.empty()) container.SetLabels(labels);
    for (const auto& key : remove_) container.RemoveLabel(key);
    if (labels.empty() && remove_.empty()) {
      for (const auto& [key, value] : container.Labels()) std::cout << key << "=" << value << "\n";
    }
  } else if (stream_in_->parsed()) {
    factory.Load(id_).StreamIn(path_, STDIN_FILENO, user_);
  } else if (stream_out_->parsed()) {
    if (isatty(STDOUT_FILENO)) throw std::runtime_error("stream-out: stdout is a terminal; redirect it to a file");
    factory.Load(id_).StreamOut(path_, STDOUT_FILENO, user_);
  } else {
    return false;
  }
  return true;
}
