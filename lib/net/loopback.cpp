#include "net/net.hpp"
#include "net/netlink.hpp"
#include "net/rtnl.hpp"

namespace cask::net {

void LoopbackUp() {
  NetlinkSocket socket;
  SetLinkUp(socket, 0, "lo");
}

}  // namespace cask::net
