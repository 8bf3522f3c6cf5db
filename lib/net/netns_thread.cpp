#include "net/netns_thread.hpp"

#include <fcntl.h>
#include <sched.h>

#include <cask/unique_fd.hpp>
#include <exception>
#include <thread>

#include "common/step_error.hpp"

namespace cask::net {

void RunInNetns(const std::string& netns_path, const std::function<void()>& work) {
  if (netns_path.empty()) {
    work();
    return;
  }
  unique_fd netns(open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!netns) ThrowErrno("network", "open network namespace " + netns_path);
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      if (setns(netns.get(), CLONE_NEWNET) != 0) {
        ThrowErrno("network", "join network namespace " + netns_path);
      }
      work();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace cask::net
