// Work in another network namespace without moving the calling thread.
#pragma once

#include <functional>
#include <string>

namespace cask::net {

// Runs `work` in the calling thread when `netns_path` is empty; otherwise in a short-lived
// thread that first joins the network namespace at `netns_path` (setns of a network
// namespace is per thread). An exception from `work` is rethrown in the caller.
void RunInNetns(const std::string& netns_path, const std::function<void()>& work);

}  // namespace cask::net
