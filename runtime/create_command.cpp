// create, start and run: the container's life up to its payload's exec.
#include <cask/terminal.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "commands.hpp"
#include "signal_forwarder.hpp"

namespace {

// Seconds between a passed-on SIGINT or SIGTERM and a kill, in the foreground.
constexpr std::chrono::seconds kStopTimeout(10);

// systemd's cgroup driver needs systemd as pid 1; cask has only cgroupfs so far.
void CheckCgroupManager(bool systemd_cgroup) {
  if (!systemd_cgroup) return;
  std::string comm;
  if (FILE* f = std::fopen("/proc/1/comm", "r")) {
    char buf[64] = {};
    if (std::fgets(buf, sizeof buf, f) != nullptr) comm = buf;
    std::fclose(f);
  }
  while (!comm.empty() && comm.back() == '\n') comm.pop_back();
  throw CommandError("--systemd-cgroup: " +
                     (comm == "systemd" ? std::string("cask has no systemd cgroup driver yet")
                                        : "systemd is not the init of this host (pid 1 is " + comm + ")") +
                     "; leave it out to use cgroupfs");
}

// LISTEN_FDS of socket activation: passed on at 3.. when they are meant for this
// process, as runc does; the container sees LISTEN_PID=1.
unsigned ListenFds(std::vector<std::string>& env) {
  const char* pid = std::getenv("LISTEN_PID");
  const char* fds = std::getenv("LISTEN_FDS");
  if (pid == nullptr || fds == nullptr || std::atoi(pid) != getpid()) return 0;
  const int n = std::atoi(fds);
  if (n <= 0) return 0;
  env.push_back("LISTEN_FDS=" + std::to_string(n));
  env.push_back("LISTEN_PID=1");
  return static_cast<unsigned>(n);
}

cask::Process MakeProcess(const cask::Config& config, const CreateOptions& options) {
  cask::Process process(config.process);
  if (process.terminal && options.console_socket.empty()) {
    throw CommandError("process.terminal is true in config.json: cask needs --console-socket to send the terminal to");
  }
  if (!process.terminal && !options.console_socket.empty()) {
    throw CommandError("--console-socket: process.terminal is false in config.json, so there is no terminal to send");
  }
  process.console_socket = options.console_socket;
  const unsigned listen = ListenFds(process.env);
  process.extra_fds = PreservedFds(listen + options.preserve_fds);
  return process;
}

}  // namespace

std::vector<int> PreservedFds(unsigned n, unsigned after) {
  std::vector<int> fds;
  for (unsigned i = 0; i < n; ++i) {
    const int fd = 3 + static_cast<int>(after + i);
    if (fcntl(fd, F_GETFD) < 0) throw CommandError("--preserve-fds: fd " + std::to_string(fd) + " is not open");
    fds.push_back(fd);
  }
  return fds;
}

void WritePidFile(const std::string& path, pid_t pid) {
  if (path.empty()) return;
  const std::filesystem::path target = std::filesystem::absolute(path);
  const std::filesystem::path temp = target.parent_path() / ("." + target.filename().string());
  const std::string text = std::to_string(pid);
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) || close(fd) != 0 ||
      rename(temp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    unlink(temp.c_str());
    throw cask::Error(err, "--pid-file: write " + target.string());
  }
}

int Create(cask::Factory& factory, const CreateOptions& options, bool start) {
  CheckCgroupManager(options.systemd_cgroup);
  const cask::Config config = cask::oci::ReadBundle(options.bundle);
  cask::Process process = MakeProcess(config, options);
  cask::Container container = factory.Create(options.id, config, process);
  try {
    if (start) container.Start();
    WritePidFile(options.pid_file, process.Pid());
  } catch (...) {
    container.Destroy();
    throw;
  }
  return 0;
}

int RunForeground(cask::Factory& factory, const CreateOptions& options, bool keep) {
  CheckCgroupManager(options.systemd_cgroup);
  const cask::Config config = cask::oci::ReadBundle(options.bundle);
  // In the foreground a terminal is this program's own, unless a socket is named.
  cask::Process process(config.process);
  process.console_socket = options.console_socket;
  process.extra_fds = PreservedFds(ListenFds(process.env) + options.preserve_fds);
  cask::Container container = factory.Create(options.id, config, process);
  int code;
  try {
    SignalForwarder::HoldSignals();  // until the forwarder takes them: the payload runs before
    container.Start();
    SignalForwarder forwarder(process, kStopTimeout, "cask: container '" + options.id + "'",
                              [&container] { container.Signal(SIGKILL, /*all=*/true); });
    WritePidFile(options.pid_file, process.Pid());
    if (process.terminal && options.console_socket.empty()) cask::AttachTerminal(process);
    code = process.Wait().ShellCode();
  } catch (...) {
    container.Destroy();
    throw;
  }
  if (!keep) container.Destroy();  // with --keep it stays, stopped, for `cask delete`
  return code;
}

int Start(cask::Factory& factory, const std::string& id) {
  cask::Container container = LoadContainer(factory, id);
  switch (container.Status()) {
    case cask::Status::kCreated: break;
    case cask::Status::kStopped: throw CommandError("cannot start a container that has stopped");
    case cask::Status::kRunning: throw CommandError("cannot start an already running container");
    default: throw CommandError(std::string("cannot start a container in the ") +
                                cask::StatusName(container.Status()) + " state");
  }
  container.Start();
  return 0;
}
