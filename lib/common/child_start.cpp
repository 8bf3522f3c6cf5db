#include "common/child_start.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/sync_fd.hpp"

namespace cask {

bool LiftFds(const std::vector<int>& fds, std::vector<unique_fd>& lifted) {
  const int floor = static_cast<int>(fds.size());
  for (int fd : fds) {
    unique_fd copy(fcntl(fd, F_DUPFD_CLOEXEC, floor));
    if (!copy) return false;
    lifted.push_back(std::move(copy));
  }
  return true;
}

bool PlaceFds(const int* sources, int count, bool close_on_exec) {
  for (int target = 0; target < count; ++target) {
    if (dup2(sources[target], target) < 0) return false;
  }
  syscall(SYS_close_range, count, ~0U, close_on_exec ? CLOSE_RANGE_CLOEXEC : 0);
  return true;
}

int PassGate() {
  char byte;
  if (read(kSyncFd, &byte, 1) != 1) return 127;
  if (syscall(SYS_setresgid, 0, 0, 0) != 0 || syscall(SYS_setresuid, 0, 0, 0) != 0) return 126;
  return 0;
}

}  // namespace cask
