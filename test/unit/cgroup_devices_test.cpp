// The cgroup v2 device program, run by a test-only interpreter on (type, major, minor,
// access) requests and compared with what the v1 kernel decides for the same rule
// list (security/device_cgroup.c: an "a" rule resets, exceptions merge and narrow only
// on an exact type and numbers, a default deny needs one exception with every bit
// asked for, a default allow is broken by any exception with any of them).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "bpf_evaluator.hpp"
#include "cask/defaults.hpp"
#include "cask/error.hpp"
#include "cgroup/v2_devices.hpp"

namespace cask::cgroup {
namespace {

DeviceRule Allow(char type, int64_t major, int64_t minor, const char* access) {
  return {.allow = true, .type = type, .major = major, .minor = minor, .access = access};
}
DeviceRule Deny(char type, int64_t major, int64_t minor, const char* access) {
  return {.allow = false, .type = type, .major = major, .minor = minor, .access = access};
}
const DeviceRule kAllowAll = Allow('a', -1, -1, "rwm");
const DeviceRule kDenyAll = Deny('a', -1, -1, "rwm");

struct Request {
  char type;
  uint32_t major, minor;
  const char* access;
  bool allowed;
};

bool Allowed(const std::vector<DeviceRule>& rules, const Request& r) {
  uint32_t access = 0;
  for (const char* c = r.access; *c; ++c) {
    access |= *c == 'r'   ? BPF_DEVCG_ACC_READ
              : *c == 'w' ? BPF_DEVCG_ACC_WRITE
                          : BPF_DEVCG_ACC_MKNOD;
  }
  uint32_t type = r.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
  bpf_cgroup_dev_ctx ctx{.access_type = access << 16 | type, .major = r.major, .minor = r.minor};
  uint64_t verdict = test::RunDeviceProgram(DeviceProgram(ReduceDeviceRules(rules)), ctx);
  REQUIRE(verdict <= 1);
  return verdict == 1;
}

void Check(const std::vector<DeviceRule>& rules, const std::vector<Request>& requests) {
  for (const auto& r : requests) {
    INFO(r.type << " " << r.major << ":" << r.minor << " " << r.access);
    CHECK(Allowed(rules, r) == r.allowed);
  }
}

TEST_CASE("device program: the default config's list", "[cgroup]") {
  Check(DefaultConfig().cgroup.resources.devices, {
                                                      {'c', 1, 3, "rw", true},
                                                      {'c', 1, 3, "m", true},
                                                      {'c', 1, 9, "r", true},
                                                      {'c', 4, 0, "r", false},
                                                      {'c', 4, 0, "m", true},
                                                      {'b', 8, 0, "m", true},
                                                      {'b', 8, 0, "r", false},
                                                      {'b', 1, 3, "r", false},
                                                      {'c', 136, 7, "rw", true},
                                                      {'c', 10, 200, "rwm", true},
                                                      {'c', 10, 229, "r", false},
                                                  });
}

TEST_CASE("device program: a deny after allows narrows one device", "[cgroup]") {
  Check({kDenyAll, Allow('c', 1, 3, "rwm"), Allow('c', 1, 5, "rw"), Allow('c', 136, -1, "rwm"),
         Deny('c', 1, 3, "w"), Allow('b', 8, 0, "r")},
        {
            {'c', 1, 3, "r", true},
            {'c', 1, 3, "w", false},
            {'c', 1, 3, "rw", false},
            {'c', 1, 3, "m", true},
            {'c', 1, 5, "rw", true},
            {'c', 1, 5, "m", false},
            {'c', 136, 7, "w", true},
            {'b', 136, 7, "w", false},
            {'b', 8, 0, "r", true},
            {'b', 8, 0, "w", false},
            {'c', 1, 7, "r", false},
        });
}

TEST_CASE("device program: an empty list denies everything", "[cgroup]") {
  Check({}, {{'c', 1, 3, "r", false}, {'b', 8, 0, "m", false}});
}

TEST_CASE("device program: deny exceptions under a default allow", "[cgroup]") {
  Check({kAllowAll, Deny('c', 1, 3, "rwm")},
        {{'c', 1, 3, "r", false}, {'c', 1, 5, "rw", true}, {'b', 1, 3, "r", true}});
  // Any bit of the exception in the request denies it.
  Check({kAllowAll, Deny('c', 1, 3, "w")},
        {{'c', 1, 3, "r", true}, {'c', 1, 3, "rw", false}, {'c', 1, 3, "m", true}});
  Check({kAllowAll, Deny('c', -1, 3, "rwm")},
        {{'c', 7, 3, "r", false}, {'c', 7, 4, "r", true}, {'b', 7, 3, "r", true}});
}

TEST_CASE("device program: allow exceptions under a default deny", "[cgroup]") {
  // Rules on the same device merge: together they cover rw.
  Check({kDenyAll, Allow('c', 1, 3, "r"), Allow('c', 1, 3, "w")},
        {{'c', 1, 3, "rw", true}, {'c', 1, 3, "m", false}});
  // Different exceptions do not add up: none alone covers rw.
  Check({kDenyAll, Allow('c', -1, -1, "r"), Allow('c', 1, 3, "w")}, {{'c', 1, 3, "rw", false},
                                                                     {'c', 1, 3, "r", true},
                                                                     {'c', 1, 3, "w", true},
                                                                     {'c', 2, 2, "r", true},
                                                                     {'c', 2, 2, "w", false}});
  Check({kDenyAll, Allow('b', 8, -1, "rwm")}, {{'b', 8, 1, "r", true}, {'c', 8, 1, "r", false}});
}

TEST_CASE("device program: a rule narrows only the exception with exactly its device", "[cgroup]") {
  Check({kDenyAll, Allow('c', 1, 3, "rwm"), Deny('c', 1, 3, "w")},
        {{'c', 1, 3, "r", true}, {'c', 1, 3, "w", false}, {'c', 1, 3, "m", true}});
  // No hole in a wildcard exception, as on v1.
  Check({kDenyAll, Allow('c', -1, -1, "rwm"), Deny('c', 1, 3, "rwm")}, {{'c', 1, 3, "rw", true}});
  Check({kAllowAll, Deny('c', -1, -1, "rwm"), Allow('c', 1, 3, "rwm")}, {{'c', 1, 3, "r", false}});
  Check({kAllowAll, Deny('c', 1, 3, "rwm"), Allow('c', 1, 3, "rw")},
        {{'c', 1, 3, "rw", true}, {'c', 1, 3, "m", false}});
}

TEST_CASE("device program: an a rule resets whatever its numbers and access", "[cgroup]") {
  Check(
      {kDenyAll, Allow('c', 1, 3, "rwm"), kAllowAll, Deny('a', 4, 4, "m"), Allow('c', 1, 5, "rwm")},
      {{'c', 1, 3, "r", false}, {'c', 1, 5, "r", true}, {'b', 8, 0, "m", false}});
  Check({Allow('a', -1, -1, "m")}, {{'c', 1, 3, "rw", true}});
}

TEST_CASE("device rules reduce to the exceptions v1 keeps", "[cgroup]") {
  auto filter =
      ReduceDeviceRules({kAllowAll, Deny('c', 1, 3, "rw"), Deny('c', 1, 3, "m"),
                         Deny('b', -1, -1, "w"), Allow('b', -1, -1, "w"), Allow('c', 1, 3, "r")});
  CHECK(filter ==
        DeviceFilter{.default_allow = true,
                     .exceptions = {{.type = 'c',
                                     .major = 1,
                                     .minor = 3,
                                     .access = BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD}}});
}

TEST_CASE("device rules that v1 would refuse name the rule", "[cgroup]") {
  CHECK_THROWS_WITH(ReduceDeviceRules({kDenyAll, Allow('x', 1, 3, "r")}),
                    Catch::Contains("devices[1].type") && Catch::Contains("\"x\""));
  CHECK_THROWS_WITH(ReduceDeviceRules({Allow('c', 1, 3, "rq")}),
                    Catch::Contains("devices[0].access"));
  CHECK_THROWS_WITH(ReduceDeviceRules({Allow('c', 1, 3, "")}),
                    Catch::Contains("devices[0].access"));
  CHECK_THROWS_WITH(ReduceDeviceRules({Allow('c', -2, 3, "r")}),
                    Catch::Contains("devices[0].major"));
  CHECK_THROWS_WITH(ReduceDeviceRules({Allow('b', 1, int64_t{1} << 32, "r")}),
                    Catch::Contains("devices[0].minor"));
}

}  // namespace
}  // namespace cask::cgroup
