// Config::init: cask's small pid 1 between the container and its payload.
#pragma once

namespace cask {

// Forks the payload off and returns in it (the caller goes on to execve). The parent
// stays as the container's pid 1 and never returns: it passes every signal it gets on
// to the payload, reaps every child, and exits with the payload's code, or 128+N when
// signal N killed it. With a terminal the payload gets the foreground of the pty, so
// Ctrl-C reaches it.
void ForkPayloadUnderPid1(bool terminal);

}  // namespace cask
