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

// Children of this process, zombies included: /proc/<pid>/stat's ppid. "pid (comm)" of
// each, and its state.
std::vector<std::pair<std::string, std::string>> Children() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& pid : Entries("/proc")) {
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in("/proc/" + pid + "/stat");
    std::string stat;
    std::getline(in, stat);
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string state;
    pid_t ppid = 0;
    fields >> state >> ppid;
    if (ppid == getpid()) out.push_back({stat.substr(0, close + 1), state});
  }
  return out;
}

}  // namespace

Snapshot TakeSnapshot() {
  Snapshot snapshot{Entries("/proc/self/fd"), Entries("/tmp", "cask-"), {}};
  for (const auto& [child, state] : Children()) {
    if (state != "Z" && child.ends_with("(cask-forkserver)")) snapshot.children.insert(child);
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
  for (const auto& [child, state] : Children()) {
    if (state == "Z" || !before.children.count(child)) out.push_back("child process " + child + " state " + state);
  }
  for (const auto& dir : Entries("/tmp", "cask-")) {
    if (!before.temp_dirs.count(dir)) out.push_back("temporary directory /tmp/" + dir);
  }
  return out;
}

}  // namespace cask::test
