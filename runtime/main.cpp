// cask: an OCI runtime with runc's command line, for podman, docker and containerd
// (../shared/OCI-RUNTIME.md is the contract). The logic is the library's; this program
// maps flags, words and exit codes.
//
//   cask [--root DIR] [--log FILE] [--log-format text|json] create|start|run|state|list
//        |kill|delete|exec|ps|pause|resume|update|events|spec|features ...
#include <cask/cask.hpp>
#include <cask/init.hpp>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "command_split.hpp"
#include "commands.hpp"
#include "error_log.hpp"

namespace {

// runc's rule: root's state under /run, anyone else's under XDG_RUNTIME_DIR.
std::string DefaultRoot() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (geteuid() != 0 && xdg != nullptr && *xdg != '\0') return std::string(xdg) + "/cask";
  return "/run/cask";
}

void AddCreateOptions(CLI::App* command, CreateOptions& options) {
  command->add_option("--bundle,-b", options.bundle, "the bundle directory (default: the current one)");
  command->add_option("--pid-file", options.pid_file, "write the init's pid here");
  command->add_option("--console-socket", options.console_socket, "send the pty master to this unix socket");
  command->add_option("--preserve-fds", options.preserve_fds, "pass fds 3 .. 3+N-1 on to the container");
  // runc's flags that change nothing here: cask always pivots, and makes no keyring.
  command->add_flag(std::string("--no-pivot"))->description("accepted for runc's callers");
  command->add_flag(std::string("--no-new-keyring"))->description("accepted for runc's callers");
  command->add_option("id", options.id, "container id")->required();
}

}  // namespace

int main(int argc, char** argv) {
  cask::Init(argc, argv);
  const ErrorLog log = ErrorLog::FromArgv(argc, argv);

  CLI::App app{"cask: run OCI bundles (runc's command line)"};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // docker repeats --log
  app.require_subcommand(0, 1);
  std::string root = DefaultRoot(), log_file, log_format = "text", rootless = "auto", criu;
  bool debug = false, systemd_cgroup = false, version = false;
  app.add_option("--root", root, "state directory")->capture_default_str();
  app.add_option("--log", log_file, "append errors to this file");
  app.add_option("--log-format", log_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--debug", debug, "accepted; cask logs only errors");
  app.add_flag("--systemd-cgroup", systemd_cgroup, "use systemd's cgroup driver (not available yet)");
  app.add_option("--rootless", rootless, "accepted: true, false or auto");
  app.add_option("--criu", criu, "accepted: cask has no checkpoints");
  app.add_flag("-v,--version", version, "print the version");

  CreateOptions create_options;
  auto* create = app.add_subcommand("create", "create a container from a bundle; its process waits for start");
  AddCreateOptions(create, create_options);
  auto* run = app.add_subcommand("run", "create and start a container, and wait for it");
  AddCreateOptions(run, create_options);
  bool detach = false, keep = false;
  run->add_flag("--detach,-d", detach, "return once the process has started");
  run->add_flag("--keep", keep, "keep the container after its process has ended");
  run->add_flag(std::string("--no-subreaper"))->description("accepted for runc's callers");

  std::string id;
  auto* start = app.add_subcommand("start", "start the process of a created container");
  start->add_option("id", id)->required();
  auto* state = app.add_subcommand("state", "print a container's state as JSON");
  state->add_option("id", id)->required();
  std::string format = "table";
  auto* list = app.add_subcommand("list", "list containers");
  list->add_option("--format,-f", format, "table or json");
  list->add_flag(std::string("--quiet,-q"))->description("accepted");
  std::string signal = "SIGTERM";
  bool all = false;
  auto* kill = app.add_subcommand("kill", "signal a container's init, or with --all every process");
  kill->add_flag("--all,-a", all);
  kill->add_option("id", id)->required();
  kill->add_option("signal", signal)->capture_default_str();
  bool force = false;
  auto* del = app.add_subcommand("delete", "delete a stopped container (--force: any)");
  del->add_flag("--force,-f", force);
  del->add_option("id", id)->required();
  auto* pause = app.add_subcommand("pause", "freeze every process of a container");
  pause->add_option("id", id)->required();
  auto* resume = app.add_subcommand("resume", "thaw a paused container");
  resume->add_option("id", id)->required();
  auto* ps = app.add_subcommand("ps", "the processes of a container");
  ps->add_option("--format,-f", format, "table (the host's ps) or json");
  ps->add_option("id", id)->required();
  UpdateOptions update_options;
  AddUpdateOptions(app.add_subcommand("update", "change a container's limits"), update_options);
  auto* update = app.get_subcommand("update");
  EventsOptions events_options;
  auto* events = app.add_subcommand("events", "print a container's stats and OOM kills as JSON lines");
  events->add_flag("--stats", events_options.stats, "print the stats once and exit");
  events->add_option("--interval", events_options.interval, "how often to print the stats")->capture_default_str();
  events->add_option("id", events_options.id)->required();
  auto* features = app.add_subcommand("features", "print what this build supports (runtime-spec features.md)");
  std::string spec_bundle = ".";
  bool spec_rootless = false;
  auto* spec = app.add_subcommand("spec", "write a default config.json");
  spec->add_option("--bundle,-b", spec_bundle);
  spec->add_flag("--rootless", spec_rootless, "for a user without root: a user namespace mapping its ids");

  ExecOptions exec_options;
  auto* exec = app.add_subcommand("exec", "run another process in a container");
  exec->add_option("--process,-p", exec_options.process_file, "the process, as runtime-spec JSON");
  exec->add_flag("--detach,-d", exec_options.detach);
  exec->add_flag("--tty,-t", exec_options.tty);
  exec->add_option("--pid-file", exec_options.pid_file);
  exec->add_option("--console-socket", exec_options.console_socket);
  exec->add_option("--preserve-fds", exec_options.preserve_fds);
  exec->add_option("--env,-e", exec_options.env)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  exec->add_option("--cwd", exec_options.cwd);
  exec->add_option("--user,-u", exec_options.user, "uid[:gid]");
  exec->add_option("--cap,-c", exec_options.caps)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  exec->add_flag("--no-new-privs", exec_options.no_new_privs);
  exec->add_flag("--ignore-paused", exec_options.ignore_paused);
  exec->add_option("id", exec_options.id)->required();

  std::vector<std::string> ps_args;
  try {
    // CLI11 would answer `checkpoint --help` before it saw that there is no checkpoint:
    // podman takes a 0 there for "this runtime can checkpoint".
    const int sub = SubcommandIndex(app, argc, argv);
    const auto known = app.get_subcommands([&](const CLI::App* c) { return sub < argc && c->get_name() == argv[sub]; });
    if (sub < argc && known.empty()) {
      throw CommandError(std::string("unknown command \"") + argv[sub] + "\"");
    }
    exec_options.args = TakeCommand(app, *exec, /*leading=*/1, argc, argv);
    ps_args = TakeCommand(app, *ps, /*leading=*/1, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    log.Error(e.what());
    return 1;
  }
  if (version) {
    std::cout << "cask version " << CASK_VERSION << "\ncommit: " << CASK_VERSION << "\nspec: "
              << cask::oci::kSpecVersion << "\n";
    return 0;
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return 0;
  }
  create_options.systemd_cgroup = systemd_cgroup;
  try {
    if (spec->parsed()) return Spec(spec_bundle, spec_rootless);
    if (features->parsed()) {
      std::cout << cask::oci::FeaturesJson() << "\n";
      return 0;
    }
    cask::Factory factory = cask::Factory::New(std::filesystem::absolute(root).lexically_normal(),
                                               cask::InitArgs{"/proc/self/exe", {"init"}, cask::InitArgs::Spawn::kExec});
    factory.SetLogger([&log](std::string_view line) { log.Warning(std::string(line)); });
    if (create->parsed()) return Create(factory, create_options, /*start=*/false);
    if (run->parsed()) {
      return detach ? Create(factory, create_options, /*start=*/true) : RunForeground(factory, create_options, keep);
    }
    if (start->parsed()) return Start(factory, id);
    if (state->parsed()) return State(factory, id);
    if (list->parsed()) return List(factory, format);
    if (kill->parsed()) return Kill(factory, id, signal, all);
    if (del->parsed()) return Delete(factory, id, force);
    if (pause->parsed()) return Pause(factory, id);
    if (resume->parsed()) return Resume(factory, id);
    if (ps->parsed()) return Ps(factory, id, format, ps_args);
    if (update->parsed()) return Update(factory, update_options);
    if (events->parsed()) return Events(factory, events_options);
    if (exec->parsed()) return Exec(factory, exec_options);
  } catch (const CommandError& e) {
    log.Error(e.what());
    return e.code();
  } catch (const std::exception& e) {
    log.Error(ClientMessage(e));
    return 1;
  }
  return 0;
}
