// The payload's terminal: a pty allocated inside the container (from its own devpts),
// made the payload's controlling terminal and stdio; the master goes to the host.
#pragma once

#include <cask/config.hpp>
#include <cask/unique_fd.hpp>
#include <sys/types.h>

namespace cask {

struct Pty {
  unique_fd master;
  unique_fd peer;  // the slave side, opened from the master with TIOCGPTPEER
};

// Opens /dev/ptmx of the container, unlocks it and sets the size.
Pty OpenPty(const ConsoleSize& size);
// Bind-mounts the pty's peer onto /dev/console (create mode, after pivot_root).
void MountConsole(const Pty& pty);
// Makes the pty the calling process's controlling terminal and its fds 0, 1 and 2, and
// gives it to `uid` (so a non-root payload owns its terminal). Not the host-side
// cask::AttachTerminal, which relays a terminal of the host to a container's pty.
void BecomeControllingTerminal(const Pty& pty, uid_t uid);

}  // namespace cask
