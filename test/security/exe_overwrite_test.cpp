// CVE-2019-5736: a container process overwrote the runtime's binary on the host through
// /proc/<pid>/exe of a runtime process that had entered the container. cask's init runs
// from a read-only overlayfs view of its binary, or, where none can be made, from a
// sealed memfd copy (host/init_binary.hpp): neither can be written through that link.
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "host/init_binary.hpp"

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

  // Seen from the host: init runs from the overlayfs view (root may mount one here),
  // which refuses a writer.
  const std::string exe = "/proc/" + std::to_string(init) + "/exe";
  const std::string init_link = ExeLink(init);
  INFO("init's exe: " << init_link);
  struct statfs fs {};
  REQUIRE(statfs(exe.c_str(), &fs) == 0);
  CHECK(fs.f_type == OVERLAYFS_SUPER_MAGIC);
  CHECK(open(exe.c_str(), O_WRONLY | O_CLOEXEC) == -1);
  CHECK(errno == EROFS);

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
  for (int i = 0; i < 500 && ExeLink(init) == init_link; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(ExeLink(init) != init_link);
  REQUIRE(write(attacker.InPipe(), "\n", 1) == 1);
  attacker.CloseIn();
  auto result = Harness::Collect(attacker);
  INFO(result.err);
  CHECK(result.out == "EROFS\n");
  CHECK(result.status.code == 1);
  CHECK(FileContent(CASK_INIT_BUILD_PATH) == host_binary);
}

TEST_CASE("without CAP_SYS_ADMIN over its mounts, init is a sealed copy that refuses writes", "[security]") {
  Harness h;
  const std::string spare = h.state_root() + "/.init-layer";
  REQUIRE(mkdir(spare.c_str(), 0755) == 0);
  REQUIRE(chmod(h.state_root().c_str(), 0755) == 0);  // reachable by the unmapped user
  // A child in a user namespace of its own keeps the host's mount namespace, where it
  // may not mount: the view is refused, as it is for a user without root.
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (unshare(CLONE_NEWUSER) != 0) _exit(10);
    cask::InitBinary binary = cask::OpenInitBinary(CASK_INIT_BUILD_PATH, spare);
    if (binary.copy_reason.find("Operation not permitted") == std::string::npos) _exit(11);
    constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE;
    if ((fcntl(binary.fd.get(), F_GET_SEALS) & kSeals) != kSeals) _exit(12);
    const std::string self = "/proc/self/fd/" + std::to_string(binary.fd.get());
    cask::unique_fd writer(open(self.c_str(), O_WRONLY | O_CLOEXEC));
    if (!writer || write(writer.get(), "x", 1) != -1 || errno != EPERM) _exit(13);
    if (FileContent(self) != FileContent(CASK_INIT_BUILD_PATH)) _exit(14);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);  // 10 unshare, 11 not a copy, 12 seals, 13 written, 14 content
  // And as root, the view: read-only, the binary's own bytes, no copy.
  cask::InitBinary binary = cask::OpenInitBinary(CASK_INIT_BUILD_PATH, spare);
  INFO(binary.copy_reason);
  REQUIRE(binary.copy_reason.empty());
  const std::string self = "/proc/self/fd/" + std::to_string(binary.fd.get());
  CHECK(open(self.c_str(), O_WRONLY | O_CLOEXEC) == -1);
  CHECK(errno == EROFS);
  CHECK(FileContent(self) == FileContent(CASK_INIT_BUILD_PATH));
}

TEST_CASE("where no overlayfs view can be made, containers run from the sealed copy, and the log says why", "[security]") {
  Harness h;
  const auto [dir_name, why] = GENERATE(table<std::string, std::string>({
      {"bin:x", "a layer's path holds ':'"},
      // The state root inside the binary's directory: the layers overlap.
      {"bin", "Too many levels of symbolic links"},
  }));
  const std::string dir = h.state_root() + "/" + dir_name;
  REQUIRE(mkdir(dir.c_str(), 0700) == 0);
  const std::string init = dir + "/cask-init";
  std::filesystem::copy_file(CASK_INIT_BUILD_PATH, init);
  std::filesystem::permissions(init, std::filesystem::perms::owner_all);
  auto factory = cask::Factory::New(dir + "/state", cask::InitArgs{init, {"init"}});
  std::vector<std::string> log;
  factory.SetLogger([&log](std::string_view line) { log.emplace_back(line); });
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  {
    // Two spawns: init's, and the joining init of an Exec.
    cask::ScopedContainer container(factory.Create(NewId("copy"), config));
    container->Start();
    cask::Process exec;
    exec.args = {"/probe", "exit", "0"};
    exec.out = cask::Stdio::Pipe();
    exec.err = cask::Stdio::Pipe();
    container->Exec(exec);
    auto result = Harness::Collect(exec);
    INFO(result.err);
    CHECK(result.status.code == 0);
  }
  // Said once for the Factory, not once per spawn.
  std::vector<std::string> said;
  for (const std::string& line : log) {
    if (line.rfind("init binary ", 0) == 0) said.push_back(line);
  }
  REQUIRE(said.size() == 1);
  CHECK_THAT(said[0], Catch::StartsWith("init binary " + init + ": a sealed copy: ") && Catch::Contains(why));
  CHECK(factory.List().empty());
}
