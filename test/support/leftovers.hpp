// What a test must not leave behind: mounts, cgroups, child processes, fds and
// temporary directories of cask's. Snapshot before, Leftovers after.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

namespace cask::test {

struct Snapshot {
  std::set<std::string> fds;
  std::set<std::string> temp_dirs;
  // Alive before, as a Factory's fork server (InitArgs::Spawn::kForkServer) that
  // serves on: "pid (comm)".
  std::set<std::string> children;
};

Snapshot TakeSnapshot();

struct ChildProcess {
  pid_t pid;
  std::string comm;
  char state;  // as /proc/<pid>/stat says: 'Z' for a zombie
};
// The children of this process, zombies included (/proc/<pid>/stat's ppid).
std::vector<ChildProcess> Children();
// One line per leftover; empty when clean.
std::vector<std::string> Leftovers(const Snapshot& before);
bool ProcessAlive(pid_t pid);

}  // namespace cask::test
