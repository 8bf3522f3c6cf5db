// Checks of the strings in a Network: interface names, IP addresses, CIDRs and MAC
// addresses. Errors are StepErrors of step "network" with EINVAL, naming the string and the reason,
// since these run both in the host and in init.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cask::net {

struct IpAddress {
  int family = AF_UNSPEC;           // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4
  size_t Size() const { return family == AF_INET ? 4 : 16; }
  std::string ToString() const;
  bool operator==(const IpAddress&) const = default;
};

// An interface address with its prefix length: "10.88.0.2/24", "fd00::2/64".
struct Cidr {
  IpAddress address;
  uint8_t prefix_len = 0;
  bool operator==(const Cidr&) const = default;
};

using MacAddress = std::array<uint8_t, 6>;

IpAddress ParseIpAddress(std::string_view text);
// The prefix length is required; host bits may be set (it names an interface address).
Cidr ParseCidr(std::string_view text);
// Six hex octets separated by colons: "02:42:ac:11:00:02".
MacAddress ParseMacAddress(std::string_view text);

// Throws unless the kernel would take `name` for an interface: 1 to 15 bytes, not "." or
// "..", no '/', ':' or white space. `field` names it in the error ("host_name").
void CheckInterfaceName(std::string_view name, std::string_view field);

}  // namespace cask::net
