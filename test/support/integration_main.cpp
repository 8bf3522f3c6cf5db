// Catch2 main for the integration tests: they need root, and the run fails if any test
// left something behind.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdio>

#include "leftovers.hpp"

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::fprintf(stderr, "the integration tests run real containers and need root\n");
    return 1;
  }
  auto before = cask::test::TakeSnapshot();
  int failed = Catch::Session().run(argc, argv);
  auto leftovers = cask::test::Leftovers(before);
  for (const auto& line : leftovers) std::fprintf(stderr, "LEFTOVER: %s\n", line.c_str());
  if (!leftovers.empty()) {
    std::fprintf(stderr, "the tests left %zu things behind\n", leftovers.size());
    return failed + 1;
  }
  return failed;
}
