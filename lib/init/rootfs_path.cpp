#include "init/rootfs_path.hpp"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "common/step_error.hpp"

namespace cask {
namespace {

// As the kernel's MAXSYMLINKS: the number of dangling symlinks MkdirAllInRoot follows.
constexpr int kMaxSymlinks = 40;
// openat2 with RESOLVE_IN_ROOT answers EAGAIN when a rename raced the lookup.
constexpr int kMaxRetries = 32;

std::vector<std::string> Components(std::string_view path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    if (end > pos) parts.emplace_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return parts;
}

}  // namespace

std::string CleanPath(std::string_view path) {
  std::vector<std::string> out;
  for (std::string& part : Components(path)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(std::move(part));
  }
  std::string clean;
  for (const std::string& part : out) clean += "/" + part;
  return clean.empty() ? "/" : clean;
}

std::pair<std::string, std::string> SplitLast(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"/", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

unique_fd OpenInRoot(int root_fd, const std::string& path, int flags, uint64_t extra_resolve) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve;
  const char* p = path.empty() ? "." : path.c_str();
  for (int attempt = 0; attempt < kMaxRetries; ++attempt) {
    long fd = syscall(SYS_openat2, root_fd, p, &how, sizeof(how));
    if (fd >= 0) return unique_fd(static_cast<int>(fd));
    if (errno != EAGAIN) break;
  }
  return unique_fd();
}

unique_fd MkdirAllInRoot(int root_fd, const std::string& path, const std::string& step,
                         bool follow_symlinks) {
  const uint64_t resolve = follow_symlinks ? 0 : RESOLVE_NO_SYMLINKS;
  const std::string what = "create directory " + path;
  std::string current = path;
  for (int hops = 0; hops <= kMaxSymlinks; ++hops) {
    unique_fd dir = OpenInRoot(root_fd, current, O_PATH | O_DIRECTORY, resolve);
    if (dir) return dir;
    if (errno != ENOENT) ThrowErrno(step, what);

    // Walk down to the first missing component and create it under its parent's fd.
    std::vector<std::string> parts = Components(current);
    unique_fd parent = OpenInRoot(root_fd, "/", O_PATH | O_DIRECTORY);
    if (!parent) ThrowErrno(step, what);
    std::string prefix;
    size_t i = 0;
    for (; i < parts.size(); ++i) {
      std::string next = prefix + "/" + parts[i];
      unique_fd child = OpenInRoot(root_fd, next, O_PATH | O_DIRECTORY, resolve);
      if (!child) {
        if (errno != ENOENT) ThrowErrno(step, what);
        if (mkdirat(parent.get(), parts[i].c_str(), 0755) == 0) {
          child.reset(openat(parent.get(), parts[i].c_str(),
                             O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
          if (!child) ThrowErrno(step, what);
        } else if (errno == EEXIST) {
          break;  // a dangling symlink, or a race: look again below
        } else {
          ThrowErrno(step, what);
        }
      }
      parent = std::move(child);
      prefix = next;
    }
    if (i == parts.size()) return parent;

    // parts[i] exists but does not resolve: a symlink to something missing.
    char target[PATH_MAX];
    ssize_t n = readlinkat(parent.get(), parts[i].c_str(), target, sizeof(target) - 1);
    if (n < 0) {
      if (errno == EINVAL) continue;  // no symlink: created meanwhile, resolve again
      ThrowErrno(step, what);
    }
    if (!follow_symlinks)
      ThrowStep(step, what + ": " + prefix + "/" + parts[i] + " is a symlink", ELOOP);
    target[n] = '\0';
    std::string rest;
    for (size_t j = i + 1; j < parts.size(); ++j) rest += "/" + parts[j];
    // Still resolved in the root on the next round, so ".." and absolute targets stay inside.
    current = (target[0] == '/' ? std::string(target) : prefix + "/" + target) + rest;
  }
  ThrowStep(step, what, ELOOP);
}

unique_fd MkfileInRoot(int root_fd, const std::string& path, const std::string& step) {
  const std::string what = "create file " + path;
  unique_fd file = OpenInRoot(root_fd, path, O_PATH);
  if (file) return file;
  if (errno != ENOENT) ThrowErrno(step, what);
  auto [dir, name] = SplitLast(path);
  unique_fd parent = MkdirAllInRoot(root_fd, dir, step);
  unique_fd created(openat(parent.get(), name.c_str(),
                           O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (created) {
    file.reset(openat(parent.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  } else if (errno == EEXIST) {
    file = OpenInRoot(root_fd, path, O_PATH);  // made meanwhile, or a dangling symlink
  }
  if (!file) ThrowErrno(step, what);
  return file;
}

}  // namespace cask
