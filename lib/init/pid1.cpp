#include "init/pid1.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/step_error.hpp"

namespace cask {
namespace {

// Runs under the payload's user, capabilities and seccomp filter (so that the payload
// gains nothing by tracing it); it needs only sigwaitinfo, waitpid and kill.
[[noreturn]] void Pid1(pid_t payload, const sigset_t& all) {
  // Nothing of the payload's stays open here: a reader of an extra fd gets EOF when
  // the payload closes it.
  syscall(SYS_close_range, 3, ~0U, 0);
  for (;;) {
    siginfo_t info;
    const int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;  // EINTR
    if (sig != SIGCHLD) {
      kill(payload, sig);
      continue;
    }
    int status = 0;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {
      // The rest of the container ends with pid 1: the kernel kills it.
      if (pid == payload) _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
    }
  }
}

}  // namespace

void ForkPayloadUnderPid1(bool terminal) {
  // Blocked before the fork, so that no signal meant for the payload is lost between
  // the fork and sigwaitinfo; the payload unblocks them before its execve.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &all, nullptr) != 0) ThrowErrno("init", "block signals");
  const pid_t payload = fork();
  if (payload < 0) ThrowErrno("init", "fork the payload");
  if (terminal) {
    // Both sides set the payload's group in the foreground, whichever runs first
    // (SIGTTOU is blocked in both).
    setpgid(payload == 0 ? 0 : payload, 0);
    tcsetpgrp(0, payload == 0 ? getpid() : payload);
  }
  if (payload > 0) Pid1(payload, all);
  if (sigprocmask(SIG_SETMASK, &none, nullptr) != 0) ThrowErrno("init", "unblock signals");
}

}  // namespace cask
