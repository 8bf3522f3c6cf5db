// nsinit's verbs for harnesses: run (exit codes as timeout gives them, the report as
// JSON), stop, stream-in and stream-out through pipes, as a shell script would use them.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness.hpp"

using cask::test::Harness;
using cask::test::Nsinit;

TEST_CASE("nsinit run exits as its payload did, 124 at a time limit, and writes the report", "[nsinit][run]") {
  Harness h;
  const std::string root = h.state_root() + "/nsinit";
  const std::vector<std::string> base = {"--root", root, "run", "--rootfs", h.rootfs().Path()};
  auto with = [&](std::vector<std::string> args) {
    std::vector<std::string> all = base;
    all.insert(all.end(), args.begin(), args.end());
    return Nsinit(all);
  };
  auto exited = with({"--", "/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(exited.code == 3);
  CHECK(exited.out == "out\n");
  CHECK(exited.err == "err\n");

  auto killed = with({"--memory", "32m", "--", "/probe", "hog", "256"});  // the OOM killer's SIGKILL
  CHECK(killed.code == 137);

  const std::string report_file = h.state_root() + "/report.json";
  auto timed_out = with({"--wall-time", "0.5", "--grace", "0.2", "--report", report_file, "--", "/probe", "sleep", "100"});
  CHECK(timed_out.code == 124);
  auto report = nlohmann::json::parse(cask::test::ReadFile(report_file));
  CHECK(report["status"] == "wall_time_limit");
  CHECK(report["wall_time_ns"].get<int64_t>() >= 500'000'000);

  auto to_stdout = with({"--memory", "32m", "--report", "-", "--", "/bin/sh", "-c", "echo hi"});
  CHECK(to_stdout.code == 0);
  auto shown = nlohmann::json::parse(to_stdout.out);
  CHECK(shown["status"] == "exited");
  CHECK(shown["stdout"] == "hi\n");
  CHECK(shown.contains("memory_peak"));

  auto no_start = with({"--report", "-", "--", "/no/such/program"});
  CHECK(no_start.code == 125);
  CHECK(nlohmann::json::parse(no_start.out)["status"] == "setup_failed");
  CHECK_THAT(no_start.err, Catch::Contains("did not start"));
  CHECK(Nsinit({"--root", root, "list", "--format", "json"}).out == "[]\n");
  std::filesystem::remove_all(root);
}

TEST_CASE("nsinit stream-in, stream-out and stop on a running container", "[nsinit][stream]") {
  Harness h;
  cask::Config config = h.BaseConfig();
  config.root.readonly = false;
  cask::Process process(config.process);
  process.args = {"/probe", "sleep", "100"};
  process.out = process.err = cask::Stdio::Null();
  cask::ScopedContainer c(h.factory().Run(cask::test::NewId("nsinit-stream"), config, process));
  const std::string dir = h.state_root() + "/files";
  std::filesystem::create_directories(dir + "/tree");
  std::ofstream(dir + "/tree/a") << "a\n";
  REQUIRE(std::system(("tar -C " + dir + " -cf " + dir + "/in.tar tree").c_str()) == 0);

  cask::unique_fd in(open((dir + "/in.tar").c_str(), O_RDONLY | O_CLOEXEC));
  cask::test::ProgramChild streaming_in({"--root", h.state_root(), "stream-in", c->Id(), "/data"}, "",
                                        CASK_NSINIT_PATH, in.get());
  CHECK(streaming_in.Wait().code == 0);
  CHECK(cask::test::ReadFile(h.rootfs().Path() + "/data/tree/a") == "a\n");

  auto out = Nsinit({"--root", h.state_root(), "stream-out", c->Id(), "/data/tree"});
  CHECK(out.code == 0);
  std::ofstream(dir + "/out.tar") << out.out;
  CHECK(std::system(("tar -xOf " + dir + "/out.tar tree/a > " + dir + "/a.out").c_str()) == 0);
  CHECK(cask::test::ReadFile(dir + "/a.out") == "a\n");

  auto missing = Nsinit({"--root", h.state_root(), "stream-out", c->Id(), "/no/such"});
  CHECK(missing.code == 1);
  CHECK_THAT(missing.err, Catch::Contains("/no/such"));

  auto stopped = Nsinit({"--root", h.state_root(), "stop", c->Id(), "--time", "0.2"});
  CHECK(stopped.code == 0);
  CHECK(c->Status() == cask::Status::kStopped);
}
