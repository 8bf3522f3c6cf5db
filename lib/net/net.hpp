// Container networking over raw rtnetlink (NETLINK_ROUTE; no libnl, no `ip`).
//
// Every function works in the network namespace of the calling thread, except where a
// namespace path is given: then a short-lived thread joins it, so the caller's never
// changes. These run in the host and in init alike, so they throw StepError with step
// "network" and the kernel's errno (and its extended ack text, when it gives one).
#pragma once

#include <cask/config.hpp>
#include <cask/stats.hpp>

#include <cstdint>

#include <string>
#include <vector>

namespace cask::net {

// Brings `lo` up: one socket, one request. Init calls it in every new network namespace.
void LoopbackUp();

// Host side of a "veth" network: creates the pair with its host end `host_name` in the
// calling thread's namespace (or in `host_netns`, a path) and its peer directly in the
// container's namespace, already named `name`. The host end gets `host_address` and `mtu`
// if set and is brought up. On failure no link of this call is left behind.
void CreateVeth(const Network& network, int container_netns_fd);

// Container side, run in the container's namespace (by init) for a "veth" network: sets
// `mtu` and `mac_address` if given, adds `address`, brings `name` up and adds a default
// route via `gateway` if set.
void ConfigureInterface(const Network& network);

// Deletes the link `name` (a veth's peer goes with it) in the calling thread's namespace or
// in the one at `netns_path`. A link that is already gone is not an error.
void DeleteLink(const std::string& name, const std::string& netns_path = "");

// The kernel's 64-bit counters of one interface: the type Stats() reports.
using cask::InterfaceStats;

// The counters of every interface in the calling thread's network namespace.
std::vector<InterfaceStats> ReadInterfaceStats();

}  // namespace cask::net
