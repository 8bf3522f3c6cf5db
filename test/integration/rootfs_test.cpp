// SetupRootfs on a busybox root, in a forked child with its own mount and pid
// namespaces (the way init runs it); the child looks around from inside and reports
// lines over a pipe; the parent asserts.
#include "init/rootfs.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cask/defaults.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "canary.hpp"
#include "common/mountinfo.hpp"
#include "init/proc_write.hpp"
#include "common/step_error.hpp"
#include "rootfs.hpp"

namespace fs = std::filesystem;

namespace {

using cask::test::Canary;

struct ChildResult {
  int status = -1;     // exit code of the child; 3: StepError, 4: other exception
  std::string report;  // its lines
  bool Has(const std::string& line) const {
    return ("\n" + report + "\n").find("\n" + line + "\n") != std::string::npos;
  }
  // The first line starting with `prefix`, or "".
  std::string Line(const std::string& prefix) const {
    size_t pos = ("\n" + report).find("\n" + prefix);
    if (pos == std::string::npos) return "";
    size_t end = report.find('\n', pos);
    return report.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
  }
};

void WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

int CloneFlags(const cask::Config& config) {
  int flags = CLONE_NEWNS | CLONE_NEWPID;
  for (const cask::Namespace& ns : config.namespaces) {
    switch (ns.type) {
      case cask::NamespaceType::kIpc:
        flags |= CLONE_NEWIPC;
        break;
      case cask::NamespaceType::kUts:
        flags |= CLONE_NEWUTS;
        break;
      case cask::NamespaceType::kCgroup:
        flags |= CLONE_NEWCGROUP;
        break;
      case cask::NamespaceType::kNet:
        flags |= CLONE_NEWNET;
        break;
      default:
        break;
    }
  }
  return flags;
}

// Runs `body` as pid 1 of new namespaces named by `config` (mount and pid always; a
// user namespace with "0 0 65536" maps written by this process when `user_ns`).
// StepError becomes the report "error\t<step>\t<errno>\t<what>" and exit code 3.
ChildResult RunIsolated(const cask::Config& config, bool user_ns,
                        const std::function<std::string()>& body) {
  int report[2], sync[2];
  REQUIRE(pipe2(report, O_CLOEXEC) == 0);
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(report[0]);
    close(sync[0]);
    char byte = 0;
    if (user_ns && (unshare(CLONE_NEWUSER) < 0 || write(sync[1], "u", 1) != 1 ||
                    read(sync[1], &byte, 1) != 1)) {
      _exit(10);
    }
    if (unshare(CloneFlags(config)) < 0) _exit(11);
    pid_t inner = fork();
    if (inner == 0) {
      std::string out;
      int code = 0;
      try {
        out = body();
      } catch (const cask::StepError& e) {
        out = "error\t" + e.step() + "\t" + std::to_string(e.error()) + "\t" + e.message();
        code = 3;
      } catch (const std::exception& e) {
        out = std::string("exception\t") + e.what();
        code = 4;
      }
      WriteAll(report[1], out);
      _exit(code);
    }
    int status = 0;
    if (inner < 0 || waitpid(inner, &status, 0) != inner) _exit(12);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  close(report[1]);
  close(sync[1]);
  if (user_ns) {
    char byte = 0;
    if (read(sync[0], &byte, 1) == 1) {
      WriteFile("/proc/" + std::to_string(pid) + "/uid_map", "0 0 65536\n");
      WriteFile("/proc/" + std::to_string(pid) + "/gid_map", "0 0 65536\n");
      CHECK(write(sync[0], "m", 1) == 1);
    }
  }
  ChildResult result;
  result.report = ReadAll(report[0]);
  close(report[0]);
  close(sync[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// The host's mount table, to check that a test leaves it as it was.
std::vector<std::string> HostMounts() {
  std::vector<std::string> mounts;
  for (const cask::MountInfo& m : cask::ReadMountInfo()) {
    mounts.push_back(std::to_string(m.id) + " " + m.mount_point + " " + m.options);
  }
  return mounts;
}

// --- What the child reports from inside -----------------------------------------------

std::string MountLines() {
  std::string out;
  for (const cask::MountInfo& m : cask::ReadMountInfo()) {
    out += "mount\t" + m.mount_point + "\t" + m.fs_type + "\t" + m.options + "\n";
  }
  return out;
}

// "dev\t<path>\tc 1:3 666" or "dev\t<path>\t<errno>"
std::string DeviceLine(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) < 0) return "dev\t" + path + "\t" + std::to_string(errno) + "\n";
  char type = S_ISCHR(st.st_mode)    ? 'c'
              : S_ISBLK(st.st_mode)  ? 'b'
              : S_ISFIFO(st.st_mode) ? 'p'
                                     : '-';
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%o", st.st_mode & 07777);
  return "dev\t" + path + "\t" + type + " " + std::to_string(major(st.st_rdev)) + ":" +
         std::to_string(minor(st.st_rdev)) + " " + mode + "\n";
}

std::string LinkLine(const std::string& path) {
  char target[256];
  ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
  return "link\t" + path + "\t" + (n < 0 ? std::to_string(errno) : std::string(target, n)) + "\n";
}

// "write\t<path>\t<errno, 0 on success>": appends to (or creates) the file.
std::string WriteLine(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int err = 0;
  if (fd < 0 || write(fd, "", 0) < 0) err = errno;
  if (fd >= 0) close(fd);
  return "write\t" + path + "\t" + std::to_string(err) + "\n";
}

// "read\t<path>\t<bytes read, at most 64, or -errno>"
std::string ReadLine(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "read\t" + path + "\t-" + std::to_string(errno) + "\n";
  char buf[64];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  return "read\t" + path + "\t" + (n < 0 ? "-" + std::to_string(errno) : std::to_string(n)) + "\n";
}

// "entries\t<path>\t<count, or -errno>"
std::string EntriesLine(const std::string& path) {
  std::error_code ec;
  size_t count = 0;
  for (auto it = fs::directory_iterator(path, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    ++count;
  }
  return "entries\t" + path + "\t" +
         (ec ? "-" + std::to_string(ec.value()) : std::to_string(count)) + "\n";
}

// "../../../../../../..<canary>": escapes any rootfs if followed on the host.
std::string Escape(const Canary& canary) { return "../../../../../../.." + canary.Path(); }

cask::Config BusyboxConfig(const cask::test::Rootfs& rootfs) {
  cask::Config config = cask::DefaultConfig();
  config.root.path = rootfs.Path();
  config.root.readonly = false;
  return config;
}

bool HasMount(const ChildResult& r, const std::string& mount_point, const std::string& type) {
  return r.report.find("mount\t" + mount_point + "\t" + type + "\t") != std::string::npos;
}

// The per-mount options of the first mount at `mount_point` (the lowest one).
std::string Options(const ChildResult& r, const std::string& mount_point) {
  std::string line = r.Line("mount\t" + mount_point + "\t");
  return line.substr(line.rfind('\t') + 1);
}

// The options of the last (topmost) mount at `mount_point`.
std::string TopOptions(const ChildResult& r, const std::string& mount_point) {
  std::string key = "\nmount\t" + mount_point + "\t";
  std::string text = "\n" + r.report;
  size_t pos = text.rfind(key);
  if (pos == std::string::npos) return "";
  size_t end = text.find('\n', pos + 1);
  std::string line =
      text.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
  return line.substr(line.rfind('\t') + 1);
}

bool HasOption(const std::string& options, const std::string& option) {
  return ("," + options + ",").find("," + option + ",") != std::string::npos;
}

}  // namespace

TEST_CASE("SetupRootfs: default mounts, devices, links, readonly and masked paths", "[rootfs]") {
  cask::test::Rootfs rootfs;
  cask::Config config = BusyboxConfig(rootfs);
  config.readonly_paths.push_back("/dev/shm");  // a nosuid,nodev,noexec mount
  auto host = HostMounts();
  struct stat host_root {};
  REQUIRE(stat("/", &host_root) == 0);

  ChildResult r = RunIsolated(config, false, [&] {
    cask::SetupRootfs(config, false, [] {});
    std::string out = MountLines();
    for (const char* d : {"null", "zero", "full", "random", "urandom", "tty"}) {
      out += DeviceLine(std::string("/dev/") + d);
    }
    for (const char* l : {"fd", "stdin", "stdout", "stderr", "ptmx", "core"}) {
      out += LinkLine(std::string("/dev/") + l);
    }
    char cwd[64] = {};
    out += std::string("cwd\t") + (getcwd(cwd, sizeof(cwd)) ? cwd : "?") + "\n";
    struct stat root {
    }, dotdot{};
    stat("/", &root);
    stat("/..", &dotdot);
    out += "dotdot\t" + std::string(root.st_ino == dotdot.st_ino ? "root" : "other") + "\n";
    out += "hostroot\t" +
           std::string(root.st_dev == host_root.st_dev && root.st_ino == host_root.st_ino ? "yes"
                                                                                          : "no") +
           "\n";
    out += WriteLine("/proc/sys/kernel/domainname") + WriteLine("/proc/sysrq-trigger");
    out += WriteLine("/dev/null") + WriteLine("/newfile") + WriteLine("/dev/shm/x");
    out += ReadLine("/proc/timer_list") + DeviceLine("/proc/timer_list") +
           EntriesLine("/sys/firmware") + WriteLine("/sys/firmware/x");
    return out;
  });
  INFO(r.report);
  REQUIRE(r.status == 0);

  // Default mounts with their types and flags.
  CHECK(HasMount(r, "/", "ext4"));
  CHECK(HasMount(r, "/proc", "proc"));
  CHECK(HasMount(r, "/dev", "tmpfs"));
  CHECK(HasMount(r, "/dev/pts", "devpts"));
  CHECK(HasMount(r, "/dev/shm", "tmpfs"));
  CHECK(HasMount(r, "/dev/mqueue", "mqueue"));
  CHECK(HasMount(r, "/sys", "sysfs"));
  for (const char* option : {"nosuid", "nodev", "noexec"}) {
    CHECK(HasOption(Options(r, "/dev/shm"), option));
    CHECK(HasOption(Options(r, "/dev/mqueue"), option));
  }
  CHECK(HasOption(Options(r, "/dev"), "nosuid"));
  CHECK(HasOption(Options(r, "/dev"), "rw"));
  CHECK(HasOption(Options(r, "/sys"), "ro"));
  CHECK(HasOption(Options(r, "/sys/fs/cgroup"), "ro"));
  // This host is cgroup v1 hybrid: a tmpfs with the hierarchies under it, read-only.
  CHECK(r.report.find("mount\t/sys/fs/cgroup/memory\tcgroup\t") != std::string::npos);
  CHECK(HasOption(Options(r, "/sys/fs/cgroup/memory"), "ro"));

  // Devices, mode 0666.
  CHECK(r.Has("dev\t/dev/null\tc 1:3 666"));
  CHECK(r.Has("dev\t/dev/zero\tc 1:5 666"));
  CHECK(r.Has("dev\t/dev/full\tc 1:7 666"));
  CHECK(r.Has("dev\t/dev/random\tc 1:8 666"));
  CHECK(r.Has("dev\t/dev/urandom\tc 1:9 666"));
  CHECK(r.Has("dev\t/dev/tty\tc 5:0 666"));
  CHECK(r.Has("link\t/dev/fd\t/proc/self/fd"));
  CHECK(r.Has("link\t/dev/stdin\t/proc/self/fd/0"));
  CHECK(r.Has("link\t/dev/stdout\t/proc/self/fd/1"));
  CHECK(r.Has("link\t/dev/stderr\t/proc/self/fd/2"));
  CHECK(r.Has("link\t/dev/ptmx\tpts/ptmx"));
  // /dev/core only where the kernel has /proc/kcore.
  CHECK(r.Has("link\t/dev/core\t/proc/kcore") == fs::exists("/proc/kcore"));

  // The old root is gone: "/" is the rootfs and nothing of the host's tree shows.
  CHECK(r.Has("cwd\t/"));
  CHECK(r.Has("dotdot\troot"));
  CHECK(r.Has("hostroot\tno"));
  CHECK(r.report.find("\t/tmp") == std::string::npos);
  CHECK(r.Has("write\t/newfile\t0"));

  // Readonly paths keep the flags their mount had.
  CHECK(r.Has("write\t/proc/sys/kernel/domainname\t" + std::to_string(EROFS)));
  if (fs::exists("/proc/sysrq-trigger")) {
    CHECK(r.Has("write\t/proc/sysrq-trigger\t" + std::to_string(EROFS)));
  }
  CHECK(HasOption(TopOptions(r, "/proc/sys"), "ro"));
  std::string shm = TopOptions(r, "/dev/shm");
  for (const char* option : {"ro", "nosuid", "nodev", "noexec"}) CHECK(HasOption(shm, option));
  CHECK(r.Has("write\t/dev/shm/x\t" + std::to_string(EROFS)));

  // Masked paths: files read empty through /dev/null; directories are an empty ro tmpfs.
  CHECK(r.Has("read\t/proc/timer_list\t0"));
  CHECK(r.Has("dev\t/proc/timer_list\tc 1:3 666"));
  CHECK(r.Has("write\t/dev/null\t0"));
  CHECK(r.Has("entries\t/sys/firmware\t0"));
  CHECK(r.report.find("mount\t/sys/firmware\ttmpfs\tro,") != std::string::npos);
  CHECK(r.Has("write\t/sys/firmware/x\t" + std::to_string(EROFS)));

  CHECK(HostMounts() == host);
}

TEST_CASE("SetupRootfs: /sys/fs/cgroup shows the container's own cgroups", "[rootfs]") {
  cask::test::Rootfs rootfs;
  cask::Config config = BusyboxConfig(rootfs);
  auto host = HostMounts();
  SECTION("in a cgroup namespace") {
    if (!config.HasNamespace(cask::NamespaceType::kCgroup)) {
      config.namespaces.push_back({cask::NamespaceType::kCgroup, ""});
    }
  }
  SECTION("without one") {
    std::erase_if(config.namespaces, [](const cask::Namespace& ns) {
      return ns.type == cask::NamespaceType::kCgroup;
    });
  }
  ChildResult r = RunIsolated(config, false, [&] {
    cask::SetupRootfs(config, false, [] {});
    // As pid 1 of its pid namespace, this process is "1" in its own cgroup's procs.
    std::string out = MountLines();
    for (const char* hierarchy : {"memory", "pids", "unified"}) {
      std::ifstream procs(std::string("/sys/fs/cgroup/") + hierarchy + "/cgroup.procs");
      std::string pid, pids;
      while (procs >> pid) pids += pid + ",";
      out += std::string("procs\t") + hierarchy + "\t" + pids + "\n";
    }
    return out;
  });
  INFO(r.report);
  REQUIRE(r.status == 0);
  auto lists_self = [&](const std::string& hierarchy) {
    return ("," + r.Line("procs\t" + hierarchy + "\t").substr(7 + hierarchy.size())).find(",1,") !=
           std::string::npos;
  };
  if (fs::exists("/sys/fs/cgroup/memory")) {  // v1 or hybrid host
    CHECK(lists_self("memory"));
    CHECK(lists_self("pids"));
    CHECK(HasOption(Options(r, "/sys/fs/cgroup/pids"), "ro"));
  }
  if (fs::exists("/sys/fs/cgroup/unified")) CHECK(lists_self("unified"));
  CHECK(HostMounts() == host);
}

TEST_CASE("SetupRootfs: a read-only root refuses writes", "[rootfs]") {
  cask::test::Rootfs rootfs;
  cask::Config config = BusyboxConfig(rootfs);
  config.root.readonly = true;
  auto host = HostMounts();
  ChildResult r = RunIsolated(config, false, [&] {
    cask::SetupRootfs(config, false, [] {});
    return MountLines() + WriteLine("/newfile") + WriteLine("/etc/newfile") +
           WriteLine("/dev/shm/newfile");
  });
  INFO(r.report);
  REQUIRE(r.status == 0);
  CHECK(HasOption(Options(r, "/"), "ro"));
  CHECK(r.Has("write\t/newfile\t" + std::to_string(EROFS)));
  CHECK(r.Has("write\t/etc/newfile\t" + std::to_string(EROFS)));
  CHECK(r.Has("write\t/dev/shm/newfile\t0"));
  CHECK_FALSE(fs::exists(rootfs.Path() + "/newfile"));
  CHECK(HostMounts() == host);
}

TEST_CASE("SetupRootfs: a symlinked bind destination creates nothing outside the root",
          "[rootfs]") {
  cask::test::Rootfs rootfs;
  Canary canary;
  Canary source;  // the bind's source, with a marker in it
  WriteFile(source.Path() + "/marker", "inside");
  fs::create_symlink(Escape(canary), rootfs.Path() + "/a");
  cask::Config config = BusyboxConfig(rootfs);
  config.mounts.push_back({source.Path(), "/a/b/c", "bind", {"rbind", "ro"}});
  auto host = HostMounts();
  ChildResult r = RunIsolated(config, false, [&] {
    cask::SetupRootfs(config, false, [] {});
    return ReadLine("/a/b/c/marker") + WriteLine("/a/b/c/new") + MountLines();
  });
  INFO(r.report);
  REQUIRE(r.status == 0);
  CHECK(r.Has("read\t/a/b/c/marker\t6"));
  CHECK(r.Has("write\t/a/b/c/new\t" + std::to_string(EROFS)));
  CHECK(canary.Untouched());
  // The directories were made inside the root, where the symlink points from there.
  CHECK(fs::is_directory(rootfs.Path() + canary.Path() + "/b/c"));
  CHECK(HostMounts() == host);
}

TEST_CASE("SetupRootfs: a symlinked /proc fails and its target is untouched", "[rootfs]") {
  cask::test::Rootfs rootfs;
  Canary canary;
  fs::remove_all(rootfs.Path() + "/proc");
  fs::create_symlink(Escape(canary), rootfs.Path() + "/proc");
  cask::Config config = BusyboxConfig(rootfs);
  auto host = HostMounts();
  ChildResult r = RunIsolated(config, false, [&] {
    cask::SetupRootfs(config, false, [] {});
    return std::string("set up");
  });
  INFO(r.report);
  CHECK(r.status == 3);
  CHECK(r.report.rfind("error\tmount\t" + std::to_string(ELOOP) + "\tmount proc on /proc: ", 0) ==
        0);
  CHECK(canary.Untouched());
  CHECK(fs::is_symlink(rootfs.Path() + "/proc"));
  CHECK(HostMounts() == host);
}

TEST_CASE("SetupRootfs: only procfs may be mounted at /proc", "[rootfs]") {
  cask::test::Rootfs rootfs;
  Canary source;
  cask::Config config = BusyboxConfig(rootfs);
  auto host = HostMounts();
  SECTION("a bind onto /proc") {
    config.mounts.push_back({source.Path(), "/proc", "bind", {"rbind"}});
  }
  SECTION("a tmpfs inside /proc") { config.mounts.push_back({"tmpfs", "/proc/sys", "tmpfs", {}}); }
  ChildResult r = RunIsolated(config, false, [&] {
    cask::SetupRootfs(config, false, [] {});
    return std::string("set up");
  });
  INFO(r.report);
  CHECK(r.status == 3);
  CHECK(r.report.rfind("error\tmount\t" + std::to_string(EPERM) + "\t", 0) == 0);
  CHECK(r.report.find("/proc") != std::string::npos);
  CHECK(HostMounts() == host);
}

TEST_CASE("SetupRootfs: masking uses the real null device", "[rootfs]") {
  cask::test::Rootfs rootfs;
  fs::create_directories(rootfs.Path() + "/dev");
  WriteFile(rootfs.Path() + "/dev/null", "not a device\n");
  cask::Config config = BusyboxConfig(rootfs);
  auto host = HostMounts();

  SECTION("a regular file at /dev/null in the rootfs is covered by the /dev tmpfs") {
    ChildResult r = RunIsolated(config, false, [&] {
      cask::SetupRootfs(config, false, [] {});
      return DeviceLine("/dev/null") + DeviceLine("/proc/timer_list") +
             ReadLine("/proc/timer_list");
    });
    INFO(r.report);
    REQUIRE(r.status == 0);
    CHECK(r.Has("dev\t/dev/null\tc 1:3 666"));
    CHECK(r.Has("dev\t/proc/timer_list\tc 1:3 666"));
    CHECK(r.Has("read\t/proc/timer_list\t0"));
  }
  SECTION("without a /dev tmpfs, the file at /dev/null makes the devices step fail") {
    std::erase_if(config.mounts, [](const cask::Mount& m) { return m.destination == "/dev"; });
    std::erase_if(config.mounts,
                  [](const cask::Mount& m) { return m.destination.rfind("/dev/", 0) == 0; });
    ChildResult r = RunIsolated(config, false, [&] {
      cask::SetupRootfs(config, false, [] {});
      return std::string("set up");
    });
    INFO(r.report);
    CHECK(r.status == 3);
    CHECK(r.report.rfind("error\tdevices\t", 0) == 0);
    CHECK(r.report.find("/dev/null") != std::string::npos);
  }
  SECTION("another device at /dev/null makes the masked paths step fail") {
    config.devices.push_back({"/dev/null", 'c', 1, 5, 0666, 0, 0});
    ChildResult r = RunIsolated(config, false, [&] {
      cask::SetupRootfs(config, false, [] {});
      return std::string("set up");
    });
    INFO(r.report);
    CHECK(r.status == 3);
    CHECK(r.report.rfind("error\tmasked paths\t" + std::to_string(ENODEV) + "\t", 0) == 0);
  }
  CHECK(HostMounts() == host);
}

TEST_CASE("SetupRootfs: in a user namespace devices are binds of the host's nodes", "[rootfs]") {
  cask::test::Rootfs rootfs;
  cask::Config config = BusyboxConfig(rootfs);
  config.devices.push_back({"/dev/fuse", 'c', 10, 229, 0666, 0, 0});
  auto host = HostMounts();
  ChildResult r = RunIsolated(config, true, [&] {
    cask::SetupRootfs(config, true, [] {});
    std::string out = MountLines() + WriteLine("/dev/null") + ReadLine("/dev/zero");
    for (const char* d : {"null", "zero", "full", "random", "urandom", "tty", "fuse"}) {
      out += DeviceLine(std::string("/dev/") + d);
    }
    return out + ReadLine("/proc/timer_list");
  });
  INFO(r.report);
  REQUIRE(r.status == 0);
  CHECK(r.Has("dev\t/dev/null\tc 1:3 666"));
  CHECK(r.Has("dev\t/dev/zero\tc 1:5 666"));
  CHECK(r.Has("dev\t/dev/tty\tc 5:0 666"));
  CHECK(r.report.find("dev\t/dev/fuse\tc 10:229 ") != std::string::npos);
  CHECK(HasMount(r, "/dev/null", "devtmpfs"));
  CHECK(HasMount(r, "/dev/fuse", "devtmpfs"));
  CHECK(r.Has("write\t/dev/null\t0"));
  CHECK(r.Has("read\t/dev/zero\t64"));
  CHECK(r.Has("read\t/proc/timer_list\t0"));
  CHECK(HasMount(r, "/proc", "proc"));
  CHECK(HostMounts() == host);
}

TEST_CASE("SetupRootfs: config devices get their mode, owner and group", "[rootfs]") {
  cask::test::Rootfs rootfs;
  cask::Config config = BusyboxConfig(rootfs);
  config.devices.push_back({"/dev/custom/loop-ctl", 'b', 7, 0, 0640, 12, 34});
  config.devices.push_back({"/dev/fifo", 'p', 0, 0, 0600, std::nullopt, std::nullopt});
  auto host = HostMounts();
  ChildResult r = RunIsolated(config, false, [&] {
    cask::SetupRootfs(config, false, [] {});
    struct stat st {};
    stat("/dev/custom/loop-ctl", &st);
    return DeviceLine("/dev/custom/loop-ctl") + DeviceLine("/dev/fifo") + "owner\t" +
           std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid) + "\n";
  });
  INFO(r.report);
  REQUIRE(r.status == 0);
  CHECK(r.Has("dev\t/dev/custom/loop-ctl\tb 7:0 640"));
  CHECK(r.Has("dev\t/dev/fifo\tp 0:0 600"));
  CHECK(r.Has("owner\t12:34"));
  CHECK(HostMounts() == host);
}

TEST_CASE("Sysctls and /proc writes check that they reach procfs", "[rootfs]") {
  cask::test::Rootfs rootfs;
  cask::Config config = BusyboxConfig(rootfs);
  config.namespaces.push_back({cask::NamespaceType::kUts, ""});
  config.sysctl["kernel.hostname"] = "cask-sysctl";
  auto host = HostMounts();
  ChildResult r = RunIsolated(config, false, [&] {
    cask::SetupRootfs(config, false, [] {});
    char name[64] = {};
    gethostname(name, sizeof(name));
    std::string out = std::string("hostname\t") + name + "\n";
    try {
      cask::ApplySysctl({{"kernel/../../x", "1"}});
      out += "bad key accepted\n";
    } catch (const cask::StepError& e) {
      out += "bad key\t" + e.step() + "\n";
    }
    cask::WriteProcFile("self/oom_score_adj", "500");
    out += "oom\t";
    std::ifstream oom("/proc/self/oom_score_adj");
    std::string value;
    oom >> value;
    out += value + "\n";
    // A plain file bound over a /proc file is refused.
    WriteFile("/dev/shm/fake", "");
    if (mount("/dev/shm/fake", "/proc/self/oom_score_adj", nullptr, MS_BIND, nullptr) < 0) {
      return out + "bind failed\n";
    }
    try {
      cask::WriteProcFile("self/oom_score_adj", "0");
      out += "fake accepted\n";
    } catch (const cask::StepError& e) {
      out += "fake\t" + std::to_string(e.error()) + "\n";
    }
    return out;
  });
  INFO(r.report);
  REQUIRE(r.status == 0);
  CHECK(r.Has("hostname\tcask-sysctl"));
  CHECK(r.Has("bad key\tsysctl"));
  CHECK(r.Has("oom\t500"));
  CHECK(r.Has("fake\t" + std::to_string(EXDEV)));
  CHECK(HostMounts() == host);
}
