#include "exec_command.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <thread>

#include "command_split.hpp"
#include "signal_forwarder.hpp"

namespace {

// A container being made by another nsinit is waited for this long before giving up.
constexpr auto kCreateWait = std::chrono::seconds(30);

// Sets KEY=VALUE in env, replacing an entry of the same key. A bare KEY takes nsinit's
// own value, as `docker run -e KEY` does (and nothing when nsinit has none).
void SetEnv(std::vector<std::string>& env, const std::string& entry) {
  std::string assignment = entry;
  if (entry.find('=') == std::string::npos) {
    const char* value = std::getenv(entry.c_str());
    if (value == nullptr) return;
    assignment += std::string("=") + value;
  }
  const std::string key = assignment.substr(0, assignment.find('=') + 1);
  for (auto& existing : env) {
    if (existing.rfind(key, 0) == 0) {
      existing = assignment;
      return;
    }
  }
  env.push_back(assignment);
}

// A container whose first process ended may have been removed by another nsinit.
void DestroyIfThere(cask::Container& container) {
  try {
    container.Destroy();
  } catch (const cask::Error& e) {
    if (e.code() != cask::Errc::kNotFound) throw;
  }
}

}  // namespace

ExecCommand::ExecCommand(CLI::App& app) {
  command_ = app.add_subcommand("exec", "run a command in a new container, or join the running one");
  command_->add_flag("--tty,-t", tty_, "give the command a terminal joined to yours");
  command_->add_option("--id", id_, "container id (default: one per root filesystem)");
  command_->add_option("--config", config_flags_.file,
                       "changes to the default config, as JSON (default: ./container.json if present)");
  command_->add_option("--rootfs", config_flags_.rootfs, "root filesystem (default: the current directory)");
  command_->add_option("--hostname", config_flags_.hostname, "the container's hostname");
  command_->add_flag("--read-only", config_flags_.read_only, "mount the root filesystem read-only");
  command_->add_flag("--init", config_flags_.init,
                     "run a small init as pid 1 that passes signals on and reaps orphans");
  command_->add_option("--user,-u", user_, "user to run as: name, uid or uid:gid");
  command_->add_option("--env,-e", env_, "set KEY=VALUE (or pass KEY's value) in the command's environment");
  command_->add_option("--cwd,-w", cwd_, "working directory in the container");
  command_->add_option("--stop-timeout", stop_timeout_s_,
                       "seconds after a passed-on SIGINT or SIGTERM before nsinit kills the command")
      ->capture_default_str();
}

void ExecCommand::TakeCommand(const CLI::App& app, int& argc, char** argv) {
  args_ = ::TakeCommand(app, *command_, /*leading=*/0, argc, argv);
}

cask::Process ExecCommand::MakeProcess(const cask::Config& config) const {
  cask::Process process(config.process);
  if (!args_.empty()) process.args = args_;
  if (!user_.empty()) process.user = user_;
  if (!cwd_.empty()) process.cwd = cwd_;
  for (const auto& entry : env_) SetEnv(process.env, entry);
  process.terminal = tty_;
  winsize ws{};
  if (tty_ && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row != 0) {
    process.console_size = cask::ConsoleSize{ws.ws_row, ws.ws_col};
  }
  return process;
}

int ExecCommand::Run(cask::Factory& factory) {
  cask::Config config;
  try {
    config = LoadConfig(config_flags_);
  } catch (const cask::ConfigError& e) {
    const std::string file = ConfigFileOf(config_flags_);
    throw std::runtime_error(file.empty() ? e.what() : file + ": " + e.what());
  }
  const std::string id = id_.empty() ? DefaultId(config.root.path) : id_;
  cask::Process process = MakeProcess(config);
  const auto give_up = std::chrono::steady_clock::now() + kCreateWait;
  for (;;) {
    std::optional<cask::Container> container = factory.Find(id);
    std::optional<cask::State> state;
    try {
      if (container) state = container->State();
    } catch (const cask::Error& e) {
      if (e.code() != cask::Errc::kNotFound) throw;  // destroyed meanwhile
    }
    if (!state) {
      try {
        return RunNew(factory, id, config, process);
      } catch (const cask::Error& e) {
        if (e.code() != cask::Errc::kExists) throw;
        continue;  // another nsinit made it first: join that one
      }
    }
    switch (state->status) {
      case cask::Status::kRunning:
      case cask::Status::kPaused:
        return Join(*container, state->config, config, process);
      case cask::Status::kStopped:
        DestroyIfThere(*container);
        std::cerr << "nsinit: removed the stopped container '" << id << "' that an earlier run left" << std::endl;
        continue;
      case cask::Status::kCreating:
      case cask::Status::kCreated:
        // Another nsinit is making it, and starts it once made.
        if (std::chrono::steady_clock::now() > give_up) {
          throw std::runtime_error("container '" + id + "' is still " + cask::StatusName(state->status) +
                                   " after " + std::to_string(kCreateWait.count()) +
                                   " s; if the nsinit that made it was killed, `nsinit destroy " + id +
                                   "` removes it");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
    }
  }
}

int ExecCommand::RunNew(cask::Factory& factory, const std::string& id, const cask::Config& config,
                        cask::Process& process) {
  cask::Container container = factory.Create(id, config, process);
  int code;
  try {
    SignalForwarder::HoldSignals();  // until Attend forwards them: the payload may run before
    container.Start();
    code = Attend(process, "the container", [&container] { container.Signal(SIGKILL, /*all=*/true); });
  } catch (...) {
    DestroyIfThere(container);
    throw;
  }
  // As `runc run`: when the container's first process ends, the container goes.
  DestroyIfThere(container);
  return code;
}

int ExecCommand::Join(cask::Container& container, const cask::Config& running, const cask::Config& config,
                      cask::Process& process) {
  // The flags that shape a new container would be lost on a join: refuse, unless they
  // say what the running container has anyway.
  std::vector<std::string> given;
  if (!config_flags_.file.empty()) given.push_back("--config");
  if (!config_flags_.rootfs.empty()) given.push_back("--rootfs");
  if (config_flags_.hostname) given.push_back("--hostname");
  if (config_flags_.read_only) given.push_back("--read-only");
  if (config_flags_.init) given.push_back("--init");
  cask::Config mine = config, theirs = running;
  mine.process = theirs.process = {};
  if (!given.empty() && !(mine == theirs)) {
    std::string flags;
    for (const auto& flag : given) flags += (flags.empty() ? "" : ", ") + flag;
    const bool one = given.size() == 1;
    throw std::runtime_error("container '" + container.Id() + "' is running with another config than " + flags +
                             (one ? " gives: it applies" : " give: they apply") +
                             " to a new container only; leave " + (one ? "it" : "them") + " out to join (root " +
                             running.root.path + "), or pick another --id");
  }
  SignalForwarder::HoldSignals();
  container.Exec(process);
  return Attend(process, "the command", [&process] { process.Signal(SIGKILL); });
}

int ExecCommand::Attend(cask::Process& process, const std::string& what, std::function<void()> kill) {
  SignalForwarder forwarder(process, std::chrono::seconds(stop_timeout_s_), "nsinit: " + what, std::move(kill));
  if (tty_) cask::AttachTerminal(process);
  return process.Wait().ShellCode();
}

std::string DefaultId(const std::string& rootfs) {
  // FNV-1a: a short name that stays the same for a path, not a secret (no libcrypto
  // for this).
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : rootfs) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  std::string name;
  for (char c : std::filesystem::path(rootfs).filename().string()) {
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ? c : '_';
  }
  if (name.empty()) name = "root";
  name.resize(std::min<std::size_t>(name.size(), 40));
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<uint32_t>(hash ^ (hash >> 32)));
  return "nsinit-" + name + "-" + hex;
}
