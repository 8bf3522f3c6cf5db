// Signals as people and runtimes name them: "9", "KILL", "SIGKILL".
#pragma once

#include <signal.h>

#include <charconv>
#include <string>

#include "cask/error.hpp"

namespace cask {

// The signal number for a number or a name, with or without "SIG". Throws cask::Error
// (EINVAL) naming what was given.
inline int SignalFromName(const std::string& name) {
  const std::string bare = name.rfind("SIG", 0) == 0 ? name.substr(3) : name;
  int number = -1;
  const auto [end, ec] = std::from_chars(bare.data(), bare.data() + bare.size(), number);
  if (!bare.empty() && end == bare.data() + bare.size()) {
    if (ec == std::errc() && number >= 0 && number < NSIG) return number;
    throw Error(EINVAL, "signal " + name + " is not between 0 and " + std::to_string(NSIG - 1));
  }
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev != nullptr && bare == abbrev) return sig;
  }
  throw Error(EINVAL, "unknown signal \"" + name + "\"");
}

}  // namespace cask
