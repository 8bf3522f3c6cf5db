#include "core/spawn.hpp"

#include <cask/error.hpp>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace cask {
namespace {

pid_t Clone3(unsigned long flags, int* pidfd) {
  clone_args args{};
  args.flags = flags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(pidfd);
  args.exit_signal = SIGCHLD;
  return static_cast<pid_t>(syscall(SYS_clone3, &args, sizeof(args)));
}

}  // namespace

Spawned Spawn(const SpawnRequest& request) {
  // Everything the child needs is prepared here, before clone. Sources are duplicated
  // above every target number so that the child's dup2s, in ascending order, never
  // overwrite a source it still needs.
  std::vector<int> wanted = {request.stdio[0], request.stdio[1], request.stdio[2], request.sync_fd};
  wanted.insert(wanted.end(), request.extra_fds.begin(), request.extra_fds.end());
  const int floor = static_cast<int>(wanted.size());
  std::vector<unique_fd> sources;
  std::vector<int> source_fds;
  for (int fd : wanted) {
    unique_fd copy(fcntl(fd, F_DUPFD_CLOEXEC, floor));
    if (!copy) throw Error(errno, "spawn: duplicate fd " + std::to_string(fd));
    source_fds.push_back(copy.get());
    sources.push_back(std::move(copy));
  }
  unique_fd exe(fcntl(request.init_fd, F_DUPFD_CLOEXEC, floor));
  if (!exe) throw Error(errno, "spawn: duplicate init fd");
  std::vector<char*> argv;
  for (const auto& arg : request.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  char* envp[] = {const_cast<char*>(kSyncFdEnv), nullptr};

  int pidfd = -1;
  pid_t pid = Clone3(request.clone_flags, &pidfd);
  if (pid < 0) throw Error(errno, "spawn: clone");
  if (pid == 0) {
    // The child: async-signal-safe syscalls only.
    for (int target = 0; target < floor; ++target) {
      if (dup2(source_fds[target], target) < 0) _exit(127);
    }
    syscall(SYS_close_range, floor, ~0U, CLOSE_RANGE_CLOEXEC);
    if (request.gate) {
      // The host has written the id maps: become root of the new user namespace so that
      // the exec keeps the namespace's capabilities. Raw syscalls: glibc's wrappers
      // would try to reach the parent's other threads.
      char byte;
      if (read(kSyncFd, &byte, 1) != 1) _exit(127);
      if (syscall(SYS_setresgid, 0, 0, 0) != 0 || syscall(SYS_setresuid, 0, 0, 0) != 0) _exit(126);
    }
    syscall(SYS_execveat, exe.get(), "", argv.data(), envp, AT_EMPTY_PATH);
    _exit(127);
  }
  return {pid, unique_fd(pidfd)};
}

}  // namespace cask
