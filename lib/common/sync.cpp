#include "common/sync.hpp"

#include "common/step_error.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace cask {
namespace {

struct Header {
  uint32_t type;
  uint32_t length;
};

constexpr size_t kMaxFds = 64;  // the fifo, a seccomp program, idmapped trees

}  // namespace

std::pair<unique_fd, unique_fd> SocketPair() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) ThrowErrno("sync", "socketpair");
  return {unique_fd(fds[0]), unique_fd(fds[1])};
}

void Channel::Send(MessageType type, const nlohmann::json& payload,
                   const std::vector<int>& fds) const {
  std::string body = payload.is_null() ? std::string() : payload.dump();
  Header header{static_cast<uint32_t>(type), static_cast<uint32_t>(body.size())};
  iovec iov[2] = {{&header, sizeof(header)}, {body.data(), body.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  if (!fds.empty()) {
    if (fds.size() > kMaxFds) ThrowStep("sync", "send fds", E2BIG);
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n;
  do {
    n = sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno("sync", "send on sync socket");
}

void Channel::OpenGate() const {
  if (send(fd_.get(), "g", 1, MSG_NOSIGNAL) != 1) ThrowErrno("sync", "open the spawn gate");
}

std::optional<Message> Channel::Receive() const {
  // Peek at the size first: a seqpacket message is read whole or truncated.
  Header header{};
  ssize_t n;
  do {
    n = recv(fd_.get(), &header, sizeof(header), MSG_PEEK | MSG_TRUNC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno("sync", "receive on sync socket");
  if (n == 0) return std::nullopt;
  if (static_cast<size_t>(n) < sizeof(header)) {
    ThrowStep("sync", "short message on sync socket", EPROTO);
  }
  std::string body(header.length, '\0');
  iovec iov[2] = {{&header, sizeof(header)}, {body.data(), body.size()}};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  do {
    n = recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno("sync", "receive on sync socket");
  Message out;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      out.fds.emplace_back(fd);
    }
  }
  if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
    ThrowStep("sync", "truncated message on sync socket", EPROTO);
  }
  out.type = static_cast<MessageType>(header.type);
  if (!body.empty()) out.payload = nlohmann::json::parse(body);
  return out;
}

}  // namespace cask
