// Makes the test process a child subreaper for one scope: orphans of its descendants are
// reparented to it, so that the test can wait for them. Cleared again at the end, so that
// a later test's orphans (a killed tmux's shells) go to the host's init, not to a test
// process that never reaps them. The fork servers of hosts that died in the scope
// (InitArgs::Spawn::kForkServer) were adopted too, and ended on their own when their
// host's socket closed: the end of the scope reaps them.
#pragma once

#include <sys/prctl.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "leftovers.hpp"

class ScopedSubreaper {
 public:
  ScopedSubreaper() { REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0); }
  ~ScopedSubreaper() {
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    for (const auto& child : cask::test::Children()) {
      if (child.comm == "cask-forkserver" && child.state == 'Z') waitpid(child.pid, nullptr, WNOHANG);
    }
  }
  ScopedSubreaper(const ScopedSubreaper&) = delete;
  ScopedSubreaper& operator=(const ScopedSubreaper&) = delete;
};
