// A state directory that is broken, crafted or stale, and calls racing on one container:
// each gives a clear cask::Error or a correct state, and Destroy still removes what cask
// made, and only that. Recover removes what dead hosts and dead containers left.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "eventually.hpp"
#include "harness.hpp"
#include "leftovers.hpp"
#include "subreaper.hpp"

using cask::test::Harness;
using cask::test::NewId;
namespace fs = std::filesystem;

namespace {

// A container whose init sleeps: running, with its cgroups made.
cask::Container Sleeper(Harness& h, const std::string& id) {
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  cask::Container container = h.factory().Create(id, config);
  container.Start();
  return container;
}

void Overwrite(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  REQUIRE(out);
}

// What a Destroy must have removed: init, every cgroup directory and the state directory.
void RequireGone(Harness& h, const std::string& id, const cask::State& before) {
  CHECK_FALSE(cask::test::ProcessAlive(before.init_pid));
  for (const auto& [hierarchy, dir] : before.cgroup_paths) {
    INFO(hierarchy);
    CHECK_FALSE(fs::exists(dir));
  }
  CHECK_FALSE(fs::exists(fs::symlink_status(h.state_root() + "/" + id)));
  CHECK_THROWS_WITH(h.factory().Load(id), Catch::Contains("does not exist"));
}

std::error_code CodeOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const cask::Error& e) {
    return e.code();
  }
  return {};
}

}  // namespace

TEST_CASE("a broken state.json names its file, hides no other container, and Destroy removes what cask made",
          "[reliability]") {
  const std::string label = GENERATE(as<std::string>{}, "empty", "torn in half", "garbage", "of the wrong schema",
                                     "of another container");
  INFO("state.json " << label);
  Harness h;
  const std::string id = NewId("broken");
  const std::string other = NewId("intact");
  cask::Container container = Sleeper(h, id);
  cask::Container neighbour = Sleeper(h, other);
  const cask::State before = container.State();
  const std::string file = h.state_root() + "/" + id + "/state.json";
  const std::string whole = cask::test::ReadFile(file);
  const std::map<std::string, std::string> texts = {
      {"empty", ""},
      {"torn in half", whole.substr(0, whole.size() / 2)},
      {"garbage", "\x7f" "ELF\x02\x01 not json"},
      {"of the wrong schema", R"({"id": "x", "status": 7})"},
      {"of another container", cask::test::ReadFile(h.state_root() + "/" + other + "/state.json")},
  };
  const std::string text = texts.at(label);
  Overwrite(file, text);

  cask::Container loaded = h.factory().Load(id);
  try {
    loaded.State();
    FAIL("State() of a broken state.json returned");
  } catch (const cask::Error& e) {
    CHECK(e.code() == cask::Errc::kCorruptState);
    CHECK_THAT(e.what(), Catch::Contains(file));
  }
  CHECK(h.factory().Load(other).Status() == cask::Status::kRunning);
  CHECK(h.factory().List() == (other < id ? std::vector{other, id} : std::vector{id, other}));
  auto list = cask::test::Nsinit({"--root", h.state_root(), "list", "--format", "json"});
  REQUIRE(list.code == 0);
  const auto rows = nlohmann::json::parse(list.out);
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) {
    if (row["id"] == id) {
      CHECK(row["status"] == "unreadable");
      CHECK_THAT(row["error"].get<std::string>(), Catch::Contains(file));
      CHECK_THAT(row["error"].get<std::string>(), !Catch::Contains("json.exception"));  // the parser's own tag
      if (label == "empty" || label == "torn in half" || label == "garbage") {
        CHECK_THAT(row["error"].get<std::string>(), Catch::Contains("invalid JSON: parse error at line "));
      }
    } else {
      CHECK(row["status"] == "running");
    }
  }

  // The payload and its cgroups are still there; Destroy finds them from the record.
  REQUIRE(cask::test::ProcessAlive(before.init_pid));
  loaded.Destroy();
  RequireGone(h, id, before);
  CHECK(neighbour.Status() == cask::Status::kRunning);
  neighbour.Destroy();
}

TEST_CASE("a state.json that names another container's cgroups is refused, and Destroy leaves them alone",
          "[reliability][cgroup]") {
  Harness h;
  const std::string id = NewId("crafted");
  const std::string victim_id = NewId("victim");
  cask::Container container = Sleeper(h, id);
  cask::Container victim = Sleeper(h, victim_id);
  const cask::State before = container.State();
  const cask::State victim_state = victim.State();
  // Well-formed, and its cgroup_paths (with its config's cgroup path) name the victim's.
  const std::string file = h.state_root() + "/" + id + "/state.json";
  auto json = nlohmann::json::parse(cask::test::ReadFile(file));
  json["cgroup_paths"] = victim_state.cgroup_paths;
  json["config"]["cgroup"]["path"] = "cask-" + victim_id;
  Overwrite(file, json.dump());

  CHECK_THROWS_WITH(container.State(), Catch::Contains("cgroup_paths are not those that Create recorded"));
  CHECK_THROWS_WITH(container.Pause(), Catch::Contains("cgroup_paths are not those that Create recorded"));
  container.Destroy();
  RequireGone(h, id, before);
  CHECK(victim.Status() == cask::Status::kRunning);
  CHECK(victim.Processes() == std::vector<pid_t>{victim_state.init_pid});
  victim.Destroy();
}

TEST_CASE("a state directory replaced by a link is refused; Destroy removes the link, never its target",
          "[reliability]") {
  Harness h;
  const std::string id = NewId("linked");
  cask::Container container = Sleeper(h, id);
  const cask::State before = container.State();
  const std::string dir = h.state_root() + "/" + id;
  const std::string moved = h.state_root() + "/moved-" + id;  // not a container: no state lists it
  fs::rename(dir, moved);
  fs::create_directory_symlink(moved, dir);

  CHECK_THROWS_WITH(container.State(), Catch::Contains(dir + " is not a directory"));
  container.Destroy();
  RequireGone(h, id, before);
  CHECK(fs::exists(moved + "/state.json"));
  fs::remove_all(moved);
}

TEST_CASE("a stale init pid reads as stopped, and Destroy kills no unrelated process", "[reliability]") {
  Harness h;
  const std::string id = NewId("stale");
  cask::Container container = Sleeper(h, id);
  const cask::State before = container.State();
  // An unrelated process of the test's, named as init, with the start time of the real
  // one: started a few clock ticks later, as a reused pid is.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  pid_t unrelated = fork();
  REQUIRE(unrelated >= 0);
  if (unrelated == 0) {
    pause();
    _exit(0);
  }
  const std::string file = h.state_root() + "/" + id + "/state.json";
  auto json = nlohmann::json::parse(cask::test::ReadFile(file));
  json["init_pid"] = unrelated;
  Overwrite(file, json.dump());

  CHECK(container.Status() == cask::Status::kStopped);
  CHECK(CodeOf([&] { container.Signal(SIGKILL); }) == cask::Errc::kBadState);
  container.Destroy();
  CHECK(cask::test::ProcessAlive(unrelated));
  RequireGone(h, id, before);
  kill(unrelated, SIGKILL);
  REQUIRE(waitpid(unrelated, nullptr, 0) == unrelated);
}

TEST_CASE("a cgroup removed behind cask's back: the container reads stopped and Destroy succeeds",
          "[reliability]") {
  Harness h;
  const std::string id = NewId("unrooted");
  cask::Process process;
  process.args = {"/probe", "sleep", "60"};
  cask::Config config = h.BaseConfig();
  cask::Container container = h.factory().Create(id, config, process);
  container.Start();
  const cask::State before = container.State();
  REQUIRE(kill(before.init_pid, SIGKILL) == 0);
  process.Wait();
  for (const auto& [hierarchy, dir] : before.cgroup_paths) {
    REQUIRE((rmdir(dir.c_str()) == 0 || errno == ENOENT));  // co-mounted controllers share one
  }

  CHECK(container.Status() == cask::Status::kStopped);
  container.Destroy();
  RequireGone(h, id, before);
}

TEST_CASE("Destroy racing Pause and Resume from another Factory: every call succeeds or says why",
          "[reliability][cgroup]") {
  Harness h;
  auto other = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
  for (int round = 0; round < 20; ++round) {
    const std::string id = NewId("race");
    cask::Container container = Sleeper(h, id);
    const cask::State before = container.State();
    std::atomic<bool> stop = false;
    std::vector<std::string> unclear;
    cask::Container same = other.Load(id);
    std::thread flipper([&] {
      while (!stop) {
        for (auto call : {&cask::Container::Pause, &cask::Container::Resume}) {
          try {
            (same.*call)();
          } catch (const cask::Error& e) {
            // Gone, or not in the state that the call needs: anything else is a raw error.
            if (e.code() != cask::Errc::kNotFound && e.code() != cask::Errc::kBadState) unclear.push_back(e.what());
            if (e.code() == cask::Errc::kNotFound) stop = true;
          }
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(round % 5));
    container.Destroy();
    stop = true;
    flipper.join();
    CHECK(unclear == std::vector<std::string>{});
    RequireGone(h, id, before);
  }
}

TEST_CASE("Recover removes dead containers and dead Creates, and leaves live and locked ones", "[reliability][cgroup]") {
  Harness h;
  ScopedSubreaper subreaper;  // the dead host's init is adopted by this test
  const std::string running = NewId("running");
  const std::string waiting = NewId("waiting");
  const std::string exited = NewId("exited");
  const std::string locked = NewId("locked");
  const std::string died_in_create = NewId("died");
  const std::string broken_empty = NewId("broken-empty");
  const std::string broken_busy = NewId("broken-busy");

  cask::Container live = Sleeper(h, running);
  cask::Container created = h.factory().Create(waiting, h.BaseConfig());
  std::map<std::string, cask::State> states;
  for (const std::string& id : {exited, locked, broken_empty}) {
    cask::Process process;
    process.args = {"/bin/true"};
    cask::Container container = h.factory().Create(id, h.BaseConfig(), process);
    container.Start();
    REQUIRE(process.Wait().code == 0);
    states[id] = container.State();
  }
  cask::Container busy = Sleeper(h, broken_busy);
  const pid_t busy_init = busy.State().init_pid;
  for (const std::string& id : {broken_empty, broken_busy}) {
    Overwrite(h.state_root() + "/" + id + "/state.json", "{");
  }
  // A host killed while init runs a create_container hook: init lives on, at setup.
  const std::string marks = h.state_root() + "/marks-" + died_in_create;
  fs::create_directories(marks);
  cask::Config held = h.BaseConfig();
  held.hooks.create_container.push_back({"/bin/sh", {"sh", "-c", "touch " + marks + "/in-hook; exec sleep 30"}, {}, {}});
  pid_t host = fork();
  REQUIRE(host >= 0);
  if (host == 0) {
    auto factory = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
    factory.Create(died_in_create, held);
    _exit(0);
  }
  REQUIRE(cask::test::Eventually([&] { return fs::exists(marks + "/in-hook"); }));
  REQUIRE(kill(host, SIGKILL) == 0);
  REQUIRE(waitpid(host, nullptr, 0) == host);
  states[died_in_create] = h.factory().Load(died_in_create).State();
  CHECK(states[died_in_create].status == cask::Status::kCreating);
  fs::remove_all(marks);

  // Another process at work on it: its state directory's lock is taken.
  cask::unique_fd lock(open((h.state_root() + "/" + locked).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(flock(lock.get(), LOCK_EX) == 0);
  std::vector<cask::Recovered> removed = h.factory().Recover();
  std::map<std::string, std::string> reasons;
  for (const auto& [id, reason] : removed) reasons[id] = reason;
  CHECK(reasons.size() == 3);
  CHECK(reasons[exited] == "its init has exited");
  CHECK(reasons[died_in_create] == "its Create died before it finished");
  CHECK_THAT(reasons[broken_empty], Catch::Contains("state.json") && Catch::Contains("no process is left"));
  REQUIRE(waitpid(states[died_in_create].init_pid, nullptr, 0) == states[died_in_create].init_pid);
  for (const std::string& id : {exited, died_in_create, broken_empty}) {
    INFO(id);
    RequireGone(h, id, states[id]);
  }
  CHECK(live.Status() == cask::Status::kRunning);
  CHECK(created.Status() == cask::Status::kCreated);
  CHECK(h.factory().Load(locked).Status() == cask::Status::kStopped);
  CHECK(cask::test::ProcessAlive(busy_init));
  CHECK(fs::exists(h.state_root() + "/" + broken_busy + "/state.json"));

  // Released, the stopped one goes too, and nsinit gc says so; nothing else goes.
  lock.reset();
  auto gc = cask::test::Nsinit({"--root", h.state_root(), "gc"});
  CHECK(gc.code == 0);
  CHECK(gc.out == locked + ": its init has exited\n");
  CHECK(gc.err.empty());  // once, on stdout
  RequireGone(h, locked, states[locked]);
  CHECK(h.factory().Recover().empty());
  for (cask::Container* container : {&live, &created, &busy}) container->Destroy();
}

TEST_CASE("100 cycles of every call in one host, and 100 nsinit runs: the host stays flat, nothing is left",
          "[reliability]") {
  // The long form: cask-churn --cycles 1000 --nsinit-runs 1000 (bench/RESULTS.md).
  cask::test::ProgramChild churn({"--cycles", "100", "--nsinit-runs", "100"}, "", CASK_CHURN_PATH);
  const auto result = churn.Wait();
  INFO(result.out << result.err);
  REQUIRE(result.code == 0);
  const auto report = nlohmann::json::parse(result.out);
  CHECK(report["failure"] == "");
  CHECK(report["left"].empty());
  CHECK(report["cycles"]["count"] == 100);
  CHECK(report["nsinit_runs"]["count"] == 100);
  const auto& warm = report["cycles"]["after_warm_up"];
  const auto& end = report["cycles"]["end"];
  CHECK(end["fds"] == warm["fds"]);
  CHECK(end["threads"] == warm["threads"]);
  CHECK(report["cycles"]["rss_judged"] == true);
  CHECK(end["rss_kib"].get<long>() - warm["rss_kib"].get<long>() < 1024);
}

TEST_CASE("a broken seccomp cache entry is rebuilt, never trusted and never fatal", "[reliability]") {
  const std::string label = GENERATE(as<std::string>{}, "cut in an instruction", "with no code", "garbage", "JSON");
  INFO("cache entry " << label);
  Harness h;
  REQUIRE(h.Run(h.BaseConfig()).status.code == 0);  // compiles the default profile, cached
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(h.state_root() + "/.seccomp")) entries.push_back(entry.path());
  REQUIRE(entries.size() == 1);
  const std::string whole = cask::test::ReadFile(entries[0]);
  // Header, key, flags: three lines, then the code (8 bytes an instruction).
  size_t code_at = 0;
  for (int line = 0; line < 3; ++line) code_at = whole.find('\n', code_at) + 1;
  REQUIRE(whole.size() - code_at > 10 * 8);
  REQUIRE((whole.size() - code_at) % 8 == 0);
  if (label == "cut in an instruction") Overwrite(entries[0], whole.substr(0, whole.size() - 3));
  if (label == "with no code") Overwrite(entries[0], whole.substr(0, code_at));
  if (label == "garbage") Overwrite(entries[0], "\x7f" "ELF and then some");
  if (label == "JSON") Overwrite(entries[0], R"({"profile": "", "program": {"code": [6], "flags": 0}})");

  // A fresh Factory has no copy in memory: it reads the entry, and must not trust it.
  auto fresh = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
  cask::Process process;
  process.args = {"/bin/true"};
  cask::ScopedContainer container(fresh.Run(NewId("cache"), h.BaseConfig(), process));
  CHECK(process.Wait().code == 0);
  CHECK(cask::test::ReadFile(entries[0]) == whole);
}

TEST_CASE("100 containers created at once from 4 processes sharing a root, then destroyed at once",
          "[reliability]") {
  Harness h;
  ScopedSubreaper subreaper;  // each creator exits with its containers running
  constexpr int kProcesses = 4, kThreads = 25;
  const std::string stem = NewId("many");
  const auto in_processes = [&](const std::function<void(cask::Factory&, const std::string&)>& work) {
    std::vector<pid_t> children;
    for (int p = 0; p < kProcesses; ++p) {
      pid_t child = fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        auto factory = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
        std::atomic<int> failed = 0;
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
          threads.emplace_back([&, t] {
            try {
              work(factory, stem + "-" + std::to_string(p * kThreads + t));
            } catch (const std::exception& e) {
              std::fprintf(stderr, "%s\n", e.what());
              ++failed;
            }
          });
        }
        for (auto& thread : threads) thread.join();
        _exit(failed == 0 ? 0 : 1);
      }
      children.push_back(child);
    }
    for (pid_t child : children) {
      int status = 0;
      REQUIRE(waitpid(child, &status, 0) == child);
      CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
  };
  in_processes([&](cask::Factory& factory, const std::string& id) {
    cask::Config config = h.BaseConfig();
    config.process.args = {"/probe", "sleep", "60"};
    factory.Create(id, config).Start();
  });
  const std::vector<std::string> ids = h.factory().List();
  CHECK(ids.size() == kProcesses * kThreads);
  std::vector<cask::State> states;
  for (const auto& id : ids) {
    states.push_back(h.factory().Load(id).State());  // whole: no state file is torn
    CHECK(states.back().status == cask::Status::kRunning);
  }
  in_processes([](cask::Factory& factory, const std::string& id) { factory.Load(id).Destroy(); });
  CHECK(h.factory().List().empty());
  // The inits are this test's now, and dead: reaped, every one.
  CHECK(cask::test::Eventually([] {
    while (waitpid(-1, nullptr, WNOHANG | __WALL) > 0) {
    }
    return errno == ECHILD;
  }));
  for (const auto& state : states) RequireGone(h, state.id, state);
}

TEST_CASE("two processes racing Start, Pause, Resume, Update and Destroy on one container: each says why",
          "[reliability]") {
  Harness h;
  const std::string id = NewId("duel");
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  cask::Container container = h.factory().Create(id, config);
  const cask::State before = container.State();
  // Each call in two children at once (both ready, then let go together); each child
  // prints its error code (0: success).
  const auto duel = [&](const std::function<void(cask::Container&)>& call) {
    std::vector<std::pair<pid_t, int>> children;
    int go[2];
    REQUIRE(pipe2(go, O_CLOEXEC) == 0);
    for (int i = 0; i < 2; ++i) {
      int fds[2];
      REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
      pid_t child = fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        auto factory = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
        std::string result = "0";
        try {
          cask::Container same = factory.Load(id);
          close(go[1]);
          char byte;
          (void)!read(go[0], &byte, 1);  // EOF once the test lets go
          call(same);
        } catch (const cask::Error& e) {
          result = std::string(e.code().category().name()) + ":" + std::to_string(e.code().value()) + " " + e.what();
        } catch (const std::exception& e) {
          result = std::string("not a cask::Error: ") + e.what();
        }
        (void)!write(fds[1], result.data(), result.size());
        _exit(0);
      }
      close(fds[1]);
      children.emplace_back(child, fds[0]);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both loaded, waiting
    close(go[1]);
    close(go[0]);
    std::vector<std::string> results;
    for (auto [child, fd] : children) {
      results.push_back(cask::test::ReadAll(fd));
      close(fd);
      REQUIRE(waitpid(child, nullptr, 0) == child);
    }
    std::sort(results.begin(), results.end());
    return results;
  };
  const auto starts = duel([](cask::Container& c) { c.Start(); });
  REQUIRE(starts.size() == 2);
  CHECK(starts[0] == "0");
  CHECK_THAT(starts[1], Catch::StartsWith("cask:" + std::to_string(int(cask::Errc::kBadState))) &&
                            Catch::Contains("is running, not created"));
  CHECK(container.Status() == cask::Status::kRunning);

  const std::string bad_state = "cask:" + std::to_string(int(cask::Errc::kBadState));
  const auto pauses = duel([](cask::Container& c) { c.Pause(); });
  CHECK(pauses[0] == "0");
  CHECK_THAT(pauses[1], Catch::StartsWith(bad_state) && Catch::Contains("the container is paused"));
  CHECK(container.Status() == cask::Status::kPaused);
  const auto resumes = duel([](cask::Container& c) { c.Resume(); });
  CHECK(resumes[0] == "0");
  CHECK_THAT(resumes[1], Catch::StartsWith(bad_state) && Catch::Contains("the container is running"));
  CHECK(container.Status() == cask::Status::kRunning);

  const auto updates = duel([](cask::Container& c) {
    cask::Resources resources;
    resources.pids.emplace().limit = 50;
    c.Update(resources);
  });
  CHECK(updates == std::vector<std::string>{"0", "0"});
  CHECK(container.State().config.cgroup.resources.pids->limit == 50);

  const auto destroys = duel([](cask::Container& c) { c.Destroy(); });
  CHECK(destroys == std::vector<std::string>{"0", "0"});
  REQUIRE(waitpid(before.init_pid, nullptr, 0) == before.init_pid);  // this test's child
  RequireGone(h, id, before);
}
