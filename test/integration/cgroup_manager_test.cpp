// The cgroup manager on this machine's real cgroups, with real processes. Every cgroup
// is made under the caller's own ones, with a unique name holding "cask", and removed.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <thread>

#include "cask/error.hpp"
#include "cask/stats_json.hpp"
#include "cgroup/fs.hpp"
#include "cgroup/hierarchy.hpp"
#include "cgroup/manager.hpp"
#include "cgroup/parse.hpp"
#include "cgroup/v2.hpp"
#include "cgroup_testing.hpp"
#include "eventually.hpp"
#include "harness.hpp"
#include "subreaper.hpp"

namespace cask::cgroup {
namespace {

using namespace std::chrono_literals;

std::string UniqueName() {
  static int n = 0;
  return "cask-test-" + std::to_string(getpid()) + "-" + std::to_string(n++);
}

using test::Eventually;
using test::Trimmed;

struct Shared {
  std::atomic<uint64_t> counter{0};
  std::atomic<pid_t> grandchild{0};
  std::atomic<bool> go{false};
};

// A forked process running `body` on memory shared with the test; killed and reaped
// at the end of the test if it is still there.
class Child {
 public:
  explicit Child(void (*body)(Shared*)) {
    void* mem =
        mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(mem != MAP_FAILED);
    shared_ = new (mem) Shared;
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      body(shared_);
      _exit(0);
    }
  }
  ~Child() {
    for (pid_t pid : {pid_, shared_->grandchild.load()}) {
      if (pid > 0 && kill(pid, SIGKILL) == 0) waitpid(pid, nullptr, 0);
    }
    munmap(shared_, sizeof(Shared));
  }
  pid_t pid() const { return pid_; }
  Shared& shared() { return *shared_; }

 private:
  ScopedSubreaper subreaper_;  // grandchildren are reparented to us: the test reaps them
  pid_t pid_ = -1;
  Shared* shared_ = nullptr;
};

void Count(Shared* s) {
  while (true) {
    ++s->counter;
    usleep(1000);
  }
}

void CountWithGrandchild(Shared* s) {
  pid_t pid = fork();
  if (pid == 0) {
    while (true) pause();
  }
  s->grandchild = pid;
  Count(s);
}

// Waits for `go`, then touches memory until the OOM killer ends it.
void Allocate(Shared* s) {
  while (!s->go) usleep(1000);
  constexpr size_t kChunk = 1 << 20;
  for (int i = 0; i < 1024; ++i) {
    void* p = mmap(nullptr, kChunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) _exit(2);
    for (size_t b = 0; b < kChunk; b += 4096) static_cast<char*>(p)[b] = 1;
    ++s->counter;
  }
  _exit(3);
}

// The signal that ended `pid`, waiting up to 5 s; 0 if it did not die of one.
int TermSignal(pid_t pid) {
  int status = 0;
  bool reaped = Eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; });
  return reaped && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

// The directories cgroup `path` would have, in every hierarchy.
std::vector<std::string> ExpectedDirs(const std::string& path) {
  std::vector<std::string> dirs;
  for (const auto& h : DiscoverHierarchies()) dirs.push_back(ResolvePath(h, path));
  return dirs;
}

bool NoneExists(const std::vector<std::string>& dirs) {
  for (const auto& d : dirs) {
    if (Exists(d)) return false;
  }
  return true;
}

TEST_CASE("cgroup manager places processes, lists them and removes everything") {
  std::string name = UniqueName();
  auto m = Manager::Create(name, {});
  DestroyGuard guard{m.get()};
  auto paths = m->Paths();
  std::vector<std::string> dirs;
  for (const auto& [key, dir] : paths) {
    CHECK(Exists(dir));
    CHECK(dir.ends_with("/" + name));
    dirs.push_back(dir);
  }
  REQUIRE(paths.count("memory") == 1);
  // The caller's own memory cgroup is where a relative path starts.
  for (const auto& h : DiscoverHierarchies()) {
    if (h.controllers == std::vector<std::string>{"memory"}) {
      CHECK(paths["memory"] == h.mount + (h.own == "/" ? "" : h.own) + "/" + name);
    }
  }

  Child child(CountWithGrandchild);
  REQUIRE(Eventually([&] { return child.shared().grandchild != 0; }));
  pid_t grandchild = child.shared().grandchild;
  m->Apply(child.pid());
  CHECK(m->Pids() == std::vector<pid_t>{child.pid()});
  CHECK(ReadFile("/proc/" + std::to_string(child.pid()) + "/cgroup").find("/" + name) !=
        std::string::npos);

  // The grandchild, forked before Apply, is outside until moved into a sub-cgroup.
  for (const auto& dir : dirs) {
    MakeDirs(dir + "/sub");
    if (dir.ends_with("cpuset/" + name)) {
      WriteFile(dir + "/sub/cpuset.cpus", ReadFile(dir + "/cpuset.cpus"));
      WriteFile(dir + "/sub/cpuset.mems", ReadFile(dir + "/cpuset.mems"));
    }
    WriteFile(dir + "/sub/cgroup.procs", std::to_string(grandchild));
  }
  auto expected = std::vector<pid_t>{child.pid(), grandchild};
  std::sort(expected.begin(), expected.end());
  CHECK(m->Pids() == expected);

  m->KillAll();
  CHECK(TermSignal(child.pid()) == SIGKILL);
  CHECK(TermSignal(grandchild) == SIGKILL);
  CHECK(Eventually([&] { return m->Pids().empty(); }));

  m->Destroy();
  for (const auto& dir : dirs) CHECK_FALSE(Exists(dir));
  m->Destroy();
}

TEST_CASE("cgroup manager sets limits and reads them back") {
  std::string name = UniqueName();
  Resources r;
  r.memory.emplace().limit = 64 << 20;
  r.pids.emplace().limit = 32;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  auto m = Manager::Create(name, r);
  DestroyGuard guard{m.get()};
  auto paths = m->Paths();
  CHECK(Trimmed(paths["memory"] + "/memory.limit_in_bytes") == std::to_string(64 << 20));
  CHECK(Trimmed(paths["pids"] + "/pids.max") == "32");
  CHECK(Trimmed(paths["cpu"] + "/cpu.shares") == "512");
  CHECK(Trimmed(paths["cpu"] + "/cpu.cfs_quota_us") == "50000");
  CHECK(Trimmed(paths["cpu"] + "/cpu.cfs_period_us") == "100000");

  // An update leaves what it does not name alone.
  Resources update;
  update.memory.emplace().limit = 128 << 20;
  update.pids.emplace().limit = 0;
  m->Set(update);
  CHECK(Trimmed(paths["memory"] + "/memory.limit_in_bytes") == std::to_string(128 << 20));
  CHECK(Trimmed(paths["pids"] + "/pids.max") == "max");
  CHECK(Trimmed(paths["cpu"] + "/cpu.shares") == "512");

  Child child(Count);
  m->Apply(child.pid());
  REQUIRE(Eventually([&] { return child.shared().counter > 10; }));
  Stats stats = m->GetStats();
  REQUIRE(stats.memory);
  CHECK(stats.memory->limit == uint64_t{128 << 20});
  CHECK(stats.memory->usage.has_value());
  CHECK(stats.memory->stat.count("rss") == 1);
  REQUIRE(stats.pids);
  CHECK(stats.pids->current == 1u);
  CHECK(stats.pids->limit == kUnlimited);
  REQUIRE(stats.cpu);
  CHECK(stats.cpu->usage_total_ns > 0u);
  CHECK(stats.cpu->usage_per_cpu_ns.size() == static_cast<size_t>(sysconf(_SC_NPROCESSORS_CONF)));
  CHECK(stats.cpu->periods.has_value());
  CHECK(ToJson(stats)["pids"]["current"] == 1);

  // GetUsage: the run report's few fields, as GetStats reads them, and nothing more.
  m->Freeze();  // the counters stand still between the two reads
  stats = m->GetStats();
  Stats usage = m->GetUsage();
  REQUIRE(usage.cpu);
  CHECK(usage.cpu->usage_total_ns == stats.cpu->usage_total_ns);
  CHECK(usage.cpu->usage_user_ns == stats.cpu->usage_user_ns);
  CHECK(usage.cpu->usage_system_ns == stats.cpu->usage_system_ns);
  CHECK(usage.cpu->usage_per_cpu_ns.empty());
  REQUIRE(usage.memory);
  CHECK(usage.memory->max_usage == stats.memory->max_usage);
  CHECK(usage.memory->stat.empty());
  REQUIRE(usage.pids);
  CHECK(usage.pids->peak == stats.pids->peak);
  CHECK_FALSE(usage.pids->current);
  CHECK(usage.block_io.empty());
  m->Thaw();
}

TEST_CASE("cgroup manager refuses a bad value, naming the file, and leaves nothing") {
  std::string name = UniqueName();
  std::string path = name + "/inner";
  Resources r;
  r.cpu.emplace().cpus = "999";
  try {
    Manager::Create(path, r);
    FAIL("Create accepted cpuset.cpus 999");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("cpuset.cpus") && Catch::Contains("999"));
  }
  CHECK(NoneExists(ExpectedDirs(path)));
  CHECK(NoneExists(ExpectedDirs(name)));

  r = {};
  r.memory.emplace().swappiness = 1000;
  CHECK_THROWS_WITH(Manager::Create(name, r), Catch::Contains("memory.swappiness"));
  CHECK(NoneExists(ExpectedDirs(name)));
}

TEST_CASE("cgroup manager makes missing parents and removes them with the cgroup") {
  const std::string top = UniqueName();
  auto m = Manager::Create(top + "/middle/leaf", {});
  DestroyGuard guard{m.get()};
  auto paths = m->Paths();
  for (const auto& [key, dir] : paths) CHECK(Exists(dir));
  m->Destroy();
  for (const auto& [key, dir] : paths) {
    INFO(dir);
    std::string parent = dir.substr(0, dir.rfind("/middle/leaf"));
    CHECK_FALSE(Exists(dir));
    CHECK_FALSE(Exists(parent));  // made by Create, so removed by Destroy
  }
}

TEST_CASE("cgroup manager refuses a cgroup in use") {
  std::string name = UniqueName();
  auto m = Manager::Create(name, {});
  DestroyGuard guard{m.get()};
  Child child(Count);
  m->Apply(child.pid());
  CHECK_THROWS_WITH(Manager::Create(name, {}),
                    Catch::Contains(name) && Catch::Contains("processes"));
  // The refusal did not touch the cgroup in use.
  CHECK(m->Pids() == std::vector<pid_t>{child.pid()});

  std::string empty = UniqueName();
  auto frozen = Manager::Create(empty, {});
  DestroyGuard frozen_guard{frozen.get()};
  frozen->Freeze();
  CHECK_THROWS_WITH(Manager::Create(empty, {}),
                    Catch::Contains(empty) && Catch::Contains("frozen"));
  frozen->Thaw();
  // An empty, thawed cgroup may be taken over.
  auto again = Manager::Create(empty, {});
  CHECK(again->Paths() == frozen->Paths());
}

TEST_CASE("cgroup manager freezes and thaws") {
  auto m = Manager::Create(UniqueName(), {});
  DestroyGuard guard{m.get()};
  Child child(Count);
  m->Apply(child.pid());
  REQUIRE(Eventually([&] { return child.shared().counter > 5; }));
  CHECK_FALSE(m->Frozen());
  m->Freeze();
  CHECK(m->Frozen());
  CHECK(Trimmed(m->Paths()["freezer"] + "/freezer.state") == "FROZEN");
  uint64_t stopped = child.shared().counter;
  std::this_thread::sleep_for(100ms);
  CHECK(child.shared().counter == stopped);
  m->Thaw();
  CHECK_FALSE(m->Frozen());
  CHECK(Eventually([&] { return child.shared().counter > stopped + 5; }));
}

TEST_CASE("cgroup manager reattaches to recorded paths") {
  std::string name = UniqueName();
  auto m = Manager::Create(name, {});
  DestroyGuard guard{m.get()};
  auto loaded = Manager::Load(m->Paths());
  CHECK(loaded->Paths() == m->Paths());
  Child child(Count);
  loaded->Apply(child.pid());
  CHECK(m->Pids() == std::vector<pid_t>{child.pid()});
  loaded->Destroy();
  CHECK(TermSignal(child.pid()) == SIGKILL);
  CHECK(NoneExists(ExpectedDirs(name)));
}

TEST_CASE("cgroup manager reports an OOM kill") {
  std::string name = UniqueName();
  Resources r;
  r.memory.emplace().limit = 32 << 20;
  auto m = Manager::Create(name, r);
  DestroyGuard guard{m.get()};
  // Without a swap limit the child could swap instead of being killed.
  if (Exists(m->Paths()["memory"] + "/memory.memsw.limit_in_bytes")) {
    r.memory->swap = 32 << 20;
    m->Set(r);
  }
  unique_fd oom = m->OomEventFd();
  uint64_t before = m->OomKillCount();
  Child child(Allocate);
  m->Apply(child.pid());
  child.shared().go = true;
  pollfd p{oom.get(), POLLIN, 0};
  REQUIRE(poll(&p, 1, 10000) == 1);
  uint64_t events = 0;
  CHECK(read(oom.get(), &events, sizeof events) == sizeof events);
  CHECK(events >= 1);
  CHECK(TermSignal(child.pid()) == SIGKILL);
  CHECK(m->OomKillCount() > before);
  CHECK(child.shared().counter < 32);
}

TEST_CASE("cgroup v2 manager on the unified hierarchy") {
  auto hierarchies = DiscoverHierarchies();
  const Hierarchy* v2 = FindHierarchy(hierarchies, true);
  if (!v2) {
    WARN("no cgroup2 hierarchy; skipped");
    return;
  }
  std::string name = UniqueName();
  auto m = V2Manager::Create(*v2, "unified", name, {});
  DestroyGuard guard{m.get()};
  std::string dir = m->Paths()["unified"];
  CHECK(dir == ResolvePath(*v2, name));
  CHECK(Exists(dir));

  Child child(Count);
  m->Apply(child.pid());
  CHECK(m->Pids() == std::vector<pid_t>{child.pid()});
  REQUIRE(Eventually([&] { return child.shared().counter > 5; }));

  m->Freeze();
  CHECK(m->Frozen());
  CHECK(ParseFlatKeyed(ReadFile(dir + "/cgroup.events"), "cgroup.events")["frozen"] == 1);
  uint64_t stopped = child.shared().counter;
  std::this_thread::sleep_for(100ms);
  CHECK(child.shared().counter == stopped);
  m->Thaw();
  CHECK_FALSE(m->Frozen());
  CHECK(Eventually([&] { return child.shared().counter > stopped + 5; }));

  REQUIRE(Exists(dir + "/cgroup.kill"));
  m->KillAll();
  CHECK(TermSignal(child.pid()) == SIGKILL);
  m->Destroy();
  CHECK_FALSE(Exists(dir));
}

}  // namespace
}  // namespace cask::cgroup
