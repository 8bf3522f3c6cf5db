// The test-harness use: a Catch2 test that runs a command in a throwaway container.
// ScopedContainer removes the container however the test ends.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <cask/cask.hpp>
#include <unistd.h>

#include <filesystem>

#include "rootfs.hpp"  // test/support: a busybox root filesystem in a temporary directory

TEST_CASE("a command runs in a throwaway container") {
  cask::test::Rootfs rootfs;
  std::string state = "/tmp/cask-example-state-" + std::to_string(getpid());
  auto factory = cask::Factory::New(state, cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});

  cask::Config config = cask::DefaultConfig();
  config.root.path = rootfs.Path();
  cask::Process process(config.process);
  process.args = {"/bin/sh", "-c", "echo $(hostname) $$; exit 3"};
  process.out = cask::Stdio::Pipe();
  {
    cask::ScopedContainer container(factory.Run("cask-example", config, process));
    std::string out;
    char buf[256];
    for (ssize_t n; (n = read(process.OutPipe(), buf, sizeof(buf))) > 0;) out.append(buf, n);
    CHECK(out == "cask 1\n");
    CHECK(process.Wait().code == 3);
  }
  CHECK(factory.List().empty());
  std::filesystem::remove_all(state);
}
