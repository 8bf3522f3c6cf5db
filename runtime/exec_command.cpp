// exec: another process in a container. Any failure of exec itself exits 255 (runc's
// code, which containerd's tests rely on); without --detach the process's own status
// is cask's.
#include <cask/terminal.hpp>

#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "error_log.hpp"

namespace {

constexpr int kExecFailed = 255;

cask::ProcessConfig ReadProcessFile(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw cask::Error(errno, "--process: open " + file);
  std::stringstream text;
  text << in.rdbuf();
  return cask::oci::ParseProcess(text.str());
}

// The process from --process, or from the command and the flags (runc ignores the
// flags when --process is given).
cask::Process MakeProcess(const cask::Config& config, const ExecOptions& options) {
  if (!options.process_file.empty()) return cask::Process(ReadProcessFile(options.process_file));
  if (options.args.empty()) throw CommandError("exec: give a command, or a process with --process FILE");
  cask::Process process(config.process);
  process.args = options.args;
  process.terminal = options.tty;
  process.console_size.reset();
  for (const auto& entry : options.env) process.env.push_back(entry);
  if (!options.cwd.empty()) process.cwd = options.cwd;
  if (!options.user.empty()) process.user = options.user;
  if (options.no_new_privs) process.no_new_privileges = true;
  if (!options.caps.empty()) {
    cask::Capabilities caps = config.capabilities;
    for (auto* set : {&caps.bounding, &caps.effective, &caps.permitted, &caps.inheritable, &caps.ambient}) {
      set->insert(set->end(), options.caps.begin(), options.caps.end());
    }
    process.capabilities = caps;
  }
  return process;
}

int RunExec(cask::Factory& factory, const ExecOptions& options) {
  cask::Container container = LoadContainer(factory, options.id);
  const cask::Status status = container.Status();
  if (status == cask::Status::kStopped) throw CommandError("cannot exec in a stopped container");
  if (status == cask::Status::kPaused && !options.ignore_paused) {
    throw CommandError("cannot exec in a paused container (use --ignore-paused to override)");
  }
  cask::Process process = MakeProcess(container.Config(), options);
  if (options.detach && process.terminal && options.console_socket.empty()) {
    throw CommandError("exec: a detached process with a terminal needs --console-socket to send it to");
  }
  if (!process.terminal && !options.console_socket.empty()) {
    throw CommandError("--console-socket: the process has no terminal to send (process.terminal is false)");
  }
  process.console_socket = options.console_socket;
  process.extra_fds = PreservedFds(options.preserve_fds);
  container.Exec(process);
  WritePidFile(options.pid_file, process.Pid());
  if (options.detach) return 0;
  if (process.terminal && options.console_socket.empty()) cask::AttachTerminal(process);
  return process.Wait().ShellCode();
}

}  // namespace

int Exec(cask::Factory& factory, const ExecOptions& options) {
  try {
    return RunExec(factory, options);
  } catch (const std::exception& e) {
    throw CommandError(ClientMessage(e), kExecFailed);
  }
}
