#include "cgroup/manager.hpp"

#include <cask/error.hpp>
#include <signal.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cgroup/hierarchies.hpp"

namespace cask::cgroup {
namespace fs = std::filesystem;
namespace {

std::vector<pid_t> ReadPids(const fs::path& dir) {
  std::vector<pid_t> pids;
  std::ifstream in(dir / "cgroup.procs");
  for (pid_t pid; in >> pid;) pids.push_back(pid);
  return pids;
}

// The cgroup and every sub-cgroup, deepest first.
std::vector<fs::path> Tree(const fs::path& root) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return dirs;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) dirs.push_back(it->path());
  }
  std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) {
    return a.native().size() > b.native().size();
  });
  dirs.push_back(root);
  return dirs;
}

void WriteFile(const fs::path& file, const std::string& value) {
  std::ofstream out(file);
  out << value << std::flush;
  if (!out) throw Error(errno != 0 ? errno : EIO, "write \"" + value + "\" to " + file.string());
}

// Retries while the kernel still holds a dying cgroup (EBUSY), for a bounded time.
void RemoveDir(const fs::path& dir) {
  using namespace std::chrono;
  auto deadline = steady_clock::now() + seconds(5);
  auto pause = microseconds(100);
  while (rmdir(dir.c_str()) != 0) {
    if (errno == ENOENT) return;
    if (errno != EBUSY || steady_clock::now() > deadline) throw Error(errno, "remove cgroup " + dir.string());
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, microseconds(20000));
  }
}

// A new v1 cpuset has no cpus or mems, and no process may join it until it has:
// take the parent's, as runc does.
void InheritCpuset(const fs::path& dir) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    std::ifstream current(dir / file);
    std::string value;
    std::getline(current, value);
    if (!value.empty()) continue;
    std::ifstream parent(dir.parent_path() / file);
    std::getline(parent, value);
    WriteFile(dir / file, value);
  }
}

}  // namespace

std::unique_ptr<Manager> Manager::Create(const std::string& path, const Resources& resources) {
  if (resources != Resources{}) {
    throw Error(ENOTSUP, "cgroup.resources: applying resource limits is not built yet (see the cgroups issue)");
  }
  std::map<std::string, std::string> paths;
  for (const auto& h : Hierarchies()) {
    fs::path dir = fs::path(h.mount_point) / fs::path(path.front() == '/' ? path : h.own_path + "/" + path).relative_path();
    paths[h.name] = dir.lexically_normal().string();
  }
  std::unique_ptr<Manager> manager(new Manager({}));
  try {
    for (const auto& [name, dir] : paths) {
      if (mkdir(dir.c_str(), 0755) != 0) {
        if (errno != EEXIST) throw Error(errno, "create cgroup " + dir);
        if (!ReadPids(dir).empty()) throw Error(EBUSY, "cgroup " + dir + " exists and has processes in it");
      }
      manager->paths_[name] = dir;
      if (name == "cpuset") InheritCpuset(dir);
    }
  } catch (...) {
    manager->Destroy();
    throw;
  }
  return manager;
}

std::unique_ptr<Manager> Manager::Load(const std::map<std::string, std::string>& paths) {
  return std::unique_ptr<Manager>(new Manager(paths));
}

void Manager::Apply(pid_t pid) {
  for (const auto& [name, dir] : paths_) WriteFile(fs::path(dir) / "cgroup.procs", std::to_string(pid));
}

std::vector<pid_t> Manager::Pids() const {
  std::vector<pid_t> pids;
  for (const auto& [name, dir] : paths_) {
    for (const auto& sub : Tree(dir)) {
      auto some = ReadPids(sub);
      pids.insert(pids.end(), some.begin(), some.end());
    }
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

void Manager::KillAll() {
  // cgroup.kill (cgroup2, also in a hybrid's unified hierarchy) kills the whole tree at
  // once, forks included; otherwise kill pid by pid until none is left.
  for (const auto& [name, dir] : paths_) {
    fs::path kill_file = fs::path(dir) / "cgroup.kill";
    if (fs::exists(kill_file)) WriteFile(kill_file, "1");
  }
  using namespace std::chrono;
  auto deadline = steady_clock::now() + seconds(10);
  auto pause = microseconds(100);
  for (auto pids = Pids(); !pids.empty(); pids = Pids()) {
    for (pid_t pid : pids) kill(pid, SIGKILL);
    if (steady_clock::now() > deadline) throw Error(EBUSY, "processes survive SIGKILL in " + paths_.begin()->second);
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, microseconds(10000));
  }
}

void Manager::Destroy() {
  KillAll();
  for (const auto& [name, dir] : paths_) {
    for (const auto& sub : Tree(dir)) RemoveDir(sub);
  }
}

}  // namespace cask::cgroup
