// The eBPF device program on the real cgroup2 hierarchy (on this hybrid host, the one
// at /sys/fs/cgroup/unified, where device programs attach although it has no
// controllers): a process moved into the cgroup opens devices, and the test sees which
// opens the program refused.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>

#include "cgroup/fs.hpp"
#include "cgroup_testing.hpp"
#include "cgroup/hierarchy.hpp"
#include "cgroup/manager.hpp"
#include "cgroup/v2.hpp"
#include "cgroup/v2_devices.hpp"

namespace cask::cgroup {
namespace {

struct Open {
  const char* path;
  int flags;
};
constexpr std::array<Open, 5> kOpens = {{
    {"/dev/null", O_RDWR},
    {"/dev/null", O_RDONLY},
    {"/dev/zero", O_RDWR},
    {"/dev/zero", O_RDONLY},
    {"/dev/full", O_RDONLY},
}};
using Errnos = std::array<int, kOpens.size()>;

// A forked process that, each time it is asked, tries kOpens and reports each errno
// (0 for success). It ends when the test closes its end of the pipe.
class Opener {
 public:
  Opener() {
    REQUIRE(pipe2(ask_, O_CLOEXEC) == 0);
    REQUIRE(pipe2(answer_, O_CLOEXEC) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      // Without our copies of the test's ends, the test closing them is an EOF here.
      close(ask_[1]);
      close(answer_[0]);
      char byte;
      while (read(ask_[0], &byte, 1) == 1) {
        Errnos errnos{};
        for (size_t i = 0; i < kOpens.size(); ++i) {
          int fd = open(kOpens[i].path, kOpens[i].flags | O_CLOEXEC);
          errnos[i] = fd < 0 ? errno : 0;
          if (fd >= 0) close(fd);
        }
        if (write(answer_[1], &errnos, sizeof errnos) != sizeof errnos) _exit(1);
      }
      _exit(0);
    }
  }
  ~Opener() {
    for (int fd : {ask_[0], ask_[1], answer_[0], answer_[1]}) close(fd);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  Errnos Try() {
    Errnos errnos{};
    REQUIRE(write(ask_[1], "?", 1) == 1);
    REQUIRE(read(answer_[0], &errnos, sizeof errnos) == sizeof errnos);
    return errnos;
  }

 private:
  int ask_[2] = {-1, -1};
  int answer_[2] = {-1, -1};
  pid_t pid_ = -1;
};

DeviceRule Rule(bool allow, char type, int64_t major, int64_t minor, const char* access) {
  return {.allow = allow, .type = type, .major = major, .minor = minor, .access = access};
}

TEST_CASE("cgroup v2 device program denies and allows opens and is replaced on update",
          "[cgroup]") {
  auto hierarchies = DiscoverHierarchies();
  const Hierarchy* v2 = FindHierarchy(hierarchies, true);
  if (!v2) {
    WARN("no cgroup2 hierarchy; skipped");
    return;
  }
  std::string name = "cask-test-devices-" + std::to_string(getpid());
  Resources deny_null;
  deny_null.devices = {Rule(true, 'a', -1, -1, "rwm"), Rule(false, 'c', 1, 3, "rwm")};
  auto m = V2Manager::Create(*v2, "unified", name, deny_null);
  DestroyGuard guard{m.get()};

  Opener opener;
  m->Apply(opener.pid());
  CHECK(opener.Try() == Errnos{EPERM, EPERM, 0, 0, 0});

  // The new list replaces the old program: were both attached, nothing would open.
  Resources only_null;
  only_null.devices = {Rule(false, 'a', -1, -1, "rwm"), Rule(true, 'c', 1, 3, "rwm")};
  m->Set(only_null);
  CHECK(opener.Try() == Errnos{0, 0, EPERM, EPERM, EPERM});

  Resources null_read_only;
  null_read_only.devices = {Rule(false, 'a', -1, -1, "rwm"), Rule(true, 'c', 1, 3, "r"),
                            Rule(true, 'c', -1, 5, "rw")};
  m->Set(null_read_only);
  CHECK(opener.Try() == Errnos{EPERM, 0, 0, 0, EPERM});

  // Resources without devices leave the program alone.
  m->Set({});
  CHECK(opener.Try() == Errnos{EPERM, 0, 0, 0, EPERM});

  // A deny after the allows narrows one device: null is read-only, zero too.
  Resources narrowed;
  narrowed.devices = {Rule(false, 'a', -1, -1, "rwm"), Rule(true, 'c', 1, 3, "rwm"), Rule(true, 'c', 1, 5, "r"),
                      Rule(false, 'c', 1, 3, "w")};
  m->Set(narrowed);
  CHECK(opener.Try() == Errnos{EPERM, 0, EPERM, 0, EPERM});
  Resources only_full;
  only_full.devices = {Rule(false, 'a', -1, -1, "rwm"), Rule(true, 'c', 1, 7, "rw")};
  m->Set(only_full);
  CHECK(opener.Try() == Errnos{EPERM, EPERM, EPERM, EPERM, 0});
}

TEST_CASE("cgroup v2 device program replaced while a process opens devices never lets a denied one through",
          "[cgroup]") {
  auto hierarchies = DiscoverHierarchies();
  const Hierarchy* v2 = FindHierarchy(hierarchies, true);
  if (!v2) {
    WARN("no cgroup2 hierarchy; skipped");
    return;
  }
  // Both lists deny /dev/full; they differ elsewhere, so each Set replaces the program.
  Resources only_null, only_zero;
  only_null.devices = {Rule(false, 'a', -1, -1, "rwm"), Rule(true, 'c', 1, 3, "rwm")};
  only_zero.devices = {Rule(false, 'a', -1, -1, "rwm"), Rule(true, 'c', 1, 5, "rwm")};
  auto m = V2Manager::Create(*v2, "unified", "cask-test-devices-swap-" + std::to_string(getpid()), only_null);
  DestroyGuard guard{m.get()};
  int go[2], started[2], stop[2], counts[2];
  REQUIRE(pipe2(go, O_CLOEXEC) == 0);
  REQUIRE(pipe2(started, O_CLOEXEC) == 0);
  REQUIRE(pipe2(stop, O_CLOEXEC | O_NONBLOCK) == 0);
  REQUIRE(pipe2(counts, O_CLOEXEC) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(1);
    uint64_t tally[2] = {0, 0};  // attempts, opens that got through
    do {
      const int fd = open("/dev/full", O_RDONLY | O_CLOEXEC);
      ++tally[0];
      if (fd >= 0) ++tally[1], close(fd);
      // The first attempt is made before the replacing starts: under load, the child
      // was once first scheduled after all 40 of them and the stop.
      if (tally[0] == 1 && write(started[1], "s", 1) != 1) _exit(1);
    } while (read(stop[0], &byte, 1) != 1);
    _exit(write(counts[1], tally, sizeof tally) == sizeof tally ? 0 : 1);
  }
  m->Apply(child);
  REQUIRE(write(go[1], "g", 1) == 1);
  char byte;
  REQUIRE(read(started[0], &byte, 1) == 1);
  for (int i = 0; i < 40; ++i) m->Set(i % 2 ? only_null : only_zero);
  REQUIRE(write(stop[1], "s", 1) == 1);
  uint64_t tally[2] = {0, 0};
  CHECK(read(counts[0], tally, sizeof tally) == sizeof tally);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  for (int fd : {go[0], go[1], started[0], started[1], stop[0], stop[1], counts[0], counts[1]}) close(fd);
  CHECK(tally[0] > 0);
  CHECK(tally[1] == 0);
}

TEST_CASE("cgroup v2 device program refused by the verifier comes with its log", "[cgroup]") {
  auto hierarchies = DiscoverHierarchies();
  const Hierarchy* v2 = FindHierarchy(hierarchies, true);
  if (!v2) {
    WARN("no cgroup2 hierarchy; skipped");
    return;
  }
  std::string name = "cask-test-devices-bad-" + std::to_string(getpid());
  auto m = V2Manager::Create(*v2, "unified", name, {});
  DestroyGuard guard{m.get()};
  // Exits without setting r0.
  bpf_insn exit{};
  exit.code = BPF_JMP | BPF_EXIT;
  CHECK_THROWS_WITH(
      AttachDeviceProgram(m->dir(), {exit}),
      Catch::Contains(m->dir()) && Catch::Contains("the verifier says") && Catch::Contains("R0"));
}

// The exceptions as the v1 kernel lists them in devices.list.
std::string ListOf(const DeviceFilter& filter) {
  auto number = [](int64_t n) { return n < 0 ? std::string("*") : std::to_string(n); };
  std::string list;
  for (const auto& e : filter.exceptions) {
    list += std::string(1, e.type) + " " + number(e.major) + ":" + number(e.minor) + " ";
    if (e.access & BPF_DEVCG_ACC_READ) list += "r";
    if (e.access & BPF_DEVCG_ACC_WRITE) list += "w";
    if (e.access & BPF_DEVCG_ACC_MKNOD) list += "m";
    list += "\n";
  }
  return list;
}

// The reduction the program is built from against the real v1 kernel, where it shows:
// under a default deny, devices.list holds the exceptions.
TEST_CASE("device rules reduce as the v1 devices controller reduces them", "[cgroup]") {
  const DeviceRule deny_all = Rule(false, 'a', -1, -1, "rwm");
  const std::vector<std::vector<DeviceRule>> lists = {
      {deny_all, Rule(true, 'c', 1, 3, "r"), Rule(true, 'c', 1, 3, "w")},
      {deny_all, Rule(true, 'c', -1, -1, "r"), Rule(true, 'c', 1, 3, "w")},
      {deny_all, Rule(true, 'c', 1, 3, "rwm"), Rule(false, 'c', 1, 3, "w")},
      {deny_all, Rule(true, 'c', -1, -1, "rwm"), Rule(false, 'c', 1, 3, "rwm")},
      {deny_all, Rule(true, 'c', 1, 3, "rwm"), Rule(true, 'a', -1, -1, "m"), deny_all,
       Rule(true, 'b', 8, -1, "rw")},
  };
  for (size_t i = 0; i < lists.size(); ++i) {
    INFO("list " << i);
    Resources resources;
    resources.devices = lists[i];
    auto m = Manager::Create("cask-test-devices-v1-" + std::to_string(getpid()), resources);
    auto paths = m->Paths();
    bool v1 = paths.count("devices") != 0;
    std::string list = v1 ? ReadFile(paths["devices"] + "/devices.list") : "";
    m->Destroy();
    if (!v1) {
      WARN("no v1 devices controller; skipped");
      return;
    }
    CHECK(list == ListOf(ReduceDeviceRules(lists[i])));
  }
}

}  // namespace
}  // namespace cask::cgroup
