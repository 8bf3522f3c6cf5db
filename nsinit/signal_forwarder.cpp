#include "signal_forwarder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace {

// Signals a person or a supervisor sends to a foreground program. SIGWINCH belongs to
// the terminal attachment; SIGKILL and SIGSTOP cannot be caught.
constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

std::atomic<int> forward_pipe{-1};

// Only async-signal-safe work here: the forwarding thread does the rest.
void OnSignal(int signal) {
  int saved = errno;
  unsigned char byte = static_cast<unsigned char>(signal);
  (void)!write(forward_pipe.load(), &byte, 1);
  errno = saved;
}

}  // namespace

SignalForwarder::SignalForwarder(const cask::Process& process) : process_(process) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw cask::Error(errno, "signal forwarding: pipe");
  read_ = cask::unique_fd(fds[0]);
  write_ = cask::unique_fd(fds[1]);
  forward_pipe = write_.get();
  thread_ = std::thread([this] {
    unsigned char signal;
    while (read(read_.get(), &signal, 1) == 1 && signal != 0) {
      try {
        process_.Signal(signal);
      } catch (const cask::Error&) {
        // The payload is gone already: its exit status says the rest.
      }
    }
  });
  for (int signal : kForwarded) {
    struct sigaction action {};
    action.sa_handler = OnSignal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, &previous_[signal]);
  }
}

SignalForwarder::~SignalForwarder() {
  for (const auto& [signal, previous] : previous_) sigaction(signal, &previous, nullptr);
  const unsigned char stop = 0;
  (void)!write(write_.get(), &stop, 1);
  thread_.join();
  forward_pipe = -1;
}
