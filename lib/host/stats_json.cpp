#include <cask/stats_json.hpp>

namespace cask {

namespace {

template <typename T>
void PutIf(nlohmann::json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}

// A limit the kernel reports as "max" is written so, not as 2^64-1.
void PutLimit(nlohmann::json& j, const std::optional<uint64_t>& limit) {
  if (limit == kUnlimited) {
    j["limit"] = "max";
  } else {
    PutIf(j, "limit", limit);
  }
}

nlohmann::json ToJson(const PressureData& d) {
  return {{"avg10", d.avg10}, {"avg60", d.avg60}, {"avg300", d.avg300}, {"total_us", d.total_us}};
}

void PutPressure(nlohmann::json& j, const char* key, const std::optional<Pressure>& p) {
  if (!p) return;
  auto& o = j[key] = {{"some", ToJson(p->some)}};
  if (p->full) o["full"] = ToJson(*p->full);
}

}  // namespace

nlohmann::json ToJson(const Stats& stats) {
  nlohmann::json j = nlohmann::json::object();
  if (const auto& c = stats.cpu) {
    auto& o = j["cpu"] = nlohmann::json::object();
    PutIf(o, "usage_total_ns", c->usage_total_ns);
    PutIf(o, "usage_user_ns", c->usage_user_ns);
    PutIf(o, "usage_system_ns", c->usage_system_ns);
    if (!c->usage_per_cpu_ns.empty()) o["usage_per_cpu_ns"] = c->usage_per_cpu_ns;
    PutIf(o, "periods", c->periods);
    PutIf(o, "throttled_periods", c->throttled_periods);
    PutIf(o, "throttled_time_ns", c->throttled_time_ns);
  }
  if (const auto& m = stats.memory) {
    auto& o = j["memory"] = nlohmann::json::object();
    PutIf(o, "usage", m->usage);
    PutIf(o, "max_usage", m->max_usage);
    PutLimit(o, m->limit);
    PutIf(o, "cache", m->cache);
    PutIf(o, "rss", m->rss);
    PutIf(o, "swap_usage", m->swap_usage);
    PutIf(o, "failcnt", m->failcnt);
    o["stat"] = m->stat;
  }
  if (const auto& p = stats.pids) {
    auto& o = j["pids"] = nlohmann::json::object();
    PutIf(o, "current", p->current);
    PutLimit(o, p->limit);
    PutIf(o, "peak", p->peak);
  }
  if (!stats.block_io.empty()) {
    auto& a = j["block_io"] = nlohmann::json::array();
    for (const auto& d : stats.block_io) {
      a.push_back({{"major", d.major},
                   {"minor", d.minor},
                   {"read_bytes", d.read_bytes},
                   {"write_bytes", d.write_bytes},
                   {"read_ops", d.read_ops},
                   {"write_ops", d.write_ops}});
    }
  }
  if (!stats.hugetlb.empty()) {
    auto& a = j["hugetlb"] = nlohmann::json::array();
    for (const auto& h : stats.hugetlb) {
      nlohmann::json o = {{"page_size", h.page_size}, {"usage", h.usage}};
      PutIf(o, "max_usage", h.max_usage);
      PutIf(o, "failcnt", h.failcnt);
      a.push_back(std::move(o));
    }
  }
  if (!stats.interfaces.empty()) {
    auto& a = j["interfaces"] = nlohmann::json::array();
    for (const auto& i : stats.interfaces) {
      a.push_back({{"name", i.name},
                   {"rx_bytes", i.rx_bytes},
                   {"rx_packets", i.rx_packets},
                   {"rx_errors", i.rx_errors},
                   {"rx_dropped", i.rx_dropped},
                   {"tx_bytes", i.tx_bytes},
                   {"tx_packets", i.tx_packets},
                   {"tx_errors", i.tx_errors},
                   {"tx_dropped", i.tx_dropped}});
    }
  }
  if (const auto& p = stats.pressure) {
    auto& o = j["pressure"] = nlohmann::json::object();
    PutPressure(o, "cpu", p->cpu);
    PutPressure(o, "memory", p->memory);
    PutPressure(o, "io", p->io);
  }
  return j;
}

}  // namespace cask
