// The host compiles seccomp profiles; init gets the program as JSON numbers.
#include <cask/defaults.hpp>
#include <cask/seccomp_profile.hpp>

#include <linux/seccomp.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "core/seccomp.hpp"
#include "core/step_error.hpp"

TEST_CASE("the default profile compiles and survives the trip to init") {
  cask::Seccomp profile = cask::DefaultSeccompProfile(cask::DefaultConfig().capabilities.bounding);
  profile.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  cask::SeccompProgram program = cask::CompileSeccomp(profile);
  CHECK(program.code.size() > 100);
  CHECK(program.flags == SECCOMP_FILTER_FLAG_LOG);
  cask::SeccompProgram back = cask::SeccompProgramFromJson(cask::ToJson(program));
  REQUIRE(back.code.size() == program.code.size());
  CHECK(std::memcmp(back.code.data(), program.code.data(), program.code.size() * sizeof(sock_filter)) == 0);
  CHECK(back.flags == program.flags);
}

TEST_CASE("a profile that cannot compile is a seccomp step error") {
  cask::Seccomp profile;
  profile.default_action = "SCMP_ACT_ERRNO";
  profile.syscalls.push_back({{"getpid"}, "SCMP_ACT_SOMETIMES", std::nullopt, {}});
  CHECK_THROWS_AS(cask::CompileSeccomp(profile), cask::StepError);
  profile.syscalls.clear();
  profile.flags = {"SECCOMP_FILTER_FLAG_NEVER"};
  CHECK_THROWS_WITH(cask::CompileSeccomp(profile), Catch::Contains("SECCOMP_FILTER_FLAG_NEVER"));
}
