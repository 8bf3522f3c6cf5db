// Stats assembled by the managers from cgroup directories recorded on disk.
#include <cask/stats_json.hpp>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "cgroup/manager.hpp"
#include "cgroup_test_data.hpp"

namespace cask::cgroup {
namespace {

const std::string kStatsData = CASK_CGROUP_TEST_DATA;

TEST_CASE("v1 stats from recorded files") {
  std::string dir = kStatsData + "/v1";
  auto m = Manager::Load({{"memory", dir}, {"cpu", dir}, {"cpuacct", dir}, {"blkio", dir}});
  Stats stats = m->GetStats();
  REQUIRE(stats.cpu);
  CHECK(stats.cpu->usage_total_ns == 2517630822052u);
  CHECK(stats.cpu->usage_per_cpu_ns == std::vector<uint64_t>{1165855523372u, 1351743307903u});
  // No cpuacct.usage_user recorded: user and system come from cpuacct.stat's ticks.
  uint64_t tick_ns = 1'000'000'000 / static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
  CHECK(stats.cpu->usage_user_ns == 181249 * tick_ns);
  CHECK(stats.cpu->usage_system_ns == 70510 * tick_ns);
  CHECK(stats.cpu->periods == 0u);
  CHECK(stats.cpu->throttled_time_ns == 0u);
  REQUIRE(stats.memory);
  CHECK(stats.memory->usage == 201195520u);
  CHECK(stats.memory->limit == 9223372036854771712u);
  CHECK(stats.memory->cache == 193773568u);
  CHECK(stats.memory->rss == 2244608u);
  CHECK_FALSE(stats.memory->max_usage);
  CHECK_FALSE(stats.memory->swap_usage);
  CHECK(stats.memory->stat.size() == 42);
  CHECK_FALSE(stats.pids);
  CHECK(stats.block_io.empty());

  auto json = ToJson(stats);
  CHECK(json["memory"]["usage"] == 201195520u);
  CHECK(json["memory"]["stat"]["total_rss"] == 2244608u);
  CHECK_FALSE(json["memory"].contains("max_usage"));
  CHECK_FALSE(json.contains("pids"));
}

TEST_CASE("v2 stats from files written after the kernel documentation") {
  auto m = Manager::Load({{"", kStatsData + "/v2"}});
  Stats stats = m->GetStats();
  REQUIRE(stats.cpu);
  CHECK(stats.cpu->usage_total_ns == 8524551000u);
  CHECK(stats.cpu->usage_user_ns == 5324281000u);
  CHECK(stats.cpu->usage_system_ns == 3200270000u);
  CHECK(stats.cpu->usage_per_cpu_ns.empty());
  CHECK(stats.cpu->periods == 1210u);
  CHECK(stats.cpu->throttled_periods == 37u);
  CHECK(stats.cpu->throttled_time_ns == 952311000u);
  REQUIRE(stats.memory);
  CHECK(stats.memory->usage == 199430144u);
  CHECK(stats.memory->max_usage == 268435456u);
  CHECK(stats.memory->limit == 268435456u);
  CHECK(stats.memory->cache == 193773568u);
  CHECK(stats.memory->rss == 2244608u);
  CHECK(stats.memory->swap_usage == 1048576u);
  CHECK(stats.memory->failcnt == 12u);  // memory.events' "max"
  CHECK(stats.memory->stat.at("kernel_stack") == 114688u);
  REQUIRE(stats.pids);
  CHECK(stats.pids->current == 7u);
  CHECK(stats.pids->limit == kUnlimited);
  CHECK(stats.block_io ==
        std::vector<BlockIoStats>{{8, 16, 4096, 0, 1, 0}, {8, 0, 90430464, 299008000, 8950, 1252}});
  CHECK(stats.hugetlb == std::vector<HugetlbStats>{{"2MB", 4194304, std::nullopt, 3}});
  CHECK(m->OomKillCount() == 1);
  CHECK_FALSE(m->Frozen());
  // A cpu.pressure without "full", as kernels before 5.13 write it.
  REQUIRE(stats.pressure);
  CHECK(stats.pressure->cpu == Pressure{{1.53, 0.87, 0.29, 1153430731}, std::nullopt});
  CHECK(stats.pressure->memory == Pressure{{12.01, 4.50, 1.00, 7548}, PressureData{10.00, 3.25, 0.75, 5215}});
  REQUIRE(stats.pressure->io);
  CHECK(stats.pressure->io->full->total_us == 10650771u);

  auto json = ToJson(stats);
  CHECK(json["block_io"][1]["write_ops"] == 1252);
  CHECK(json["pids"]["limit"] == "max");  // not 18446744073709551615
  CHECK(json["memory"]["limit"] == 268435456u);
  CHECK(json["hugetlb"][0]["failcnt"] == 3);
  CHECK_FALSE(json["hugetlb"][0].contains("max_usage"));
  CHECK_FALSE(json["cpu"].contains("usage_per_cpu_ns"));
  CHECK(json["pressure"]["memory"]["full"]["avg60"] == 3.25);
  CHECK(json["pressure"]["cpu"]["some"]["total_us"] == 1153430731u);
  CHECK_FALSE(json["pressure"]["cpu"].contains("full"));
}

}  // namespace
}  // namespace cask::cgroup
