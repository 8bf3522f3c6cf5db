// Merge(): what Container::Update records.
#include <cask/config_json.hpp>
#include <cask/merge.hpp>
#include <cask/validate.hpp>

#include <catch2/catch.hpp>

TEST_CASE("merging resources replaces what the update sets and keeps the rest") {
  cask::Resources base;
  base.memory.emplace();
  base.memory->limit = 64 << 20;
  base.memory->swappiness = 10;
  base.pids.emplace().limit = 50;
  base.cpu.emplace().cpus = "0-1";
  base.devices.push_back({true, 'c', 1, 3, "rwm"});
  base.unified = {{"memory.high", "max"}, {"io.weight", "100"}};

  cask::Resources update;
  update.memory.emplace().limit = 128 << 20;
  update.cpu.emplace().shares = 300;
  update.block_io.emplace().weight = 500;
  update.unified = {{"io.weight", "200"}};
  cask::Merge(base, update);

  CHECK(base.memory->limit == 128 << 20);
  CHECK(base.memory->swappiness == 10u);  // not in the update
  CHECK(base.pids->limit == 50);
  CHECK(base.cpu->cpus == "0-1");
  CHECK(base.cpu->shares == 300u);
  CHECK(base.block_io->weight == 500);
  CHECK(base.devices.size() == 1);
  CHECK(base.unified == std::map<std::string, std::string>{{"memory.high", "max"}, {"io.weight", "200"}});

  cask::Resources devices;
  devices.devices.push_back({false, 'a', -1, -1, "rwm"});
  cask::Merge(base, devices);
  CHECK(base.devices == devices.devices);  // a list is replaced whole
}

TEST_CASE("an empty update changes nothing") {
  cask::Resources base;
  base.memory.emplace().limit = 1 << 20;
  cask::Resources before = base;
  cask::Merge(base, cask::Resources{});
  CHECK(base == before);
}

TEST_CASE("resources read from JSON on their own name their path") {
  auto r = cask::ResourcesFromJson(nlohmann::json::parse(R"({"memory": {"limit": 1048576}, "pids": {"limit": 5}})"));
  CHECK(r.memory->limit == 1 << 20);
  CHECK(r.pids->limit == 5);
  CHECK_THROWS_WITH(cask::ResourcesFromJson(nlohmann::json::parse(R"({"memory": {"limt": 1}})")),
                    "resources.memory: unknown key \"limt\"");
  CHECK_THROWS_WITH(cask::ResourcesFromJson(nlohmann::json::parse(R"({"pids": {"limit": "x"}})")),
                    Catch::Contains("resources.pids.limit"));
  CHECK_THROWS_WITH(cask::ValidateResources(cask::ResourcesFromJson(nlohmann::json::parse(R"({"cpu": {"period": 0}})"))),
                    "resources.cpu.period: must not be zero");
}

TEST_CASE("a zero or false that an update sets replaces the value before") {
  cask::Resources base;
  base.cpu.emplace().idle = 1;
  base.memory.emplace().disable_oom_killer = true;
  base.memory->swappiness = 60;
  cask::Resources update;
  update.cpu.emplace().idle = 0;
  update.memory.emplace().disable_oom_killer = false;
  update.memory->swappiness = 0;
  cask::Merge(base, update);
  CHECK(base.cpu->idle == 0);
  CHECK(base.memory->disable_oom_killer == false);
  CHECK(base.memory->swappiness == 0u);
}
