// The host side of a veth network: creating the pair and deleting it.
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <cerrno>
#include <optional>

#include "common/step_error.hpp"
#include "net/address.hpp"
#include "net/net.hpp"
#include "net/netlink.hpp"
#include "net/netns_thread.hpp"
#include "net/rtnl.hpp"

namespace cask::net {
namespace {

// One RTM_NEWLINK that makes both ends; the peer is born in the container's namespace
// under its final name, so it never clashes with a name in the host's.
void CreatePair(NetlinkSocket& socket, const Network& network, int container_netns_fd) {
  NetlinkMessage message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  ifinfomsg info{};
  message.Append(&info, sizeof(info));
  message.AddString(IFLA_IFNAME, network.host_name);
  if (network.mtu != 0) message.AddValue(IFLA_MTU, network.mtu);
  size_t link_info = message.BeginNested(IFLA_LINKINFO);
  message.AddString(IFLA_INFO_KIND, "veth");
  size_t data = message.BeginNested(IFLA_INFO_DATA);
  size_t peer = message.BeginNested(VETH_INFO_PEER);
  message.Append(&info, sizeof(info));
  message.AddString(IFLA_IFNAME, network.name);
  message.AddValue(IFLA_NET_NS_FD, static_cast<uint32_t>(container_netns_fd));
  if (network.mtu != 0) message.AddValue(IFLA_MTU, network.mtu);
  message.EndNested(peer);
  message.EndNested(data);
  message.EndNested(link_info);
  socket.Request(message, "create veth " + network.host_name + " with peer " + network.name +
                              " in the container");
}

}  // namespace

void CreateVeth(const Network& network, int container_netns_fd) {
  CheckInterfaceName(network.host_name, "host_name");
  CheckInterfaceName(network.name, "name");
  std::optional<Cidr> host_address;
  if (!network.host_address.empty()) host_address = ParseCidr(network.host_address);
  RunInNetns(network.host_netns, [&] {
    NetlinkSocket socket;
    CreatePair(socket, network, container_netns_fd);
    try {
      int index = LinkIndex(socket, network.host_name);
      if (host_address) AddAddress(socket, index, network.host_name, *host_address);
      SetLinkUp(socket, index, network.host_name);
    } catch (...) {
      // Deleting the host end takes the peer with it. The first error is the one to report.
      std::string ignored;
      RemoveLink(socket, network.host_name, &ignored);
      throw;
    }
  });
}

void DeleteLink(const std::string& name, const std::string& netns_path) {
  RunInNetns(netns_path, [&] {
    NetlinkSocket socket;
    std::string text;
    int error = RemoveLink(socket, name, &text);
    // ENODEV: already gone, as when the container's namespace died and took the peer along.
    if (error != 0 && error != ENODEV) {
      ThrowStep("network", "delete link " + name + (text.empty() ? "" : ": " + text), error);
    }
  });
}

}  // namespace cask::net
