// OCI lifecycle hooks where the runtime-spec puts them: createContainer in the
// container's mount namespace before pivot_root, with its path resolved in the
// runtime's; poststart and poststop failures are warnings.
#include <catch2/catch.hpp>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "harness.hpp"

using cask::test::Harness;
using cask::test::ReadFile;
using cask::test::NewId;

TEST_CASE("createContainer runs from a host path in the container's mount namespace before pivot_root", "[hooks]") {
  Harness h;
  const std::string id = NewId("cc");
  const std::string out = h.state_root() + "/cc-" + id;
  // The hook is a script that exists only on the host.
  const std::string script = h.state_root() + "/hook-" + id + ".sh";
  std::ofstream(script) << "#!/bin/sh\n"
                        << "cat > " << out << ".json\n"
                        << "readlink /proc/self/ns/mnt > " << out << ".mnt\n"
                        << "touch " << h.rootfs().Path() << "/hook-was-here\n";
  REQUIRE(chmod(script.c_str(), 0755) == 0);
  cask::Config config = h.BaseConfig();
  config.root.readonly = true;  // remounted read-only after the hook, not before
  config.hooks.create_container.push_back({script, {}, {"PATH=/usr/bin:/bin"}, 10});
  auto result = h.Run(config, {"/bin/sh", "-c", "readlink /proc/self/ns/mnt; ls /hook-was-here"});
  INFO(result.err);
  REQUIRE(result.status.code == 0);
  CHECK(result.out == ReadFile(out + ".mnt") + "/hook-was-here\n");
  auto state = nlohmann::json::parse(ReadFile(out + ".json"));
  CHECK(state.at("id").get<std::string>().starts_with("cask-run-"));  // the id Run gave
  CHECK(state.at("status") == "creating");
  CHECK(state.at("pid").get<int>() > 0);
}

TEST_CASE("a failing poststart hook is logged and the container runs on", "[hooks]") {
  Harness h;
  std::mutex mutex;
  std::vector<std::string> lines;
  h.factory().SetLogger([&](std::string_view line) {
    std::lock_guard lock(mutex);
    lines.emplace_back(line);
  });
  cask::Config config = h.BaseConfig();
  config.process.args = {"/probe", "sleep", "60"};
  config.hooks.poststart.push_back({"/bin/false", {}, {}, {}});
  config.hooks.poststart.push_back({"/bin/sh", {"sh", "-c", "kill -9 $$"}, {}, {}});
  const std::string id = NewId("poststart");
  cask::ScopedContainer container(h.factory().Create(id, config));
  container->Start();
  CHECK(container->Status() == cask::Status::kRunning);
  std::lock_guard lock(mutex);
  // Every hook runs; each failure is a warning.
  CHECK(lines == std::vector<std::string>{"start '" + id + "': poststart hook 0: /bin/false exited with status 1",
                                          "start '" + id + "': poststart hook 1: /bin/sh was killed by signal 9"});
}

TEST_CASE("every poststop hook runs and each failure is logged", "[hooks]") {
  Harness h;
  std::vector<std::string> lines;
  h.factory().SetLogger([&](std::string_view line) { lines.emplace_back(line); });
  const std::string mark = h.state_root() + "/poststop-" + NewId("mark");
  cask::Config config = h.BaseConfig();
  config.hooks.poststop.push_back({"/bin/false", {}, {}, {}});
  config.hooks.poststop.push_back({"/bin/touch", {"touch", mark}, {}, {}});
  const std::string id = NewId("poststop");
  cask::Container container = h.factory().Create(id, config);
  container.Destroy();
  CHECK(lines == std::vector<std::string>{"destroy '" + id + "': poststop hook 0: /bin/false exited with status 1"});
  CHECK(std::filesystem::exists(mark));
  CHECK(h.factory().List().empty());
}

TEST_CASE("a hook starts with no signal blocked, whatever the host blocks", "[hooks]") {
  Harness h;
  const std::string seen = h.state_root() + "/hook-sigblk";
  cask::Config config = h.BaseConfig();
  config.process.args = {"/bin/true"};
  config.hooks.create_runtime.push_back({"/bin/sh", {"sh", "-c", "grep SigBlk /proc/self/status > " + seen}, {}, {}});
  // As nsinit and cask hold the signals they forward while they create.
  sigset_t held, before;
  sigemptyset(&held);
  sigaddset(&held, SIGTERM);
  sigaddset(&held, SIGINT);
  pthread_sigmask(SIG_BLOCK, &held, &before);
  {
    cask::ScopedContainer container(h.factory().Create(NewId("hook-mask"), config));
  }
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  CHECK(ReadFile(seen) == "SigBlk:\t0000000000000000\n");
}
