// The default seccomp profile: the same effect as the one docker and podman load.
//
// Everything not listed fails with EPERM. The allow list is what ordinary programs need;
// left out are the calls that reach beyond the container or into the kernel's own state
// (keyctl, add_key, request_key, mount, umount, pivot_root, setns, unshare, bpf, kexec,
// init_module, perf_event_open, userfaultfd, ...). clone may not ask for new namespaces
// and clone3, whose flags a filter cannot read, answers ENOSYS so that libc falls back
// to clone. Some calls are allowed only with the capability that makes them useful, as
// docker does: mount, unshare and setns with CAP_SYS_ADMIN, chroot with CAP_SYS_CHROOT...
// Names unknown to the kernel or architecture are skipped when the filter is loaded.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cask/config.hpp"

namespace cask {
namespace seccomp_profile_detail {

// What every container may call.
inline const std::vector<std::string>& AllowedSyscalls() {
  // Grouped by purpose, many to a line.
  // clang-format off
  static const std::vector<std::string> kNames = {
      // files and directories
      "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range",
      "creat", "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
      "fallocate", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
      "fcntl64", "fdatasync", "flock", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
      "fsync", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents", "getdents64",
      "lchown", "lchown32", "link", "linkat", "_llseek", "lseek", "lstat", "lstat64", "mkdir",
      "mkdirat", "mknod", "mknodat", "name_to_handle_at", "newfstatat", "open", "openat",
      "openat2", "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read",
      "readahead", "readlink", "readlinkat", "readv", "rename", "renameat", "renameat2", "rmdir",
      "sendfile", "sendfile64", "splice", "stat", "stat64", "statfs", "statfs64", "statx",
      "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "tee", "truncate",
      "truncate64", "umask", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64",
      "utimes", "vmsplice", "write", "writev",
      // extended attributes
      "fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "getxattr", "lgetxattr",
      "listxattr", "llistxattr", "lremovexattr", "lsetxattr", "removexattr", "setxattr",
      // waiting for files: poll, epoll, inotify, eventfd, signalfd, timerfd, aio, io_uring
      "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
      "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "fanotify_mark",
      "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
      "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
      "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "_newselect",
      "pipe", "pipe2", "poll", "ppoll", "ppoll_time64", "pselect6", "pselect6_time64", "select",
      "signalfd", "signalfd4", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
      "timerfd_settime", "timerfd_settime64",
      // memory
      "brk", "madvise", "membarrier", "memfd_create", "memfd_secret", "mincore", "mlock",
      "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mremap", "msync", "munlock",
      "munlockall", "munmap", "pkey_alloc", "pkey_free", "pkey_mprotect", "remap_file_pages",
      // processes, threads, signals (clone: see below)
      "execve", "execveat", "exit", "exit_group", "fork", "futex", "futex_time64",
      "futex_waitv", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrusage",
      "getsid", "get_robust_list", "get_thread_area", "gettid", "ioprio_get", "ioprio_set",
      "kill", "pause", "pidfd_open", "pidfd_send_signal", "prctl", "process_mrelease",
      "process_vm_readv", "process_vm_writev", "ptrace", "restart_syscall", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
      "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
      "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
      "sched_getparam", "sched_get_priority_max", "sched_get_priority_min",
      "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
      "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
      "sched_yield", "seccomp", "setpgid", "setpriority", "set_robust_list", "setsid",
      "set_thread_area", "set_tid_address", "sigaltstack", "sigprocmask", "sigreturn",
      "tgkill", "tkill", "vfork", "wait4", "waitid", "waitpid",
      // credentials and limits (capabilities decide what succeeds)
      "capget", "capset", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
      "getgroups", "getgroups32", "getresgid", "getresgid32", "getresuid", "getresuid32",
      "getrlimit", "getuid", "getuid32", "prlimit64", "setfsgid", "setfsgid32", "setfsuid",
      "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setregid", "setregid32",
      "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
      "setrlimit", "setuid", "setuid32", "ugetrlimit", "landlock_add_rule",
      "landlock_create_ruleset", "landlock_restrict_self",
      // time
      "adjtimex", "alarm", "clock_adjtime", "clock_adjtime64", "clock_getres",
      "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
      "clock_nanosleep_time64", "getitimer", "gettimeofday", "nanosleep", "setitimer", "time",
      "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64",
      "timer_settime", "timer_settime64", "times",
      // sockets (socket itself: see below) and System V and POSIX IPC
      "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt",
      "listen", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send",
      "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown", "socketcall", "socketpair",
      "ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
      "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl",
      "msgget", "msgrcv", "msgsnd", "semctl", "semget", "semop", "semtimedop",
      "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
      // the rest
      "getcpu", "getrandom", "ioctl", "sysinfo", "uname",
      // per architecture
      "arch_prctl", "modify_ldt", "arm_fadvise64_64", "arm_sync_file_range",
      "sync_file_range2", "breakpoint", "cacheflush", "set_tls", "riscv_flush_icache",
      "s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr", "swapcontext",
  };
  // clang-format on
  return kNames;
}

struct CapabilityGrant {
  const char* capability;
  std::vector<std::string> names;
};

// Calls allowed only to a container that holds the capability they need anyway.
inline const std::vector<CapabilityGrant>& CapabilityGrants() {
  static const std::vector<CapabilityGrant> kGrants = {
      {"CAP_SYS_ADMIN",
       {"bpf",           "clone",         "clone3",      "fanotify_init",   "fsconfig",
        "fsmount",       "fsopen",        "fspick",      "lookup_dcookie",  "mount",
        "mount_setattr", "move_mount",    "open_tree",   "perf_event_open", "quotactl",
        "quotactl_fd",   "setdomainname", "sethostname", "setns",           "syslog",
        "umount",        "umount2",       "unshare"}},
      {"CAP_SYS_BOOT", {"reboot"}},
      {"CAP_SYS_CHROOT", {"chroot"}},
      {"CAP_SYS_MODULE", {"delete_module", "init_module", "finit_module"}},
      {"CAP_SYS_PACCT", {"acct"}},
      {"CAP_SYS_PTRACE",
       {"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev",
        "ptrace"}},
      {"CAP_SYS_RAWIO", {"iopl", "ioperm"}},
      {"CAP_SYS_TIME", {"settimeofday", "stime", "clock_settime", "clock_settime64"}},
      {"CAP_SYS_TTY_CONFIG", {"vhangup"}},
      {"CAP_SYS_NICE", {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"}},
      {"CAP_SYSLOG", {"syslog"}},
      {"CAP_BPF", {"bpf"}},
      {"CAP_PERFMON", {"perf_event_open"}},
      {"CAP_DAC_READ_SEARCH", {"open_by_handle_at"}},
  };
  return kGrants;
}

// The native architecture and the ones its kernel also runs (32-bit x86 on x86_64...).
inline std::vector<std::string> NativeArchitectures() {
#if defined(__x86_64__)
  return {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#elif defined(__aarch64__)
  return {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
#elif defined(__s390x__)
  return {"SCMP_ARCH_S390X", "SCMP_ARCH_S390"};
#elif defined(__riscv) && __riscv_xlen == 64
  return {"SCMP_ARCH_RISCV64"};
#else
  return {};  // the native architecture only
#endif
}

// The namespace flags of clone(2): CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER,
// NEWPID, NEWNET (CLONE_NEWTIME shares its bit with CSIGNAL, so it cannot be masked).
inline constexpr uint64_t kCloneNamespaceFlags =
    0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;
inline constexpr uint64_t kAfVsock = 40;
// personality(2) personas that are harmless: PER_LINUX, PER_LINUX32, UNAME26,
// UNAME26|PER_LINUX32, and 0xffffffff, which only queries.
inline constexpr uint64_t kPersonalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

}  // namespace seccomp_profile_detail

// The default profile for a container holding `capabilities` (names such as
// "CAP_SYS_ADMIN"; the union of the sets the container gets). DefaultConfig() uses it
// with its own three capabilities.
inline Seccomp DefaultSeccompProfile(const std::vector<std::string>& capabilities = {}) {
  using namespace seccomp_profile_detail;
  auto has = [&](const std::string& cap) {
    return std::find(capabilities.begin(), capabilities.end(), cap) != capabilities.end();
  };
  auto allow = [](std::vector<std::string> names, std::vector<SeccompArg> args = {}) {
    return SeccompRule{std::move(names), "SCMP_ACT_ALLOW", std::nullopt, std::move(args)};
  };
  Seccomp profile;
  profile.default_action = "SCMP_ACT_ERRNO";
  profile.default_errno_ret = EPERM;
  profile.architectures = NativeArchitectures();
  profile.syscalls.push_back(allow(AllowedSyscalls()));
  profile.syscalls.push_back(allow({"socket"}, {{0, kAfVsock, 0, "SCMP_CMP_NE"}}));
  for (uint64_t persona : kPersonalities) {
    profile.syscalls.push_back(allow({"personality"}, {{0, persona, 0, "SCMP_CMP_EQ"}}));
  }
  for (const auto& grant : CapabilityGrants()) {
    if (has(grant.capability)) profile.syscalls.push_back(allow(grant.names));
  }
  if (!has("CAP_SYS_ADMIN")) {
    // s390 passes clone's flags second.
#if defined(__s390x__)
    constexpr uint32_t kFlagsIndex = 1;
#else
    constexpr uint32_t kFlagsIndex = 0;
#endif
    profile.syscalls.push_back(
        allow({"clone"}, {{kFlagsIndex, kCloneNamespaceFlags, 0, "SCMP_CMP_MASKED_EQ"}}));
    profile.syscalls.push_back({{"clone3"}, "SCMP_ACT_ERRNO", ENOSYS, {}});
  }
  return profile;
}

}  // namespace cask
