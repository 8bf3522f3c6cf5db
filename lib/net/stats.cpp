#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cstring>

#include "net/net.hpp"
#include "net/netlink.hpp"

namespace cask::net {

std::vector<InterfaceStats> ReadInterfaceStats() {
  NetlinkSocket socket;
  NetlinkMessage message(RTM_GETLINK, NLM_F_DUMP);
  ifinfomsg info{};
  message.Append(&info, sizeof(info));
  std::vector<InterfaceStats> all;
  socket.Request(message, "list links", [&](const nlmsghdr& header) {
    size_t header_size = NLMSG_LENGTH(sizeof(ifinfomsg));
    if (header.nlmsg_type != RTM_NEWLINK || header.nlmsg_len < header_size) return;
    InterfaceStats stats;
    const char* attrs = reinterpret_cast<const char*>(&header) + NLMSG_ALIGN(header_size);
    ForEachAttr(attrs, header.nlmsg_len - NLMSG_ALIGN(header_size),
                [&](uint16_t type, const char* data, size_t size) {
                  if (type == IFLA_IFNAME) {
                    stats.name.assign(data, strnlen(data, size));
                  } else if (type == IFLA_STATS64) {
                    // Older kernels send a shorter struct; the fields we read come first.
                    rtnl_link_stats64 counters{};
                    std::memcpy(&counters, data, std::min(size, sizeof(counters)));
                    stats.rx_bytes = counters.rx_bytes;
                    stats.rx_packets = counters.rx_packets;
                    stats.rx_errors = counters.rx_errors;
                    stats.rx_dropped = counters.rx_dropped;
                    stats.tx_bytes = counters.tx_bytes;
                    stats.tx_packets = counters.tx_packets;
                    stats.tx_errors = counters.tx_errors;
                    stats.tx_dropped = counters.tx_dropped;
                  }
                });
    all.push_back(std::move(stats));
  });
  return all;
}

}  // namespace cask::net
