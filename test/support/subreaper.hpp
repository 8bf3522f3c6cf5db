// Makes the test process a child subreaper for one scope: orphans of its descendants are
// reparented to it, so that the test can wait for them. Cleared again at the end, so that
// a later test's orphans (a killed tmux's shells) go to the host's init, not to a test
// process that never reaps them. The fork servers of hosts that died in the scope
// (InitArgs::Spawn::kForkServer) were adopted too, and ended on their own when their
// host's socket closed: the end of the scope reaps them.
#pragma once

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

class ScopedSubreaper {
 public:
  ScopedSubreaper() { REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0); }
  ~ScopedSubreaper() {
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string pid = entry.path().filename();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in("/proc/" + pid + "/stat");
      std::string stat;
      std::getline(in, stat);
      // "pid (comm) state ppid ..."
      const auto close = stat.rfind(") ");
      if (close == std::string::npos || stat.find("(cask-forkserver)") == std::string::npos) continue;
      char state = 0;
      pid_t ppid = 0;
      if (std::sscanf(stat.c_str() + close + 2, "%c %d", &state, &ppid) == 2 && ppid == getpid() && state == 'Z') {
        waitpid(std::stoi(pid), nullptr, WNOHANG);
      }
    }
  }
  ScopedSubreaper(const ScopedSubreaper&) = delete;
  ScopedSubreaper& operator=(const ScopedSubreaper&) = delete;
};
