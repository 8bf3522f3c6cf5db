#include <catch2/catch.hpp>


#include "common/step_error.hpp"
#include "common/user.hpp"

namespace {

const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
    "broken line without fields\n"
    "bad:x:notanumber:1:::\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
const char* kGroup =
    "root:x:0:\n"
    "wheel:x:10:alice,bob\n"
    "staff:x:50:alice\n"
    "alice:x:1000:\n"
    "nogroup:x:65534:\n";

cask::ExecUser Resolve(const std::string& spec, std::vector<std::string> additional = {}) {
  return cask::ResolveUser(spec, additional, cask::ParsePasswd(kPasswd), cask::ParseGroup(kGroup));
}

}  // namespace

TEST_CASE("passwd and group parsing skips malformed lines") {
  auto users = cask::ParsePasswd(kPasswd);
  REQUIRE(users.size() == 3);
  CHECK(users[1].name == "alice");
  CHECK(users[1].uid == 1000);
  CHECK(users[1].home == "/home/alice");
  auto groups = cask::ParseGroup(kGroup);
  REQUIRE(groups.size() == 5);
  CHECK(groups[1].members == std::vector<std::string>{"alice", "bob"});
  CHECK(groups[0].members.empty());
}

TEST_CASE("users resolve by name, number and with groups") {
  auto root = Resolve("");
  CHECK(root.uid == 0);
  CHECK(root.gid == 0);
  CHECK(root.home == "/root");

  auto alice = Resolve("alice");
  CHECK(alice.uid == 1000);
  CHECK(alice.gid == 1000);
  CHECK(alice.groups == std::vector<gid_t>{10, 50});
  CHECK(alice.home == "/home/alice");

  auto by_number = Resolve("1000:50");
  CHECK(by_number.uid == 1000);
  CHECK(by_number.gid == 50);
  CHECK(by_number.groups.empty());  // an explicit group replaces the membership lookup

  auto unknown_number = Resolve("4242");
  CHECK(unknown_number.uid == 4242);
  CHECK(unknown_number.gid == 0);

  auto named_group = Resolve("nobody:staff", {"wheel", "7"});
  CHECK(named_group.uid == 65534);
  CHECK(named_group.gid == 50);
  CHECK(named_group.groups == std::vector<gid_t>{7, 10});
}

TEST_CASE("unknown users and groups are errors naming them") {
  CHECK_THROWS_WITH(Resolve("mallory"), Catch::Contains("unknown user \"mallory\""));
  CHECK_THROWS_WITH(Resolve("alice:nope"), Catch::Contains("unknown group \"nope\""));
  CHECK_THROWS_WITH(Resolve("alice", {"ghosts"}), Catch::Contains("unknown additional group \"ghosts\""));
  try {
    Resolve("mallory");
  } catch (const cask::StepError& e) {
    CHECK(e.step() == "user");
    CHECK(e.error() == ENOENT);
  }
}
