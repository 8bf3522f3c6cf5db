// A container's cgroups on the host's real controllers (v1 here, v2 in
// scripts/test-cgroup2's VM): limits reach the files and act on the payload, Update,
// Stats, Pause and Resume, OOM events, Processes().
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "eventually.hpp"
#include "harness.hpp"

using cask::test::Eventually;
using cask::test::Harness;
using cask::test::NewId;
using cask::test::Trimmed;
using namespace std::chrono_literals;

namespace {

// Starts `args` in a new container with `config`; the process's stdout is a pipe.
cask::Container StartContainer(Harness& h, cask::Config config, std::vector<std::string> args,
                               cask::Process& process) {
  process = cask::Process(config.process);
  process.args = std::move(args);
  process.out = cask::Stdio::Pipe();
  return h.factory().Run(NewId("res"), config, process);
}

// The count that `probe count` writes, read through the container's root.
uint64_t ReadCount(const cask::Container& container, const std::string& path) {
  std::string text = Trimmed("/proc/" + std::to_string(container.State().init_pid) + "/root" + path);
  auto start = text.find_first_not_of(' ');
  return start == std::string::npos ? 0 : std::stoull(text.substr(start));
}

}  // namespace

TEST_CASE("configured limits reach the container's cgroup files", "[cgroup]") {
  Harness h;
  const bool v2 = cask::test::UnifiedHost();
  cask::Config config = h.BaseConfig();
  auto& r = config.cgroup.resources;
  r.memory.emplace();
  r.memory->limit = 96 << 20;
  r.memory->reservation = 64 << 20;
  if (!v2) {
    r.memory->swappiness = 10;
    r.memory->disable_oom_killer = true;
  }
  r.cpu.emplace();
  r.cpu->shares = 256;
  r.cpu->quota = 20000;
  r.cpu->period = 50000;
  r.cpu->burst = 10000;
  r.cpu->cpus = "0";
  r.pids.emplace().limit = 40;
  // A raw file after the typed fields: it wins over memory.low, which it repeats.
  r.unified[v2 ? "memory.low" : "memory.soft_limit_in_bytes"] = std::to_string(48 << 20);
  if (v2) {
    r.unified["memory.high"] = std::to_string(80 << 20);
    r.unified["memory.min"] = std::to_string(16 << 20);
    r.unified["memory.oom.group"] = "1";
    r.block_io.emplace().weight = 500;
    r.hugepage_limits.push_back({"2MB", 4 << 20});
  }
  cask::Process process;
  cask::ScopedContainer c(StartContainer(h, config, {"/probe", "sleep", "30"}, process));
  auto paths = c->State().cgroup_paths;
  if (v2) {
    const std::string& dir = paths.at("");
    CHECK(Trimmed(dir + "/memory.max") == std::to_string(96 << 20));
    CHECK(Trimmed(dir + "/memory.low") == std::to_string(48 << 20));
    CHECK(Trimmed(dir + "/memory.high") == std::to_string(80 << 20));
    CHECK(Trimmed(dir + "/cpu.weight") == "10");  // shares 256, as runc converts them
    CHECK(Trimmed(dir + "/cpu.max") == "20000 50000");
    CHECK(Trimmed(dir + "/cpu.max.burst") == "10000");
    CHECK(Trimmed(dir + "/memory.min") == std::to_string(16 << 20));
    CHECK(Trimmed(dir + "/memory.oom.group") == "1");
    CHECK(Trimmed(dir + "/io.weight") == "default 4950");  // blkio weight 500, as runc converts it
    CHECK(Trimmed(dir + "/hugetlb.2MB.max") == std::to_string(4 << 20));
    CHECK(Trimmed(dir + "/hugetlb.2MB.rsvd.max") == std::to_string(4 << 20));
    CHECK(Trimmed(dir + "/cpuset.cpus") == "0");
    CHECK(Trimmed(dir + "/pids.max") == "40");
  } else {
    CHECK(Trimmed(paths["memory"] + "/memory.limit_in_bytes") == std::to_string(96 << 20));
    CHECK(Trimmed(paths["memory"] + "/memory.soft_limit_in_bytes") == std::to_string(48 << 20));
    CHECK(Trimmed(paths["memory"] + "/memory.swappiness") == "10");
    CHECK(Trimmed(paths["memory"] + "/memory.oom_control").find("oom_kill_disable 1") != std::string::npos);
    CHECK(Trimmed(paths["cpu"] + "/cpu.shares") == "256");
    CHECK(Trimmed(paths["cpu"] + "/cpu.cfs_quota_us") == "20000");
    CHECK(Trimmed(paths["cpu"] + "/cpu.cfs_period_us") == "50000");
    CHECK(Trimmed(paths["cpu"] + "/cpu.cfs_burst_us") == "10000");
    CHECK(Trimmed(paths["cpuset"] + "/cpuset.cpus") == "0");
    CHECK(Trimmed(paths["pids"] + "/pids.max") == "40");
  }
  // The payload sits in them.
  std::string procs = Trimmed(cask::test::CgroupDir(paths, "memory") + "/cgroup.procs");
  CHECK(procs == std::to_string(c->State().init_pid));
}

TEST_CASE("an idle cpu group is set and Update takes it back", "[cgroup]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.cgroup.resources.cpu.emplace().idle = 1;
  cask::Process process;
  cask::ScopedContainer c(StartContainer(h, config, {"/probe", "sleep", "30"}, process));
  const std::string idle = cask::test::CgroupDir(c->State().cgroup_paths, "cpu") + "/cpu.idle";
  CHECK(Trimmed(idle) == "1");
  cask::Resources update;
  update.cpu.emplace().idle = 0;
  c->Update(update);
  CHECK(Trimmed(idle) == "0");
  CHECK(c->State().config.cgroup.resources.cpu->idle == 0);
}

TEST_CASE("memory.oom.group kills the whole container at its first OOM, where without it the hog alone dies",
          "[cgroup]") {
  if (!cask::test::UnifiedHost()) {
    WARN("memory.oom.group is cgroup v2's; skipped");
    return;
  }
  Harness h;
  for (const bool group : {false, true}) {
    INFO("oom.group " << group);
    cask::Config config = h.BaseConfig();
    auto& memory = config.cgroup.resources.memory.emplace();
    memory.limit = 32 << 20;
    memory.swap = 32 << 20;
    if (group) config.cgroup.resources.unified["memory.oom.group"] = "1";
    auto result = h.Run(config, {"/bin/sh", "-c", "/probe sleep 100 & /probe hog 256; echo shell-alive"});
    INFO(result.out << result.err);
    if (group) {
      CHECK(result.status.signal == SIGKILL);
      CHECK(result.out.find("shell-alive") == std::string::npos);
    } else {
      CHECK(result.status.code == 0);
      CHECK(result.out.find("shell-alive") != std::string::npos);
    }
  }
}

TEST_CASE("settings that cgroup v2 lacks are refused by name at create and leave nothing", "[cgroup]") {
  if (!cask::test::UnifiedHost()) {
    WARN("a v1 host has them all; skipped");
    return;
  }
  Harness h;
  auto refused = [&](const std::function<void(cask::Resources&)>& set, const std::string& words) {
    cask::Config config = h.BaseConfig();
    set(config.cgroup.resources);
    const std::string id = NewId("v1only");
    CHECK_THROWS_WITH(h.factory().Create(id, config), Catch::Contains(words));
    CHECK(h.factory().List().empty());
    CHECK_FALSE(std::filesystem::exists(h.state_root() + "/" + id));
  };
  refused([](cask::Resources& r) { r.memory.emplace().swappiness = 10; }, "memory swappiness: no such setting on cgroup v2");
  refused([](cask::Resources& r) { r.memory.emplace().disable_oom_killer = true; }, "disabling the OOM killer");
  refused([](cask::Resources& r) { r.cpu.emplace().realtime_runtime = 1000; }, "realtime cpu limits");
  // The suite's leftover check finds any cgroup directory named after the containers.
}

TEST_CASE("block io throttles and device rules reach the files and act on the payload", "[cgroup]") {
  Harness h;
  const bool v2 = cask::test::UnifiedHost();
  cask::test::LoopDevice disk(64 << 20);
  const int64_t maj = disk.Major(), min = disk.Minor();
  cask::Config config = h.BaseConfig();
  config.devices.push_back({"/dev/disk", 'b', maj, min, 0600, 0, 0});
  auto& io = config.cgroup.resources.block_io.emplace();
  constexpr int64_t kRate = 2 << 20;  // bytes a second
  io.throttle_write_bps_device.push_back({maj, min, kRate});
  io.throttle_read_iops_device.push_back({maj, min, 5000});
  config.cgroup.resources.devices.push_back({false, 'c', 1, 3, "rwm"});  // then /dev/null is denied
  cask::Process process;
  // 8 MiB written past the page cache at 2 MiB/s: about 4 s by /proc/uptime's clock.
  cask::ScopedContainer c(StartContainer(
      h, config,
      {"/bin/sh", "-c", "read a _ < /proc/uptime; dd if=/dev/zero of=/dev/disk bs=64k count=128 oflag=direct 2>/dev/zero;"
                        "read b _ < /proc/uptime; echo $a $b;"
                        "{ echo x > /dev/null; } 2>/dev/zero; echo null=$?; echo x > /dev/zero; echo zero=$?"},
      process));
  std::istringstream out(cask::test::ReadAll(process.OutPipe()));
  CHECK(process.Wait().code == 0);
  double start = 0, end = 0;
  std::string null_line, zero_line;
  out >> start >> end >> null_line >> zero_line;
  CHECK(null_line == "null=1");
  CHECK(zero_line == "zero=0");
  // The first 64 KiB go at once; the rest at the rate, give or take 20%.
  const double expected = double((8 << 20) - (64 << 10)) / kRate;
  CHECK(end - start > expected * 0.8);
  CHECK(end - start < expected * 1.2);
  auto paths = c->State().cgroup_paths;
  const std::string device = std::to_string(maj) + ":" + std::to_string(min);
  if (v2) {
    CHECK(Trimmed(paths.at("") + "/io.max") == device + " rbps=max wbps=" + std::to_string(kRate) + " riops=5000 wiops=max");
  } else {
    CHECK(Trimmed(paths["blkio"] + "/blkio.throttle.write_bps_device") == device + " " + std::to_string(kRate));
    CHECK(Trimmed(paths["blkio"] + "/blkio.throttle.read_iops_device") == device + " 5000");
    CHECK(Trimmed(paths["devices"] + "/devices.list").find("c 1:3") == std::string::npos);
  }
  // The direct writes were counted against the device.
  cask::Stats stats = c->Stats();
  auto it = std::find_if(stats.block_io.begin(), stats.block_io.end(),
                         [&](const cask::BlockIoStats& d) { return d.major == maj && d.minor == min; });
  REQUIRE(it != stats.block_io.end());
  CHECK(it->write_bytes >= uint64_t{8 << 20});
  CHECK(it->write_ops >= 128u);
}

TEST_CASE("a memory hog is OOM-killed under 32 MiB and the event arrives", "[cgroup]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.cgroup.resources.memory.emplace();
  config.cgroup.resources.memory->limit = 32 << 20;
  config.cgroup.resources.memory->swap = 32 << 20;  // memory+swap: no swap to escape to
  cask::Process process(config.process);
  process.args = {"/probe", "hog", "256"};
  process.out = cask::Stdio::Pipe();
  cask::ScopedContainer c(h.factory().Create(NewId("oom"), config, process));
  cask::Events events(*c, 0ms);  // before Start, so that the kill cannot come first
  c->Start();
  std::optional<cask::Event> event = events.Next();
  REQUIRE(event);
  CHECK(event->type == cask::Event::Type::kStart);
  event = events.Next();
  REQUIRE(event);
  CHECK(event->type == cask::Event::Type::kOom);
  CHECK(event->oom_kills >= 1);
  CHECK(cask::ToJson(*event)["type"] == "oom");
  cask::ExitStatus status = process.Wait();
  CHECK(status.signal == SIGKILL);
  CHECK(cask::test::ReadAll(process.OutPipe()).find("survived") == std::string::npos);
  CHECK(c->State().oom_kills == event->oom_kills);
  auto stats = c->Stats();
  REQUIRE(stats.memory);
  // It got to the limit (memory+swap is the one that failed its charges here).
  CHECK(stats.memory->max_usage > uint64_t{24 << 20});
  CHECK(stats.memory->failcnt.has_value());
}

TEST_CASE("a fork loop stops at the pids limit", "[cgroup]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.cgroup.resources.pids.emplace().limit = 10;
  auto result = h.Run(config, {"/probe", "fork", "50"});
  INFO(result.out << result.err);
  auto out = result.Json();
  CHECK(out["forked"] == 9);  // the probe itself is the tenth
  CHECK(out["error"] == "EAGAIN");
}

TEST_CASE("a cpu quota throttles a busy loop and Stats shows it", "[cgroup]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.cgroup.resources.cpu.emplace();
  config.cgroup.resources.cpu->quota = 10000;  // 10 ms of cpu per 100 ms
  config.cgroup.resources.cpu->period = 100000;
  cask::Process process;
  cask::ScopedContainer c(StartContainer(h, config, {"/probe", "spin", "1"}, process));
  CHECK(process.Wait().code == 0);
  cask::Stats stats = c->Stats();
  REQUIRE(stats.cpu);
  CHECK(stats.cpu->throttled_periods > 0u);
  CHECK(stats.cpu->throttled_time_ns > 0u);
  // One second of spinning got about a tenth of a second of cpu.
  CHECK(stats.cpu->usage_total_ns < 500'000'000u);
  CHECK(stats.cpu->usage_total_ns > 0u);
}

TEST_CASE("Update changes a running container's limits and refuses bad ones", "[cgroup]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.cgroup.resources.memory.emplace().limit = 64 << 20;
  config.cgroup.resources.pids.emplace().limit = 50;
  cask::Process process;
  cask::ScopedContainer c(StartContainer(h, config, {"/probe", "sleep", "30"}, process));
  auto paths = c->State().cgroup_paths;

  cask::Resources update;
  update.memory.emplace().limit = 128 << 20;
  update.cpu.emplace().shares = 300;
  c->Update(update);
  if (cask::test::UnifiedHost()) {
    CHECK(Trimmed(paths.at("") + "/memory.max") == std::to_string(128 << 20));
    CHECK(Trimmed(paths.at("") + "/cpu.weight") == "12");
  } else {
    CHECK(Trimmed(paths["memory"] + "/memory.limit_in_bytes") == std::to_string(128 << 20));
    CHECK(Trimmed(paths["cpu"] + "/cpu.shares") == "300");
  }
  const std::string pids_max = cask::test::CgroupDir(paths, "pids") + "/pids.max";
  CHECK(Trimmed(pids_max) == "50");  // not named: left alone
  auto recorded = h.factory().Load(c->Id()).Config().cgroup.resources;
  CHECK(recorded.memory->limit == 128 << 20);
  CHECK(recorded.cpu->shares == 300u);
  CHECK(recorded.pids->limit == 50);

  // A limit the pids controller takes and the payload feels at once.
  cask::Resources pids;
  pids.pids.emplace().limit = 3;
  c->Update(pids);
  cask::Process exec(config.process);
  exec.args = {"/probe", "fork", "10"};
  exec.out = cask::Stdio::Pipe();
  c->Exec(exec);
  INFO("pids.max " << Trimmed(pids_max) << ", the exec'd process is in "
                   << Trimmed("/proc/" + std::to_string(exec.Pid()) + "/cgroup"));
  auto forked = nlohmann::json::parse(Harness::Collect(exec).out);
  CHECK(forked["forked"] == 1);  // init and the exec'd probe take two of the three
  CHECK(forked["error"] == "EAGAIN");

  cask::Resources bad;
  bad.cpu.emplace().cpus = "4000";
  try {
    c->Update(bad);
    FAIL("an impossible cpuset was taken");
  } catch (const cask::Error& e) {
    CHECK(std::string(e.what()).find("cpuset.cpus") != std::string::npos);
    CHECK(std::string(e.what()).find("update '" + c->Id() + "'") != std::string::npos);
  }
  CHECK(h.factory().Load(c->Id()).Config().cgroup.resources.cpu->cpus.empty());

  cask::Resources invalid;
  invalid.memory.emplace().swappiness = 101;
  CHECK_THROWS_WITH(c->Update(invalid), Catch::Contains("resources.memory.swappiness"));
}

TEST_CASE("Pause stops a counter in the container and Resume restarts it", "[cgroup]") {
  Harness h;
  cask::Process process;
  cask::ScopedContainer c(StartContainer(h, h.BaseConfig(), {"/probe", "count", "/dev/shm/count"}, process));
  REQUIRE(Eventually([&] { return ReadCount(*c, "/dev/shm/count") > 5; }));
  c->Pause();
  CHECK(c->Status() == cask::Status::kPaused);
  CHECK(h.factory().Load(c->Id()).Status() == cask::Status::kPaused);
  uint64_t frozen = ReadCount(*c, "/dev/shm/count");
  std::this_thread::sleep_for(200ms);
  CHECK(ReadCount(*c, "/dev/shm/count") == frozen);
  CHECK_THROWS_WITH(c->Pause(), Catch::Contains("is paused"));
  CHECK_THROWS_WITH(c->Start(), Catch::Contains("paused"));

  c->Resume();
  CHECK(c->Status() == cask::Status::kRunning);
  CHECK(Eventually([&] { return ReadCount(*c, "/dev/shm/count") > frozen + 5; }));
  CHECK_THROWS_WITH(c->Resume(), Catch::Contains("is running"));
}

TEST_CASE("a paused container is destroyed with its cgroups", "[cgroup]") {
  Harness h;
  cask::Process process;
  cask::Container c = StartContainer(h, h.BaseConfig(), {"/probe", "count", "/dev/shm/count"}, process);
  auto paths = c.State().cgroup_paths;
  c.Pause();
  c.Destroy();
  CHECK(process.Wait().signal == SIGKILL);
  for (const auto& [controller, dir] : paths) {
    INFO(controller);
    CHECK_FALSE(std::filesystem::exists(dir));
  }
}

TEST_CASE("Processes lists a process in a sub-cgroup of the container", "[cgroup]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  cask::Process process;
  cask::ScopedContainer c(StartContainer(h, config, {"/probe", "sleep", "30"}, process));
  cask::Process exec(config.process);
  exec.args = {"/probe", "sleep", "30"};
  c->Exec(exec);
  // As a nested runtime inside the container would: a sub-cgroup with a process in it.
  std::string sub = cask::test::CgroupDir(c->State().cgroup_paths, "pids") + "/worker";
  REQUIRE(mkdir(sub.c_str(), 0755) == 0);
  std::ofstream(sub + "/cgroup.procs") << exec.Pid();
  CHECK(Trimmed(sub + "/cgroup.procs") == std::to_string(exec.Pid()));
  auto pids = c->Processes();
  CHECK(std::count(pids.begin(), pids.end(), exec.Pid()) == 1);
  CHECK(std::count(pids.begin(), pids.end(), c->State().init_pid) == 1);
  c->Destroy();
  CHECK_FALSE(std::filesystem::exists(sub));
}

TEST_CASE("Stats reads memory and pids from the cgroups and counters from inside the network namespace",
          "[cgroup]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.cgroup.resources.pids.emplace().limit = 20;
  for (auto* set : {&config.capabilities.bounding, &config.capabilities.effective, &config.capabilities.permitted}) {
    set->push_back("CAP_NET_RAW");  // busybox's ping
  }
  cask::Process process;
  cask::ScopedContainer c(StartContainer(h, config, {"/probe", "sleep", "30"}, process));
  cask::Stats before = c->Stats();
  REQUIRE(before.pids);
  CHECK(before.pids->current == 1u);
  CHECK(before.pids->limit == 20u);
  REQUIRE(before.memory);
  CHECK(before.memory->usage > 0u);
  CHECK_FALSE(before.memory->stat.empty());
  CHECK(before.memory->rss.has_value());
  CHECK(before.memory->cache.has_value());
  REQUIRE(before.cpu);
  CHECK(before.cpu->usage_user_ns.has_value());
  CHECK(before.cpu->usage_system_ns.has_value());
  if (cask::test::UnifiedHost()) {
    for (const char* key : {"anon", "file", "kernel", "sock"}) CHECK(before.memory->stat.count(key) == 1);
    CHECK(before.memory->max_usage.has_value() == std::filesystem::exists(
                                                      c->State().cgroup_paths.at("") + "/memory.peak"));
    // One entry per page size the hugetlb controller knows (none on this host's v1).
    bool has_2mb = false;
    for (const auto& hugetlb : before.hugetlb) has_2mb |= hugetlb.page_size == "2MB";
    CHECK(has_2mb == std::filesystem::exists(c->State().cgroup_paths.at("") + "/hugetlb.2MB.current"));
  }
  // Pressure from its cgroup2 directory, where the kernel has PSI.
  CHECK(before.pressure.has_value() == std::filesystem::exists("/proc/pressure"));
  if (before.pressure) {
    REQUIRE(before.pressure->memory);
    CHECK(before.pressure->memory->full.has_value());
  }
  // Only the container's own interface: the host's are not in its namespace.
  REQUIRE(before.interfaces.size() == 1);
  CHECK(before.interfaces[0].name == "lo");

  cask::Process ping(config.process);
  ping.args = {"/bin/ping", "-c", "3", "-i", "0.2", "127.0.0.1"};
  ping.out = cask::Stdio::Pipe();
  c->Exec(ping);
  INFO(Harness::Collect(ping).out);
  REQUIRE(ping.Wait().code == 0);
  cask::Stats after = c->Stats();
  REQUIRE(after.interfaces.size() == 1);
  // Three echo requests and three replies, all through lo.
  CHECK(after.interfaces[0].tx_packets >= before.interfaces[0].tx_packets + 6);
  CHECK(after.interfaces[0].rx_bytes > before.interfaces[0].rx_bytes);
  CHECK(cask::ToJson(after)["interfaces"][0]["name"] == "lo");
}

TEST_CASE("the stats stream ticks until it is stopped or the container goes", "[cgroup]") {
  Harness h;
  cask::Process process;
  cask::Container c = StartContainer(h, h.BaseConfig(), {"/probe", "sleep", "30"}, process);
  {
    cask::Events events(c, 20ms);
    for (int i = 0; i < 3; ++i) {
      auto event = events.Next();
      REQUIRE(event);
      CHECK(event->type == cask::Event::Type::kStats);
      CHECK(event->id == c.Id());
      CHECK(event->stats.pids.has_value());
    }
    std::thread stopper([&] { events.Stop(); });
    stopper.join();
    CHECK_FALSE(events.Next());
  }
  cask::Events events(c, 20ms);
  std::thread destroyer([&] {
    std::this_thread::sleep_for(50ms);
    c.Destroy();
  });
  int ticks = 0;
  std::vector<cask::Event::Type> others;
  while (auto event = events.Next()) {  // ends once the container is gone
    event->type == cask::Event::Type::kStats ? void(++ticks) : others.push_back(event->type);
  }
  destroyer.join();
  CHECK(ticks >= 1);
  CHECK(others == std::vector<cask::Event::Type>{cask::Event::Type::kExit, cask::Event::Type::kDestroy});
  CHECK(process.Wait().signal == SIGKILL);
}

TEST_CASE("a limit the kernel refuses at create names the file and leaves nothing", "[cgroup]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.cgroup.resources.cpu.emplace().cpus = "4000";
  const std::string id = NewId("refused");
  cask::Process process(config.process);
  try {
    h.factory().Create(id, config, process);
    FAIL("an impossible cpuset was taken");
  } catch (const cask::Error& e) {
    CHECK(std::string(e.what()).starts_with("create '" + id + "': "));  // as every Create error
    CHECK(std::string(e.what()).find("cpuset.cpus") != std::string::npos);
    CHECK(std::string(e.what()).find("\"4000\"") != std::string::npos);
  }
  CHECK(h.factory().List().empty());
  CHECK_FALSE(std::filesystem::exists(h.state_root() + "/" + id));
  // The suite's leftover check finds any cgroup directory named after the container.
}

TEST_CASE("a device the config makes is allowed in the device cgroup, also after an update", "[cgroup]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.devices.push_back({"/dev/fuse", 'c', 10, 229, 0666, 0, 0});
  config.devices.push_back({"/dev/loop-control", 'c', 10, 237, 0600, 0, 0});
  // Opening is what the device cgroup governs; a kmsg node the payload makes itself is
  // not in the config, and stays denied.
  for (auto* set : {&config.capabilities.bounding, &config.capabilities.effective, &config.capabilities.permitted}) {
    set->push_back("CAP_MKNOD");
  }
  // A block device that exists (a loop device of the test's), so that only the device
  // cgroup can refuse the open.
  cask::test::LoopDevice disk(1 << 20);
  const std::vector<std::string> opens = {"/bin/sh", "-c",
      "(: < /dev/fuse) && echo fuse; (: < /dev/loop-control) && echo loop;"
      "mknod /dev/k c 1 11 && ! (: < /dev/k) && echo denied; rm -f /dev/k;"
      "mknod /dev/b b " + std::to_string(disk.Major()) + " " + std::to_string(disk.Minor()) +
      " && (: < /dev/b) 2>&1 | grep -q 'not permitted' && echo block denied; rm -f /dev/b"};
  auto result = h.Run(config, opens);
  INFO(result.err);
  CHECK(result.out == "fuse\nloop\ndenied\nblock denied\n");

  cask::Process process;
  cask::Container c = StartContainer(h, config, {"/probe", "sleep", "60"}, process);
  cask::Resources again;
  again.devices = config.cgroup.resources.devices;  // the list anew, without the config's devices
  c.Update(again);
  cask::Process check(config.process);
  check.args = opens;
  check.out = cask::Stdio::Pipe();
  check.err = cask::Stdio::Pipe();
  c.Exec(check);
  auto after = Harness::Collect(check);
  INFO(after.err);
  CHECK(after.out == "fuse\nloop\ndenied\nblock denied\n");
  c.Destroy();
}

namespace {

// Moves this process into cgroup v2 directory `dir` and back where it was at the end.
class MovedInto {
 public:
  explicit MovedInto(const std::string& dir) : from_(OwnCgroup()) { Move(dir); }
  ~MovedInto() { Move(from_); }
  static std::string OwnCgroup() {
    std::string path = Trimmed("/proc/self/cgroup");  // "0::/path" on a v2 host
    path = path.substr(path.find("::") + 2);
    return "/sys/fs/cgroup" + (path == "/" ? "" : path);
  }
  static void Move(const std::string& dir) { std::ofstream(dir + "/cgroup.procs") << getpid() << std::flush; }

 private:
  std::string from_;
};

}  // namespace

TEST_CASE("a container under a caller's cgroup that has processes is a leaf, and a withheld controller is named",
          "[cgroup]") {
  if (!cask::test::UnifiedHost()) {
    WARN("cgroup v2 hosts only; skipped");
    return;
  }
  Harness h;
  // An exec per init: a fork server would be a process of the caller's cgroup, started
  // there at the first Create, that stays when the caller moves (README: it keeps the
  // cgroup of the thread that made the first spawn).
  cask::Factory factory = cask::Factory::New(
      h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}, cask::InitArgs::Spawn::kExec});
  const std::string own = MovedInto::OwnCgroup();
  const std::string nest = own + "/" + NewId("nest");
  REQUIRE(mkdir(nest.c_str(), 0755) == 0);
  struct Cleanup {
    std::string nest;
    ~Cleanup() {
      rmdir((nest + "/caller").c_str());
      rmdir(nest.c_str());
    }
  } cleanup{nest};
  const std::string id = NewId("leaf");
  {
    MovedInto caller(nest);  // the caller's cgroup now has a process: this one
    // Without limits the container is a leaf below it, and the caller's cgroup gets no
    // controllers: it is not made one with processes and children.
    cask::Config config = h.BaseConfig();
    {
      cask::ScopedContainer c(factory.Create(id, config));
      CHECK(std::filesystem::path(c->State().cgroup_paths.at("")).parent_path() == nest);
      CHECK(Trimmed(nest + "/cgroup.subtree_control").empty());
      // A limit that Update asks for later is refused as clearly, and left unrecorded.
      cask::Resources limit;
      limit.memory.emplace().limit = 64 << 20;
      CHECK_THROWS_WITH(c->Update(limit),
                        Catch::Contains("no memory controller") && Catch::Contains(nest + " has processes of its own"));
      CHECK_FALSE(c->State().config.cgroup.resources.memory);
    }
    config.cgroup.resources.memory.emplace().limit = 64 << 20;
    CHECK_THROWS_WITH(factory.Create(id, config),
                      Catch::Contains("no memory controller") && Catch::Contains(nest + " has processes of its own"));
    CHECK(factory.List().empty());
    for (const auto& entry : std::filesystem::directory_iterator(nest)) CHECK_FALSE(entry.is_directory());
  }
  {
    // From a leaf beside the container, the cgroup above both is free of processes:
    // cask enables there what the container needs.
    REQUIRE(mkdir((nest + "/caller").c_str(), 0755) == 0);
    MovedInto caller(nest + "/caller");
    cask::Config config = h.BaseConfig();
    config.cgroup.path = nest.substr(std::string("/sys/fs/cgroup").size()) + "/" + id;
    config.cgroup.resources.memory.emplace().limit = 64 << 20;
    cask::ScopedContainer c(factory.Create(id, config));
    CHECK(Trimmed(nest + "/" + id + "/memory.max") == std::to_string(64 << 20));
    CHECK(Trimmed(nest + "/cgroup.subtree_control").find("memory") != std::string::npos);
  }
}


TEST_CASE("on cgroup v2 an exec'd process is born in the container's cgroup: past pids.max it is refused",
          "[cgroup]") {
  if (!cask::test::UnifiedHost()) {
    WARN("cgroup v2 hosts only (v1 moves a process in after clone); skipped");
    return;
  }
  Harness h;
  cask::Config config = h.BaseConfig();
  config.cgroup.resources.pids.emplace().limit = 1;  // init alone
  cask::Process process;
  cask::ScopedContainer c(StartContainer(h, config, {"/probe", "sleep", "30"}, process));
  // Moved in after a clone outside, it would run past the limit, as migration ignores
  // pids.max; born inside (CLONE_INTO_CGROUP), it is a fork the cgroup refuses.
  cask::Process exec(config.process);
  exec.args = {"/probe", "exit", "0"};
  CHECK_THROWS_WITH(c->Exec(exec), Catch::Contains("clone3 into the container's cgroup") &&
                                       Catch::Contains("Resource temporarily unavailable"));
  CHECK(c->Processes() == std::vector<pid_t>{c->State().init_pid});
  CHECK(c->Status() == cask::Status::kRunning);

  cask::Resources more;
  more.pids.emplace().limit = 10;
  c->Update(more);
  cask::Process again(config.process);
  // Its cgroup namespace's root is the container's cgroup, and /sys/fs/cgroup shows
  // that cgroup alone (no sibling named cask-*), read-only.
  again.args = {"/bin/sh", "-c",
                "cat /proc/self/cgroup /sys/fs/cgroup/pids.max; ls /sys/fs/cgroup | grep -c cask;"
                "mkdir /sys/fs/cgroup/sub 2>&1 | grep -c Read-only"};
  again.out = cask::Stdio::Pipe();
  c->Exec(again);
  auto result = Harness::Collect(again);
  CHECK(result.out == "0::/\n10\n0\n1\n");
}
