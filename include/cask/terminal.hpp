// The host side of a process's terminal, for interactive programs such as
// `nsinit exec --tty`.
#pragma once

#include <cask/process.hpp>
#include <unistd.h>

namespace cask {

// Connects the calling program's terminal to `process`'s pty master until the payload
// closes its side: `in` goes into raw mode (so that Ctrl-C, Ctrl-Z and line editing reach
// the payload), bytes are copied both ways, the host size is given to the pty at once and
// again on each SIGWINCH, and `in`'s mode is restored on every way out (return or
// exception). EOF on an `in` that is not a terminal is passed on as the EOF character.
// One attachment at a time per program: it owns SIGWINCH while it runs.
void AttachTerminal(const Process& process, int in = STDIN_FILENO, int out = STDOUT_FILENO);

}  // namespace cask
