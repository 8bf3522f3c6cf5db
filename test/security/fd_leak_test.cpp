// CVE-2024-21626 (and CVE-2016-9962 before it): a host fd leaked into the container's
// init or payload, and a cwd or argv[0] of /proc/self/fd/N walked through it out of the
// root. spawn.cpp closes everything but the named fds (close_range); exec_path.cpp opens
// the cwd and the payload with RESOLVE_NO_MAGICLINKS.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "canary.hpp"
#include "harness.hpp"

using cask::test::Canary;
using cask::test::Harness;
using cask::test::NewId;

namespace {

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Whether any fd of `pid` is the file `target`.
bool HoldsFile(pid_t pid, const struct stat& target) {
  for (const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    struct stat st {};
    if (stat(e.path().c_str(), &st) == 0 && SameFile(st, target)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("leaked host fds reach neither init nor the payload", "[security]") {
  Harness h;
  Canary canary;
  // Without close-on-exec, as a careless host program would leave it, and above the
  // numbers spawn fills with dup2 (which would close it by accident).
  cask::unique_fd opened(open(canary.Path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(opened);
  cask::unique_fd leaked(fcntl(opened.get(), F_DUPFD, 100));
  REQUIRE(leaked);
  struct stat target {};
  REQUIRE(fstat(leaked.get(), &target) == 0);
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  cask::ScopedContainer container(h.factory().Create(NewId("fds"), config));

  // created: init waits at the exec barrier
  CHECK_FALSE(HoldsFile(container->State().init_pid, target));
  container->Start();
  CHECK_FALSE(HoldsFile(container->State().init_pid, target));

  // Exec: the joining process sees fds 0-2 and nothing else.
  cask::Process probe;
  probe.args = {"/probe"};
  probe.out = cask::Stdio::Pipe();
  probe.err = cask::Stdio::Pipe();
  container->Exec(probe);
  auto result = Harness::Collect(probe);
  REQUIRE(result.status.code == 0);
  auto fds = result.Json().at("fds");
  INFO(fds.dump());
  CHECK(fds.size() == 3);

  // running: the payload itself (a fresh container, whose pid 1 is the probe).
  auto run = h.Run(h.BaseConfig());
  REQUIRE(run.status.code == 0);
  CHECK(run.Json().at("fds").size() == 3);
}

TEST_CASE("a cwd or argv[0] through /proc/self/fd is refused before the payload runs",
          "[security]") {
  Harness h;
  Canary canary;
  // An fd that does reach init: an extra fd, at 4 until just before the exec. Through
  // it, /proc/self/fd/4 is the host directory, and /proc/self/fd/4/probe a host binary.
  std::filesystem::copy_file(h.rootfs().Path() + "/probe", canary.Path() + "/probe");
  cask::unique_fd dir(open(canary.Path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(dir);
  cask::Config config = h.BaseConfig();
  cask::Process process(config.process);
  process.extra_fds = {dir.get()};
  process.out = cask::Stdio::Pipe();
  process.err = cask::Stdio::Pipe();
  std::string step;
  SECTION("cwd") {
    process.cwd = "/proc/self/fd/4";
    step = "cwd";
  }
  SECTION("cwd through /dev/fd") {
    process.cwd = "/dev/fd/4";
    step = "cwd";
  }
  SECTION("argv[0]") {
    process.args = {"/proc/self/fd/4/probe", "write", "escaped", "x"};
    step = "exec";
  }
  try {
    cask::ScopedContainer container(h.factory().Run(NewId("cwd"), config, process));
    auto result = Harness::Collect(process);
    FAIL("the payload ran: " + result.out + result.err);
  } catch (const cask::Error& e) {
    INFO(e.what());
    CHECK(e.code() == std::error_code(ELOOP, std::generic_category()));
    CHECK(std::string(e.what()).find(step) != std::string::npos);
  }
  std::filesystem::remove(canary.Path() + "/probe");
  CHECK(canary.Untouched());
}
