// A container's lifecycle events, seen by an Events watcher in this process and by
// `nsinit events` in another: in order, an exit with its status, no stats once the
// container has stopped, and the end after the destroy.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "harness.hpp"
#include "host/pidfd_exit.hpp"

using cask::test::Harness;
using cask::test::NewId;
using namespace std::chrono_literals;
using Type = cask::Event::Type;

namespace {

// Whether a process that is not init's parent can learn how it ended (Linux 6.15+):
// asked of a child of this test, reaped here and read through its pidfd.
bool KernelTellsExitStatus() {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) _exit(7);
  const cask::unique_fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, child, 0)));
  REQUIRE(pidfd);
  REQUIRE(waitpid(child, nullptr, 0) == child);
  return cask::PidfdExitStatus(pidfd.get()).has_value();
}

Type NextType(cask::Events& events) {
  auto event = events.Next();
  REQUIRE(event);
  return event->type;
}

}  // namespace

TEST_CASE("events tell start, pause, resume, the exit code and destroy, in order, then end", "[events]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  cask::Process process(config.process);
  process.args = {"/bin/sh", "-c", "read line; exit 3"};
  process.in = cask::Stdio::Pipe();
  const std::string id = NewId("events");
  cask::Container c = h.factory().Create(id, config, process);
  cask::Events events(c, 0ms);
  c.Start();
  CHECK(NextType(events) == Type::kStart);
  c.Pause();
  CHECK(NextType(events) == Type::kPause);
  c.Resume();
  CHECK(NextType(events) == Type::kResume);
  REQUIRE(write(process.InPipe(), "\n", 1) == 1);
  CHECK(process.Wait().code == 3);
  auto exit = events.Next();
  REQUIRE(exit);
  CHECK(exit->type == Type::kExit);
  CHECK(exit->id == id);
  if (KernelTellsExitStatus()) {
    REQUIRE(exit->exit_status);
    CHECK(*exit->exit_status == cask::ExitStatus{3, 0});
  } else {
    CHECK_FALSE(exit->exit_status);  // Debian 12's 6.1: the event without the status
  }
  c.Destroy();
  CHECK(NextType(events) == Type::kDestroy);
  CHECK_FALSE(events.Next());
}

TEST_CASE("events read late come in the order they happened", "[events]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  cask::Container c = h.factory().Create(NewId("late"), config);
  cask::Events events(c, 0ms);
  c.Start();
  c.Pause();
  c.Resume();
  c.Destroy();  // kills init: an exit by SIGKILL
  std::vector<Type> types;
  std::optional<cask::ExitStatus> status;
  while (auto event = events.Next()) {
    types.push_back(event->type);
    if (event->type == Type::kExit) status = event->exit_status;
  }
  CHECK(types == std::vector<Type>{Type::kStart, Type::kPause, Type::kResume, Type::kExit, Type::kDestroy});
  if (KernelTellsExitStatus()) {
    REQUIRE(status);
    CHECK(status->signal == SIGKILL);
  } else {
    CHECK_FALSE(status);
  }
}

TEST_CASE("stats stop when the container stops; a stopped container's watcher starts with its exit", "[events]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  cask::Process process(config.process);
  process.args = {"/probe", "sleep", "0.3"};
  cask::ScopedContainer c(h.factory().Run(NewId("stop"), config, process));
  cask::Events events(*c, 20ms);
  int stats = 0;
  std::optional<cask::Event> exit;
  std::thread reaper([&] { process.Wait(); });
  while (auto event = events.Next()) {
    if (event->type == Type::kStats) {
      ++stats;
      continue;
    }
    exit = event;
    break;
  }
  reaper.join();
  REQUIRE(exit);
  CHECK(exit->type == Type::kExit);
  CHECK(stats >= 1);
  // Stopped, not destroyed: nothing more comes until the destroy, however long the wait.
  std::thread destroyer([&] {
    std::this_thread::sleep_for(200ms);
    c->Destroy();
  });
  CHECK(NextType(events) == Type::kDestroy);
  destroyer.join();
  CHECK_FALSE(events.Next());

  cask::Config sleeper = h.BaseConfig();
  sleeper.process.args = {"/probe", "exit", "0"};
  cask::Process quick(sleeper.process);
  cask::ScopedContainer done(h.factory().Run(NewId("done"), sleeper, quick));
  quick.Wait();
  cask::Events late(*done, 20ms);
  CHECK(NextType(late) == Type::kExit);
  late.Stop();
  CHECK_FALSE(late.Next());
}

TEST_CASE("nsinit events prints the lifecycle as JSON lines and ends with the destroy", "[events][nsinit]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  const std::string id = NewId("nsevents");
  cask::Container c = h.factory().Create(id, config);
  const std::string command = std::string(CASK_NSINIT_PATH) + " --root " + h.state_root() + " events " + id + " --interval 0.05";
  FILE* watcher = popen(command.c_str(), "r");
  REQUIRE(watcher != nullptr);
  std::vector<nlohmann::json> lines;
  char buffer[65536];
  // Its first stats line comes at once: from then on it watches.
  REQUIRE(fgets(buffer, sizeof(buffer), watcher) != nullptr);
  lines.push_back(nlohmann::json::parse(buffer));
  c.Start();
  c.Pause();
  c.Resume();
  c.Destroy();
  while (fgets(buffer, sizeof(buffer), watcher) != nullptr) lines.push_back(nlohmann::json::parse(buffer));
  CHECK(pclose(watcher) == 0);
  const bool tells_status = KernelTellsExitStatus();
  std::vector<std::string> types;
  for (const auto& line : lines) {
    CHECK(line.at("id") == id);
    if (line.at("type") == "stats") continue;
    types.push_back(line.at("type"));
    if (line.at("type") == "exit") CHECK(line.at("data") == (tells_status ? nlohmann::json{{"signal", SIGKILL}} : nlohmann::json::object()));
  }
  CHECK(types == std::vector<std::string>{"start", "pause", "resume", "exit", "destroy"});
  CHECK(lines.front().at("type") == "stats");
}
