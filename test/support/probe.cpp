// The probe: a static binary that runs as a container's payload and prints, as one
// JSON object, what it sees from inside. Tests assert on that.
//
//   probe              everything (keys below)
//   probe exit N       exit with N
//   probe kill SIG     kill itself with SIG (not as pid 1: the kernel protects a
//                      namespace's init from its own signals)
//   probe sleep SECS   sleep (fractions too), then exit 0
//   probe cat PATH     print the file
//   probe write PATH TEXT   write TEXT to PATH (exit 1 with the errno name on failure)
//   probe hog MIB      touch MIB MiB of memory, then print "survived"
//   probe fork N       fork N waiting children; print {"forked": K, "error": ERRNO name}
//   probe spin SECS    burn cpu for SECS seconds
//   probe count PATH   count forever, writing the count to PATH every millisecond
//   probe try CALL     make a call a container should not be able to make and print
//                      "ok" or the errno name: keyctl, mount, umount-root, unshare-user,
//                      clone-user, kill-1 (kill(-1, 0) is every process
//                      this one may signal)
//   probe euid         print the effective uid
//   probe hold-exe PID open /proc/PID/exe as O_PATH, print "held", wait for a line on
//                      stdin, then open that fd again for writing and write to it; print
//                      "written" or the errno name (the CVE-2019-5736 attack)
//
// Keys: pid, ppid, uid, gid, groups, hostname, domainname, namespaces (name -> inode),
// cwd, umask ("0022"), env, rlimits (name -> {soft, hard}; -1 is unlimited),
// capabilities (set -> sorted names), no_new_privs, seccomp, oom_score_adj, mounts
// ([{mount_point, fs_type, source, options}]), fds (number -> target), root_writable,
// dev (name -> {type, major, minor}), cgroup (lines), signals ({blocked, ignored}: the
// hex masks of /proc/self/status), scheduler ({policy, nice}), io_priority (ioprio_get's
// value: class << 13 | level), personality (personality(2)'s value).
#include <dirent.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string List(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]";
}

std::string Object(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "{";
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + Quote(fields[i].first) + ":" + fields[i].second;
  return out + "}";
}

std::map<std::string, std::string> Status() {
  std::map<std::string, std::string> status;
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    status[line.substr(0, colon)] = value;
  }
  return status;
}

const char* kCapNames[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
    "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};

std::string CapSet(const std::string& hex) {
  unsigned long long mask = std::strtoull(hex.c_str(), nullptr, 16);
  std::vector<std::string> names;
  for (int i = 0; i < 64; ++i) {
    if ((mask >> i) & 1) names.push_back(Quote(i <= 40 ? kCapNames[i] : "CAP_" + std::to_string(i)));
  }
  std::sort(names.begin(), names.end());
  return List(names);
}

std::string Namespaces() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* ns : {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"}) {
    struct stat st {};
    if (stat((std::string("/proc/self/ns/") + ns).c_str(), &st) == 0) out.push_back({ns, std::to_string(st.st_ino)});
  }
  return Object(out);
}

std::string Rlimits() {
  const std::pair<const char*, int> kLimits[] = {
      {"RLIMIT_CPU", RLIMIT_CPU},     {"RLIMIT_FSIZE", RLIMIT_FSIZE},   {"RLIMIT_DATA", RLIMIT_DATA},
      {"RLIMIT_STACK", RLIMIT_STACK}, {"RLIMIT_CORE", RLIMIT_CORE},     {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_NPROC", RLIMIT_NPROC}, {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
      {"RLIMIT_AS", RLIMIT_AS},       {"RLIMIT_LOCKS", RLIMIT_LOCKS},   {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE}, {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
      {"RLIMIT_RTTIME", RLIMIT_RTTIME}};
  auto value = [](rlim_t v) { return v == RLIM_INFINITY ? std::string("-1") : std::to_string(v); };
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, resource] : kLimits) {
    rlimit r{};
    getrlimit(static_cast<__rlimit_resource>(resource), &r);
    out.push_back({name, Object({{"soft", value(r.rlim_cur)}, {"hard", value(r.rlim_max)}})});
  }
  return Object(out);
}

std::string Mounts() {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point, options, field;
    fields >> id >> parent >> devno >> root >> point >> options;
    while (fields >> field && field != "-") {
    }
    std::string type, source, super;
    fields >> type >> source >> super;
    out.push_back(Object({{"mount_point", Quote(point)}, {"fs_type", Quote(type)}, {"source", Quote(source)},
                          {"options", Quote(options)}, {"super_options", Quote(super)}}));
  }
  return List(out);
}

std::string Fds() {
  std::vector<std::pair<std::string, std::string>> out;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return "{}";
  int own = dirfd(dir);
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.' || std::atoi(e->d_name) == own) continue;
    char target[4096];
    ssize_t n = readlinkat(own, e->d_name, target, sizeof(target) - 1);
    out.push_back({e->d_name, Quote(n < 0 ? "" : std::string(target, static_cast<size_t>(n)))});
  }
  closedir(dir);
  return Object(out);
}

std::string Dev() {
  std::vector<std::pair<std::string, std::string>> out;
  DIR* dir = opendir("/dev");
  if (dir == nullptr) return "{}";
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    struct stat st {};
    if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    const char* type = S_ISCHR(st.st_mode) ? "c" : S_ISBLK(st.st_mode) ? "b" : S_ISLNK(st.st_mode) ? "l"
                     : S_ISDIR(st.st_mode) ? "d" : "f";
    out.push_back({e->d_name, Object({{"type", Quote(type)}, {"major", std::to_string(major(st.st_rdev))},
                                      {"minor", std::to_string(minor(st.st_rdev))},
                                      {"mode", std::to_string(st.st_mode & 07777)}})});
  }
  closedir(dir);
  return Object(out);
}

bool RootWritable() {
  const char* path = "/.probe-write-test";
  int fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0600);
  if (fd < 0) return false;
  close(fd);
  unlink(path);
  return true;
}

std::string ReadLine(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

void PrintAll() {
  auto status = Status();
  utsname uts{};
  uname(&uts);
  std::vector<std::string> groups, env, cgroup;
  std::istringstream gs(status["Groups"]);
  for (std::string g; gs >> g;) groups.push_back(g);
  for (char** e = environ; *e != nullptr; ++e) env.push_back(Quote(*e));
  {
    std::ifstream cg("/proc/self/cgroup");  // closed before the fds are listed
    for (std::string line; std::getline(cg, line);) cgroup.push_back(Quote(line));
  }
  char cwd[4096] = "";
  if (getcwd(cwd, sizeof(cwd)) == nullptr) cwd[0] = '\0';
  std::string uid = status["Uid"].substr(0, status["Uid"].find_first_of(" \t"));
  std::string gid = status["Gid"].substr(0, status["Gid"].find_first_of(" \t"));
  std::string out = Object({
      {"pid", std::to_string(getpid())},
      {"ppid", std::to_string(getppid())},
      {"uid", uid},
      {"gid", gid},
      {"groups", List(groups)},
      {"hostname", Quote(uts.nodename)},
      {"domainname", Quote(uts.domainname)},
      {"namespaces", Namespaces()},
      {"cwd", Quote(cwd)},
      {"umask", Quote(status["Umask"])},
      {"env", List(env)},
      {"rlimits", Rlimits()},
      {"capabilities", Object({{"inheritable", CapSet(status["CapInh"])},
                               {"permitted", CapSet(status["CapPrm"])},
                               {"effective", CapSet(status["CapEff"])},
                               {"bounding", CapSet(status["CapBnd"])},
                               {"ambient", CapSet(status["CapAmb"])}})},
      {"no_new_privs", status["NoNewPrivs"] == "1" ? "true" : "false"},
      {"seccomp", status["Seccomp"].empty() ? "0" : status["Seccomp"]},
      {"oom_score_adj", ReadLine("/proc/self/oom_score_adj").empty() ? "null" : ReadLine("/proc/self/oom_score_adj")},
      {"mounts", Mounts()},
      {"fds", Fds()},
      {"root_writable", RootWritable() ? "true" : "false"},
      {"dev", Dev()},
      {"cgroup", List(cgroup)},
      {"signals", Object({{"blocked", Quote(status["SigBlk"])}, {"ignored", Quote(status["SigIgn"])}})},
      {"scheduler", Object({{"policy", std::to_string(sched_getscheduler(0))},
                            {"nice", std::to_string(getpriority(PRIO_PROCESS, 0))}})},
      {"io_priority", std::to_string(syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0))},
      {"personality", std::to_string(personality(0xffffffff))},
  });
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fputc('\n', stdout);
}

// Touches `mib` MiB of memory, one MiB at a time; prints "survived" if it is not killed.
int Hog(long mib) {
  for (long i = 0; i < mib; ++i) {
    char* chunk = static_cast<char*>(std::malloc(1 << 20));
    if (chunk == nullptr) return 1;
    std::memset(chunk, 1, 1 << 20);
  }
  std::printf("survived\n");
  return 0;
}

// Forks up to `n` children that wait to be killed; prints how many it got and the errno
// of the first fork that failed, then kills and reaps them.
int Fork(int n) {
  std::vector<pid_t> children;
  std::string error = "none";
  for (int i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      pause();
      _exit(0);
    }
    if (pid < 0) {
      error = strerrorname_np(errno);
      break;
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) kill(pid, SIGKILL);
  for (pid_t pid : children) waitpid(pid, nullptr, 0);
  std::printf("{\"forked\": %zu, \"error\": \"%s\"}\n", children.size(), error.c_str());
  return 0;
}

// Burns cpu for `seconds` of wall-clock time.
void Spin(int seconds) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  volatile unsigned long sink = 0;
  while (std::chrono::steady_clock::now() < end) {
    for (int i = 0; i < 10000; ++i) sink = sink + i;
  }
}

// Counts forever, writing the count to `path` about every millisecond.
int Count(const char* path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 1;
  for (unsigned long n = 1;; ++n) {
    char text[32];
    int size = std::snprintf(text, sizeof(text), "%20lu\n", n);
    if (pwrite(fd, text, size, 0) != size) return 1;
    usleep(1000);
  }
}

// The outcome of a call the container must be denied: "ok" or the errno name.
std::string Outcome(long rc) { return rc >= 0 ? "ok" : strerrorname_np(errno); }

std::string Try(const std::string& call) {
  if (call == "keyctl") {
    return Outcome(syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "cask-probe"));
  }
  if (call == "mount") return Outcome(mount("none", "/tmp", "tmpfs", 0, nullptr));
  if (call == "umount-root") return Outcome(umount2("/", MNT_DETACH));
  if (call == "unshare-user") return Outcome(unshare(CLONE_NEWUSER));
  if (call == "clone-user") {
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid(static_cast<pid_t>(pid), nullptr, 0);
    return Outcome(pid);
  }
  if (call == "kill-1") return Outcome(kill(-1, 0));
  return "unknown call " + call;
}

int HoldExe(const std::string& pid) {
  int fd = open(("/proc/" + pid + "/exe").c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) {
    std::printf("open %s\n", strerrorname_np(errno));
    return 1;
  }
  std::printf("held\n");
  std::fflush(stdout);
  std::string line;
  std::getline(std::cin, line);
  int w = open(("/proc/self/fd/" + std::to_string(fd)).c_str(), O_WRONLY | O_CLOEXEC);
  if (w < 0 || write(w, "#!/bin/sh\n", 10) != 10) {
    std::printf("%s\n", strerrorname_np(errno));
    return 1;
  }
  std::printf("written\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string action = argc > 1 ? argv[1] : "";
  if (action.empty()) {
    PrintAll();
  } else if (action == "exit" && argc > 2) {
    return std::atoi(argv[2]);
  } else if (action == "kill" && argc > 2) {
    kill(getpid(), std::atoi(argv[2]));
    pause();
  } else if (action == "sleep" && argc > 2) {
    // Fractions too ("0.3"): a test that needs a short life gets it, not an exit at once.
    const double seconds = std::strtod(argv[2], nullptr);
    timespec left{static_cast<time_t>(seconds), static_cast<long>((seconds - static_cast<double>(static_cast<time_t>(seconds))) * 1e9)};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
  } else if (action == "cat" && argc > 2) {
    std::ifstream in(argv[2]);
    if (!in) return 1;
    std::cout << in.rdbuf();
  } else if (action == "write" && argc > 3) {
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, argv[3], std::strlen(argv[3])) < 0) {
      std::printf("%s\n", strerrorname_np(errno));
      return 1;
    }
    close(fd);
  } else if (action == "hog" && argc > 2) {
    return Hog(std::atol(argv[2]));
  } else if (action == "fork" && argc > 2) {
    return Fork(std::atoi(argv[2]));
  } else if (action == "spin" && argc > 2) {
    Spin(std::atoi(argv[2]));
  } else if (action == "count" && argc > 2) {
    return Count(argv[2]);
  } else if (action == "try" && argc > 2) {
    std::printf("%s\n", Try(argv[2]).c_str());
  } else if (action == "euid") {
    std::printf("%u\n", geteuid());
  } else if (action == "hold-exe" && argc > 2) {
    return HoldExe(argv[2]);
  } else {
    std::fprintf(stderr, "probe: unknown action %s\n", action.c_str());
    return 2;
  }
  return 0;
}
