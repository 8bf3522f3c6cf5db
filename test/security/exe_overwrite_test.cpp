// CVE-2019-5736: a container process overwrote the runtime's binary on the host through
// /proc/<pid>/exe of a runtime process that had entered the container. cask's init runs
// from a sealed memfd copy (seal.cpp), so there is no host file behind that link.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hpp"

using cask::test::Harness;
using cask::test::NewId;

namespace {

std::string FileContent(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string ExeLink(pid_t pid) {
  char target[4096];
  ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), target, sizeof(target));
  return n < 0 ? "" : std::string(target, static_cast<size_t>(n));
}

// One line from the payload's stdout: what it reports before it waits.
std::string ReadLine(int fd) {
  std::string line;
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

}  // namespace

TEST_CASE("init binary overwrite through /proc/pid/exe", "[security]") {
  Harness h;
  const std::string host_binary = FileContent(CASK_INIT_BUILD_PATH);
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  cask::ScopedContainer victim(h.factory().Create(NewId("exe"), config));
  const pid_t init = victim->State().init_pid;

  // Seen from the host: init runs from a sealed memfd that cannot be written.
  CHECK(ExeLink(init).rfind("/memfd:cask-init", 0) == 0);
  {
    cask::unique_fd exe(
        open(("/proc/" + std::to_string(init) + "/exe").c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(exe);
    constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE;
    CHECK((fcntl(exe.get(), F_GET_SEALS) & kSeals) == kSeals);
  }

  // Seen from inside: a process joins the created container, holds /proc/1/exe (init,
  // still the cask binary) and tries to write through it once init has exec'd the
  // payload and the file is no longer busy.
  cask::Process attacker;
  attacker.args = {"/probe", "hold-exe", "1"};
  attacker.in = cask::Stdio::Pipe();
  attacker.out = cask::Stdio::Pipe();
  attacker.err = cask::Stdio::Pipe();
  victim->Exec(attacker);
  REQUIRE(ReadLine(attacker.OutPipe()) == "held");
  victim->Start();
  for (int i = 0; i < 500 && ExeLink(init).rfind("/memfd:", 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(ExeLink(init).rfind("/memfd:", 0) != 0);
  REQUIRE(write(attacker.InPipe(), "\n", 1) == 1);
  attacker.CloseIn();
  auto result = Harness::Collect(attacker);
  INFO(result.err);
  CHECK(result.out == "EPERM\n");
  CHECK(result.status.code == 1);
  CHECK(FileContent(CASK_INIT_BUILD_PATH) == host_binary);
}
