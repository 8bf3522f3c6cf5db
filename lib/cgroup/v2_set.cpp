// Resources on cgroup v2, with the v1-shaped values of the config converted as runc
// converts them.
#include <algorithm>
#include <sstream>

#include "cask/error.hpp"
#include "cgroup/fs.hpp"
#include "cgroup/v2.hpp"
#include "cgroup/v2_devices.hpp"

namespace cask::cgroup {
namespace {

std::string Limit(int64_t value) { return value < 0 ? "max" : std::to_string(value); }

// memory.swap.max holds swap alone; the config's swap is memory + swap, as on v1.
std::string SwapMax(const MemoryResources& m) {
  int64_t swap = *m.swap;
  int64_t memory = m.limit.value_or(0);
  if (swap < 0) return "max";
  if (memory <= 0) throw Error(EINVAL, "memory.swap.max: a swap limit needs a memory limit");
  if (swap < memory) throw Error(EINVAL, "memory.swap.max: memory+swap is below the memory limit");
  return std::to_string(swap - memory);
}

void SetMemory(const std::string& dir, const MemoryResources& m) {
  if (m.swappiness) throw Error(ENOTSUP, "memory swappiness: no such setting on cgroup v2");
  if (m.disable_oom_killer.value_or(false)) {
    throw Error(ENOTSUP, "disabling the OOM killer: no such setting on cgroup v2");
  }
  if (m.limit) WriteFile(dir + "/memory.max", Limit(*m.limit));
  if (m.reservation) WriteFile(dir + "/memory.low", Limit(*m.reservation));
  if (m.swap) WriteFile(dir + "/memory.swap.max", SwapMax(m));
}

void SetCpu(const std::string& dir, const CpuResources& c) {
  if (c.realtime_runtime || c.realtime_period) {
    throw Error(ENOTSUP, "realtime cpu limits: no such setting on cgroup v2");
  }
  if (c.shares && *c.shares != 0) {
    // Maps shares [2, 262144] linearly onto weight [1, 10000].
    uint64_t shares = std::clamp<uint64_t>(*c.shares, 2, 262144);
    WriteFile(dir + "/cpu.weight", std::to_string(1 + (shares - 2) * 9999 / 262142));
  }
  if (c.quota || c.period) {
    std::istringstream current(ReadFile(dir + "/cpu.max"));
    std::string quota, period;
    current >> quota >> period;
    if (c.quota) quota = *c.quota > 0 ? std::to_string(*c.quota) : "max";
    if (c.period) period = std::to_string(*c.period);
    WriteFile(dir + "/cpu.max", quota + " " + period);
  }
  // After cpu.max, whose quota bounds it, and cpu.weight, which an idle group refuses.
  if (c.burst) WriteFile(dir + "/cpu.max.burst", std::to_string(*c.burst));
  if (c.idle) WriteFile(dir + "/cpu.idle", std::to_string(*c.idle));
  if (!c.cpus.empty()) WriteFile(dir + "/cpuset.cpus", c.cpus);
  if (!c.mems.empty()) WriteFile(dir + "/cpuset.mems", c.mems);
}


void SetIo(const std::string& dir, const BlockIoResources& b) {
  if (b.leaf_weight) throw Error(ENOTSUP, "blkio leaf_weight: no such setting on cgroup v2");
  // BFQ takes the v1 weight [10, 1000] as is; io.weight is [1, 10000].
  bool bfq = Exists(dir + "/io.bfq.weight");
  std::string weight_file = dir + (bfq ? "/io.bfq.weight" : "/io.weight");
  auto weight = [bfq](uint16_t w) {
    return std::to_string(bfq ? w : 1 + (std::max<uint16_t>(w, 10) - 10) * 9999 / 990);
  };
  if (b.weight) WriteFile(weight_file, weight(*b.weight));
  for (const auto& d : b.weight_device) {
    if (d.leaf_weight) throw Error(ENOTSUP, "blkio leaf_weight: no such setting on cgroup v2");
    if (d.weight) WriteFile(weight_file, DeviceKey(d.major, d.minor) + " " + weight(*d.weight));
  }
  auto throttle = [&](const std::vector<ThrottleDevice>& devices, const char* key) {
    for (const auto& d : devices) {
      std::string rate = d.rate == 0 ? "max" : std::to_string(d.rate);
      WriteFile(dir + "/io.max", DeviceKey(d.major, d.minor) + " " + key + "=" + rate);
    }
  };
  throttle(b.throttle_read_bps_device, "rbps");
  throttle(b.throttle_write_bps_device, "wbps");
  throttle(b.throttle_read_iops_device, "riops");
  throttle(b.throttle_write_iops_device, "wiops");
}

}  // namespace

void V2Manager::Set(const Resources& r) {
  RequireControllers(dir_, r);
  // On a hybrid host the v1 devices controller enforces the rules; V1Manager makes its
  // unified cgroup with no resources, so this is a v2-only host's program. It replaces
  // the previous one: the list is the whole device policy.
  if (!r.devices.empty()) AttachDeviceProgram(dir_, DeviceProgram(ReduceDeviceRules(r.devices)));
  if (r.memory) SetMemory(dir_, *r.memory);
  if (r.cpu) SetCpu(dir_, *r.cpu);
  if (r.pids)
    WriteFile(dir_ + "/pids.max", r.pids->limit > 0 ? std::to_string(r.pids->limit) : "max");
  if (r.block_io) SetIo(dir_, *r.block_io);
  for (const auto& h : r.hugepage_limits) {
    const std::string prefix = UserFile(dir_, "hugetlb." + h.page_size);
    WriteFile(prefix + ".max", std::to_string(h.limit));
    // Reservations (Linux 5.7) get the same limit, as runc sets them: without it a
    // mapping could reserve pages that the fault later cannot charge.
    if (Exists(prefix + ".rsvd.max")) WriteFile(prefix + ".rsvd.max", std::to_string(h.limit));
  }
  for (const auto& [name, value] : r.unified) WriteFile(UserFile(dir_, name), value);
}

}  // namespace cask::cgroup
