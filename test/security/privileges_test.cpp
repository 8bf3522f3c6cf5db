// What a payload may do with the privileges it is given.
//   Capabilities: CVE-2022-29162 (runc) and CVE-2022-27651 (buildah): a non-empty
//     inheritable set let a payload regain capabilities through the file capabilities
//     of a program it executed. capabilities.cpp sets inheritable and ambient only from
//     the config.
//   no_new_privs: a setuid-root binary in the image must not make its caller root.
//   seccomp: the filter init loads last (seccomp.cpp); DefaultSeccompProfile().
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "harness.hpp"

using cask::test::Harness;
using cask::test::NewId;

namespace {

bool Contains(const nlohmann::json& list, const std::string& name) {
  for (const auto& item : list) {
    if (item == name) return true;
  }
  return false;
}

void AddCapability(cask::Capabilities& caps, const std::string& name) {
  for (auto* set : {&caps.bounding, &caps.effective, &caps.permitted}) set->push_back(name);
}

}  // namespace

TEST_CASE("inheritable and ambient capabilities are empty unless asked for", "[security]") {
  Harness h;
  auto payload = h.Run(h.BaseConfig()).Json().at("capabilities");
  CHECK(payload.at("inheritable").empty());
  CHECK(payload.at("ambient").empty());

  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  cask::Process init_process(config.process);
  cask::ScopedContainer container(h.factory().Run(NewId("caps"), config, init_process));
  cask::Process exec;
  exec.args = {"/probe"};
  exec.capabilities = config.capabilities;
  AddCapability(*exec.capabilities, "CAP_NET_RAW");
  exec.out = cask::Stdio::Pipe();
  exec.err = cask::Stdio::Pipe();
  container->Exec(exec);
  auto caps = Harness::Collect(exec).Json().at("capabilities");
  INFO(caps.dump());
  CHECK(Contains(caps.at("permitted"), "CAP_NET_RAW"));
  CHECK(caps.at("inheritable").empty());
  CHECK(caps.at("ambient").empty());
}

TEST_CASE("no_new_privs: a setuid-root binary gains nothing", "[security]") {
  Harness h;
  const std::string suid = h.rootfs().Path() + "/suid-probe";
  std::filesystem::copy_file(h.rootfs().Path() + "/probe", suid);
  REQUIRE(chown(suid.c_str(), 0, 0) == 0);
  REQUIRE(chmod(suid.c_str(), 04755) == 0);
  cask::Config config = h.BaseConfig();
  config.process.user = "1000:1000";
  SECTION("with no_new_privileges, as the default config has it") {
    auto result = h.Run(config, {"/suid-probe", "euid"});
    CHECK(result.out == "1000\n");
  }
  SECTION("without it the same binary does make its caller root") {
    // The default seccomp profile is still loaded: loading it must not set the bit.
    config.no_new_privileges = false;
    auto result = h.Run(config, {"/suid-probe", "euid"});
    CHECK(result.out == "0\n");
  }
}

TEST_CASE("seccomp: the default profile blocks keyctl mount and new user namespaces",
          "[security]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  // With CAP_SYS_ADMIN mount would work: only the filter stands in the way.
  AddCapability(config.capabilities, "CAP_SYS_ADMIN");
  REQUIRE(config.seccomp == cask::DefaultSeccompProfile());
  for (const char* call : {"keyctl", "mount", "unshare-user", "clone-user"}) {
    INFO(call);
    CHECK(h.Run(config, {"/probe", "try", call}).out == "EPERM\n");
  }
  config.seccomp.reset();
  CHECK(h.Run(config, {"/probe", "try", "keyctl"}).out == "ok\n");
  CHECK(h.Run(config, {"/probe", "try", "unshare-user"}).out == "ok\n");
}

TEST_CASE("seccomp: a denied syscall returns the configured errno and kill kills", "[security]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.seccomp = cask::Seccomp{};  // default action: allow
  SECTION("errno") {
    config.seccomp->syscalls.push_back({{"keyctl"}, "SCMP_ACT_ERRNO", EXDEV, {}});
    CHECK(h.Run(config, {"/probe", "try", "keyctl"}).out == "EXDEV\n");
  }
  SECTION("kill") {
    config.seccomp->syscalls.push_back({{"keyctl"}, "SCMP_ACT_KILL_PROCESS", {}, {}});
    auto result = h.Run(config, {"/probe", "try", "keyctl"});
    CHECK(result.status.signal == SIGSYS);
  }
}
