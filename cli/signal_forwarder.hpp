// nsinit exec and cask run pass the signals they receive on to the payload, as runc
// does: `kill -TERM` of the program reaches the one in the container. A payload that is pid 1 ignores
// SIGINT and SIGTERM unless it handles them, so a stop that was asked for and did not
// happen within the stop timeout, or was asked for twice, becomes a kill.
#pragma once

#include <cask/error.hpp>
#include <cask/process.hpp>
#include <cask/unique_fd.hpp>
#include <signal.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>

class SignalForwarder {
 public:
  // Blocks the forwarded signals in the calling thread until a SignalForwarder takes
  // them. Called before the payload may run: a signal sent once it runs (a supervisor
  // that saw it start) then waits for the forwarder, instead of killing the program.
  static void HoldSignals();
  // Forwards from now until destruction, and takes the signals held since HoldSignals;
  // the process must have been started. `kill` ends what the program runs (the
  // container, or the joined process); `what` names it, with the program's name in
  // front ("nsinit: container 'x'").
  SignalForwarder(const cask::Process& process, std::chrono::seconds stop_timeout, std::string what,
                  std::function<void()> kill);
  ~SignalForwarder();
  SignalForwarder(const SignalForwarder&) = delete;
  SignalForwarder& operator=(const SignalForwarder&) = delete;

 private:
  void Forward();
  void Kill(const std::string& why);

  const cask::Process& process_;
  const std::chrono::seconds stop_timeout_;
  const std::string what_;
  const std::function<void()> kill_;
  cask::unique_fd read_;
  cask::unique_fd write_;
  std::map<int, struct sigaction> previous_;
  std::thread thread_;
};
