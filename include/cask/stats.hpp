// Resource usage of a container, as read from its cgroups (v1 or v2) and, for the
// network counters, from inside its network namespace.
//
// One struct for both cgroup versions: a value a version does not report is absent
// (std::nullopt or an empty container), never zero. A limit of "max" reads as
// kUnlimited; v1 reports its own large "unlimited" number as the kernel gives it.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cask {

inline constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

struct CpuStats {
  std::optional<uint64_t> usage_total_ns;
  std::optional<uint64_t> usage_user_ns;
  std::optional<uint64_t> usage_system_ns;
  std::vector<uint64_t> usage_per_cpu_ns;  // v1 only
  std::optional<uint64_t> periods;
  std::optional<uint64_t> throttled_periods;
  std::optional<uint64_t> throttled_time_ns;
  bool operator==(const CpuStats&) const = default;
};

struct MemoryStats {
  std::optional<uint64_t> usage;
  std::optional<uint64_t> max_usage;
  std::optional<uint64_t> limit;
  std::optional<uint64_t> cache;  // v1 "cache", v2 "file"
  std::optional<uint64_t> rss;    // v1 "rss", v2 "anon"
  std::optional<uint64_t> swap_usage;
  std::optional<uint64_t> failcnt;
  std::map<std::string, uint64_t> stat;  // memory.stat as the kernel writes it
  bool operator==(const MemoryStats&) const = default;
};

struct PidsStats {
  std::optional<uint64_t> current;
  std::optional<uint64_t> limit;
  std::optional<uint64_t> peak;  // pids.peak, where the kernel has it
  bool operator==(const PidsStats&) const = default;
};

struct BlockIoStats {
  uint32_t major = 0;
  uint32_t minor = 0;
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  uint64_t read_ops = 0;
  uint64_t write_ops = 0;
  bool operator==(const BlockIoStats&) const = default;
};

struct HugetlbStats {
  std::string page_size;  // "2MB", as in the cgroup file names
  uint64_t usage = 0;
  std::optional<uint64_t> max_usage;  // v1 only
  std::optional<uint64_t> failcnt;
  bool operator==(const HugetlbStats&) const = default;
};

struct InterfaceStats {
  std::string name;
  uint64_t rx_bytes = 0;
  uint64_t rx_packets = 0;
  uint64_t rx_errors = 0;
  uint64_t rx_dropped = 0;
  uint64_t tx_bytes = 0;
  uint64_t tx_packets = 0;
  uint64_t tx_errors = 0;
  uint64_t tx_dropped = 0;
  bool operator==(const InterfaceStats&) const = default;
};

// One line of a cgroup v2 pressure file (PSI): the share of wall time, in percent,
// in which some (or, for "full", all) of the cgroup's tasks stalled on the resource,
// averaged over 10, 60 and 300 seconds, and the whole stall in microseconds.
struct PressureData {
  double avg10 = 0;
  double avg60 = 0;
  double avg300 = 0;
  uint64_t total_us = 0;
  bool operator==(const PressureData&) const = default;
};

struct Pressure {
  PressureData some;
  std::optional<PressureData> full;  // absent from a kernel's cpu.pressure before 5.13
  bool operator==(const Pressure&) const = default;
};

// From the container's cgroup v2 directory (on a hybrid host, its unified one); absent
// where the kernel has no PSI.
struct PressureStats {
  std::optional<Pressure> cpu;
  std::optional<Pressure> memory;
  std::optional<Pressure> io;
  bool operator==(const PressureStats&) const = default;
};

struct Stats {
  std::optional<CpuStats> cpu;
  std::optional<MemoryStats> memory;
  std::optional<PidsStats> pids;
  std::vector<BlockIoStats> block_io;  // one entry per device
  std::vector<HugetlbStats> hugetlb;   // one entry per page size
  std::vector<InterfaceStats> interfaces;
  std::optional<PressureStats> pressure;
  bool operator==(const Stats&) const = default;
};

}  // namespace cask
