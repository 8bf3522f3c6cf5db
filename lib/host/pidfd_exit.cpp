#include "host/pidfd_exit.hpp"

#include <linux/types.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

namespace cask {
namespace {

// The kernel's struct pidfd_info up to exit_code (PIDFD_INFO_SIZE_VER0, 64 bytes);
// Debian 12's headers predate it. The kernel takes any size from VER0 on.
struct PidfdInfo {
  __u64 mask;
  __u64 cgroupid;
  __u32 pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
  __s32 exit_code;
};
static_assert(sizeof(PidfdInfo) == 64);

constexpr unsigned long kGetInfo = _IOWR(0xFF, 11, PidfdInfo);  // PIDFD_GET_INFO
constexpr __u64 kInfoExit = 1ULL << 3;                           // PIDFD_INFO_EXIT

}  // namespace

bool PidfdHasInfo(int pidfd) {
  PidfdInfo info{};
  return ioctl(pidfd, kGetInfo, &info) == 0;
}

std::optional<ExitStatus> PidfdExitStatus(int pidfd) {
  PidfdInfo info{};
  info.mask = kInfoExit;
  if (ioctl(pidfd, kGetInfo, &info) != 0 || (info.mask & kInfoExit) == 0) return std::nullopt;
  int status = info.exit_code;
  if (WIFSIGNALED(status)) return ExitStatus{0, WTERMSIG(status)};
  return ExitStatus{WEXITSTATUS(status), 0};
}

}  // namespace cask
