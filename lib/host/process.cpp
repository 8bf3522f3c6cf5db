#include <cask/error.hpp>
#include <cask/process.hpp>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fmt/format.h>

#include "host/factory_impl.hpp"

namespace cask {

ExitStatus ChildRecord::Wait() {
  std::lock_guard lock(mutex);
  if (status) return *status;
  siginfo_t info{};
  while (waitid(static_cast<idtype_t>(P_PIDFD), pidfd.get(), &info, WEXITED) != 0) {
    if (errno != EINTR) throw Error(errno, fmt::format("wait for process {}", pid));
  }
  status = info.si_code == CLD_EXITED ? ExitStatus{info.si_status, 0} : ExitStatus{0, info.si_status};
  Mark(phases, "exit");
  return *status;
}

pid_t Process::Pid() const { return child_ ? child_->pid : -1; }

ExitStatus Process::Wait() {
  if (!child_) throw Error(Errc::kBadState, "wait: the process was never started");
  return child_->Wait();
}

void Process::Signal(int signal) const {
  if (!child_) throw Error(Errc::kBadState, "signal: the process was never started");
  if (syscall(SYS_pidfd_send_signal, child_->pidfd.get(), signal, nullptr, 0) != 0) {
    throw Error(errno, fmt::format("signal process {}", child_->pid));
  }
}

void Process::Resize(uint16_t rows, uint16_t cols) const {
  winsize ws{rows, cols, 0, 0};
  if (!console_ || ioctl(console_.get(), TIOCSWINSZ, &ws) != 0) {
    throw Error(console_ ? errno : ENOTTY, fmt::format("resize the terminal of process {}", Pid()));
  }
}

}  // namespace cask
