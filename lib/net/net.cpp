#include "net/net.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cask/unique_fd.hpp>
#include <cstring>
#include <exception>
#include <functional>
#include <thread>

#include "core/step_error.hpp"

namespace cask::net {
namespace {

constexpr const char* kStep = "network";

// One rtnetlink request: a header, a fixed part, attributes (nested with Begin/End).
class Request {
 public:
  Request(uint16_t type, uint16_t flags) {
    header()->nlmsg_len = NLMSG_LENGTH(0);
    header()->nlmsg_type = type;
    header()->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
  }
  template <class T>
  T* Body() {
    auto* body = reinterpret_cast<T*>(buf_ + header()->nlmsg_len);
    header()->nlmsg_len = NLMSG_LENGTH(sizeof(T));
    return body;
  }
  void Attr(uint16_t type, const void* data, size_t len) {
    auto* rta = reinterpret_cast<rtattr*>(buf_ + NLMSG_ALIGN(header()->nlmsg_len));
    rta->rta_type = type;
    rta->rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
    if (len > 0) std::memcpy(RTA_DATA(rta), data, len);
    header()->nlmsg_len = NLMSG_ALIGN(header()->nlmsg_len) + RTA_ALIGN(rta->rta_len);
  }
  void Attr(uint16_t type, const std::string& s) { Attr(type, s.c_str(), s.size() + 1); }
  template <class T>
  void AttrValue(uint16_t type, T value) { Attr(type, &value, sizeof(value)); }
  rtattr* Begin(uint16_t type) {
    auto* rta = reinterpret_cast<rtattr*>(buf_ + NLMSG_ALIGN(header()->nlmsg_len));
    Attr(type, nullptr, 0);
    return rta;
  }
  void End(rtattr* nest) {
    nest->rta_len = static_cast<uint16_t>(buf_ + header()->nlmsg_len - reinterpret_cast<char*>(nest));
  }
  // Raw space for a nested fixed struct (the veth peer's ifinfomsg).
  template <class T>
  T* Reserve() {
    auto* body = reinterpret_cast<T*>(buf_ + header()->nlmsg_len);
    header()->nlmsg_len += NLMSG_ALIGN(sizeof(T));
    return body;
  }
  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buf_); }

 private:
  alignas(nlmsghdr) char buf_[4096] = {};
};

// Sends a request and waits for its ack; a negative error becomes a StepError.
void Talk(Request& request, const std::string& what) {
  unique_fd sock(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!sock) ThrowErrno(kStep, what + ": netlink socket");
  if (send(sock.get(), request.header(), request.header()->nlmsg_len, 0) < 0) ThrowErrno(kStep, what);
  alignas(nlmsghdr) char reply[8192];
  ssize_t n = recv(sock.get(), reply, sizeof(reply), 0);
  if (n < 0) ThrowErrno(kStep, what);
  auto* h = reinterpret_cast<nlmsghdr*>(reply);
  if (!NLMSG_OK(h, static_cast<unsigned>(n)) || h->nlmsg_type != NLMSG_ERROR) {
    ThrowStep(kStep, what + ": no answer from the kernel", EPROTO);
  }
  int err = -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
  if (err != 0) ThrowStep(kStep, what, err);
}

int IndexOf(const std::string& name) {
  unsigned index = if_nametoindex(name.c_str());
  if (index == 0) ThrowErrno(kStep, "find interface " + name);
  return static_cast<int>(index);
}

void SetLink(const std::string& name, unsigned flags, uint32_t mtu, const std::string& mac) {
  Request r(RTM_NEWLINK, 0);
  auto* info = r.Body<ifinfomsg>();
  info->ifi_index = IndexOf(name);
  info->ifi_flags = flags;
  info->ifi_change = flags;
  if (mtu != 0) r.AttrValue<uint32_t>(IFLA_MTU, mtu);
  if (!mac.empty()) {
    unsigned char bytes[6];
    if (std::sscanf(mac.c_str(), "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &bytes[0], &bytes[1], &bytes[2], &bytes[3],
                    &bytes[4], &bytes[5]) != 6) {
      ThrowStep(kStep, "\"" + mac + "\" is not a MAC address", EINVAL);
    }
    r.Attr(IFLA_ADDRESS, bytes, sizeof(bytes));
  }
  Talk(r, "configure " + name);
}

struct Address {
  int family = AF_INET;
  unsigned char bytes[16] = {};
  int prefix = 0;
  size_t Size() const { return family == AF_INET ? 4 : 16; }
};

Address ParseAddress(const std::string& text) {
  Address a;
  auto slash = text.find('/');
  std::string host = text.substr(0, slash);
  a.family = host.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (inet_pton(a.family, host.c_str(), a.bytes) != 1) ThrowStep(kStep, "\"" + text + "\" is not an address", EINVAL);
  a.prefix = slash == std::string::npos ? (a.family == AF_INET ? 32 : 128) : std::atoi(text.c_str() + slash + 1);
  return a;
}

void AddAddress(const std::string& name, const std::string& cidr) {
  Address a = ParseAddress(cidr);
  Request r(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  auto* msg = r.Body<ifaddrmsg>();
  msg->ifa_family = static_cast<uint8_t>(a.family);
  msg->ifa_prefixlen = static_cast<uint8_t>(a.prefix);
  msg->ifa_index = static_cast<uint32_t>(IndexOf(name));
  r.Attr(IFA_LOCAL, a.bytes, a.Size());
  r.Attr(IFA_ADDRESS, a.bytes, a.Size());
  Talk(r, "add address " + cidr + " to " + name);
}

void AddDefaultRoute(const std::string& gateway) {
  Address a = ParseAddress(gateway);
  Request r(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  auto* rt = r.Body<rtmsg>();
  rt->rtm_family = static_cast<uint8_t>(a.family);
  rt->rtm_table = RT_TABLE_MAIN;
  rt->rtm_protocol = RTPROT_BOOT;
  rt->rtm_scope = RT_SCOPE_UNIVERSE;
  rt->rtm_type = RTN_UNICAST;
  r.Attr(RTA_GATEWAY, a.bytes, a.Size());
  Talk(r, "add default route via " + gateway);
}

// Runs `work` in a short-lived thread that joined the namespace at `path` (a network
// namespace is per thread), so the caller's thread never changes namespace.
void InNamespace(const std::string& path, const std::function<void()>& work) {
  if (path.empty()) return work();
  std::exception_ptr error;
  std::thread([&] {
    try {
      unique_fd ns(open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!ns) ThrowErrno(kStep, "open network namespace " + path);
      if (setns(ns.get(), CLONE_NEWNET) != 0) ThrowErrno(kStep, "join network namespace " + path);
      work();
    } catch (...) {
      error = std::current_exception();
    }
  }).join();
  if (error) std::rethrow_exception(error);
}

}  // namespace

void LoopbackUp() { SetLink("lo", IFF_UP, 0, ""); }

void CreateVeth(const Network& network, int container_netns_fd) {
  InNamespace(network.host_netns, [&] {
    Request r(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    r.Body<ifinfomsg>();
    r.Attr(IFLA_IFNAME, network.host_name);
    if (network.mtu != 0) r.AttrValue<uint32_t>(IFLA_MTU, network.mtu);
    rtattr* link_info = r.Begin(IFLA_LINKINFO);
    r.Attr(IFLA_INFO_KIND, "veth", 4);
    rtattr* data = r.Begin(IFLA_INFO_DATA);
    rtattr* peer = r.Begin(VETH_INFO_PEER);
    r.Reserve<ifinfomsg>();
    r.Attr(IFLA_IFNAME, network.name);
    r.AttrValue<int32_t>(IFLA_NET_NS_FD, container_netns_fd);
    if (network.mtu != 0) r.AttrValue<uint32_t>(IFLA_MTU, network.mtu);
    r.End(peer);
    r.End(data);
    r.End(link_info);
    Talk(r, "create veth " + network.host_name);
    try {
      if (!network.host_address.empty()) AddAddress(network.host_name, network.host_address);
      SetLink(network.host_name, IFF_UP, 0, "");
    } catch (...) {
      DeleteLink(network.host_name);
      throw;
    }
  });
}

void ConfigureInterface(const Network& network) {
  SetLink(network.name, 0, network.mtu, network.mac_address);
  if (!network.address.empty()) AddAddress(network.name, network.address);
  SetLink(network.name, IFF_UP, 0, "");
  if (!network.gateway.empty()) AddDefaultRoute(network.gateway);
}

void DeleteLink(const std::string& name, const std::string& netns_path) {
  // A namespace that is gone took its links along.
  if (!netns_path.empty() && access(netns_path.c_str(), F_OK) != 0) return;
  InNamespace(netns_path, [&] {
    unsigned index = if_nametoindex(name.c_str());
    if (index == 0) return;  // already gone: its peer's namespace took it along
    Request r(RTM_DELLINK, 0);
    r.Body<ifinfomsg>()->ifi_index = static_cast<int>(index);
    try {
      Talk(r, "delete " + name);
    } catch (const StepError& e) {
      if (e.error() != ENODEV) throw;
    }
  });
}

}  // namespace cask::net
