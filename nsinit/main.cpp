// nsinit: run containers from the command line, as in the libcontainer README.
//
//   nsinit exec [--tty] [--id ID] [--config FILE] [--rootfs DIR] [...] [--] CMD...
//   nsinit list [--format json] | state ID | ps ID | kill ID [SIGNAL] | destroy ID
//   nsinit config [--validate FILE]
//   nsinit stats ID [--watch] | pause ID | resume ID | update ID [--memory 64m ...] | events ID
//   nsinit run [--wall-time S] [--memory SIZE] [--report FILE|-] [...] -- CMD...
//   nsinit stop ID [--time S] | label ID [K=V...] [--remove K] | list --label K=V
//   nsinit stream-in ID DIR < archive.tar | stream-out ID PATH > archive.tar
#include <cask/cask.hpp>
#include <cask/init.hpp>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cgroup_commands.hpp"
#include "config_file.hpp"
#include "container_commands.hpp"
#include "exec_command.hpp"
#include "list_command.hpp"
#include "run_command.hpp"

namespace {

cask::Factory MakeFactory(const std::string& root) {
  // nsinit is its own init: cask::Init() runs first thing in main().
  cask::Factory factory = cask::Factory::New(root, cask::InitArgs{"/proc/self/exe", {"init"}, cask::InitArgs::Spawn::kExec});
  // Hooks that failed after the fact (poststart, poststop) and init's own lines.
  factory.SetLogger([](std::string_view line) { std::cerr << "nsinit: " << line << std::endl; });
  return factory;
}

}  // namespace

int main(int argc, char** argv) {
  cask::Init(argc, argv);

  CLI::App app{"nsinit: run Linux containers with cask"};
  app.require_subcommand(1);
  std::string root = "/run/cask";
  app.add_option("--root", root, "state directory")->capture_default_str();

  ExecCommand exec(app);
  RunCommand run(app);
  auto* list = app.add_subcommand("list", "list containers");
  std::string format = "table";
  std::vector<std::string> label_filter;
  list->add_option("--format,-f", format, "table or json")->capture_default_str();
  list->add_option("--label,-l", label_filter, "only those with label K=V (each one given)");
  auto* config_cmd = app.add_subcommand("config", "print the config nsinit starts from, as JSON");
  std::string validate_file;
  config_cmd->add_option("--validate", validate_file, "check a container.json: every problem, with its JSON path");
  std::string target;
  auto* state = app.add_subcommand("state", "print a container's state as JSON");
  state->add_option("id", target)->required();
  auto* ps = app.add_subcommand("ps", "list the pids in a container");
  ps->add_option("id", target)->required();
  auto* kill_cmd = app.add_subcommand("kill", "signal a container's init");
  std::string signal_name = "SIGTERM";
  bool all = false;
  kill_cmd->add_option("id", target)->required();
  kill_cmd->add_option("signal", signal_name)->capture_default_str();
  kill_cmd->add_flag("--all,-a", all, "signal every process in the container");
  auto* destroy = app.add_subcommand("destroy", "kill a container and remove it");
  destroy->add_option("id", target)->required();
  auto* gc = app.add_subcommand("gc", "remove the containers whose init or creator is gone; print what went");

  CgroupCommands cgroup_commands(app);
  ContainerCommands container_commands(app);
  // --root also after the subcommand: `nsinit exec --root DIR ...`.
  for (auto* command : app.get_subcommands({})) command->add_option("--root", root, "state directory");

  try {
    exec.TakeCommand(app, argc, argv);
    run.TakeCommand(app, argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "nsinit: " << e.what() << "\n";
    return 2;
  }
  CLI11_PARSE(app, argc, argv);
  try {
    if (config_cmd->parsed()) {
      if (!validate_file.empty()) return ValidateConfigFile(validate_file, std::cout);
      std::cout << cask::ToJsonString(NsinitDefaultConfig()) << "\n";
      return 0;
    }
    cask::Factory factory = MakeFactory(root);
    if (exec.parsed()) return exec.Run(factory);
    if (run.parsed()) return run.Run(factory);
    if (cgroup_commands.Run(factory) || container_commands.Run(factory)) return 0;
    if (list->parsed()) {
      PrintList(factory, ParseLabels(label_filter, "list --label"), format, std::cout);
    } else if (state->parsed()) {
      std::cout << cask::ToJson(factory.Load(target).State()).dump(2) << "\n";
    } else if (ps->parsed()) {
      for (pid_t pid : factory.Load(target).Processes()) std::cout << pid << "\n";
    } else if (kill_cmd->parsed()) {
      const int signal = cask::SignalFromName(signal_name);  // a bad name first, whatever the id
      factory.Load(target).Signal(signal, all);
    } else if (destroy->parsed()) {
      factory.Load(target).Destroy();
    } else if (gc->parsed()) {
      for (const auto& [id, reason] : factory.Recover()) std::cout << id << ": " << reason << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "nsinit: " << e.what() << "\n";
    return 1;
  }
}
