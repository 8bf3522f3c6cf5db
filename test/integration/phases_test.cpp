// Factory::RecordPhases: the marks of a container's life, from the host and from init.
#include <catch2/catch.hpp>

#include <algorithm>

#include "harness.hpp"

using cask::test::Harness;
using cask::test::NewId;

namespace {

std::vector<std::string> Names(const cask::Phases& phases) {
  std::vector<std::string> names;
  for (const auto& mark : phases) names.push_back(mark.name);
  return names;
}

bool InTimeOrder(const cask::Phases& phases) {
  return std::is_sorted(phases.begin(), phases.end(),
                        [](const cask::PhaseMark& a, const cask::PhaseMark& b) { return a.at < b.at; });
}

}  // namespace

TEST_CASE("a Factory that records phases marks a container's life in order, host's and init's", "[phases]") {
  Harness h;
  h.factory().RecordPhases(true);
  cask::Config config = h.BaseConfig();
  config.no_new_privileges = false;  // init loads the filter before the barrier: "seccomp"
  cask::Process process(config.process);
  process.args = {"/bin/true"};
  const std::string id = NewId("phases");
  cask::Container container = h.factory().Run(id, config, process);
  CHECK(process.Wait().code == 0);
  container.Destroy();
  const cask::Phases phases = container.Phases();
  CHECK(Names(phases) == std::vector<std::string>{"create", "state", "cgroups", "spawn", "init", "namespaces",
                                                  "setup", "mounts", "devices", "pivot", "container", "seccomp",
                                                  "process", "ready", "created", "start", "released", "exec",
                                                  "exit", "destroy", "destroyed"});
  CHECK(InTimeOrder(phases));
  // Read after Destroy, the record is handed over and forgotten.
  CHECK(container.Phases().empty());
}

TEST_CASE("phases: none without recording, a failed create while recording, and Start from another Factory", "[phases]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.process.args = {"/bin/true"};
  {
    cask::Process process(config.process);
    cask::ScopedContainer plain(h.factory().Run(NewId("unrecorded"), config, process));
    CHECK(process.Wait().code == 0);
    CHECK((*plain).Phases().empty());
  }
  h.factory().RecordPhases(true);
  // A failed Create leaves nothing while recording either (the suite checks for leftovers).
  cask::Config bad = config;
  bad.process.args = {"/no/such/payload"};
  cask::Process missing(bad.process);
  CHECK_THROWS_WITH(h.factory().Create(NewId("failed"), bad, missing), Catch::Contains("/no/such/payload"));

  // Created while recording, started by a Factory that does not know it: that Start
  // marks nothing and does not wait on init's socket; the creator's record has no exec.
  cask::Process process(config.process);
  process.args = {"/bin/sh", "-c", "exit 3"};
  const std::string id = NewId("elsewhere");
  cask::ScopedContainer created(h.factory().Create(id, config, process));
  auto other = cask::Factory::New(h.state_root(), cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
  other.Load(id).Start();
  CHECK(process.Wait().code == 3);
  const std::vector<std::string> names = Names((*created).Phases());
  CHECK(std::find(names.begin(), names.end(), "ready") != names.end());
  CHECK(std::find(names.begin(), names.end(), "exec") == names.end());
  CHECK(std::find(names.begin(), names.end(), "exit") != names.end());

  h.factory().RecordPhases(false);  // forgets every record
  CHECK((*created).Phases().empty());
}
