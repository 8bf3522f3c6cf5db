#include <unistd.h>

#include "cgroup/stats_read.hpp"
#include "cgroup/v1.hpp"

namespace cask::cgroup {
namespace {

CpuStats ReadCpuTime(const std::string& dir) {
  CpuStats cpu;
  cpu.usage_total_ns = ReadSingle(dir + "/cpuacct.usage");
  cpu.usage_user_ns = ReadSingle(dir + "/cpuacct.usage_user");
  cpu.usage_system_ns = ReadSingle(dir + "/cpuacct.usage_sys");
  if (!cpu.usage_user_ns) {
    // Older kernels give user and system time only in clock ticks.
    if (auto stat = ReadFlatKeyed(dir + "/cpuacct.stat")) {
      uint64_t ns_per_tick = 1'000'000'000 / static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
      if (auto user = Find(*stat, "user")) cpu.usage_user_ns = *user * ns_per_tick;
      if (auto system = Find(*stat, "system")) cpu.usage_system_ns = *system * ns_per_tick;
    }
  }
  return cpu;
}

CpuStats ReadCpuacct(const std::string& dir) {
  CpuStats cpu = ReadCpuTime(dir);
  std::string percpu = dir + "/cpuacct.usage_percpu";
  if (auto text = ReadFileIfExists(percpu)) cpu.usage_per_cpu_ns = ParseList(*text, percpu);
  return cpu;
}

MemoryStats ReadMemory(const std::string& dir) {
  MemoryStats m;
  m.usage = ReadSingle(dir + "/memory.usage_in_bytes");
  m.max_usage = ReadSingle(dir + "/memory.max_usage_in_bytes");
  m.limit = ReadSingle(dir + "/memory.limit_in_bytes");
  m.failcnt = ReadSingle(dir + "/memory.failcnt");
  if (auto stat = ReadFlatKeyed(dir + "/memory.stat")) m.stat = *stat;
  m.cache = Find(m.stat, "cache");
  m.rss = Find(m.stat, "rss");
  // v1 counts memory + swap; swap alone is the difference.
  if (auto memsw = ReadSingle(dir + "/memory.memsw.usage_in_bytes"); memsw && m.usage) {
    m.swap_usage = *memsw > *m.usage ? *memsw - *m.usage : 0;
  }
  return m;
}

// Bytes and operations per device from the first blkio policy that reports them.
std::vector<BlockIoStats> ReadBlkio(const std::string& dir) {
  std::vector<BlockIoStats> devices;
  for (const char* policy : {"/blkio.throttle.", "/blkio.bfq.", "/blkio."}) {
    std::string bytes_file = dir + policy + "io_service_bytes_recursive";
    std::string ops_file = dir + policy + "io_serviced_recursive";
    auto bytes = ReadFileIfExists(bytes_file);
    auto ops = ReadFileIfExists(ops_file);
    if (!bytes || !ops) continue;
    auto entry = [&](const Device& device) -> BlockIoStats& {
      for (auto& d : devices) {
        if (d.major == device.major && d.minor == device.minor) return d;
      }
      return devices.emplace_back(BlockIoStats{device.major, device.minor});
    };
    for (const auto& e : ParseBlkio(*bytes, bytes_file)) {
      if (e.op == "Read") entry(e.device).read_bytes = e.value;
      if (e.op == "Write") entry(e.device).write_bytes = e.value;
    }
    for (const auto& e : ParseBlkio(*ops, ops_file)) {
      if (e.op == "Read") entry(e.device).read_ops = e.value;
      if (e.op == "Write") entry(e.device).write_ops = e.value;
    }
    break;
  }
  return devices;
}

}  // namespace

Stats V1Manager::GetStats() const {
  Stats stats;
  if (Has("cpuacct")) stats.cpu = ReadCpuacct(Dir("cpuacct"));
  if (Has("cpu")) {
    if (auto throttling = ReadFlatKeyed(Dir("cpu") + "/cpu.stat")) {
      if (!stats.cpu) stats.cpu.emplace();
      stats.cpu->periods = Find(*throttling, "nr_periods");
      stats.cpu->throttled_periods = Find(*throttling, "nr_throttled");
      stats.cpu->throttled_time_ns = Find(*throttling, "throttled_time");
    }
  }
  if (Has("memory")) stats.memory = ReadMemory(Dir("memory"));
  if (Has("pids")) {
    stats.pids =
        PidsStats{ReadSingle(Dir("pids") + "/pids.current"), ReadSingle(Dir("pids") + "/pids.max"),
                  ReadSingle(Dir("pids") + "/pids.peak")};
  }
  if (Has("blkio")) stats.block_io = ReadBlkio(Dir("blkio"));
  if (Has("hugetlb")) {
    for (const auto& size : HugePageSizes(Dir("hugetlb"), "usage_in_bytes")) {
      std::string prefix = Dir("hugetlb") + "/hugetlb." + size;
      stats.hugetlb.push_back({size, ReadSingle(prefix + ".usage_in_bytes").value_or(0),
                               ReadSingle(prefix + ".max_usage_in_bytes"),
                               ReadSingle(prefix + ".failcnt")});
    }
  }
  if (unified_) stats.pressure = ReadPressure(unified_->dir());  // PSI is cgroup2's alone
  return stats;
}

Stats V1Manager::GetUsage() const {
  Stats stats;
  if (Has("cpuacct")) stats.cpu = ReadCpuTime(Dir("cpuacct"));
  if (Has("memory")) stats.memory.emplace().max_usage = ReadSingle(Dir("memory") + "/memory.max_usage_in_bytes");
  if (Has("pids")) stats.pids.emplace().peak = ReadSingle(Dir("pids") + "/pids.peak");
  return stats;
}

}  // namespace cask::cgroup
