#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "net/netlink.hpp"

using cask::net::ForEachAttr;
using cask::net::NetlinkMessage;

TEST_CASE("NetlinkMessage lays out headers and nested attributes as the kernel reads them") {
  NetlinkMessage message(RTM_NEWLINK, NLM_F_CREATE);
  ifinfomsg info{};
  info.ifi_index = 7;
  message.Append(&info, sizeof(info));
  message.AddString(IFLA_IFNAME, "veth0");  // 6 bytes: padded to 8
  size_t nested = message.BeginNested(IFLA_LINKINFO);
  message.AddString(IFLA_INFO_KIND, "veth");
  message.EndNested(nested);
  message.AddValue<uint32_t>(IFLA_MTU, 1400);
  const std::vector<char>& bytes = message.Finish(42, NLM_F_ACK);

  nlmsghdr header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  CHECK(header.nlmsg_len == bytes.size());
  CHECK(bytes.size() % 4 == 0);
  CHECK(header.nlmsg_type == RTM_NEWLINK);
  CHECK(header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK));
  CHECK(header.nlmsg_seq == 42);
  ifinfomsg read_info;
  std::memcpy(&read_info, bytes.data() + NLMSG_HDRLEN, sizeof(read_info));
  CHECK(read_info.ifi_index == 7);

  size_t attrs = NLMSG_LENGTH(sizeof(ifinfomsg));
  std::vector<std::string> seen;
  ForEachAttr(bytes.data() + attrs, bytes.size() - attrs,
              [&](uint16_t type, const char* data, size_t size) {
                if (type == IFLA_IFNAME) {
                  seen.push_back("name=" + std::string(data));
                  CHECK(size == 6);
                } else if (type == IFLA_LINKINFO) {
                  ForEachAttr(data, size, [&](uint16_t inner, const char* value, size_t) {
                    CHECK(inner == IFLA_INFO_KIND);
                    seen.push_back("kind=" + std::string(value));
                  });
                } else if (type == IFLA_MTU) {
                  uint32_t mtu;
                  REQUIRE(size == sizeof(mtu));
                  std::memcpy(&mtu, data, sizeof(mtu));
                  seen.push_back("mtu=" + std::to_string(mtu));
                }
              });
  CHECK(seen == std::vector<std::string>{"name=veth0", "kind=veth", "mtu=1400"});
}

TEST_CASE("ForEachAttr stops at a malformed attribute") {
  // One good attribute, then one whose length runs past the buffer.
  std::vector<char> buffer(16, 0);
  rtattr good{8, 1};
  rtattr bad{64, 2};
  std::memcpy(buffer.data(), &good, sizeof(good));
  std::memcpy(buffer.data() + 8, &bad, sizeof(bad));
  std::vector<uint16_t> types;
  ForEachAttr(buffer.data(), buffer.size(),
              [&](uint16_t type, const char*, size_t) { types.push_back(type); });
  CHECK(types == std::vector<uint16_t>{1});
}
