#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "common/step_error.hpp"
#include "net/address.hpp"

using cask::StepError;
using cask::net::CheckInterfaceName;
using cask::net::ParseCidr;
using cask::net::ParseIpAddress;
using cask::net::ParseMacAddress;

namespace {

// The StepError that `parse` throws for `text`; fails the test when it throws none.
template <typename Parse>
StepError ErrorOf(Parse parse, const std::string& text) {
  try {
    parse(text);
  } catch (const StepError& e) {
    return e;
  }
  FAIL("no error for \"" << text << "\"");
  return StepError("", 0, "");
}

}  // namespace

TEST_CASE("ParseCidr reads IPv4 and IPv6 addresses with their prefix") {
  auto v4 = ParseCidr("10.0.0.2/24");
  CHECK(v4.address.family == AF_INET);
  CHECK(v4.address.Size() == 4);
  CHECK(v4.prefix_len == 24);
  in_addr expected4{};
  inet_pton(AF_INET, "10.0.0.2", &expected4);
  CHECK(std::memcmp(v4.address.bytes.data(), &expected4, 4) == 0);
  CHECK(v4.address.ToString() == "10.0.0.2");

  auto v6 = ParseCidr("fd00:200::2/64");
  CHECK(v6.address.family == AF_INET6);
  CHECK(v6.address.Size() == 16);
  CHECK(v6.prefix_len == 64);
  CHECK(v6.address.bytes[0] == 0xfd);
  CHECK(v6.address.bytes[3] == 0x00);
  CHECK(v6.address.bytes[2] == 0x02);
  CHECK(v6.address.bytes[15] == 0x02);
  CHECK(v6.address.ToString() == "fd00:200::2");

  CHECK(ParseCidr("0.0.0.0/0").prefix_len == 0);
  CHECK(ParseCidr("192.168.1.1/32").prefix_len == 32);
  CHECK(ParseCidr("::1/128").prefix_len == 128);
  CHECK(ParseCidr("::ffff:10.0.0.1/96").address.family == AF_INET6);
}

TEST_CASE("ParseCidr names the string and the reason for bad input") {
  auto parse = [](const std::string& text) { ParseCidr(text); };
  struct Case {
    std::string text;
    std::string reason;
  };
  for (const auto& [text, reason] : std::initializer_list<Case>{
           {"", "no prefix length (\"/N\")"},
           {"10.0.0.2", "no prefix length (\"/N\")"},
           {"/24", "no address"},
           {"10.0.0.2/", "empty prefix length"},
           {"10.0.0.2/33", "prefix length must be 0-32"},
           {"fd00::2/129", "prefix length must be 0-128"},
           {"10.0.0.2/1000", "prefix length must be 0-32"},
           {"10.0.0.2/024", "prefix length must be 0-32"},
           {"10.0.0.2/2a", "prefix length is not a number"},
           {"10.0.0.2/-1", "prefix length is not a number"},
           {"10.0.0.2/+8", "prefix length is not a number"},
           {"10.0.0.2/ 8", "prefix length is not a number"},
           {"10.0.0.256/24", "not an IPv4 address"},
           {"10.0.0/24", "not an IPv4 address"},
           {"10.0.0.2 /24", "not an IPv4 address"},
           {"eth0/24", "not an IPv4 address"},
           {"fd00:::2/64", "not an IPv6 address"},
           {"10.0.0.2/24/1", "prefix length is not a number"},
       }) {
    INFO("input: " << text);
    StepError e = ErrorOf(parse, text);
    CHECK(e.step() == "network");
    CHECK(e.error() == EINVAL);
    CHECK(e.message() == "invalid CIDR \"" + text + "\": " + reason);
  }
}

TEST_CASE("Parse errors show unprintable bytes and quotes escaped") {
  auto parse = [](const std::string& text) { ParseCidr(text); };
  CHECK(ErrorOf(parse, std::string("10.0.0.2\0/24", 12)).message() ==
        "invalid CIDR \"10.0.0.2\\x00/24\": contains a NUL byte");
  CHECK(ErrorOf(parse, "\"10.0.0.2\"\n/24").message() ==
        "invalid CIDR \"\\\"10.0.0.2\\\"\\x0a/24\": not an IPv4 address");
}

TEST_CASE("ParseIpAddress takes a bare address and nothing else") {
  CHECK(ParseIpAddress("10.200.1.1").family == AF_INET);
  CHECK(ParseIpAddress("fe80::1").family == AF_INET6);
  auto parse = [](const std::string& text) { ParseIpAddress(text); };
  CHECK(ErrorOf(parse, "10.200.1.1/24").message() ==
        "invalid IP address \"10.200.1.1/24\": not an IPv4 address");
  CHECK(ErrorOf(parse, "").message() == "invalid IP address \"\": no address");
  CHECK(ErrorOf(parse, "gateway").message() ==
        "invalid IP address \"gateway\": not an IPv4 address");
}

TEST_CASE("ParseMacAddress reads six hex octets") {
  CHECK(ParseMacAddress("02:42:AC:11:00:fe") ==
        cask::net::MacAddress{0x02, 0x42, 0xac, 0x11, 0x00, 0xfe});
  auto parse = [](const std::string& text) { ParseMacAddress(text); };
  for (const std::string text : {"", "02:42:ac:11:00", "02:42:ac:11:00:02:03", "02-42-ac-11-00-02",
                                 "02:42:ac:11:00:0g", "2:42:ac:11:00:002"}) {
    INFO("input: " << text);
    CHECK(ErrorOf(parse, text).message() ==
          "invalid MAC address \"" + text + "\": expected six hex octets like 02:42:ac:11:00:02");
  }
  CHECK(ErrorOf(parse, "01:00:5e:00:00:01").message() ==
        "invalid MAC address \"01:00:5e:00:00:01\": is a multicast address");
  CHECK(ErrorOf(parse, "00:00:00:00:00:00").message() ==
        "invalid MAC address \"00:00:00:00:00:00\": is all zeros");
}

TEST_CASE("CheckInterfaceName takes what the kernel takes") {
  CHECK_NOTHROW(CheckInterfaceName("eth0", "name"));
  CHECK_NOTHROW(CheckInterfaceName("veth-0123456789", "host_name"));  // 15 bytes
  auto check = [](const std::string& text) { CheckInterfaceName(text, "host_name"); };
  CHECK(ErrorOf(check, "veth-0123456789a").message() ==
        "invalid interface name in host_name \"veth-0123456789a\": longer than 15 bytes");
  CHECK(ErrorOf(check, "").message() ==
        "invalid interface name in host_name \"\": empty");
  CHECK(ErrorOf(check, "..").message() ==
        "invalid interface name in host_name \"..\": not a valid name");
  for (const std::string text : {"a/b", "eth0:1", "a b", "a\tb"}) {
    INFO("input: " << text);
    CHECK(ErrorOf(check, text).error() == EINVAL);
  }
}
