#include "host/idmapped_mounts.hpp"

#include <cask/error.hpp>
#include <cask/mount_options.hpp>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fmt/format.h>

#include "common/mount_api.hpp"
#include "host/proc.hpp"

namespace cask {
namespace {

// A user namespace with these mappings, held by its fd: a child is made in it, mapped,
// and let go. The child only waits on a pipe, so a multi-threaded host may clone it.
unique_fd UserNamespace(const std::vector<IdMapping>& uids, const std::vector<IdMapping>& gids,
                        const std::string& context) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw Error(errno, context + ": pipe");
  unique_fd wait_end(fds[0]), release(fds[1]);
  const pid_t pid = static_cast<pid_t>(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, 0));
  if (pid < 0) throw Error(errno, context + ": clone a user namespace for an idmapped mount");
  if (pid == 0) {
    close(release.get());  // EOF once the host lets go
    char byte;
    (void)!read(wait_end.get(), &byte, 1);
    _exit(0);
  }
  // Let go and reaped on every path out: the fd keeps the namespace.
  struct Reaper {
    pid_t pid;
    unique_fd& release;
    ~Reaper() {
      release.reset();
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  } reaper{pid, release};
  WriteIdMap(pid, "uid_map", uids, context);
  WriteIdMap(pid, "gid_map", gids, context);
  unique_fd userns(open(fmt::format("/proc/{}/ns/user", pid).c_str(), O_RDONLY | O_CLOEXEC));
  if (!userns) throw Error(errno, context + ": open the idmapped mount's user namespace");
  return userns;
}

}  // namespace

std::vector<unique_fd> MakeIdmappedTrees(const Config& config, const std::string& context) {
  std::vector<unique_fd> trees;
  for (const Mount& mount : config.mounts) {
    const MountFlags flags = ParseMountOptions(mount.options);
    if (!flags.idmap) continue;
    const std::string what = context + ": idmapped bind " + mount.source + " on " + mount.destination;
    const auto& uids = mount.uid_mappings.empty() ? config.uid_mappings : mount.uid_mappings;
    const auto& gids = mount.gid_mappings.empty() ? config.gid_mappings : mount.gid_mappings;
    unique_fd userns = UserNamespace(uids, gids, what);
    unique_fd tree = CloneMount(AT_FDCWD, mount.source, flags.recursive);
    if (!tree) throw Error(errno, what);
    if (SetIdmap(tree.get(), userns.get(), flags.recursive_idmap) != 0) throw Error(errno, what + ": set the mapping");
    trees.push_back(std::move(tree));
  }
  if (trees.size() > 60) throw Error(E2BIG, context + ": more than 60 idmapped mounts");
  return trees;
}

}  // namespace cask
