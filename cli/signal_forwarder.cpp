#include "signal_forwarder.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <iostream>
#include <optional>

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

sigset_t ForwardedSet() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal : kForwarded) sigaddset(&set, signal);
  return set;
}

}  // namespace

void SignalForwarder::HoldSignals() {
  const sigset_t held = ForwardedSet();
  pthread_sigmask(SIG_BLOCK, &held, nullptr);
}

SignalForwarder::SignalForwarder(const cask::Process& process, std::chrono::seconds stop_timeout, std::string what,
                                 std::function<void()> kill)
    : process_(process), stop_timeout_(stop_timeout), what_(std::move(what)), kill_(std::move(kill)) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw cask::Error(errno, "signal forwarding: pipe");
  read_ = cask::unique_fd(fds[0]);
  write_ = cask::unique_fd(fds[1]);
  forward_pipe = write_.get();
  thread_ = std::thread([this] { Forward(); });
  for (int signal : kForwarded) {
    struct sigaction action {};
    action.sa_handler = OnSignal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, &previous_[signal]);
  }
  const sigset_t held = ForwardedSet();
  pthread_sigmask(SIG_UNBLOCK, &held, nullptr);  // what came meanwhile is forwarded now
}

SignalForwarder::~SignalForwarder() {
  for (const auto& [signal, previous] : previous_) sigaction(signal, &previous, nullptr);
  const unsigned char stop = 0;
  (void)!write(write_.get(), &stop, 1);
  thread_.join();
  forward_pipe = -1;
}

void SignalForwarder::Forward() {
  using Clock = std::chrono::steady_clock;
  // Set by the first SIGINT or SIGTERM: when the stop timeout runs out.
  std::optional<Clock::time_point> stop_by;
  int stop_signal = 0;
  for (;;) {
    int timeout_ms = -1;
    if (stop_by) {
      timeout_ms = static_cast<int>(
          std::max<int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(*stop_by - Clock::now()).count()));
    }
    pollfd p{read_.get(), POLLIN, 0};
    const int ready = poll(&p, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      Kill("did not stop within " + std::to_string(stop_timeout_.count()) + " s of SIG" + sigabbrev_np(stop_signal));
      stop_by.reset();
      continue;
    }
    unsigned char signal;
    if (ready < 0 || read(read_.get(), &signal, 1) != 1 || signal == 0) return;
    const bool stop = signal == SIGINT || signal == SIGTERM;
    if (stop && stop_signal != 0) {
      Kill(std::string("was asked to stop twice (SIG") + sigabbrev_np(signal) + ")");
      stop_by.reset();
      continue;
    }
    try {
      process_.Signal(signal);
    } catch (const cask::Error&) {
      // The payload is gone already: its exit status says the rest.
    }
    if (stop) {
      stop_signal = signal;
      stop_by = Clock::now() + stop_timeout_;
    }
  }
}

void SignalForwarder::Kill(const std::string& why) {
  std::cerr << what_ << " " << why << ": killing it" << std::endl;
  try {
    kill_();
  } catch (const cask::Error&) {
    // Gone meanwhile.
  }
}
