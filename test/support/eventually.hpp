// Waiting for something the kernel does in its own time, with a deadline, not a sleep.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace cask::test {

// Whether `condition` came to hold within `limit`; checks every millisecond.
inline bool Eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace cask::test
