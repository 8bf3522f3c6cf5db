#include "leftovers.hpp"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cask::test {
namespace fs = std::filesystem;
namespace {

std::set<std::string> Entries(const fs::path& dir, const std::string& prefix = "") {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) == 0) out.insert(name);
  }
  return out;
}

// "pid (comm)", as /proc/<pid>/stat begins.
std::string Named(const ChildProcess& child) { return std::to_string(child.pid) + " (" + child.comm + ")"; }

}  // namespace

std::vector<ChildProcess> Children() {
  std::vector<ChildProcess> out;
  for (const auto& pid : Entries("/proc")) {
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in("/proc/" + pid + "/stat");
    std::string stat;
    std::getline(in, stat);
    const auto open = stat.find(" (");
    const auto close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    fields >> state >> ppid;
    if (ppid == getpid()) out.push_back({std::stoi(pid), stat.substr(open + 2, close - open - 2), state});
  }
  return out;
}

Snapshot TakeSnapshot() {
  Snapshot snapshot{Entries("/proc/self/fd"), Entries("/tmp", "cask-"), {}};
  for (const ChildProcess& child : Children()) {
    if (child.state != 'Z' && child.comm == "cask-forkserver") snapshot.children.insert(Named(child));
  }
  return snapshot;
}

bool ProcessAlive(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

std::vector<std::string> Leftovers(const Snapshot& before) {
  std::vector<std::string> out;
  // Fds first, before this function opens files of its own; the listing's own fd points
  // at /proc/<pid>/fd.
  const std::string own_listing = "/proc/" + std::to_string(getpid()) + "/fd";
  for (const auto& fd : Entries("/proc/self/fd")) {
    std::error_code ec;
    std::string target = fs::read_symlink("/proc/self/fd/" + fd, ec).string();
    if (!before.fds.count(fd) && !ec && target != own_listing) out.push_back("fd " + fd + " -> " + target);
  }
  std::ifstream mounts("/proc/self/mountinfo");
  for (std::string line; std::getline(mounts, line);) {
    if (line.find("cask") != std::string::npos) out.push_back("mount: " + line);
  }
  std::ifstream cgroups("/proc/self/cgroup");
  for (std::string line; std::getline(cgroups, line);) {
    auto second = line.find(':', line.find(':') + 1);
    std::string controllers = line.substr(line.find(':') + 1, second - line.find(':') - 1);
    std::string own = line.substr(second + 1);
    std::string name = controllers.empty() ? "unified" : controllers.rfind("name=", 0) == 0 ? controllers.substr(5) : controllers;
    fs::path dir = fs::path("/sys/fs/cgroup") / name / fs::path(own).relative_path();
    for (const auto& entry : Entries(dir)) {
      if (entry.find("cask") != std::string::npos) out.push_back("cgroup: " + (dir / entry).string());
    }
  }
  for (const ChildProcess& child : Children()) {
    if (child.state == 'Z' || !before.children.count(Named(child))) {
      out.push_back("child process " + Named(child) + " state " + child.state);
    }
  }
  for (const auto& dir : Entries("/tmp", "cask-")) {
    if (!before.temp_dirs.count(dir)) out.push_back("temporary directory /tmp/" + dir);
  }
  return out;
}

}  // namespace cask::test
