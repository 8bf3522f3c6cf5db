// Resources on cgroup v1: one file per setting in the controller's hierarchy.
#include <fmt/format.h>

#include "cask/error.hpp"
#include "cgroup/fs.hpp"
#include "cgroup/parse.hpp"
#include "cgroup/v1.hpp"

namespace cask::cgroup {
namespace {

void SetMemory(const std::string& dir, const MemoryResources& m) {
  std::string memsw = dir + "/memory.memsw.limit_in_bytes";
  if (m.swap && !Exists(memsw)) {
    throw Error(ENOTSUP, memsw + ": no such file; the kernel does not account swap");
  }
  // The memory limit may not exceed memory+swap: when it grows past the current
  // memory+swap limit, memory+swap has to be raised first.
  bool swap_first = false;
  if (m.limit && m.swap) {
    uint64_t current = ParseSingle(ReadFile(memsw), memsw);
    swap_first = *m.limit < 0 || static_cast<uint64_t>(*m.limit) > current;
  }
  if (m.swap && swap_first) WriteFile(memsw, std::to_string(*m.swap));
  if (m.limit) WriteFile(dir + "/memory.limit_in_bytes", std::to_string(*m.limit));
  if (m.swap && !swap_first) WriteFile(memsw, std::to_string(*m.swap));
  if (m.reservation) {
    WriteFile(dir + "/memory.soft_limit_in_bytes", std::to_string(*m.reservation));
  }
  if (m.swappiness) WriteFile(dir + "/memory.swappiness", std::to_string(*m.swappiness));
  if (m.disable_oom_killer) {
    WriteFile(dir + "/memory.oom_control", *m.disable_oom_killer ? "1" : "0");
  }
}

void SetCpu(const std::string& dir, const CpuResources& c) {
  if (c.shares) {
    std::string file = dir + "/cpu.shares";
    WriteFile(file, std::to_string(*c.shares));
    // The kernel clamps shares silently; a value it did not take is an error.
    uint64_t set = ParseSingle(ReadFile(file), file);
    if (set != *c.shares) {
      throw Error(EINVAL, fmt::format("write \"{}\" to {}: the kernel set {}", *c.shares, file, set));
    }
  }
  // Period first: the kernel checks the quota against it.
  if (c.period) WriteFile(dir + "/cpu.cfs_period_us", std::to_string(*c.period));
  if (c.quota) WriteFile(dir + "/cpu.cfs_quota_us", std::to_string(*c.quota));
  // After the quota, which bounds it.
  if (c.burst) WriteFile(dir + "/cpu.cfs_burst_us", std::to_string(*c.burst));
  // After the shares: the kernel refuses shares for an idle group.
  if (c.idle) WriteFile(dir + "/cpu.idle", std::to_string(*c.idle));
  if (c.realtime_period) WriteFile(dir + "/cpu.rt_period_us", std::to_string(*c.realtime_period));
  if (c.realtime_runtime) {
    WriteFile(dir + "/cpu.rt_runtime_us", std::to_string(*c.realtime_runtime));
  }
}


void SetBlkio(const std::string& dir, const BlockIoResources& b) {
  // Without CFQ the weights live in the BFQ files.
  std::string weight =
      dir + (Exists(dir + "/blkio.weight") ? "/blkio.weight" : "/blkio.bfq.weight");
  std::string weight_device = weight + "_device";
  if (b.weight) WriteFile(weight, std::to_string(*b.weight));
  if (b.leaf_weight) WriteFile(dir + "/blkio.leaf_weight", std::to_string(*b.leaf_weight));
  for (const auto& d : b.weight_device) {
    std::string key = DeviceKey(d.major, d.minor) + " ";
    if (d.weight) WriteFile(weight_device, key + std::to_string(*d.weight));
    if (d.leaf_weight) {
      WriteFile(dir + "/blkio.leaf_weight_device", key + std::to_string(*d.leaf_weight));
    }
  }
  auto throttle = [&](const std::vector<ThrottleDevice>& devices, const char* file) {
    for (const auto& d : devices) {
      WriteFile(dir + "/blkio.throttle." + file, fmt::format("{} {}", DeviceKey(d.major, d.minor), d.rate));
    }
  };
  throttle(b.throttle_read_bps_device, "read_bps_device");
  throttle(b.throttle_write_bps_device, "write_bps_device");
  throttle(b.throttle_read_iops_device, "read_iops_device");
  throttle(b.throttle_write_iops_device, "write_iops_device");
}

// "c 1:3 rwm", with * for a wildcard number.
std::string DeviceLine(const DeviceRule& rule) {
  auto number = [](int64_t n) { return n < 0 ? std::string("*") : std::to_string(n); };
  return std::string(1, rule.type) + " " + number(rule.major) + ":" + number(rule.minor) + " " +
         rule.access;
}

}  // namespace

void V1Manager::Set(const Resources& r) {
  if (r.memory) SetMemory(Dir("memory"), *r.memory);
  if (r.cpu) {
    const auto& c = *r.cpu;
    if (c.shares || c.quota || c.period || c.realtime_period || c.realtime_runtime || c.burst || c.idle) {
      SetCpu(Dir("cpu"), c);
    }
    if (!c.cpus.empty()) WriteFile(Dir("cpuset") + "/cpuset.cpus", c.cpus);
    if (!c.mems.empty()) WriteFile(Dir("cpuset") + "/cpuset.mems", c.mems);
  }
  if (r.pids) {
    WriteFile(Dir("pids") + "/pids.max", r.pids->limit > 0 ? std::to_string(r.pids->limit) : "max");
  }
  if (r.block_io) SetBlkio(Dir("blkio"), *r.block_io);
  for (const auto& h : r.hugepage_limits) {
    WriteFile(UserFile(Dir("hugetlb"), "hugetlb." + h.page_size + ".limit_in_bytes"),
              std::to_string(h.limit));
  }
  // On a hybrid host the v1 devices controller enforces the rules; no eBPF program goes
  // to the unified cgroup as well, so that one list in one place decides.
  for (const auto& rule : r.devices) {
    WriteFile(Dir("devices") + (rule.allow ? "/devices.allow" : "/devices.deny"), DeviceLine(rule));
  }
  // Raw files go to the hierarchy of the controller that prefixes their name, or, on a
  // hybrid host, to the unified one.
  for (const auto& [name, value] : r.unified) {
    std::string controller = name.substr(0, name.find('.'));
    if (Has(controller)) {
      WriteFile(UserFile(Dir(controller), name), value);
    } else if (unified_) {
      WriteFile(UserFile(unified_->dir(), name), value);
    } else {
      throw Error(ENOTSUP, "cgroup file " + name + ": no hierarchy holds it");
    }
  }
}

}  // namespace cask::cgroup
