// Escapes through the rootfs a container image controls: symlinks where the runtime
// mounts or writes, resolved on the host's side of the root.
//   CVE-2019-16884, CVE-2019-19921: /proc replaced by a symlink or a mount, so that
//     writes meant for procfs (AppArmor labels, sysctls) land elsewhere.
//   CVE-2021-30465 and earlier: mount destinations with symlinks resolved outside root.
//   CVE-2025-31133: /dev/null replaced by a symlink, so that masking bind-mounts the
//     target writable instead of hiding it.
//   CVE-2025-52881: /proc writes redirected through a fake /proc.
// rootfs_path.cpp resolves with openat2 RESOLVE_IN_ROOT, rootfs_mounts.cpp mounts
// through fds and allows only procfs on /proc, masked_paths.cpp checks /dev/null by fd,
// proc_write.cpp checks PROC_SUPER_MAGIC.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "canary.hpp"
#include "harness.hpp"

using cask::test::Canary;
using cask::test::Harness;
using cask::test::NewId;

namespace fs = std::filesystem;

namespace {

// Runs the config to exit, or returns the error of a refused Create.
std::string RunOrError(Harness& h, const cask::Config& config, std::vector<std::string> args = {}) {
  try {
    auto result = h.Run(config, std::move(args));
    return "ran: " + std::to_string(result.status.code) + " " + result.out;
  } catch (const cask::Error& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("a symlinked /proc or /sys fails and its target stays untouched", "[security]") {
  Harness h;
  Canary canary;
  const std::string dir = GENERATE(std::string("proc"), std::string("sys"));
  INFO(dir);
  const fs::path link = fs::path(h.rootfs().Path()) / dir;
  fs::remove_all(link);
  fs::create_directory_symlink(canary.Path(), link);
  std::string outcome = RunOrError(h, h.BaseConfig());
  INFO(outcome);
  CHECK(outcome.rfind("ran: ", 0) != 0);
  CHECK(canary.Untouched());
}

TEST_CASE("only procfs may be mounted on /proc", "[security]") {
  Harness h;
  Canary canary;
  cask::Config config = h.BaseConfig();
  SECTION("a bind of a host directory") {
    config.mounts.push_back({canary.Path(), "/proc", "bind", {"rbind"}});
  }
  SECTION("a tmpfs over /proc/sys, where sysctls are written") {
    config.mounts.push_back({"tmpfs", "/proc/sys", "tmpfs", {}});
  }
  std::string outcome = RunOrError(h, config);
  INFO(outcome);
  CHECK(outcome.find("/proc") != std::string::npos);
  CHECK(outcome.rfind("ran: ", 0) != 0);
  CHECK(canary.Untouched());
}

TEST_CASE("symlinked mount destinations stay inside the root", "[security]") {
  Harness h;
  Canary canary;
  Canary source;
  const fs::path root = h.rootfs().Path();
  // Absolute, relative (climbing far above the root) and dangling symlinks, each naming
  // a host path.
  const std::string outside = canary.Path() + "-new";
  fs::create_directory_symlink(canary.Path(), root / "abs");
  fs::create_directory_symlink("../../../../../../../.." + canary.Path(), root / "rel");
  fs::create_directory_symlink(outside, root / "dangling");
  cask::Config config = h.BaseConfig();
  config.mounts.push_back({source.Path(), "/abs", "bind", {"bind"}});
  config.mounts.push_back({source.Path(), "/rel", "bind", {"bind"}});
  config.mounts.push_back({source.Path(), "/dangling/a", "bind", {"bind"}});
  auto result = h.Run(config, {"/probe", "cat", outside + "/a/marker"});
  INFO(result.err);
  CHECK(result.status.code == 0);
  CHECK(result.out == "host");  // the source's marker, mounted inside the root
  CHECK(canary.Untouched());
  CHECK_FALSE(fs::exists(outside));
  fs::remove_all(outside);
}

TEST_CASE("masking checks /dev/null before using it", "[security]") {
  Harness h;
  Canary canary;
  const fs::path null = fs::path(h.rootfs().Path()) / "dev/null";
  cask::Config config = h.BaseConfig();
  // Without a /dev tmpfs the rootfs's own /dev/null is the one masking would use.
  std::erase_if(config.mounts,
                [](const cask::Mount& m) { return m.destination.rfind("/dev", 0) == 0; });
  fs::create_directories(null.parent_path());
  fs::remove(null);
  SECTION("a symlink to a host file") { fs::create_symlink(canary.Path() + "/marker", null); }
  SECTION("a symlink to a file of the rootfs") { fs::create_symlink("/etc/passwd", null); }
  SECTION("a regular file") { std::ofstream(null) << "not null"; }
  SECTION("missing") {}
  std::string outcome = RunOrError(h, config, {"/probe", "cat", "/proc/timer_list"});
  INFO(outcome);
  // Either refused, or the masked file reads empty.
  CHECK((outcome.rfind("ran: ", 0) != 0 || outcome == "ran: 0 "));
  CHECK(canary.Untouched());
  fs::remove(null);
}
