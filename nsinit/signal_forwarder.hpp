// nsinit passes the signals it receives on to its payload, as runc does: `kill -TERM`
// of nsinit reaches the program in the container.
#pragma once

#include <cask/error.hpp>
#include <cask/process.hpp>
#include <cask/unique_fd.hpp>
#include <signal.h>

#include <map>
#include <thread>

class SignalForwarder {
 public:
  // Forwards from now until destruction; the process must have been started.
  explicit SignalForwarder(const cask::Process& process);
  ~SignalForwarder();
  SignalForwarder(const SignalForwarder&) = delete;
  SignalForwarder& operator=(const SignalForwarder&) = delete;

 private:
  const cask::Process& process_;
  cask::unique_fd read_;
  cask::unique_fd write_;
  std::map<int, struct sigaction> previous_;
  std::thread thread_;
};
