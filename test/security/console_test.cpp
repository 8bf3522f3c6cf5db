// CVE-2025-52565: runc bind-mounted /dev/pts/N onto /dev/console by path, so a container
// that raced a symlink into /dev/pts or /dev/console got a host file mounted writable.
// terminal.cpp opens the peer through the master (TIOCGPTPEER), creates /dev/console
// with O_NOFOLLOW and mounts through both fds.
#include <sys/ioctl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "canary.hpp"
#include "harness.hpp"

using cask::test::Canary;
using cask::test::Harness;
using cask::test::NewId;

namespace fs = std::filesystem;

TEST_CASE("/dev/console is the container's own pty or Create fails", "[security]") {
  Harness h;
  Canary canary;
  cask::Config config = h.BaseConfig();
  config.process.terminal = true;
  SECTION("the default /dev") {}
  // Without the /dev tmpfs the image's own /dev is used, with what it put there; a
  // writable root lets init create /dev/console there.
  const fs::path dev = fs::path(h.rootfs().Path()) / "dev";
  auto own_dev = [&] {
    config.root.readonly = false;
    std::erase_if(config.mounts, [](const cask::Mount& m) { return m.destination == "/dev"; });
    fs::create_directories(dev);
  };
  SECTION("/dev/console a symlink to a host file") {
    own_dev();
    fs::create_symlink(canary.Path() + "/marker", dev / "console");
  }
  SECTION("/dev/ptmx a symlink to another file") {
    own_dev();
    fs::create_symlink("/proc/self/fd/0", dev / "ptmx");
  }
  cask::Process process(config.process);
  std::string outcome;
  try {
    cask::ScopedContainer container(h.factory().Run(NewId("console"), config, process));
    int pty = -1;
    REQUIRE(ioctl(process.Console(), TIOCGPTN, &pty) == 0);
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = read(process.Console(), buf, sizeof(buf))) > 0;)
      out.append(buf, static_cast<size_t>(n));
    REQUIRE(process.Wait().code == 0);
    auto console = nlohmann::json::parse(out).at("dev").at("console");
    INFO(console.dump());
    CHECK(console.at("type") == "c");
    CHECK(console.at("major") == 136);
    CHECK(console.at("minor") == pty);
  } catch (const cask::Error& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find("console") != std::string::npos);
  }
  CHECK(canary.Untouched());
}
