// README.md's examples, run as a reader would run them (scripts/check-readme keeps the
// README's blocks and these files the same).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>

#include "harness.hpp"

namespace {

struct Output {
  int code = -1;
  std::string out;
};

Output RunExample(const std::string& name, const std::string& rootfs) {
  Output result;
  const std::string command = std::string(CASK_EXAMPLES_DIR) + "/" + name + " " + rootfs + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) result.out.append(buf, n);
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace

TEST_CASE("README's library example runs and cleans up", "[examples]") {
  cask::test::Harness h;
  auto result = RunExample("library", h.rootfs().Path());
  INFO(result.out);
  CHECK(result.code == 0);
  CHECK(result.out.find("hello from web\n") == 0);
  CHECK(result.out.find("exec: pid ") != std::string::npos);
  CHECK(result.out.find(", uts uts:[") != std::string::npos);
  CHECK(result.out.find("exit status 143\n") != std::string::npos);  // SIGTERM, passed on by init
}

TEST_CASE("README's resources example runs and cleans up", "[examples]") {
  cask::test::Harness h;
  auto result = RunExample("resources", h.rootfs().Path());
  INFO(result.out);
  CHECK(result.code == 0);
  CHECK(result.out.find("memory limit 268435456\n") == 0);
  CHECK(result.out.find("exit\n") != std::string::npos);
}
