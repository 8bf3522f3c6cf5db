#include "net/address.hpp"

#include <arpa/inet.h>
#include <net/if.h>

#include <cctype>
#include <cerrno>

#include "common/step_error.hpp"

namespace cask::net {
namespace {

// `text` in double quotes, with quotes, backslashes and unprintable bytes escaped, so an
// error message shows exactly what was given.
std::string Quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string quoted = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      quoted += "\\x";
      quoted += kHex[byte >> 4];
      quoted += kHex[byte & 0xf];
    } else {
      quoted += c;
    }
  }
  return quoted + '"';
}

[[noreturn]] void Invalid(std::string_view kind, std::string_view text, std::string_view reason) {
  ThrowStep("network",
            "invalid " + std::string(kind) + " " + Quote(text) + ": " + std::string(reason),
            EINVAL);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `kind` and `whole` name the input in errors.
IpAddress ParseAddressPart(std::string_view part, std::string_view kind, std::string_view whole) {
  if (part.empty()) Invalid(kind, whole, "no address");
  // std::string stops at an embedded NUL for inet_pton; reject it explicitly.
  if (part.find('\0') != std::string_view::npos) Invalid(kind, whole, "contains a NUL byte");
  IpAddress address;
  address.family = part.find(':') != std::string_view::npos ? AF_INET6 : AF_INET;
  if (inet_pton(address.family, std::string(part).c_str(), address.bytes.data()) != 1) {
    Invalid(kind, whole, address.family == AF_INET ? "not an IPv4 address" : "not an IPv6 address");
  }
  return address;
}

}  // namespace

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, bytes.data(), text, sizeof(text)) == nullptr) return "?";
  return text;
}

IpAddress ParseIpAddress(std::string_view text) {
  return ParseAddressPart(text, "IP address", text);
}

Cidr ParseCidr(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) Invalid("CIDR", text, "no prefix length (\"/N\")");
  Cidr cidr{ParseAddressPart(text.substr(0, slash), "CIDR", text), 0};
  std::string_view prefix = text.substr(slash + 1);
  unsigned max = cidr.address.family == AF_INET ? 32 : 128;
  if (prefix.empty()) Invalid("CIDR", text, "empty prefix length");
  for (char c : prefix) {
    if (!IsDigit(c)) Invalid("CIDR", text, "prefix length is not a number");
  }
  // No leading zeros; at most three digits, so the value cannot overflow.
  if (prefix.size() > 3 || (prefix.size() > 1 && prefix[0] == '0')) {
    Invalid("CIDR", text, "prefix length must be 0-" + std::to_string(max));
  }
  unsigned value = 0;
  for (char c : prefix) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value > max) Invalid("CIDR", text, "prefix length must be 0-" + std::to_string(max));
  cidr.prefix_len = static_cast<uint8_t>(value);
  return cidr;
}

MacAddress ParseMacAddress(std::string_view text) {
  // "xx:xx:xx:xx:xx:xx": two hex digits per octet, exactly.
  constexpr size_t kLength = 6 * 3 - 1;
  if (text.size() != kLength)
    Invalid("MAC address", text, "expected six hex octets like 02:42:ac:11:00:02");
  MacAddress mac{};
  for (size_t i = 0; i < mac.size(); ++i) {
    int high = HexValue(text[i * 3]);
    int low = HexValue(text[i * 3 + 1]);
    if (high < 0 || low < 0 || (i + 1 < mac.size() && text[i * 3 + 2] != ':')) {
      Invalid("MAC address", text, "expected six hex octets like 02:42:ac:11:00:02");
    }
    mac[i] = static_cast<uint8_t>(high * 16 + low);
  }
  // The kernel refuses these for an interface, with a less helpful error.
  if (mac[0] & 1) Invalid("MAC address", text, "is a multicast address");
  if (mac == MacAddress{}) Invalid("MAC address", text, "is all zeros");
  return mac;
}

void CheckInterfaceName(std::string_view name, std::string_view field) {
  std::string kind = "interface name in " + std::string(field);
  if (name.empty()) Invalid(kind, name, "empty");
  if (name.size() >= IFNAMSIZ) {
    Invalid(kind, name, "longer than " + std::to_string(IFNAMSIZ - 1) + " bytes");
  }
  if (name == "." || name == "..") Invalid(kind, name, "not a valid name");
  for (char c : name) {
    if (c == '/' || c == ':' || c == '\0' || std::isspace(static_cast<unsigned char>(c))) {
      Invalid(kind, name, "contains '/', ':', a NUL byte or white space");
    }
  }
}

}  // namespace cask::net
