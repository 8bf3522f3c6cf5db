#include "cgroup/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <thread>
#include <fmt/format.h>

#include "cask/error.hpp"
#include "cask/unique_fd.hpp"
#include "common/text.hpp"

namespace cask::cgroup {

std::optional<std::string> ReadFileIfExists(const std::string& path) {
  std::string text;
  if (ReadWholeFile(path, text)) return text;
  if (errno == ENOENT) return std::nullopt;
  throw Error(errno, "read " + path);
}

std::string ReadFile(const std::string& path) {
  auto text = ReadFileIfExists(path);
  if (!text) throw Error(ENOENT, "open " + path);
  return *text;
}

void WriteFile(const std::string& path, const std::string& value) {
  unique_fd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw Error(errno, "open " + path);
  // One write: the kernel takes a cgroup file's value in a single call.
  ssize_t n;
  do {
    n = write(fd.get(), value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw Error(errno, fmt::format("write \"{}\" to {}", value, path));
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

std::string UserFile(const std::string& dir, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
    throw Error(EINVAL, fmt::format("cgroup file name \"{}\" is not a file in {}", name, dir));
  }
  return dir + "/" + name;
}

std::string DeviceKey(int64_t major, int64_t minor) { return fmt::format("{}:{}", major, minor); }

// The leaf first: its parents exist nearly always, and the walk up is for when not.
std::vector<std::string> MakeDirs(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) == 0) return {dir};
  if (errno == EEXIST) return {};
  const size_t slash = dir.rfind('/');
  if (errno != ENOENT || slash == 0 || slash == std::string::npos) throw Error(errno, "mkdir " + dir);
  std::vector<std::string> made = MakeDirs(dir.substr(0, slash));
  if (mkdir(dir.c_str(), 0755) == 0) {
    made.push_back(dir);
  } else if (errno != EEXIST) {
    int err = errno;
    RemoveMade(made);
    throw Error(err, "mkdir " + dir);
  }
  return made;
}

bool RemoveIfEmpty(const std::string& dir) {
  if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return true;
  if (errno == EBUSY || errno == ENOTEMPTY) return false;
  throw Error(errno, "rmdir " + dir);
}

namespace {

// Calls `f(name)` for each sub-directory of `dir`; none when `dir` is gone.
template <typename F>
void ForEachSubdir(const std::string& dir, F f) {
  DIR* d = opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return;
    throw Error(errno, "opendir " + dir);
  }
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (e->d_type == DT_DIR && name != "." && name != "..") f(dir + "/" + name);
  }
  closedir(d);
}

}  // namespace

void CollectPids(const std::string& dir, std::vector<pid_t>& pids) {
  auto text = ReadFileIfExists(dir + "/cgroup.procs");
  if (!text) return;
  const char* p = text->data();
  const char* end = p + text->size();
  while (p < end) {
    pid_t pid = 0;
    auto [next, ec] = std::from_chars(p, end, pid);
    if (ec != std::errc()) throw Error(EINVAL, dir + "/cgroup.procs: not a pid list");
    pids.push_back(pid);
    p = next + 1;  // the newline
  }
  ForEachSubdir(dir, [&](const std::string& sub) { CollectPids(sub, pids); });
}

std::vector<std::string> CgroupTree(const std::string& dir) {
  std::vector<std::string> tree;
  ForEachSubdir(dir, [&](const std::string& sub) {
    auto subtree = CgroupTree(sub);
    tree.insert(tree.end(), subtree.begin(), subtree.end());
  });
  if (Exists(dir)) tree.push_back(dir);
  return tree;
}

void RemoveTree(const std::string& dir) {
  using std::chrono::steady_clock;
  auto deadline = steady_clock::now() + std::chrono::seconds(5);
  auto delay = std::chrono::milliseconds(1);
  for (const auto& d : CgroupTree(dir)) {
    while (rmdir(d.c_str()) != 0) {
      if (errno == ENOENT) break;
      if (errno != EBUSY || steady_clock::now() >= deadline) throw Error(errno, "rmdir " + d);
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(100));
    }
  }
}

void RemoveMade(const std::vector<std::string>& made) {
  for (auto it = made.rbegin(); it != made.rend(); ++it) {
    if (rmdir(it->c_str()) != 0 && errno != ENOENT && errno != EBUSY && errno != ENOTEMPTY) {
      throw Error(errno, "rmdir " + *it);
    }
  }
}

}  // namespace cask::cgroup
