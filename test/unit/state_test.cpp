// The state file: JSON round trip, errors naming the field, and the transition table.
#include <cask/events.hpp>
#include <cask/state.hpp>
#include <cask/state_json.hpp>
#include <cask/stats_json.hpp>
#include <signal.h>

#include <catch2/catch.hpp>

TEST_CASE("a state survives JSON and back") {
  cask::State state;
  state.id = "web";
  state.status = cask::Status::kPaused;
  state.init_pid = 4242;
  state.init_start_time = 987654;
  state.created = "2026-11-22T10:04:05.123Z";
  state.cgroup_paths = {{"memory", "/sys/fs/cgroup/memory/web"}, {"unified", "/sys/fs/cgroup/unified/web"}};
  state.namespace_paths = {{"network", "/proc/4242/ns/net"}};
  state.oom_kills = 3;
  state.config.hostname = "web";
  state.config.cgroup.resources.pids.emplace().limit = 7;
  nlohmann::json json = cask::ToJson(state);
  CHECK(json["status"] == "paused");
  CHECK(json["oom_kills"] == 3);
  CHECK(cask::StateFromJson(json) == state);
}

TEST_CASE("a malformed state names the field") {
  cask::State state;
  state.id = "web";
  nlohmann::json json = cask::ToJson(state);
  json["status"] = "sleeping";
  CHECK_THROWS_WITH(cask::StateFromJson(json), Catch::Contains("status") && Catch::Contains("sleeping"));
  json = cask::ToJson(state);
  json.erase("oom_kills");
  CHECK_THROWS_AS(cask::StateFromJson(json), cask::ConfigError);
  json = cask::ToJson(state);
  json["config"]["hostnme"] = "x";
  CHECK_THROWS_WITH(cask::StateFromJson(json), Catch::Contains("hostnme"));
}

TEST_CASE("status transitions follow the table") {
  using cask::CanTransition;
  using S = cask::Status;
  CHECK(CanTransition(S::kCreated, S::kRunning));
  CHECK(CanTransition(S::kRunning, S::kPaused));
  CHECK(CanTransition(S::kPaused, S::kRunning));
  CHECK_FALSE(CanTransition(S::kCreated, S::kPaused));
  CHECK_FALSE(CanTransition(S::kStopped, S::kRunning));
  CHECK_FALSE(CanTransition(S::kRunning, S::kCreated));
  for (S from : {S::kCreating, S::kCreated, S::kRunning, S::kPaused, S::kStopped}) {
    CHECK(CanTransition(from, S::kStopped));
  }
  CHECK(CanTransition(S::kCreating, S::kCreated));
  CHECK_FALSE(CanTransition(S::kCreating, S::kRunning));
  CHECK(cask::StatusFromName("creating") == S::kCreating);
}

TEST_CASE("lifecycle events become JSON lines, an exit with its code or signal") {
  cask::Event exit{cask::Event::Type::kExit, "web", {}, {}, 0, cask::ExitStatus{3, 0}};
  CHECK(cask::ToJson(exit)["type"] == "exit");
  CHECK(cask::ToJson(exit)["data"] == nlohmann::json{{"exit_code", 3}});
  exit.exit_status = cask::ExitStatus{0, SIGKILL};
  CHECK(cask::ToJson(exit)["data"] == nlohmann::json{{"signal", SIGKILL}});
  exit.exit_status.reset();
  CHECK(cask::ToJson(exit)["data"] == nlohmann::json::object());
  const std::pair<cask::Event::Type, const char*> names[] = {{cask::Event::Type::kStart, "start"},
      {cask::Event::Type::kPause, "pause"}, {cask::Event::Type::kResume, "resume"},
      {cask::Event::Type::kDestroy, "destroy"}};
  for (auto [type, name] : names) {
    cask::Event event{type, "web", {}, {}, 0, {}};
    CHECK(cask::ToJson(event)["type"] == name);
    CHECK(cask::ToJson(event)["data"] == nlohmann::json::object());
  }
}

TEST_CASE("events become JSON lines with RFC 3339 times") {
  cask::Event oom{cask::Event::Type::kOom, "web", std::chrono::system_clock::time_point(std::chrono::milliseconds(1'763'805'845'123)), {}, 2, {}};
  CHECK(cask::ToJson(oom) == nlohmann::json::parse(R"({"type": "oom", "id": "web",
      "time": "2025-11-22T10:04:05.123Z", "data": {"oom_kills": 2}})"));
  cask::Event stats{cask::Event::Type::kStats, "web", {}, {}, 0, {}};
  stats.stats.pids = cask::PidsStats{3, cask::kUnlimited, 4};
  auto json = cask::ToJson(stats);
  CHECK(json["type"] == "stats");
  CHECK(json["time"] == "1970-01-01T00:00:00.000Z");
  CHECK(json["data"] == nlohmann::json::parse(R"({"pids": {"current": 3, "limit": "max", "peak": 4}})"));
}
