// nsinit: run containers from the command line, as in the libcontainer README.
//
//   nsinit exec [--tty] [--id ID] [--config FILE] [--rootfs DIR] [--] CMD...
//   nsinit list | state ID | ps ID | kill ID [SIGNAL] | destroy ID | config
//   nsinit stats ID [--watch] | pause ID | resume ID | update ID [--memory 64m ...] | events ID
#include <cask/cask.hpp>
#include <cask/init.hpp>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cgroup_commands.hpp"
#include "signal_forwarder.hpp"

namespace {

cask::Factory MakeFactory(const std::string& root) {
  // nsinit is its own init: cask::Init() runs first thing in main().
  return cask::Factory::New(root, cask::InitArgs{"/proc/self/exe", {"init"}});
}

cask::Config LoadConfig(const std::string& file, const std::string& rootfs) {
  namespace fs = std::filesystem;
  cask::Config config = cask::DefaultConfig();
  if (!file.empty() || fs::exists("container.json")) {
    std::string path = file.empty() ? "container.json" : file;
    std::ifstream in(path);
    if (!in) throw cask::Error(errno, "read config " + path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    config = cask::ParseConfig(text);
  }
  if (!rootfs.empty()) {
    config.root.path = rootfs;
  } else if (config.root.path.empty()) {
    config.root.path = ".";
  }
  config.root.path = fs::absolute(config.root.path).lexically_normal().string();
  return config;
}

// The payload's terminal, attached to nsinit's own, or its signals forwarded; then its
// exit status as a shell gives it (128+N for signal N).
int Attend(cask::Process& process, bool tty) {
  SignalForwarder forwarder(process);
  if (tty) cask::AttachTerminal(process);
  return process.Wait().ShellCode();
}

int Exec(cask::Factory& factory, const std::string& id, const cask::Config& config,
         const std::vector<std::string>& command, bool tty) {
  cask::Process process(config.process);
  if (!command.empty()) process.args = command;
  process.terminal = tty;
  winsize ws{};
  if (tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row != 0) {
    process.console_size = cask::ConsoleSize{ws.ws_row, ws.ws_col};
  }
  for (const auto& existing : factory.List()) {
    if (existing != id) continue;
    // As in the libcontainer README: a second exec joins the running container.
    cask::Container container = factory.Load(id);
    container.Exec(process);
    return Attend(process, tty);
  }
  cask::Container container = factory.Create(id, config, process);
  int code;
  try {
    container.Start();
    code = Attend(process, tty);
  } catch (...) {
    container.Destroy();
    throw;
  }
  // As `runc run`: when the container's first process ends, the container goes.
  container.Destroy();
  return code;
}

int SignalNumber(const std::string& name) {
  std::string bare = name.rfind("SIG", 0) == 0 ? name.substr(3) : name;
  if (!bare.empty() && std::all_of(bare.begin(), bare.end(), ::isdigit)) return std::stoi(bare);
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev != nullptr && bare == abbrev) return sig;
  }
  throw cask::Error(EINVAL, "unknown signal \"" + name + "\"");
}

}  // namespace

int main(int argc, char** argv) {
  cask::Init(argc, argv);

  CLI::App app{"nsinit: run Linux containers with cask"};
  app.require_subcommand(1);
  std::string root = "/run/cask";
  app.add_option("--root", root, "state directory")->capture_default_str();

  auto* exec = app.add_subcommand("exec", "run a command in a new container, or join a running one");
  bool tty = false;
  std::string id = "nsinit", config_file, rootfs;
  std::vector<std::string> command;
  exec->add_flag("--tty,-t", tty, "give the command a terminal");
  exec->add_option("--id", id, "container id")->capture_default_str();
  exec->add_option("--config", config_file, "config file (default: ./container.json if present)");
  exec->add_option("--rootfs", rootfs, "root filesystem (default: the current directory)");
  exec->add_option("command", command, "command and its arguments");
  exec->prefix_command();

  auto* list = app.add_subcommand("list", "list containers");
  auto* config_cmd = app.add_subcommand("config", "print the default config as JSON");
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

  CgroupCommands cgroup_commands(app);

  CLI11_PARSE(app, argc, argv);
  try {
    if (config_cmd->parsed()) {
      std::cout << cask::ToJsonString(cask::DefaultConfig()) << "\n";
      return 0;
    }
    cask::Factory factory = MakeFactory(root);
    if (exec->parsed()) {
      return Exec(factory, id, LoadConfig(config_file, rootfs), command, tty);
    }
    if (cgroup_commands.Run(factory)) return 0;
    if (list->parsed()) {
      for (const auto& name : factory.List()) {
        std::cout << name << "\t" << cask::StatusName(factory.Load(name).Status()) << "\n";
      }
    } else if (state->parsed()) {
      std::cout << cask::ToJson(factory.Load(target).State()).dump(2) << "\n";
    } else if (ps->parsed()) {
      for (pid_t pid : factory.Load(target).Processes()) std::cout << pid << "\n";
    } else if (kill_cmd->parsed()) {
      factory.Load(target).Signal(SignalNumber(signal_name), all);
    } else if (destroy->parsed()) {
      factory.Load(target).Destroy();
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "nsinit: " << e.what() << "\n";
    return 1;
  }
}
