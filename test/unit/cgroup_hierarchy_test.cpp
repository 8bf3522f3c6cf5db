// Finding the cgroup hierarchies and resolving cgroup paths in them.
#include <catch2/catch.hpp>

#include "cask/error.hpp"
#include "cgroup/fs.hpp"
#include "cgroup/hierarchy.hpp"
#include "cgroup_test_data.hpp"

namespace cask::cgroup {
namespace {

const std::string kHierarchyData = CASK_CGROUP_TEST_DATA;

const Hierarchy& Find(const std::vector<Hierarchy>& hierarchies, const std::string& controller) {
  for (const auto& h : hierarchies) {
    if (controller.empty() ? h.v2 : h.controllers == std::vector<std::string>{controller}) return h;
  }
  FAIL("no hierarchy for " << controller);
  throw;
}

TEST_CASE("hybrid host: every v1 hierarchy and the unified one") {
  auto hierarchies =
      ParseHierarchies(ReadFile(kHierarchyData + "/v1/mountinfo"), ReadFile(kHierarchyData + "/v1/self_cgroup"));
  CHECK(hierarchies.size() == 10);
  const auto& memory = Find(hierarchies, "memory");
  CHECK(memory.mount == "/sys/fs/cgroup/memory");
  CHECK(memory.own == "/process_api/d29d97253f3fd00e75570f5ca727d662");
  CHECK(ResolvePath(memory, "cask-1") ==
        "/sys/fs/cgroup/memory/process_api/d29d97253f3fd00e75570f5ca727d662/cask-1");
  CHECK(ResolvePath(memory, "/cask/1") == "/sys/fs/cgroup/memory/cask/1");
  CHECK(Find(hierarchies, "name=systemd").mount == "/sys/fs/cgroup/systemd");
  const auto& unified = Find(hierarchies, "");
  CHECK(unified.mount == "/sys/fs/cgroup/unified");
  CHECK(ResolvePath(unified, "a//b/") == "/sys/fs/cgroup/unified/a/b");
  CHECK_THROWS_WITH(ResolvePath(unified, "a/../../b"), Catch::Contains("\"..\""));
  CHECK_THROWS_AS(ResolvePath(unified, ""), Error);
}

TEST_CASE("v2 host: one hierarchy, relative paths under the caller's cgroup") {
  auto hierarchies =
      ParseHierarchies(ReadFile(kHierarchyData + "/v2/mountinfo"), ReadFile(kHierarchyData + "/v2/self_cgroup"));
  REQUIRE(hierarchies.size() == 1);
  CHECK(hierarchies[0].v2);
  CHECK(ResolvePath(hierarchies[0], "cask") ==
        "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope/cask");
}

TEST_CASE("co-mounted controllers, a mount of a sub-cgroup and an unmounted hierarchy") {
  std::string mountinfo =
      "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
      "34 30 0:31 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
  std::string self =
      "7:net_cls:/\n"
      "4:memory:/docker/abc/inner\n"
      "2:cpu,cpuacct:/x\n";
  auto hierarchies = ParseHierarchies(mountinfo, self);
  REQUIRE(hierarchies.size() == 2);
  CHECK(hierarchies[0].own == "/inner");
  CHECK(ResolvePath(hierarchies[0], "c") == "/sys/fs/cgroup/memory/inner/c");
  CHECK(hierarchies[1].controllers == std::vector<std::string>{"cpu", "cpuacct"});
  CHECK(ResolvePath(hierarchies[1], "c") == "/sys/fs/cgroup/cpu,cpuacct/x/c");
  // A cgroup outside the mounted subtree is not reachable through that mount.
  CHECK(ParseHierarchies(mountinfo, "4:memory:/other\n").empty());
}

}  // namespace
}  // namespace cask::cgroup
