// A failure of one step, in init or on the host side (hooks, networks, seccomp): the
// step, its errno and what it was doing. Init sends it to the host over the sync
// socket; host code puts its context in front with Error(context, e).
#pragma once

#include <cask/error.hpp>

#include <cerrno>
#include <string>

namespace cask {

// A cask::Error of one step, which step() names. what() is the host's reading ("mount proc on
// /proc: Operation not permitted"); message() is the text without the errno's words,
// which init sends to the host with the errno beside it.
class StepError : public Error {
 public:
  // `what` says what was being done: "mount proc on /proc".
  StepError(std::string step, int err, const std::string& what)
      : Error(err != 0 ? Error(err, what) : Error(Errc::kInitFailed, what), std::move(step)),
        message_(what),
        errno_(err) {}
  const std::string& message() const { return message_; }
  int error() const { return errno_; }

 private:
  std::string message_;
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

}  // namespace cask
