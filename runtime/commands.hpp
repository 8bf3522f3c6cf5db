// The subcommands of cask, each a thin layer over the library: its options, the checks
// whose words clients match (OCI-RUNTIME.md), and the call. Each returns the exit code
// and throws CommandError (or cask::Error, which is exit 1) on failure.
#pragma once

#include <cask/cask.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

// A failure with the exit code it asks for (exec's 255), and the message as clients
// expect it.
class CommandError : public std::runtime_error {
 public:
  explicit CommandError(const std::string& message, int code = 1) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// Loads the container, in the words containerd and podman match.
cask::Container LoadContainer(const cask::Factory& factory, const std::string& id);

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  unsigned preserve_fds = 0;
  bool systemd_cgroup = false;
};
// create, and (start = true) run -d: the container is left created (or running) when
// cask exits.
int Create(cask::Factory& factory, const CreateOptions& options, bool start);
// run in the foreground: passes signals on, waits, deletes the container unless `keep`,
// and exits with the container's status.
int RunForeground(cask::Factory& factory, const CreateOptions& options, bool keep);
int Start(cask::Factory& factory, const std::string& id);

struct ExecOptions {
  std::string id;
  std::string process_file;
  std::vector<std::string> args;
  bool detach = false;
  bool tty = false;
  std::string pid_file;
  std::string console_socket;
  unsigned preserve_fds = 0;
  std::vector<std::string> env;
  std::string cwd;
  std::string user;
  std::vector<std::string> caps;
  bool no_new_privs = false;
  bool ignore_paused = false;
};
// Exec failures exit 255, as runc's do.
int Exec(cask::Factory& factory, const ExecOptions& options);

int State(const cask::Factory& factory, const std::string& id);
int List(const cask::Factory& factory, const std::string& format);
int Kill(const cask::Factory& factory, const std::string& id, const std::string& signal, bool all);
int Delete(const cask::Factory& factory, const std::string& id, bool force);
int Pause(const cask::Factory& factory, const std::string& id);
int Resume(const cask::Factory& factory, const std::string& id);
int Ps(const cask::Factory& factory, const std::string& id, const std::string& format,
       const std::vector<std::string>& ps_args);

struct UpdateOptions {
  std::string id;
  std::string resources_file;
  std::map<std::string, std::string> flags;  // runc's single-value flags, by name ("memory")
  std::string intel_rdt;                     // --l3-cache-schema, --mem-bw-schema
};
// update's flags and arguments, into `options`.
void AddUpdateOptions(CLI::App* update, UpdateOptions& options);
int Update(const cask::Factory& factory, const UpdateOptions& options);

struct EventsOptions {
  std::string id;
  std::string interval = "5s";
  bool stats = false;
};
// Runs until the container stops (or, with --stats, prints once).
int Events(const cask::Factory& factory, const EventsOptions& options);
int Spec(const std::string& bundle, bool rootless);

// Writes a pid file as clients read it: the decimal pid, no newline, by rename.
void WritePidFile(const std::string& path, pid_t pid);
// Fds 3 .. 3+n-1 of this process, for a container's process (--preserve-fds).
std::vector<int> PreservedFds(unsigned n, unsigned after = 0);
