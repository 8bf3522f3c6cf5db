#include "net/rtnl.hpp"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include "common/step_error.hpp"

namespace cask::net {

int LinkIndex(NetlinkSocket& socket, const std::string& name) {
  NetlinkMessage message(RTM_GETLINK, 0);
  ifinfomsg info{};
  message.Append(&info, sizeof(info));
  message.AddString(IFLA_IFNAME, name);
  message.AddValue<uint32_t>(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  int index = 0;
  socket.Request(message, "find link " + name, [&](const nlmsghdr& header) {
    if (header.nlmsg_type != RTM_NEWLINK || header.nlmsg_len < NLMSG_LENGTH(sizeof(info))) return;
    std::memcpy(&info, NLMSG_DATA(&header), sizeof(info));
    index = info.ifi_index;
  });
  if (index <= 0) ThrowStep("network", "find link " + name + ": no index in the answer", ENODEV);
  return index;
}

void SetLinkUp(NetlinkSocket& socket, int index, const std::string& name) {
  NetlinkMessage message(RTM_NEWLINK, 0);
  ifinfomsg info{};
  info.ifi_index = index;
  info.ifi_flags = IFF_UP;
  info.ifi_change = IFF_UP;  // 0 would mean "set every flag to ifi_flags"
  message.Append(&info, sizeof(info));
  if (index == 0) message.AddString(IFLA_IFNAME, name);
  socket.Request(message, "set link " + name + " up");
}

void SetLinkMtuAndMac(NetlinkSocket& socket, int index, const std::string& name, uint32_t mtu,
                      const std::optional<MacAddress>& mac) {
  NetlinkMessage message(RTM_NEWLINK, 0);
  ifinfomsg info{};
  info.ifi_index = index;
  message.Append(&info, sizeof(info));
  std::string what = "set link " + name;
  if (mtu != 0) {
    message.AddValue(IFLA_MTU, mtu);
    what += " mtu " + std::to_string(mtu);
  }
  if (mac) {
    message.AddAttr(IFLA_ADDRESS, mac->data(), mac->size());
    what += " mac address";
  }
  socket.Request(message, what);
}

void AddAddress(NetlinkSocket& socket, int index, const std::string& name, const Cidr& cidr) {
  NetlinkMessage message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  ifaddrmsg info{};
  info.ifa_family = static_cast<uint8_t>(cidr.address.family);
  info.ifa_prefixlen = cidr.prefix_len;
  info.ifa_index = static_cast<uint32_t>(index);
  info.ifa_scope = RT_SCOPE_UNIVERSE;
  message.Append(&info, sizeof(info));
  message.AddAttr(IFA_LOCAL, cidr.address.bytes.data(), cidr.address.Size());
  message.AddAttr(IFA_ADDRESS, cidr.address.bytes.data(), cidr.address.Size());
  if (cidr.address.family == AF_INET6) message.AddValue<uint32_t>(IFA_FLAGS, IFA_F_NODAD);
  socket.Request(message, "add address " + cidr.address.ToString() + "/" +
                              std::to_string(cidr.prefix_len) + " to " + name);
}

void AddDefaultRoute(NetlinkSocket& socket, int index, const std::string& name,
                     const IpAddress& gateway) {
  NetlinkMessage message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  rtmsg route{};
  route.rtm_family = static_cast<uint8_t>(gateway.family);
  route.rtm_table = RT_TABLE_MAIN;
  route.rtm_protocol = RTPROT_BOOT;
  route.rtm_scope = RT_SCOPE_UNIVERSE;
  route.rtm_type = RTN_UNICAST;
  message.Append(&route, sizeof(route));
  message.AddAttr(RTA_GATEWAY, gateway.bytes.data(), gateway.Size());
  message.AddValue<uint32_t>(RTA_OIF, static_cast<uint32_t>(index));
  socket.Request(message, "add default route via " + gateway.ToString() + " dev " + name);
}

int RemoveLink(NetlinkSocket& socket, const std::string& name, std::string* error_text) {
  NetlinkMessage message(RTM_DELLINK, 0);
  ifinfomsg info{};
  message.Append(&info, sizeof(info));
  message.AddString(IFLA_IFNAME, name);
  return socket.Transact(message, nullptr, error_text);
}

}  // namespace cask::net
