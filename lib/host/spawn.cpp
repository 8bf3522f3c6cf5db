#include "host/spawn.hpp"

#include <cask/error.hpp>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/child_start.hpp"
#include "common/sync_fd.hpp"

namespace cask {
namespace {

// What the child reads between clone and exec: in the parent's memory (shared, or a
// copy when the child waits at its gate).
struct ChildArgs {
  const int* source_fds;
  int floor;
  int exe;
  bool gate;
  char* const* argv;
  char* const* envp;
};

// The child: async-signal-safe syscalls only, every signal blocked (Spawn blocked them;
// init unblocks them once it runs).
int ChildMain(void* arg) {
  const auto& a = *static_cast<const ChildArgs*>(arg);
  if (!PlaceFds(a.source_fds, a.floor, true)) _exit(127);
  // Root of the new user namespace before the exec, so that init keeps its capabilities.
  if (a.gate) {
    if (int status = PassGate(); status != 0) _exit(status);
  }
  syscall(SYS_execveat, a.exe, "", a.argv, a.envp, AT_EMPTY_PATH);
  _exit(127);
}

// clone3, with the child running fn(arg) on args->stack and exiting with its value:
// glibc 2.36 has no clone3 wrapper, and syscall() cannot return on a new stack.
// Returns the child's pid, or -errno.
long Clone3(CloneArgs* args, int (*fn)(void*), void* arg) {
#if defined(__x86_64__)
  long ret = SYS_clone3;
  register int (*child_fn)(void*) asm("r12") = fn;
  register void* child_arg asm("r13") = arg;
  asm volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      // The child, on its stack with the parent's registers but rax: the outermost frame.
      "xor %%ebp, %%ebp\n\t"
      "mov %%r13, %%rdi\n\t"
      "call *%%r12\n\t"
      "mov %%eax, %%edi\n\t"
      "mov %[exit], %%eax\n\t"
      "syscall\n\t"
      "hlt\n\t"
      "1:"
      : "+a"(ret)
      : "D"(args), "S"(sizeof(CloneArgs)), "r"(child_fn), "r"(child_arg), [exit] "i"(SYS_exit)
      : "rcx", "r11", "memory", "cc");
  return ret;
#else
  (void)args, (void)fn, (void)arg;
  return -ENOSYS;  // no trampoline for this architecture: clone, then Apply
#endif
}

}  // namespace

Spawned Spawn(const SpawnRequest& request) {
  // Everything the child needs is prepared here, before clone. Sources are duplicated
  // above every target number so that the child's dup2s, in ascending order, never
  // overwrite a source it still needs.
  const std::vector<int> wanted = request.ChildFds();
  const int floor = static_cast<int>(wanted.size());
  std::vector<unique_fd> sources;
  if (!LiftFds(wanted, sources)) throw Error(errno, "spawn: duplicate the child's fds");
  std::vector<int> source_fds;
  for (const unique_fd& fd : sources) source_fds.push_back(fd.get());
  unique_fd exe(fcntl(request.init_fd, F_DUPFD_CLOEXEC, floor));
  if (!exe) throw Error(errno, "spawn: duplicate init fd");
  std::vector<char*> argv;
  for (const auto& arg : request.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  char* envp[] = {const_cast<char*>(kSyncFdEnv), request.fork_server ? const_cast<char*>(kForkServerEnv) : nullptr,
                  nullptr};
  ChildArgs args{source_fds.data(), floor, exe.get(), request.gate, argv.data(), envp};

  // As posix_spawn: the child shares our memory and this thread sleeps until it has
  // exec'd, so no page table is copied and no page of a large host is copied on write
  // afterwards. A child that waits at its gate for the host gets a copy instead (a fork).
  // Its stack is this array: this frame stays put until the exec, or the child has a copy.
  alignas(16) char stack[16 * 1024];
  unsigned long flags = request.clone_flags | CLONE_PIDFD | SIGCHLD;
  if (!request.gate) flags |= CLONE_VM | CLONE_VFORK;
  // Blocked in the child until init unblocks them: a handler of ours must never run in
  // the child, and init must not inherit the calling thread's mask.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int pidfd = -1;
  pid_t pid = -1;
  int clone_errno = 0;
  bool in_cgroup = false;
  const char* what = "spawn: clone";
  if (request.cgroup_fd >= 0) {
    CloneArgs clone_args{};
    clone_args.flags = (flags & ~uint64_t{0xff}) | kCloneIntoCgroup;
    clone_args.pidfd = reinterpret_cast<uintptr_t>(&pidfd);
    clone_args.exit_signal = SIGCHLD;
    clone_args.stack = reinterpret_cast<uintptr_t>(stack);
    clone_args.stack_size = sizeof(stack);
    clone_args.cgroup = static_cast<uint64_t>(request.cgroup_fd);
    const long ret = Clone3(&clone_args, ChildMain, &args);
    pid = ret < 0 ? -1 : static_cast<pid_t>(ret);
    clone_errno = ret < 0 ? static_cast<int>(-ret) : 0;
    in_cgroup = ret >= 0;
    // The pids controller refuses a fork into a cgroup at its limit with EAGAIN.
    what = clone_errno == EAGAIN ? "spawn: clone3 into the container's cgroup (at its pids.max?)"
                                 : "spawn: clone3 into the container's cgroup";
  }
  // A kernel without clone3 (5.3) or its cgroup field (5.7): clone, and the caller
  // moves the child.
  if (request.cgroup_fd < 0 || (pid < 0 && (clone_errno == ENOSYS || clone_errno == E2BIG))) {
    pid = clone(ChildMain, stack + sizeof(stack), static_cast<int>(flags), &args, &pidfd);
    clone_errno = errno;
    what = "spawn: clone";
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) throw Error(clone_errno, what);
  return {pid, unique_fd(pidfd), in_cgroup};
}

}  // namespace cask
