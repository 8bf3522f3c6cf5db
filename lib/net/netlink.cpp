#include "net/netlink.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "common/step_error.hpp"

namespace cask::net {
namespace {

constexpr char kNetlinkStep[] = "network";

template <typename T>
T Load(const char* data) {
  T value;
  std::memcpy(&value, data, sizeof(value));
  return value;
}

// The kernel's extended ack message in an NLMSG_ERROR, or "".
std::string ExtendedAckText(const nlmsghdr& header) {
  if (!(header.nlmsg_flags & NLM_F_ACK_TLVS)) return "";
  const char* payload = reinterpret_cast<const char*>(NLMSG_DATA(&header));
  size_t payload_size = header.nlmsg_len - NLMSG_HDRLEN;
  auto error = Load<nlmsgerr>(payload);
  // The TLVs follow the echoed request: its header only when the ack is capped.
  size_t offset = sizeof(nlmsgerr);
  if (!(header.nlmsg_flags & NLM_F_CAPPED)) offset += error.msg.nlmsg_len - sizeof(nlmsghdr);
  offset = NLMSG_ALIGN(offset);
  if (offset >= payload_size) return "";
  std::string text;
  ForEachAttr(payload + offset, payload_size - offset,
              [&](uint16_t type, const char* data, size_t size) {
                if (type == NLMSGERR_ATTR_MSG) text.assign(data, strnlen(data, size));
              });
  return text;
}

}  // namespace

NetlinkMessage::NetlinkMessage(uint16_t type, uint16_t flags) {
  nlmsghdr header{};
  header.nlmsg_type = type;
  header.nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
  Append(&header, sizeof(header));
}

void NetlinkMessage::Append(const void* data, size_t size) {
  size_t offset = buffer_.size();
  buffer_.resize(offset + NLMSG_ALIGN(size), 0);
  if (size > 0) std::memcpy(buffer_.data() + offset, data, size);
}

void NetlinkMessage::AddAttr(uint16_t type, const void* data, size_t size) {
  rtattr attr{};
  attr.rta_len = static_cast<uint16_t>(RTA_LENGTH(size));
  attr.rta_type = type;
  Append(&attr, sizeof(attr));
  Append(data, size);
}

void NetlinkMessage::AddString(uint16_t type, const std::string& value) {
  AddAttr(type, value.c_str(), value.size() + 1);
}

size_t NetlinkMessage::BeginNested(uint16_t type) {
  size_t offset = buffer_.size();
  rtattr attr{};
  attr.rta_type = static_cast<uint16_t>(type | NLA_F_NESTED);
  Append(&attr, sizeof(attr));
  return offset;
}

void NetlinkMessage::EndNested(size_t offset) {
  auto length = static_cast<uint16_t>(buffer_.size() - offset);
  std::memcpy(buffer_.data() + offset + offsetof(rtattr, rta_len), &length, sizeof(length));
}

const std::vector<char>& NetlinkMessage::Finish(uint32_t seq, uint16_t extra_flags) {
  auto header = Load<nlmsghdr>(buffer_.data());
  header.nlmsg_len = static_cast<uint32_t>(buffer_.size());
  header.nlmsg_seq = seq;
  header.nlmsg_flags = static_cast<uint16_t>(header.nlmsg_flags | extra_flags);
  std::memcpy(buffer_.data(), &header, sizeof(header));
  return buffer_;
}

void ForEachAttr(const void* data, size_t size, const AttrVisitor& visit) {
  const char* at = static_cast<const char*>(data);
  while (size >= sizeof(rtattr)) {
    auto attr = Load<rtattr>(at);
    if (attr.rta_len < sizeof(rtattr) || attr.rta_len > size) return;
    visit(static_cast<uint16_t>(attr.rta_type & NLA_TYPE_MASK), at + RTA_LENGTH(0),
          attr.rta_len - RTA_LENGTH(0));
    size_t step = RTA_ALIGN(attr.rta_len);
    if (step >= size) return;
    at += step;
    size -= step;
  }
}

NetlinkSocket::NetlinkSocket() : fd_(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
  if (!fd_) ThrowErrno(kNetlinkStep, "open a NETLINK_ROUTE socket");
  // Ask for the kernel's reason in text, and not to echo our request back with it.
  int one = 1;
  if (setsockopt(fd_.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) != 0 ||
      setsockopt(fd_.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) != 0) {
    ThrowErrno(kNetlinkStep, "set netlink ack options");
  }
}

void NetlinkSocket::Send(const std::vector<char>& bytes) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = sendto(fd_.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                  sizeof(kernel));
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) ThrowErrno(kNetlinkStep, "send a netlink request");
  if (static_cast<size_t>(sent) != bytes.size()) ThrowStep(kNetlinkStep, "short netlink send", EIO);
}

size_t NetlinkSocket::Receive() {
  ssize_t size;
  do {
    size = recv(fd_.get(), nullptr, 0, MSG_PEEK | MSG_TRUNC);
  } while (size < 0 && errno == EINTR);
  if (size < 0) ThrowErrno(kNetlinkStep, "receive a netlink answer");
  buffer_.resize(static_cast<size_t>(size));
  sockaddr_nl from{};
  iovec iov{buffer_.data(), buffer_.size()};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof(from);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  do {
    size = recvmsg(fd_.get(), &msg, 0);
  } while (size < 0 && errno == EINTR);
  if (size < 0) ThrowErrno(kNetlinkStep, "receive a netlink answer");
  if (msg.msg_flags & MSG_TRUNC) ThrowStep(kNetlinkStep, "netlink answer truncated", EMSGSIZE);
  if (from.nl_pid != 0) return 0;  // not from the kernel: nothing to read
  return static_cast<size_t>(size);
}

// The errno of an ack, an NLMSG_ERROR or a dump's end, which the kernel sends negated
// (0 or -1..-4095); any other value is a malformed message (-INT_MIN would overflow).
int ReplyErrno(int value) {
  if (value > 0 || value < -4095) ThrowStep(kNetlinkStep, "malformed netlink error code", EBADMSG);
  return -value;
}

std::optional<int> WalkReplies(const char* data, size_t size, uint32_t seq, const ReplyVisitor& on_reply,
                               std::string* error_text) {
  // An int, as NLMSG_NEXT expects: a last message of an unaligned length takes the rest
  // below zero, where NLMSG_OK stops, instead of wrapping a size_t (a fuzzer's finding).
  int left = static_cast<int>(size);
  for (auto* header = reinterpret_cast<const nlmsghdr*>(data); NLMSG_OK(header, left);
       header = NLMSG_NEXT(header, left)) {
    if (header->nlmsg_seq != seq) continue;  // a late answer to an earlier request
    if (header->nlmsg_type == NLMSG_ERROR) {
      if (header->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) {
        ThrowStep(kNetlinkStep, "short netlink error message", EBADMSG);
      }
      int error = ReplyErrno(Load<nlmsgerr>(reinterpret_cast<const char*>(NLMSG_DATA(header))).error);
      if (error_text != nullptr) *error_text = ExtendedAckText(*header);
      return error;
    }
    if (header->nlmsg_type == NLMSG_DONE) {
      // A dump's end; it carries the dump's error, if any.
      if (header->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
        return ReplyErrno(Load<int>(reinterpret_cast<const char*>(NLMSG_DATA(header))));
      }
      return 0;
    }
    if (on_reply) on_reply(*header);
  }
  return std::nullopt;
}

int NetlinkSocket::Transact(NetlinkMessage& message, const ReplyVisitor& on_reply,
                            std::string* error_text) {
  uint32_t seq = ++seq_;
  Send(message.Finish(seq, NLM_F_ACK));
  for (;;) {
    size_t size = Receive();
    if (auto end = WalkReplies(buffer_.data(), size, seq, on_reply, error_text)) return *end;
  }
}

void NetlinkSocket::Request(NetlinkMessage& message, const std::string& what,
                            const ReplyVisitor& on_reply) {
  std::string text;
  int error = Transact(message, on_reply, &text);
  if (error != 0) ThrowStep(kNetlinkStep, text.empty() ? what : what + ": " + text, error);
}

}  // namespace cask::net
