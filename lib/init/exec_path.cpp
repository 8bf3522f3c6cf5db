#include "init/exec_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/step_error.hpp"
#include "common/text.hpp"

namespace cask {
namespace {

// 0 when `path` is a regular file this process may execute, else the errno that says
// why not (a directory is EISDIR, not the ENOENT of some earlier call).
int WhyNotExecutable(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return errno;
  if (S_ISDIR(st.st_mode)) return EISDIR;
  if (!S_ISREG(st.st_mode)) return EACCES;
  return access(path.c_str(), X_OK) == 0 ? 0 : errno;
}

unique_fd OpenNoMagicLinks(const std::string& path, uint64_t flags) {
  open_how how{};
  how.flags = flags | O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_NO_MAGICLINKS;
  return unique_fd(
      static_cast<int>(syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof(how))));
}

}  // namespace

void EnterCwd(const std::string& cwd) {
  unique_fd dir = OpenNoMagicLinks(cwd, O_DIRECTORY);
  if (!dir) ThrowErrno("cwd", "open " + cwd);
  if (fchdir(dir.get()) != 0) ThrowErrno("cwd", "chdir " + cwd);
}

void RequireNoMagicLinks(const std::string& payload) {
  if (!OpenNoMagicLinks(payload, 0)) ThrowErrno("exec", "payload \"" + payload + "\"");
}

std::string LookPath(const std::string& name, const std::vector<std::string>& env) {
  if (name.empty()) ThrowStep("exec", "no command given (process.args is empty)", EINVAL);
  if (name.find('/') != std::string::npos) {
    if (const int err = WhyNotExecutable(name)) {
      // Docker and podman turn "executable file not found" into exit 127.
      ThrowStep("exec", "payload \"" + name + "\"" + (err == ENOENT ? ": executable file not found" : ""), err);
    }
    return name;
  }
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& var : env) {
    if (var.rfind("PATH=", 0) == 0) path = var.substr(5);
  }
  for (std::string_view dir : SplitText(path, ':')) {
    std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
    if (WhyNotExecutable(candidate) == 0) return candidate;
  }
  ThrowStep("exec", "payload \"" + name + "\": executable file not found in $PATH (" + path + ")", ENOENT);
}

}  // namespace cask
