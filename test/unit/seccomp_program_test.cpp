// The host compiles seccomp profiles; init gets the program in a sealed memfd, and the
// on-disk cache keeps it beside the profile it was made from.
#include <cask/defaults.hpp>
#include <cask/seccomp_profile.hpp>

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/seccomp.hpp"
#include "common/step_error.hpp"

TEST_CASE("the default profile compiles and survives the trip to init") {
  cask::Seccomp profile = cask::DefaultSeccompProfile(cask::DefaultConfig().capabilities.bounding);
  profile.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  cask::SeccompProgram program = cask::CompileSeccomp(profile);
  CHECK(program.code.size() > 100);
  CHECK(program.flags == SECCOMP_FILTER_FLAG_LOG);
  const std::string entry = cask::CacheEntry("the-key", program);
  std::optional<cask::SeccompProgram> back = cask::FromCacheEntry(entry, "the-key");
  REQUIRE(back);
  REQUIRE(back->code.size() == program.code.size());
  CHECK(std::memcmp(back->code.data(), program.code.data(), program.code.size() * sizeof(sock_filter)) == 0);
  CHECK(back->flags == program.flags);
  // Another profile's entry, a cut one, an empty one or an older form is a miss.
  CHECK_FALSE(cask::FromCacheEntry(entry, "the-ke"));
  CHECK_FALSE(cask::FromCacheEntry(entry, "the-key2"));
  CHECK_FALSE(cask::FromCacheEntry(entry.substr(0, entry.size() - 3), "the-key"));
  CHECK_FALSE(cask::FromCacheEntry(entry.substr(0, entry.size() - 8), "the-key"));  // whole, but short
  CHECK_FALSE(cask::FromCacheEntry(entry + std::string(8, '\0'), "the-key"));
  CHECK_FALSE(cask::FromCacheEntry(cask::CacheEntry("the-key", {}), "the-key"));
  CHECK_FALSE(cask::FromCacheEntry("{\"profile\": \"the-key\", \"program\": {}}", "the-key"));
  CHECK_FALSE(cask::FromCacheEntry("", "the-key"));
}

TEST_CASE("a sealed program reads back whole, and an fd that holds none is refused") {
  cask::Seccomp profile = cask::DefaultSeccompProfile(cask::DefaultConfig().capabilities.bounding);
  cask::SeccompProgram program = cask::CompileSeccomp(profile);
  cask::SealedSeccomp sealed = cask::SealProgram(program);
  CHECK(sealed.flags == program.flags);
  constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE;
  CHECK((fcntl(sealed.code.get(), F_GET_SEALS) & kSeals) == kSeals);
  cask::SeccompProgram back = cask::ReadSealedProgram(sealed.code.get(), sealed.flags);
  REQUIRE(back.code.size() == program.code.size());
  CHECK(std::memcmp(back.code.data(), program.code.data(), program.code.size() * sizeof(sock_filter)) == 0);

  // Not a whole number of instructions.
  cask::unique_fd odd(memfd_create("odd", MFD_CLOEXEC));
  REQUIRE(write(odd.get(), "abc", 3) == 3);
  CHECK_THROWS_WITH(cask::ReadSealedProgram(odd.get(), 0), Catch::Contains("holds 3 bytes"));
  cask::unique_fd empty(memfd_create("empty", MFD_CLOEXEC));
  CHECK_THROWS_AS(cask::ReadSealedProgram(empty.get(), 0), cask::StepError);
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
