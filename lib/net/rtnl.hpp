// Link, address and route requests of rtnetlink, over a NetlinkSocket.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "net/address.hpp"
#include "net/netlink.hpp"

namespace cask::net {

// The index of the link named `name`; StepError ENODEV when there is none.
int LinkIndex(NetlinkSocket& socket, const std::string& name);

// Brings up the link with `index`, or the one named `name` when index is 0.
void SetLinkUp(NetlinkSocket& socket, int index, const std::string& name);

// Sets the link's MTU (unless 0) and MAC address (if given).
void SetLinkMtuAndMac(NetlinkSocket& socket, int index, const std::string& name, uint32_t mtu,
                      const std::optional<MacAddress>& mac);

// Adds `cidr` to the link; IPv6 addresses skip duplicate address detection, so they are
// usable at once, as a container expects.
void AddAddress(NetlinkSocket& socket, int index, const std::string& name, const Cidr& cidr);

// Adds a default route of the gateway's family through the link.
void AddDefaultRoute(NetlinkSocket& socket, int index, const std::string& name,
                     const IpAddress& gateway);

// Deletes the link named `name` (a veth's peer goes with it). Returns 0 or the errno.
int RemoveLink(NetlinkSocket& socket, const std::string& name, std::string* error_text);

}  // namespace cask::net
