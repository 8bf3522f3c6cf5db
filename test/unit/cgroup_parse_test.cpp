// cgroup file parsers on files recorded from a v1 host and written after the kernel's
// cgroup v2 documentation.
#include <catch2/catch.hpp>

#include "cask/error.hpp"
#include "cgroup/fs.hpp"
#include "cgroup/parse.hpp"
#include "cgroup_test_data.hpp"

namespace cask::cgroup {
namespace {

std::string Data(const std::string& name) {
  return std::string(CASK_CGROUP_TEST_DATA) + "/" + name;
}
std::string Text(const std::string& name) { return ReadFile(Data(name)); }

TEST_CASE("v1 memory.stat parses as a flat keyed file") {
  auto stat = ParseFlatKeyed(Text("v1/memory.stat"), "memory.stat");
  CHECK(stat.size() == 42);
  CHECK(stat["cache"] == 193773568);
  CHECK(stat["rss"] == 2244608);
  CHECK(stat["hierarchical_memory_limit"] == 9223372036854771712u);
  CHECK(stat["total_pgfault"] == 3591327);
}

TEST_CASE("v1 memory.oom_control and cpu.stat parse as flat keyed files") {
  auto oom = ParseFlatKeyed(Text("v1/memory.oom_control"), "memory.oom_control");
  CHECK(oom == std::map<std::string, uint64_t>{
                   {"oom_kill_disable", 0}, {"under_oom", 0}, {"oom_kill", 0}});
  auto cpu = ParseFlatKeyed(Text("v1/cpu.stat"), "cpu.stat");
  CHECK(cpu.size() == 5);
  CHECK(cpu["throttled_time"] == 0);
}

TEST_CASE("v1 single values and the per-cpu list") {
  CHECK(ParseSingle(Text("v1/cpuacct.usage"), "cpuacct.usage") == 2517630822052u);
  CHECK(ParseSingle(Text("v1/memory.limit_in_bytes"), "memory.limit_in_bytes") ==
        9223372036854771712u);
  // The kernel ends the list with a space before the newline.
  CHECK(ParseList(Text("v1/cpuacct.usage_percpu"), "cpuacct.usage_percpu") ==
        std::vector<uint64_t>{1165855523372u, 1351743307903u});
}

TEST_CASE("v1 blkio lines give device, operation and value; Total is left out") {
  CHECK(ParseBlkio(Text("v1/blkio.throttle.io_service_bytes_recursive"), "blkio").empty());
  auto entries = ParseBlkio(Text("v1/blkio.throttle.io_service_bytes.sample"), "blkio");
  REQUIRE(entries.size() == 12);
  CHECK(entries[0].device == Device{8, 16});
  CHECK(entries[0].op == "Read");
  CHECK(entries[0].value == 4096);
  CHECK(entries[7].device == Device{8, 0});
  CHECK(entries[7].op == "Write");
  CHECK(entries[7].value == 299008000);
}

TEST_CASE("v2 single values read max as unlimited") {
  CHECK(ParseSingle(Text("v2/memory.max"), "memory.max") == 268435456);
  CHECK(ParseSingle(Text("v2/pids.max"), "pids.max") == kUnlimited);
}

TEST_CASE("v2 io.stat parses as a nested keyed file") {
  auto entries = ParseNestedKeyed(Text("v2/io.stat"), "io.stat");
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].device == Device{8, 16});
  CHECK(entries[0].values.at("rbytes") == 4096);
  CHECK(entries[1].device == Device{8, 0});
  CHECK(entries[1].values == std::map<std::string, uint64_t>{{"rbytes", 90430464},
                                                             {"wbytes", 299008000},
                                                             {"rios", 8950},
                                                             {"wios", 1252},
                                                             {"dbytes", 50331648},
                                                             {"dios", 3021}});
}

TEST_CASE("v2 memory.events and the unified cpu.stat parse as flat keyed files") {
  auto events = ParseFlatKeyed(Text("v2/memory.events"), "memory.events");
  CHECK(events["oom_kill"] == 1);
  CHECK(events["max"] == 12);
  auto cpu = ParseFlatKeyed(Text("v2/cpu.stat.unified"), "cpu.stat");
  CHECK(cpu.count("usage_usec") == 1);
  CHECK(cpu.count("nr_periods") == 0);
}

TEST_CASE("malformed and truncated files throw, naming the file and the line") {
  using Catch::Contains;
  CHECK_THROWS_WITH(ParseFlatKeyed(Text("v1/memory.stat.malformed"), "memory.stat"),
                    Contains("memory.stat line 3"));
  CHECK_THROWS_WITH(ParseFlatKeyed(Text("v1/memory.stat.truncated"), "memory.stat"),
                    Contains("memory.stat line 3") && Contains("truncated"));
  CHECK_THROWS_WITH(ParseList(Text("v1/cpuacct.usage_percpu.truncated"), "cpuacct.usage_percpu"),
                    Contains("cpuacct.usage_percpu line 1") && Contains("truncated"));
  CHECK_THROWS_WITH(ParseBlkio(Text("v1/blkio.malformed"), "blkio.x"), Contains("blkio.x line 2"));
  CHECK_THROWS_WITH(ParseNestedKeyed(Text("v2/io.stat.malformed"), "io.stat"),
                    Contains("io.stat line 1") && Contains("\"bad\""));
  CHECK_THROWS_WITH(ParseNestedKeyed(Text("v2/io.stat.novalue"), "io.stat"),
                    Contains("io.stat line 1") && Contains("wbytes"));
  CHECK_THROWS_WITH(ParseSingle(Text("v2/memory.max.malformed"), "memory.max"),
                    Contains("memory.max line 1") && Contains("12x"));
  CHECK_THROWS_WITH(ParseSingle(Text("v2/memory.current.empty"), "memory.current"),
                    Contains("memory.current"));
  CHECK_THROWS_WITH(ParsePressure(Text("v2/io.pressure.malformed"), "io.pressure"),
                    Contains("io.pressure line 1") && Contains("avg10=x"));
  CHECK_THROWS_WITH(ParsePressure("full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", "p"),
                    Contains("no \"some\" line"));
  CHECK_THROWS_WITH(ParsePressure("some avg10=1 avg60=2 avg300=3 totl=4\n", "p"), Contains("total="));
  CHECK_THROWS_WITH(ParseNestedKeyed("8-0 rbytes=1\n", "io.stat"), Contains("8-0"));
  CHECK_THROWS_WITH(ParseFlatKeyed("key 99999999999999999999\n", "f"), Contains("f line 1"));
  CHECK_THROWS_AS(ParseFlatKeyed("key -1\n", "f"), Error);
}

}  // namespace
}  // namespace cask::cgroup
