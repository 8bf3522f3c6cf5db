// examples/run_report_test.cpp: a harness test that runs a program under limits and
// asserts on how it ended. Nothing of the run outlives RunToCompletion.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <cask/cask.hpp>
#include <unistd.h>

#include <filesystem>

#include "rootfs.hpp"  // test/support: a busybox root filesystem in a temporary directory

TEST_CASE("the program answers within its limits") {
  cask::test::Rootfs rootfs;
  std::string state = "/tmp/cask-example-state-" + std::to_string(getpid());
  auto factory = cask::Factory::New(state, cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
  cask::Config config = cask::DefaultConfig();
  config.root.path = rootfs.Path();

  cask::ProcessConfig program = config.process;
  program.args = {"/bin/sh", "-c", "read a b; echo $((a + b))"};
  cask::RunLimits limits;
  limits.wall_time = std::chrono::seconds(2);
  limits.memory = 64 << 20;
  limits.output = 4096;
  cask::RunReport report = factory.RunToCompletion(config, program, limits, "2 3\n");

  CHECK(report.status == cask::RunReport::Status::kExited);
  CHECK(report.exit.code == 0);
  CHECK(report.out == "5\n");
  CHECK(report.wall_time < std::chrono::seconds(2));
  CHECK(report.memory_peak.value_or(0) < uint64_t{64 << 20});
  CHECK(factory.List().empty());
  std::filesystem::remove_all(state);
}
