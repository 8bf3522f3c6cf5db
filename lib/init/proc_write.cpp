#include "init/proc_write.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cask/unique_fd.hpp>
#include <cerrno>

#include "common/mount_api.hpp"
#include "common/step_error.hpp"

namespace cask {
namespace {

void WriteProc(const std::string& step, const std::string& what, const std::string& path_under_proc,
               std::string_view value) {
  if (path_under_proc.empty() || path_under_proc.front() == '/') {
    ThrowStep(step, what + ": not a relative path under /proc", EINVAL);
  }
  unique_fd proc(open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!proc) ThrowErrno(step, what);
  if (FsMagic(proc.get()) != PROC_SUPER_MAGIC) {
    ThrowStep(step, what + ": /proc is not procfs", EXDEV);
  }
  open_how how{};
  how.flags = O_WRONLY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, proc.get(), path_under_proc.c_str(), &how, sizeof(how));
  if (fd < 0) ThrowErrno(step, what);
  unique_fd file(static_cast<int>(fd));
  // A mount inside /proc (a bind of a plain file over a sysctl) would pass the first check.
  if (FsMagic(file.get()) != PROC_SUPER_MAGIC) {
    ThrowStep(step, what + ": not on procfs", EXDEV);
  }
  while (!value.empty()) {
    ssize_t n = write(file.get(), value.data(), value.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowErrno(step, what);
    }
    value.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

void WriteProcFile(const std::string& path_under_proc, std::string_view value) {
  WriteProc("proc", "write /proc/" + path_under_proc, path_under_proc, value);
}

void ApplySysctl(const std::map<std::string, std::string>& sysctl) {
  for (const auto& [key, value] : sysctl) {
    if (key.empty() || key.find('/') != std::string::npos || key.find("..") != std::string::npos ||
        key.front() == '.' || key.back() == '.') {
      ThrowStep("sysctl", "sysctl " + key + ": invalid key", EINVAL);
    }
    std::string path = "sys/" + key;
    for (char& c : path) {
      if (c == '.') c = '/';
    }
    WriteProc("sysctl", "sysctl " + key + " (/proc/" + path + ")", path, value);
  }
}

}  // namespace cask
