#include "init/namespaces_enter.hpp"

#include <cask/namespaces.hpp>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/proc_write.hpp"
#include "common/step_error.hpp"

namespace cask {
namespace {

constexpr const char* kNamespacesStep = "namespaces";

void WriteTimeOffsets(const std::map<std::string, TimeOffset>& offsets) {
  std::string text;
  for (const auto& [clock, offset] : offsets) {
    text += clock + " " + std::to_string(offset.secs) + " " + std::to_string(offset.nanosecs) + "\n";
  }
  if (!text.empty()) WriteProcFile("self/timens_offsets", text);
}

}  // namespace

void EnterNamespaces(const Bootstrap& b, const Channel& channel) {
  // Open every path first: after joining the mount namespace, the host's /proc paths
  // no longer resolve.
  std::vector<unique_fd> fds;
  for (const auto& ns : b.join) {
    fds.emplace_back(open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fds.back()) ThrowErrno(kNamespacesStep, "open " + ns.path);
  }
  for (size_t i = 0; i < b.join.size(); ++i) {
    if (setns(fds[i].get(), CloneFlag(b.join[i].type)) != 0) {
      ThrowErrno(kNamespacesStep, "join " + std::string(NamespaceName(b.join[i].type)) + " namespace " + b.join[i].path);
    }
  }
  const unsigned long early = b.unshare_flags & ~static_cast<unsigned long>(CLONE_NEWCGROUP);
  if (early != 0 && unshare(static_cast<int>(early)) != 0) ThrowErrno(kNamespacesStep, "unshare namespaces");
  if ((b.unshare_flags & CLONE_NEWTIME) != 0) WriteTimeOffsets(b.config.time_offsets);
  if (!b.fork) return;
  // The child waits until its pid is sent: otherwise its own messages (setup: "place me
  // in the cgroup") could reach the host first, and the host would place the parent.
  int sent[2];
  if (pipe2(sent, O_CLOEXEC) != 0) ThrowErrno(kNamespacesStep, "pipe");
  // CLONE_PARENT makes the child the host's child, so the host can wait for it.
  clone_args args{};
  args.flags = CLONE_PARENT;
  pid_t pid = static_cast<pid_t>(syscall(SYS_clone3, &args, sizeof(args)));
  if (pid < 0) ThrowErrno(kNamespacesStep, "fork into the pid namespace");
  if (pid > 0) {
    channel.Send(MessageType::kPid, {{"pid", pid}});
    _exit(write(sent[1], "p", 1) == 1 ? 0 : 1);
  }
  close(sent[1]);
  char byte;
  ssize_t n;
  while ((n = read(sent[0], &byte, 1)) < 0 && errno == EINTR) {
  }
  close(sent[0]);
  if (n != 1) ThrowStep(kNamespacesStep, "the parent died before it sent the pid", EPIPE);
}

void EnterCgroupNamespace(const Bootstrap& b) {
  if ((b.unshare_flags & CLONE_NEWCGROUP) != 0 && unshare(CLONE_NEWCGROUP) != 0) {
    ThrowErrno(kNamespacesStep, "unshare the cgroup namespace");
  }
}

}  // namespace cask
