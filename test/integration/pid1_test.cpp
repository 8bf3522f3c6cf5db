// Config::init: cask's small pid 1 passes signals on to the payload and reaps orphans.
#include <catch2/catch.hpp>
#include <signal.h>
#include <unistd.h>

#include "harness.hpp"

using cask::test::Harness;
using cask::test::NewId;

namespace {

// Reads the payload's output up to its first newline.
std::string FirstLine(int fd) {
  std::string line;
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

}  // namespace

TEST_CASE("with init, SIGTERM to the container ends a payload that does not handle it", "[pid1]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.init = true;
  cask::Process process;
  process.args = {"/bin/sh", "-c", "echo $$; exec sleep 100"};
  process.out = cask::Stdio::Pipe();
  cask::ScopedContainer container(h.factory().Run(NewId("pid1"), config, process));
  CHECK(FirstLine(process.OutPipe()) == "2");  // the payload is not pid 1
  container->Signal(SIGTERM);
  // pid 1 cannot die of a signal it was sent; it exits with the shell's code for it.
  CHECK(process.Wait() == cask::ExitStatus{128 + SIGTERM, 0});
}

TEST_CASE("without init, a payload as pid 1 ignores SIGTERM", "[pid1]") {
  Harness h;
  cask::Process process;
  process.args = {"/bin/sh", "-c", "echo $$; exec sleep 100"};
  process.out = cask::Stdio::Pipe();
  cask::ScopedContainer container(h.factory().Run(NewId("pid1"), h.BaseConfig(), process));
  CHECK(FirstLine(process.OutPipe()) == "1");
  container->Signal(SIGTERM);
  usleep(300000);
  CHECK(kill(process.Pid(), 0) == 0);  // still there: what init fixes
  container->Signal(SIGKILL);
  CHECK(process.Wait().signal == SIGKILL);
}

TEST_CASE("with init, orphans are reaped and the payload's code is the container's", "[pid1]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.init = true;
  // The inner shell leaves a sleep behind whose parent becomes pid 1; once it ends, no
  // process in the container is a zombie.
  auto result = h.Run(config, {"/bin/sh", "-c",
                               "sh -c 'sleep 0.1 &'; sleep 0.5; cat /proc/[0-9]*/stat | grep -c ') Z ' ; exit 7"});
  CHECK(result.out == "0\n");
  CHECK(result.status == cask::ExitStatus{7, 0});
}

TEST_CASE("with init and a terminal, the payload owns the foreground of its pty", "[pid1]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.init = true;
  cask::Process process;
  process.terminal = true;
  // Ctrl-C on the pty: SIGINT goes to its foreground group, the payload's.
  process.args = {"/bin/sh", "-c", "stty -echo; echo ready; exec sleep 100"};
  cask::ScopedContainer container(h.factory().Run(NewId("pid1"), config, process));
  std::string seen;
  char buf[256];
  while (seen.find("ready") == std::string::npos) {
    ssize_t n = read(process.Console(), buf, sizeof buf);
    REQUIRE(n > 0);
    seen.append(buf, n);
  }
  REQUIRE(write(process.Console(), "\x03", 1) == 1);
  CHECK(process.Wait() == cask::ExitStatus{128 + SIGINT, 0});
}
