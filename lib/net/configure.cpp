// The container side of a veth network, run by init in the container's namespace.
#include <optional>

#include "net/address.hpp"
#include "net/net.hpp"
#include "net/netlink.hpp"
#include "net/rtnl.hpp"

namespace cask::net {

void ConfigureInterface(const Network& network) {
  // Parse everything first: a bad string fails before anything changes.
  CheckInterfaceName(network.name, "name");
  std::optional<Cidr> address;
  if (!network.address.empty()) address = ParseCidr(network.address);
  std::optional<IpAddress> gateway;
  if (!network.gateway.empty()) gateway = ParseIpAddress(network.gateway);
  std::optional<MacAddress> mac;
  if (!network.mac_address.empty()) mac = ParseMacAddress(network.mac_address);

  NetlinkSocket socket;
  int index = LinkIndex(socket, network.name);
  if (network.mtu != 0 || mac) SetLinkMtuAndMac(socket, index, network.name, network.mtu, mac);
  if (address) AddAddress(socket, index, network.name, *address);
  // IPv4's prefix route appears only once the link is up, and the gateway needs it.
  SetLinkUp(socket, index, network.name);
  if (gateway) AddDefaultRoute(socket, index, network.name, *gateway);
}

}  // namespace cask::net
