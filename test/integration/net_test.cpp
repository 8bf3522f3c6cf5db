// rtnetlink against the real kernel, only between network namespaces each test makes (a
// child that unshared one and waits on a pipe); the host's interfaces are never touched.
// The code under test runs in threads that joined those namespaces; what it did is read
// back with ioctl, getifaddrs and /proc/thread-self/net, not with the code under test.
#include "net/net.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <cask/unique_fd.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "common/step_error.hpp"

namespace {

using cask::Network;
using cask::StepError;
using cask::unique_fd;

[[noreturn]] void ThrowSystem(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// A network namespace held by a child process that unshared it; the child exits when the
// pipe closes (this object's end, or this process dying).
class TestNetns {
 public:
  TestNetns() {
    int ready[2];
    int hold[2];
    if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(hold, O_CLOEXEC) != 0) ThrowSystem("pipe2");
    pid_ = fork();
    if (pid_ < 0) ThrowSystem("fork");
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and _exit.
      char ok = unshare(CLONE_NEWNET) == 0 ? 1 : 0;
      if (write(ready[1], &ok, 1) != 1) _exit(1);
      close(hold[1]);
      char byte;
      while (read(hold[0], &byte, 1) < 0 && errno == EINTR) {
      }
      _exit(0);
    }
    close(ready[1]);
    close(hold[0]);
    hold_.reset(hold[1]);
    unique_fd ready_read(ready[0]);
    char ok = 0;
    if (read(ready_read.get(), &ok, 1) != 1 || ok != 1) {
      Release();
      throw std::runtime_error("the test netns child could not unshare");
    }
    fd_.reset(open(ProcPath().c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_) {
      Release();
      ThrowSystem("open " + ProcPath());
    }
  }
  TestNetns(const TestNetns&) = delete;
  TestNetns& operator=(const TestNetns&) = delete;
  ~TestNetns() { Release(); }

  int fd() const { return fd_.get(); }
  std::string ProcPath() const { return "/proc/" + std::to_string(pid_) + "/ns/net"; }

 private:
  void Release() {
    fd_.reset();
    hold_.reset();
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }

  pid_t pid_ = -1;
  unique_fd hold_;
  unique_fd fd_;
};

// Runs `work` in a thread that joined the namespace `netns_fd`; rethrows its exception.
// Results go out through captures, and assertions stay in the test's thread.
void InNetns(int netns_fd, const std::function<void()>& work) {
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      if (setns(netns_fd, CLONE_NEWNET) != 0) ThrowSystem("setns");
      work();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
}

// The calling thread's network namespace, as its inode.
ino_t CurrentNetns() {
  struct stat st {};
  if (stat("/proc/thread-self/ns/net", &st) != 0) ThrowSystem("stat /proc/thread-self/ns/net");
  return st.st_ino;
}

// A file in a temporary directory with a network namespace bind-mounted on it, as
// `ip netns add` makes in /run/netns; unmounted and removed at the end.
class NetnsMount {
 public:
  explicit NetnsMount(const std::string& netns_proc_path) {
    char dir[] = "/tmp/cask-net-test-XXXXXX";
    if (mkdtemp(dir) == nullptr) ThrowSystem("mkdtemp");
    dir_ = dir;
    path_ = dir_ + "/netns";
    unique_fd file(open(path_.c_str(), O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC, 0600));
    if (!file || mount(netns_proc_path.c_str(), path_.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      int error = errno;
      unlink(path_.c_str());
      rmdir(dir_.c_str());
      errno = error;
      ThrowSystem("bind-mount " + netns_proc_path);
    }
  }
  NetnsMount(const NetnsMount&) = delete;
  NetnsMount& operator=(const NetnsMount&) = delete;
  ~NetnsMount() {
    umount2(path_.c_str(), MNT_DETACH);
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

// What the calling thread's namespace says about one interface.
struct LinkView {
  bool exists = false;
  bool up = false;
  int mtu = 0;
  std::string mac;
  std::vector<std::string> addresses;  // "10.200.1.2/24"
};

int PrefixLength(const sockaddr* netmask) {
  int bits = 0;
  if (netmask->sa_family == AF_INET) {
    bits = std::popcount(reinterpret_cast<const sockaddr_in*>(netmask)->sin_addr.s_addr);
  } else {
    for (uint8_t byte : reinterpret_cast<const sockaddr_in6*>(netmask)->sin6_addr.s6_addr) {
      bits += std::popcount(byte);
    }
  }
  return bits;
}

LinkView ReadLink(const std::string& name) {
  LinkView view;
  if (if_nametoindex(name.c_str()) == 0) return view;
  view.exists = true;
  unique_fd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) ThrowSystem("socket");
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(sock.get(), SIOCGIFFLAGS, &request) != 0) ThrowSystem("SIOCGIFFLAGS " + name);
  view.up = request.ifr_flags & IFF_UP;
  if (ioctl(sock.get(), SIOCGIFMTU, &request) != 0) ThrowSystem("SIOCGIFMTU " + name);
  view.mtu = request.ifr_mtu;
  if (ioctl(sock.get(), SIOCGIFHWADDR, &request) != 0) ThrowSystem("SIOCGIFHWADDR " + name);
  char mac[18];
  const auto* hw = reinterpret_cast<const unsigned char*>(request.ifr_hwaddr.sa_data);
  std::snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", hw[0], hw[1], hw[2], hw[3],
                hw[4], hw[5]);
  view.mac = mac;
  ifaddrs* all = nullptr;
  if (getifaddrs(&all) != 0) ThrowSystem("getifaddrs");
  for (ifaddrs* entry = all; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || name != entry->ifa_name) continue;
    int family = entry->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    const void* bytes =
        family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(entry->ifa_addr)->sin_addr)
            : static_cast<const void*>(
                  &reinterpret_cast<sockaddr_in6*>(entry->ifa_addr)->sin6_addr);
    char text[INET6_ADDRSTRLEN];
    inet_ntop(family, bytes, text, sizeof(text));
    if (std::strncmp(text, "fe80:", 5) == 0) continue;  // the kernel's own link-local
    view.addresses.push_back(std::string(text) + "/" +
                             std::to_string(PrefixLength(entry->ifa_netmask)));
  }
  freeifaddrs(all);
  return view;
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

// "<device> via <gateway>" for each IPv4 default route of the calling thread's namespace.
std::vector<std::string> DefaultRoutes4() {
  std::vector<std::string> routes;
  for (const auto& line : Lines("/proc/thread-self/net/route")) {
    std::istringstream fields(line);
    std::string device, destination, gateway, flags, refcnt, use, metric, mask;
    fields >> device >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask;
    if (destination != "00000000" || mask != "00000000") continue;
    // The kernel prints the network-order word as a host integer.
    in_addr address{static_cast<in_addr_t>(std::stoul(gateway, nullptr, 16))};
    routes.push_back(device + " via " + inet_ntoa(address));
  }
  return routes;
}

// The same for IPv6, from /proc/thread-self/net/ipv6_route.
std::vector<std::string> DefaultRoutes6() {
  std::vector<std::string> routes;
  for (const auto& line : Lines("/proc/thread-self/net/ipv6_route")) {
    std::istringstream fields(line);
    std::string destination, dest_len, source, source_len, gateway, metric, refcnt, use, flags,
        device;
    fields >> destination >> dest_len >> source >> source_len >> gateway >> metric >> refcnt >>
        use >> flags >> device;
    if (destination != std::string(32, '0') || dest_len != "00" || device == "lo") continue;
    in6_addr address{};
    for (int i = 0; i < 16; ++i) {
      address.s6_addr[i] = static_cast<uint8_t>(std::stoul(gateway.substr(i * 2, 2), nullptr, 16));
    }
    char text[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &address, text, sizeof(text));
    routes.push_back(device + " via " + text);
  }
  return routes;
}

// A socket address from text and port.
sockaddr_storage Address(const std::string& ip, uint16_t port, socklen_t* size) {
  sockaddr_storage storage{};
  if (ip.find(':') != std::string::npos) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    if (inet_pton(AF_INET6, ip.c_str(), &in6->sin6_addr) != 1) throw std::runtime_error(ip);
    *size = sizeof(sockaddr_in6);
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    if (inet_pton(AF_INET, ip.c_str(), &in->sin_addr) != 1) throw std::runtime_error(ip);
    *size = sizeof(sockaddr_in);
  }
  return storage;
}

// A TCP listener on `ip` and a free port, in the calling thread's namespace.
unique_fd Listen(const std::string& ip, uint16_t* port) {
  socklen_t size;
  sockaddr_storage address = Address(ip, 0, &size);
  unique_fd sock(socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) ThrowSystem("socket");
  if (bind(sock.get(), reinterpret_cast<sockaddr*>(&address), size) != 0) {
    ThrowSystem("bind " + ip);
  }
  if (listen(sock.get(), 1) != 0) ThrowSystem("listen");
  if (getsockname(sock.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    ThrowSystem("getsockname");
  }
  *port = ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);  // same offset in in6
  return sock;
}

// Connects to ip:port from the calling thread's namespace and sends `message`.
void Send(const std::string& ip, uint16_t port, const std::string& message) {
  socklen_t size;
  sockaddr_storage address = Address(ip, port, &size);
  unique_fd sock(socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) ThrowSystem("socket");
  timeval timeout{5, 0};  // a broken route must fail the test, not hang it
  setsockopt(sock.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  if (connect(sock.get(), reinterpret_cast<sockaddr*>(&address), size) != 0) {
    ThrowSystem("connect " + ip);
  }
  if (send(sock.get(), message.data(), message.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(message.size())) {
    ThrowSystem("send");
  }
}

// Accepts one connection on `listener` and reads what it sends until it closes.
std::string Receive(int listener) {
  pollfd wait{listener, POLLIN, 0};
  if (poll(&wait, 1, 5000) != 1) throw std::runtime_error("no connection arrived");
  unique_fd connection(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (!connection) ThrowSystem("accept");
  std::string data;
  char buffer[256];
  for (;;) {
    pollfd readable{connection.get(), POLLIN, 0};
    if (poll(&readable, 1, 5000) != 1) throw std::runtime_error("no data arrived");
    ssize_t got = read(connection.get(), buffer, sizeof(buffer));
    if (got < 0) ThrowSystem("read");
    if (got == 0) return data;
    data.append(buffer, static_cast<size_t>(got));
  }
}

// Sends a message over TCP from the namespace `from` to ip in `to`; returns what arrived.
std::string SendAcross(const TestNetns& from, const TestNetns& to, const std::string& ip) {
  unique_fd listener;
  uint16_t port = 0;
  InNetns(to.fd(), [&] { listener = Listen(ip, &port); });
  InNetns(from.fd(), [&] { Send(ip, port, "hello from the other side"); });
  return Receive(listener.get());
}

Network Veth(const std::string& address, const std::string& host_address) {
  Network network;
  network.type = "veth";
  network.name = "eth0";
  network.host_name = "vh-test0";
  network.address = address;
  network.host_address = host_address;
  return network;
}

// The StepError `work` throws; fails the test when it throws none.
StepError StepErrorOf(const std::function<void()>& work) {
  try {
    work();
  } catch (const StepError& e) {
    return e;
  }
  FAIL("no StepError was thrown");
  return StepError("", 0, "");
}

}  // namespace

TEST_CASE("LoopbackUp brings lo up and 127.0.0.1 answers") {
  TestNetns netns;
  LinkView before, after;
  int connect_error = 0;
  std::string arrived;
  InNetns(netns.fd(), [&] {
    before = ReadLink("lo");
    uint16_t port;
    unique_fd listener = Listen("127.0.0.1", &port);
    try {
      Send("127.0.0.1", port, "ping");
    } catch (const std::system_error& e) {
      connect_error = e.code().value();
    }
    cask::net::LoopbackUp();
    after = ReadLink("lo");
    Send("127.0.0.1", port, "ping");
    arrived = Receive(listener.get());
  });
  REQUIRE(before.exists);
  CHECK_FALSE(before.up);
  CHECK(connect_error == ENETUNREACH);  // no route to 127.0.0.1 while lo is down
  CHECK(after.up);
  CHECK(arrived == "ping");
}

TEST_CASE("CreateVeth and ConfigureInterface join two network namespaces over IPv4") {
  TestNetns host;
  TestNetns container;
  Network network = Veth("10.200.1.2/24", "10.200.1.1/24");
  network.gateway = "10.200.1.1";
  network.mtu = 1400;
  network.mac_address = "02:00:0a:c8:01:02";

  ino_t caller_netns = 0, caller_netns_after = 0;
  InNetns(host.fd(), [&] {
    caller_netns = CurrentNetns();
    cask::net::CreateVeth(network, container.fd());
    caller_netns_after = CurrentNetns();
  });
  CHECK(caller_netns == caller_netns_after);

  LinkView peer_before, peer, host_end, peer_in_host;
  std::vector<std::string> routes;
  InNetns(container.fd(), [&] {
    peer_before = ReadLink("eth0");
    cask::net::ConfigureInterface(network);
    peer = ReadLink("eth0");
    routes = DefaultRoutes4();
  });
  InNetns(host.fd(), [&] {
    host_end = ReadLink("vh-test0");
    peer_in_host = ReadLink("eth0");
  });

  // The peer was born in the container, named, with the MTU, and down until configured.
  REQUIRE(peer_before.exists);
  CHECK_FALSE(peer_before.up);
  CHECK(peer_before.mtu == 1400);
  CHECK(peer.up);
  CHECK(peer.mtu == 1400);
  CHECK(peer.mac == "02:00:0a:c8:01:02");
  CHECK(peer.addresses == std::vector<std::string>{"10.200.1.2/24"});
  CHECK(routes == std::vector<std::string>{"eth0 via 10.200.1.1"});

  REQUIRE(host_end.exists);
  CHECK(host_end.up);
  CHECK(host_end.mtu == 1400);
  CHECK(host_end.addresses == std::vector<std::string>{"10.200.1.1/24"});
  CHECK_FALSE(peer_in_host.exists);

  CHECK(SendAcross(host, container, "10.200.1.2") == "hello from the other side");
  CHECK(SendAcross(container, host, "10.200.1.1") == "hello from the other side");

  // The counters saw that traffic, on both ends.
  std::vector<cask::net::InterfaceStats> stats;
  InNetns(container.fd(), [&] { stats = cask::net::ReadInterfaceStats(); });
  const cask::net::InterfaceStats* eth0 = nullptr;
  bool has_lo = false;
  for (const auto& entry : stats) {
    if (entry.name == "eth0") eth0 = &entry;
    has_lo = has_lo || entry.name == "lo";
  }
  CHECK(has_lo);
  REQUIRE(eth0 != nullptr);
  CHECK(eth0->rx_packets >= 4);  // two handshakes and two payloads at least
  CHECK(eth0->tx_packets >= 4);
  CHECK(eth0->rx_bytes > eth0->rx_packets * 40);
  CHECK(eth0->tx_bytes > eth0->tx_packets * 40);
  CHECK(eth0->rx_errors == 0);
  CHECK(eth0->tx_errors == 0);
}

TEST_CASE("IPv6 addresses and the default route work at once") {
  TestNetns host;
  TestNetns container;
  Network network = Veth("fd00:200::2/64", "fd00:200::1/64");
  network.gateway = "fd00:200::1";
  InNetns(host.fd(), [&] { cask::net::CreateVeth(network, container.fd()); });
  LinkView peer;
  std::vector<std::string> routes;
  InNetns(container.fd(), [&] {
    cask::net::ConfigureInterface(network);
    peer = ReadLink("eth0");
    routes = DefaultRoutes6();
  });
  CHECK(peer.up);
  CHECK(peer.addresses == std::vector<std::string>{"fd00:200::2/64"});
  CHECK(routes == std::vector<std::string>{"eth0 via fd00:200::1"});
  CHECK(SendAcross(host, container, "fd00:200::2") == "hello from the other side");
}

TEST_CASE("host_netns puts the host end in the namespace at that path; DeleteLink removes it") {
  TestNetns caller;  // stands for the host program's namespace
  TestNetns host;
  TestNetns container;
  NetnsMount host_path(host.ProcPath());
  Network network = Veth("10.200.2.2/24", "10.200.2.1/24");
  network.host_netns = host_path.path();

  ino_t caller_netns = 0, caller_netns_after = 0;
  LinkView in_caller;
  InNetns(caller.fd(), [&] {
    caller_netns = CurrentNetns();
    cask::net::CreateVeth(network, container.fd());
    caller_netns_after = CurrentNetns();
    in_caller = ReadLink("vh-test0");
  });
  CHECK(caller_netns == caller_netns_after);
  CHECK_FALSE(in_caller.exists);

  LinkView host_end, peer;
  InNetns(host.fd(), [&] { host_end = ReadLink("vh-test0"); });
  InNetns(container.fd(), [&] { peer = ReadLink("eth0"); });
  CHECK(host_end.exists);
  CHECK(host_end.up);
  CHECK(host_end.addresses == std::vector<std::string>{"10.200.2.1/24"});
  CHECK(peer.exists);

  // Deleting the host end takes the peer along; deleting it again is not an error.
  InNetns(caller.fd(), [&] {
    cask::net::DeleteLink("vh-test0", host_path.path());
    cask::net::DeleteLink("vh-test0", host_path.path());
  });
  InNetns(host.fd(), [&] { host_end = ReadLink("vh-test0"); });
  InNetns(container.fd(), [&] { peer = ReadLink("eth0"); });
  CHECK_FALSE(host_end.exists);
  CHECK_FALSE(peer.exists);

  StepError missing = StepErrorOf([&] {
    InNetns(caller.fd(), [&] { cask::net::DeleteLink("vh-test0", "/nonexistent/netns"); });
  });
  CHECK(missing.step() == "network");
  CHECK(missing.error() == ENOENT);
  CHECK(missing.message() == "open network namespace /nonexistent/netns");
}

TEST_CASE("DeleteLink in the calling thread's namespace") {
  TestNetns host;
  TestNetns container;
  Network network = Veth("10.200.3.2/24", "");
  LinkView host_end, peer;
  InNetns(host.fd(), [&] {
    cask::net::CreateVeth(network, container.fd());
    cask::net::DeleteLink("vh-test0");
    host_end = ReadLink("vh-test0");
    cask::net::DeleteLink("vh-test0");  // ENODEV: fine
  });
  InNetns(container.fd(), [&] { peer = ReadLink("eth0"); });
  CHECK_FALSE(host_end.exists);
  CHECK_FALSE(peer.exists);
}

TEST_CASE("Bad input fails before anything is made") {
  TestNetns host;
  TestNetns container;
  Network bad_host_address = Veth("10.200.4.2/24", "10.200.4.1/33");
  Network bad_name = Veth("10.200.4.2/24", "10.200.4.1/24");
  bad_name.host_name = "vh-this-is-too-long";
  StepError cidr_error = StepErrorOf([&] {
    InNetns(host.fd(), [&] { cask::net::CreateVeth(bad_host_address, container.fd()); });
  });
  StepError name_error = StepErrorOf(
      [&] { InNetns(host.fd(), [&] { cask::net::CreateVeth(bad_name, container.fd()); }); });
  CHECK(cidr_error.step() == "network");
  CHECK(cidr_error.error() == EINVAL);
  CHECK(cidr_error.message() ==
        "invalid CIDR \"10.200.4.1/33\": prefix length must be 0-32");
  CHECK(name_error.message() ==
        "invalid interface name in host_name \"vh-this-is-too-long\": longer than 15 bytes");

  // In the container, a bad address or gateway fails before the link changes.
  InNetns(host.fd(), [&] { cask::net::CreateVeth(Veth("", ""), container.fd()); });
  Network bad_address = Veth("10.200.4.2/24", "");
  bad_address.gateway = "10.200.4.300";
  bad_address.mtu = 1280;
  StepError gateway_error = StepErrorOf(
      [&] { InNetns(container.fd(), [&] { cask::net::ConfigureInterface(bad_address); }); });
  CHECK(gateway_error.message() ==
        "invalid IP address \"10.200.4.300\": not an IPv4 address");

  LinkView host_end, peer;
  std::vector<std::string> names;
  InNetns(host.fd(), [&] { host_end = ReadLink("vh-test0"); });
  InNetns(container.fd(), [&] { peer = ReadLink("eth0"); });
  CHECK(host_end.exists);  // the one good CreateVeth
  CHECK(peer.exists);
  CHECK_FALSE(peer.up);
  CHECK(peer.mtu != 1280);
  CHECK(peer.addresses.empty());
}

TEST_CASE("A name clash is reported and leaves no link of this call behind") {
  TestNetns host;
  TestNetns container;
  TestNetns other;
  // The host name is taken: by the host end of another pair (peer in `other`).
  Network first = Veth("", "");
  first.name = "peer0";
  InNetns(host.fd(), [&] { cask::net::CreateVeth(first, other.fd()); });
  Network clash = Veth("", "10.200.5.1/24");
  StepError host_clash = StepErrorOf(
      [&] { InNetns(host.fd(), [&] { cask::net::CreateVeth(clash, container.fd()); }); });
  CHECK(host_clash.step() == "network");
  CHECK(host_clash.error() == EEXIST);
  CHECK(host_clash.message().starts_with("create veth vh-test0 with peer eth0"));

  LinkView existing, peer, other_peer;
  InNetns(host.fd(), [&] { existing = ReadLink("vh-test0"); });
  InNetns(container.fd(), [&] { peer = ReadLink("eth0"); });
  InNetns(other.fd(), [&] { other_peer = ReadLink("peer0"); });
  CHECK(existing.exists);  // the link that was there is not ours to delete
  CHECK(existing.addresses.empty());
  CHECK_FALSE(peer.exists);
  CHECK(other_peer.exists);

  // The container's name is taken: no host end is left behind.
  Network container_clash = Veth("", "");
  container_clash.host_name = "vh-test1";
  container_clash.name = "peer0";
  StepError peer_clash = StepErrorOf(
      [&] { InNetns(host.fd(), [&] { cask::net::CreateVeth(container_clash, other.fd()); }); });
  CHECK(peer_clash.error() == EEXIST);
  LinkView second_host_end;
  InNetns(host.fd(), [&] { second_host_end = ReadLink("vh-test1"); });
  CHECK_FALSE(second_host_end.exists);
}

TEST_CASE("A failure after the pair exists deletes it") {
  TestNetns host;
  TestNetns container;
  // The kernel refuses a multicast address on an interface, after the pair was made.
  Network network = Veth("", "ff02::1/64");
  StepError error = StepErrorOf(
      [&] { InNetns(host.fd(), [&] { cask::net::CreateVeth(network, container.fd()); }); });
  CHECK(error.step() == "network");
  CHECK(error.error() == EADDRNOTAVAIL);
  CHECK(error.message().starts_with("add address ff02::1/64 to vh-test0"));
  LinkView host_end, peer;
  InNetns(host.fd(), [&] { host_end = ReadLink("vh-test0"); });
  InNetns(container.fd(), [&] { peer = ReadLink("eth0"); });
  CHECK_FALSE(host_end.exists);
  CHECK_FALSE(peer.exists);
}
