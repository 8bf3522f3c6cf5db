// Container networking with rtnetlink: loopback, veth pairs, addresses and routes.
// Every function works in the network namespace of the calling thread. Errors are
// StepError("network", errno, what).
#pragma once

#include <cask/config.hpp>

#include <string>

namespace cask::net {

// Brings `lo` up (init does it in every new network namespace).
void LoopbackUp();
// Host side: makes a veth pair whose host end, `network.host_name`, stays in the
// caller's namespace (or moves to `network.host_netns`) with its address, up; and
// whose peer is made inside the container's namespace (`container_netns_fd`) already
// named `network.name`. Leaves no link behind on error.
void CreateVeth(const Network& network, int container_netns_fd);
// Init side, inside the container's namespace: MTU, MAC, address, up, default route.
void ConfigureInterface(const Network& network);
// Deletes a link (in `netns_path`, or the caller's namespace); one already gone is fine.
void DeleteLink(const std::string& name, const std::string& netns_path = "");

}  // namespace cask::net
