// Raw rtnetlink: building requests and talking to the kernel over a NETLINK_ROUTE socket.
// The socket belongs to the network namespace of the thread that opens it.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cask/unique_fd.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cask::net {

// One request: the nlmsghdr, then the family header and attributes, appended in order.
class NetlinkMessage {
 public:
  NetlinkMessage(uint16_t type, uint16_t flags);

  // Raw bytes padded to the netlink alignment: a family header (ifinfomsg, ...).
  void Append(const void* data, size_t size);
  void AddAttr(uint16_t type, const void* data, size_t size);
  void AddString(uint16_t type, const std::string& value);  // with its NUL, as IFLA_IFNAME wants
  template <typename T>
  void AddValue(uint16_t type, const T& value) {
    AddAttr(type, &value, sizeof(value));
  }
  // A nested attribute holds everything appended until EndNested(the returned offset).
  size_t BeginNested(uint16_t type);
  void EndNested(size_t offset);

  // Stamps the length, the sequence number and the given extra flags; returns the bytes.
  const std::vector<char>& Finish(uint32_t seq, uint16_t extra_flags);

 private:
  std::vector<char> buffer_;
};

using AttrVisitor = std::function<void(uint16_t type, const char* data, size_t size)>;
// Visits each attribute in [data, data + size); the nested flag is masked off the type.
void ForEachAttr(const void* data, size_t size, const AttrVisitor& visit);

using ReplyVisitor = std::function<void(const nlmsghdr& header)>;

// Walks one datagram of the kernel's replies (aligned as recv leaves it) to request
// `seq`: the answers go to `on_reply`; the request's end (its ack or NLMSG_ERROR, or a
// dump's NLMSG_DONE) gives its errno (0: success) and `error_text` its extended ack;
// none when the datagram ends before it.
std::optional<int> WalkReplies(const char* data, size_t size, uint32_t seq, const ReplyVisitor& on_reply,
                               std::string* error_text);

// A NETLINK_ROUTE socket in the calling thread's network namespace.
class NetlinkSocket {
 public:
  NetlinkSocket();

  // Sends `message` with NLM_F_ACK and reads until its ack, its NLMSG_ERROR or, for a dump,
  // NLMSG_DONE; the messages before that (a GET's answer, a dump) go to `on_reply`.
  // Returns 0 or the errno the kernel answered with; `error_text` gets its extended ack.
  int Transact(NetlinkMessage& message, const ReplyVisitor& on_reply, std::string* error_text);
  // Transact, throwing StepError("network", errno, "<what>[: <kernel's text>]") on failure.
  void Request(NetlinkMessage& message, const std::string& what,
               const ReplyVisitor& on_reply = nullptr);

 private:
  void Send(const std::vector<char>& bytes);
  // Receives one datagram into buffer_ and returns its length.
  size_t Receive();

  unique_fd fd_;
  uint32_t seq_ = 0;
  std::vector<char> buffer_;
};

}  // namespace cask::net
