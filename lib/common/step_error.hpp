// A failure inside init: the step that failed, its errno and what it was doing.
// Init sends it to the host, where it becomes a cask::Error naming the step.
#pragma once

#include <cask/error.hpp>

#include <cerrno>
#include <stdexcept>
#include <string>

namespace cask {

class StepError : public std::runtime_error {
 public:
  // `what` says what was being done: "mount proc on /proc".
  StepError(std::string step, int err, const std::string& what)
      : std::runtime_error(what), step_(std::move(step)), errno_(err) {}
  const std::string& step() const { return step_; }
  int error() const { return errno_; }

 private:
  std::string step_;
  int errno_;
};

// Throws a StepError for the current errno.
[[noreturn]] inline void ThrowErrno(const std::string& step, const std::string& what) {
  throw StepError(step, errno, what);
}

// Throws a StepError with no errno (a logic failure such as "not a directory").
[[noreturn]] inline void ThrowStep(const std::string& step, const std::string& what, int err = 0) {
  throw StepError(step, err, what);
}

// The host's view of a StepError raised on the host side (hooks, network setup).
inline Error ToError(const StepError& e, const std::string& context) {
  const std::string message = context + ": " + e.what();
  return e.error() != 0 ? Error(e.error(), message) : Error(Errc::kInitFailed, message);
}

}  // namespace cask
