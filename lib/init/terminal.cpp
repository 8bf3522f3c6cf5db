#include "init/terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <string>

#include "common/step_error.hpp"

namespace cask {
namespace {
constexpr const char* kTerminalStep = "terminal";
}  // namespace

Pty OpenPty(const ConsoleSize& size) {
  Pty pty;
  pty.master.reset(open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master) ThrowErrno(kTerminalStep, "open /dev/ptmx");
  int unlock = 0;
  if (ioctl(pty.master.get(), TIOCSPTLCK, &unlock) != 0) ThrowErrno(kTerminalStep, "unlock the pty");
  // TIOCGPTPEER opens the peer through the master, not by a /dev/pts path that the
  // container's filesystem could have replaced.
  pty.peer.reset(ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.peer) ThrowErrno(kTerminalStep, "open the pty's peer");
  winsize ws{size.rows, size.cols, 0, 0};
  if (ioctl(pty.master.get(), TIOCSWINSZ, &ws) != 0) ThrowErrno(kTerminalStep, "set the terminal size");
  return pty;
}

void MountConsole(const Pty& pty) {
  unique_fd console(open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!console) ThrowErrno(kTerminalStep, "create /dev/console");
  const std::string source = "/proc/self/fd/" + std::to_string(pty.peer.get());
  const std::string target = "/proc/self/fd/" + std::to_string(console.get());
  if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    ThrowErrno(kTerminalStep, "bind the pty onto /dev/console");
  }
}

void BecomeControllingTerminal(const Pty& pty, uid_t uid) {
  if (fchown(pty.peer.get(), uid, static_cast<gid_t>(-1)) != 0) ThrowErrno(kTerminalStep, "chown the pty");
  if (setsid() < 0) ThrowErrno(kTerminalStep, "setsid");
  if (ioctl(pty.peer.get(), TIOCSCTTY, 0) != 0) ThrowErrno(kTerminalStep, "make the pty the controlling terminal");
  for (int fd = 0; fd < 3; ++fd) {
    if (dup2(pty.peer.get(), fd) < 0) ThrowErrno(kTerminalStep, "dup the pty onto fd " + std::to_string(fd));
  }
}

}  // namespace cask
