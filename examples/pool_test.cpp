// examples/pool_test.cpp: many short runs of one kind of container from a warm pool.
// Each run gets a container that was made ahead, and no run sees another's files.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <cask/cask.hpp>
#include <unistd.h>

#include <filesystem>

#include "rootfs.hpp"  // test/support: a busybox root filesystem in a temporary directory

TEST_CASE("each answer comes from a fresh container") {
  cask::test::Rootfs rootfs;
  std::string state = "/tmp/cask-example-pool-" + std::to_string(getpid());
  auto factory = cask::Factory::New(state, cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
  cask::Config config = cask::DefaultConfig();
  config.root.path = rootfs.Path();
  config.mounts.push_back({"tmpfs", "/tmp", "tmpfs", {"nosuid", "nodev", "size=1m"}});
  {
    cask::Pool pool(factory, config, 2);  // two containers wait, made in the background
    for (int i = 0; i < 5; ++i) {
      cask::ProcessConfig program = config.process;  // only args, env and cwd may differ
      program.args = {"/bin/sh", "-c", "ls /tmp; echo $N > /tmp/n; cat /tmp/n"};
      program.env = {"N=" + std::to_string(i)};
      cask::RunReport report = pool.RunToCompletion(program, {});
      CHECK(report.out == std::to_string(i) + "\n");  // nothing left from the run before
    }
  }  // the waiting containers go with the pool
  CHECK(factory.List().empty());
  std::filesystem::remove_all(state);
}
