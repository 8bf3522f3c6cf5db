// nsinit as a person runs it: a new container per exec, the payload's exit code, and a
// second exec with the same id joining the running container.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "harness.hpp"

using cask::test::Nsinit;

TEST_CASE("nsinit exec runs a command in a new container and removes it", "[nsinit]") {
  cask::test::Harness h;
  const std::string root = h.state_root() + "/nsinit";
  auto hello = Nsinit({"--root", root, "exec", "--id", cask::test::NewId("nsinit"), "--rootfs",
                       h.rootfs().Path(), "--", "/bin/sh", "-c", "echo hello from the container; hostname; echo $$"});
  CHECK(hello.code == 0);
  CHECK(hello.out == "hello from the container\ncask\n1\n");
  CHECK(Nsinit({"--root", root, "list", "--format", "json"}).out == "[]\n");

  auto failing = Nsinit({"--root", root, "exec", "--rootfs", h.rootfs().Path(), "--", "/probe", "exit", "3"});
  CHECK(failing.code == 3);
  CHECK(Nsinit({"--root", root, "exec", "--rootfs", "/nonexistent-cask-rootfs", "--", "/bin/true"}).code == 1);
  std::filesystem::remove_all(root);
}

TEST_CASE("a second nsinit exec joins the running container", "[nsinit]") {
  cask::test::Harness h;
  const std::string root = h.state_root() + "/nsinit";
  const std::string id = cask::test::NewId("join");
  // The first exec keeps the container up until a file appears in its /tmp.
  pid_t first = fork();
  REQUIRE(first >= 0);
  if (first == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execl(CASK_NSINIT_PATH, CASK_NSINIT_PATH, "--root", root.c_str(), "exec", "--id", id.c_str(), "--rootfs",
          h.rootfs().Path().c_str(), "--", "/bin/sh", "-c", "while [ ! -e /dev/shm/done ]; do sleep 0.05; done",
          nullptr);
    _exit(127);
  }
  bool running = false;
  for (int i = 0; i < 200 && !running; ++i) {
    running = Nsinit({"--root", root, "list"}).out.find("running") != std::string::npos;
    if (!running) usleep(20000);
  }
  REQUIRE(running);
  auto ps = Nsinit({"--root", root, "exec", "--id", id, "--", "/bin/sh", "-c", "ps -o pid,args; touch /dev/shm/done"});
  CHECK(ps.code == 0);
  CHECK(ps.out.find("1 /bin/sh -c while") != std::string::npos);
  int status = 0;
  REQUIRE(waitpid(first, &status, 0) == first);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(Nsinit({"--root", root, "list", "--format", "json"}).out == "[]\n");
  std::filesystem::remove_all(root);
}
