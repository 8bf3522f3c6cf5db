// nsinit exec as a new user meets it: configs as changes to the defaults, commands as
// typed, stops that work, one container per rootfs, ids that clash, stopped leftovers.
#include <catch2/catch.hpp>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "eventually.hpp"
#include "harness.hpp"
#include "rootfs.hpp"

using cask::test::Eventually;
using cask::test::Harness;
using cask::test::NewId;
using cask::test::Nsinit;
using cask::test::ProgramChild;

namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// nsinit's state root in the harness's, and what no test may leave in it.
struct NsinitRoot {
  explicit NsinitRoot(const Harness& h) : path(h.state_root() + "/nsinit") {}
  ~NsinitRoot() { std::filesystem::remove_all(path); }
  bool Empty() const { return Nsinit({"--root", path, "list", "--format", "json"}).out == "[]\n"; }
  // nsinit exec over `rootfs`, then `more`: exec's options and the command.
  cask::test::ProgramResult Exec(const std::string& rootfs, const std::vector<std::string>& more) const {
    std::vector<std::string> args = {"--root", path, "exec", "--rootfs", rootfs};
    args.insert(args.end(), more.begin(), more.end());
    return Nsinit(args);
  }
  bool Running(const std::string& id) const {
    return Eventually([&] { return Contains(Nsinit({"--root", path, "state", id}).out, "\"running\""); },
                      std::chrono::seconds(10));
  }
  std::string path;
};

}  // namespace

TEST_CASE("nsinit: container.json changes the defaults and keeps what it does not name", "[nsinit]") {
  Harness h;
  NsinitRoot root(h);
  const std::string dir = h.state_root() + "/project";
  std::filesystem::create_directories(dir);
  const std::string script = "hostname; echo $$; test -e /probe && echo in-rootfs";
  // An empty one: the defaults whole (it once dropped every namespace and the rootfs).
  WriteText(dir + "/container.json", "{}");
  auto empty = Nsinit({"--root", root.path, "exec", "--rootfs", h.rootfs().Path(), "--", "/bin/sh", "-c", script}, dir);
  CHECK(empty.code == 0);
  CHECK(empty.out == "cask\n1\nin-rootfs\n");
  WriteText(dir + "/container.json", R"({"hostname": "patched"})");
  auto patched =
      Nsinit({"--root", root.path, "exec", "--rootfs", h.rootfs().Path(), "--", "/bin/sh", "-c", script}, dir);
  CHECK(patched.out == "patched\n1\nin-rootfs\n");
  // A config that names the namespaces and leaves out mount cannot run on the host's root.
  WriteText(dir + "/pid-only.json", R"({"namespaces": [{"type": "pid"}]})");
  auto refused = Nsinit({"--root", root.path, "exec", "--config", dir + "/pid-only.json", "--rootfs",
                         h.rootfs().Path(), "--", "/bin/true"});
  CHECK(refused.code == 1);
  CHECK(Contains(refused.err, "root.path: needs a mount namespace"));
  CHECK(root.Empty());
}

TEST_CASE("nsinit config --validate names every problem with its JSON path", "[nsinit]") {
  Harness h;
  const std::string file = h.state_root() + "/bad.json";
  WriteText(file, R"({"root": {"path": "/srv/x"}, "hostname": "x", "namespaces": [{"type": "mount"}],
                      "rlimits": [{"type": "RLIMIT_FOO", "soft": 1, "hard": 1}], "process": {"cwd": "tmp"}})");
  auto bad = Nsinit({"config", "--validate", file});
  CHECK(bad.code == 1);
  CHECK(bad.out == file + ": hostname: needs a new uts namespace\n" + file +
                       ": rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"\n" + file +
                       ": process.cwd: must be an absolute path, got \"tmp\"\n");
  WriteText(file, R"({"hostname": 7})");
  auto typed = Nsinit({"config", "--validate", file});
  CHECK(typed.code == 1);
  CHECK(Contains(typed.out, file + ": hostname: "));
  WriteText(file, R"({"hostname": "web"})");
  auto good = Nsinit({"config", "--validate", file});
  CHECK(good.code == 0);
  CHECK(good.out == file + ": valid\n");
}

TEST_CASE("nsinit exec: the command's own options stay the command's", "[nsinit]") {
  Harness h;
  NsinitRoot root(h);
  const auto run = [&](const std::vector<std::string>& more) { return root.Exec(h.rootfs().Path(), more); };
  CHECK(run({"sh", "-c", "echo hi"}).out == "hi\n");
  CHECK(run({"sh", "-c", "echo $0 $1", "zero", "--id"}).out == "zero --id\n");
  CHECK(run({"--", "sh", "-c", "echo after-dashes"}).out == "after-dashes\n");
  CHECK(run({"ls", "-d", "/bin"}).out == "/bin\n");
  auto unknown = run({"--bogus", "id"});
  CHECK(unknown.code == 2);
  CHECK(Contains(unknown.err, "unknown option --bogus"));
  // --root after the subcommand, as --root before it.
  CHECK(Nsinit({"exec", "--root", root.path, "--rootfs", h.rootfs().Path(), "echo", "late-root"}).out == "late-root\n");
  CHECK(root.Empty());
}

TEST_CASE("nsinit exec gives docker's defaults and takes the process's flags", "[nsinit]") {
  Harness h;
  NsinitRoot root(h);
  const auto run = [&](const std::vector<std::string>& more) { return root.Exec(h.rootfs().Path(), more); };
  // A writable root, and docker's fourteen capabilities (SETUID and SETGID among them).
  auto defaults = run({"sh", "-c", "touch /written && rm /written && echo writable; grep CapEff /proc/self/status"});
  CHECK(defaults.out == "writable\nCapEff:\t00000000a80425fb\n");
  // runc spec's three capabilities made su fail with "can't set groups".
  CHECK(run({"su", "-s", "/bin/sh", "-c", "id -u; id -G", "alice"}).out == "1000\n1000 10 50\n");
  CHECK(run({"--read-only", "sh", "-c", "touch /written 2>/dev/null || echo read-only"}).out == "read-only\n");
  CHECK(run({"--user", "alice", "id", "-u"}).out == "1000\n");
  CHECK(run({"-u", "1000:50", "id", "-g"}).out == "50\n");
  CHECK(run({"--env", "GREETING=hi there", "-e", "PATH=/bin", "sh", "-c", "echo $GREETING $PATH"}).out ==
        "hi there /bin\n");
  CHECK(run({"--cwd", "/bin", "pwd"}).out == "/bin\n");
  CHECK(run({"--hostname", "web", "hostname"}).out == "web\n");
  CHECK(root.Empty());
}

TEST_CASE("nsinit exec: the default id is one per root filesystem", "[nsinit]") {
  Harness h;
  NsinitRoot root(h);
  cask::test::Rootfs other;
  ProgramChild first({"--root", root.path, "exec", "--rootfs", h.rootfs().Path(), "--", "/bin/sh", "-c",
                     "while [ ! -e /dev/shm/done ]; do sleep 0.05; done"});
  const std::string name = std::filesystem::path(h.rootfs().Path()).filename().string();
  REQUIRE(Eventually([&] { return Contains(Nsinit({"--root", root.path, "list"}).out, "running"); },
                     std::chrono::seconds(10)));
  auto list = Nsinit({"--root", root.path, "list"});
  CHECK(list.out.rfind("ID ", 0) == 0);  // a header, then the row
  CHECK(Contains(list.out, "nsinit-" + name + "-"));
  CHECK(Contains(list.out, h.rootfs().Path()));
  auto json = nlohmann::json::parse(Nsinit({"--root", root.path, "list", "--format", "json"}).out);
  REQUIRE(json.size() == 1);
  CHECK(json[0]["status"] == "running");
  CHECK(json[0]["rootfs"] == h.rootfs().Path());
  CHECK(json[0]["pid"].get<int>() > 0);
  // Another rootfs gets a container of its own (pid 1 there), not a join.
  CHECK(Nsinit({"--root", root.path, "exec", "--rootfs", other.Path(), "--", "/bin/sh", "-c", "echo $$"}).out == "1\n");
  // The same rootfs again joins the first.
  CHECK(Nsinit({"--root", root.path, "exec", "--rootfs", h.rootfs().Path(), "--", "touch", "/dev/shm/done"}).code == 0);
  CHECK(first.Wait().code == 0);
  CHECK(root.Empty());
}

TEST_CASE("nsinit exec refuses to join with a rootfs or config of its own", "[nsinit]") {
  Harness h;
  NsinitRoot root(h);
  cask::test::Rootfs other;
  const std::string id = NewId("join");
  ProgramChild first({"--root", root.path, "exec", "--id", id, "--rootfs", h.rootfs().Path(), "--", "/bin/sh", "-c",
                     "while [ ! -e /dev/shm/done ]; do sleep 0.05; done"});
  REQUIRE(root.Running(id));
  auto refused = Nsinit({"--root", root.path, "exec", "--id", id, "--rootfs", other.Path(), "--", "/bin/true"});
  CHECK(refused.code == 1);
  CHECK(Contains(refused.err, "another config than --rootfs gives: it applies to a new container only; leave it out to join"));
  auto hostname = Nsinit({"--root", root.path, "exec", "--id", id, "--hostname", "other", "--", "/bin/true"});
  CHECK(hostname.code == 1);
  CHECK(Contains(hostname.err, "--hostname"));
  const std::string file = h.state_root() + "/other.json";
  WriteText(file, R"({"namespaces": [{"type": "mount"}, {"type": "pid"}]})");
  auto config = Nsinit({"--root", root.path, "exec", "--id", id, "--config", file, "--", "/bin/true"});
  CHECK(config.code == 1);
  CHECK(Contains(config.err, "another config than --config gives"));
  // The flags that say what the container has anyway join it.
  CHECK(Nsinit({"--root", root.path, "exec", "--id", id, "--rootfs", h.rootfs().Path(), "--", "touch",
                "/dev/shm/done"})
            .code == 0);
  CHECK(first.Wait().code == 0);
  CHECK(root.Empty());
}

TEST_CASE("two nsinit exec started at once with one id: one creates, the other joins", "[nsinit]") {
  Harness h;
  NsinitRoot root(h);
  for (int round = 0; round < 4; ++round) {
    const std::string id = NewId("twice");
    // The first process waits (up to 5 s) for the joined one to be done, which would die
    // with it: the joined one prints, and its last act makes the mark.
    const std::string script =
        "if [ $$ = 1 ]; then i=0; while [ ! -e /dev/shm/joined ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done;"
        " sleep 0.2; [ -e /dev/shm/joined ] && echo first || echo alone; else echo joined; exec touch /dev/shm/joined; fi";
    const std::vector<std::string> args = {"--root", root.path, "exec", "--id", id, "--rootfs", h.rootfs().Path(),
                                           "--", "/bin/sh", "-c", script};
    ProgramChild a(args), b(args);
    auto ra = a.Wait();
    auto rb = b.Wait();
    INFO(ra.err << rb.err);
    CHECK(ra.code == 0);
    CHECK(rb.code == 0);
    CHECK(ra.out + rb.out == (ra.out == "first\n" ? "first\njoined\n" : "joined\nfirst\n"));
  }
  CHECK(root.Empty());
}

TEST_CASE("nsinit exec removes a stopped container that blocks its id", "[nsinit]") {
  Harness h;
  NsinitRoot root(h);
  const std::string id = NewId("stopped");
  {
    // What a killed nsinit leaves: a container whose process ended, never destroyed.
    auto factory = cask::Factory::New(root.path, cask::InitArgs{CASK_INIT_BUILD_PATH, {"init"}});
    cask::Config config = h.BaseConfig();
    cask::Process process;
    process.args = {"/bin/true"};
    factory.Run(id, config, process);
    process.Wait();
    REQUIRE(factory.Load(id).Status() == cask::Status::kStopped);
  }
  auto again = Nsinit({"--root", root.path, "exec", "--id", id, "--rootfs", h.rootfs().Path(), "--", "echo", "again"});
  CHECK(again.code == 0);
  CHECK(again.out == "again\n");
  CHECK(Contains(again.err, "removed the stopped container '" + id + "'"));
  CHECK(root.Empty());
}

TEST_CASE("nsinit kills a container that a passed-on SIGINT or SIGTERM did not stop", "[nsinit]") {
  Harness h;
  NsinitRoot root(h);
  const auto start = [&](const std::string& id, std::vector<std::string> flags) {
    std::vector<std::string> args = {"--root", root.path, "exec", "--id", id, "--rootfs", h.rootfs().Path()};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"--", "sleep", "100"});
    return std::make_unique<ProgramChild>(args);
  };
  SECTION("past the stop timeout") {
    const std::string id = NewId("stop");
    auto nsinit = start(id, {"--stop-timeout", "1"});
    REQUIRE(root.Running(id));
    kill(nsinit->pid(), SIGINT);  // sleep as pid 1 ignores it
    auto result = nsinit->Wait();
    CHECK(result.code == 128 + SIGKILL);
    CHECK(Contains(result.err, "nsinit: the container did not stop within 1 s of SIGINT: killing it"));
  }
  SECTION("on a second Ctrl-C") {
    const std::string id = NewId("stop");
    auto nsinit = start(id, {"--stop-timeout", "100"});
    REQUIRE(root.Running(id));
    kill(nsinit->pid(), SIGINT);
    usleep(100000);
    kill(nsinit->pid(), SIGINT);
    auto result = nsinit->Wait();
    CHECK(result.code == 128 + SIGKILL);
    CHECK(Contains(result.err, "the container was asked to stop twice (SIGINT): killing it"));
  }
  SECTION("with --init, SIGTERM to nsinit ends the command at once") {
    const std::string id = NewId("stop");
    auto nsinit = start(id, {"--init", "--stop-timeout", "100"});
    REQUIRE(root.Running(id));
    kill(nsinit->pid(), SIGTERM);
    auto result = nsinit->Wait();
    CHECK(result.code == 128 + SIGTERM);
    CHECK_FALSE(Contains(result.err, "killing"));
  }
  SECTION("with --init, nsinit kill ID ends it") {
    const std::string id = NewId("stop");
    auto nsinit = start(id, {"--init"});
    REQUIRE(root.Running(id));
    CHECK(Nsinit({"--root", root.path, "kill", id}).code == 0);
    CHECK(nsinit->Wait().code == 128 + SIGTERM);
  }
  CHECK(root.Empty());
}

TEST_CASE("nsinit list shows a container whose state it cannot read beside the others", "[nsinit]") {
  Harness h;
  NsinitRoot root(h);
  ProgramChild first({"--root", root.path, "exec", "--rootfs", h.rootfs().Path(), "--", "/bin/sh", "-c",
                     "while [ ! -e /dev/shm/done ]; do sleep 0.05; done"});
  REQUIRE(Eventually([&] { return Contains(Nsinit({"--root", root.path, "list"}).out, "running"); },
                     std::chrono::seconds(10)));
  std::filesystem::create_directories(root.path + "/broken");
  WriteText(root.path + "/broken/state.json", "{\"id\": ");
  auto list = Nsinit({"--root", root.path, "list"});
  CHECK(list.code == 0);
  CHECK(Contains(list.out, "running"));
  CHECK(Contains(list.out, "broken"));
  CHECK(Contains(list.out, "unreadable"));
  auto json = nlohmann::json::parse(Nsinit({"--root", root.path, "list", "--format", "json"}).out);
  CHECK(json.size() == 2);
  std::filesystem::remove_all(root.path + "/broken");
  CHECK(root.Exec(h.rootfs().Path(), {"touch", "/dev/shm/done"}).code == 0);
  CHECK(first.Wait().code == 0);
  CHECK(root.Empty());
}

TEST_CASE("nsinit kill names a signal number out of range", "[nsinit]") {
  Harness h;
  NsinitRoot root(h);
  auto result = Nsinit({"--root", root.path, "kill", "any", "9999999999999"});
  CHECK(result.code == 1);
  CHECK(Contains(result.err, "signal 9999999999999 is not between 0 and 64"));
}
