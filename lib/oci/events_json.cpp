// Events in runc's shape (runc events, runc's types/events.go): one JSON object per
// line. runc knows two types, stats and oom; a value runc leaves out when zero is left
// out here too, and a limit of "max" reads as runc's 0 (left out).
#include <cask/events.hpp>
#include <cask/oci.hpp>

#include <nlohmann/json.hpp>

namespace cask::oci {
namespace {

uint64_t Known(const std::optional<uint64_t>& value) {
  return value && *value != kUnlimited ? *value : 0;
}

// Go's omitempty: a zero number or an empty list is not written.
template <typename T>
void PutNonZero(nlohmann::json& j, const char* key, const T& value) {
  if (value != T{}) j[key] = value;
}

// runc 1.2's "psi" beside cpu, memory and blkio, where the kernel has PSI.
void PutPsi(nlohmann::json& j, const std::optional<PressureStats>& stats,
            std::optional<Pressure> PressureStats::*which) {
  if (!stats || !(*stats.*which)) return;
  const Pressure& p = *(*stats.*which);
  auto data = [](const PressureData& d) {
    return nlohmann::json{{"avg10", d.avg10}, {"avg60", d.avg60}, {"avg300", d.avg300}, {"total", d.total_us}};
  };
  auto& psi = j["psi"] = {{"some", data(p.some)}};
  if (p.full) psi["full"] = data(*p.full);
}

nlohmann::json Cpu(const CpuStats& cpu) {
  nlohmann::json usage = {{"kernel", Known(cpu.usage_system_ns)}, {"user", Known(cpu.usage_user_ns)}};
  PutNonZero(usage, "total", Known(cpu.usage_total_ns));
  PutNonZero(usage, "percpu", cpu.usage_per_cpu_ns);
  nlohmann::json throttling = nlohmann::json::object();
  PutNonZero(throttling, "periods", Known(cpu.periods));
  PutNonZero(throttling, "throttledPeriods", Known(cpu.throttled_periods));
  PutNonZero(throttling, "throttledTime", Known(cpu.throttled_time_ns));
  return {{"usage", usage}, {"throttling", throttling}};
}

nlohmann::json Memory(const MemoryStats& memory) {
  nlohmann::json usage = {{"limit", Known(memory.limit)}, {"failcnt", Known(memory.failcnt)}};
  PutNonZero(usage, "usage", Known(memory.usage));
  PutNonZero(usage, "max", Known(memory.max_usage));
  nlohmann::json swap = {{"limit", 0}, {"failcnt", 0}};
  PutNonZero(swap, "usage", Known(memory.swap_usage));
  nlohmann::json out = {{"usage", usage}, {"swap", swap}, {"kernel", {{"limit", 0}, {"failcnt", 0}}},
                        {"kernelTCP", {{"limit", 0}, {"failcnt", 0}}}};
  PutNonZero(out, "cache", Known(memory.cache));
  if (!memory.stat.empty()) out["raw"] = memory.stat;
  return out;
}

nlohmann::json Blkio(const std::vector<BlockIoStats>& devices) {
  nlohmann::json bytes = nlohmann::json::array(), serviced = nlohmann::json::array();
  auto entry = [](const BlockIoStats& d, const char* op, uint64_t value) {
    nlohmann::json e = {{"op", op}};
    PutNonZero(e, "major", uint64_t{d.major});
    PutNonZero(e, "minor", uint64_t{d.minor});
    PutNonZero(e, "value", value);
    return e;
  };
  for (const BlockIoStats& d : devices) {
    bytes.push_back(entry(d, "Read", d.read_bytes));
    bytes.push_back(entry(d, "Write", d.write_bytes));
    serviced.push_back(entry(d, "Read", d.read_ops));
    serviced.push_back(entry(d, "Write", d.write_ops));
  }
  nlohmann::json out = nlohmann::json::object();
  if (!bytes.empty()) out["ioServiceBytesRecursive"] = bytes;
  if (!serviced.empty()) out["ioServicedRecursive"] = serviced;
  return out;
}

nlohmann::json StatsData(const Stats& stats) {
  nlohmann::json pids = nlohmann::json::object();
  if (stats.pids) {
    PutNonZero(pids, "current", Known(stats.pids->current));
    PutNonZero(pids, "limit", Known(stats.pids->limit));
  }
  nlohmann::json hugetlb = nlohmann::json::object();
  for (const HugetlbStats& h : stats.hugetlb) {
    nlohmann::json e = {{"failcnt", Known(h.failcnt)}};
    PutNonZero(e, "usage", h.usage);
    PutNonZero(e, "max", Known(h.max_usage));
    hugetlb[h.page_size] = e;
  }
  nlohmann::json interfaces = nullptr;  // Go's nil slice
  for (const InterfaceStats& i : stats.interfaces) {
    interfaces.push_back({{"Name", i.name},
                          {"RxBytes", i.rx_bytes},
                          {"RxPackets", i.rx_packets},
                          {"RxErrors", i.rx_errors},
                          {"RxDropped", i.rx_dropped},
                          {"TxBytes", i.tx_bytes},
                          {"TxPackets", i.tx_packets},
                          {"TxErrors", i.tx_errors},
                          {"TxDropped", i.tx_dropped}});
  }
  nlohmann::json cpu = Cpu(stats.cpu.value_or(CpuStats{}));
  nlohmann::json memory = Memory(stats.memory.value_or(MemoryStats{}));
  nlohmann::json blkio = Blkio(stats.block_io);
  PutPsi(cpu, stats.pressure, &PressureStats::cpu);
  PutPsi(memory, stats.pressure, &PressureStats::memory);
  PutPsi(blkio, stats.pressure, &PressureStats::io);
  return {{"cpu", cpu},
          {"memory", memory},
          {"pids", pids},
          {"blkio", blkio},
          {"hugetlb", hugetlb},
          {"intel_rdt", nlohmann::json::object()},
          {"network_interfaces", interfaces}};
}

}  // namespace

std::optional<std::string> EventJson(const Event& event) {
  switch (event.type) {
    case Event::Type::kStats:
      return nlohmann::json{{"type", "stats"}, {"id", event.id}, {"data", StatsData(event.stats)}}.dump();
    case Event::Type::kOom:
      return nlohmann::json{{"type", "oom"}, {"id", event.id}}.dump();
    default:
      return std::nullopt;
  }
}

}  // namespace cask::oci
