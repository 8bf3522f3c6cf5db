#include "cgroup/stats_read.hpp"
#include "cgroup/v2.hpp"

namespace cask::cgroup {
namespace {

std::optional<uint64_t> Micros(const std::map<std::string, uint64_t>& values,
                               const std::string& key) {
  auto us = Find(values, key);
  if (us) *us *= 1000;
  return us;
}

CpuStats CpuTime(const std::map<std::string, uint64_t>& cpu_stat) {
  CpuStats cpu;
  cpu.usage_total_ns = Micros(cpu_stat, "usage_usec");
  cpu.usage_user_ns = Micros(cpu_stat, "user_usec");
  cpu.usage_system_ns = Micros(cpu_stat, "system_usec");
  return cpu;
}

}  // namespace

Stats V2Manager::GetStats() const {
  Stats stats;
  if (auto cpu = ReadFlatKeyed(dir_ + "/cpu.stat")) {
    CpuStats& c = stats.cpu.emplace(CpuTime(*cpu));
    c.periods = Find(*cpu, "nr_periods");
    c.throttled_periods = Find(*cpu, "nr_throttled");
    c.throttled_time_ns = Micros(*cpu, "throttled_usec");
  }
  if (auto usage = ReadSingle(dir_ + "/memory.current")) {
    MemoryStats m;
    m.usage = usage;
    m.max_usage = ReadSingle(dir_ + "/memory.peak");
    m.limit = ReadSingle(dir_ + "/memory.max");
    m.swap_usage = ReadSingle(dir_ + "/memory.swap.current");
    if (auto stat = ReadFlatKeyed(dir_ + "/memory.stat")) m.stat = *stat;
    // v2 has no failcnt; memory.events' "max" counts the times usage hit memory.max,
    // which is what runc reports in its place.
    if (auto events = ReadFlatKeyed(dir_ + "/memory.events")) m.failcnt = Find(*events, "max");
    m.cache = Find(m.stat, "file");
    m.rss = Find(m.stat, "anon");
    stats.memory = m;
  }
  if (auto current = ReadSingle(dir_ + "/pids.current")) {
    stats.pids = PidsStats{current, ReadSingle(dir_ + "/pids.max"), ReadSingle(dir_ + "/pids.peak")};
  }
  if (auto text = ReadFileIfExists(dir_ + "/io.stat")) {
    for (const auto& e : ParseNestedKeyed(*text, dir_ + "/io.stat")) {
      auto get = [&](const char* key) { return Find(e.values, key).value_or(0); };
      stats.block_io.push_back(
          {e.device.major, e.device.minor, get("rbytes"), get("wbytes"), get("rios"), get("wios")});
    }
  }
  for (const auto& size : HugePageSizes(dir_, "current")) {
    std::string prefix = dir_ + "/hugetlb." + size;
    auto events = ReadFlatKeyed(prefix + ".events");
    stats.hugetlb.push_back({size, ReadSingle(prefix + ".current").value_or(0), std::nullopt,
                             events ? Find(*events, "max") : std::nullopt});
  }
  stats.pressure = ReadPressure(dir_);
  return stats;
}

Stats V2Manager::GetUsage() const {
  Stats stats;
  if (auto cpu = ReadFlatKeyed(dir_ + "/cpu.stat")) stats.cpu = CpuTime(*cpu);
  if (auto peak = ReadSingle(dir_ + "/memory.peak")) stats.memory.emplace().max_usage = peak;
  if (auto peak = ReadSingle(dir_ + "/pids.peak")) stats.pids.emplace().peak = peak;
  return stats;
}

}  // namespace cask::cgroup
