// What the lifecycle tests share: a Factory over a temporary state root using the
// build tree's init helper, a busybox rootfs with the probe, and a way to run the
// probe in a container and read what it printed.
#pragma once

#include <cask/cask.hpp>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rootfs.hpp"

namespace cask::test {

// Reads an fd to EOF.
std::string ReadAll(int fd);
// The whole file; empty when it cannot be read.
std::string ReadFile(const std::string& path);
// The file without its trailing newlines and spaces (a cgroup file's value).
std::string Trimmed(const std::string& path);

// A fresh container id (contains "cask", so leftovers are easy to find).
std::string NewId(const std::string& stem);

struct RunResult {
  ExitStatus status;
  std::string out;
  std::string err;
  nlohmann::json Json() const { return nlohmann::json::parse(out); }
};

struct ProgramResult {
  int code = -1;  // the exit code, or 128 + the signal
  std::string out;
  std::string err;
};

// A built program (nsinit, or cask) with `args`, started in `cwd` (default: the
// test's own), its stdout and stderr captured whole, its stdin `in` (default: the
// test's); killed and reaped by the destructor unless waited for.
class ProgramChild {
 public:
  explicit ProgramChild(const std::vector<std::string>& args, const std::string& cwd = "",
                        const char* program = CASK_NSINIT_PATH, int in = -1);
  ~ProgramChild();
  ProgramChild(const ProgramChild&) = delete;
  ProgramChild& operator=(const ProgramChild&) = delete;
  pid_t pid() const { return pid_; }
  ProgramResult Wait();

 private:
  pid_t pid_ = -1;
  unique_fd out_;
  unique_fd err_;
};

// Runs nsinit, or the cask runtime, to its end.
ProgramResult Nsinit(const std::vector<std::string>& args, const std::string& cwd = "");
ProgramResult Cask(const std::vector<std::string>& args, const std::string& cwd = "");

// Runs `work` in a forked child and returns the what() of the exception it threw ("" for
// none), or nullopt when it did not return within `limit` (the child is then killed):
// a call that hangs fails its test instead of stopping the suite.
std::optional<std::string> ErrorWithin(std::chrono::seconds limit, const std::function<void()>& work);

// Whether /sys/fs/cgroup is cgroup2 alone (a v2 host), not v1 controllers beside it.
bool UnifiedHost();
// The directory of the container's cgroup that holds `controller`'s files: the one
// directory on a v2 host.
std::string CgroupDir(const std::map<std::string, std::string>& paths, const std::string& controller);

// A loop device of the test's own over a file of `size` bytes, detached and its file
// removed by the destructor: a block device that io limits can act on wherever the
// test's files live.
class LoopDevice {
 public:
  explicit LoopDevice(uint64_t size);
  ~LoopDevice();
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;
  const std::string& Path() const { return path_; }
  unsigned Major() const { return major_; }
  unsigned Minor() const { return minor_; }

 private:
  void Attach(int fd, uint64_t size);
  std::string file_;
  std::string path_;
  unsigned major_ = 0, minor_ = 0;
};

// A network namespace of the test's own: a child that unshared it and waits to be killed.
class NetnsHolder {
 public:
  NetnsHolder();
  ~NetnsHolder();
  NetnsHolder(const NetnsHolder&) = delete;
  NetnsHolder& operator=(const NetnsHolder&) = delete;
  std::string Path() const { return "/proc/" + std::to_string(pid_) + "/ns/net"; }

 private:
  pid_t pid_ = -1;
};

// A listening unix socket that a runtime sends a pty master to (--console-socket), and
// the master read from it as OCI front ends read it: one message, the name as data, the
// fd as SCM_RIGHTS.
class ConsoleSocket {
 public:
  explicit ConsoleSocket(std::string path);
  const std::string& Path() const { return path_; }
  // Accepts one connection and returns the fd it carried; `name` gets the data.
  unique_fd Receive(std::string& name) const;

 private:
  std::string path_;
  unique_fd listener_;
};

class Harness {
 public:
  Harness();
  ~Harness();
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  Factory& factory() { return factory_; }
  const std::string& state_root() const { return state_root_; }
  const Rootfs& rootfs() const { return rootfs_; }
  // The default config over the busybox rootfs, running the probe.
  Config BaseConfig() const;
  // Runs `args` (default: the probe) to exit in a new container and destroys it.
  RunResult Run(const Config& config, std::vector<std::string> args = {});
  // Runs a process with piped output and reads it to the end.
  static RunResult Collect(Process& process);

 private:
  Rootfs rootfs_;
  std::string state_root_;
  Factory factory_;
};

}  // namespace cask::test
