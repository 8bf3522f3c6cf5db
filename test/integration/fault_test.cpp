// Faults from outside: the host at its fd limit, the state root on a full file system,
// the container at its pids limit. Each is a clear cask::Error, and nothing is left.
#include <catch2/catch.hpp>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cgroup/manager.hpp"
#include "eventually.hpp"
#include "harness.hpp"
#include "leftovers.hpp"
#include "subreaper.hpp"

using cask::test::Harness;
using cask::test::NewId;
namespace fs = std::filesystem;

namespace {

size_t OpenFdCount() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& fd : fs::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

bool CgroupsGone(const std::string& id) {
  for (const auto& [hierarchy, dir] : cask::cgroup::Manager::PathsFor("cask-" + id)) {
    if (fs::exists(dir)) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("Create at the host's fd limit fails clearly, at every limit, and leaves nothing", "[reliability]") {
  Harness h;
  {
    // The seccomp program is cached; the warm-up's fork server, where there is one
    // (CASK_INIT_SPAWN=fork-server), ends with its Factory,
    // so that no child of this test is left at the end.
    auto warm = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
    cask::Process process(h.BaseConfig().process);
    process.out = cask::Stdio::Null();
    cask::Container container = warm.Run(NewId("warm"), h.BaseConfig(), process);
    REQUIRE(process.Wait().code == 0);
    container.Destroy();
  }
  ScopedSubreaper subreaper;
  const std::string stem = NewId("emfile");
  // In a child, whose limit this test's own fds do not share: for each limit from what
  // is open now upwards, a Create and a Destroy; one line per try, "ok" or the error.
  int pipe_fds[2];
  REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(pipe_fds[0]);
    auto factory = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
    const rlim_t open_now = OpenFdCount();
    std::string lines;
    for (rlim_t extra = 0; extra < 80; ++extra) {
      const std::string id = stem + "-" + std::to_string(extra);
      rlimit limit{open_now + extra, 4096};
      setrlimit(RLIMIT_NOFILE, &limit);
      std::string line;
      try {
        factory.Create(id, h.BaseConfig()).Destroy();
        line = "ok";
      } catch (const cask::Error& e) {
        line = e.what();
      } catch (const std::exception& e) {
        line = std::string("not a cask::Error: ") + e.what();
      }
      limit.rlim_cur = 4096;
      setrlimit(RLIMIT_NOFILE, &limit);
      lines += id + "\t" + line + "\n";
    }
    (void)!write(pipe_fds[1], lines.data(), lines.size());
    _exit(0);
  }
  close(pipe_fds[1]);
  const std::string out = cask::test::ReadAll(pipe_fds[0]);
  close(pipe_fds[0]);
  REQUIRE(waitpid(child, nullptr, 0) == child);
  int failures = 0, successes = 0;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const std::string id = line.substr(0, line.find('\t'));
    const std::string result = line.substr(line.find('\t') + 1);
    INFO(id << ": " << result);
    if (result == "ok") {
      ++successes;
    } else {
      ++failures;
      CHECK_THAT(result, Catch::StartsWith("create '" + id + "'") &&
                             (Catch::Contains("Too many open files") || Catch::Contains("RLIMIT_NOFILE of 65")));
    }
    CHECK_FALSE(fs::exists(h.state_root() + "/" + id));
    CHECK(CgroupsGone(id));
  }
  CHECK(failures > 0);
  CHECK(successes > 0);
  CHECK(h.factory().List().empty());
  CHECK(cask::test::Eventually([] {
    while (waitpid(-1, nullptr, WNOHANG | __WALL) > 0) {
    }
    return errno == ECHILD;
  }));
}

TEST_CASE("Create with the state root on a full file system fails clearly and leaves nothing", "[reliability]") {
  Harness h;
  const std::string root = h.state_root() + "/full-cask";
  fs::create_directories(root);
  REQUIRE(mount("tmpfs", root.c_str(), "tmpfs", 0, "size=256k") == 0);
  {
    std::ofstream filler(root + "/filler");
    const std::string block(4096, 'x');
    while (filler << block && filler.flush()) {
    }
  }
  const std::string id = NewId("enospc");
  std::string error;
  try {
    auto factory = cask::Factory::New(root, cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
    factory.Create(id, h.BaseConfig());
  } catch (const cask::Error& e) {
    error = e.what();
  }
  CHECK_THAT(error, Catch::StartsWith("create '" + id + "'") && Catch::Contains("No space left on device"));
  std::vector<std::string> entries;
  for (const auto& entry : fs::directory_iterator(root)) entries.push_back(entry.path().filename());
  CHECK(entries == std::vector<std::string>{"filler"});
  CHECK(CgroupsGone(id));
  REQUIRE(umount(root.c_str()) == 0);
}

TEST_CASE("Exec into a container at its pids limit: a clear error where the kernel refuses it", "[reliability][cgroup]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  config.cgroup.resources.pids.emplace().limit = 1;
  const std::string id = NewId("pids");
  cask::ScopedContainer container(h.factory().Create(id, config));
  container->Start();
  cask::Process exec;
  exec.args = {"/bin/true"};
  if (!cask::test::UnifiedHost()) {
    // v1 moves an exec'd process in after its clone, and moving is not limited: it runs.
    container->Exec(exec);
    CHECK(exec.Wait().code == 0);
    return;
  }
  // v2 clones it into the cgroup, which the pids controller refuses.
  CHECK_THROWS_WITH(container->Exec(exec), Catch::StartsWith("exec in '" + id + "'") && Catch::Contains("pids.max"));
  CHECK(container->Processes().size() == 1);
  CHECK(container->Status() == cask::Status::kRunning);
}

TEST_CASE("a memory limit too low for init is named as the reason, and leaves nothing", "[reliability][cgroup]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.cgroup.resources.memory.emplace().limit = 1;
  const std::string id = NewId("oom");
  // v1 kills init; v2 fails its exec, charged past memory.max.
  CHECK_THROWS_WITH(h.factory().Create(id, config),
                    Catch::StartsWith("create '" + id + "'") &&
                        (Catch::Contains("the OOM killer ended it") || Catch::Contains("it hit its memory limit")) &&
                        Catch::Contains("cgroup.resources.memory.limit too low"));
  CHECK_FALSE(fs::exists(h.state_root() + "/" + id));
  CHECK(CgroupsGone(id));
}
